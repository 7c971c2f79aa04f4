"""Notebook API: gshp.load_case / Case / simulate / sweep / to_pandas, case TOML output
and the case-file JSON Schema derived from the field declarations."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path

import jsonschema
import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gshp
from gshp import config
from gshp.cli import main
from gshp.config import fields as config_fields

matplotlib.use("Agg")  # tests only; the package itself never sets the backend

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "cases").glob("*.toml"))
FAST = {"simulation.years": 1, "simulation.time_step_s": 900}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_to_toml_round_trips(path, tmp_path):
    case = gshp.load_case(path)
    out = tmp_path / "again.toml"
    text = case.to_toml(out)
    assert tomllib.loads(text) == tomllib.loads(out.read_text())
    again = gshp.load_case(out)
    assert again == case
    assert config.case_hash(again) == config.case_hash(case)


def test_case_built_in_python_is_checked_on_construction():
    base = gshp.load_case(ROOT / "cases" / "berlin.toml")
    with pytest.raises(gshp.InputError) as info:
        dataclasses.replace(base, heat_pump={"rated_heating_capacity_kW": -3},
                            simulation={"years": 0})  # fmt: skip
    where = {p.where for p in info.value.problems}
    assert where == {"heat_pump.rated_heating_capacity_kW", "simulation.years"}
    # sections given as dicts become the section objects, defaults filled in
    case = dataclasses.replace(base, heat_pump={"rated_heating_capacity_kW": 120})
    assert isinstance(case.heat_pump, config.HeatPumpConfig)
    assert case.heat_pump.rated_heating_capacity_kW == 120.0
    assert case.heat_pump.compressor == base.heat_pump.compressor
    with pytest.raises(gshp.InputError, match="climate"):
        gshp.Case(heat_pump={"rated_heating_capacity_kW": 96}, climate={"preset": "paris"})


def _schema_of(path: str) -> dict:
    node = config.json_schema()
    for part in path.split("."):
        node = node["properties"][part]
    return node


def _leaf_fields(cls=config.Case, prefix=""):
    for f in config_fields.fields_of(cls):
        if f.metadata["kind"] == "section":
            yield from _leaf_fields(f.metadata["section"], prefix + f.name + ".")
        else:
            yield prefix + f.name, f


LEAVES = dict(_leaf_fields())
NUMERIC = sorted(p for p, f in LEAVES.items() if f.metadata["kind"] in ("float", "int"))


def test_json_schema_accepts_the_shipped_cases_and_rejects_mistakes(tmp_path, capsys):
    assert main(["check", "--json-schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == json.loads(json.dumps(config.json_schema()))
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    for path in CASES:
        raw = tomllib.loads(path.read_text())
        assert not list(v.iter_errors(raw)), path
    broken = tomllib.loads((ROOT / "cases" / "berlin.toml").read_text())
    broken["simulation"]["time_step_s"] = 200
    broken["tank"] = {"n_layers": 0}
    broken["colour"] = "blue"
    bad = {".".join(map(str, e.absolute_path)) or e.validator for e in v.iter_errors(broken)}
    assert bad == {"simulation.time_step_s", "tank.n_layers", "additionalProperties"}


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(NUMERIC),
    st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6), st.booleans(), st.text()),
)
def test_json_schema_agrees_with_the_field_checks(path, value):
    """The schema is derived from the same declarations: a value is schema-valid exactly
    when the loader's field check accepts it (TOML has no bool-as-number)."""
    meta = LEAVES[path].metadata
    ctx = config_fields.Ctx(Path.cwd(), [])
    ok, _ = config_fields.convert(value, meta, path, ctx)
    valid = jsonschema.Draft202012Validator(_schema_of(path)).is_valid(value)
    if isinstance(value, float) and value.is_integer() and meta["kind"] == "int":
        return  # 3.0: TOML writes it as a float; the loader accepts it as 3
    assert ok == valid, (path, value, _schema_of(path))


@pytest.fixture(scope="module")
def one_year():
    return gshp.simulate(gshp.load_case(ROOT / "cases" / "berlin.toml"), **FAST)


def test_simulate_plot_on_cftime_axis_and_to_pandas(one_year):
    ds = one_year
    line = ds.T_bhe_out.plot()  # cftime axis: needs nc-time-axis
    assert len(line[0].get_xdata()) == ds.sizes["time"]
    s = gshp.to_pandas(ds.T_bhe_out)
    assert isinstance(s.index, pd.DatetimeIndex) and len(s) == 8760
    monthly = s.resample("MS").mean()
    assert len(monthly) == 12
    # the monthly means agree with xarray's own on the cftime axis
    np.testing.assert_allclose(monthly.to_numpy(),
                               ds.T_bhe_out.resample(time="MS").mean().values)  # fmt: skip
    df = gshp.to_pandas(ds)
    assert "T_supply" in df and isinstance(df.index, pd.DatetimeIndex)


