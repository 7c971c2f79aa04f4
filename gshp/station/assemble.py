"""The result Dataset of a run: every component's declared outputs, yearly and monthly
indicators (:mod:`gshp.station.contract`), the station totals, the energy balance and the
case's attributes (names and units of docs/reference-study.md §4, CF-1.8 via
:mod:`gshp.io.results`)."""

from __future__ import annotations

import json
import warnings
from importlib.metadata import version

import numpy as np
import xarray as xr

from gshp.station import records, totals
from gshp.station.balance import BALANCE_TOLERANCE
from gshp.station.components.clock import RESOLUTION_S

VAR_META = {
    v.name: (v.units, v.long_name)
    for kind in ("OUTPUTS", "YEARLY", "ELEMENT_OUTPUTS", "MONTHLY")
    for _m, v in records.declarations(kind)
} | {totals.E_TOTAL.name: (totals.E_TOTAL.units, totals.E_TOTAL.long_name)}
"""Units and long names of the outputs and yearly indicators (from their declarations)."""


def yearly_values(aggregation, values, y):
    """A yearly indicator in its reported unit from its accumulator (``y``: the raw
    yearly sums of its component, by name)."""
    if aggregation == "energy":
        return values / records.J_PER_KWH
    if aggregation == "kelvin_hours":
        return values / 3600.0
    if aggregation == "count":
        return values.astype(np.int64)
    if aggregation in ("min", "max"):
        return np.where(np.isfinite(values), values, np.nan)
    if aggregation == "mean":
        return values / y["steps"]
    if aggregation == "heating_mean":
        return values / np.maximum(y["heating_steps"], 1)
    raise ValueError(f"unknown aggregation {aggregation!r}")


def time_axis(resolution: str, n: int, dt_s: float):
    """CF time coordinate on a 365-day ('noleap') calendar starting 2001-01-01."""
    from gshp.io.timeaxis import month_start_axis, regular_axis

    if resolution == "monthly":
        return month_start_axis(n)
    return regular_axis(n, int(dt_s) if resolution == "step" else RESOLUTION_S[resolution])


def _attrs(v, **extra):
    return dict(long_name=v.long_name, units=v.units, **extra)


def _extreme(values):
    """An extreme's accumulator with NaN where the interval had no step (±inf)."""
    return np.where(np.isfinite(values), values, np.nan)


def element_variables(m, elem, counts, skip=()) -> dict:
    """The time series of a component's parts (``ELEMENT_OUTPUTS``), dimensions
    ``(m.ELEMENT_DIM, time)`` (CF §2.4: other dimensions left of time)."""
    data = {}
    dims = (m.ELEMENT_DIM, "time")
    for i, v in enumerate(m.ELEMENT_OUTPUTS):
        if v.name in skip:
            continue
        if v.aggregation in ("min", "max"):
            values = _extreme(elem[:, :, i])
            cell = f"time: {v.aggregation}imum"
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                values = elem[:, :, i] / counts
            cell = "time: mean"
        data[v.name] = (dims, values.T, _attrs(v, cell_methods=cell))
    return data


def element_coords(par) -> dict:
    """Coordinates 1 … n of the components' element dimensions (``substation`` …)."""
    coords = {}
    for m in records.COMPONENTS:
        n = records.n_elements(m, par)
        if n > 0:
            coords[m.ELEMENT_DIM] = (m.ELEMENT_DIM, np.arange(1, n + 1))
    return coords


def component_variables(m, a, counts, n_years: int, skip=()) -> dict:
    """The data variables one component declares (``OUTPUTS`` on ``time``, its parts'
    series, ``YEARLY`` on ``year``, the extremes of ``MONTHLY`` on ``(year, month)``), from
    its accumulators ``a`` (:class:`~gshp.station.contract.ComponentAcc`); ``counts``
    (n_out, 1): steps in each output interval."""
    data = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        means = a.out / counts
    for i, v in enumerate(m.OUTPUTS):
        if v.name in skip:
            continue
        if v.aggregation == "majority":
            attrs = _attrs(v, flag_values=np.array([0, 1], np.int8),
                           flag_meanings="heating cooling")  # fmt: skip
            data[v.name] = ("time", (means[:, i] >= 0.5).astype(np.int8), attrs)
        elif v.aggregation in ("min", "max"):
            data[v.name] = ("time", _extreme(a.out[:, i]),
                            _attrs(v, cell_methods=f"time: {v.aggregation}imum"))  # fmt: skip
        else:
            data[v.name] = ("time", means[:, i], _attrs(v, cell_methods="time: mean"))
    if a.elem.shape[1] > 0:
        data.update(element_variables(m, a.elem, counts, skip))
    y = {v.name: a.yearly[:, i] for i, v in enumerate(m.YEARLY)}
    with np.errstate(invalid="ignore", divide="ignore"):
        for v in m.YEARLY:
            if v.aggregation == "internal" or v.name in skip:
                continue
            data[v.name] = ("year", yearly_values(v.aggregation, y[v.name], y), _attrs(v))
        if hasattr(m, "derived"):
            data.update(m.derived(a, y, n_years))
    for i, v in enumerate(getattr(m, "MONTHLY", ())):
        if v.aggregation in ("min", "max") and v.name not in skip:
            values = _extreme(a.monthly[:, i]).reshape(n_years, 12)
            data[v.name] = (("year", "month"), values, _attrs(v))
    return data


