"""Issue 26: unmet heat is the demand the boosters cannot serve (their source range and
capacity), the old quantity is the supply deficit, the substations' supply temperatures
are reported, and the plant's supply can hold the setpoint at the critical substation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from gshp.config import load_case
from gshp.physics.network.kernel import booster_unmet, substation_unmet
from gshp.physics.water import CP_WATER
from gshp.station.prepare import prepare
from gshp.studies.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
STEP = {
    "simulation.years": 1,
    "simulation.time_step_s": 900,
    "simulation.output_resolution": "step",
}


def run(name="berlin", **over):
    return simulate(ROOT / "cases" / f"{name}.toml", keep_implausible=True, **dict(STEP, **over))


def demand_per_slot(name="berlin", **over):
    """The buildings' heating + DHW demand of every 15-min slot, W, as the station sees it."""
    prep = prepare(load_case(ROOT / "cases" / f"{name}.toml", dict(STEP, **over)))
    a = prep.arrays
    return a["q_sh"] + a["q_dhw"]


def test_booster_unmet_range_and_capacity():
    assert booster_unmet(1000.0, 200.0, 3.9, 4.0, 35.0, math.inf) == (1000.0, 200.0)
    assert booster_unmet(1000.0, 200.0, 35.1, 4.0, 35.0, math.inf) == (1000.0, 200.0)
    assert booster_unmet(1000.0, 200.0, 4.0, 4.0, 35.0, math.inf) == (0.0, 0.0)
    assert booster_unmet(1000.0, 200.0, 10.0, 4.0, 35.0, 600.0) == (400.0, 0.0)
    # two substations of three out of range: two thirds of the district's demand
    T = np.array([3.0, 10.0, 40.0])
    uh, uc = substation_unmet(600.0, 300.0, 90.0, 0.0, False, T, 4.0, 35.0, math.inf)
    assert uh == pytest.approx(600.0) and uc == pytest.approx(60.0)


def test_node_below_booster_minimum_leaves_its_whole_demand_unmet():
    over = {"network.booster_source_T_min_C": 19.0}
    ds = run(**over)
    T = ds["T_supply_substation"].transpose("time", ...).values  # a row per step
    n_b = T.shape[1]
    out = (T < 19.0).sum(axis=1)
    assert 0 < out.sum() < out.size * n_b  # some substations in some steps
    q = demand_per_slot(**over)
    expected_kWh = float(np.sum(q * out / n_b)) * 900 / 3.6e6
    unmet = float(ds["unmet_heat_year"][0])
    assert unmet == pytest.approx(expected_kWh, rel=1e-9)
    assert float(ds["unmet_heat"].sum()) * 900 / 3.6e6 == pytest.approx(unmet, rel=1e-9)
    assert unmet <= float(ds["Q_demand_heat"][0])
    assert float(ds["Q_demand_heat"][0]) * 3.6e6 == pytest.approx(float(np.sum(q)) * 900, 1e-9)
    # the water does not depend on the range: the same run with the default range
    ref = run()
    np.testing.assert_array_equal(ref["T_supply_substation"].transpose("time", ...).values, T)
    np.testing.assert_array_equal(ds["E_total"].values, ref["E_total"].values)
    for name in ("supply_deficit_heat", "Q_network", "T_setpoint"):
        np.testing.assert_array_equal(ds[name].values, ref[name].values)


def test_all_nodes_in_range_leave_nothing_unmet():
    ds = run(**{"network.booster_source_T_min_C": -20.0, "network.booster_source_T_max_C": 80.0})
    assert float(ds["unmet_heat_year"][0]) == 0.0
    assert float(ds["unmet_cooling_year"][0]) == 0.0
    assert np.all(ds["unmet_heat"].values == 0.0)
    # the supply deficit (the old 'unmet') is still there, under its name
    assert float(ds["supply_deficit_heat_year"][0]) > 0.0
    # node temperatures: per substation, the coldest is the minimum over them
    T = ds["T_supply_substation"]
    assert T.dims == ("substation", "time") and T.sizes["substation"] == 7
    np.testing.assert_allclose(ds["T_supply_coldest"].values, T.min("substation").values)
    assert np.all((ds["T_supply_substation_min"] <= T + 1e-12).values)


def test_lumped_node_against_the_booster_range():
    over = {"network.model": "lumped", "network.booster_source_T_min_C": 19.9}
    ds = run(**over)
    assert "T_supply_substation" not in ds and "T_supply_coldest" not in ds
    low = ds["T_supply"].values < 19.9
    assert 0 < low.sum() < low.size
    q = demand_per_slot(**over)
    expected_kWh = float(np.sum(q[low])) * 900 / 3.6e6
    assert float(ds["unmet_heat_year"][0]) == pytest.approx(expected_kWh, rel=1e-9)


