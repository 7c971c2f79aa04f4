"""The district network as a station component: the substations' loads through their
boosters, the network water between the station and the substations, and the network
pump (docs/reference-study.md §1–§3).

Two models (``network.model``):

- ``"pipes"`` (default): the buried pipe network (:mod:`.network_pipes`,
  :mod:`gshp.physics.network`), advanced once per 15-min load slot at its start: each
  substation draws its share of the demands through its booster at the supply temperature
  of its node, flows add up along the tree, supply and return pipes carry the water with
  delay and exchange heat with the soil; the station takes the slot's return in each of
  its steps, and what it supplied beyond the slot's inlet is owed to the network (next
  slot's inlet; energy-exact).
- ``"lumped"``: one fully mixed node of heat capacity ``C``; the station's heat enters it
  and the substations' net load leaves it; its temperature is the next step's return
  (explicit Euler, exactly conservative). Booster COPs at the supply of the slot's start.

District → network: heating and DHW draw ``Q·(1 − 1/COP)`` from the network, space
cooling rejects ``Q·(1 + 1/EER)``, PVT heat is rejected as is
(:func:`gshp.physics.heatpump.booster_cops`); a case may give the net load directly.
Flow is variable, ``m = max(|Q|/(c_p·ΔT_design), m_min)``; the network pump follows the
affinity law ``P ∝ V̇³`` on a fixed system curve.

Unmet heat and cooling (docs/network.md): a booster serves its building from any water
inside its source range ``[booster_source_T_min_C, booster_source_T_max_C]`` up to its
capacity; outside the range the substation's whole demand is unmet, above the capacity
the excess (:func:`gshp.physics.network.kernel.booster_unmet`). The model books this
demand as unmet and keeps the network's side as if the booster ran (no backup heater;
the water's temperatures and energies do not depend on the range). The supply deficit is
a different quantity: the heat that would lift the water reaching the substations back to
the setpoint (:func:`gshp.physics.network.kernel.substation_supply_deficit`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.heatpump import booster_cops
from gshp.physics.network.kernel import booster_unmet
from gshp.physics.network.plugflow import pipe_stored
from gshp.physics.water import CP_WATER, RHO_WATER
from gshp.station.balance import B
from gshp.station.components.network_pipes import (
    SL,
    PipesParams,
    PipesState,
    no_pipes,
    pipes_records,
    pipes_slot,
)
from gshp.station.contract import Var, index

NAME = "network"
ORDER = 2

OUTPUTS = (
    Var("T_return", "degC", "network return temperature", "mean"),
    Var("Q_network", "W",
        "net heat drawn from the network by the substations (+ drawn, − rejected)", "mean"),
    Var("P_boosters", "W", "electric power of the substations' booster heat pumps", "mean"),
    Var("unmet_heat", "W",
        "heating and DHW the buildings did not get: demand of substations whose node "
        "water is outside the booster's source range, or above the booster's capacity",
        "mean"),
    Var("unmet_cooling", "W",
        "cooling the buildings did not get: demand of substations whose node water is "
        "outside the booster's source range, or above the booster's capacity", "mean"),
    Var("supply_deficit_heat", "W",
        "heating season: heat that would lift the water reaching the substations that "
        "draw heat to the setpoint less network.unmet_tolerance_K (m·c_p·ΔT, bounded by "
        "their draw; not unmet: the boosters use that water); model 'lumped': "
        "m·c_p·(T_setpoint − T_supply) while heat is drawn", "mean"),
    Var("supply_deficit_cooling", "W",
        "cooling season: heat that would bring the water reaching the substations that "
        "reject heat down to the setpoint plus network.unmet_tolerance_K (bounded by "
        "their rejection); model 'lumped': m·c_p·(T_supply − T_setpoint)", "mean"),
    Var("T_supply_coldest", "degC",
        "supply temperature at the coldest substation (model 'pipes')", "mean"),
    Var("T_supply_coldest_min", "degC",
        "lowest supply temperature at any substation in the interval (model 'pipes')",
        "min"),
    Var("Q_pipes", "W",
        "heat gained by the network water from the soil (+ gained, − lost; model 'pipes')",
        "mean"),
    Var("P_pump_network", "W", "network pump electric power", "mean", ()),
)  # fmt: skip
YEARLY = (
    Var("E_boosters", "kW h", "booster heat pumps' electricity", "energy", ("E_total",)),
    Var("E_boosters_heating_dhw", "kW h", "booster electricity for space heating and DHW",
        "energy"),
    Var("E_boosters_cooling", "kW h", "booster electricity for space cooling", "energy"),
    Var("E_pump_network", "kW h", "network pump electricity", "energy"),
    Var("Q_network_drawn", "kW h", "heat drawn from the network by the substations",
        "energy"),
    Var("Q_network_rejected", "kW h",
        "heat rejected into the network by the substations and PVT", "energy"),
    Var("Q_demand_heat", "kW h",
        "the buildings' space heating and DHW demand served through the boosters (with a "
        "given net network load: the substations' draw)", "energy"),
    Var("Q_demand_cooling", "kW h",
        "the buildings' space cooling demand served through the boosters (with a given "
        "net network load: the substations' rejection)", "energy"),
    Var("unmet_heat_year", "kW h",
        "heating and DHW the buildings did not get (see unmet_heat; ≤ Q_demand_heat)",
        "energy"),
    Var("unmet_cooling_year", "kW h",
        "cooling the buildings did not get (see unmet_cooling; ≤ Q_demand_cooling)",
        "energy"),
    Var("supply_deficit_heat_year", "kW h",
        "heating-season supply deficit at the substations (see supply_deficit_heat)",
        "energy"),
    Var("supply_deficit_cooling_year", "kW h",
        "cooling-season supply deficit at the substations (see supply_deficit_cooling)",
        "energy"),
    Var("Q_pipes_heating_season", "kW h",
        "heat gained by the network pipes from the soil in the heating season (− = lost)",
        "energy"),
    Var("Q_pipes_cooling_season", "kW h",
        "heat gained by the network pipes from the soil in the cooling season (− = lost)",
        "energy"),
)  # fmt: skip
ELEMENT_DIM = "substation"
ELEMENT_OUTPUTS = (
    Var("T_supply_substation", "degC", "supply temperature at each substation's node",
        "mean"),
    Var("T_supply_substation_min", "degC",
        "lowest supply temperature at each substation's node in the interval", "min"),
)  # fmt: skip
OUT = index(OUTPUTS, "NetworkOutputs")
YR = index(YEARLY, "NetworkYearly")
EL = index(ELEMENT_OUTPUTS, "NetworkElements")
PIPE_VARIABLES = (
    "Q_pipes", "Q_pipes_heating_season", "Q_pipes_cooling_season", "T_supply_coldest",
    "T_supply_coldest_min",
)  # fmt: skip
"""Variables reported only with the buried pipes (network.model = "pipes")."""


class LoadParams(NamedTuple):
    """One year of district loads at the 15-min slot resolution, W, and the boosters.

    direct : the net network load is given (``q_direct``) instead of the building loads;
    q_sh, q_dhw, q_sc, q_pvt : space heating, DHW, space cooling, PVT heat into the
    network; q_direct : net network load (+ drawn); booster : booster model parameters
    (:func:`gshp.physics.heatpump.default_booster_params`); T_src_min, T_src_max : the
    boosters' source-water range, °C; capacity : a booster's largest heat (and cooling)
    output, W (``inf``: unlimited; model 'lumped': all the boosters').
    """

    direct: bool
    q_sh: np.ndarray
    q_dhw: np.ndarray
    q_sc: np.ndarray
    q_pvt: np.ndarray
    q_direct: np.ndarray
    booster: np.ndarray
    T_src_min: float
    T_src_max: float
    capacity: float


class NodeParams(NamedTuple):
    """The lumped node and the network pump. cp : water specific heat, J/(kg·K);
    dT_design : substation temperature difference, K; m_min : minimum flow, kg/s;
    m_design : design flow, kg/s; C : heat capacity of the network water, J/K (lumped);
    P_pump_design : network pump power at the design flow, W."""

    cp: float
    dT_design: float
    m_min: float
    m_design: float
    C: float
    P_pump_design: float


class Params(NamedTuple):
    """load : the district loads; node : the lumped node and the pump; pipes : the buried
    pipes (``pipes.enabled`` is False for the lumped model)."""

    load: LoadParams
    node: NodeParams
    pipes: PipesParams


class State(NamedTuple):
    """T_return : (1,) return temperature arriving at the station, °C; T_supply : (1,)
    the station's supply of the last step, °C; cops : (3,) booster COP (space heating,
    DHW) and EER of the current slot (lumped); demand : (2,) the buildings' heating + DHW
    and cooling demand of the current step, W; pipes : the pipes' water and slot results."""

    T_return: np.ndarray
    T_supply: np.ndarray
    cops: np.ndarray
    demand: np.ndarray
    pipes: PipesState


