"""Sensitivity designs and indices (issue 28): Sobol' indices of functions with known
indices (Ishigami, a linear model of non-uniform inputs) through design → evaluate →
analyse, Morris ranking, repeatable designs, refused inputs and the bar chart."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st
import xarray as xr

from gshp.config.uncertainty import UncertaintySpec, Variable
from gshp.errors import InputError
from gshp.studies import sensitivity as sa


def spec_of(*variables, samples=256, seed=1):
    return UncertaintySpec(samples=samples, seed=seed, method="sobol", variables=tuple(variables))


def uniform(path, low, high):
    return Variable(path, "uniform", {"low": low, "high": high})


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def test_ishigami_sobol_indices_within_their_confidence_intervals():
    """Ishigami (a = 7, b = 0.1) on uniform(−π, π) inputs: analytic S1 = 0.314, 0.442, 0
    and ST = 0.558, 0.442, 0.244 (Sobol' & Levitan 1999) lie within the bootstrap intervals,
    which are themselves narrow."""
    spec = spec_of(*(uniform(f"x{i}", -np.pi, np.pi) for i in (1, 2, 3)))
    X = sa.design(spec, "sobol", 1024)
    assert X.shape == (1024 * 5, 3)
    Y = xr.DataArray(ishigami(X), name="ishigami", attrs={"units": "1"})
    ds = sa.analyse(spec, "sobol", X, Y)
    assert list(ds["input"].values) == ["x1", "x2", "x3"]
    for key, exact in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        found, conf = ds[key].values, ds[key + "_conf"].values
        assert np.all(np.abs(found - exact) <= conf), (key, found, conf)
        assert np.all(conf < 0.1), (key, conf)  # intervals that mean something
        assert np.all(np.abs(found - exact) < 0.05), (key, found)
    assert ds.attrs["method"] == "sobol" and ds.attrs["runs"] == 5120
    assert ds.attrs["response"] == "ishigami"
    assert ds["S1"].attrs["units"] == "1" and "first-order" in ds["S1"].attrs["long_name"]


def test_linear_model_of_non_uniform_inputs_has_the_analytic_indices():
    """Y = Σ a_i x_i with normal, triangular and uniform inputs: S_i = ST_i = a_i² σ_i² / Σ;
    the design's columns have the inputs' distributions (the ppf mapping)."""
    k = Variable("borefield.ground.conductivity_W_mK", "normal", {"mean": 2.2, "sd": 0.25})
    g = Variable("borefield.grout.conductivity_W_mK", "triangular",
                 {"low": 1.4, "mode": 1.8, "high": 2.0})  # fmt: skip
    t = uniform("borefield.ground.T_undisturbed_C", 9.3, 10.3)
    s = Variable("ground_load.scale", "normal", {"mean": 1.0, "sd": 0.1})
    spec = spec_of(k, g, t, s)
    a = np.array([4.0, 3.0, 1.0, -10.0])
    X = sa.design(spec, "sobol", 2048)
    # the ppf mapping: each column follows its distribution
    assert st.kstest(X[:, 0], st.norm(2.2, 0.25).cdf).pvalue > 0.01
    assert st.kstest(X[:, 1], st.triang(0.4 / 0.6, 1.4, 0.6).cdf).pvalue > 0.01
    assert X[:, 2].min() >= 9.3 and X[:, 2].max() <= 10.3
    assert X[:, 3].mean() == pytest.approx(1.0, abs=0.005)
    assert X[:, 3].std() == pytest.approx(0.1, rel=0.02)
    var = np.array([0.25**2, st.triang(0.4 / 0.6, 1.4, 0.6).var(), 1.0 / 12, 0.1**2])
    exact = a**2 * var / np.sum(a**2 * var)
    ds = sa.analyse(spec, "sobol", X, X @ a + 3.0)
    for key in ("S1", "ST"):
        found, conf = ds[key].values, ds[key + "_conf"].values
        assert np.all(np.abs(found - exact) <= np.maximum(conf, 0.01)), (key, found, exact)
    assert list(ds["label"].values) == [
        "ground.conductivity_W_mK",
        "grout.conductivity_W_mK",
        "ground.T_undisturbed_C",
        "ground_load.scale",
    ]
    assert ds["distribution"].values[0] == "normal(mean=2.2, sd=0.25)"


def test_designs_are_identical_on_repeated_calls_and_follow_the_seed():
    spec = spec_of(uniform("a", 0, 1), Variable("b", "normal", {"mean": 0.0, "sd": 1.0}))
    for method, n, rows in (("sobol", 64, 64 * 4), ("morris", 10, 10 * 3)):
        first = sa.design(spec, method, n)
        assert first.shape == (rows, 2)
        assert np.array_equal(first, sa.design(spec, method, n))
        assert np.all(np.isfinite(first))
        other = sa.design(spec_of(*spec.variables, seed=2), method, n)
        assert not np.array_equal(first, other)


def test_morris_levels_are_the_middles_of_equally_probable_bins():
    """A Morris step moves an input by half its probability range, and μ* is the change of
    the response for such a step in the response's units: for Y = 3·x with x uniform on
    [0, 8] that is exactly 3 · 4 = 12."""
    spec = spec_of(uniform("x", 0.0, 8.0), uniform("y", 0.0, 1.0))
    X = sa.design(spec, "morris", 20)
    assert set(np.unique(X[:, 0])) <= {1.0, 3.0, 5.0, 7.0}  # (k + ½)/4 of the range
    ds = sa.analyse(spec, "morris", X, xr.DataArray(3.0 * X[:, 0], attrs={"units": "K"}))
    assert ds["mu_star"].values == pytest.approx([12.0, 0.0])
    assert ds["sigma"].values == pytest.approx([0.0, 0.0], abs=1e-12)
    assert ds["mu_star"].attrs["units"] == "K"


def test_morris_ranks_the_dominant_input_first():
    spec = spec_of(
        uniform("weak", 0, 1),
        Variable("dominant", "normal", {"mean": 2.2, "sd": 0.3}),
        uniform("none", 0, 1),
        uniform("middle", -1, 1),
    )
    X = sa.design(spec, "morris", 16)

    def model(x):
        return 0.2 * x[:, 0] + 10.0 * x[:, 1] + 0.0 * x[:, 2] + x[:, 3] ** 2 + 0.3 * x[:, 3]

    ds = sa.analyse(spec, "morris", X, model(X))
    ranked = list(ds["input"].values[np.argsort(-ds["mu_star"].values)])
    assert ranked == ["dominant", "middle", "weak", "none"]
    assert ds["mu_star"].sel(input="none").item() == 0.0
    assert np.all(ds["mu_star_conf"].values >= 0)


def test_choice_rule_sobol_when_the_budget_allows_n_64():
    spec = spec_of(*(uniform(f"x{i}", 0, 1) for i in range(4)), samples=256)
    assert sa.choose_method(spec) == "morris"  # 256 < 64 · 6
    assert sa.choose_method(spec, 64 * 6) == "sobol"
    assert sa.choose_method(spec, 64 * 6 - 1) == "morris"
    assert sa.default_n(spec, "sobol", 1000) == 128  # 128 · 6 = 768 ≤ 1000 < 256 · 6
    assert sa.default_n(spec, "morris", 256) == 51
    assert sa.design(spec, "auto").shape == (51 * 5, 4)
    assert sa.runs(spec, "sobol", 64) == 384 and sa.runs(spec, "morris", 10) == 50


def test_failed_runs_are_refused_with_their_number():
    spec = spec_of(uniform("a", 0, 1), uniform("b", 0, 1))
    X = sa.design(spec, "sobol", 64)
    Y = X[:, 0] + X[:, 1]
    Y[[3, 17, 200]] = np.nan
    with pytest.raises(InputError) as err:
        sa.analyse(spec, "sobol", X, Y)
    text = str(err.value)
    assert "3 of 256 runs without a value" in text and "rows 3, 17, 200" in text
    assert "re-run the failed runs" in text


def test_wrong_design_size_or_rows_and_bad_n_are_refused():
    spec = spec_of(uniform("a", 0, 1), uniform("b", 0, 1))
    X = sa.design(spec, "sobol", 64)
    with pytest.raises(InputError, match="X: 'shape \\(255, 2\\)'"):
        sa.analyse(spec, "sobol", X[:-1], X[:-1, 0])
    with pytest.raises(InputError, match="in their order"):
        sa.analyse(spec, "sobol", X[::-1], X[:, 0])
    with pytest.raises(InputError, match="n: 48 — a power of two"):
        sa.design(spec, "sobol", 48)
    with pytest.raises(InputError, match="method: 'fast' — one of sobol, morris"):
        sa.design(spec, "fast", 64)
    with pytest.raises(InputError, match="a constant has no sensitivity indices"):
        sa.analyse(spec, "sobol", X, np.ones(len(X)))


def test_bar_chart_written_with_short_labels(tmp_path):
    spec = spec_of(uniform("borefield.ground.conductivity_W_mK", 1.8, 2.6),
                   uniform("ground_load.scale", 0.9, 1.1))  # fmt: skip
    for method, n in (("sobol", 64), ("morris", 8)):
        X = sa.design(spec, method, n)
        ds = sa.analyse(spec, method, X, 2.0 * X[:, 0] + X[:, 1])
        out = tmp_path / f"{method}.png"
        fig = sa.bar_chart(ds, out, title="year-20 minimum fluid temperature")
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        ax = fig.axes[0]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        at = dict(zip(labels, ax.get_yticks(), strict=True))
        assert set(at) == {"ground_load.scale", "ground.conductivity_W_mK"}
        assert at["ground.conductivity_W_mK"] > at["ground_load.scale"]  # file order, top down
        assert "year-20 minimum fluid temperature" in ax.get_title()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["morris.png", "sobol.png"]


def test_worked_example_script_runs(tmp_path):
    """scripts/sensitivity_example.py (the docs' worked example) at a size that fits the
    suite: one year, Morris with 2 trajectories (the choice rule: 12 runs < 64 · 6)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, GSHP_EXAMPLE_YEARS="1", GSHP_EXAMPLE_N="2", MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, str(root / "scripts" / "sensitivity_example.py"), str(tmp_path / "o")]
    r = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith("morris: 10 runs\n"), r.stdout
    assert "ground.T_undisturbed_C       mu_star  0.500" in r.stdout  # linear: half of 1 K
    png = tmp_path / "o" / "sensitivity_example.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