def test_sweep_from_a_case_object(tmp_path):
    base = gshp.load_case(ROOT / "cases" / "berlin.toml")
    ds = gshp.sweep(base, {"borefield.n_x": [5, 7]},
                    overrides={**FAST, "simulation.output_resolution": "daily"})  # fmt: skip
    assert ds.sizes["case"] == 2
    assert list(ds["borefield.n_x"].values) == [5, 7] or "n_x" in str(list(ds.coords))
    # more boreholes: a warmer borefield outlet minimum in the heating season
    assert float(ds.T_bhe_out_min.isel(case=1).min()) > float(ds.T_bhe_out_min.isel(case=0).min())
    with pytest.raises(gshp.InputError, match="borefield.n_q"):
        gshp.sweep(base, {"borefield.n_q": [1]})
    assert not list(tmp_path.iterdir())  # nothing written


# ---------------------------------------------------------------------------- issue 27


def test_simulate_keyword_overrides_by_field_name_give_the_same_bits(one_year):
    """``simulate(case, years=1, …)``: the same result, bit for bit, as the dotted form."""
    from gshp.studies.simulate import comparable

    case = gshp.load_case(ROOT / "cases" / "berlin.toml")
    ds = gshp.simulate(case, years=1, time_step_s=900)
    assert ds.sizes["year"] == 1
    a, b = comparable(ds), comparable(one_year)
    assert a.attrs == b.attrs
    assert sorted(a.variables) == sorted(b.variables)
    for name in a.variables:
        assert a[name].values.tobytes() == b[name].values.tobytes(), name


def test_replace_with_nested_dicts_equals_dotted_and_keeps_other_fields():
    case = gshp.load_case(ROOT / "cases" / "berlin.toml")
    dotted = case.replace(**{"simulation.years": 3, "borefield.n_x": 6,
                             "borefield.ground.conductivity_W_mK": 2.1})  # fmt: skip
    nested = case.replace(simulation={"years": 3},
                          borefield={"n_x": 6, "ground": {"conductivity_W_mK": 2.1}})  # fmt: skip
    by_name = case.replace(years=3, n_x=6, ground={"conductivity_W_mK": 2.1})
    assert nested == dotted == by_name
    assert (nested.simulation.years, nested.borefield.n_x) == (3, 6)
    # the sections' other fields are kept, not reset to their defaults
    assert nested.simulation.time_step_s == case.simulation.time_step_s
    assert nested.borefield.n_y == case.borefield.n_y
    assert nested.borefield.ground.T_undisturbed_C == case.borefield.ground.T_undisturbed_C
    assert nested.climate == case.climate
    # the old keyword form and load_case's overrides take the same names
    assert case.replace(simulation__years=3) == case.replace(years=3)
    loaded = gshp.load_case(ROOT / "cases" / "berlin.toml", {"years": 3})
    assert loaded.simulation.years == 3


def test_ambiguous_and_unknown_override_names_are_one_clear_error(tmp_path):
    case = gshp.load_case(ROOT / "cases" / "berlin.toml")
    with pytest.raises(gshp.InputError) as info:
        gshp.simulate(case, conductivity_W_mK=2.0)
    (problem,) = info.value.problems
    assert problem.where == "conductivity_W_mK"
    msg = str(info.value)
    for path in ("borefield.ground.conductivity_W_mK", "borefield.pipes.conductivity_W_mK",
                 "borefield.grout.conductivity_W_mK"):  # fmt: skip
        assert path in msg
    with pytest.raises(gshp.InputError) as info:
        case.replace(yeers=2)
    assert len(info.value.problems) == 1
    assert "did you mean 'years' (simulation.years)?" in str(info.value)
    with pytest.raises(gshp.InputError, match="simulation.years is also set by 'years'"):
        case.replace(years=2, **{"simulation.years": 3})
    # the same names in a sweep's overrides and grid
    with pytest.raises(gshp.InputError, match=r"overrides\.yeers: .*did you mean 'years'"):
        gshp.sweep(case, {"n_x": [5, 7]}, overrides={"yeers": 1})
    with pytest.raises(gshp.InputError, match="climate.preset, district.preset"):
        gshp.sweep(case, {"preset": ["berlin"]}, overrides={"years": 1})
    assert not list(tmp_path.iterdir())


def test_sweep_grid_and_overrides_by_field_name():
    base = gshp.load_case(ROOT / "cases" / "berlin.toml")
    fast = {"years": 1, "time_step_s": 900, "output_resolution": "monthly"}
    ds = gshp.sweep(base, {"borefield": {"n_x": [5, 7]}}, overrides=fast)
    assert ds.sizes["case"] == 2 and ds.sizes["year"] == 1
    assert list(ds["borefield.n_x"].values) == [5, 7]


def test_dir_lists_the_public_api():
    """``dir(gshp)`` in a fresh interpreter (nothing loaded yet) lists the whole API."""
    import subprocess
    import sys

    code = "import gshp; print(' '.join(dir(gshp)))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT)}, timeout=120, check=True)  # fmt: skip
    names = set(r.stdout.split())
    api = {"simulate", "size", "sweep", "load_case", "Case", "to_pandas", "InputError",
           "__version__"}  # fmt: skip
    assert api <= names, api - names
    assert not any(n.startswith("_") and not n.startswith("__") for n in names)
    for name in api:
        assert getattr(gshp, name) is not None
    assert gshp.simulate.__doc__ and "years=2" in gshp.simulate.__doc__