def network_load_nominal(q_sh, q_dhw, q_sc, q_pvt, T_heat, T_cool, booster):
    """Net network load at the nominal setpoints, W (+ drawn)."""
    cop_sh, cop_dhw, _ = booster_cops(T_heat, booster)
    _, _, eer = booster_cops(T_cool, booster)
    return q_sh * (1 - 1 / cop_sh) + q_dhw * (1 - 1 / cop_dhw) - q_sc * (1 + 1 / eer) - q_pvt


def pump_power_W(m_kg_s, rho_kg_m3, pressure_drop_kPa, efficiency):
    """Electric power of a pump moving ``m`` kg/s against ``Δp``, W: ``V̇·Δp/η``."""
    return m_kg_s / rho_kg_m3 * pressure_drop_kPa * 1e3 / efficiency


def build(ctx):
    case = ctx.case
    net = case.network
    a = ctx.arrays
    dt = ctx.dt
    cap = np.inf if net.booster_capacity_kW is None else net.booster_capacity_kW * 1e3
    if ctx.netw is None:  # one node for all the substations
        cap *= case.district.n_buildings
    load = LoadParams(
        direct=bool(ctx.direct), q_sh=a["q_sh"], q_dhw=a["q_dhw"], q_sc=a["q_sc"],
        q_pvt=a["q_pvt"], q_direct=a["q_direct"], booster=a["booster"],
        T_src_min=float(net.booster_source_T_min_C), T_src_max=float(net.booster_source_T_max_C),
        capacity=float(cap),
    )  # fmt: skip
    m_design = max(float(np.max(np.abs(ctx.q_nominal))) / (CP_WATER * net.substation_dT_K), 1e-3)
    C_given = RHO_WATER * net.water_volume_m3 * CP_WATER
    # explicit node: λ = dt·m·c_p/C ≤ 1 keeps it monotone; the flow can exceed the nominal
    # design flow (actual booster COPs, shortfalls), hence the margin of 2
    C_net = max(C_given, 2.0 * dt * m_design * CP_WATER)
    pumps = case.pumps
    P_design = pump_power_W(m_design, RHO_WATER, pumps.network_pressure_drop_kPa, pumps.efficiency)
    netw = ctx.netw
    first_set = ctx.first_setpoint
    if netw is not None:
        netw.model.fill(first_set)
        m_design = netw.m_design_total_kg_s
        # for information only: the pipes carry their own water
        C_net = C_given = RHO_WATER * netw.model.volume_m3 * CP_WATER
        P_design = netw.P_pump_design_W
        pipes_p, pipes_s = pipes_records(
            netw, CP_WATER, net.substation_dT_K, net.unmet_tolerance_K, first_set
        )
    else:
        pipes_p, pipes_s = no_pipes(CP_WATER)
    node = NodeParams(
        cp=CP_WATER, dT_design=float(net.substation_dT_K),
        m_min=float(net.min_flow_fraction * m_design), m_design=float(m_design),
        C=float(C_net), P_pump_design=float(P_design),
    )  # fmt: skip
    ctx.info.update(
        network_design_flow_kg_s=m_design,
        network_heat_capacity_J_K=C_net,
        network_heat_capacity_raised=bool(C_net > C_given),
        P_pump_network_design_W=P_design,
    )
    T_return0 = first_set - net.substation_dT_K * np.sign(ctx.q_nominal[0])
    s = State(
        T_return=np.array([float(T_return0)]), T_supply=np.array([float(first_set)]),
        cops=np.array(booster_cops(first_set, load.booster), dtype=np.float64),
        demand=np.zeros(2), pipes=pipes_s,
    )  # fmt: skip
    return Params(load=load, node=node, pipes=pipes_p), s


