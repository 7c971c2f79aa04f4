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
}  # fmt: skip


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs(script, tmp_path):
    env = dict(os.environ, GSHP_EXAMPLE_YEARS="1", MPLBACKEND="Agg")
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
