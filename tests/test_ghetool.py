"""GHEtool side by side: the driver, the side script and the Ahmadfard & Bernier data.

The tests that run GHEtool need its interpreter (``GSHP_GHETOOL_PYTHON``, see
docs/validation/README.md); they skip without it. The others run everywhere.
"""

from __future__ import annotations

import csv
import math
import sys
import tomllib

import numpy as np
import pytest

import gshp.validation as V
from gshp.cli import main
from gshp.errors import InputError
from gshp.validation import ghetool as G

HOURS = 8760


def small_field(ext_kW=0.0, inj_kW=0.0, T_g=10.0) -> dict:
    """2 × 2 boreholes, one year; extraction the first 120 days, injection days 180–250."""
    day = np.arange(HOURS) // 24
    return {
        "field": {"n_x": 2, "n_y": 2, "spacing_m": 6.0, "H_m": 100.0, "D_m": 4.0,
                  "r_b_m": 0.075},
        "ground": {"k_s_W_mK": 1.8, "volumetric_heat_capacity_J_m3K": 2.0736e6, "T_g_C": T_g},
        "R_b_mK_W": 0.13,
        "load": {"extraction_kW": np.where(day < 120, ext_kW, 0.0),
                 "injection_kW": np.where((day > 180) & (day < 250), inj_kW, 0.0)},
        "years": 1,
        "limits": {"Tf_min_C": 0.0, "Tf_max_C": 25.0},
    }  # fmt: skip


@pytest.fixture(scope="module")
def ghetool_python():
    try:
        py = G.find_interpreter()
    except Exception as exc:  # noqa: BLE001 - a bad GSHP_GHETOOL_PYTHON: say so, skip
        pytest.skip(f"GHEtool interpreter: {exc}")
    if py is None:
        pytest.skip(f"no GHEtool interpreter: set {G.ENV_VAR} (see {G.SETUP_DOC})")
    return py


# --- with GHEtool --------------------------------------------------------------------


def test_zero_load_keeps_the_fluid_at_the_ground_temperature(ghetool_python):
    a = G.run_ghetool("temperatures", small_field(T_g=11.5), python=ghetool_python)
    assert a["ok"] and a["hours"] == HOURS and a["years"] == 1
    assert a["Tf_min_C"] == pytest.approx(11.5, abs=1e-9)
    assert a["Tf_max_C"] == pytest.approx(11.5, abs=1e-9)
    assert np.allclose(a["monthly"]["Tb_mean_C"], 11.5)


def test_extraction_cools_and_injection_warms_the_fluid(ghetool_python):
    p = {**small_field(ext_kW=20.0, inj_kW=15.0), "return_hourly": True}
    a = G.run_ghetool("temperatures", p, python=ghetool_python)
    Tf = np.asarray(a["Tf_C"])
    assert Tf.shape == (HOURS,)
    assert Tf[: 100 * 24].max() < 10.0 < Tf[200 * 24 : 240 * 24].min()
    # monthly extremes are those of the hourly series
    lo = np.asarray(a["monthly"]["Tf_min_C"])
    assert lo.shape == (1, 12) and lo.min() == pytest.approx(Tf.min())


def test_sized_length_grows_with_the_load(ghetool_python):
    a1 = G.run_ghetool("size", small_field(ext_kW=20.0, inj_kW=10.0), python=ghetool_python)
    a2 = G.run_ghetool("size", small_field(ext_kW=40.0, inj_kW=20.0), python=ghetool_python)
    assert a1["binding_limit"] == "min"
    assert a1["Tf_min_C"] == pytest.approx(0.0, abs=0.1)  # the limit binds at that length
    assert 1.5 * a1["length_m"] < a2["length_m"] < 2.5 * a1["length_m"]


# --- everywhere ----------------------------------------------------------------------


def test_bad_input_comes_back_as_one_message():
    # the side script checks its input before importing GHEtool: gshp's own Python will do
    p = small_field()
    p["load"]["extraction_kW"] = np.zeros(100)
    with pytest.raises(G.GhetoolError) as e:
        G.run_ghetool("size", p, python=sys.executable)
    msg = str(e.value)
    assert "load.extraction_kW: 100 values, allowed 8760" in msg and "\n" not in msg


def test_ghetool_failure_and_timeout_are_one_message(tmp_path):
    # an interpreter without GHEtool: GHEtool's import error as one line
    with pytest.raises(G.GhetoolError, match=r"GHEtool failed: ModuleNotFoundError"):
        G.run_ghetool("size", small_field(ext_kW=1.0), python=sys.executable)
    slow = tmp_path / "slow-python"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    with pytest.raises(G.GhetoolError, match=r"no answer within 0.5 s"):
        G.run_ghetool("size", small_field(), python=str(slow), timeout=0.5)


