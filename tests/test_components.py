"""Unit tests of each station component's compiled step functions, called directly on
small records (gshp.station.components): controls, network (lumped), heat pump, bypass,
borefield, tank and valve, station totals. Conservation, limits and analytic cases."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from gshp.config import load_case
from gshp.physics.heatpump import booster_cops, default_booster_params, hp_lookup
from gshp.physics.tank import coil_temperature, stored_energy, tank_setup
from gshp.physics.water import CP_WATER
from gshp.station import totals
from gshp.station.balance import N_BAL, B
from gshp.station.components import borefield, bypass, control, heat_pump, network, tank
from gshp.station.components.network_pipes import no_pipes
from gshp.station.contract import component_acc
from gshp.station.control import strategies
from gshp.station.prepare import BuildContext

ROOT = Path(__file__).resolve().parents[1]
DT = 180.0


def acc_of(module, n_out=2, n_years=1):
    return component_acc(module, n_out, n_years)


def bal0():
    return np.zeros(N_BAL)


# --- records ------------------------------------------------------------------------------


def control_records(season=(0, 1), sp_heat=20.0, sp_cool=25.0, strategy=0, **over):
    n = len(season)
    kw = dict(
        sensor=1, hp_on_K=-1.0, hp_off_K=3.0, by_on_K=1.0, by_off_K=3.0,
        min_on_s=900.0, min_off_s=540.0, strategy=strategy, ad_T_min=8.0, ad_T_max=20.0,
        ad_step=0.5, ad_sink_offset=1.0, override_margin=1.0,
        season=np.array(season, dtype=np.int64), sp_heat=np.full(n, float(sp_heat)),
        sp_cool=np.full(n, float(sp_cool)), reference=0, crit_T_max=24.0, crit_T_min=21.0,
        crit_gain=0.1,
    )  # fmt: skip
    kw.update(over)
    p = control.Params(**kw)

    def one(v):
        return np.array([float(v)])

    s = control.State(
        hp_on=one(0), by_on=one(0), t_hp=one(1e30), t_by=one(1e30), prev_mode=one(season[0]),
        ad_T=one(17.0), override=one(0), ref_offset=np.zeros(2),
    )  # fmt: skip
    return p, s


def network_records(n_slots=4, q_sh=8e4, q_dhw=2e4, q_sc=0.0, q_pvt=0.0, direct=False,
                    q_direct=0.0, m_min=0.5, C=2e8, T_return=15.0, T_supply=20.0):  # fmt: skip
    def full(v):
        return np.full(n_slots, float(v))

    booster = default_booster_params()
    load = network.LoadParams(
        direct=direct, q_sh=full(q_sh), q_dhw=full(q_dhw), q_sc=full(q_sc), q_pvt=full(q_pvt),
        q_direct=full(q_direct), booster=booster, T_src_min=-50.0, T_src_max=100.0,
        capacity=np.inf,
    )  # fmt: skip
    node = network.NodeParams(
        cp=CP_WATER, dT_design=5.0, m_min=m_min, m_design=6.0, C=C, P_pump_design=2500.0
    )
    pp, ps = no_pipes(CP_WATER)
    s = network.State(
        T_return=np.array([T_return]), T_supply=np.array([T_supply]),
        cops=np.array(booster_cops(T_supply, booster), dtype=np.float64), demand=np.zeros(2),
        pipes=ps,
    )  # fmt: skip
    return network.Params(load=load, node=node, pipes=pp), s


def small_table(slope_src=1500.0):
    """A hand-made 3 × 3 performance table: evaporator heat linear in the source
    temperature (``slope_src`` W/K) and the sink, power linear in the sink."""
    t_src = np.array([-10.0, 5.0, 20.0])
    t_sink = np.array([10.0, 30.0, 50.0])
    S, K = np.meshgrid(t_src, t_sink, indexing="ij")
    q_evap = 40e3 + slope_src * S - 300.0 * (K - 30.0)
    power = 8e3 + 150.0 * (K - 30.0) + 0.0 * S
    return heat_pump.Params(
        t_src=t_src, t_sink=t_sink, q_cond=q_evap + power, q_evap=q_evap, power=power,
        cell_envelope=np.zeros((2, 2)), G_coil=12e3, P_pump_condenser=300.0,
    )  # fmt: skip


def hp_state(T=8.0):
    return heat_pump.State(T_src_guess=np.array([T]), day_T_src=np.zeros(1), day_n_src=np.zeros(1))


def small_tank(T0=20.0, n=12):
    return tank_setup(10.0, 3.0, n, 10.0, 1, 4, 20e3, T0)


@pytest.fixture(scope="module")
def built():
    """The Berlin case's borefield (ground record), heat pump (performance table) and tank,
    each built by its component's ``build`` alone (no district, no network)."""
    case = load_case(ROOT / "cases" / "berlin.toml").replace(**{"simulation.years": 1})
    ctx = BuildContext(
        case=case, dt=DT, n_years=1, arrays={}, direct=False, q_nominal=None, netw=None,
        season=None, sp_heat=None, sp_cool=None, first_setpoint=20.0,
    )  # fmt: skip
    return {name: ctx.built(name) for name in ("borefield", "heat_pump", "tank", "bypass")}


