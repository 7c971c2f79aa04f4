"""Uncertainty studies (issue 28): [uncertainty] in case files and its messages, the load
scale factors, sampling, `gshp uncertainty` on the sweep runner (1 and 2 processes, a real
Dask cluster, resume), the quantiles against the analytic ones of a linear response, the
result file, the fan chart and `gshp report` of it. Borefield-only cases: a run of 1–2
years on an hourly step takes about 0.1 s."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
import xarray as xr

import gshp
from gshp.cli import main
from gshp.config import case_hash
from gshp.errors import InputError
from gshp.io.results import open_result
from gshp.studies.uncertainty import run_samples, sample_matrix

ROOT = Path(__file__).resolve().parents[1]
H = np.arange(8760)
T_MEAN, T_SD = 10.0, 0.5


def write_field(folder: Path, uncertainty: str, *, years=2, sizing="", name="field") -> Path:
    """A borefield-only case (3 × 2 boreholes of 100 m, hourly step) with an annual
    extraction-dominated ground load and the given [uncertainty] table."""
    folder.mkdir(parents=True, exist_ok=True)
    q = 2.0 + 8.0 * np.cos(2 * np.pi * H / 8760)  # kW, + extracted
    rows = [f"{max(x, 0):.6f},{max(-x, 0):.6f}" for x in q]
    (folder / "load.csv").write_text(
        "extraction_kW,injection_kW\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    case = folder / f"{name}.toml"
    case.write_text(
        f"""kind = "borefield"
