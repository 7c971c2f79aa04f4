"""Season rules, setpoint strategies, hysteresis."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gshp.station.control.rules import (
    SLOTS_PER_YEAR,
    adaptive_choice,
    auto_season,
    calendar_season,
    heating_setpoint,
    hysteresis,
    month_of_slot,
    reset_curve,
    trailing_mean,
)


def test_month_of_slot_follows_365_day_calendar():
    m = month_of_slot()
    assert m.size == SLOTS_PER_YEAR
    counts = np.bincount(m, minlength=13)[1:] / 96
    assert list(counts) == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert m[0] == 1 and m[-1] == 12


def test_calendar_season():
    s = calendar_season((6, 7, 8, 9))
    m = month_of_slot()
    assert np.all(s[(m >= 6) & (m <= 9)] == 1)
    assert np.all(s[(m < 6) | (m > 9)] == 0)


def test_auto_season_follows_sign_of_the_load_with_a_lag():
    # heating load in winter, cooling load in summer: a cosine year
    day = np.arange(SLOTS_PER_YEAR) / 96.0
    q = 1e5 * np.cos(2 * np.pi * day / 365.0)
    s = auto_season(q, window_h=168)
    # the load changes sign at day ~91 and ~274; a trailing week-long window lags ~3.5 d
    assert s[int(80 * 96)] == 0 and s[int(200 * 96)] == 1 and s[int(330 * 96)] == 0
    first_cooling_day = np.argmax(s) / 96
    assert 91 < first_cooling_day < 91 + 7
    # decided once a day: constant within each day
    assert np.all(s.reshape(365, 96).std(axis=1) == 0)


def test_trailing_mean_is_periodic_and_causal():
    x = np.zeros(100)
    x[50] = 10.0
    tm = trailing_mean(x, 10)
    assert tm[49] == 0 and tm[50] == 1.0 and tm[59] == 1.0 and tm[60] == 0
    y = np.zeros(100)
    y[-1] = 10.0
    assert trailing_mean(y, 10)[0] == 1.0  # wraps around the year


def test_setpoint_strategies():
    sched = heating_setpoint(
        "schedule", T_heating_C=20, by_month_C=[8, 8, 8, 20, 20, 20, 20, 20, 20, 20, 8, 8]
    )
    m = month_of_slot()
    assert np.all(sched[(m <= 3) | (m >= 11)] == 8) and np.all(sched[(m > 3) & (m < 11)] == 20)
    assert np.all(heating_setpoint("constant", T_heating_C=20) == 20)
    t_air = np.full(SLOTS_PER_YEAR, -20.0)
    reset = heating_setpoint(
        "reset",
        T_heating_C=20,
        T_air_C=t_air,
        reset_T_outdoor_C=(-10, 10),
        reset_T_supply_C=(12, 20),
    )
    assert np.allclose(reset, 12)  # clamped below the first point
    assert np.allclose(reset_curve([-10, 0, 10, 30], (-10, 10), (12, 20)), [12, 16, 20, 20])


@settings(max_examples=200, deadline=None)
@given(st.floats(-30, 60), st.floats(-5, 5), st.floats(0.1, 10))
def test_hysteresis_band(T, on_offset, width):
    start, stop = 20 + on_offset, 20 + on_offset + width
    # heating: off below start turns on; on above stop turns off; inside band holds
    new_off = hysteresis(0, T, start, stop, False, 1e9, 600.0, 600.0)
    new_on = hysteresis(1, T, start, stop, False, 1e9, 600.0, 600.0)
    assert new_off == (1 if T < start else 0)
    assert new_on == (0 if T > stop else 1)
    # minimum times hold the state whatever the sensor says
    assert hysteresis(0, T, start, stop, False, 10.0, 600.0, 600.0) == 0
    assert hysteresis(1, T, start, stop, False, 10.0, 600.0, 600.0) == 1


def test_adaptive_choice_moves_downhill_and_respects_bounds():
    assert adaptive_choice(15.0, 8.0, 20.0, 0.5, 1.0, 2.0, 3.0) == 14.5
    assert adaptive_choice(15.0, 8.0, 20.0, 0.5, 3.0, 2.0, 1.0) == 15.5
    assert adaptive_choice(15.0, 8.0, 20.0, 0.5, 2.0, 2.0, 2.0) == 15.0  # flat: stay
    assert adaptive_choice(8.0, 8.0, 20.0, 0.5, 0.0, 2.0, 3.0) == 8.0  # at the bound
    assert adaptive_choice(20.0, 8.0, 20.0, 0.5, 3.0, 2.0, 1.0) == 20.0
