"""The district network as a station component: the substations' loads through their
boosters, the network water between the station and the substations, and the network
pump (DESIGN §1–§3).

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
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.heatpump import booster_cops
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
        "heating season: heat the substations could not get at the setpoint (supply at "
        "their node more than network.unmet_tolerance_K below it), bounded by their "
        "demand; model 'lumped': m·c_p·(T_setpoint − T_supply) while heat is drawn",
        "mean"),
    Var("unmet_cooling", "W",
        "cooling season: heat the substations could not reject at the setpoint (supply "
        "at their node more than network.unmet_tolerance_K above it), bounded by their "
        "demand; model 'lumped': m·c_p·(T_supply − T_setpoint) while heat is rejected",
        "mean"),
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
    Var("unmet_heat_year", "kW h",
        "heating shortfall: heat the substations could not get at the setpoint (see "
        "unmet_heat)", "energy"),
    Var("unmet_cooling_year", "kW h",
        "cooling shortfall: heat the substations could not reject at the setpoint (see "
        "unmet_cooling)", "energy"),
    Var("Q_pipes_heating_season", "kW h",
        "heat gained by the network pipes from the soil in the heating season (− = lost)",
        "energy"),
    Var("Q_pipes_cooling_season", "kW h",
        "heat gained by the network pipes from the soil in the cooling season (− = lost)",
        "energy"),
)  # fmt: skip
OUT = index(OUTPUTS, "NetworkOutputs")
YR = index(YEARLY, "NetworkYearly")
PIPE_VARIABLES = ("Q_pipes", "Q_pipes_heating_season", "Q_pipes_cooling_season")
"""Variables reported only with the buried pipes (network.model = "pipes")."""


class LoadParams(NamedTuple):
    """One year of district loads at the 15-min slot resolution, W, and the boosters.

    direct : the net network load is given (``q_direct``) instead of the building loads;
    q_sh, q_dhw, q_sc, q_pvt : space heating, DHW, space cooling, PVT heat into the
    network; q_direct : net network load (+ drawn); booster : booster model parameters
    (:func:`gshp.physics.heatpump.default_booster_params`).
    """

    direct: bool
    q_sh: np.ndarray
    q_dhw: np.ndarray
    q_sc: np.ndarray
    q_pvt: np.ndarray
    q_direct: np.ndarray
    booster: np.ndarray


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
    DHW) and EER of the current slot (lumped); pipes : the pipes' water and slot results."""

    T_return: np.ndarray
    T_supply: np.ndarray
    cops: np.ndarray
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
    load = LoadParams(
        direct=bool(ctx.direct), q_sh=a["q_sh"], q_dhw=a["q_dhw"], q_sc=a["q_sc"],
        q_pvt=a["q_pvt"], q_direct=a["q_direct"], booster=a["booster"],
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
        cops=np.array(booster_cops(first_set, load.booster), dtype=np.float64), pipes=pipes_s,
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
    orow = a.out[o]
    yrow = a.yearly[year]
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
    sets the next step's return. Accounts the unmet heat or cooling and the pump."""
    pp, ps = p.pipes, s.pipes
    sl = ps.slot
    unmet_h = 0.0  # heating side: supply below the setpoint while heat is drawn
    unmet_c = 0.0  # cooling side: supply above the setpoint while heat is rejected
    if pp.enabled:
        # at the substations, bounded by their demand (gshp.physics.network.kernel)
        if heating:
            unmet_h = sl[SL.shortfall_heat]
        else:
            unmet_c = sl[SL.shortfall_cool]
        # the station's supply over the step beyond what entered the network
        sl[SL.owed] += m_net * dt * (T_supply - sl[SL.T_in])
    else:
        draw = Q_net >= 0.0
        if heating and draw:
            unmet_h = max(0.0, m_net * p.node.cp * (T_set - T_supply))
        elif not heating and not draw:
            unmet_c = max(0.0, m_net * p.node.cp * (T_supply - T_set))
        s.T_return[0] = s.T_return[0] + dt * (Q_station - Q_net) / p.node.C
    s.T_supply[0] = T_supply
    P_pump = network_pump_power(p.node, m_net)
    orow = a.out[o]
    yrow = a.yearly[year]
    orow[OUT.T_return] += s.T_return[0]
    orow[OUT.unmet_heat] += unmet_h
    orow[OUT.unmet_cooling] += unmet_c
    orow[OUT.P_pump_network] += P_pump
    yrow[YR.unmet_heat_year] += unmet_h * dt
    yrow[YR.unmet_cooling_year] += unmet_c * dt
    yrow[YR.E_pump_network] += P_pump * dt
    bal[B.pump_power] += P_pump