def fresh(built, name):
    """Deep copies of a component's built records (steps change them in place)."""
    return copy.deepcopy(built[name])


# --- control ------------------------------------------------------------------------------


def _season(p, s, a, slot, tank_T, o=0):
    net_p, net_s = network_records(n_slots=p.season.size)  # lumped: the plant reference
    return control.season(p, s, a, o, 0, slot, 1, tank_T, net_p, net_s)


def test_season_gives_the_setpoint_of_the_season_and_accumulates_it():
    p, s = control_records(season=(0, 1), sp_heat=18.0, sp_cool=26.0)
    a = acc_of(control)
    tank_T = np.full(12, 20.0)
    assert _season(p, s, a, 0, tank_T) == (0, 18.0, 18.0, 26.0)
    assert _season(p, s, a, 1, tank_T, o=1) == (1, 26.0, 18.0, 26.0)
    assert _season(p, s, a, 0, tank_T, o=1) == (0, 18.0, 18.0, 26.0)
    np.testing.assert_array_equal(a.out[:, control.OUT.T_setpoint], [18.0, 44.0])
    np.testing.assert_array_equal(a.out[:, control.OUT.mode], [0.0, 1.0])
    assert s.override[0] == 0.0


def test_season_override_to_cooling_holds_until_new_day():
    """Heating with the tank's cold side above the cooling setpoint + margin switches to
    cooling, and stays so (tank cooled again) until ``new_day`` resets it."""
    p, s = control_records(season=(0, 0), sp_heat=20.0, sp_cool=25.0, override_margin=1.0)
    a = acc_of(control)
    net, _ = network_records(n_slots=2)
    hp = small_table()
    T = np.full(12, 24.0)
    T[0] = 25.0 + 1.0 - 1e-6  # inside the margin: no override
    assert _season(p, s, a, 0, T)[0] == 0 and s.override[0] == 0.0
    T[0] = 26.5  # cold side above 25 + 1
    assert _season(p, s, a, 0, T)[:2] == (1, 25.0)
    assert s.override[0] == 1.0
    T[:] = 22.0  # the tank cooled into the dead band: the override holds until midnight
    assert _season(p, s, a, 1, T)[:2] == (1, 25.0)
    control.new_day(p, s, 480, 1, net, hp, hp_state(), 8.0)
    assert s.override[0] == 0.0
    assert _season(p, s, a, 1, T)[:2] == (0, 20.0)


def test_season_override_to_heating_when_the_warm_side_is_too_cold():
    p, s = control_records(season=(1, 1), sp_heat=20.0, sp_cool=25.0, override_margin=1.0)
    a = acc_of(control)
    T = np.full(12, 22.0)
    T[-1] = 19.0 + 1e-6  # warm side inside the margin below the heating setpoint
    assert _season(p, s, a, 0, T)[0] == 1 and s.override[0] == 0.0
    T[-1] = 18.5
    assert _season(p, s, a, 0, T)[:2] == (0, 20.0)
    assert s.override[0] == 2.0
    T[:] = 22.0  # back in the dead band: the override holds
    assert _season(p, s, a, 1, T)[0] == 0


@pytest.mark.parametrize("name", strategies.names())
def test_heating_setpoint_by_strategy(name):
    sid = strategies.strategy(name).ID
    p, s = control_records(season=(0, 0, 0), strategy=sid)
    p = p._replace(sp_heat=np.array([14.0, 16.0, 18.0]))
    s.ad_T[0] = 11.5
    got = [control.heating_setpoint(p, s, slot) for slot in range(3)]
    if sid == control.ADAPTIVE:
        assert got == [11.5, 11.5, 11.5]  # the adaptive strategy's own state
    else:
        assert got == [14.0, 16.0, 18.0]  # the precomputed setpoints of the slot


def _switch(p, s, a, mode, T_set, T_sensor, dt=DT):
    T = np.full(12, T_sensor)
    return control.switch(p, s, a, 0, dt, mode, T_set, T)


def test_switch_hysteresis_band_and_starts_counted():
    """GSHP (heating): starts below T_set + hp_on_K, runs through the band, stops above
    T_set + hp_off_K; each start is counted once; no minimum times here."""
    p, s = control_records(season=(0,), min_on_s=0.0, min_off_s=0.0)
    a = acc_of(control)
    starts = a.yearly[0, control.YR.gshp_starts]
    assert _switch(p, s, a, 0, 20.0, 19.5) == (0, 0)  # above 20 − 1: stays off
    assert _switch(p, s, a, 0, 20.0, 18.9) == (1, 0)  # below: starts
    assert a.yearly[0, control.YR.gshp_starts] == starts + 1
    for T in (19.5, 21.0, 22.9, 23.0):  # inside the band (and at its edge): runs on
        assert _switch(p, s, a, 0, 20.0, T) == (1, 0)
    assert _switch(p, s, a, 0, 20.0, 23.1) == (0, 0)  # above 20 + 3: stops
    for T in (22.0, 19.5, 19.0):  # band from above: stays off
        assert _switch(p, s, a, 0, 20.0, T) == (0, 0)
    assert _switch(p, s, a, 0, 20.0, 18.0) == (1, 0)
    assert a.yearly[0, control.YR.gshp_starts] == starts + 2


