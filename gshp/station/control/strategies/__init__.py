"""Network supply setpoint strategies, one module each (docs/reference-study.md §2).

A strategy module defines ``NAME`` (the value of ``network.strategy`` in a case file),
``ID`` (its number in the compiled controls) and ``heating_setpoints(net, T_air_C)``: the
heating-season supply setpoint of every 15-min slot of the year, °C, from the case's
``[network]`` section and the outdoor temperature. A strategy that also acts while the
station runs (``adaptive``) has compiled functions the control component calls by ``ID``
(:func:`gshp.station.components.control.new_day`).

Adding a strategy: a module here and its name among the choices of ``network.strategy``
in :mod:`gshp.config` (``tests/test_controls.py`` checks that the two agree).
"""

from __future__ import annotations

import importlib
import pkgutil


def names() -> tuple[str, ...]:
    """The strategies' names (their modules here), without importing them."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)))


def strategy(name: str):
    """The module of strategy ``name``."""
    if name not in names():
        raise ValueError(f"unknown strategy {name!r}; known: {', '.join(names())}")
    return importlib.import_module(f"{__name__}.{name}")
