"""Case files: loading, validation messages, overrides, fuzzing."""

from __future__ import annotations

import copy
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gshp.cli import main
from gshp.config import (
    Case,
    apply_overrides,
    case_from_dict,
    case_hash,
    field_reference,
    load_case,
)
from gshp.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "cases").glob("*.toml"))


def test_reference_cases_load_with_reference_values():
    assert {p.stem for p in CASES} >= {
        "helsinki",
        "berlin",
        "strasbourg",
        "berlin_variable_setpoint",
    }
    expect = {
        "helsinki": (75, 5.2, 135),
        "berlin": (35, 9.8, 96),
        "strasbourg": (30, 10.2, 96),
        "berlin_variable_setpoint": (35, 9.8, 96),
    }
    for path in CASES:
        case = load_case(path)
        nb, tg, hp = expect[path.stem]
        assert case.borefield.n_boreholes == nb
        assert case.borefield.ground.T_undisturbed_C == tg
        assert case.heat_pump.rated_heating_capacity_kW == hp
        assert case.borefield.length_m == 100 and case.borefield.spacing_m == 8
        assert case.borefield.fluid.cp_J_kgK == 3915 and case.borefield.fluid.density_kg_m3 == 1031
    var = load_case(ROOT / "cases" / "berlin_variable_setpoint.toml").network
    assert var.strategy == "schedule"
    months = var.heating_setpoint_by_month_C
    assert [months[i] for i in (0, 1, 2, 10, 11)] == [8.0] * 5
    assert all(months[i] == 20.0 for i in range(3, 10))


def test_check_command_prints_summaries(capsys):
    assert main(["check", *map(str, CASES)]) == 0
    out = capsys.readouterr().out
    assert "75 boreholes (15 × 5, 8 m)" in out
    assert "4 case(s) valid." in out


DOZEN_MISTAKES = """
name = "broken"
colour = "blue"                 # 1 unknown key
[simulation]
years = 0                       # 2 out of range
time_step_s = 1000              # 3 out of range
output_resolutoin = "daily"     # 4 typo -> did you mean
[climate]
preset = "paris"                # 5 bad choice
[network]
strategy = "constant"
T_supply_heating_C = "twenty"   # 6 wrong type
substation_dT_K = -3            # 7 out of range
[tank]
n_layers = 0                    # 8 layers outside 1..100
volume_m3 = -1.0                # 9 negative
[heat_pump]
rated_heating_capacity_kW = 96
[borefield]
length_m = -100.0               # 10 negative length
radius_m = 0.07
[borefield.fluid]
concentration_pct = 75          # 11 glycol outside 0..60
[borefield.ground]
T_undisturbed_C = 120           # 12 temperature outside -40..90
[controls]
min_on_time_s = true            # 13 bool where a number is expected
"""


def test_dozen_mistakes_all_reported(tmp_path, capsys):
    path = tmp_path / "broken.toml"
    path.write_text(DOZEN_MISTAKES)
    with pytest.raises(InputError) as info:
        load_case(path)
    where = [p.where for p in info.value.problems]
    for expected in [
        "colour",
        "simulation.years",
        "simulation.time_step_s",
        "simulation.output_resolutoin",
        "climate.preset",
        "network.T_supply_heating_C",
        "network.substation_dT_K",
        "tank.n_layers",
        "tank.volume_m3",
        "borefield.length_m",
        "borefield.fluid.concentration_pct",
        "borefield.ground.T_undisturbed_C",
        "controls.min_on_time_s",
    ]:
        assert expected in where, expected
    msg = info.value.message()
    assert "did you mean 'output_resolution'" in msg
    assert "'paris'" in msg and "one of 'helsinki', 'berlin', 'strasbourg'" in msg
    assert "in [1, 100]" in msg  # years and n_layers name their range

    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "13 problems" in err and "Traceback" not in err