def test_switch_bypass_band_in_cooling_and_not_counted_as_gshp_start():
    """Bypass (cooling): starts above T_set − by_on_K, stops below T_set − by_off_K."""
    p, s = control_records(season=(1,), min_on_s=0.0, min_off_s=0.0)
    a = acc_of(control)
    assert _switch(p, s, a, 1, 25.0, 23.5) == (0, 0)  # below 25 − 1
    assert _switch(p, s, a, 1, 25.0, 24.5) == (0, 1)
    assert _switch(p, s, a, 1, 25.0, 22.5) == (0, 1)  # inside the band
    assert _switch(p, s, a, 1, 25.0, 21.9) == (0, 0)  # below 25 − 3
    assert a.yearly[0, control.YR.gshp_starts] == 0.0


def test_switch_minimum_run_and_rest_times():
    p, s = control_records(season=(0,), min_on_s=900.0, min_off_s=540.0)
    a = acc_of(control)
    assert _switch(p, s, a, 0, 20.0, 15.0)[0] == 1  # starts (off for ages)
    # too warm at once, but it must run 900 s = 5 steps of 180 s
    ons = [_switch(p, s, a, 0, 20.0, 30.0)[0] for _ in range(8)]
    assert ons == [1, 1, 1, 1, 0, 0, 0, 0]  # on for the start step + 4 = 900 s
    # the step it stopped starts the rest: 540 s = 3 steps before it may start again
    s2_p, s2 = control_records(season=(0,), min_on_s=0.0, min_off_s=540.0)
    a2 = acc_of(control)
    assert _switch(s2_p, s2, a2, 0, 20.0, 15.0)[0] == 1
    assert _switch(s2_p, s2, a2, 0, 20.0, 30.0)[0] == 0  # stops
    rest = [_switch(s2_p, s2, a2, 0, 20.0, 15.0)[0] for _ in range(5)]
    assert rest.index(1) == 2  # off for 180 + 2·180 = 540 s at its third cold step
    assert a2.yearly[0, control.YR.gshp_starts] == 2.0


def test_a_season_change_stops_the_other_unit_at_once():
    """A change to cooling stops a running GSHP even inside its minimum run time; the
    reverse stops the bypass."""
    p, s = control_records(season=(0, 1), min_on_s=3600.0, min_off_s=0.0)
    a = acc_of(control)
    assert _switch(p, s, a, 0, 20.0, 15.0) == (1, 0)
    assert _switch(p, s, a, 1, 25.0, 15.0) == (0, 0)  # cooling now: GSHP off at once
    assert s.hp_on[0] == 0.0 and s.prev_mode[0] == 1.0
    assert _switch(p, s, a, 1, 25.0, 30.0) == (0, 1)  # bypass starts (no rest time)
    assert _switch(p, s, a, 0, 20.0, 30.0) == (0, 0)  # heating again: bypass off at once
    assert s.by_on[0] == 0.0
    assert a.yearly[0, control.YR.gshp_starts] == 1.0


# --- network (lumped) ---------------------------------------------------------------------


def _demand(p, s, a, bal, heating=True, slot=0, in_slot=0, year=0, o=0):
    return network.demand(p, s, a, year, o, DT, slot, in_slot, heating, 20.0, 25.0, bal)


def test_lumped_demand_is_the_boosters_net_draw_and_flow_is_bounded_below():
    p, s = network_records(q_sh=8e4, q_dhw=2e4, q_sc=1e4, q_pvt=5e3, T_supply=18.0)
    a = acc_of(network)
    bal = bal0()
    Q, m = _demand(p, s, a, bal)
    c_sh, c_dhw, eer = booster_cops(18.0, p.load.booster)  # set at the slot's start
    P_heat = 8e4 / c_sh + 2e4 / c_dhw
    P_cool = 1e4 / eer
    expect = 8e4 + 2e4 - P_heat - 1e4 - P_cool - 5e3
    assert Q == pytest.approx(expect, rel=1e-12)
    assert m == pytest.approx(abs(Q) / (CP_WATER * 5.0), rel=1e-12)
    assert a.out[0, network.OUT.Q_network] == pytest.approx(Q, rel=1e-12)
    assert a.out[0, network.OUT.P_boosters] == pytest.approx(P_heat + P_cool, rel=1e-12)
    assert a.yearly[0, network.YR.E_boosters] == pytest.approx((P_heat + P_cool) * DT)
    assert a.yearly[0, network.YR.E_boosters_cooling] == pytest.approx(P_cool * DT)
    assert a.yearly[0, network.YR.Q_network_drawn] == pytest.approx(Q * DT)
    assert bal[B.network_load] == pytest.approx(Q * DT)
    assert bal[B.throughput] == pytest.approx(abs(Q) * DT)
    # a small load: the minimum flow
    p2, s2 = network_records(q_sh=1e3, q_dhw=0.0, m_min=0.5)
    Q2, m2 = _demand(p2, s2, acc_of(network), bal0())
    assert abs(Q2) / (CP_WATER * 5.0) < 0.5 and m2 == 0.5