def test_critical_node_raises_the_plant_supply_by_the_drop_along_the_pipe(tmp_path):
    # one building at the end of a 300 m uninsulated trench, a constant 20 kW draw, soil
    # at 5 °C, the pipes of the trench far apart (no mutual heating)
    (tmp_path / "net.csv").write_text("Q_network_kW\n" + "20\n" * 8760, encoding="utf-8")
    T_set, T_soil, L, Q = 20.0, 5.0, 300.0, 20e3
    text = (ROOT / "cases" / "berlin.toml").read_text(encoding="utf-8")
    one = 'n_buildings = 1\nload_file = "net.csv"\nload_file_kind = "network"'
    text = text.replace("n_buildings = 7", one)
    text += (
        "\n[[network.pipes]]\nid = 'main'\nupstream = 'plant'\ndownstream = 'b1'\n"
        f"length_m = {L}\nbuildings = 1\nspacing_m = 40.0\n"
    )
    (tmp_path / "long.toml").write_text(text, encoding="utf-8")
    over = {
        "simulation.years": 1, "simulation.time_step_s": 900,
        "simulation.output_resolution": "daily", "network.soil_temperature": "constant",
        "network.soil_T_C": T_soil, "network.setpoint_reference": "critical_node",
        "network.critical_node_T_max_C": 24.0,
    }  # fmt: skip
    ds = simulate(tmp_path / "long.toml", keep_implausible=True, **over)
    pipe = json.loads(ds.attrs["network"])["pipes"][0]
    U = pipe["U_self_W_mK"]
    m = Q / (CP_WATER * 5.0)  # ṁ = Q/(c·ΔT): the substation's flow at steady load
    x = U * L / (m * CP_WATER)
    T_plant = T_soil + (T_set - T_soil) * math.exp(x)  # the critical node at T_set
    drop = (T_plant - T_soil) * (1 - math.exp(-x))
    assert 1.0 < drop < 4.0  # a real drop, below the 24 °C limit
    march = slice(70, 90)
    plant = ds["T_setpoint"].values[march]
    assert np.all(np.abs(plant - (T_set + drop)) < 0.2), (plant, T_set + drop)
    node = ds["T_supply_substation"].values[0, march]
    assert np.all(np.abs(node - T_set) < 0.2)
    assert float(ds["energy_balance_closure"]) < 1e-9
    # with the reference at the plant the node stays a drop below the setpoint
    plant_ref = simulate(tmp_path / "long.toml", keep_implausible=True,
                         **dict(over, **{"network.setpoint_reference": "plant"}))  # fmt: skip
    assert np.all(plant_ref["T_supply_substation"].values[0, march] < T_set - 0.5 * drop)


def test_many_substations_report_only_the_coldest(tmp_path):
    # above SUBSTATION_SERIES_MAX substations their own series are left out (memory)
    from gshp.station.components.network import SUBSTATION_SERIES_MAX

    n = SUBSTATION_SERIES_MAX + 1
    (tmp_path / "net.csv").write_text("Q_network_kW\n" + "50\n" * 8760, encoding="utf-8")
    text = (ROOT / "cases" / "berlin.toml").read_text(encoding="utf-8")
    text = text.replace(
        "n_buildings = 7", f'n_buildings = {n}\nload_file = "net.csv"\nload_file_kind = "network"'
    )
    (tmp_path / "many.toml").write_text(text, encoding="utf-8")
    over = {"simulation.years": 1, "simulation.time_step_s": 900,
            "simulation.output_resolution": "monthly"}  # fmt: skip
    ds = simulate(tmp_path / "many.toml", keep_implausible=True, **over)
    assert "T_supply_substation" not in ds and "substation" not in ds.dims
    assert np.all(np.isfinite(ds["T_supply_coldest"].values))


def test_validation_study_shows_both_setpoint_references():
    from types import SimpleNamespace

    from gshp.validation import study

    case = load_case(ROOT / "cases" / "berlin.toml", dict(STEP, **{
        "simulation.output_resolution": "monthly"}))  # fmt: skip
    ctx = SimpleNamespace(simulate_many=lambda cases, label: [simulate(c) for c in cases])
    text = "\n".join(study.references(ctx, {"berlin": case}, {"berlin": simulate(case)}))
    assert "| berlin | plant (as shipped) |" in text and "| berlin | critical node |" in text
    for col in ("E_gshp MWh/a", "E_boosters MWh/a", "SCOP", "unmet heat kWh/a",
                "supply deficit kWh/a"):  # fmt: skip
        assert col in text


def test_bad_reference_and_range_are_named():
    from gshp.errors import InputError

    with pytest.raises(InputError, match="network.setpoint_reference"):
        load_case(ROOT / "cases" / "berlin.toml", {"network.model": "lumped",
                  "network.setpoint_reference": "critical_node"})  # fmt: skip
    with pytest.raises(InputError, match="network.booster_source_T_min_C"):
        load_case(ROOT / "cases" / "berlin.toml", {"network.booster_source_T_min_C": 36.0})
