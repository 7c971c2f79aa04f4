"""Station controls: season rule, network supply setpoint strategies, on/off hysteresis.

Functions on arrays of one 365-day year at the load resolution (15 min, 35 040 slots)
are evaluated once per case in Python; the per-step pieces (hysteresis with minimum run
and rest times, the adaptive setpoint move) are compiled and called by the station kernel.

Setpoint strategies (DESIGN §2):

- ``constant``: one setpoint per season (reference 20 °C heating, 25 °C cooling);
- ``schedule``: heating setpoint by calendar month (the reference "variable" strategy:
  8 °C November–March, 20 °C otherwise), cooling setpoint constant;
- ``reset``: heating setpoint linear in the trailing 24-h mean outdoor temperature between
  two points, clamped outside them (a classical outdoor reset curve, e.g. EN 12831 /
  ASHRAE Handbook—HVAC Applications ch. 1);
- ``adaptive``: the kernel moves the winter setpoint once a day by at most
  ``adaptive_step_K`` towards the setpoint that minimises the estimated electricity of the
  GSHP plus the boosters for the previous day's loads at the current borefield outlet
  temperature (:func:`adaptive_choice`).
"""

from __future__ import annotations

import numpy as np

from gshp.jit import kernel_jit

SLOT_S = 900.0
"""Resolution of the district load arrays (s)."""
SLOTS_PER_YEAR = 365 * 96
DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

HEATING = 0
COOLING = 1


def month_of_slot(n_slots: int = SLOTS_PER_YEAR, slot_s: float = SLOT_S) -> np.ndarray:
    """Calendar month (1–12) of every slot of a 365-day year."""
    day = (np.arange(n_slots) * slot_s // 86400).astype(np.int64)
    edges = np.cumsum(DAYS_IN_MONTH)
    return (np.searchsorted(edges, day, side="right") + 1).astype(np.int64)


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


def trailing_mean(x, window_slots: int) -> np.ndarray:
    """Trailing moving mean of a periodic one-year series over ``window_slots`` slots."""
    x = np.asarray(x, dtype=float)
    w = max(1, int(window_slots))
    ext = np.concatenate([x[-w:], x])
    csum = np.concatenate([[0.0], np.cumsum(ext)])
    return (csum[w + 1 : w + 1 + x.size] - csum[1 : 1 + x.size]) / w


def heating_setpoint(
    strategy: str,
    *,
    T_heating_C: float,
    by_month_C=None,
    reset_T_outdoor_C=(-10.0, 10.0),
    reset_T_supply_C=(10.0, 20.0),
    T_air_C=None,
    adaptive_T_max_C: float | None = None,
    n_slots: int = SLOTS_PER_YEAR,
    slot_s: float = SLOT_S,
) -> np.ndarray:
    """Heating-season network supply setpoint of every slot, °C.

    For ``adaptive`` this is the starting value (the upper bound); the kernel moves it.
    ``reset`` needs ``T_air_C`` (outdoor temperature per slot, °C) and uses its trailing
    24-h mean.
    """
    if strategy == "constant":
        return np.full(n_slots, float(T_heating_C))
    if strategy == "schedule":
        months = month_of_slot(n_slots, slot_s)
        return np.asarray(by_month_C, dtype=float)[months - 1]
    if strategy == "reset":
        t_out = trailing_mean(T_air_C, int(round(86400.0 / slot_s)))
        return reset_curve(t_out, reset_T_outdoor_C, reset_T_supply_C)
    if strategy == "adaptive":
        top = T_heating_C if adaptive_T_max_C is None else adaptive_T_max_C
        return np.full(n_slots, float(top))
    raise ValueError(f"unknown strategy {strategy!r}")


def reset_curve(T_outdoor_C, T_outdoor_points_C, T_supply_points_C) -> np.ndarray:
    """Outdoor reset: supply setpoint linear between two points, constant outside, °C."""
    x0, x1 = T_outdoor_points_C
    y0, y1 = T_supply_points_C
    t = np.clip((np.asarray(T_outdoor_C, dtype=float) - x0) / (x1 - x0), 0.0, 1.0)
    return y0 + t * (y1 - y0)


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
