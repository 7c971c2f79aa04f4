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

COMPRESSION = {"compression": "gzip", "compression_opts": 4, "shuffle": True}


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


def _prepared(ds: xr.Dataset) -> tuple[xr.Dataset, dict]:
    ds = ds.copy()
    ds.attrs = netcdf_safe_attrs(ds.attrs)
    encoding = {}
    for name, var in ds.variables.items():
        var.attrs = netcdf_safe_attrs(var.attrs)
        if var.dtype.kind in "fiu" and var.ndim > 0 and name not in ds.dims:
            encoding[name] = dict(COMPRESSION)
        elif var.dtype.kind in "OU" and var.ndim > 0:
            encoding[name] = {}
    if "time" in ds.coords:
        encoding.setdefault("time", {})
        encoding["time"].update(
            {"units": "hours since 2001-01-01 00:00:00", "calendar": "noleap", "dtype": "float64"}
        )
    return ds, encoding


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
