"""Result files: compressed NetCDF4 (h5netcdf), written atomically, CF-1.8 clean.

A result is encoded in memory, written to a temporary file in the destination folder and
renamed over the target only when complete (:func:`gshp.fileio.atomic_write_bytes`), so a
crash, an interrupted run or a full disk never leaves a half-written result file, and the
file gets the permissions the umask gives.

CF conventions (Eaton et al., *NetCDF Climate and Forecast Metadata Conventions* 1.8) are
applied on writing, whatever wrote the Dataset (:func:`cf_encoded`): UDUNITS units
(``kWh`` → ``kW h``, ``°C`` → ``degC``, see :data:`CF_UNITS`), ``time`` with
``standard_name``/``long_name``/``axis`` and ``bounds`` (``time_bnds``: the interval each
mean covers; ``cell_methods = "time: mean"`` on the time series), no ``_FillValue`` on
coordinates, 32-bit integers, ``history``/``source``/``institution``
(``$GSHP_INSTITUTION``), and CF-safe variable names (``borefield.n_x`` is written as
``borefield_n_x`` with the dotted path in its ``gshp_name`` attribute; string labels of
``case`` as ``case_name``). :func:`open_result` restores the names. Checked with the IOOS
compliance-checker (``tests/test_cf.py``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import xarray as xr

COMPRESSION = {"compression": "gzip", "compression_opts": 4, "shuffle": True}
#: Unit spellings replaced on writing by their UDUNITS form (one spelling in every file).
CF_UNITS = {"kWh": "kW h", "MWh": "MW h", "Wh": "W h", "°C": "degC", "degree_Celsius": "degC",
            "C": "degC", "-": "1", "–": "1", "m³": "m3", "m²": "m2", "W/m²": "W m-2",
            "W/K": "W K-1", "kg/s": "kg s-1"}  # fmt: skip
#: Interval of each output resolution (pandas/xarray frequency), for ``time_bnds``.
_FREQ = {"15min": "15min", "hourly": "h", "daily": "D", "monthly": "MS"}
_CF_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


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


def cf_name(name: str) -> str:
    """A CF-safe variable name (letters, digits, underscores; a letter first)."""
    safe = re.sub(r"[^A-Za-z0-9_]+", "_", str(name)).strip("_") or "v"
    return safe if safe[0].isalpha() else "v_" + safe


def _time_bounds(ds: xr.Dataset):
    """(time, 2) bounds of the intervals the time series average, or None if unknown."""
    t = ds.indexes["time"]
    res = str(ds.attrs.get("output_resolution", ""))
    step = ds.attrs.get("time_step_s")
    freq = _FREQ.get(res) or (f"{int(step)}s" if step else None)  # loads: their step
    if freq is None or len(t) == 0:
        return None
    edges = xr.date_range(start=t[0], periods=len(t) + 1, freq=freq, calendar="noleap",
                          use_cftime=True)  # fmt: skip
    if not np.array_equal(np.asarray(edges[:-1]), np.asarray(t)):
        return None  # not a regular axis of that step: leave it without bounds
    return np.stack([np.asarray(edges[:-1]), np.asarray(edges[1:])], axis=1)


def cf_metadata(ds: xr.Dataset) -> xr.Dataset:
    """CF metadata of a result in memory (a copy): UDUNITS units, ``time`` described,
    ``cell_methods`` of the interval means, ``source``/``history``/``institution``.

    Applied to every result and loads Dataset (so a file read back equals the Dataset
    that was written) and again on writing, whatever made the Dataset."""
    from importlib.metadata import version

    ds = ds.copy()
    for var in ds.variables.values():
        u = var.attrs.get("units")
        if isinstance(u, str) and u in CF_UNITS:
            var.attrs["units"] = CF_UNITS[u]
    if "time" in ds.coords:
        ds["time"].attrs.update(standard_name="time", long_name="time", axis="T")
        for var in ds.data_vars.values():
            if "time" in var.dims and var.dtype.kind == "f":
                var.attrs.setdefault("cell_methods", "time: mean")
    gshp_version = version("gshp")
    ds.attrs.setdefault("Conventions", "CF-1.8")
    ds.attrs.setdefault("title", f"gshp {ds.attrs.get('case_name', 'result')}")
    ds.attrs.setdefault("source", f"gshp {gshp_version} (ground-source heat pump station "
                                  "simulator; pygfunction g-functions, numba kernel)")  # fmt: skip
    ds.attrs.setdefault("institution", os.environ.get("GSHP_INSTITUTION", "not given"))
    ds.attrs.setdefault("history", f"written by gshp {gshp_version} with xarray "
                                   f"{xr.__version__} (h5netcdf)")  # fmt: skip
    ds.attrs.setdefault("references", "https://cfconventions.org/ (CF-1.8)")
    return ds


def cf_encoded(ds: xr.Dataset) -> xr.Dataset:
    """The Dataset as written to a file: :func:`cf_metadata`, CF-safe names, time bounds."""
    ds = cf_metadata(ds)
    if "case" in ds.dims and "case" in ds.coords and ds["case"].dtype.kind in "OUS":
        # string labels of a dimension are not a CF coordinate variable: an auxiliary one
        ds = ds.assign_coords(case_name=("case", ds["case"].values.astype(str)))
        ds["case_name"].attrs.update(long_name="case name", cf_role="timeseries_id")
        ds = ds.drop_vars("case")
    renames = {n: cf_name(n) for n in ds.variables if not _CF_NAME.fullmatch(str(n))}
    for old in renames:
        ds[old].attrs["gshp_name"] = old
    ds = ds.rename_vars(renames)
    if "time" in ds.coords:
        bounds = _time_bounds(ds)
        if bounds is not None:
            ds["time"].attrs["bounds"] = "time_bnds"
            ds = ds.assign_coords(time_bnds=(("time", "nv"), bounds))
    return ds


def _prepared(ds: xr.Dataset, float32: bool = False) -> tuple[xr.Dataset, dict]:
    ds = cf_encoded(ds)
    ds.attrs = netcdf_safe_attrs(ds.attrs)
    encoding = {}
    for name, var in ds.variables.items():
        var.attrs = netcdf_safe_attrs(var.attrs)
        if var.dtype.kind in "fiu" and var.ndim > 0 and name not in ds.dims:
            encoding[name] = dict(COMPRESSION)
            if float32 and var.dtype == np.float64 and name not in ds.coords:
                encoding[name]["dtype"] = "float32"
        elif var.dtype.kind in "OU" and var.ndim > 0 and name not in ("time", "time_bnds"):
            encoding[name] = {}
        if var.dtype.kind in "iu" and var.dtype.itemsize == 8 and (
            not var.size or np.abs(var.values).max() < 2**31
        ):
            encoding.setdefault(name, {})["dtype"] = "int32"  # CF: no 64-bit integers
        if name in ds.coords:
            encoding.setdefault(name, {})["_FillValue"] = None  # CF: none on coordinates
    if "time" in ds.coords:
        for name in ("time", "time_bnds"):
            if name in ds.variables:
                encoding.setdefault(name, {}).update(
                    {"units": "hours since 2001-01-01 00:00:00", "calendar": "noleap",
                     "dtype": "float64", "_FillValue": None}  # fmt: skip
                )
    return ds, encoding


def cf_decoded(ds: xr.Dataset) -> xr.Dataset:
    """The inverse of :func:`cf_encoded`'s renaming: dotted names and ``case`` labels."""
    renames = {n: v.attrs["gshp_name"] for n, v in ds.variables.items() if "gshp_name" in v.attrs}
    for n in renames:
        ds[n].attrs.pop("gshp_name")
    ds = ds.rename_vars(renames)
    if "case_name" in ds.coords and "case" in ds.dims and "case" not in ds.coords:
        ds = ds.assign_coords(case=("case", ds["case_name"].values.astype(object)))
        ds = ds.drop_vars("case_name")
    if "time_bnds" in ds.variables:
        ds = ds.drop_vars("time_bnds")
        ds["time"].attrs.pop("bounds", None)
    return ds


def write_netcdf(ds: xr.Dataset, path, float32: bool = False) -> Path:
    """Write ``ds`` to ``path`` (compressed NetCDF4 via h5netcdf, CF-1.8), atomically.

    ``float32`` stores floating-point data variables in single precision (about half the
    size; ~7 significant digits); coordinates and time stay float64.
    Returns the path written. Parent folders are created.
    Raises :class:`gshp.fileio.WriteError` (one message naming the file and the cause:
    disk full, permissions) with nothing left behind. Encoding in memory keeps HDF5 away
    from the disk: a full disk cannot make it fail half-way through a file.
    """
    from gshp.fileio import atomic_write_bytes

    path = Path(path)
    ds, encoding = _prepared(ds, float32=float32)
    data = ds.to_netcdf(None, engine="h5netcdf", encoding=encoding)
    return atomic_write_bytes(path, data)


def open_result(path) -> xr.Dataset:
    """Open a result file (loads it into memory and closes the file)."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return cf_decoded(ds.load())
