"""The scripts in examples/ run as a user would run them (short: one simulated year)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = {
    "design_study.py": ["fluid_envelope.png", "load_duration.png", "supply_setpoint.png",
                        "summary.md"],
    "sweep_charts.py": ["sweep_borefield_n_x.png", "sweep_climate.png", "fluid_envelope.png"],
    "sizing_envelope.py": ["fluid_envelope.png", "sized_case.toml"],
    "p90_sizing.py": ["p90_sizing.png"],
}  # fmt: skip


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs(script, tmp_path):
    env = dict(os.environ, GSHP_EXAMPLE_YEARS="1", GSHP_EXAMPLE_SAMPLES="4", MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, str(ROOT / "examples" / script), str(tmp_path / "out")]
    r = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    for name in EXPECTED[script]:
        f = tmp_path / "out" / name
        assert f.is_file() and f.stat().st_size > 1000, name
    if script == "sizing_envelope.py":  # the sized design holds its limits
        import gshp

        case = gshp.load_case(tmp_path / "out" / "sized_case.toml")
        assert case.simulation.years == 1
        assert "limits 0 … 17 °C" in r.stdout
        lo, hi = r.stdout.split("outlet ")[1].split(" °C")[0].split(" … ")
        assert float(lo) >= 0.0 and float(hi) <= 17.0
    if script == "p90_sizing.py":  # P90 at least the deterministic length, P50 below P90
        lines = r.stdout.splitlines()
        det = float(
            next(x for x in lines if x.startswith("deterministic")).split(":")[1].split()[0]
        )
        p50 = float(next(x for x in lines if x.startswith("P50")).split(":")[1].split()[0])
        p90 = float(r.stdout.split("90 % of 4 samples: ")[1].split(" m per")[0])
        assert p90 >= det and p90 >= p50


# --- examples/borefield_only: a borefield-only case with [sizing] ----------------------

FIELD = ROOT / "examples" / "borefield_only" / "berlin_field.toml"


def test_borefield_only_example_loads_runs_and_sizes(capsys):
    """The example case loads (its ground load is the validation data's copy), runs a
    year, and ``gshp size --vary length --years 2`` on it names its binding point."""
    import json

    import gshp
    from gshp.cli import main

    case = gshp.load_case(FIELD)
    assert case.kind == "borefield" and case.borefield.n_boreholes == 35
    assert (case.sizing.criterion, case.sizing.T_fluid_min_C, case.sizing.T_fluid_max_C) == (
        "mean", 0.0, 25.0,
    )  # fmt: skip
    data = ROOT / "gshp" / "data" / "validation" / "ghetool" / "berlin_ground_load.csv"
    assert case.ground_load.file.read_bytes() == data.read_bytes()
    ds = gshp.simulate(case, years=1)
    assert ds.attrs["case_kind"] == "borefield" and ds.sizes["time"] == 8760
    assert float(ds["Q_ground_extracted"][0]) / 1e3 == pytest.approx(222.1, abs=0.1)  # MWh
    assert 0.5 < float(ds["T_fluid_mean_hourly_min"].min()) < 1.5  # README: 1.06 °C
    assert main(["size", str(FIELD), "--vary", "length", "--years", "2", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["binding_constraint"] == "min_fluid_temperature"
    assert res["binding_year"] in (1, 2) and 1 <= res["binding_month"] <= 12
    assert 0.0 <= res["binding_margin"] < 0.2
    assert res["smaller"]["margin"] < 0 and res["limits"]["criterion"] == "mean"
    assert 20 <= res["length_m"] < 100  # two years need less than the 20-year 143 m
