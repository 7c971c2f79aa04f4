"""Station controls as a component: the day's strategy update, the season and its
setpoint, and the on/off switching of the GSHP and the cooling bypass (docs/reference-study.md §2).

Season from the precomputed season array (:mod:`gshp.station.control.rules`), with a
protective override until midnight; the heating setpoint from the network strategy
(:mod:`gshp.station.control.strategies`); the GSHP (heating season) and the bypass
(cooling season) switch on a tank sensor with hysteresis and minimum run and rest times
(:func:`gshp.station.control.rules.hysteresis`); a season change stops the unit of the
other season at once.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.station.components.clock import SLOT_S, SLOTS_PER_YEAR
from gshp.station.contract import Var, index
from gshp.station.control import reference, rules
from gshp.station.control.rules import hysteresis
from gshp.station.control.strategies import adaptive, strategy

NAME = "control"
ORDER = 1

OUTPUTS = (
    Var("T_setpoint", "degC", "network supply setpoint", "mean"),
    Var("mode", "1", "season: 0 heating, 1 cooling (majority over the interval)", "majority"),
)
YEARLY = (Var("gshp_starts", "1", "GSHP starts", "count"),)
OUT = index(OUTPUTS, "ControlOutputs")
YR = index(YEARLY, "ControlYearly")

ADAPTIVE = adaptive.ID


class Params(NamedTuple):
    """sensor : tank layer of the control sensor (0 = bottom); hp_on_K, hp_off_K : GSHP
    switching offsets from the setpoint, K; by_on_K, by_off_K : bypass offsets, K;
    min_on_s, min_off_s : minimum run and rest times, s; strategy : the setpoint
    strategy's ``ID``; ad_T_min, ad_T_max, ad_step : the adaptive strategy's bounds (°C)
    and daily step (K); ad_sink_offset : GSHP sink above the setpoint in its estimate, K;
    override_margin : margin of the season override, K; season : (n_slots,) 0 heating,
    1 cooling; sp_heat, sp_cool : (n_slots,) supply setpoints, °C; reference : where the
    setpoint holds (:mod:`gshp.station.control.reference`: 0 plant, 1 critical node);
    crit_T_max, crit_T_min : the plant's highest heating and lowest cooling supply with the
    critical node, °C; crit_gain : its controller's gain, 1/slot."""

    sensor: int
    hp_on_K: float
    hp_off_K: float
    by_on_K: float
    by_off_K: float
    min_on_s: float
    min_off_s: float
    strategy: int
    ad_T_min: float
    ad_T_max: float
    ad_step: float
    ad_sink_offset: float
    override_margin: float
    season: np.ndarray
    sp_heat: np.ndarray
    sp_cool: np.ndarray
    reference: int
    crit_T_max: float
    crit_T_min: float
    crit_gain: float


class State(NamedTuple):
    """Each (1,): hp_on, by_on (0/1); t_hp, t_by : time in the present on/off state, s;
    prev_mode : season of the last step; ad_T : adaptive setpoint, °C; override : 0 none,
    1 forced cooling, 2 forced heating; ref_offset : (2,) the critical-node raise of the
    heating and cut of the cooling setpoint at the plant, K."""

    hp_on: np.ndarray
    by_on: np.ndarray
    t_hp: np.ndarray
    t_by: np.ndarray
    prev_mode: np.ndarray
    ad_T: np.ndarray
    override: np.ndarray
    ref_offset: np.ndarray


def seasons(case, q_station_W) -> np.ndarray:
    """Season (0 heating, 1 cooling) of every slot: by calendar, or from the sign of the
    station's net load ``q_station_W`` (W per slot) over a trailing window."""
    ctl = case.controls
    if ctl.season == "calendar":
        return rules.calendar_season(ctl.cooling_months, SLOTS_PER_YEAR).astype(np.int64)
    return rules.auto_season(q_station_W, ctl.auto_window_h).astype(np.int64)