name = "{name}"
[simulation]
years = {years}
time_step_s = 3600
output_resolution = "monthly"
[ground_load]
file = "load.csv"
pump = "constant"
[borefield]
layout = "rectangle"
n_x = 3
n_y = 2
spacing_m = 6.0
length_m = 100.0
[borefield.ground]
T_undisturbed_C = {T_MEAN}
{sizing}
[uncertainty]
{uncertainty}
""",
        encoding="utf-8",
    )
    return case


NORMAL_T = (
    f'"borefield.ground.T_undisturbed_C" = {{ dist = "normal", mean = {T_MEAN}, sd = {T_SD} }}'
)


# ---------------------------------------------------------------------------- (a) quantiles


def test_quantiles_of_a_linear_response_match_the_analytic_normal_quantiles(tmp_path):
    """The fluid temperature of a borefield-only case moves 1:1 with the undisturbed ground
    temperature (the heat equation is linear, the properties do not depend on it), so
    with T_undisturbed ~ normal(10, 0.5) the year-2 minimum mean-fluid temperature is
    normal(T_det, 0.5): P10/P50/P90 = T_det + z·0.5.

    Tolerance: 3 standard errors of a sample quantile of n independent draws,
    se_p = sqrt(p(1 − p)/n) / f(x_p) = sd·sqrt(p(1 − p)/n)/φ(z_p): 0.107 K at P10/P90 and
    0.078 K at P50 for n = 64 (scrambled Sobol' points are closer than independent ones,
    so this bounds their error)."""
    n = 64
    case_path = write_field(tmp_path, f"samples = {n}\nseed = 7\n{NORMAL_T}")
    case = gshp.load_case(case_path)
    det = gshp.simulate(case)  # the deterministic case: T_undisturbed = 10
    t_det = float(det["T_fluid_mean_hourly_min"].sel(year=2).min())
    X = sample_matrix(case.uncertainty)
    ds = run_samples(case, case.uncertainty.paths, X, spec=case.uncertainty)
    y = ds["T_fluid_min"].sel(year=2).values
    t_u = ds["borefield.ground.T_undisturbed_C"].values
    # the response is linear with slope 1 (the premise of the analytic quantiles)
    assert np.ptp(y - t_u) < 1e-6, np.ptp(y - t_u)
    assert (y - t_u)[0] == pytest.approx(t_det - T_MEAN, abs=1e-6)
    nd = NormalDist()
    got = ds["T_fluid_min_quantile"].sel(year=2).values
    assert list(ds["quantile"].values) == [0.1, 0.5, 0.9]
    for p, value in zip((0.1, 0.5, 0.9), got, strict=True):
        z = nd.inv_cdf(p)
        se = T_SD * math.sqrt(p * (1 - p) / n) / nd.pdf(z)
        expected = t_det + z * T_SD
        assert abs(value - expected) < 3 * se, (p, value, expected, se)
    # and they are the quantiles of the samples in the file
    np.testing.assert_array_equal(got, np.quantile(y, [0.1, 0.5, 0.9]))


def test_sampling_is_seeded_and_a_smaller_sample_is_the_start_of_a_larger_one(tmp_path):
    case = gshp.load_case(
        write_field(
            tmp_path,
            f"samples = 16\nseed = 3\n{NORMAL_T}\n"
            '"ground_load.scale" = { dist = "uniform", low = 0.9, '
            "high = 1.1 }",
        )
    )
    spec = case.uncertainty
    a, b = sample_matrix(spec), sample_matrix(spec)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (16, 2)
    np.testing.assert_array_equal(sample_matrix(spec, 8), a[:8])  # Sobol' prefix
    assert a[:, 1].min() >= 0.9 and a[:, 1].max() <= 1.1
    # balanced: one point in each sixteenth of the uniform input's range
    assert sorted(np.floor((a[:, 1] - 0.9) / 0.2 * 16).astype(int)) == list(range(16))
    lhs_case = write_field(tmp_path / "lhs", f'samples = 16\nmethod = "lhs"\n{NORMAL_T}')
    lhs = sample_matrix(gshp.load_case(lhs_case).uncertainty)
    assert lhs.shape == (16, 1) and not np.array_equal(lhs[:, 0], a[:, 0])
    with pytest.raises(InputError, match="samples: 12 — a power of two"):
        sample_matrix(spec, 12)


# ---------------------------------------------------------------------------- (b) backends


def _result_values(path):
    ds = open_result(path)
    for k in ("samples_reused", "samples_run", "result_path"):
        ds.attrs.pop(k, None)
    return ds


def test_identical_samples_and_results_with_1_and_2_jobs_and_on_dask(tmp_path, capsys):
    """The same samples and bit-for-bit the same indicators whatever runs them: this
    process, two worker processes, and a real Dask cluster (`dask scheduler` and two
    `dask worker` processes on localhost)."""
    pytest.importorskip("distributed")
    from test_dask_cluster import _dask_cmd, _env, _free_port

    unc = (
        f'samples = 8\nseed = 5\n{NORMAL_T}\n"borefield.ground.conductivity_W_mK" = '
        '{ dist = "lognormal", mean = 2.2, sd = 0.3 }'
    )
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = []
    try:
        procs.append(
            subprocess.Popen(
                _dask_cmd(
                    "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"
                ),
                env=_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for i in range(2):
            procs.append(
                subprocess.Popen(
                    _dask_cmd(
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                        "--name",
                        f"w{i}",
                    ),
                    env=_env(),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        results = {}
        for label, args in (
            ("j1", ["-j", "1"]),
            ("j2", ["-j", "2"]),
            ("dask", ["--scheduler", address]),
        ):
            case = write_field(tmp_path / label, unc, years=1)
            out = tmp_path / label / "u.nc"
            assert main(["uncertainty", str(case), "-q", "-o", str(out), *args]) == 0
            results[label] = _result_values(tmp_path / label / "u.nc")
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs[::-1]:
            p.wait(timeout=15)
    ref = results["j1"]
    assert ref.sizes["sample"] == 8 and int(ref["sample_ok"].sum()) == 8
    for label in ("j2", "dask"):
        # the case attribute names the case's own folder: compare everything else
        a = ref.drop_attrs(deep=False)
        b = results[label].drop_attrs(deep=False)
        xr.testing.assert_identical(a, b)


# ---------------------------------------------------------------------------- (c) resume


def test_a_rerun_skips_finished_samples_and_reruns_changed_ones(tmp_path, capsys):
    case = write_field(tmp_path, f"samples = 8\n{NORMAL_T}", years=1)
    out = tmp_path / "u.nc"

    def run(*extra):
        assert main(["uncertainty", str(case), "-q", "-j", "1", "-o", str(out), *extra]) == 0
        return capsys.readouterr().out

    assert "8 of 8 samples done (0 reused" in run()
    first = _result_values(out)
    files = sorted((tmp_path / "u.samples").glob("*.json"))
    assert len(files) == 8
    stamps = [f.stat().st_mtime_ns for f in files]
    # again: nothing runs, the same result; more samples: the first 8 are reused
    assert "8 of 8 samples done (8 reused" in run()
    xr.testing.assert_identical(first, _result_values(out))
    assert [f.stat().st_mtime_ns for f in files] == stamps
    assert "16 of 16 samples done (8 reused" in run("-n", "16")
    # a damaged per-sample file runs again; so does every sample when the load file changes
    files[0].write_text(files[0].read_text().replace("0", "1", 1))
    assert "8 of 8 samples done (7 reused" in run()
    load = tmp_path / "load.csv"
    load.write_text(load.read_text().replace("10.000000,0.000000", "10.500000,0.000000"))
    assert "8 of 8 samples done (0 reused" in run()
    # --force runs them all again, with the same result
    assert "8 of 8 samples done (0 reused" in run("--force")


# ---------------------------------------------------------------------------- (d) messages


def test_uncertainty_table_problems_are_reported_like_every_field(tmp_path, capsys):
    bad = "\n".join(
        [
            "samples = 100",
            'method = "random"',
            '"borefield.ground.conductivity_WmK" = { dist = "normal", mean = 2.2, sd = 0.2 }',
            '"borefield.n_x" = { dist = "uniform", low = 2, high = 4 }',
            '"borefield.ground.T_undisturbed_C" = { dist = "normal", mean = 10, sd = 0 }',
            '"borefield.grout.conductivity_W_mK" = { dist = "triangular", low = 1.4, mode = 2.2, '
            "high = 2.0 }",
            '"borefield.length_m" = { dist = "uniform", low = 120, high = 80 }',
            '"borefield.pipes.conductivity_W_mK" = { dist = "normal", mean = 0.4, sd = 0.2 }',
            '"district.heating_scale" = { dist = "normal", mean = 1, sd = 0.1 }',
            '"ground_load.scale" = { dist = "gauss", mean = 1, sd = 0.1 }',
            '"borefield.radius_m" = { dist = "normal", mean = 0.07, sigma = 0.01 }',
        ]
    )
    case = write_field(tmp_path, bad)
    assert main(["check", str(case)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    expected = [
        "uncertainty.samples: 100 — a power of two from 2 to 1048576 (e.g. 64 or 128)",
        "uncertainty.method: 'random' — 'sobol'",
        'uncertainty."borefield.ground.conductivity_WmK": '
        "'borefield.ground.conductivity_WmK' — unknown case-file field; did you mean "
        "'borefield.ground.conductivity_W_mK'?",
        "uncertainty.\"borefield.n_x\": 'borefield.n_x' — a number field (a real value with a "
        "range); this one is a whole number",
        'uncertainty."borefield.ground.T_undisturbed_C".sd: 0 — a standard deviation > 0',
        'uncertainty."borefield.grout.conductivity_W_mK".mode: 2.2 — within [low, high] = [1.4, 2]',
        'uncertainty."borefield.length_m".low: 120 — below high (80)',
        "uncertainty.\"borefield.pipes.conductivity_W_mK\": 'normal(mean=0.4, sd=0.2)' — a "
        "distribution within the field's allowed range",
        'use dist = "truncnormal" with low and high',
        'uncertainty."district.heating_scale"',
        "a field of a borefield-only case",
        "uncertainty.\"ground_load.scale\".dist: 'gauss' — one of 'normal' (mean, sd)",
        'uncertainty."borefield.radius_m".sigma: 0.01 — unknown parameter',
        'uncertainty."borefield.radius_m".sd: missing — required by normal (mean, sd)',
    ]
    for text in expected:
        assert text in err, (text, err)
    assert "12 problems" in err, err
    # the loader says the same through the API, each problem once
    with pytest.raises(InputError) as info:
        gshp.load_case(case)
    assert len(info.value.problems) == 12


def test_a_valid_table_loads_outside_the_deterministic_case(tmp_path, capsys):
    unc = (
        f"samples = 32\nseed = 9\n{NORMAL_T}\n"
        '"borefield.grout.conductivity_W_mK" = { dist = "triangular", low = 1.4, '
        "mode = 1.8, high = 2.0 }\n"
        '"borefield.ground.conductivity_W_mK" = { dist = "truncnormal", mean = 2.2, '
        "sd = 0.3, low = 1.5, high = 3.0 }"
    )
    path = write_field(tmp_path, unc)
    assert main(["check", str(path)]) == 0, capsys.readouterr().err
    case = gshp.load_case(path)
    spec = case.uncertainty
    assert (spec.samples, spec.seed, spec.method) == (32, 9, "sobol")
    assert spec.paths == (
        "borefield.ground.T_undisturbed_C",
        "borefield.grout.conductivity_W_mK",
        "borefield.ground.conductivity_W_mK",
    )
    assert spec.variables[2].params == dict(mean=2.2, sd=0.3, low=1.5, high=3.0)
    X = sample_matrix(spec)
    assert X[:, 1].min() >= 1.4 and X[:, 1].max() <= 2.0
    assert X[:, 2].min() >= 1.5 and X[:, 2].max() <= 3.0
    # not part of the deterministic case: the same hash and dict as without the table
    plain = tmp_path / "plain.toml"
    plain.write_text(path.read_text().split("[uncertainty]")[0], encoding="utf-8")
    assert case_hash(case) == case_hash(gshp.load_case(plain))
    assert "uncertainty" not in case.to_dict()
    # a replaced case keeps its table; one without it has none
    assert case.replace(years=1).uncertainty == spec
    assert gshp.load_case(plain).uncertainty is None
    # the lognormal's mean and sd are those of the variable itself
    from gshp.config.uncertainty import Variable

    v = Variable("x", "lognormal", dict(mean=2.2, sd=0.3))
    assert v.frozen().mean() == pytest.approx(2.2) and v.frozen().std() == pytest.approx(0.3)


def test_no_uncertainty_table_and_bad_options_exit_2(tmp_path, capsys):
    case = write_field(tmp_path, NORMAL_T)
    plain = tmp_path / "plain.toml"
    plain.write_text(case.read_text().split("[uncertainty]")[0], encoding="utf-8")
    assert main(["uncertainty", str(plain), "-o", str(tmp_path / "u.nc")]) == 2
    err = capsys.readouterr().err
    assert "uncertainty: 'no [uncertainty] table' — an [uncertainty] table in" in err
    assert main(["uncertainty", str(case), "-n", "100"]) == 2
    assert "--samples: 100 — a power of two" in capsys.readouterr().err
    assert main(["uncertainty", str(case), "-o", str(tmp_path / "u.txt")]) == 2
    assert "--output: " in capsys.readouterr().err


# ---------------------------------------------------------------------------- scales


def test_heating_scale_raises_the_yearly_heating_demand_by_its_factor(tmp_path):
    """district.heating_scale = 1.1: the buildings' yearly space heating demand is 10 %
    higher (gshp loads, the path a user takes), cooling and DHW unchanged; the station
    gets the scaled arrays."""
    from gshp.station.prepare import district_arrays

    base = (ROOT / "cases" / "berlin.toml").read_text()
    sums = {}
    for label, scale in (("one", ""), ("more", "heating_scale = 1.1\ndhw_scale = 0.5\n")):
        folder = tmp_path / label
        folder.mkdir()
        text = (
            base.replace("[district]\n", f"[district]\n{scale}")
            if "[district]\n" in base
            else base + f"\n[district]\n{scale}"
        )
        path = folder / "berlin.toml"
        path.write_text(text, encoding="utf-8")
        assert main(["loads", str(path), "-o", str(folder)]) == 0
        ds = xr.open_dataset(folder / "berlin_loads.nc", engine="h5netcdf")
        sums[label] = {
            v: float(ds[v].sum()) for v in ("Q_space_heating", "Q_space_cooling", "Q_dhw")
        }
        arrays, _, _ = district_arrays(gshp.load_case(path))
        sums[label]["q_sh"] = float(arrays["q_sh"].sum())
    one, more = sums["one"], sums["more"]
    assert more["Q_space_heating"] / one["Q_space_heating"] == pytest.approx(1.1, rel=1e-12)
    assert more["q_sh"] / one["q_sh"] == pytest.approx(1.1, rel=1e-12)
    assert more["Q_dhw"] / one["Q_dhw"] == pytest.approx(0.5, rel=1e-12)
    assert more["Q_space_cooling"] == one["Q_space_cooling"]


def test_scale_factors_are_checked(tmp_path, capsys):
    base = (ROOT / "cases" / "berlin.toml").read_text()
    path = tmp_path / "c.toml"
    path.write_text(
        base + "\n[district]\ncooling_scale = 6\n"
        if "[district]" not in base
        else base.replace("[district]\n", "[district]\ncooling_scale = 6\n")
    )
    assert main(["check", str(path)]) == 2
    assert "district.cooling_scale: 6 — a number in [0, 5]" in capsys.readouterr().err


# ---------------------------------------------------------------------------- (e) CLI


def test_cli_writes_the_result_and_the_fan_chart_and_report_reads_them(tmp_path, capsys):
    sizing = '[sizing]\ncriterion = "inlet"\nT_fluid_min_C = 2.0\n'
    unc = (
        f"samples = 16\n{NORMAL_T}\n"
        '"ground_load.scale" = { dist = "uniform", low = 0.9, high = 1.1 }'
    )
    case = write_field(tmp_path, unc, sizing=sizing)
    out = tmp_path / "res" / "u.nc"
    assert main(["uncertainty", str(case), "-q", "-j", "1", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| indicator | unit | P10 | P50 | P90 |" in text
    assert "| T_fluid_min (year 2) | °C |" in text
    assert "within the [sizing] limits in" in text
    fan = tmp_path / "res" / "u_fan.png"
    assert fan.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ds = open_result(out)
    assert ds.sizes == {"sample": 16, "year": 2, "quantile": 3}
    t_u = ds["borefield.ground.T_undisturbed_C"]
    assert t_u.dims == ("sample",) and t_u.attrs["path"] == "borefield.ground.T_undisturbed_C"
    assert t_u.attrs["distribution"] == "normal" and t_u.attrs["units"] == "degC"
    for name in ("T_fluid_min", "T_fluid_max", "T_criterion_min", "T_criterion_max", "electricity"):
        assert ds[name].dims == ("sample", "year"), name
        np.testing.assert_allclose(
            ds[f"{name}_quantile"].values, np.quantile(ds[name].values, [0.1, 0.5, 0.9], axis=0)
        )
    assert ds["T_criterion_min"].attrs["criterion"] == "inlet"
    # the inlet is colder than the mean fluid in heating
    assert np.all(ds["T_criterion_min"].values < ds["T_fluid_min"].values)
    assert ds["ground_drift"].dims == ("sample",) and ds["ground_drift"].attrs["units"] == "K"
    assert "scop" not in ds  # a borefield-only case: no heat pump
    assert ds["electricity"].attrs["gshp_source"] == "E_pump_borefield"
    hold = ds["limits_hold"].values
    assert set(hold) <= {0, 1}
    lowest = ds["T_criterion_min"].min("year").values
    np.testing.assert_array_equal(hold == 1, lowest >= 2.0)
    assert ds.attrs["Conventions"] == "CF-1.8" and ds.attrs["sampling_method"] == "sobol"
    assert json.loads(ds.attrs["uncertainty"])["samples"] == 16
    # gshp report of it: the fan chart, the quantile table, the HTML report
    assert main(["report", str(out), "-o", str(tmp_path / "rep")]) == 0
    assert "| T_fluid_min (year 2) | °C |" in capsys.readouterr().out
    assert (tmp_path / "rep" / "fan_chart.png").read_bytes()[:4] == b"\x89PNG"
    html = (tmp_path / "rep" / "report.html").read_text()
    assert "Fan chart" in html and "borefield.ground.T_undisturbed_C" in html


def test_a_failed_sample_is_reported_and_left_out_of_the_quantiles(tmp_path):
    case = gshp.load_case(write_field(tmp_path, f"samples = 8\n{NORMAL_T}", years=1))

    def flaky(c, progress=None):
        if c.name.endswith("_s0003"):
            raise FloatingPointError("non-finite T_bhe_out at step 12")
        return gshp.simulate(c, progress=progress)

    X = sample_matrix(case.uncertainty)
    ds = run_samples(case, case.uncertainty.paths, X, spec=case.uncertainty, simulate_fn=flaky)
    assert list(ds["sample_ok"].values) == [1, 1, 1, 0, 1, 1, 1, 1]
    assert np.isnan(ds["T_fluid_min"].values[3]).all()
    ok = np.delete(ds["T_fluid_min"].values, 3, axis=0)
    np.testing.assert_array_equal(
        ds["T_fluid_min_quantile"].values, np.quantile(ok, [0.1, 0.5, 0.9], axis=0)
    )
    failed = json.loads(ds.attrs["failed_samples"])
    assert failed == [{"name": "field_s0003", "error": "FloatingPointError: non-finite "
                       "T_bhe_out at step 12"}]  # fmt: skip
    from gshp.studies.uncertainty import AllSamplesFailed

    def broken(c, progress=None):
        raise FloatingPointError("always")

    with pytest.raises(AllSamplesFailed, match="all 8 samples failed; the first one: "):
        run_samples(case, case.uncertainty.paths, X, simulate_fn=broken)


def test_cli_sensitivity_writes_indices_and_charts(tmp_path, capsys):
    """``gshp uncertainty --sensitivity``: SALib's design on the same runner; the indices of
    the last year's minimum fluid temperature; a constant response is said, not analysed."""
    import numpy as np
    import xarray as xr
    from test_borefield_only import annual, write_case, write_load

    ext, inj = annual(8.0, 2.0)
    write_load(tmp_path / "load.csv", ext, inj)
    case = write_case(tmp_path, years=2, n_x=2, n_y=2, extra="""
[uncertainty]
samples = 32
"borefield.ground.T_undisturbed_C" = { dist = "uniform", low = 9.0, high = 11.0 }
"ground_load.scale" = { dist = "uniform", low = 0.8, high = 1.2 }
""")  # fmt: skip
    out = tmp_path / "u.nc"
    assert main(["uncertainty", str(case), "--sensitivity", "morris", "-j", "1", "-q",
                 "-o", str(out)]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "electricity_lifetime: the same in every run" in text  # pump always on
    with xr.open_dataset(tmp_path / "u_morris_indices.nc") as ds:
        mu = ds["T_fluid_min_last_year_mu_star"].values
        paths = list(ds["input"].values)
    # T_undisturbed moves the fluid 1:1: a step of half its range (1 K) is 1 K
    assert mu[paths.index("borefield.ground.T_undisturbed_C")] == pytest.approx(1.0, rel=0.02)
    assert np.all(mu > 0)
    assert (tmp_path / "u_morris_T_fluid_min_last_year.png").stat().st_size > 10_000
