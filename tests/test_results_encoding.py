"""Result files: the vectorised time encoding and the chunked, compressed variables."""

from __future__ import annotations

import cftime
import h5py
import numpy as np
import pytest
import xarray as xr

from gshp.io import results
from gshp.io.timeaxis import month_start_axis, regular_axis


@pytest.mark.parametrize(("n", "step_s"), [(20000, 3600), (30000, 180), (5000, 7), (400, 86400)])
def test_noleap_hours_equal_cftime_date2num(n, step_s):
    """The same float64 numbers as cftime.date2num (what xarray writes otherwise), bit for
    bit, also where the hours are not integers (3-min and 7-s steps)."""
    index = regular_axis(n, step_s)
    got = results._noleap_hours(index)
    ref = np.asarray(
        cftime.date2num(np.asarray(index), results.TIME_UNITS, "noleap", longdouble=False),
        dtype=np.float64,
    )
    assert got.dtype == np.float64
    assert np.array_equal(got.view(np.int64), ref.view(np.int64))


def test_other_calendars_fall_back_to_xarray():
    index = xr.date_range("2001-01-01", periods=3, freq="D", calendar="360_day", use_cftime=True)
    assert results._noleap_hours(index) is None


def _dataset(index):
    n = len(index)
    rng = np.random.default_rng(1)
    return xr.Dataset(
        {
            "T_supply": ("time", 20.0 + rng.standard_normal(n), {"units": "°C"}),
            "mode": ("time", (np.arange(n) % 2).astype(np.int8)),
            "scop": ("year", np.array([4.1, 4.0])),
        },
        coords={"time": index, "year": [1, 2]},
        attrs={"nested": {"a": 1}, "flag": True},
    )


@pytest.mark.parametrize("index", [regular_axis(2 * 8760 + 5, 3600), month_start_axis(24)])
def test_written_file_reads_back_identical(tmp_path, index):
    ds = _dataset(index)
    path = results.write_netcdf(ds, tmp_path / "r.nc")
    back = results.open_result(path)
    assert list(back.indexes["time"]) == list(index)
    for name in ("T_supply", "mode", "scop"):
        assert back[name].dtype == ds[name].dtype
        assert np.array_equal(back[name].values, ds[name].values)
    with h5py.File(path, "r") as f:
        assert f["time"].attrs["units"] == results.TIME_UNITS
        assert f["time"].attrs["calendar"] == "noleap"
        assert f["time"].dtype == np.float64
        d = f["T_supply"]
        assert d.compression == "gzip" and d.shuffle
        assert d.chunks == (min(len(index), results.TIME_CHUNK),)
    assert not list(tmp_path.glob(".*"))


def test_long_series_are_chunked_and_compressed(tmp_path):
    """Smooth float64 series shrink; chunks hold at most TIME_CHUNK values."""
    n = 3 * results.TIME_CHUNK + 11
    index = regular_axis(n, 180)
    ds = xr.Dataset(
        {"T": ("time", 10.0 + np.sin(np.arange(n) / 500.0))}, coords={"time": index}
    )
    path = results.write_netcdf(ds, tmp_path / "long.nc")
    with h5py.File(path, "r") as f:
        assert f["T"].chunks == (results.TIME_CHUNK,)
        assert f["T"].id.get_storage_size() < 0.9 * n * 8
    assert np.array_equal(results.open_result(path).T.values, ds.T.values)