def variables(prep, acc) -> dict:
    """The data variables of a run: ``{name: (dims, values, attrs)}``."""
    par = prep.params
    data = {}
    e_total, parts = None, []
    counts = acc.counts[:, None]
    for m in records.COMPONENTS + (totals,):
        a = getattr(acc, m.NAME)
        skip = set(m.omitted(getattr(par, m.NAME))) if hasattr(m, "omitted") else set()
        data.update(component_variables(m, a, counts, prep.n_years, skip))
        for v in m.YEARLY:
            if v.aggregation == "internal" or v.name in skip:
                continue
            if "E_total" in v.adds_to or m is totals:
                values = data[v.name][1]
                e_total = values if e_total is None else e_total + values
                parts.append(v.name)
    data["E_total"] = ("year", e_total, _attrs(totals.E_TOTAL, gshp_sum_of=" ".join(parts)))
    return data


def assemble(prep, acc, balance: dict, wall: float) -> xr.Dataset:
    """The result Dataset of a run of ``prep`` with accumulators ``acc``, energy-balance
    residuals ``balance`` (:func:`gshp.station.balance.residuals`) and the kernel's wall
    time (s); warns when the balance does not close or the fluid froze."""
    case = prep.case
    res = case.simulation.output_resolution
    dt = prep.params.clock.dt
    n_years = prep.n_years
    data = variables(prep, acc)
    data["energy_balance_closure"] = (
        (),
        balance["closure"],
        dict(
            units="1",
            long_name="energy-balance residual / energy throughput",
            **{k: float(v) for k, v in balance.items() if k != "closure"},
        ),
    )
    freezing = int(np.sum(data["freezing_steps"][1]))
    component_attrs = {}
    for m in records.COMPONENTS:
        if hasattr(m, "attrs"):
            component_attrs.update(m.attrs(getattr(prep.params, m.NAME), prep.ctx))
    attrs = dict(
        title=f"gshp result: {case.name}",
        Conventions="CF-1.8",
        case_name=case.name,
        case_description=case.description,
        case=json.dumps(case.to_dict(), sort_keys=True),
        gshp_version=version("gshp"),
        pygfunction_version=version("pygfunction"),
        numba_version=version("numba"),
        xarray_version=xr.__version__,
        kernel_wall_time_s=round(wall, 4),
        time_step_s=int(dt),
        output_resolution=res,
        energy_balance_closure=balance["closure"],
        freezing_violation=int(freezing > 0),
        **{f"station_{k}": v for k, v in prep.info.items() if k != "district_load_summary"},
        district_loads=json.dumps(prep.info["district_load_summary"]),
        network=json.dumps(
            prep.network.attrs() if prep.network is not None else {"model": "lumped"},
            default=float,
        ),
        **{k: json.dumps(v, default=float) for k, v in component_attrs.items()},
    )
    ds = xr.Dataset(
        data,
        coords=dict(
            time=("time", time_axis(res, prep.n_out, dt)),
            year=("year", np.arange(1, n_years + 1)),
            month=("month", np.arange(1, 13)),
            **element_coords(prep.params),
        ),
        attrs=attrs,
    )
    for dim in element_coords(prep.params):
        ds[dim].attrs = dict(long_name=f"{dim} number", units="1")
    ds["year"].attrs = dict(long_name="simulation year", units="1")
    ds["month"].attrs = dict(long_name="calendar month", units="1")
    if balance["closure"] > BALANCE_TOLERANCE:
        warnings.warn(
            f"case {case.name}: energy balance closes only to "
            f"{balance['closure']:.2e} of the throughput",
            stacklevel=2,
        )
    if freezing:
        warnings.warn(
            f"case {case.name}: the borefield fluid fell below its freezing point "
            f"({prep.info['T_freeze_C']:.1f} °C) in {freezing} steps",
            stacklevel=2,
        )
    return ds
