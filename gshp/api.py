"""Notebook API: cases, runs and sweeps as Python objects and xarray Datasets.

>>> import gshp
>>> case = gshp.load_case("cases/berlin.toml")          # checked like `gshp check`
>>> ds = gshp.simulate(case, years=2)                    # an xarray.Dataset
>>> ds.T_bhe_out.plot()                                  # cftime axis via nc-time-axis
>>> s = gshp.to_pandas(ds.T_bhe_out)                     # pandas Series, DatetimeIndex
>>> bigger = case.replace(borefield={"n_x": 7}, simulation={"years": 5})
>>> grid = {"n_x": [5, 7], "climate.preset": ["berlin", "helsinki"]}
>>> sw = gshp.sweep(case, grid, overrides={"years": 1})

Overrides name a case field in one of three ways, mixed freely: its own name when no
other field has it (``years`` is ``simulation.years``, ``n_x`` is ``borefield.n_x``), a
section with a dict of its fields (``simulation={"years": 2}``, the section's other
fields kept), or its dotted path (``**{"simulation.years": 2}``). A name several fields
have (``conductivity_W_mK``: ground, pipes, grout) or no field has is an
:class:`~gshp.errors.InputError` naming the candidates or the closest name.

Time in results is on a 365-day (``noleap``) calendar: the weather year repeats without
29 February. :func:`to_pandas` gives a :class:`pandas.DatetimeIndex` on the standard
calendar (the years of the run, 2001 on; in leap years 29 February is simply absent), so
``resample`` and ``groupby`` work; use it for plotting with pandas or seaborn.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import xarray as xr

from gshp.config import Case, load_case
from gshp.config.case import override_paths
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
        ``{"name": [{"label": …, "path.a": …, "path.b": …}, …]}`` varied together. A
        field may also be named as in ``overrides`` (``{"n_x": [5, 7]}``, ``{"borefield":
        {"n_x": [5, 7]}}``); a group's name is free.
    overrides : dict, optional
        Values applied to every case: dotted paths (``{"simulation.years": 2}``), unique
        field names (``{"years": 2}``) or sections with dicts (``{"simulation":
        {"years": 2}}``), as :meth:`Case.replace`.
    mode : {'cross', 'zip'}
        Every combination of the grid entries, or element by element.
    jobs, progress, scheduler
        As :func:`gshp.studies.sweep.run_sweep`.

    Raises
    ------
    InputError
        A bad grid, an ambiguous or unknown field name, or (listing every point) grid
        points whose values are invalid.
    """
    from gshp.errors import InputError
    from gshp.studies.sweep import run_sweep, sweep_from_dict

    if not isinstance(grid, Mapping):
        raise InputError.single("grid", grid, 'a dict such as {"n_x": [5, 7]}')
    grid = _grid_paths(grid)
    if overrides:
        overrides = override_paths(overrides, "overrides.")
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


def _group(values) -> bool:
    """A grid entry that is a group: a list of rows (dicts)."""
    return (
        isinstance(values, list | tuple)
        and bool(values)
        and all(isinstance(v, Mapping) for v in values)
    )


def _grid_paths(grid: Mapping) -> dict:
    """A sweep grid with its fields as dotted paths (:func:`override_paths`): the entries,
    and the fields of each group's rows; a group's name and its rows' labels stay."""
    out = {}
    plain = {k: v for k, v in grid.items() if not _group(v)}
    if plain:
        out.update(override_paths(plain, "grid."))
    for key, rows in grid.items():
        if _group(rows):
            out[key] = [
                {**({"label": row["label"]} if "label" in row else {}),
                 **override_paths({k: v for k, v in row.items() if k != "label"},
                                  f"grid.{key}.")}
                for row in rows
            ]  # fmt: skip
    return out


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
