"""Result files: compressed NetCDF4 (h5netcdf), written atomically.

A result is encoded in memory, written to a temporary file in the destination folder and
renamed over the target only when complete (:func:`gshp.fileio.atomic_write_bytes`), so a
crash, an interrupted run or a full disk never leaves a half-written result file, and the
file gets the permissions the umask gives.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr

COMPRESSION = {"compression": "gzip", "compression_opts": 1, "shuffle": True}
"""Compression of every numeric variable: deflate level 1 after the byte shuffle (readable
by any netCDF-4 library). Measured by ``benchmarks/bench_netcdf.py`` on a 20-year hourly
result (float64): levels 4 and 6 make files 1–3 % smaller for 20–80 % more CPU time."""
TIME_CHUNK = 2**16
"""Chunk length along ``time`` (512 KiB of float64): larger chunks compress better than
h5py's automatic ones (about 44 KiB) and still allow reading a year without the rest."""
TIME_UNITS = "hours since 2001-01-01"


def netcdf_safe_attrs(attrs: dict) -> dict:
    """Attributes NetCDF can store: nested values become JSON text, bools become ints."""
    out = {}
    for key, value in attrs.items():
        if isinstance(value, bool | np.bool_):
            out[key] = int(value)
        elif isinstance(value, dict | list | tuple):
            out[key] = json.dumps(value, sort_keys=True, default=str)
        elif value is None:
            out[key] = ""
        elif isinstance(value, Path):
            out[key] = str(value)
        else:
            out[key] = value
    return out


def encoding_settings(n_time: int) -> dict:
    """Compression and chunking of a 1-D numeric variable along ``time`` (length
    ``n_time``); chosen by ``benchmarks/bench_netcdf.py`` (file size and write time)."""
    return dict(COMPRESSION, chunksizes=(max(1, min(int(n_time), TIME_CHUNK)),))


def _prepared(ds: xr.Dataset) -> tuple[xr.Dataset, dict]:
    ds = ds.copy()
    ds.attrs = netcdf_safe_attrs(ds.attrs)
    encoding = {}
    for name, var in ds.variables.items():
        var.attrs = netcdf_safe_attrs(var.attrs)
        if var.dtype.kind in "fiu" and var.ndim > 0 and name not in ds.dims:
            if var.dims == ("time",):
                encoding[name] = encoding_settings(var.shape[0])
            else:
                encoding[name] = dict(COMPRESSION)
        elif var.dtype.kind in "OU" and var.ndim > 0:
            encoding[name] = {}
    if "time" in ds.coords:
        encoding.setdefault("time", {})
        hours = _noleap_hours(ds.indexes.get("time"))
        if hours is None:
            encoding["time"].update(
                {"units": TIME_UNITS, "calendar": "noleap", "dtype": "float64"}
            )
        else:
            # the same numbers xarray's element-by-element cftime.date2num gives, at once
            attrs = dict(ds["time"].attrs, units=TIME_UNITS, calendar="noleap")
            ds = ds.assign_coords(time=("time", hours, attrs))
            encoding["time"]["dtype"] = "float64"
    return ds, encoding


def _noleap_hours(index):
    """Hours since 2001-01-01 of a noleap :class:`xarray.CFTimeIndex`, or None.

    Exact integer microseconds divided once in float64: the correctly rounded quotient,
    as ``cftime.date2num`` (exact multiples as integers, else Python's correctly rounded
    ``timedelta / timedelta``)."""
    if not isinstance(index, xr.CFTimeIndex) or index.calendar not in ("noleap", "365_day"):
        return None
    if len(index) == 0 or len(index) > 2**40:
        return None
    year = np.asarray(index.year, np.int64)
    days = (year - 2001) * 365 + np.asarray(index.dayofyear, np.int64) - 1
    us = (
        (days * 86400 + np.asarray(index.hour, np.int64) * 3600) * 1_000_000
        + np.asarray(index.minute, np.int64) * 60_000_000
        + np.asarray(index.second, np.int64) * 1_000_000
        + np.asarray(index.microsecond, np.int64)
    )
    if np.any(np.abs(us) >= 2**53):
        return None
    return us.astype(np.float64) / 3.6e9


def write_netcdf(ds: xr.Dataset, path) -> Path:
    """Write ``ds`` to ``path`` (compressed NetCDF4 via h5netcdf), atomically.

    Returns the path written. Parent folders are created.
    Raises :class:`gshp.fileio.WriteError` (one message naming the file and the cause:
    disk full, permissions) with nothing left behind. Encoding in memory keeps HDF5 away
    from the disk: a full disk cannot make it fail half-way through a file.
    """
    from gshp.fileio import atomic_write_bytes

    path = Path(path)
    ds, encoding = _prepared(ds)
    data = ds.to_netcdf(None, engine="h5netcdf", encoding=encoding)
    return atomic_write_bytes(path, data)


def open_result(path) -> xr.Dataset:
    """Open a result file (loads it into memory and closes the file)."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return ds.load()
