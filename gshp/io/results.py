"""Result files: compressed NetCDF4 (h5netcdf), written atomically, CF-1.8 clean.

A result is encoded in memory, written to a temporary file in the destination folder and
renamed over the target only when complete (:func:`gshp.io.fileio.atomic_write_bytes`), so a
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

COMPRESSION = {"compression": "gzip", "compression_opts": 1, "shuffle": True}
"""Compression of every numeric variable: deflate level 1 after the byte shuffle (readable
by any netCDF-4 library). Measured by ``benchmarks/bench_netcdf.py`` on a 20-year hourly
result (float64): levels 4 and 6 make files 1–3 % smaller for 20–80 % more CPU time."""
TIME_CHUNK = 2**16
"""Chunk length along ``time`` (512 KiB of float64): larger chunks compress better than
h5py's automatic ones (about 44 KiB) and still allow reading a year without the rest."""
TIME_UNITS = "hours since 2001-01-01"
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


#: Interval of each regular output resolution, s (the others: ``time_step_s``).
_STEP_S = {"15min": 900, "hourly": 3600, "daily": 86400}


def _time_bounds(ds: xr.Dataset):
    """(time, 2) bounds of the intervals the time series average, or None if unknown.

    The edges come from the cached axes of :mod:`gshp.io.timeaxis` (built at once, not stamp
    by stamp) and are compared with ``time`` as numbers."""
    from gshp.io.timeaxis import month_start_axis, regular_axis

    t = ds.indexes["time"]
    res = str(ds.attrs.get("output_resolution", ""))
    step = ds.attrs.get("time_step_s")
    freq = _FREQ.get(res) or (f"{int(step)}s" if step else None)  # loads: their step
    if freq is None or len(t) == 0:
        return None
    step_s = _STEP_S.get(res) or (int(step) if step else None)
    h_t = _noleap_hours(t)
    if h_t is not None and h_t[0] == 0.0:  # the usual axis: cached, compared as numbers
        edges = month_start_axis(len(t) + 1) if res == "monthly" else regular_axis(
            len(t) + 1, int(step_s))  # fmt: skip
        h_e = _noleap_hours(edges)
        if h_e is None or not np.array_equal(h_e[:-1], h_t):
            return None  # not a regular axis of that step: leave it without bounds
    else:
        edges = xr.date_range(start=t[0], periods=len(t) + 1, freq=freq, calendar="noleap",
                              use_cftime=True)  # fmt: skip
        if not np.array_equal(np.asarray(edges[:-1]), np.asarray(t)):
            return None  # not a regular axis of that step: leave it without bounds
    e = np.asarray(edges)
    return np.stack([e[:-1], e[1:]], axis=1)


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
            if var.dims == ("time",):
                encoding[name] = encoding_settings(var.shape[0])
            else:
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
        hours = _noleap_hours(ds.indexes["time"])
        for name in ("time", "time_bnds"):
            if name not in ds.variables:
                continue
            encoding.setdefault(name, {}).update({"dtype": "float64", "_FillValue": None})
            if hours is None:
                encoding[name].update({"units": TIME_UNITS, "calendar": "noleap"})
                continue
            # the numbers xarray's element-by-element cftime.date2num gives, at once
            var = ds[name]
            attrs = dict(var.attrs, units=TIME_UNITS, calendar="noleap")
            if name == "time":
                values = hours
            else:
                lo = _noleap_hours(xr.CFTimeIndex(var.values[:, 0]))
                hi = _noleap_hours(xr.CFTimeIndex(var.values[:, 1]))
                values = np.stack([lo, hi], axis=1)
            ds = ds.assign_coords({name: (var.dims, values, attrs)})
    return ds, encoding


def encoding_settings(n_time: int) -> dict:
    """Compression and chunking of a 1-D numeric variable along ``time`` (length
    ``n_time``); chosen by ``benchmarks/bench_netcdf.py`` (file size and write time)."""
    return dict(COMPRESSION, chunksizes=(max(1, min(int(n_time), TIME_CHUNK)),))


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
    Raises :class:`gshp.io.fileio.WriteError` (one message naming the file and the cause:
    disk full, permissions) with nothing left behind. Encoding in memory keeps HDF5 away
    from the disk: a full disk cannot make it fail half-way through a file.
    """
    from gshp.io.fileio import atomic_write_bytes

    return atomic_write_bytes(Path(path), encode_netcdf(ds, float32=float32))


def encode_netcdf(ds: xr.Dataset, float32: bool = False) -> bytes:
    """The bytes of the NetCDF file :func:`write_netcdf` writes (encoded in memory).

    Never takes xarray's Dask-aware write lock: while a ``dask.distributed`` Client is
    active, xarray would ask the scheduler for a distributed lock named after the
    in-memory buffer, which fails (``Semaphore or Lock ... not known``). An in-memory
    buffer needs no lock shared between processes, so the local scheduler is asked for
    while encoding."""
    ds, encoding = _prepared(ds, float32=float32)
    try:
        import dask
    except ImportError:  # pragma: no cover - dask is an optional extra
        return ds.to_netcdf(None, engine="h5netcdf", encoding=encoding)
    with dask.config.set(scheduler="synchronous"):
        return ds.to_netcdf(None, engine="h5netcdf", encoding=encoding)


def decode_netcdf(data: bytes) -> xr.Dataset:
    """A result from the bytes of a result file (:func:`encode_netcdf`), as
    :func:`open_result` reads it."""
    import io

    with xr.open_dataset(io.BytesIO(data), engine="h5netcdf") as ds:
        return cf_decoded(ds.load())


def open_result(path) -> xr.Dataset:
    """Open a result file (loads it into memory and closes the file)."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return cf_decoded(ds.load())
