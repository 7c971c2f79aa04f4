"""Physically impossible results that used to be written with exit code 0 (issue 25,
items 5–7): real one-year cases run through `gshp.simulate` or the command line fail
with a message naming the cause."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gshp.config import load_case
from gshp.io import plausibility as pl
from gshp.physics.heatpump import MAPS_DIR
from gshp.studies.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
BERLIN = ROOT / "cases" / "berlin.toml"
FAST = {"simulation.years": 1, "simulation.time_step_s": 900}


def fails(over: dict) -> tuple[str, list[str]]:
    """The failure message and reasons of Berlin, one year, with ``over``."""
    case = load_case(BERLIN).replace(**FAST, **over)
    with pytest.raises(pl.ImplausibleResult) as exc:
        simulate(case)
    return str(exc.value), json.loads(exc.value.dataset.attrs["implausible_reasons"])


def test_pipes_of_1_mm_fail_on_velocity_and_pump_power(tmp_path):
    """Item 5: a pipe CSV with 1 mm / 2 mm diameters gave a network pump of 2e13 W."""
    rows = ["id,upstream,downstream,length_m,buildings,inner_diameter_m,outer_diameter_m"]
    nodes = ["plant"] + [f"N{i}" for i in range(1, 8)]
    for i in range(7):
        rows.append(f"P{i + 1},{nodes[i]},{nodes[i + 1]},{90 if i == 0 else 60},1,0.001,0.002")
    (tmp_path / "pipes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    msg, reasons = fails({"network.pipes_file": str(tmp_path / "pipes.csv")})
    velocity = [r for r in reasons if r.startswith("network pipe P1: velocity")]
    pump = [r for r in reasons if r.startswith("network pump design power")]
    assert velocity and "≤ 5 m/s" in velocity[0] and "mm labelled m" in velocity[0]
    assert pump and "0.25 ×" in pump[0]
    power = float(pump[0].split("power ")[1].split(" W")[0])
    assert power > 1e12  # the 1e13 W pump of the issue, now refused


def test_compressor_map_in_btu_per_hour_declared_as_watts_fails_on_carnot(tmp_path):
    """Item 6: capacity in Btu/h read as W gave SCOP 17.2, above the Carnot COP."""
    text = (MAPS_DIR / "copeland_zh45k4e_r134a.toml").read_text(encoding="utf-8")
    assert 'capacity = "Btu/h"' in text
    bad = tmp_path / "btu_as_w.toml"
    bad.write_text(text.replace('capacity = "Btu/h"', 'capacity = "W"'), encoding="utf-8")
    msg, reasons = fails({"heat_pump.compressor": str(bad)})
    (cop,) = [r for r in reasons if r.startswith("COP = ")]
    assert "0.75 × the Carnot COP" in cop and "Btu/h declared as W" in cop
    shown = float(cop.split("COP = ")[1].split()[0])
    carnot = float(cop.split("Carnot COP ")[1].split()[0])
    assert shown > 0.75 * carnot and shown > 10


@pytest.mark.parametrize(
    "over",
    [
        {"borefield.ground.conductivity_W_mK": 0.1},
        {"borefield.ground.T_undisturbed_C": -40.0},
    ],
)
def test_brine_below_its_freezing_point_fails(over):
    """Item 7: brine at −36 °C (MPG 30 % freezes at −12.8 °C) was a warning only."""
    msg, reasons = fails(over)
    (frz,) = [r for r in reasons if r.startswith("freezing_steps = ")]
    assert "below its freezing point (-12.8 °C)" in frz
    assert "borefield.fluid.max_freezing_steps_pct" in frz and "≤ 0.1 %" in frz
    share = float(frz.split(" in ")[2].split(" %")[0])
    assert share > 10.0
    assert "T_undisturbed_C far too low" in frz


def test_freezing_share_limit_is_a_case_field(tmp_path):
    """A short dip below the freezing point is allowed up to the case's share."""
    case = load_case(BERLIN).replace(
        **FAST,
        **{
            "borefield.ground.conductivity_W_mK": 0.1,
            "borefield.fluid.max_freezing_steps_pct": 100.0,
        },  # fmt: skip
    )
    ds = simulate(case, keep_implausible=True)
    reasons = json.loads(ds.attrs["implausible_reasons"])
    assert not [r for r in reasons if r.startswith("freezing_steps")]
    assert int(ds.freezing_steps.sum()) > 0


def test_reference_case_passes_the_new_checks():
    ds = simulate(load_case(BERLIN).replace(**FAST))
    assert "implausible" not in ds.attrs
    assert pl.cop_problems(ds, share_max=0.45) == []  # real: about 0.3 of Carnot
    assert pl.hydraulic_problems(ds) == []


def test_cli_run_of_a_frozen_borefield_fails_without_a_file(tmp_path):
    text = BERLIN.read_text(encoding="utf-8")
    assert "T_undisturbed_C = 9.8 " in text
    case = tmp_path / "cold.toml"
    case.write_text(
        text.replace('name = "berlin"', 'name = "cold"').replace(
            "T_undisturbed_C = 9.8 ", "T_undisturbed_C = -40 "
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, "-m", "gshp.cli", "run", str(case), "--years", "1", "-q",
         "-o", str(tmp_path / "out")],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert "cold: FAILED: implausible result of case cold" in r.stderr
    # the guard names the freezing (before: only a warning beside other problems)
    assert "of the borefield pump's running steps" in r.stderr
    assert "borefield.fluid.max_freezing_steps_pct" in r.stderr
    assert not (tmp_path / "out" / "cold.nc").exists()