def stored_heat(p, s) -> float:
    """Heat in the network water, J (relative to 0 °C): the lumped node's ``C·T_return``,
    or the pipes' water plus what the station supplied that has not yet entered them."""
    if not p.pipes.enabled:
        return p.node.C * float(s.T_return[0])
    ps = s.pipes
    water = sum(pipe_stored(p.pipes.par, ps.fs, ps.ring, ps.buf, j) for j in range(ps.fs.shape[0]))
    return CP_WATER * (water + float(ps.slot[SL.owed]))


def omitted(p) -> tuple:
    return () if p.pipes.enabled else PIPE_VARIABLES


SUBSTATION_SERIES_MAX = 50
"""Largest number of substations whose own supply temperatures are reported (their
series take n_substations × the memory of one; above it only ``T_supply_coldest``)."""


def n_elements(p) -> int:
    """The substations whose node temperatures are reported: all of them up to
    :data:`SUBSTATION_SERIES_MAX`, else none (and none with 'lumped')."""
    n = int(p.pipes.building_pipe.size) if p.pipes.enabled else 0
    return n if n <= SUBSTATION_SERIES_MAX else 0


@kernel_jit(inline="always")
def network_flow(node, Q_net):
    """Network mass flow, kg/s, for the net substation load ``Q_net`` (W)."""
    m_net = abs(Q_net) / (node.cp * node.dT_design)
    if m_net < node.m_min:
        m_net = node.m_min
    return m_net


