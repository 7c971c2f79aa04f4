"""Station control rules: the season of every slot, and on/off hysteresis.

Functions on arrays of one 365-day year at the load resolution (15 min, 35 040 slots)
are evaluated once per case in Python; the hysteresis with minimum run and rest times is
compiled and called by the control component (:mod:`gshp.station.components.control`).
The network supply setpoint strategies are one module each in
:mod:`gshp.station.control.strategies`.
"""

from __future__ import annotations

import numpy as np

from gshp.jit import kernel_jit
from gshp.station.components.clock import SLOT_S, SLOTS_PER_YEAR, month_of_slot

HEATING = 0
COOLING = 1


def calendar_season(cooling_months, n_slots: int = SLOTS_PER_YEAR) -> np.ndarray:
    """Season of every slot from the calendar: 1 (cooling) in ``cooling_months``, else 0."""
    months = month_of_slot(n_slots)
    return np.isin(months, np.asarray(cooling_months)).astype(np.int64)


def auto_season(q_network_W, window_h: float, slot_s: float = SLOT_S) -> np.ndarray:
    """Season from the sign of the net network load over a trailing moving window.

    The station switches to cooling when the mean net load (+ = heat drawn from the
    network) over the past ``window_h`` hours is negative, and back to heating when it is
    positive; the decision is taken once a day at midnight, as an operator would, so the
    mode does not chatter within a day. The year is periodic: the window at the start of
    the year reaches back into the end of the (same) year.

    Parameters
    ----------
    q_network_W : array (n_slots,)
        Net network load of one year at ``slot_s`` resolution, W.
    window_h : float
        Length of the trailing window, h.

    Returns
    -------
    array of int (n_slots,): 0 heating, 1 cooling.
    """
    q = np.asarray(q_network_W, dtype=float)
    n = q.size
    w = max(1, int(round(window_h * 3600.0 / slot_s)))
    ext = np.concatenate([q[-w:] if w <= n else np.resize(q, w), q])
    csum = np.concatenate([[0.0], np.cumsum(ext)])
    trailing = (csum[w : w + n] - csum[:n]) / w  # mean over the w slots before each slot
    per_day = int(round(86400.0 / slot_s))
    day_start = trailing[::per_day]
    mode_day = (day_start < 0.0).astype(np.int64)
    return np.repeat(mode_day, per_day)[:n]


@kernel_jit()
def hysteresis(
    on, T_sensor_C, T_start_C, T_stop_C, rising_starts, time_in_state_s, min_on_s, min_off_s
):
    """On/off decision with a hysteresis band and minimum run and rest times.

    Parameters
    ----------
    on : bool-like (0/1)
        Current state.
    T_sensor_C : float
        Sensor temperature.
    T_start_C, T_stop_C : float
        Thresholds. With ``rising_starts`` false (heating: the GSHP charges a tank that is
        too cold) the unit starts when the sensor falls below ``T_start_C`` and stops when
        it rises above ``T_stop_C``; with ``rising_starts`` true (cooling) the opposite.
    time_in_state_s : float
        Time spent in the current state.
    min_on_s, min_off_s : float
        Minimum run and rest times.

    Returns
    -------
    int: new state (0/1).
    """
    if on:
        if time_in_state_s < min_on_s:
            return 1
        if rising_starts:
            return 0 if T_sensor_C < T_stop_C else 1
        return 0 if T_sensor_C > T_stop_C else 1
    if time_in_state_s < min_off_s:
        return 0
    if rising_starts:
        return 1 if T_sensor_C > T_start_C else 0
    return 1 if T_sensor_C < T_start_C else 0
