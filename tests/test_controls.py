"""Season rules, setpoint strategies, hysteresis."""

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gshp.config import NetworkConfig
from gshp.station.components.clock import SLOTS_PER_YEAR, month_of_slot
from gshp.station.control import strategies
from gshp.station.control.rules import auto_season, calendar_season, hysteresis
from gshp.station.control.strategies.adaptive import adaptive_choice
from gshp.station.control.strategies.reset import reset_curve, trailing_mean


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
    net = SimpleNamespace(
        T_supply_heating_C=20,
        heating_setpoint_by_month_C=[8, 8, 8, 20, 20, 20, 20, 20, 20, 20, 8, 8],
        reset_T_outdoor_C=(-10, 10), reset_T_supply_C=(12, 20), adaptive_T_max_C=18.0,
    )  # fmt: skip
    sched = strategies.strategy("schedule").heating_setpoints(net)
    m = month_of_slot()
    assert np.all(sched[(m <= 3) | (m >= 11)] == 8) and np.all(sched[(m > 3) & (m < 11)] == 20)
    assert np.all(strategies.strategy("constant").heating_setpoints(net) == 20)
    assert np.all(strategies.strategy("adaptive").heating_setpoints(net) == 18.0)  # its top
    t_air = np.full(SLOTS_PER_YEAR, -20.0)
    reset = strategies.strategy("reset").heating_setpoints(net, t_air)
    assert np.allclose(reset, 12)  # clamped below the first point
    assert np.allclose(reset_curve([-10, 0, 10, 30], (-10, 10), (12, 20)), [12, 16, 20, 20])


def test_strategies_are_the_case_files_choices_and_have_distinct_ids():
    """A strategy is one module in gshp.station.control.strategies plus its name among the
    choices of network.strategy: the two lists agree, and each module has its own ID."""
    choices = NetworkConfig.__dataclass_fields__["strategy"].metadata["choices"]
    assert sorted(choices) == sorted(strategies.names())
    ids = [strategies.strategy(n).ID for n in strategies.names()]
    assert len(set(ids)) == len(ids)
    for n in strategies.names():
        assert strategies.strategy(n).NAME == n


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