@kernel_jit(inline="always")
def network_pump_power(node, m_net):
    """Network pump power, W, at flow ``m_net`` (affinity law on a fixed system curve)."""
    v = m_net / node.m_design
    return node.P_pump_design * v * v * v


@kernel_jit(inline="always")
def substations_lumped(ld, slot, cop_sh, cop_dhw, eer):
    """Net load of the substations on the network in one slot, W (+ drawn), and the
    boosters' power for heating/DHW and for cooling, W."""
    if ld.direct:
        return ld.q_direct[slot], 0.0, 0.0
    P_heat = ld.q_sh[slot] / cop_sh + ld.q_dhw[slot] / cop_dhw
    P_cool = ld.q_sc[slot] / eer
    Q_net = ld.q_sh[slot] + ld.q_dhw[slot] - P_heat - ld.q_sc[slot] - P_cool - ld.q_pvt[slot]
    return Q_net, P_heat, P_cool


@kernel_jit(inline="always")
def demand(p, s, a, year, o, dt, slot, in_slot, heating, T_heat_set, T_cool_set, bal):
    """The network's demand on the station in this step.

    Returns (Q_net, m_net): the heat the station must supply, W (the substations' net
    draw less the pipes' gain from the soil), and the network flow, kg/s. The return
    temperature arriving at the station is ``s.T_return[0]``.
    """
    pp, ps = p.pipes, s.pipes
    sl = ps.slot
    if pp.enabled:
        if in_slot == 0:  # once per load slot: substations at their nodes, then the pipes
            s.T_return[0] = pipes_slot(pp, ps, p.load, slot, s.T_supply[0], T_heat_set, T_cool_set)
        Q_subst = sl[SL.Q_substations]
        Q_pipes = sl[SL.Q_pipes]
        P_heat = sl[SL.P_boost_heat]
        P_cool = sl[SL.P_boost_cool]
        m_net = sl[SL.m]
    else:
        if in_slot == 0:
            c = booster_cops(s.T_supply[0], p.load.booster)
            s.cops[0] = c[0]
            s.cops[1] = c[1]
            s.cops[2] = c[2]
        Q_subst, P_heat, P_cool = substations_lumped(p.load, slot, s.cops[0], s.cops[1], s.cops[2])
        Q_pipes = 0.0
        m_net = network_flow(p.node, Q_subst)
    Q_net = Q_subst - Q_pipes
    P_boost = P_heat + P_cool
    ld = p.load
    if ld.direct:
        q = ld.q_direct[slot]
        s.demand[0] = q if q > 0.0 else 0.0
        s.demand[1] = -q if q < 0.0 else 0.0
    else:
        s.demand[0] = ld.q_sh[slot] + ld.q_dhw[slot]
        s.demand[1] = ld.q_sc[slot]
    orow = a.out[o]
    yrow = a.yearly[year]
    yrow[YR.Q_demand_heat] += s.demand[0] * dt
    yrow[YR.Q_demand_cooling] += s.demand[1] * dt
    orow[OUT.Q_network] += Q_subst
    orow[OUT.Q_pipes] += Q_pipes
    orow[OUT.P_boosters] += P_boost
    yrow[YR.E_boosters] += P_boost * dt
    yrow[YR.E_boosters_heating_dhw] += P_heat * dt
    yrow[YR.E_boosters_cooling] += P_cool * dt
    if Q_subst > 0.0:
        yrow[YR.Q_network_drawn] += Q_subst * dt
    else:
        yrow[YR.Q_network_rejected] -= Q_subst * dt
    if heating:
        yrow[YR.Q_pipes_heating_season] += Q_pipes * dt
    else:
        yrow[YR.Q_pipes_cooling_season] += Q_pipes * dt
    bal[B.network_load] += Q_net * dt
    bal[B.throughput] += abs(Q_net) * dt
    return Q_net, m_net


