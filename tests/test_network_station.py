"""The buried-pipe network inside the station run (reference cases, 1 year at 15 min)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gshp.studies.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
FAST = {
    "simulation.years": 1,
    "simulation.time_step_s": 900,
    "simulation.output_resolution": "daily",
}


def run(name="berlin", keep_implausible=False, **over):
    return simulate(
        ROOT / "cases" / f"{name}.toml", keep_implausible=keep_implausible, **dict(FAST, **over)
    )


@pytest.fixture(scope="module")
def berlin():
    return run("berlin")


def test_station_heat_covers_substations_pipes_and_tank_losses(berlin):
    ds = berlin
    bal = ds["energy_balance_closure"]
    assert float(bal) < 1e-9
    assert abs(bal.attrs["network_residual_J"]) < 1e-9 * bal.attrs["throughput_J"]
    # yearly: station heat (condenser − bypass − tank losses + tank change) = substations'
    # net draw − pipes' gain (+ stored changes, small over a year)
    J = 3.6e6
    pipes = float(ds["Q_pipes_heating_season"][0] + ds["Q_pipes_cooling_season"][0])
    draw = float(ds["Q_network_drawn"][0] - ds["Q_network_rejected"][0])
    station = float(ds["Q_condenser_year"][0] - ds["Q_bypass_year"][0])
    loss = float(ds["Q_tank_loss"].mean()) * 8760 / 1e3
    assert station == pytest.approx(draw - pipes + loss, rel=0.02, abs=0.02 * J / 3.6e6 * 1e3)


def test_uninsulated_pipes_lose_heat_in_both_seasons(berlin):
    ds = berlin
    assert float(ds["Q_pipes_heating_season"][0]) < -20_000  # kWh
    assert float(ds["Q_pipes_cooling_season"][0]) < -5_000
    net = json.loads(ds.attrs["network"])
    assert len(net["pipes"]) == 7
    assert net["trench_length_m"] == pytest.approx(450.0)
    for p in net["pipes"]:
        assert 2.0 < p["U_self_W_mK"] < 3.0
        assert 1.3 < p["U_pair_W_mK"] < 1.7
    # the return arrives colder than the supply left in the heating season
    heat = ds["mode"].values == 0
    assert np.mean(ds["T_supply"].values[heat] - ds["T_return"].values[heat]) > 1.0


def test_colder_soil_raises_gshp_electricity():
    warm = run("berlin", **{"network.soil_temperature": "constant", "network.soil_T_C": 14.0})
    cold = run("berlin", **{"network.soil_temperature": "constant", "network.soil_T_C": 4.0})
    assert float(cold["E_gshp"][0]) > float(warm["E_gshp"][0]) * 1.03
    assert float(cold["Q_pipes_heating_season"][0]) < float(warm["Q_pipes_heating_season"][0])


def test_insulated_pipes_exchange_little(berlin):
    ins = run(
        "berlin",
        **{
            "network.pipe_insulation_thickness_m": 0.05,
            "network.pipe_insulation_conductivity_W_mK": 0.026,
        },
    )
    assert abs(float(ins["Q_pipes_heating_season"][0])) < 0.25 * abs(
        float(berlin["Q_pipes_heating_season"][0])
    )


def test_low_winter_setpoint_gains_heat_from_the_soil():
    # 8 °C supply in winter months lies below the soil at 1.2 m from about December on
    ds = run(
        "berlin_variable_setpoint",
        **{"simulation.output_resolution": "monthly", "network.soil_temperature": "constant",
           "network.soil_T_C": 10.0},
    )  # fmt: skip
    q = ds["Q_pipes"].values  # W, monthly means
    assert q[0] > 0 and q[1] > 0  # January, February: network below the soil
    assert q[6] < 0  # July at 25 °C: loss


def test_lumped_model_has_no_pipe_outputs():
    ds = run("berlin", **{"network.model": "lumped"})
    assert "Q_pipes" not in ds
    assert json.loads(ds.attrs["network"]) == {"model": "lumped"}


def test_deficit_and_unmet_are_bounded_by_the_demand():
    # a heat pump far too small: the substations' supply deficit cannot exceed their
    # draw, the unmet heat not the buildings' demand
    ds = run("helsinki", keep_implausible=True, **{"heat_pump.rated_heating_capacity_kW": 30.0})
    deficit = float(ds["supply_deficit_heat_year"][0])
    assert deficit <= float(ds["Q_network_drawn"][0]) * 1.0000001
    assert deficit > 0.3 * float(ds["Q_network_drawn"][0])
    assert float(ds["unmet_heat_year"][0]) <= float(ds["Q_demand_heat"][0]) * (1 + 1e-12)