def test_cli_exit_code_and_no_traceback_in_a_real_process(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(DOZEN_MISTAKES)
    res = subprocess.run(
        [sys.executable, "-m", "gshp.cli", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "borefield.length_m" in res.stderr


def test_cross_field_checks(tmp_path):
    base = _raw("berlin")
    bad = apply_overrides(
        base,
        {
            "borefield.spacing_m": 0.1,  # <= 2 r_b
            "borefield.pipes.shank_spacing_m": 0.13,  # pipes do not fit
            "tank.coil_top_layer": 40,  # beyond n_layers
            "controls.gshp_off_offset_K": 0.5,  # below on offset
            "network.strategy": "schedule",  # needs 12 setpoints
            "climate.weather_file": str(tmp_path / "nope.epw"),  # missing + both given
        },
    )
    with pytest.raises(InputError) as info:
        case_from_dict(bad)
    where = {p.where for p in info.value.problems}
    assert {
        "borefield.spacing_m",
        "borefield.pipes.shank_spacing_m",
        "tank.coil_top_layer",
        "controls.gshp_off_offset_K",
        "network.heating_setpoint_by_month_C",
        "climate",
        "climate.weather_file",
    } <= where


def test_overlapping_coordinates_rejected():
    raw = apply_overrides(
        _raw("berlin"),
        {
            "borefield.layout": "coordinates",
            "borefield.coordinates_m": [[0, 0], [10, 0], [10.1, 0]],
        },
    )
    with pytest.raises(InputError, match=r"coordinates_m\[2\]"):
        case_from_dict(raw)


def test_relative_paths_resolve_against_case_folder(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "field.csv").write_text("x_m,y_m\n0,0\n6,0\n0,6\n")
    raw = apply_overrides(
        _raw("berlin"),
        {"borefield.layout": "coordinates", "borefield.coordinates_file": "field.csv"},
    )
    path = sub / "c.toml"
    _write_toml(path, raw)
    case = load_case(path)
    assert case.borefield.coordinates_file == sub / "field.csv"
    assert case.borefield.n_boreholes == 3
    (sub / "field.csv").write_text("x_m,y_m\n0,0\n6,zero\n")
    with pytest.raises(InputError, match=r"field.csv:3"):
        load_case(path)


def test_overrides_and_hash():
    case = load_case(ROOT / "cases" / "berlin.toml")
    bigger = case.replace(**{"borefield.n_x": 9})
    assert bigger.borefield.n_boreholes == 45 and case.borefield.n_boreholes == 35
    assert case_hash(bigger) != case_hash(case)
    assert case_hash(load_case(ROOT / "cases" / "berlin.toml")) == case_hash(case)
    assert case_from_dict(case.to_dict()) == case
    with pytest.raises(InputError, match="borefield.n_x"):
        case.replace(**{"borefield.n_x": -1})


def test_reference_document_is_current():
    doc = (ROOT / "docs" / "case-reference.md").read_text(encoding="utf-8")
    assert doc.strip() == field_reference().strip(), (
        "regenerate with: gshp check --reference > docs/case-reference.md"
    )


# ------------------------------------------------------------------ hypothesis fuzzing


def _raw(name):
    return tomllib.loads((ROOT / "cases" / f"{name}.toml").read_text())


def _write_toml(path, raw):
    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(val(x) for x in v) + "]"
        return repr(v)

    lines = []

    def emit(table, prefix):
        scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
        if prefix:
            lines.append(f"[{prefix}]")
        lines.extend(f"{k} = {val(v)}" for k, v in scalars.items())
        for k, v in table.items():
            if isinstance(v, dict):
                emit(v, f"{prefix}.{k}" if prefix else k)

    emit(raw, "")
    path.write_text("\n".join(lines) + "\n")


def _leaves(d, prefix=()):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _leaves(v, prefix + (k,))
        else:
            yield prefix + (k,)


def _tables(d, prefix=()):
    yield prefix
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _tables(v, prefix + (k,))


BASE = _raw("helsinki")
LEAVES = list(_leaves(BASE))
TABLES = list(_tables(BASE))
weird = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.floats(-1e6, 1e6), max_size=14),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from([-1e300, 1e300, 0, -0.0, 1e-300, 59, 901, 101, -41, 91, 61, 100.5]),
)
mutation = st.one_of(
    st.tuples(st.just("drop"), st.sampled_from(LEAVES + TABLES[1:]), st.none()),
    st.tuples(st.just("set"), st.sampled_from(LEAVES), weird),
    st.tuples(
        st.just("unknown"),
        st.sampled_from(TABLES),
        st.tuples(st.text(min_size=1, max_size=8), weird),
    ),
)


def _mutate(raw, op, path, value):
    node = raw
    for k in path[:-1]:
        node = node[k]
    if op == "drop":
        if path:
            node.pop(path[-1], None)
    elif op == "set":
        node[path[-1]] = value
    else:
        target = node[path[-1]] if path else raw
        key, v = value
        target[key] = v


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_cases_accept_or_reject_clearly(mutations):
    raw = copy.deepcopy(BASE)
    for op, path, value in mutations:
        try:
            _mutate(raw, op, path, value)
        except (KeyError, TypeError):
            pass  # an earlier mutation removed or replaced the parent table
    try:
        case = case_from_dict(raw)
    except InputError as exc:
        assert exc.problems, "an InputError must list at least one problem"
        for prob in exc.problems:
            assert prob.where and prob.allowed
        return
    assert isinstance(case, Case)
    # An accepted case round-trips through its plain form.
    assert case_from_dict(case.to_dict()) == case


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200))
def test_garbage_files_are_rejected_clearly(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("g") / "garbage.toml"
    path.write_bytes(data)
    try:
        load_case(path)
    except InputError as exc:
        assert str(path) in exc.message() or exc.problems


@pytest.mark.parametrize("over, where", [
    ({"name": "../escaped"}, "name"),
    ({"name": ".hidden"}, "name"),
    ({"name": ""}, "name"),
    ({"network.T_supply_heating_C": 26.0}, "network.T_supply_cooling_C"),
    ({"network.strategy": "reset", "network.reset_T_supply_C": [12.0, 25.0]},
     "network.T_supply_cooling_C"),
    ({"borefield.n_x": 100, "borefield.n_y": 30}, "borefield.n_x"),
    ({"network.T_supply_heating_C": -5.0}, "network.T_supply_heating_C"),
])  # fmt: skip
def test_more_cross_checks(over, where):
    with pytest.raises(InputError) as info:
        case_from_dict(apply_overrides(_raw("berlin"), over))
    assert where in {p.where for p in info.value.problems}


def test_adaptive_needs_building_demands(tmp_path):
    loads = tmp_path / "net.csv"
    loads.write_text("Q_network_kW\n" + "10\n" * 8760)
    raw = apply_overrides(
        _raw("berlin"),
        {
            "network.strategy": "adaptive",
            "district.load_file": str(loads),
            "district.load_file_kind": "network",
        },
    )
    with pytest.raises(InputError, match="network.strategy"):
        case_from_dict(raw)


def test_time_step_not_dividing_900_reported_with_the_field_errors():
    """Every problem of a case file in one message: a time step that does not divide the
    15-min load step used to appear only once the other fields were fixed."""
    bad = apply_overrides(_raw("berlin"), {"simulation.time_step_s": 200, "tank.n_layers": 0})
    with pytest.raises(InputError) as info:
        case_from_dict(bad)
    where = {p.where for p in info.value.problems}
    assert where == {"simulation.time_step_s", "tank.n_layers"}
    assert "one of 60, 90, 100, 150, 180, 225, 300, 450, 900" in info.value.message()