@kernel_jit(inline="always")
def advance(p, s, a, year, o, dt, heating, m_net, Q_net, Q_station, T_set, T_supply, bal):
    """The network water after the station's supply ``T_supply`` (°C, heat ``Q_station``
    W): the pipes are owed the station's supply beyond the slot's inlet; the lumped node
    sets the next step's return. Accounts the unmet heat and cooling, the supply deficit,
    the substations' supply temperatures and the pump."""
    pp, ps = p.pipes, s.pipes
    sl = ps.slot
    deficit_h = 0.0  # heating side: supply below the setpoint while heat is drawn
    deficit_c = 0.0  # cooling side: supply above the setpoint while heat is rejected
    orow = a.out[o]
    if pp.enabled:
        # at the substations (gshp.physics.network.kernel), from the slot's node water
        unmet_h = sl[SL.unmet_heat]
        unmet_c = sl[SL.unmet_cool]
        if heating:
            deficit_h = sl[SL.deficit_heat]
        else:
            deficit_c = sl[SL.deficit_cool]
        # the station's supply over the step beyond what entered the network
        sl[SL.owed] += m_net * dt * (T_supply - sl[SL.T_in])
        erow = a.elem[o]
        each = erow.shape[0] == ps.T_node.size  # each substation's series (n_elements)
        T_cold = np.inf
        for b in range(ps.T_node.size):
            T_b = ps.T_node[b]
            if each:
                erow[b, EL.T_supply_substation] += T_b
                if T_b < erow[b, EL.T_supply_substation_min]:
                    erow[b, EL.T_supply_substation_min] = T_b
            if T_b < T_cold:
                T_cold = T_b
        orow[OUT.T_supply_coldest] += T_cold
        if T_cold < orow[OUT.T_supply_coldest_min]:
            orow[OUT.T_supply_coldest_min] = T_cold
    else:
        # one node: the boosters get the station's supply
        ld = p.load
        unmet_h, unmet_c = booster_unmet(
            s.demand[0], s.demand[1], T_supply, ld.T_src_min, ld.T_src_max, ld.capacity
        )
        draw = Q_net >= 0.0
        if heating and draw:
            deficit_h = max(0.0, m_net * p.node.cp * (T_set - T_supply))
        elif not heating and not draw:
            deficit_c = max(0.0, m_net * p.node.cp * (T_supply - T_set))
        s.T_return[0] = s.T_return[0] + dt * (Q_station - Q_net) / p.node.C
    s.T_supply[0] = T_supply
    P_pump = network_pump_power(p.node, m_net)
    yrow = a.yearly[year]
    orow[OUT.T_return] += s.T_return[0]
    orow[OUT.unmet_heat] += unmet_h
    orow[OUT.unmet_cooling] += unmet_c
    orow[OUT.supply_deficit_heat] += deficit_h
    orow[OUT.supply_deficit_cooling] += deficit_c
    orow[OUT.P_pump_network] += P_pump
    yrow[YR.unmet_heat_year] += unmet_h * dt
    yrow[YR.unmet_cooling_year] += unmet_c * dt
    yrow[YR.supply_deficit_heat_year] += deficit_h * dt
    yrow[YR.supply_deficit_cooling_year] += deficit_c * dt
    yrow[YR.E_pump_network] += P_pump * dt
    bal[B.pump_power] += P_pump