def test_lumped_demand_rejection_and_direct_load():
    p, s = network_records(q_sh=0.0, q_dhw=0.0, q_sc=5e4)
    a = acc_of(network)
    Q, m = _demand(p, s, a, bal0(), heating=False)
    assert Q < -5e4  # rejection: the cooling load plus the boosters' power
    assert m == pytest.approx(-Q / (CP_WATER * 5.0))
    assert a.yearly[0, network.YR.Q_network_rejected] == pytest.approx(-Q * DT)
    assert a.yearly[0, network.YR.Q_network_drawn] == 0.0
    p, s = network_records(direct=True, q_direct=-3e4, q_sh=9e9)
    a = acc_of(network)
    Q, _m = _demand(p, s, a, bal0())
    assert Q == -3e4 and a.out[0, network.OUT.P_boosters] == 0.0


def test_lumped_booster_cops_are_taken_at_the_slots_start_only():
    p, s = network_records(q_sh=8e4, q_dhw=0.0, T_supply=20.0)
    Q0, _ = _demand(p, s, acc_of(network), bal0(), in_slot=0)
    s.T_supply[0] = 10.0  # the supply changed within the slot
    Q1, _ = _demand(p, s, acc_of(network), bal0(), in_slot=3)
    assert Q1 == Q0
    Q2, _ = _demand(p, s, acc_of(network), bal0(), in_slot=0)
    assert Q2 != Q0  # new slot: the boosters see 10 °C


def _advance(p, s, a, bal, heating, m, Q_net, Q_station, T_set, T_supply):
    network.advance(p, s, a, 0, 0, DT, heating, m, Q_net, Q_station, T_set, T_supply, bal)


@pytest.mark.parametrize("Q_net, Q_station", [(5e4, 3e4), (5e4, 7e4), (-4e4, -1e4), (0.0, 2e3)])
def test_lumped_node_energy_is_exact(Q_net, Q_station):
    """C·ΔT_return = (Q_station − Q_net)·dt in every step."""
    C = 3.7e7
    p, s = network_records(C=C, T_return=14.0)
    a = acc_of(network)
    T0 = s.T_return[0]
    _advance(p, s, a, bal0(), True, 3.0, Q_net, Q_station, 20.0, 19.0)
    assert C * (s.T_return[0] - T0) == pytest.approx((Q_station - Q_net) * DT, rel=1e-12)
    assert s.T_supply[0] == 19.0
    assert a.out[0, network.OUT.T_return] == s.T_return[0]


def test_network_pump_follows_the_affinity_law_and_is_booked():
    p, s = network_records()
    node = p.node
    powers = []
    for m in (0.5 * node.m_design, node.m_design, 2.0 * node.m_design):
        a = acc_of(network)
        bal = bal0()
        _advance(p, s, a, bal, True, m, 1e4, 1e4, 20.0, 20.0)
        powers.append(bal[B.pump_power])
        assert a.out[0, network.OUT.P_pump_network] == bal[B.pump_power]
        assert a.yearly[0, network.YR.E_pump_network] == pytest.approx(bal[B.pump_power] * DT)
    assert powers[1] == pytest.approx(node.P_pump_design, rel=1e-12)
    assert powers[0] == pytest.approx(node.P_pump_design / 8.0, rel=1e-12)
    assert powers[2] == pytest.approx(node.P_pump_design * 8.0, rel=1e-12)


