"""The station kernel: one compiled loop over every time step of a run.

Each step couples the station's components in the order of the energy balance
(DESIGN §1–§3; the records and step functions live in :mod:`gshp.station.components`):

1. **District → network** (:mod:`~gshp.station.components.load`): the slot's building loads
   become the net network load through the boosters; the network flow follows
   (:mod:`~gshp.station.components.network`).
2. **Controls** (:mod:`~gshp.station.control.controller`): season and setpoint, GSHP and bypass
   switching on the tank sensor.
3. **GSHP or bypass ↔ borefield** (:mod:`~gshp.station.components.heat_pump`,
   :mod:`~gshp.station.components.bypass`, :mod:`~gshp.station.components.borefield`), solved
   consistently within the step against the borefield's affine response.
4. **Tank and tempering valve** (:mod:`~gshp.station.components.tank`).
5. **Network water.** ``network.model = "pipes"`` (default, :mod:`gshp.physics.network`): the
   buried pipe network is advanced once per 15-min load slot, at its start
   (:func:`gshp.station.components.pipes.pipes_slot`): each substation draws its share of the
   demands through its booster at the supply temperature of its node, flows add up
   along the tree, supply and return pipes carry the water with delay and exchange heat
   with the soil; the station takes the slot's return in each of its steps, and what it
   supplied beyond the slot's inlet is owed to the network (next slot's inlet;
   energy-exact). ``"lumped"`` (:mod:`~gshp.station.components.network`): one mixed node gains
   the station's heat, gives the substations' load and sets the next step's return.

Outputs and yearly indicators are declared once here (:data:`OUTPUTS`,
:data:`YEARLY`, :data:`DERIVED`); the accumulators, the dataset variables and their
attributes (:mod:`gshp.station.simulation`) derive from these declarations, and the kernel
addresses them by name (``orow[O.T_supply]``, ``yrow[Y.E_gshp]``). They live
in this file on purpose: numba's cache notices a change of this file, not of another
module's globals. All per-step work is allocation-free.
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.station.components.borefield import (
    GROUND_NO_PENDING,
    BorefieldParams,
    BorefieldState,
    ground_advance,
    ground_coeffs,
    ground_wall_heat,
)
from gshp.station.components.bypass import bypass_heat, bypass_inlet
from gshp.station.components.clock import ClockParams
from gshp.station.components.heat_pump import GshpParams, gshp_step
from gshp.station.components.load import LoadParams, LoadState, booster_cops_at, network_load
from gshp.station.components.network import (
    NetworkParams,
    NetworkState,
    network_flow,
    network_node_step,
    network_pump_power,
)
from gshp.station.components.pipes import (
    S_M,
    S_PBC,
    S_PBH,
    S_PEND,
    S_QB,
    S_QP,
    S_SH_C,
    S_SH_H,
    S_T_IN,
    PipesParams,
    PipesState,
    pipes_slot,
)
from gshp.station.components.tank import tank_valve_step
from gshp.station.control.controller import (
    ControlParams,
    ControlState,
    daily_setpoint,
    season_mode,
    switch,
)


class Var(NamedTuple):
    """Declaration of one output or yearly indicator.

    aggregation — time series: ``mean`` (mean over the output interval) or ``majority``
    (a 0/1 flag, ≥ 0.5 of the interval). Yearly: ``energy`` (sum of W·dt in J, reported
    in kWh), ``count`` (integer count), ``min``/``max`` (extreme; NaN when never
    reached), ``mean`` (sum over the year's steps / ``steps``), ``heating_mean`` (sum
    over heating-season steps / ``heating_steps``), ``kelvin_hours`` (sum of K·dt in K·s,
    reported in K·h), ``internal`` (kernel use only, not
    reported).
    """

    name: str
    units: str  # UDUNITS spelling, as CF wants in the files: degC, W, kW h, 1
    long_name: str
    aggregation: str


# ---- output time series -------------------------------------------------------------------
OUTPUTS = (
    Var("T_supply", "degC", "network supply temperature (after the tempering valve)", "mean"),
    Var("T_return", "degC", "network return temperature", "mean"),
    Var("T_setpoint", "degC", "network supply setpoint", "mean"),
    Var("T_tank_top", "degC", "tank top layer temperature", "mean"),
    Var("T_tank_bottom", "degC", "tank bottom layer temperature", "mean"),
    Var("T_bhe_in", "degC", "borefield inlet fluid temperature", "mean"),
    Var("T_bhe_out", "degC", "borefield outlet fluid temperature", "mean"),
    Var("T_borehole_wall", "degC", "mean borehole wall temperature", "mean"),
    Var("Q_network", "W",
        "net heat drawn from the network by the substations (+ drawn, − rejected)", "mean"),
    Var("Q_condenser", "W", "GSHP condenser heat", "mean"),
    Var("Q_evaporator", "W", "GSHP evaporator heat", "mean"),
    Var("P_gshp", "W", "GSHP electric power", "mean"),
    Var("Q_ground", "W",
        "heat extracted from the ground by the borefield fluid (+ extracted, − injected)",
        "mean"),
    Var("Q_bypass", "W",
        "heat removed from the tank by the borefield through the coil (cooling bypass)",
        "mean"),
    Var("P_boosters", "W", "electric power of the substations' booster heat pumps", "mean"),
    Var("P_pumps", "W", "electric power of the circulation pumps", "mean"),
    Var("gshp_on_fraction", "1", "fraction of time the GSHP runs", "mean"),
    Var("mode", "1", "season: 0 heating, 1 cooling (majority over the interval)", "majority"),
    Var("unmet_heat", "W",
        "heating season: heat the substations could not get at the setpoint (supply at "
        "their node more than network.unmet_tolerance_K below it), bounded by their "
        "demand; model 'lumped': m·c_p·(T_setpoint − T_supply) while heat is drawn",
        "mean"),
    Var("bypass_on_fraction", "1", "fraction of time the cooling bypass runs", "mean"),
    Var("Q_tank_loss", "W", "tank heat loss to the plant room", "mean"),
    Var("unmet_cooling", "W",
        "cooling season: heat the substations could not reject at the setpoint (supply "
        "at their node more than network.unmet_tolerance_K above it), bounded by their "
        "demand; model 'lumped': m·c_p·(T_supply − T_setpoint) while heat is rejected",
        "mean"),
    Var("Q_pipes", "W",
        "heat gained by the network water from the soil (+ gained, − lost; model 'pipes')",
        "mean"),
)  # fmt: skip

# ---- yearly indicators (accumulated in J, °C or counts) -----------------------------------
YEARLY = (
    Var("E_gshp", "kW h", "GSHP electricity", "energy"),
    Var("E_boosters", "kW h", "booster heat pumps' electricity", "energy"),
    Var("E_boosters_heating_dhw", "kW h", "booster electricity for space heating and DHW",
        "energy"),
    Var("E_boosters_cooling", "kW h", "booster electricity for space cooling", "energy"),
    Var("E_pumps", "kW h", "circulation pumps' electricity", "energy"),
    Var("E_pump_borefield", "kW h", "borefield pump electricity", "energy"),
    Var("E_pump_network", "kW h", "network pump electricity", "energy"),
    Var("E_pump_condenser", "kW h", "condenser-loop pump electricity", "energy"),
    Var("Q_condenser_year", "kW h", "GSHP condenser heat", "energy"),
    Var("Q_evaporator_year", "kW h", "GSHP evaporator heat", "energy"),
    Var("Q_ground_extracted", "kW h", "heat extracted from the ground", "energy"),
    Var("Q_ground_injected", "kW h", "heat injected into the ground", "energy"),
    Var("Q_network_drawn", "kW h", "heat drawn from the network by the substations",
        "energy"),
    Var("Q_network_rejected", "kW h",
        "heat rejected into the network by the substations and PVT", "energy"),
    Var("Q_bypass_year", "kW h", "heat removed by the cooling bypass", "energy"),
    Var("unmet_heat_year", "kW h",
        "heating shortfall: heat the substations could not get at the setpoint (see "
        "unmet_heat)", "energy"),
    Var("unmet_cooling_year", "kW h",
        "cooling shortfall: heat the substations could not reject at the setpoint (see "
        "unmet_cooling)", "energy"),
    Var("T_bhe_out_min", "degC", "lowest borefield outlet temperature while the pump runs",
        "min"),
    Var("T_bhe_out_max", "degC", "highest borefield outlet temperature while the pump runs",
        "max"),
    Var("T_bhe_in_min", "degC", "lowest borefield inlet temperature while the pump runs",
        "min"),
    Var("T_borehole_wall_mean", "degC", "mean borehole wall temperature", "mean"),
    Var("T_supply_heating_mean", "degC",
        "mean network supply temperature in the heating season", "heating_mean"),
    Var("freezing_steps", "1", "steps with borefield fluid below its freezing point",
        "count"),
    Var("envelope_clamped_steps", "1",
        "GSHP steps in performance-table cells touching points where the compressor ran "
        "at the limit of its operating envelope (map clamped, not extrapolated)", "count"),
    Var("table_edge_steps", "1",
        "GSHP steps outside the performance table's temperature range (edge values)",
        "count"),
    Var("gshp_starts", "1", "GSHP starts", "count"),
    Var("steps", "1", "steps in the year", "internal"),
    Var("heating_steps", "1", "heating-season steps in the year", "internal"),
    Var("Q_pipes_heating_season", "kW h",
        "heat gained by the network pipes from the soil in the heating season (− = lost)",
        "energy"),
    Var("Q_pipes_cooling_season", "kW h",
        "heat gained by the network pipes from the soil in the cooling season (− = lost)",
        "energy"),
    Var("setpoint_deviation_heating", "K h",
        "heating season: station supply below its setpoint, kelvin-hours", "kelvin_hours"),
    Var("setpoint_deviation_cooling", "K h",
        "cooling season: station supply above its setpoint, kelvin-hours", "kelvin_hours"),
)  # fmt: skip

J_PER_KWH = 3.6e6


def _scop(y):
    return y["Q_condenser_year"] / y["E_gshp"]


def _e_total(y):
    return (y["E_gshp"] + y["E_boosters"] + y["E_pumps"]) / J_PER_KWH


DERIVED = (
    (Var("scop_gshp", "1", "seasonal COP of the GSHP (condenser heat / electricity)",
         "derived"), _scop),
    (Var("E_total", "kW h", "electricity of GSHP, boosters and pumps", "derived"), _e_total),
)  # fmt: skip
"""Yearly indicators computed from the raw yearly accumulators (``y[name]``, J or °C)."""

O = namedtuple("OutputIndex", [v.name for v in OUTPUTS])(*range(len(OUTPUTS)))
"""Column of each output in the ``out`` accumulator (``O.T_supply`` …)."""
Y = namedtuple("YearlyIndex", [v.name for v in YEARLY])(*range(len(YEARLY)))
"""Column of each yearly indicator in the ``yearly`` accumulator (``Y.E_gshp`` …)."""
N_OUT = len(OUTPUTS)
N_YEAR = len(YEARLY)

# ---- monthly sums (J) for the monthly COP -------------------------------------------------
M_QC, M_EHP = 0, 1
N_MONTHLY = 2

# ---- energy-balance sums over the whole run (J; B_TRET: final return temperature, °C) ---
(B_STATION, B_TCOIL, B_TLOSS, B_NTO, B_BFQ, B_HPRES, B_THRU, B_TRET, B_BFWALL, B_COUPLE) = range(10)
N_BAL = 10

# ---- status ---------------------------------------------------------------------------
STATUS_OK = 0
STATUS_NONFINITE = 1
NONFINITE_NAMES = ("T_bhe_out", "T_tank_top", "T_supply", "Q_network", "T_return")


class StationParams(NamedTuple):
    """The parameter records of all components (built once by
    :func:`gshp.station.simulation.prepare`). ``tank`` and ``ground`` hold their own state arrays
    (:class:`gshp.physics.tank.TankKernel`, :class:`gshp.physics.borefield.model.BorefieldKernel`)."""

    clock: ClockParams
    load: LoadParams
    control: ControlParams
    gshp: GshpParams
    borefield: BorefieldParams
    ground: object
    tank: object
    network: NetworkParams
    pipes: PipesParams


class StationState(NamedTuple):
    """The state records carried between kernel calls (chunked runs)."""

    load: LoadState
    control: ControlState
    borefield: BorefieldState
    network: NetworkState
    pipes: PipesState


class Accumulators(NamedTuple):
    """The kernel's accumulators.

    out : (n_out, N_OUT) sums of the time series over each output interval; counts :
    (n_out,) steps in each interval; yearly : (n_years, N_YEAR); monthly :
    (n_years·12, N_MONTHLY); bal : (N_BAL,) energy-balance sums; status : (3,) error
    code, step, variable index (``NONFINITE_NAMES``).
    """

    out: np.ndarray
    counts: np.ndarray
    yearly: np.ndarray
    monthly: np.ndarray
    bal: np.ndarray
    status: np.ndarray


def accumulators(n_out: int, n_years: int) -> Accumulators:
    """Fresh accumulators; extremes start at ±inf (from the ``YEARLY`` aggregation)."""
    yearly = np.zeros((n_years, N_YEAR))
    for i, v in enumerate(YEARLY):
        if v.aggregation == "min":
            yearly[:, i] = np.inf
        elif v.aggregation == "max":
            yearly[:, i] = -np.inf
    return Accumulators(
        out=np.zeros((n_out, N_OUT)),
        counts=np.zeros(n_out),
        yearly=yearly,
        monthly=np.zeros((n_years * 12, N_MONTHLY)),
        bal=np.zeros(N_BAL),
        status=np.zeros(3, dtype=np.int64),
    )


@kernel_jit(error_model="numpy")
def run_kernel(k_start, k_stop, par, st, acc):
    """Run steps ``k_start`` … ``k_stop − 1`` of a case (see the module docstring).

    ``par`` (:class:`StationParams`) holds the components' parameter records, ``st``
    (:class:`StationState`) their state, carried between calls so that a run can be done
    in chunks (progress display, sizing by month) with results identical to one call;
    ``acc`` (:class:`Accumulators`) receives the outputs, yearly and monthly indicators,
    energy-balance sums and the status.
    """
    clk, ctl, hp, bfp, net = par.clock, par.control, par.gshp, par.borefield, par.network
    ground, tank = par.ground, par.tank
    out, counts, yearly, monthly, bal, status = acc
    dt = clk.dt
    n_slots = par.load.q_sh.size
    tank_T = tank.T
    n_layers = tank_T.size
    m_bf = bfp.m
    m_cp_bf = m_bf * bfp.cp
    cp_w = net.cp
    pp, ps = par.pipes, st.pipes
    pipes = pp.enabled
    psl = ps.slot

    # state: hot scalars are kept local, read here and written back at the end
    cs = st.control
    hp_on = int(cs.hp_on[0])
    by_on = int(cs.by_on[0])
    t_hp = cs.t_hp[0]
    t_by = cs.t_by[0]
    prev_mode = int(cs.prev_mode[0])
    ad_T = cs.ad_T[0]
    override = int(cs.override[0])
    day_sh = cs.day_sh[0]
    day_dhw = cs.day_dhw[0]
    day_pvt = cs.day_pvt[0]
    day_tsrc = cs.day_tsrc[0]
    day_nsrc = cs.day_nsrc[0]
    cop_sh, cop_dhw, eer = st.load.cops[0], st.load.cops[1], st.load.cops[2]
    T_return = st.network.T_return[0]
    T_supply_prev = st.network.T_supply[0]
    T_bhe_out = st.borefield.T_out[0]
    T_bhe_in = st.borefield.T_in[0]
    T_src_guess = st.borefield.T_src_guess[0]

    # the clock as counters, advanced at the end of each step (integer divisions are
    # slow): year = k // steps_per_year, k_in_year = k % steps_per_year,
    # in_slot = k_in_year % steps_per_slot, slot_k = k_in_year // steps_per_slot,
    # in_day = k % steps_per_day
    spy, sps, spd = clk.steps_per_year, clk.steps_per_slot, clk.steps_per_day
    year = k_start // spy
    k_in_year = k_start - year * spy
    slot_k = k_in_year // sps
    in_slot = k_in_year - slot_k * sps
    in_day = k_start % spd
    for k in range(k_start, min(k_stop, clk.n_steps)):
        yrow = yearly[year]  # a row view: one index check per step instead of one per column
        slot = slot_k if slot_k < n_slots else slot_k % n_slots
        base_mode = ctl.season[slot]

        # ---- once a day: adaptive setpoint move, season rule decides again -------------
        if in_day == 0:
            if ctl.adaptive and k > 0 and base_mode == 0 and day_sh + day_dhw > 0.0:
                T_src = day_tsrc / day_nsrc if day_nsrc > 0 else T_bhe_out
                T_soil_day = pp.T_soil[slot, 0] if pipes else 0.0
                ad_T = daily_setpoint(
                    ctl, ad_T, day_sh, day_dhw, day_pvt, T_src, par.load.booster, hp, pp.UA,
                    T_soil_day, net.dT_design,
                )  # fmt: skip
            day_sh = 0.0
            day_dhw = 0.0
            day_pvt = 0.0
            day_tsrc = 0.0
            day_nsrc = 0.0
            override = 0
        mode, override, T_set = season_mode(
            ctl, slot, base_mode, override, ad_T, tank_T[0], tank_T[n_layers - 1]
        )
        heating = mode == 0

        # ---- 1. district -> network load ----------------------------------------------
        if pipes:
            # once per load slot: substations at their nodes, then the pipe network
            if in_slot == 0:
                T_heat = ad_T if ctl.adaptive else ctl.sp_heat[slot]
                T_return = pipes_slot(
                    pp, ps, par.load, slot, T_supply_prev, T_heat, ctl.sp_cool[slot]
                )
            Q_subst = psl[S_QB]
            Q_pipes = psl[S_QP]
            Q_net = Q_subst - Q_pipes  # what the network needs from the station
            P_boost_heat = psl[S_PBH]
            P_boost_cool = psl[S_PBC]
            P_boost = P_boost_heat + P_boost_cool
            m_net = psl[S_M]
            if not par.load.direct:
                day_sh += par.load.q_sh[slot] * dt
                day_dhw += par.load.q_dhw[slot] * dt
                day_pvt += par.load.q_pvt[slot] * dt
        else:
            if in_slot == 0:
                cop_sh, cop_dhw, eer = booster_cops_at(par.load, T_supply_prev)
            Q_net, P_boost, P_boost_heat, P_boost_cool, Qsh, Qdhw, Qpvt = network_load(
                par.load, slot, cop_sh, cop_dhw, eer
            )
            day_sh += Qsh * dt
            day_dhw += Qdhw * dt
            day_pvt += Qpvt * dt
            Q_subst = Q_net
            Q_pipes = 0.0
            m_net = network_flow(net, Q_net)
        if not np.isfinite(Q_net):
            status[0] = STATUS_NONFINITE
            status[1] = k
            status[2] = 3
            break

        # ---- 2. controls -----------------------------------------------------------------
        hp_on, by_on, t_hp, t_by, started = switch(
            ctl, dt, mode, prev_mode, T_set, tank_T[ctl.sensor], hp_on, by_on, t_hp, t_by
        )
        prev_mode = mode
        if started == 1:
            yrow[Y.gshp_starts] += 1.0

        # ---- 3. GSHP / bypass <-> borefield ----------------------------------------------
        Q_c = 0.0
        Q_e = 0.0
        P_hp = 0.0
        Q_coil = 0.0
        G_coil = 0.0
        edge = 0.0
        envelope = 0.0
        T_in = T_bhe_out  # pump off: the value is not used
        m_run = 0.0
        pending = GROUND_NO_PENDING
        if hp_on == 1 or by_on == 1:
            m_run = m_bf
            a, b, pending = ground_coeffs(ground, m_bf)
            if hp_on == 1:
                Q_c, Q_e, P_hp, edge, envelope, T_in = gshp_step(
                    hp, a, b, m_cp_bf, tank_T, tank.params, T_src_guess
                )
                Q_coil = Q_c
                G_coil = hp.G_coil
            else:
                T_in, G_coil = bypass_inlet(a, b, tank_T, tank.params, bfp.eps_bypass, m_cp_bf)
        T_bhe_out, Q_g, T_wall, _T_fm = ground_advance(ground, T_in, m_run, pending)
        T_bhe_in = T_in if m_run > 0.0 else T_bhe_out
        Q_by = 0.0
        if hp_on == 1:
            T_src_guess = T_bhe_out
        elif by_on == 1:
            Q_by = bypass_heat(m_cp_bf, T_bhe_in, T_bhe_out)
            Q_coil = -Q_by

        # ---- 4. tempering valve and tank -------------------------------------------------
        T_supply, Q_station, Q_loss, draw = tank_valve_step(
            tank, dt, m_net, Q_net, T_return, T_set, Q_coil, G_coil, cp_w
        )
        # unmet: the supply misses the setpoint on the side that matters for the season
        unmet = 0.0  # heating side: supply below the setpoint while heat is drawn
        unmet_c = 0.0  # cooling side: supply above the setpoint while heat is rejected
        if pipes:
            # at the substations, bounded by their demand (gshp.physics.network.kernel)
            if heating:
                unmet = psl[S_SH_H]
            else:
                unmet_c = psl[S_SH_C]
        elif heating and draw:
            unmet = max(0.0, m_net * cp_w * (T_set - T_supply))
        elif not heating and not draw:
            unmet_c = max(0.0, m_net * cp_w * (T_supply - T_set))

        # ---- 5. network water --------------------------------------------------------------
        if pipes:
            # the station's supply over the step beyond what entered the network
            psl[S_PEND] += m_net * dt * (T_supply - psl[S_T_IN])
        else:
            T_return = network_node_step(net, dt, T_return, Q_station, Q_net)

        # ---- pumps -------------------------------------------------------------------------
        P_bf = bfp.P_pump if m_run > 0.0 else 0.0
        P_cond = hp.P_pump_condenser if hp_on == 1 else 0.0
        P_net = network_pump_power(net, m_net)
        P_pumps = P_bf + P_cond + P_net

        # ---- checks -------------------------------------------------------------------------
        bad = -1
        if not np.isfinite(T_bhe_out):
            bad = 0
        elif not np.isfinite(tank_T[n_layers - 1]):
            bad = 1
        elif not np.isfinite(T_supply):
            bad = 2
        elif not np.isfinite(T_return):
            bad = 4
        if bad >= 0:
            status[0] = STATUS_NONFINITE
            status[1] = k
            status[2] = bad
            break

        # ---- accumulate (columns declared in OUTPUTS / YEARLY) ------------------------------
        if clk.out_step:
            o = k
        else:
            o = year * clk.n_out_per_year + clk.out_slot[slot]
        orow = out[o]  # a row view: one index check per step instead of one per column
        orow[O.T_supply] += T_supply
        orow[O.T_return] += T_return
        orow[O.T_setpoint] += T_set
        orow[O.T_tank_top] += tank_T[n_layers - 1]
        orow[O.T_tank_bottom] += tank_T[0]
        orow[O.T_bhe_in] += T_bhe_in
        orow[O.T_bhe_out] += T_bhe_out
        orow[O.T_borehole_wall] += T_wall
        orow[O.Q_network] += Q_subst
        orow[O.Q_pipes] += Q_pipes
        orow[O.Q_condenser] += Q_c
        orow[O.Q_evaporator] += Q_e
        orow[O.P_gshp] += P_hp
        orow[O.Q_ground] += Q_g
        orow[O.Q_bypass] += Q_by
        orow[O.P_boosters] += P_boost
        orow[O.P_pumps] += P_pumps
        orow[O.gshp_on_fraction] += hp_on
        orow[O.mode] += mode
        orow[O.unmet_heat] += unmet
        orow[O.unmet_cooling] += unmet_c
        orow[O.bypass_on_fraction] += by_on
        orow[O.Q_tank_loss] += Q_loss
        counts[o] += 1.0

        yrow[Y.E_gshp] += P_hp * dt
        yrow[Y.Q_condenser_year] += Q_c * dt
        yrow[Y.Q_evaporator_year] += Q_e * dt
        yrow[Y.E_boosters] += P_boost * dt
        yrow[Y.E_boosters_heating_dhw] += P_boost_heat * dt
        yrow[Y.E_boosters_cooling] += P_boost_cool * dt
        yrow[Y.E_pumps] += P_pumps * dt
        yrow[Y.E_pump_borefield] += P_bf * dt
        yrow[Y.E_pump_network] += P_net * dt
        yrow[Y.E_pump_condenser] += P_cond * dt
        if Q_g > 0.0:
            yrow[Y.Q_ground_extracted] += Q_g * dt
        else:
            yrow[Y.Q_ground_injected] -= Q_g * dt
        if m_run > 0.0:
            if T_bhe_out < yrow[Y.T_bhe_out_min]:
                yrow[Y.T_bhe_out_min] = T_bhe_out
            if T_bhe_out > yrow[Y.T_bhe_out_max]:
                yrow[Y.T_bhe_out_max] = T_bhe_out
            if T_bhe_in < yrow[Y.T_bhe_in_min]:
                yrow[Y.T_bhe_in_min] = T_bhe_in
            if T_bhe_in < bfp.T_freeze:
                yrow[Y.freezing_steps] += 1.0
            if hp_on == 1:
                day_tsrc += T_bhe_out
                day_nsrc += 1.0
        yrow[Y.T_borehole_wall_mean] += T_wall
        yrow[Y.unmet_heat_year] += unmet * dt
        yrow[Y.unmet_cooling_year] += unmet_c * dt
        if Q_subst > 0.0:
            yrow[Y.Q_network_drawn] += Q_subst * dt
        else:
            yrow[Y.Q_network_rejected] -= Q_subst * dt
        yrow[Y.Q_bypass_year] += Q_by * dt
        yrow[Y.envelope_clamped_steps] += envelope
        yrow[Y.table_edge_steps] += edge
        yrow[Y.steps] += 1.0
        if heating:
            yrow[Y.T_supply_heating_mean] += T_supply
            yrow[Y.heating_steps] += 1.0
            yrow[Y.Q_pipes_heating_season] += Q_pipes * dt
            if T_supply < T_set:
                yrow[Y.setpoint_deviation_heating] += (T_set - T_supply) * dt
        else:
            yrow[Y.Q_pipes_cooling_season] += Q_pipes * dt
            if T_supply > T_set:
                yrow[Y.setpoint_deviation_cooling] += (T_supply - T_set) * dt
        mrow = monthly[year * 12 + clk.month[slot] - 1]
        mrow[M_QC] += Q_c * dt
        mrow[M_EHP] += P_hp * dt

        bal[B_STATION] += Q_station * dt
        bal[B_TCOIL] += Q_coil * dt
        bal[B_TLOSS] += Q_loss * dt
        bal[B_NTO] += Q_net * dt
        bal[B_BFQ] += Q_g * dt
        bal[B_BFWALL] += ground_wall_heat(ground) * dt
        bal[B_HPRES] += (Q_c - Q_e - P_hp) * dt
        # the borefield fluid's heat is the evaporator's (GSHP) or the coil's (bypass)
        bal[B_COUPLE] += (Q_g - Q_e + Q_by) * dt
        bal[B_THRU] += (abs(Q_net) + Q_c + abs(Q_by) + abs(Q_loss)) * dt

        T_supply_prev = T_supply

        # ---- clock: the next step's counters ----------------------------------------------
        k_in_year += 1
        if k_in_year == spy:
            year += 1
            k_in_year = 0
            slot_k = 0
            in_slot = 0
        else:
            in_slot += 1
            if in_slot == sps:
                in_slot = 0
                slot_k += 1
        in_day += 1
        if in_day == spd:
            in_day = 0

    cs.hp_on[0] = hp_on
    cs.by_on[0] = by_on
    cs.t_hp[0] = t_hp
    cs.t_by[0] = t_by
    cs.prev_mode[0] = prev_mode
    cs.ad_T[0] = ad_T
    cs.override[0] = override
    cs.day_sh[0] = day_sh
    cs.day_dhw[0] = day_dhw
    cs.day_pvt[0] = day_pvt
    cs.day_tsrc[0] = day_tsrc
    cs.day_nsrc[0] = day_nsrc
    st.load.cops[0] = cop_sh
    st.load.cops[1] = cop_dhw
    st.load.cops[2] = eer
    st.network.T_return[0] = T_return
    st.network.T_supply[0] = T_supply_prev
    st.borefield.T_out[0] = T_bhe_out
    st.borefield.T_in[0] = T_bhe_in
    st.borefield.T_src_guess[0] = T_src_guess
    bal[B_TRET] = T_return
