"""The station's components, one module each (the contract: :mod:`gshp.station.contract`).

A module here that defines ``build`` is a component: it is found by :func:`modules`, gets
its field in the station's records (:mod:`gshp.station.records`), is built by
:func:`gshp.station.prepare.prepare` and reports its declared outputs; the kernel loop
(:mod:`gshp.station.kernel`) calls its step functions in the order of the energy
balance (``ORDER``). Modules without ``build`` (``network_pipes``) are parts of one.
"""

from __future__ import annotations

import importlib
import pkgutil


def modules() -> tuple:
    """The component modules, in the order of the energy balance (their ``ORDER``)."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "build"):
            found.append(mod)
    return tuple(sorted(found, key=lambda m: (m.ORDER, m.NAME)))
