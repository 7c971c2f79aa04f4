"""The contract every station component keeps (docs/architecture.md).

A component is one module in :mod:`gshp.station.components` that defines

``NAME``
    its field in the station's records (:mod:`gshp.station.records`);
``ORDER``
    its place in the energy balance of a step (the kernel calls components in this order;
    outputs appear in the result in this order);
``Params``, ``State``
    ``typing.NamedTuple`` records of scalars and arrays (SI units in their docstrings).
    numba passes them by value into compiled code; what changes during a run lives in
    arrays (shape (1,) for a scalar). A component without memory uses :data:`NO_STATE`;
``build(ctx) -> (Params, State)``
    the records at the start of a run, from the case and what other components built
    (:class:`gshp.station.prepare.BuildContext`);
``OUTPUTS``, ``YEARLY``, ``MONTHLY``
    declarations (:class:`Var`) of the time series, yearly and monthly indicators it
    reports. The component accumulates them itself, into its own accumulator
    (:class:`ComponentAcc`), addressed by the index records ``OUT``, ``YR`` and ``MON``
    made from these declarations by :func:`index` in the same file (numba's cache then
    sees every index a compiled function uses in that function's own file);
and optionally

``stored_heat(params, state) -> float``
    the heat it holds, J (relative to 0 °C), for the energy balance
    (:mod:`gshp.station.balance`);
``omitted(params) -> tuple[str, ...]``
    names of its declared variables that this configuration does not report (e.g. the
    pipes' variables with the lumped network; a component switched off reports none);
``attrs(params, ctx) -> dict``
    result attributes describing it;
``ELEMENT_DIM``, ``ELEMENT_OUTPUTS``, ``n_elements(params) -> int``
    time series of each of its ``n_elements`` parts (e.g. the network's substations),
    reported with the dimensions ``(ELEMENT_DIM, time)`` and accumulated into its
    accumulator's ``elem`` array (index record ``EL``); aggregations ``mean``, ``min``
    and ``max``. With no elements (``n_elements`` 0) they are not reported.

Its step functions are compiled with :func:`gshp.jit.kernel_jit` and never allocate.
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

import numpy as np


class Var(NamedTuple):
    """Declaration of one output or indicator.

    aggregation — time series: ``mean`` (mean over the output interval), ``majority``
    (a 0/1 flag, ≥ 0.5 of the interval) or ``min``/``max`` (the extreme over the
    interval; accumulate with ``min``/``max``, not ``+=``). Yearly: ``energy`` (sum of
    W·dt in J, reported in kWh), ``count`` (integer count), ``min``/``max`` (extreme;
    NaN when never reached), ``mean`` (sum over the year's steps / the component's ``steps``),
    ``heating_mean`` (sum over heating-season steps / the component's ``heating_steps``),
    ``kelvin_hours`` (sum of K·dt in K·s, reported in K·h), ``internal`` (kernel use only,
    not reported). Monthly: ``energy`` (J).

    adds_to — the station totals this yearly indicator is a part of: ``("E_total",)`` for
    electricity of the station or the substations (the circulation pumps' is booked as
    ``E_pumps`` by :mod:`gshp.station.totals`). ``E_total`` is made when the result is
    assembled, so that a new component's electricity is counted (and drawn in the
    report) without touching another file.
    """

    name: str
    units: str  # UDUNITS spelling, as CF wants in the files: degC, W, kW h, 1
    long_name: str
    aggregation: str
    adds_to: tuple = ()


def index(decls, name: str):
    """Record of column indices of declarations ``decls`` (``index(OUTPUTS).T_supply`` …)."""
    names = [v.name for v in decls]
    return namedtuple(name, names or ["unused"])(*range(max(len(names), 1)))


class NoState(NamedTuple):
    """State record of a component without memory."""

    none: np.ndarray


NO_STATE = NoState(none=np.zeros(1))


class ComponentAcc(NamedTuple):
    """A component's accumulators: ``out`` (n_out, len(OUTPUTS)) sums (or extremes) of
    its time series over each output interval; ``yearly`` (n_years, len(YEARLY));
    ``monthly`` (n_years·12, len(MONTHLY)); ``elem`` (n_out, n_elements,
    len(ELEMENT_OUTPUTS)) the time series of its parts (shape (n_out, 0, ·) without)."""

    out: np.ndarray
    yearly: np.ndarray
    monthly: np.ndarray
    elem: np.ndarray


def _extremes_start(arr, decls):
    """``min`` columns (last axis) start at +inf, ``max`` columns at −inf."""
    for i, v in enumerate(decls):
        if v.aggregation == "min":
            arr[..., i] = np.inf
        elif v.aggregation == "max":
            arr[..., i] = -np.inf
    return arr


def component_acc(module, n_out: int, n_years: int, n_elements: int = 0) -> ComponentAcc:
    """Fresh accumulators of a component; extremes start at ±inf (their aggregation)."""
    elem_decls = getattr(module, "ELEMENT_OUTPUTS", ())
    return ComponentAcc(
        out=_extremes_start(np.zeros((n_out, len(module.OUTPUTS))), module.OUTPUTS),
        yearly=_extremes_start(np.zeros((n_years, len(module.YEARLY))), module.YEARLY),
        monthly=_extremes_start(np.zeros((n_years * 12, len(getattr(module, "MONTHLY", ())))),
                                getattr(module, "MONTHLY", ())),
        elem=_extremes_start(np.zeros((n_out, n_elements, len(elem_decls))), elem_decls),
    )
