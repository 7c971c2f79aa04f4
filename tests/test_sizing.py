"""Borefield sizing: search logic, limits, classical estimate, and the full-simulation
answer checked independently with ``simulate`` (the size holds, one step smaller fails)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gshp.cli import main
from gshp.config import load_case
from gshp.errors import InputError
from gshp.station.components.borefield import MONTHLY
from gshp.station.prepare import prepare
from gshp.studies.simulate import simulate
from gshp.studies.sizing import (
    ASPECT_TOLERANCE,
    ashrae_length,
    bracket_search,
    check_limits,
    parse_limit,
    rectangle_sequence,
    run_monthly,
    size,
)

ROOT = Path(__file__).resolve().parents[1]
BERLIN = ROOT / "cases" / "berlin.toml"


def small_berlin(years=3):
    return load_case(BERLIN).replace(**{"simulation.years": years, "simulation.time_step_s": 900})


# ------------------------------------------------------------------------ pure pieces


@pytest.mark.parametrize("nx, ny", [(7, 5), (15, 5), (6, 5), (1, 1), (4, 1)])
def test_rectangle_sequence_keeps_aspect_and_grows(nx, ny):
    seq = rectangle_sequence(nx, ny, 300)
    counts = [a * b for a, b in seq]
    assert (nx, ny) in seq
    assert all(b > a for a, b in zip(counts, counts[1:], strict=False)), "strictly growing"
    assert max(counts) <= 300
    r = nx / ny
    for a, b in seq:
        assert abs(math.log(a / b / r)) <= math.log(ASPECT_TOLERANCE) + 1e-9
    # dense enough for sizing: no gap larger than a third of the count above 30
    for n0, n1 in zip(counts, counts[1:], strict=False):
        if n0 >= 30:
            assert n1 - n0 <= n0 / 3


@given(
    answer=st.integers(0, 200),
    x0=st.integers(0, 200),
    step0=st.integers(1, 50),
)
@settings(max_examples=200, deadline=None)
def test_bracket_search_finds_the_threshold_of_a_monotone_predicate(answer, x0, step0):
    calls = []

    def feasible(x):
        calls.append(x)
        return x >= answer

    x, known = bracket_search(feasible, x0, 0, 150, step0)
    if answer > 150:
        assert x is None and known[150] is False
    else:
        assert x == answer
        assert known[x] is True
        assert x == 0 or known[x - 1] is False, "one step smaller was checked and fails"
    assert len(calls) == len(set(calls)), "each size simulated at most once"
    assert len(calls) <= 2 * math.log2(151) + 4


def test_parse_limit_accepts_one_or_twelve_values_and_names_the_field():
    assert parse_limit("-1.5", "--min-fluid-temp") == (-1.5,) * 12
    months = parse_limit(",".join(str(v) for v in range(12)), "x")
    assert months == tuple(float(v) for v in range(12))
    assert parse_limit(None, "x") is None
    for bad in ("1,2,3", "cold", "500"):
        with pytest.raises(InputError) as info:
            parse_limit(bad, "--max-fluid-temp")
        assert "--max-fluid-temp" in str(info.value)


def test_check_limits_monthly_limits_bind_in_their_month():
    n = 2
    res = {v.name: np.full((n, 12), 2.0 if v.aggregation == "min" else 20.0) for v in MONTHLY}
    res.update(unmet_kWh=np.zeros((n, 12)), T_freeze_C=-13.0)
    res["T_fluid_mean_hourly_min"][1, 1] = 0.5  # year 2, February is the coldest
    ok, worst, checks = check_limits(res, (0.0,) * 12, (30.0,) * 12, None)
    assert ok and worst == "min_fluid_temperature"
    assert checks["min_fluid_temperature"] == (0.5, 2, 2)
    # the criterion and the check choose the extremes: the outlet per step is not colder
    ok, worst, checks = check_limits(res, (0.0,) * 12, None, None, "outlet", "step")
    assert checks["min_fluid_temperature"] == (2.0, 1, 1)
    # a stricter March limit binds in March even though February is colder
    lim = [0.0] * 12
    lim[2] = 2.5
    ok, worst, checks = check_limits(res, lim, None, None)
    assert not ok and checks["min_fluid_temperature"] == pytest.approx((-0.5, 1, 3))
    # the inlet below the freezing point fails whatever the limits
    res["T_bhe_in_step_min"][0, 5] = -14.0
    ok, worst, checks = check_limits(res, None, None, None)
    assert not ok and worst == "freezing" and checks["freezing"] == pytest.approx((-1.0, 1, 6))
    res["T_bhe_in_step_min"][0, 5] = 2.0
    # shortfall bound: worst year's total
    res["unmet_kWh"][0, 0] = 60.0
    res["unmet_kWh"][0, 11] = 50.0
    ok, worst, checks = check_limits(res, None, None, 100.0)
    assert not ok and worst == "unmet_kWh_per_year"
    assert checks[worst] == pytest.approx((-10.0, 1, 1))


def test_ashrae_length_constant_load_is_the_analytic_resistance_sum():
    k, R_b, T_g = 2.2, 0.12, 10.0
    g = lambda t: np.log(t / 3600.0) + 1.0  # noqa: E731 — any increasing g-function
    q = np.full(8760, 20e3)
    L_h, L_c = ashrae_length(q, g, k, R_b, T_g, 0.0, 30.0, 1e12, 20)
    tf = 20 * 8760 * 3600.0 + 736 * 3600.0
    expected = 20e3 * (g(tf) / (2 * math.pi * k) + R_b) / (T_g - 0.0)
    assert L_h == pytest.approx(expected, rel=1e-9)
    assert L_c == 0.0, "no injection: cooling needs no length"
    # colder limit → shorter field; double load → double length; limit above ground → inf
    assert ashrae_length(q, g, k, R_b, T_g, -2.0, None, 1e12, 20)[0] < L_h
    assert ashrae_length(2 * q, g, k, R_b, T_g, 0.0, None, 1e12, 20)[0] == pytest.approx(2 * L_h)
    assert ashrae_length(q, g, k, R_b, T_g, 11.0, None, 1e12, 20)[0] == math.inf
    # a peak on top of the mean needs more length; cooling mirrors heating
    q2 = q.copy()
    q2[5000:5006] = 60e3
    assert ashrae_length(q2, g, k, R_b, T_g, 0.0, None, 1e12, 20)[0] > L_h
    L_c2 = ashrae_length(-q, g, k, R_b, T_g, None, 20.0, 1e12, 20)[1]
    assert L_c2 == pytest.approx(expected, rel=1e-9)


# ------------------------------------------------------------------------ full simulation


def test_run_monthly_extremes_agree_with_the_simulation_result():
    case = small_berlin(2).replace(**{"simulation.output_resolution": "monthly"})
    res = run_monthly(prepare(case))
    ds = simulate(case)
    out_min, out_max = res["T_bhe_out_step_min"], res["T_bhe_out_step_max"]
    np.testing.assert_allclose(out_min.min(axis=1), ds["T_bhe_out_min"].values, 0, 1e-12)
    np.testing.assert_allclose(out_max.max(axis=1), ds["T_bhe_out_max"].values, 0, 1e-12)
    np.testing.assert_allclose(res["T_bhe_in_step_min"].min(axis=1), ds["T_bhe_in_min"].values,
                               0, 1e-12)  # fmt: skip
    for v in MONTHLY:  # the result's monthly extremes are the ones sizing reads
        np.testing.assert_array_equal(res[v.name], ds[v.name].values)
    unmet = ds["unmet_heat_year"].values + ds["unmet_cooling_year"].values
    np.testing.assert_allclose(res["unmet_kWh"].sum(axis=1), unmet, rtol=1e-9)
    # heating-season minimum: the coldest month is in winter
    assert int(np.argmin(out_min[-1])) + 1 in (1, 2, 3, 11, 12)
    # an hourly mean lies between the step extremes; the mean fluid between inlet and outlet
    for pt in ("bhe_in", "bhe_out", "fluid_mean"):
        assert np.all(res[f"T_{pt}_hourly_min"] >= res[f"T_{pt}_step_min"])
        assert np.all(res[f"T_{pt}_hourly_max"] <= res[f"T_{pt}_step_max"])
    winter = [0, 1, 11]  # extraction: inlet < mean < outlet
    assert np.all(res["T_bhe_in_hourly_min"][:, winter] < res["T_fluid_mean_hourly_min"][:, winter])
    assert np.all(res["T_fluid_mean_hourly_min"][:, winter] < out_min[:, winter])


def test_size_holds_the_limit_and_one_step_smaller_violates_it():
    case = small_berlin(3)
    limit = -1.5
    res = size(case, t_min_C=limit, t_max_C=30.0, criterion="outlet", check="step")
    assert res.vary == "boreholes" and res.n_boreholes == res.n_x * res.n_y
    assert res.binding_constraint == "min_fluid_temperature"
    assert res.binding_month in (1, 2, 3, 11, 12)
    assert 1 <= res.binding_year <= 3
    assert res.n_simulations == len(res.evaluations) + 1
    assert res.ashrae_n_boreholes is not None and res.ashrae_total_length_m > 0
    seq = rectangle_sequence(7, 5, 140)
    i = seq.index((res.n_x, res.n_y))
    smaller = seq[i - 1]
    assert res.smaller["n_boreholes"] == smaller[0] * smaller[1]
    # independent check with the public simulation API and its yearly accumulators
    ok = simulate(case, **{"borefield.n_x": res.n_x, "borefield.n_y": res.n_y})
    bad = simulate(case, **{"borefield.n_x": smaller[0], "borefield.n_y": smaller[1]})
    assert float(ok["T_bhe_out_min"].min()) >= limit
    assert float(ok["T_bhe_out_max"].max()) <= 30.0
    assert float(bad["T_bhe_out_min"].min()) < limit
    # physics: the field found is smaller than Berlin's 35 at this lenient limit and
    # drift makes the last year the coldest
    assert res.n_boreholes < 35
    assert float(ok["T_bhe_out_min"][-1]) <= float(ok["T_bhe_out_min"][0])
    assert "binding: min_fluid_temperature (lower limit" in res.summary()
    assert "borefield outlet temperature, every time step" in res.summary()


def test_cli_size_by_length_prints_json(tmp_path, capsys):
    case_file = tmp_path / "b.toml"
    case_file.write_text(BERLIN.read_text().replace("time_step_s = 180", "time_step_s = 900"))
    argv = ["size", str(case_file), "--vary", "length", "--years", "1",
            "--min-fluid-temp=0", "--min-size", "40", "--max-size", "120", "--json",
            "--criterion", "outlet", "--check", "step"]  # fmt: skip
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["vary"] == "length" and out["n_boreholes"] == 35
    L = out["length_m"]
    assert 40 <= L <= 120
    evs = {e["length_m"]: e for e in out["evaluations"] if e["time_step_s"] == 900}
    assert evs[L]["feasible"] and evs[L]["T_fluid_min_C"] >= 0.0
    if L > 40:
        assert not evs[L - 1]["feasible"] and evs[L - 1]["T_fluid_min_C"] < 0.0
    assert out["limits"]["min_fluid_C"] == [0.0] * 12
    assert out["limits"]["criterion"] == "outlet" and out["limits"]["check"] == "step"


def test_cli_impossible_request_exits_2_with_a_clear_message(tmp_path, capsys):
    case_file = tmp_path / "b.toml"
    case_file.write_text(BERLIN.read_text().replace("time_step_s = 180", "time_step_s = 900"))
    # 12 °C outlet in winter from 9.8 °C ground: no field can do it
    argv = ["size", str(case_file), "--years", "1", "--min-fluid-temp", "12",
            "--max-size", "40", "-q"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "largest allowed field" in err and "--min-fluid-temp" in err
    assert "Traceback" not in err


def test_bad_sizing_arguments_name_the_option():
    case = small_berlin(1)
    with pytest.raises(InputError) as info:
        size(case, t_min_C="1,2", vary="width")
    text = str(info.value)
    assert "--min-fluid-temp" in text and "--vary" in text
    with pytest.raises(InputError, match="at least one limit"):
        size(case)
    with pytest.raises(InputError, match="below --max-fluid-temp"):
        size(case, t_min_C=5.0, t_max_C=4.0)