def build(ctx):
    case = ctx.case
    ctl, net, tk = case.controls, case.network, case.tank
    season = ctx.season
    p = Params(
        sensor=min(int(ctl.sensor_height_fraction * tk.n_layers), tk.n_layers - 1),
        hp_on_K=float(ctl.gshp_on_offset_K), hp_off_K=float(ctl.gshp_off_offset_K),
        by_on_K=float(ctl.bypass_on_offset_K), by_off_K=float(ctl.bypass_off_offset_K),
        min_on_s=float(ctl.min_on_time_s), min_off_s=float(ctl.min_off_time_s),
        strategy=int(strategy(net.strategy).ID),
        # the adaptive setpoint never goes where the boosters stop (unmet heat)
        ad_T_min=float(max(net.adaptive_T_min_C, net.booster_source_T_min_C)),
        ad_T_max=float(net.adaptive_T_max_C),
        ad_step=float(net.adaptive_step_K),
        ad_sink_offset=0.5 * (ctl.gshp_on_offset_K + ctl.gshp_off_offset_K),
        override_margin=float(ctl.season_override_margin_K), season=season,
        sp_heat=ctx.sp_heat, sp_cool=ctx.sp_cool,
        reference=reference.reference_id(net.setpoint_reference),
        crit_T_max=float(net.critical_node_T_max_C), crit_T_min=float(net.critical_node_T_min_C),
        crit_gain=float(reference.GAIN),
    )  # fmt: skip
    ctx.info["tank_sensor_layer"] = p.sensor + 1

    def one(v):
        return np.array([float(v)])

    s = State(
        hp_on=one(0), by_on=one(0), t_hp=one(1e30), t_by=one(1e30),
        prev_mode=one(season[0]), ad_T=one(p.sp_heat[0]), override=one(0),
        ref_offset=np.zeros(2),
    )  # fmt: skip
    return p, s


@kernel_jit(inline="always")
def heating_setpoint(p, s, slot):
    """The heating-season supply setpoint now, °C (the strategy's)."""
    if p.strategy == ADAPTIVE:
        return s.ad_T[0]
    return p.sp_heat[slot]


@kernel_jit()
def new_day(p, s, k, slot, net, hp, hp_s, T_bhe_out):
    """At midnight: the season override ends, and a strategy that acts daily moves its
    setpoint (``adaptive``, from the day that ended: its loads from the district load
    arrays of ``net`` (:mod:`~gshp.station.components.network`), its mean GSHP source
    temperature from the heat pump's state ``hp_s``, else ``T_bhe_out``)."""
    s.override[0] = 0.0
    if p.strategy == ADAPTIVE and k > 0 and p.season[slot] == 0:
        ld = net.load
        per_day = int(86400.0 / SLOT_S + 0.5)
        first = slot - per_day if slot >= per_day else slot - per_day + ld.q_sh.size
        day_sh = 0.0
        day_dhw = 0.0
        day_pvt = 0.0
        for j in range(first, first + per_day):
            day_sh += ld.q_sh[j] * SLOT_S
            day_dhw += ld.q_dhw[j] * SLOT_S
            day_pvt += ld.q_pvt[j] * SLOT_S
        if day_sh + day_dhw > 0.0:
            n_src = hp_s.day_n_src[0]
            T_src = hp_s.day_T_src[0] / n_src if n_src > 0 else T_bhe_out
            pipes = net.pipes
            T_soil = pipes.T_soil[slot, 0] if pipes.enabled else 0.0
            s.ad_T[0] = adaptive.daily_setpoint(
                s.ad_T[0], p.ad_T_min, p.ad_T_max, p.ad_step, p.ad_sink_offset, day_sh,
                day_dhw, day_pvt, T_src, ld.booster, hp, pipes.UA, T_soil, net.node.dT_design,
            )  # fmt: skip