@pytest.mark.parametrize(
    "heating, Q_net, T_set, T_supply, unmet_h, unmet_c",
    [
        (True, 5e4, 20.0, 18.5, 1.5, 0.0),  # heating, heat drawn, supply too cold
        (True, 5e4, 20.0, 21.0, 0.0, 0.0),  # supply above the setpoint: met
        (True, -5e4, 20.0, 18.5, 0.0, 0.0),  # heating season but heat rejected
        (False, 5e4, 25.0, 27.0, 0.0, 0.0),  # cooling season but heat drawn
        (False, -5e4, 25.0, 27.0, 0.0, 2.0),  # cooling, rejected, supply too warm
        (False, -5e4, 25.0, 24.0, 0.0, 0.0),
    ],
)  # fmt: skip
def test_lumped_supply_deficit_heat_and_cooling(heating, Q_net, T_set, T_supply, unmet_h, unmet_c):
    """The supply deficit = m·c_p·(T_set − T_supply) only while heat is drawn in heating
    (and the cooling one the mirror); accumulators are the values times dt. With the node
    inside the boosters' source range nothing is unmet."""
    p, s = network_records()
    a = acc_of(network)
    m = 2.5
    _advance(p, s, a, bal0(), heating, m, Q_net, Q_net, T_set, T_supply)
    uh = m * CP_WATER * unmet_h
    uc = m * CP_WATER * unmet_c
    assert a.out[0, network.OUT.supply_deficit_heat] == pytest.approx(uh, rel=1e-12)
    assert a.out[0, network.OUT.supply_deficit_cooling] == pytest.approx(uc, rel=1e-12)
    yr = a.yearly[0]
    assert yr[network.YR.supply_deficit_heat_year] == pytest.approx(uh * DT, rel=1e-12)
    assert yr[network.YR.supply_deficit_cooling_year] == pytest.approx(uc * DT, rel=1e-12)
    assert a.out[0, network.OUT.unmet_heat] == a.out[0, network.OUT.unmet_cooling] == 0.0


# --- heat pump ----------------------------------------------------------------------------


def _hp_step(p, s, a, bal, run, a_bf, b_bf, m_cp, tk, T_in=7.0, new_day=False):
    return heat_pump.step(p, s, a, 0, 0, 0, DT, run, new_day, a_bf, b_bf, m_cp, tk, T_in, bal)


def test_heat_pump_off_returns_zeros_and_accumulates_nothing():
    p, s = small_table(), hp_state()
    s.day_T_src[0], s.day_n_src[0] = 30.0, 3.0
    a = acc_of(heat_pump)
    bal = bal0()
    assert _hp_step(p, s, a, bal, False, 6.0, 0.4, 2e4, small_tank(), T_in=7.25) == (
        0.0, 0.0, 7.25)  # fmt: skip
    assert not a.out.any() and not a.yearly.any() and not a.monthly.any() and not bal.any()
    assert s.T_src_guess[0] == 8.0 and s.day_n_src[0] == 3.0
    _hp_step(p, s, a, bal, False, 6.0, 0.4, 2e4, small_tank(), new_day=True)
    assert s.day_T_src[0] == 0.0 and s.day_n_src[0] == 0.0  # a new day, even when off


@pytest.mark.parametrize("a_bf, b_bf", [(6.0, 0.4), (1.0, 0.7), (12.0, 0.1)])
def test_heat_pump_coupled_source_analytic(a_bf, b_bf):
    """Hand-made table with Q_e linear in the source: the coupled source temperature solves
    T = a + b·(T − Q_e(T)/(m c_p)) in closed form; first law, balance and accumulators."""
    slope = 1500.0
    p, s = small_table(slope), hp_state()
    tk = small_tank(T0=30.0)  # the coil layers at 30 °C: sink 30 °C
    m_cp = 2.0e4
    a = acc_of(heat_pump)
    bal = bal0()
    Q_c, G, T_in = _hp_step(p, s, a, bal, True, a_bf, b_bf, m_cp, tk)
    # Q_e(T) = 40e3 + slope·T at a sink of 30 °C
    T = (a_bf - b_bf * 40e3 / m_cp) / (1.0 - b_bf + b_bf * slope / m_cp)
    Q_e = 40e3 + slope * T
    P = 8e3
    assert s.T_src_guess[0] == pytest.approx(T, abs=1e-9)
    assert T_in == pytest.approx(T - Q_e / m_cp, abs=1e-9)
    assert a_bf + b_bf * T_in == pytest.approx(T, abs=1e-9)  # the borefield's outlet
    assert Q_c == pytest.approx(Q_e + P, rel=1e-12)
    assert G == p.G_coil
    o = a.out[0]
    assert o[heat_pump.OUT.Q_evaporator] == pytest.approx(Q_e, rel=1e-12)
    assert o[heat_pump.OUT.P_gshp] == pytest.approx(P, rel=1e-12)
    assert o[heat_pump.OUT.Q_condenser] == Q_c
    assert o[heat_pump.OUT.gshp_on_fraction] == 1.0
    assert bal[B.coupling] == pytest.approx(-Q_e * DT, rel=1e-12)
    assert abs(bal[B.heat_pump]) <= 1e-9 * Q_c * DT
    assert bal[B.pump_power] == p.P_pump_condenser
    assert s.day_n_src[0] == 1.0 and s.day_T_src[0] == s.T_src_guess[0]


