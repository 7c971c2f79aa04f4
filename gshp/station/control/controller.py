"""Station controls: season, setpoints, and the on/off switching of GSHP and bypass.

Season from the precomputed season array with a protective override until midnight;
the GSHP (heating season) and the bypass (cooling season) switch on a tank sensor with
hysteresis and minimum run and rest times (:func:`gshp.station.control.rules.hysteresis`); a season
change stops the unit of the other season at once. The adaptive winter setpoint moves
once a day (:func:`gshp.station.control.rules.adaptive_choice`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.heatpump import booster_cops, hp_lookup
from gshp.station.control.rules import adaptive_choice, hysteresis


class ControlParams(NamedTuple):
    """sensor : tank layer of the control sensor (0 = bottom); hp_on_K, hp_off_K : GSHP
    switching offsets from the setpoint, K; by_on_K, by_off_K : bypass offsets, K;
    min_on_s, min_off_s : minimum run and rest times, s; adaptive : adaptive winter
    setpoint; ad_T_min, ad_T_max, ad_step : its bounds (°C) and daily step (K);
    ad_sink_offset : GSHP sink above the setpoint in its estimate, K; override_margin :
    margin of the season override, K; season : (n_slots,) 0 heating, 1 cooling;
    sp_heat, sp_cool : (n_slots,) supply setpoints, °C."""

    sensor: int
    hp_on_K: float
    hp_off_K: float
    by_on_K: float
    by_off_K: float
    min_on_s: float
    min_off_s: float
    adaptive: bool
    ad_T_min: float
    ad_T_max: float
    ad_step: float
    ad_sink_offset: float
    override_margin: float
    season: np.ndarray
    sp_heat: np.ndarray
    sp_cool: np.ndarray


class ControlState(NamedTuple):
    """Each (1,): hp_on, by_on (0/1); t_hp, t_by : time in the present on/off state, s;
    prev_mode : season of the last step; ad_T : adaptive setpoint, °C; override : 0 none,
    1 forced cooling, 2 forced heating; day_sh, day_dhw, day_pvt : today's loads, J;
    day_tsrc, day_nsrc : sum and count of today's GSHP source temperatures."""

    hp_on: np.ndarray
    by_on: np.ndarray
    t_hp: np.ndarray
    t_by: np.ndarray
    prev_mode: np.ndarray
    ad_T: np.ndarray
    override: np.ndarray
    day_sh: np.ndarray
    day_dhw: np.ndarray
    day_pvt: np.ndarray
    day_tsrc: np.ndarray
    day_nsrc: np.ndarray


def control_state(p: ControlParams) -> ControlState:
    """Units off, minimum times satisfied, season and setpoint of the first slot."""

    def one(v):
        return np.array([float(v)])

    return ControlState(
        hp_on=one(0), by_on=one(0), t_hp=one(1e30), t_by=one(1e30),
        prev_mode=one(p.season[0]), ad_T=one(p.sp_heat[0]), override=one(0),
        day_sh=one(0), day_dhw=one(0), day_pvt=one(0), day_tsrc=one(0), day_nsrc=one(0),
    )  # fmt: skip


@kernel_jit(inline="always")
def season_mode(p, slot, base_mode, override, ad_T, T_tank_bottom, T_tank_top):
    """Season of this step and its setpoint.

    Protective override of the season rule (until midnight): heating with the tank's
    cold side above the cooling setpoint (rejected heat has no sink) switches to cooling;
    cooling with the warm side below the heating setpoint switches to heating. The dead
    band between the setpoints keeps it from chattering.
    Returns (mode, override, T_set).
    """
    T_heat_set = ad_T if p.adaptive else p.sp_heat[slot]
    T_cool_set = p.sp_cool[slot]
    mode = base_mode if override == 0 else 2 - override
    if mode == 0 and T_tank_bottom > T_cool_set + p.override_margin:
        override = 1
        mode = 1
    elif mode == 1 and T_tank_top < T_heat_set - p.override_margin:
        override = 2
        mode = 0
    T_set = T_heat_set if mode == 0 else T_cool_set
    return mode, override, T_set


@kernel_jit(inline="always")
def switch(p, dt, mode, prev_mode, T_set, T_sensor, hp_on, by_on, t_hp, t_by):
    """Switch the GSHP (heating) or the bypass (cooling) on the tank sensor.

    Returns (hp_on, by_on, t_hp, t_by, started): ``started`` is 1 when the GSHP started.
    """
    if mode != prev_mode:
        if hp_on == 1:
            hp_on = 0
            t_hp = 0.0
        if by_on == 1:
            by_on = 0
            t_by = 0.0
    started = 0
    if mode == 0:
        new = hysteresis(
            hp_on, T_sensor, T_set + p.hp_on_K, T_set + p.hp_off_K, False, t_hp,
            p.min_on_s, p.min_off_s,
        )  # fmt: skip
        if new != hp_on:
            if new == 1:
                started = 1
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
    t_hp += dt
    t_by += dt
    return hp_on, by_on, t_hp, t_by, started


@kernel_jit()
def daily_setpoint(p, ad_T, day_sh, day_dhw, day_pvt, T_src, booster, hp, pipes_UA, T_soil,
                   dT_net):  # fmt: skip
    """Daily move of the adaptive winter setpoint (see gshp.station.control.rules.adaptive_choice);
    ``hp`` is the :class:`gshp.station.components.heat_pump.GshpParams` record; ``pipes_UA``
    (W/K, 0 without pipes), ``T_soil`` (°C) and ``dT_net`` (K) add the pipes' exchange
    with the soil to the estimate."""
    step = p.ad_step
    off = p.ad_sink_offset
    e0 = _daily_electricity(ad_T - step, day_sh, day_dhw, day_pvt, T_src, off, booster, hp,
                            pipes_UA, T_soil, dT_net)  # fmt: skip
    e1 = _daily_electricity(ad_T, day_sh, day_dhw, day_pvt, T_src, off, booster, hp,
                            pipes_UA, T_soil, dT_net)  # fmt: skip
    e2 = _daily_electricity(ad_T + step, day_sh, day_dhw, day_pvt, T_src, off, booster, hp,
                            pipes_UA, T_soil, dT_net)  # fmt: skip
    return adaptive_choice(ad_T, p.ad_T_min, p.ad_T_max, step, e0, e1, e2)


@kernel_jit()
def _daily_electricity(T_set, Q_sh, Q_dhw, Q_pvt, T_src, sink_offset, booster, hp, pipes_UA,
                       T_soil, dT_net):  # fmt: skip
    """Estimated electricity (J) of the boosters and the GSHP for one day's loads at a
    candidate winter setpoint (the adaptive strategy's objective). With buried pipes the
    station also makes up their loss to the soil over the day, ``UA·(T − T_soil)`` with
    the water at ``T = T_set − ΔT/2`` on average (a gain when the network is colder than
    the soil, which favours a low winter setpoint)."""
    cop_sh, cop_dhw, _eer = booster_cops(T_set, booster)
    e_boost = Q_sh / cop_sh + Q_dhw / cop_dhw
    q_net = Q_sh + Q_dhw - e_boost - Q_pvt
    q_net += pipes_UA * (T_set - 0.5 * dT_net - T_soil) * 86400.0
    if q_net <= 0.0:
        return e_boost
    q_c, _q_e, pw, _cl = hp_lookup(
        hp.t_src, hp.t_sink, hp.q_cond, hp.q_evap, hp.power, T_src, T_set + sink_offset
    )
    return e_boost + q_net * pw / q_c