def test_validate_without_ghetool_skips_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(G.ENV_VAR, raising=False)
    monkeypatch.setattr(G.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(V.run, "QUICK", ("ghetool",))
    rc = main(["validate", "--quick", "-q", "-o", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0
    skipped = [ln for ln in out.splitlines() if "GHEtool" in ln]
    assert skipped == [G.SKIP_LINE]
    assert G.SKIP_LINE in (tmp_path / "validation.md").read_text(encoding="utf-8")


def test_bad_ghetool_python_is_an_input_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    rc = main(["validate", "--quick", "-q", "-o", "out", "--ghetool-python", "no-such-python"])
    err = capsys.readouterr().err
    assert rc == 2 and "--ghetool-python: 'no-such-python'" in err
    assert not (tmp_path / "out" / "validation.md").exists()  # failed before any check ran


def test_env_var_names_the_interpreter(tmp_path, monkeypatch):
    monkeypatch.setenv(G.ENV_VAR, sys.executable)
    assert G.find_interpreter() == sys.executable
    monkeypatch.setenv(G.ENV_VAR, str(tmp_path / "nope"))
    with pytest.raises(InputError, match=G.ENV_VAR):
        G.find_interpreter()


# --- the Ahmadfard & Bernier (2019) data -----------------------------------------------


@pytest.mark.parametrize("key", ["test1a", "test1b", "test2", "test3", "test4"])
def test_benchmark_case_load_and_published_lengths(key):
    b = G.benchmark()[key]
    d = G.benchmark_dir()
    case = tomllib.loads(d.joinpath(f"{key}.toml").read_text(encoding="utf-8"))
    assert case["kind"] == "borefield"
    assert case["simulation"]["years"] == b["years"]
    assert case["borefield"]["R_b_override_mK_W"] == b["R_b_mK_W"]
    assert case["borefield"]["n_x"] * case["borefield"]["n_y"] == (
        b["field"]["n_x"] * b["field"]["n_y"]
    )
    gl = case["ground_load"]
    rows = list(csv.DictReader(d.joinpath(gl["file"]).read_text().splitlines()))
    assert len(rows) == HOURS
    ext = np.array([float(r[gl["extraction_column"]]) for r in rows])
    inj = np.array([float(r[gl["injection_column"]]) for r in rows])
    assert ext.min() >= 0 and inj.min() >= 0
    assert ext.sum() / 1000 == pytest.approx(b["annual_extraction_MWh"])
    assert inj.max() == pytest.approx(b["peak_injection_kW"])
    t = b["tools_length_m"]
    assert 40 < t["min"] <= t["mean"] <= t["max"] < 140 and t["n"] >= 12
    assert t["min"] * 0.95 < b["ghetool_L4_repo_m"] < t["max"]
    # the mean-fluid limits widen the outlet limits by half the peak ΔT
    lo, hi = b["limits_mean_fluid_C"]["min"], b["limits_mean_fluid_C"]["max"]
    assert math.isclose(hi - lo, b["limits_outlet_C"]["max"] - b["limits_outlet_C"]["min"]
                        + b["peak_dT_K"])  # fmt: skip


def test_benchmark_matches_ghetool_repository(ghetool_python):
    a = G.run_ghetool("size", G.benchmark_payload("test1a"), python=ghetool_python)
    repo = G.benchmark()["test1a"]["ghetool_L4_repo_m"]
    assert a["length_m"] == pytest.approx(repo, rel=1e-3)


def test_payload_from_a_gshp_borefield():
    from gshp.config import load_case

    bf = load_case(G.Path(__file__).resolve().parents[1] / "cases" / "berlin.toml").borefield
    ext, inj = np.full(HOURS, 5.0), np.zeros(HOURS)
    with pytest.raises(InputError, match="borefield.R_b_override_mK_W"):
        G.payload_from_borefield(bf, ext, inj, 2, -2.0, 30.0)
    p = G.payload_from_borefield(bf, ext, inj, 2, -2.0, 30.0, R_b_mK_W=0.1)
    assert p["field"] == {
        "n_x": bf.n_x,
        "n_y": bf.n_y,
        "spacing_m": bf.spacing_m,
        "H_m": bf.length_m,
        "D_m": bf.buried_depth_m,
        "r_b_m": bf.radius_m,
    }
    assert p["ground"]["T_g_C"] == bf.ground.T_undisturbed_C and p["R_b_mK_W"] == 0.1
    assert p["limits"] == {"Tf_min_C": -2.0, "Tf_max_C": 30.0} and p["years"] == 2