def test_heat_pump_on_the_cases_table(built):
    """The Berlin table over a range of borefield responses and tank states: the first
    law to 1e-9, the source consistent with the borefield (T_out = a + b·T_in, Q_e =
    m·c_p·(T_out − T_in)) and with the table at the coil temperature, the balance terms."""
    p, s0 = built["heat_pump"]
    bf, _ = built["borefield"]
    m_cp = bf.m_cp
    rng = np.random.default_rng(3)
    tk = small_tank()
    a = acc_of(heat_pump)
    bal = bal0()
    sum_Qc = sum_Qe = sum_P = 0.0
    for _ in range(60):
        s = copy.deepcopy(s0)
        b_bf = rng.uniform(0.05, 0.9)
        T_out_target = rng.uniform(-30.0, 25.0)  # beyond the table's edge too
        a_bf = T_out_target * (1.0 - b_bf)
        tk.T[:] = rng.uniform(10.0, 45.0)
        Q_c, G, T_in = _hp_step(p, s, a, bal, True, a_bf, b_bf, m_cp, tk)
        T_out = s.T_src_guess[0]
        assert T_out == pytest.approx(a_bf + b_bf * T_in, abs=1e-9)
        Qc, Qe, P, _edge = hp_lookup(
            p.t_src, p.t_sink, p.q_cond, p.q_evap, p.power, T_out,
            coil_temperature(tk.T, tk.params),
        )  # fmt: skip
        assert Q_c == pytest.approx(Qc, rel=1e-9)
        assert Qe == pytest.approx(m_cp * (T_out - T_in), rel=1e-9, abs=1e-6)
        assert abs(Q_c - Qe - P) <= 1e-9 * abs(Q_c)
        sum_Qc, sum_Qe, sum_P = sum_Qc + Qc, sum_Qe + Qe, sum_P + P
    y = a.yearly[0]
    assert y[heat_pump.YR.Q_condenser_year] == pytest.approx(sum_Qc * DT, rel=1e-9)
    assert y[heat_pump.YR.E_gshp] == pytest.approx(sum_P * DT, rel=1e-9)
    assert a.monthly[0, heat_pump.MON.E_gshp_month] == pytest.approx(sum_P * DT, rel=1e-9)
    assert y[heat_pump.YR.table_edge_steps] > 0  # the range above reaches the edges
    assert abs(bal[B.heat_pump]) <= 1e-9 * bal[B.throughput]
    assert bal[B.coupling] == pytest.approx(-sum_Qe * DT, rel=1e-9)
    assert bal[B.pump_power] == pytest.approx(60 * p.P_pump_condenser)


# --- bypass -------------------------------------------------------------------------------


def test_bypass_inlet_closed_form():
    tk = small_tank(T0=30.0)
    eps, m_cp = 0.5, 2.0e4
    p = bypass.Params(eps=eps, G=eps * m_cp)
    a_bf, b_bf = 10.0, 0.5
    G, T_in = bypass.inlet(p, True, a_bf, b_bf, tk, 0.0, -99.0)
    # T_out = (a + b ε T_coil)/(1 − b(1 − ε)) = 17.5/0.75; T_in = T_out + ε (30 − T_out)
    T_out = 17.5 / 0.75
    assert T_in == pytest.approx(T_out + 0.5 * (30.0 - T_out), abs=1e-12)
    assert a_bf + b_bf * T_in == pytest.approx(T_out, abs=1e-12)
    assert G == p.G
    assert bypass.inlet(p, False, a_bf, b_bf, tk, 123.0, -99.0) == (123.0, -99.0)


@pytest.mark.parametrize("T_tank, sign", [(30.0, -1.0), (5.0, 1.0)])
def test_bypass_heat_removes_heat_from_a_warmer_tank(T_tank, sign):
    """The fluid through the coil warms in a tank warmer than it (heat removed from the
    tank: the returned coil heat is negative) and cools in a colder one."""
    tk = small_tank(T0=T_tank)
    m_cp = 2.0e4
    p = bypass.Params(eps=0.6, G=0.6 * m_cp)
    a_bf, b_bf = 6.0, 0.4  # the ground: outlet near 10 °C
    _, T_in = bypass.inlet(p, True, a_bf, b_bf, tk, 0.0, 0.0)
    T_out = a_bf + b_bf * T_in
    a = acc_of(bypass)
    bal = bal0()
    Q_coil = bypass.heat(a, 0, 0, DT, True, m_cp, T_in, T_out, 777.0, bal)
    assert np.sign(Q_coil) == sign
    assert Q_coil == pytest.approx(-m_cp * (T_in - T_out), rel=1e-12)
    # the coil heat is ε·m·c_p·(T_coil − T_out) taken from the tank
    assert -Q_coil == pytest.approx(p.G * (T_tank - T_out), rel=1e-9)
    assert a.out[0, bypass.OUT.Q_bypass] == -Q_coil
    assert a.yearly[0, bypass.YR.Q_bypass_year] == pytest.approx(-Q_coil * DT)
    assert bal[B.coupling] == pytest.approx(-Q_coil * DT)
    off = bypass.heat(acc_of(bypass), 0, 0, DT, False, m_cp, T_in, T_out, 777.0, bal0())
    assert off == 777.0


