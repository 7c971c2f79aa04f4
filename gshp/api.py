"""Notebook API: cases, runs and sweeps as Python objects and xarray Datasets.

>>> import gshp
>>> case = gshp.load_case("cases/berlin.toml")          # checked like `gshp check`
>>> ds = gshp.simulate(case, **{"simulation.years": 2})  # an xarray.Dataset
>>> ds.T_bhe_out.plot()                                  # cftime axis via nc-time-axis
>>> s = gshp.to_pandas(ds.T_bhe_out)                     # pandas Series, DatetimeIndex
>>> grid = {"borefield.n_x": [5, 7], "climate.preset": ["berlin", "helsinki"]}
>>> sw = gshp.sweep(case, grid, overrides={"simulation.years": 1})

Time in results is on a 365-day (``noleap``) calendar: the weather year repeats without
29 February. :func:`to_pandas` gives a :class:`pandas.DatetimeIndex` on the standard
calendar (the years of the run, 2001 on; in leap years 29 February is simply absent), so
``resample`` and ``groupby`` work; use it for plotting with pandas or seaborn.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pandas as pd
import xarray as xr

from gshp.config import Case, load_case
from gshp.studies.simulate import simulate

__all__ = ["Case", "load_case", "simulate", "sweep", "to_pandas"]


def sweep(
    base_case,
    grid: dict,
    *,
    overrides: dict | None = None,
    mode: str = "cross",
    name: str = "sweep",
    jobs: int = 1,
    progress: bool = False,
    scheduler: str | None = None,
) -> xr.Dataset:
    """Run a grid of cases around a base case; the combined Dataset (not written).

    The same machinery as ``gshp sweep`` (:func:`gshp.studies.sweep.run_sweep`): cases stacked
    along ``case`` with every swept parameter as a coordinate on ``case``.

    Parameters
    ----------
    base_case : Case, str or Path
        The base case (object or case file).
    grid : dict
        As a sweep file's ``[grid]``: ``{"dotted.path": [values…]}``, or a group
        ``{"name": [{"label": …, "path.a": …, "path.b": …}, …]}`` varied together.
    overrides : dict, optional
        Dotted-path values applied to every case (e.g. ``{"simulation.years": 2}``).
    mode : {'cross', 'zip'}
        Every combination of the grid entries, or element by element.
    jobs, progress, scheduler
        As :func:`gshp.studies.sweep.run_sweep`.

    Raises
    ------
    InputError
        A bad grid, or (listing every point) grid points whose values are invalid.
    """
    from gshp.errors import InputError
    from gshp.studies.sweep import run_sweep, sweep_from_dict

    case = base_case if isinstance(base_case, Case) else load_case(base_case)
    with tempfile.TemporaryDirectory(prefix="gshp-sweep-") as tmp:
        base = Path(tmp) / f"{case.name}.toml"
        case.to_toml(base)
        raw = {"name": name, "base": str(base), "mode": mode, "grid": grid}
        if overrides:
            raw["overrides"] = overrides
        sw = sweep_from_dict(raw, base_dir=tmp, output=Path(tmp) / f"{name}.nc")
        out = run_sweep(sw, jobs=jobs, progress=progress, scheduler=scheduler, write=False)
    bad = [r for r in out.failed if r.error_kind == "input"]
    if bad:
        from gshp.errors import Problem

        raise InputError([Problem(r.name, "grid point", r.error) for r in bad])
    if out.dataset is None:
        raise RuntimeError("every case of the sweep failed: " + "; ".join(
            f"{r.name}: {r.error}" for r in out.failed))  # fmt: skip
    ds = out.dataset
    ds.attrs["sweep_base"] = str(case.source) if case.source else f"{case.name} (in memory)"
    return ds


def to_pandas(obj, column: str | None = None):
    """A result variable (or Dataset) with a :class:`pandas.DatetimeIndex`.

    Results use a 365-day calendar (cftime ``noleap``); the index converts it to the
    standard calendar (``CFTimeIndex.to_datetimeindex(unsafe=True)``) — the same dates,
    with 29 February absent in leap years. A DataArray gives a Series, a Dataset the
    DataFrame of its ``time`` variables.
    """
    from gshp.errors import InputError

    if not isinstance(obj, xr.Dataset | xr.DataArray):
        raise InputError.single(
            "to_pandas", obj, "a result xarray.Dataset or DataArray (e.g. ds.T_bhe_out)"
        )
    if isinstance(obj, xr.Dataset):
        obj = obj[[v for v in obj.data_vars if obj[v].dims == ("time",)]]
    if "time" not in obj.indexes:
        raise InputError.single(
            "to_pandas", f"dims {tuple(obj.dims)}", "a variable on the result's time axis"
        )
    idx = obj.indexes["time"]
    if not isinstance(idx, pd.DatetimeIndex):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            idx = idx.to_datetimeindex(unsafe=True)
    obj = obj.assign_coords(time=idx)
    return obj.to_series() if isinstance(obj, xr.DataArray) else obj.to_dataframe()
