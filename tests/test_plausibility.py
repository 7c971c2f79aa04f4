"""The plausibility guard: impossible results fail the case with a message naming the
variable, the date, the value and the probable cause (issue 14, item 1)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from gshp.config import load_case
from gshp.io import plausibility as pl
from gshp.io.results import open_result
from gshp.station.assemble import time_axis
from gshp.studies.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
HELSINKI = ROOT / "cases" / "helsinki.toml"
FAST = {"simulation.years": 2, "simulation.time_step_s": 900}
TEMPS = ("T_supply", "T_return", "T_tank_top", "T_tank_bottom", "T_bhe_in", "T_bhe_out",
         "T_borehole_wall")  # fmt: skip


def result_like(n_years=2, **override):
    """A plausible hourly result with the names of a real one."""
    n = 8760 * n_years
    t = np.arange(n)
    data = {name: ("time", 10.0 + 5.0 * np.sin(2 * np.pi * t / 8760)) for name in TEMPS}
    for name in ("T_bhe_out_min", "T_bhe_out_max", "T_bhe_in_min"):
        data[name] = ("year", np.full(n_years, 3.0))
    data["unmet_heat_year"] = ("year", np.full(n_years, 500.0))
    data["unmet_cooling_year"] = ("year", np.full(n_years, 50.0))
    data["energy_balance_closure"] = ((), 1.2e-14)
    ds = xr.Dataset(
        data,
        coords={"time": time_axis("hourly", n, 180.0), "year": np.arange(1, n_years + 1)},
    )
    for name, (index, value) in override.items():
        v = ds[name].values.copy()
        if v.ndim:
            v[index] = value
        else:
            v = np.float64(value)
        ds[name] = (ds[name].dims, v)
    return ds


def test_a_plausible_result_passes():
    assert pl.problems(result_like(), 2e5, 5e4) == []


def test_supply_far_below_freezing_names_variable_date_value_and_cause():
    ds = result_like(T_supply=(8760 + 24 * 66 + 7, -2030.4))  # 8 March, year 2, 07:00
    (msg,) = pl.problems(ds, 2e5, 5e4)
    assert msg.startswith("T_supply = -2030 °C on 2002-03-08 07:00 (year 2)")
    assert "heat pump is too small" in msg and "rated_heating_capacity_kW" in msg


def test_borefield_outlet_of_a_load_in_watts_labelled_kilowatts():
    ds = result_like(T_bhe_out=(5000, 2550.0), T_bhe_out_max=(0, 2550.0))
    found = pl.problems(ds, 2e5, 5e4)
    assert [m.split(" =")[0] for m in found] == ["T_bhe_out", "T_bhe_out_max"]
    assert "in year 1" in found[1]
    assert all("borefield is too small" in m and "W labelled kW" in m for m in found)


def test_cold_return_of_a_large_substation_dT_is_allowed():
    """Return and tank bottom may lie a substation ΔT (≤ 20 K) below a 2 °C setpoint."""
    ds = result_like(T_return=(100, -18.0), T_tank_bottom=(100, -17.0))
    assert pl.problems(ds) == []
    assert pl.problems(result_like(T_supply=(100, -6.0)))[0].startswith("T_supply = -6 °C")


def test_shortfall_larger_than_the_demand():
    ds = result_like(unmet_heat_year=(1, 3.3e7))
    (msg,) = pl.problems(ds, heat_demand_kWh=2.846e5, cooling_demand_kWh=9.6e4)
    assert msg.startswith("unmet_heat_year = 3.3e+07 kWh in year 2: larger than the heat")
    assert "2.846e+05 kWh a year" in msg
    # within the demand (and its tolerance): plausible
    ok = result_like(unmet_heat_year=(1, 2.846e5 * 1.04))
    assert pl.problems(ok, 2.846e5, 9.6e4) == []


@pytest.mark.parametrize("closure, bad", [(1e-14, False), (9e-7, False), (2e-6, True),
                                          (np.nan, True)])  # fmt: skip
def test_energy_balance_residual(closure, bad):
    ds = result_like(energy_balance_closure=(None, closure))
    found = pl.balance_problems(ds)
    assert bool(found) == bad
    if bad:
        assert found[0].startswith("energy_balance_closure") and "probable cause" in found[0]


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(TEMPS),
    index=st.integers(0, 2 * 8760 - 1),
    value=st.one_of(st.floats(-1e6, -50.001), st.floats(150.001, 1e6)),
)
def test_any_impossible_temperature_is_caught(name, index, value):
    found = pl.problems(result_like(**{name: (index, value)}))
    assert len(found) == 1 and found[0].startswith(f"{name} = ")
    assert found[0].split(" on ")[1][:4] in ("2001", "2002")


@settings(max_examples=25, deadline=None)
@given(shift=st.floats(-4.9, 135.0))
def test_any_plausible_temperature_passes(shift):
    ds = result_like()
    for name in TEMPS:
        ds[name] = ds[name] * 0 + shift
    assert pl.temperature_problems(ds) == []


def test_demand_from_the_network_load():
    q = np.array([1000.0, -500.0, 0.0, 2000.0])  # W per 15-min slot
    heat, cool = pl.network_demand_kWh(q, 900.0)
    assert heat == pytest.approx(3000.0 * 0.25 / 1000)
    assert cool == pytest.approx(500.0 * 0.25 / 1000)


# ------------------------------------------------------------------ whole runs


@pytest.mark.parametrize(
    "over, first_var",
    [
        ({"heat_pump.rated_heating_capacity_kW": 60.0}, "T_supply"),  # design 135 kW
        ({"heat_pump.rated_heating_capacity_kW": 5.0}, "T_supply"),
        ({"borefield.n_x": 1, "borefield.n_y": 1, "borefield.length_m": 30.0}, "T_supply"),
    ],
)
def test_undersized_plants_fail(over, first_var):
    case = load_case(HELSINKI).replace(**FAST, **over)
    with pytest.raises(pl.ImplausibleResult) as exc:
        simulate(case)
    msg = str(exc.value)
    assert msg.startswith("implausible result of case helsinki")
    assert f"- {first_var} = " in msg or f": {first_var} = " in msg
    assert "probable cause" in msg
    ds = exc.value.dataset
    assert ds.attrs["implausible"] == 1
    assert json.loads(ds.attrs["implausible_reasons"])[0].startswith(first_var)
    kept = simulate(case, keep_implausible=True)
    assert kept.attrs["implausible"] == 1


def test_one_borehole_of_30_m_names_the_borefield():
    case = load_case(HELSINKI).replace(
        **FAST, **{"borefield.n_x": 1, "borefield.n_y": 1, "borefield.length_m": 30.0}
    )
    ds = simulate(case, keep_implausible=True)
    reasons = json.loads(ds.attrs["implausible_reasons"])
    bhe = [r for r in reasons if r.startswith("T_bhe_out =")]
    assert bhe and "borefield is too small" in bhe[0]


def test_reference_case_is_plausible():
    # lossless network node: the station's setpoint reaches every substation
    ds = simulate(load_case(HELSINKI).replace(**FAST, **{"network.model": "lumped"}))
    assert "implausible" not in ds.attrs
    assert float(ds.supply_deficit_heat_year.max()) < 0.05 * float(ds.Q_network_drawn.min())
    assert float(ds.unmet_heat_year.max()) == 0.0


def test_reference_case_with_pipes_is_plausible_and_its_shortfall_is_the_pipes():
    # buried uninsulated pipes: the far substations get water below the station's
    # setpoint, so part of their heat is missed at the setpoint (bounded by the demand);
    # insulating the pipes brings the shortfall back down
    case = load_case(HELSINKI).replace(**FAST)
    bare = simulate(case)
    assert "implausible" not in bare.attrs
    drawn = float(bare.Q_network_drawn.min())
    assert 0.0 < float(bare.supply_deficit_heat_year.max()) < drawn
    insulated = simulate(case.replace(**{"network.pipe_insulation_thickness_m": 0.05}))
    assert "implausible" not in insulated.attrs
    bare_deficit = float(bare.supply_deficit_heat_year.max())
    assert float(insulated.supply_deficit_heat_year.max()) < 0.5 * bare_deficit


def test_cli_no_file_for_an_implausible_case_unless_kept(tmp_path):
    small = tmp_path / "small.toml"
    text = HELSINKI.read_text(encoding="utf-8")
    small.write_text(
        text.replace('name = "helsinki"', 'name = "small"').replace(
            "rated_heating_capacity_kW = 135.0", "rated_heating_capacity_kW = 5.0"
        ),
        encoding="utf-8",
    )
    assert "= 5.0" in small.read_text()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    base = [sys.executable, "-m", "gshp.cli", "run", str(small), str(HELSINKI), "--years", "1",
            "-q", "-j", "1"]  # fmt: skip
    r = subprocess.run([*base, "-o", str(tmp_path / "a")], capture_output=True, text=True,
                       env=env)  # fmt: skip
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "small: FAILED: implausible result of case small" in r.stderr
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["helsinki.nc"]
    r = subprocess.run([*base, "-o", str(tmp_path / "b"), "--keep-implausible"],
                       capture_output=True, text=True, env=env)  # fmt: skip
    assert r.returncode == 1
    assert "kept, flagged implausible" in r.stderr
    kept = open_result(tmp_path / "b" / "small.nc")
    assert kept.attrs["implausible"] == 1
    assert "T_supply" in json.loads(kept.attrs["implausible_reasons"])[0]
    assert "implausible" not in open_result(tmp_path / "b" / "helsinki.nc").attrs