# --- borefield ----------------------------------------------------------------------------


def test_exchanger_loop_analytic():
    a, b = 6.0, 0.4
    T_in, T_out = borefield.exchanger_loop(a, b, 0.0, 30.0)  # no exchange: a fixed point
    assert T_in == pytest.approx(a / (1 - b)) and T_out == pytest.approx(a / (1 - b))
    T_in, T_out = borefield.exchanger_loop(a, b, 1.0, 30.0)  # perfect: inlet at 30 °C
    assert T_in == pytest.approx(30.0) and T_out == pytest.approx(a + b * 30.0)
    T_in, T_out = borefield.exchanger_loop(a, b, 0.3, 30.0)
    assert T_out == pytest.approx(a + b * T_in, abs=1e-12)
    assert T_in == pytest.approx(T_out + 0.3 * (30.0 - T_out), abs=1e-12)


def _bf_step(p, s, a, bal, run, T_in):
    ca, cb, pending = borefield.response(p, run)
    T_out = borefield.advance(p, s, a, 0, 0, 0, False, DT, T_in, pending, bal)
    return ca, cb, T_out


def test_borefield_pump_off_no_power_inlet_is_outlet(built):
    p, s = fresh(built, "borefield")
    a = acc_of(borefield)
    bal = bal0()
    assert borefield.response(p, False)[:2] == (0.0, 0.0)
    _, _, T_out = _bf_step(p, s, a, bal, False, 55.0)
    assert s.T_in[0] == T_out == s.T_out[0]
    o, y = a.out[0], a.yearly[0]
    assert o[borefield.OUT.T_bhe_in] == o[borefield.OUT.T_bhe_out] == T_out
    assert o[borefield.OUT.P_pump_borefield] == 0.0 and y[borefield.YR.E_pump_borefield] == 0.0
    assert bal[B.pump_power] == 0.0
    assert y[borefield.YR.T_bhe_out_min] == np.inf  # extremes only while the pump runs


def test_borefield_pump_on_outlet_is_the_affine_response(built):
    p, s = fresh(built, "borefield")
    a = acc_of(borefield)
    bal = bal0()
    for T_in in (2.0, 18.0, -3.0, 9.5):
        ca, cb, T_out = _bf_step(p, s, a, bal, True, T_in)
        assert 0.0 < cb < 1.0
        assert T_out == pytest.approx(ca + cb * T_in, abs=1e-9)
        assert s.T_in[0] == T_in and s.T_out[0] == T_out
    y = a.yearly[0]
    assert y[borefield.YR.T_bhe_in_min] == -3.0
    assert y[borefield.YR.E_pump_borefield] == pytest.approx(4 * p.P_pump * DT)
    assert bal[B.pump_power] == pytest.approx(4 * p.P_pump)


def test_borefield_stored_heat_changes_by_wall_heat_less_fluid_heat(built):
    """Over steps with and without flow, extraction and injection: the heat stored in
    fluid and grout changes by the heat through the walls less the heat the fluid took."""
    p, s = fresh(built, "borefield")
    a = acc_of(borefield)
    bal = bal0()
    E0 = borefield.stored_heat(p, s)
    runs = [True] * 10 + [False] * 5 + [True] * 10 + [False] * 3
    T_ins = [2.0] * 10 + [0.0] * 5 + [25.0] * 10 + [0.0] * 3
    Q_sum = 0.0
    for run, T_in in zip(runs, T_ins, strict=True):
        _, _, T_out = _bf_step(p, s, a, bal, run, T_in)
        if run:
            Q_sum += p.m_cp * (T_out - T_in) * DT
    E1 = borefield.stored_heat(p, s)
    assert bal[B.fluid] == pytest.approx(Q_sum, rel=1e-9)
    assert a.yearly[0, borefield.YR.Q_ground_extracted] > 0
    assert a.yearly[0, borefield.YR.Q_ground_injected] > 0
    residual = bal[B.fluid] - (bal[B.wall] - (E1 - E0))
    y = a.yearly[0]
    scale = y[borefield.YR.Q_ground_extracted] + y[borefield.YR.Q_ground_injected]
    assert abs(residual) <= 1e-9 * scale
    assert abs(E1 - E0) > 1e-3 * scale  # storage matters here: the test can see it


# --- tank and tempering valve -------------------------------------------------------------


def _valve(tk, a, bal, heating, m, Q_net, T_ret, T_set, Q_coil=0.0):
    return tank.valve_step(tk, a, 0, 0, DT, heating, m, Q_net, T_ret, T_set, Q_coil, 0.0, bal)


