"""The dry cooler (gshp/station/components/dry_cooler.py): off by default, runs only when
the borefield loop is free and the air warm enough, conserves energy, regenerates the
ground, and its electricity is counted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gshp.cli import main
from gshp.config import load_case
from gshp.station.components import dry_cooler
from gshp.station.components.borefield import exchanger_loop
from gshp.studies.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
VARS = [v.name for v in dry_cooler.OUTPUTS + dry_cooler.YEARLY]


def _helsinki(**over):
    base = {"simulation.years": 2, "network.model": "lumped"}
    return load_case(ROOT / "cases" / "helsinki.toml").replace(**base, **over)


@pytest.fixture(scope="module")
def runs():
    """Helsinki (heating-dominated), two years at every step, with and without a cooler."""
    over = {"simulation.output_resolution": "step"}
    off = simulate(_helsinki(**over), keep_implausible=True)
    on = simulate(_helsinki(**over, **{"dry_cooler.enabled": True}), keep_implausible=True)
    return off, on


def test_off_by_default_reports_nothing(runs):
    off, _ = runs
    assert load_case(ROOT / "cases" / "helsinki.toml").dry_cooler.enabled is False
    assert not set(VARS) & set(off.data_vars)


def test_runs_only_in_its_months_with_the_loop_free_and_warm_air(runs):
    _, on = runs
    run = on.dry_cooler_on_fraction.values > 0.5
    assert run.sum() > 1000  # it does run in a Helsinki summer
    months = on.time.dt.month.values[run]
    assert set(np.unique(months)) <= {5, 6, 7, 8, 9}
    busy = (on.gshp_on_fraction.values + on.bypass_on_fraction.values)[run]
    assert np.all(busy == 0.0)  # the loop is free
    assert float(on.P_dry_cooler.values[run].min()) == pytest.approx(1500.0)
    assert np.all(on.P_dry_cooler.values[~run] == 0.0)


def test_its_heat_goes_into_the_ground_and_the_balance_closes(runs):
    _, on = runs
    run = on.dry_cooler_on_fraction.values > 0.5
    q_dc = on.Q_dry_cooler.values[run]
    assert np.all(q_dc > 0.0)  # warm air heats the fluid
    # with the GSHP and bypass off, the ground takes exactly what the cooler gave the fluid
    np.testing.assert_allclose(-on.Q_ground.values[run], q_dc, rtol=1e-9)
    assert float(on.energy_balance_closure) < 1e-9
    yearly = on.Q_dry_cooler.values.reshape(2, -1).sum(axis=1) * 180.0 / 3.6e6
    np.testing.assert_allclose(on.Q_dry_cooler_year.values, yearly, rtol=1e-9)


def test_it_regenerates_the_field_and_its_electricity_is_counted(runs):
    off, on = runs
    assert float(on.Q_ground_injected[-1]) > float(off.Q_ground_injected[-1]) + 1000.0
    assert float(on.T_borehole_wall_mean[-1]) > float(off.T_borehole_wall_mean[-1])
    assert float(on.T_bhe_out_min[-1]) > float(off.T_bhe_out_min[-1])
    parts = on.E_gshp + on.E_boosters + on.E_pumps + on.E_dry_cooler
    np.testing.assert_allclose(on.E_total.values, parts.values, rtol=1e-12)
    assert float(on.E_dry_cooler.min()) > 0.0


def test_exchanger_loop_closes_both_equations():
    for a, b, eps, T_air in [(5.0, 0.3, 0.6, 22.0), (8.0, 0.0, 1.0, 18.0), (2.0, 0.9, 0.1, 30.0)]:
        T_in, T_out = exchanger_loop(a, b, eps, T_air)
        assert T_out == pytest.approx(a + b * T_in, abs=1e-12)
        assert T_in == pytest.approx(T_out + eps * (T_air - T_out), abs=1e-12)
    # the ground's outlet independent of the inlet (b = 0): the cooler heats it by ε·ΔT
    T_in, T_out = exchanger_loop(6.0, 0.0, 0.5, 20.0)
    assert (T_out, T_in) == (6.0, 13.0)


def _params(**over):
    n = 35040
    kw = dict(
        enabled=True, eps=0.5, P_fan=1000.0, on_dT=4.0, off_dT=1.5, T_air_min=12.0,
        T_fluid_max=20.0, min_on_s=0.0, min_off_s=0.0, allowed=np.ones(n),
        T_air=np.full(n, 20.0),
    )  # fmt: skip
    kw.update(over)
    return dry_cooler.Params(**kw)


def test_control_rule_hysteresis_months_and_limits():
    s = dry_cooler.State(on=np.zeros(1), t=np.array([1e30]))
    p = _params()
    assert dry_cooler.wants_to_run(p, s, 0, 180.0, True, 15.0)  # 5 K warmer: starts
    assert dry_cooler.wants_to_run(p, s, 0, 180.0, True, 17.0)  # 3 K: keeps running
    assert not dry_cooler.wants_to_run(p, s, 0, 180.0, True, 19.0)  # 1 K: stops
    assert not dry_cooler.wants_to_run(p, s, 0, 180.0, True, 17.0)  # 3 K: does not restart
    assert not dry_cooler.wants_to_run(p, s, 0, 180.0, False, 10.0)  # loop busy
    assert not dry_cooler.wants_to_run(_params(allowed=np.zeros(35040)), s, 0, 180.0, True, 10.0)
    cold_air = _params(T_air=np.full(35040, 10.0))
    assert not dry_cooler.wants_to_run(cold_air, s, 0, 180.0, True, 2.0)  # air below 12 °C
    assert not dry_cooler.wants_to_run(_params(T_fluid_max=9.0), s, 0, 180.0, True, 10.0)


def test_minimum_run_time_holds():
    s = dry_cooler.State(on=np.zeros(1), t=np.array([1e30]))
    p = _params(min_on_s=900.0)
    assert dry_cooler.wants_to_run(p, s, 0, 180.0, True, 15.0)
    assert dry_cooler.wants_to_run(p, s, 0, 180.0, True, 19.9)  # below off_dT, but held on


def test_bad_section_is_one_message_with_exit_2(tmp_path, capsys):
    text = (ROOT / "cases" / "helsinki.toml").read_text()
    case = tmp_path / "dc.toml"
    case.write_text(text + "\n[dry_cooler]\nenabled = true\non_dT_K = 1.0\noff_dT_K = 3.0\n")
    assert main(["check", str(case)]) == 2
    err = capsys.readouterr().err
    assert "dry_cooler.off_dT_K" in err and "on_dT_K" in err
