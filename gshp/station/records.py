"""The station's records, made from its components (:mod:`gshp.station.components`).

``StationParams`` and ``StationState`` have one field per component (its ``NAME``), in
the order of the energy balance; ``Accumulators`` has each component's
:class:`~gshp.station.contract.ComponentAcc` plus the station's ``counts`` (steps in each
output interval), ``bal`` (energy-balance sums, :mod:`gshp.station.balance`) and
``status`` (error code, step, variable). Adding a component adds its fields; nothing here
changes.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from gshp.station import totals
from gshp.station.balance import N_BAL
from gshp.station.components import modules
from gshp.station.contract import component_acc

COMPONENTS = modules()
NAMES = tuple(m.NAME for m in COMPONENTS)

StationParams = namedtuple("StationParams", NAMES, module=__name__)
StationParams.__doc__ = "The components' parameter records (built by gshp.station.prepare)."
StationState = namedtuple("StationState", NAMES, module=__name__)
StationState.__doc__ = "The components' state records, carried between kernel calls."
Accumulators = namedtuple(
    "Accumulators", NAMES + ("totals", "counts", "bal", "status"), module=__name__
)
Accumulators.__doc__ = (
    "Each component's accumulators; totals: the station's totals booked per step "
    "(gshp.station.totals); counts (n_out,): steps in each output interval; bal "
    "(N_BAL,): energy-balance sums, J; status (3,): error code, step, variable index "
    "(NONFINITE_NAMES)."
)

STATUS_OK = 0
STATUS_NONFINITE = 1
NONFINITE_NAMES = ("T_bhe_out", "T_tank_top", "T_supply", "Q_network", "T_return")

J_PER_KWH = 3.6e6


def component(name: str):
    """The component module called ``name``."""
    return COMPONENTS[NAMES.index(name)]


def n_elements(module, params) -> int:
    """Number of parts a component reports time series of (its ``n_elements``; 0)."""
    if params is None or not hasattr(module, "n_elements"):
        return 0
    return int(module.n_elements(getattr(params, module.NAME)))


def accumulators(n_out: int, n_years: int, params=None) -> Accumulators:
    """Fresh accumulators; extremes start at ±inf (from the declarations); ``params``
    (:class:`StationParams`) sizes the components' element accumulators."""
    return Accumulators(
        *(component_acc(m, n_out, n_years, n_elements(m, params)) for m in COMPONENTS),
        totals=component_acc(totals, n_out, n_years),
        counts=np.zeros(n_out),
        bal=np.zeros(N_BAL),
        status=np.zeros(3, dtype=np.int64),
    )


def declarations(kind: str):
    """``(module, Var)`` of every declared ``OUTPUTS``, ``YEARLY`` or ``ELEMENT_OUTPUTS``
    variable (the components' and the station totals')."""
    return [(m, v) for m in COMPONENTS + (totals,) for v in getattr(m, kind, ())]


def yearly(acc: Accumulators, name: str) -> np.ndarray:
    """The raw yearly accumulator (n_years,) of indicator ``name`` (J, °C or counts)."""
    for m, v in declarations("YEARLY"):
        if v.name == name:
            i = [w.name for w in m.YEARLY].index(name)
            return getattr(acc, m.NAME).yearly[:, i]
    raise KeyError(name)
