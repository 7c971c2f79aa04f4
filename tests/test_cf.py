"""CF-1.8 compliance of the files gshp writes, checked OFFLINE by the IOOS
compliance-checker (its bundled CF standard-name table and UDUNITS): a result, a sweep
result and a loads file; plus time bounds, the float32 option and name round trips."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import gshp
from gshp.io.results import open_result, write_netcdf
from gshp.physics.district import district_loads

pytest.importorskip("compliance_checker")

ROOT = Path(__file__).resolve().parents[1]
FAST = {"simulation.years": 1, "simulation.time_step_s": 900}


@pytest.fixture()
def offline(monkeypatch):
    """No network: any connection attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("compliance check tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def cf_check(path):
    """(scored, possible, failed results) of the CF-1.8 check of a file."""
    from compliance_checker.runner import CheckSuite

    cs = CheckSuite()
    cs.load_all_available_checkers()
    ds = cs.load_dataset(str(path))
    groups, errors = cs.run_all(ds, ["cf:1.8"], skip_checks=[])["cf:1.8"]
    assert not errors, errors
    st = cs.build_structure("cf:1.8", groups, str(path))
    results = st["high_priorities"] + st["medium_priorities"] + st["low_priorities"]
    failed = [(r.name, r.msgs) for r in results if r.value[0] < r.value[1]]
    return st["scored_points"], st["possible_points"], failed


@pytest.fixture(scope="module")
def base():
    return gshp.load_case(ROOT / "cases" / "berlin.toml")


@pytest.fixture(scope="module")
def result(base):
    return gshp.simulate(base, **FAST)


def test_result_file_is_cf_clean(result, tmp_path, offline):
    path = write_netcdf(result, tmp_path / "r.nc")
    scored, possible, failed = cf_check(path)
    assert failed == [] and scored == possible
    with xr.open_dataset(path, engine="h5netcdf", decode_times=False) as raw:
        assert raw["E_gshp"].attrs["units"] == "kW h"
        assert raw["T_supply"].attrs["units"] == "degC"
        assert raw["T_supply"].attrs["cell_methods"] == "time: mean"
        assert raw["time"].attrs["standard_name"] == "time"
        assert "_FillValue" not in raw["time"].attrs
        assert raw["year"].dtype == np.int32 and raw["gshp_starts"].dtype == np.int32
        for key in ("history", "source", "institution", "Conventions", "title"):
            assert raw.attrs[key]
        # bounds: each hourly mean covers [t, t + 1 h); contiguous, no gaps
        b = raw["time_bnds"].values
        t = raw["time"].values
        np.testing.assert_array_equal(b[:, 0], t)
        np.testing.assert_allclose(b[:, 1] - b[:, 0], 1.0)  # hours
        np.testing.assert_array_equal(b[1:, 0], b[:-1, 1])


def test_sweep_file_is_cf_clean_and_names_round_trip(base, tmp_path, offline):
    ds = gshp.sweep(base, {"borefield.n_x": [5, 7]},
                    overrides={**FAST, "simulation.output_resolution": "daily"})  # fmt: skip
    path = write_netcdf(ds, tmp_path / "s.nc")
    scored, possible, failed = cf_check(path)
    assert failed == [] and scored == possible
    with xr.open_dataset(path, engine="h5netcdf") as raw:
        assert "borefield_n_x" in raw.variables and "borefield.n_x" not in raw.variables
        assert raw["borefield_n_x"].attrs["gshp_name"] == "borefield.n_x"
        assert raw["borefield_n_x"].dtype == np.int32
        assert "case" not in raw.variables and list(raw["case_name"].values) == list(ds.case.values)
        span = raw["time_bnds"].values[:, 1] - raw["time_bnds"].values[:, 0]
        assert {str(x) for x in span} == {"1 day, 0:00:00"}  # daily means
    back = open_result(path)
    assert list(back["borefield.n_x"].values) == [5, 7]
    assert list(back.case.values) == list(ds.case.values)
    xr.testing.assert_equal(back.T_bhe_out, ds.T_bhe_out)


def test_loads_file_is_cf_clean(base, tmp_path, offline):
    loads = district_loads(base)
    path = write_netcdf(loads, tmp_path / "l.nc")
    scored, possible, failed = cf_check(path)
    assert failed == [] and scored == possible
    with xr.open_dataset(path, engine="h5netcdf") as raw:
        assert raw.attrs["Conventions"] == "CF-1.8" and "reference district" in raw.attrs["title"]
        assert raw["T_air"].attrs["units"] == "degC" and raw["Q_dhw"].attrs["units"] == "W"
        assert raw["time_bnds"].shape == (35040, 2)


def test_float32_halves_the_file_and_keeps_7_digits(result, tmp_path):
    a = write_netcdf(result, tmp_path / "a.nc")
    b = write_netcdf(result, tmp_path / "b.nc", float32=True)
    assert b.stat().st_size < 0.75 * a.stat().st_size
    x, y = open_result(a), open_result(b)
    assert y["T_supply"].dtype == np.float32 or y["T_supply"].encoding["dtype"] == np.float32
    np.testing.assert_allclose(y["T_supply"].values, x["T_supply"].values, rtol=1e-6)
    assert x["time"].dtype == y["time"].dtype  # time stays exact


def test_cli_float32_option(tmp_path):
    from gshp.cli import main

    out = tmp_path / "res"
    assert main(["run", str(ROOT / "cases" / "berlin.toml"), "-o", str(out), "--years", "1",
                 "--resolution", "daily", "--float32", "-q"]) == 0  # fmt: skip
    with xr.open_dataset(out / "berlin.nc", engine="h5netcdf") as raw:
        assert raw["T_supply"].dtype == np.float32 and raw["time"].dtype.kind == "O"