def test_valve_supply_between_return_and_tank_outlet():
    rng = np.random.default_rng(5)
    for _ in range(300):
        heating = bool(rng.random() < 0.5)
        tk = small_tank()
        tk.T[:] = np.sort(rng.uniform(5.0, 40.0, tk.T.size))  # stratified
        draw = rng.random() < 0.5
        Q_net = rng.uniform(1e3, 1e5) * (1 if draw else -1)
        T_ret = rng.uniform(5.0, 40.0)
        T_set = rng.uniform(8.0, 30.0)
        T_out0 = tk.T[-1] if draw else tk.T[0]
        lo, hi = min(T_ret, T_out0, tk.T.min()), max(T_ret, T_out0)
        T_s, Q_st = _valve(tk, acc_of(tank), bal0(), heating, rng.uniform(0.1, 6.0), Q_net,
                           T_ret, T_set)  # fmt: skip
        assert lo - 1e-9 <= T_s <= hi + 1e-9
        if draw and T_out0 > T_ret:  # heat drawn from a warmer tank: at most the setpoint
            assert T_s <= max(T_set, T_ret) + 1e-9 and Q_st >= 0.0
        if not draw and T_out0 < T_ret:
            assert T_s >= min(T_set, T_ret) - 1e-9 and Q_st <= 0.0


@pytest.mark.parametrize(
    "draw, bottom, top, T_ret, T_set",
    [(True, 10.0, 15.0, 18.0, 20.0), (False, 28.0, 35.0, 26.0, 25.0)],
)
def test_valve_bypasses_a_tank_on_the_wrong_side_of_the_return(draw, bottom, top, T_ret, T_set):
    """A tank colder than the return while heat is drawn (or warmer while heat is
    rejected) is bypassed: supply = return, no heat to the network, no flow through it."""
    tk = small_tank()
    tk.T[:] = np.linspace(bottom, top, tk.T.size)
    E0 = stored_energy(tk.T, tk.params)
    a = acc_of(tank)
    bal = bal0()
    T_s, Q_st = _valve(tk, a, bal, draw, 4.0, 5e4 if draw else -5e4, T_ret, T_set)
    assert T_s == T_ret and Q_st == 0.0
    dE = stored_energy(tk.T, tk.params) - E0
    assert dE == pytest.approx(-bal[B.tank_loss], rel=1e-9)  # only the loss


def test_valve_ports_follow_the_load_not_the_season():
    """Heat rejected in the heating season: the supply leaves the cold bottom and is
    tempered to the setpoint from there."""
    tk = small_tank()
    tk.T[:] = np.linspace(10.0, 30.0, tk.T.size)
    T_s, Q_st = _valve(tk, acc_of(tank), bal0(), True, 3.0, -4e4, 26.0, 20.0)
    assert T_s == pytest.approx(20.0, abs=0.2) and Q_st < 0.0


# --- station totals -----------------------------------------------------------------------


def test_close_step_books_and_resets_the_pump_power():
    a = component_acc(totals, 2, 1)
    bal = bal0()
    bal[:] = 7.0
    bal[B.pump_power] = 1200.0
    totals.close_step(a, 0, 1, DT, bal)
    assert bal[B.pump_power] == 0.0
    assert all(bal[i] == 7.0 for i in range(N_BAL) if i != B.pump_power)
    bal[B.pump_power] = 300.0
    totals.close_step(a, 0, 1, DT, bal)
    assert a.out[1, totals.OUT.P_pumps] == 1500.0 and a.out[0, totals.OUT.P_pumps] == 0.0
    assert a.yearly[0, totals.YR.E_pumps] == pytest.approx(1500.0 * DT)
    totals.close_step(a, 0, 1, DT, bal)  # nothing booked twice
    assert a.yearly[0, totals.YR.E_pumps] == pytest.approx(1500.0 * DT)


def test_pumps_of_the_components_add_up_in_the_totals(built):
    """One step with the network, the GSHP and the borefield pumps running: P_pumps is the
    sum of the three components' own pump outputs."""
    hp_p, hp_s = fresh(built, "heat_pump")
    bf_p, bf_s = fresh(built, "borefield")
    net_p, net_s = network_records()
    acc = {m.NAME: acc_of(m) for m in (heat_pump, borefield, network, totals)}
    bal = bal0()
    ca, cb, pending = borefield.response(bf_p, True)
    _, _, T_in = _hp_step(hp_p, hp_s, acc["heat_pump"], bal, True, ca, cb, bf_p.m_cp,
                          small_tank(T0=25.0))  # fmt: skip
    borefield.advance(bf_p, bf_s, acc["borefield"], 0, 0, 0, False, DT, T_in, pending, bal)
    _advance(net_p, net_s, acc["network"], bal, True, 3.0, 4e4, 4e4, 20.0, 20.0)
    totals.close_step(acc["totals"], 0, 0, DT, bal)
    parts = (
        acc["heat_pump"].out[0, heat_pump.OUT.P_pump_condenser]
        + acc["borefield"].out[0, borefield.OUT.P_pump_borefield]
        + acc["network"].out[0, network.OUT.P_pump_network]
    )
    assert parts > 0 and acc["totals"].out[0, totals.OUT.P_pumps] == pytest.approx(parts)
