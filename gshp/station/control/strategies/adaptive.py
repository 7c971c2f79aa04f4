"""``adaptive``: the winter setpoint moves once a day by at most ``adaptive_step_K``
towards the setpoint that minimises the estimated electricity of the GSHP plus the
boosters for the previous day's loads at the current borefield outlet temperature.

Its lowest setpoint is ``adaptive_T_min_C``, and never below the boosters' lowest source
temperature ``booster_source_T_min_C`` (below it the boosters stop and the buildings'
demand is unmet). The precomputed setpoint is the starting value (the upper bound); the
control component calls :func:`daily_setpoint` at each midnight
(:func:`gshp.station.components.control.new_day`).
"""

from __future__ import annotations

import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.heatpump import booster_cops, hp_lookup
from gshp.station.components.clock import SLOTS_PER_YEAR

NAME = "adaptive"
ID = 3


def heating_setpoints(net, T_air_C=None) -> np.ndarray:
    """The starting value ``network.adaptive_T_max_C`` in every slot, °C."""
    return np.full(SLOTS_PER_YEAR, float(net.adaptive_T_max_C))


@kernel_jit()
def adaptive_choice(T_now_C, T_min_C, T_max_C, step_K, e_lower, e_now, e_higher):
    """Bounded greedy move of the adaptive winter setpoint.

    ``e_lower``, ``e_now``, ``e_higher`` are the estimated electricity (any consistent
    unit) at ``T_now − step``, ``T_now`` and ``T_now + step``. Returns the candidate with
    the smallest estimate, clamped to [T_min, T_max]; ties keep the current setpoint, so
    the rule never oscillates on a flat optimum.
    """
    best = T_now_C
    e_best = e_now
    if e_lower < e_best and T_now_C - step_K >= T_min_C - 1e-12:
        best = T_now_C - step_K
        e_best = e_lower
    if e_higher < e_best and T_now_C + step_K <= T_max_C + 1e-12:
        best = T_now_C + step_K
    return min(max(best, T_min_C), T_max_C)


@kernel_jit()
def daily_electricity(T_set, Q_sh, Q_dhw, Q_pvt, T_src, sink_offset, booster, hp, pipes_UA,
                      T_soil, dT_net):  # fmt: skip
    """Estimated electricity (J) of the boosters and the GSHP for one day's loads (J) at a
    candidate winter setpoint (the strategy's objective). With buried pipes the station
    also makes up their loss to the soil over the day, ``UA·(T − T_soil)`` with the water
    at ``T = T_set − ΔT/2`` on average (a gain when the network is colder than the soil,
    which favours a low winter setpoint). ``hp``: the heat pump's parameter record."""
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


@kernel_jit()
def daily_setpoint(T_now, T_min, T_max, step, sink_offset, day_sh, day_dhw, day_pvt, T_src,
                   booster, hp, pipes_UA, T_soil, dT_net):  # fmt: skip
    """Tomorrow's winter setpoint from today's ``T_now`` (°C), today's loads (J) and GSHP
    source temperature ``T_src`` (°C): the cheapest of ``T_now`` and ``T_now ± step``."""
    e0 = daily_electricity(T_now - step, day_sh, day_dhw, day_pvt, T_src, sink_offset,
                           booster, hp, pipes_UA, T_soil, dT_net)  # fmt: skip
    e1 = daily_electricity(T_now, day_sh, day_dhw, day_pvt, T_src, sink_offset, booster, hp,
                           pipes_UA, T_soil, dT_net)  # fmt: skip
    e2 = daily_electricity(T_now + step, day_sh, day_dhw, day_pvt, T_src, sink_offset,
                           booster, hp, pipes_UA, T_soil, dT_net)  # fmt: skip
    return adaptive_choice(T_now, T_min, T_max, step, e0, e1, e2)