@kernel_jit(inline="always")
def setpoint_reference(p, s, slot, in_slot, net_p, net_s):
    """At the start of a load slot with ``setpoint_reference = "critical_node"``: the
    offset of the season that ended the last slot moves from the substations' node
    temperatures of that slot (network state ``net_s``; :mod:`gshp.station.control.reference`)."""
    if p.reference != reference.CRITICAL_NODE or in_slot != 0 or not net_p.pipes.enabled:
        return
    ps = net_s.pipes
    if s.prev_mode[0] == 0:
        base = heating_setpoint(p, s, slot)
        s.ref_offset[0] = reference.critical_offset(
            s.ref_offset[0], True, base, ps.T_node, ps.Q_b, p.crit_gain,
            max(p.crit_T_max - base, 0.0),
        )  # fmt: skip
    else:
        base = p.sp_cool[slot]
        s.ref_offset[1] = reference.critical_offset(
            s.ref_offset[1], False, base, ps.T_node, ps.Q_b, p.crit_gain,
            max(base - p.crit_T_min, 0.0),
        )  # fmt: skip


@kernel_jit(inline="always")
def season(p, s, a, o, year, slot, in_slot, tank_T, net_p, net_s):
    """Season of this step and its setpoints; accumulates ``T_setpoint`` and ``mode``.

    The setpoints hold at the plant, or, with ``setpoint_reference = "critical_node"``,
    at the critical substation: the plant's setpoints then carry the controller's offset
    (:func:`setpoint_reference`, from the network's state ``net_s`` of the last slot).

    Protective override of the season rule (until midnight): heating with the tank's
    cold side above the cooling setpoint (rejected heat has no sink) switches to cooling;
    cooling with the warm side below the heating setpoint switches to heating. The dead
    band between the setpoints keeps it from chattering.

    Returns (mode, T_set, T_heat, T_cool), °C: the season, the plant's setpoint, and the
    substations' heating and cooling setpoints (equal to the plant's with the reference
    at the plant).
    """
    setpoint_reference(p, s, slot, in_slot, net_p, net_s)
    T_heat_base = heating_setpoint(p, s, slot)
    T_cool_base = p.sp_cool[slot]
    T_heat_set = T_heat_base + s.ref_offset[0]  # at the plant
    T_cool_set = T_cool_base - s.ref_offset[1]
    override = int(s.override[0])
    mode = p.season[slot] if override == 0 else 2 - override
    if mode == 0 and tank_T[0] > T_cool_set + p.override_margin:
        s.override[0] = 1.0
        mode = 1
    elif mode == 1 and tank_T[tank_T.size - 1] < T_heat_set - p.override_margin:
        s.override[0] = 2.0
        mode = 0
    T_set = T_heat_set if mode == 0 else T_cool_set
    orow = a.out[o]
    orow[OUT.T_setpoint] += T_set
    orow[OUT.mode] += mode
    return mode, T_set, T_heat_base, T_cool_base


@kernel_jit(inline="always")
def switch(p, s, a, year, dt, mode, T_set, tank_T):
    """Switch the GSHP (heating) or the bypass (cooling) on the tank sensor; counts GSHP
    starts. Returns (hp_on, by_on), each 0 or 1."""
    hp_on = int(s.hp_on[0])
    by_on = int(s.by_on[0])
    t_hp = s.t_hp[0]
    t_by = s.t_by[0]
    if mode != s.prev_mode[0]:
        if hp_on == 1:
            hp_on = 0
            t_hp = 0.0
        if by_on == 1:
            by_on = 0
            t_by = 0.0
    T_sensor = tank_T[p.sensor]
    if mode == 0:
        new = hysteresis(
            hp_on, T_sensor, T_set + p.hp_on_K, T_set + p.hp_off_K, False, t_hp,
            p.min_on_s, p.min_off_s,
        )  # fmt: skip
        if new != hp_on:
            if new == 1:
                a.yearly[year, YR.gshp_starts] += 1.0
            hp_on = new
            t_hp = 0.0
    else:
        new = hysteresis(
            by_on, T_sensor, T_set - p.by_on_K, T_set - p.by_off_K, True, t_by,
            p.min_on_s, p.min_off_s,
        )  # fmt: skip
        if new != by_on:
            by_on = new
            t_by = 0.0
    s.hp_on[0] = hp_on
    s.by_on[0] = by_on
    s.t_hp[0] = t_hp + dt
    s.t_by[0] = t_by + dt
    s.prev_mode[0] = mode
    return hp_on, by_on
