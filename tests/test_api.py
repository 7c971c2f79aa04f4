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
@given(st.sampled_from(NUMERIC),
       st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6), st.booleans(), st.text()))
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
