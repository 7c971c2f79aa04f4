"""gshp — simulator of the central supply station of an ultra-low-temperature district
heating and cooling network: borefield, ground-source heat pump, stratified tank,
tempering valve, cooling-season bypass and the district's substations.

Notebook API (see :mod:`gshp.api`): :func:`load_case`, :class:`Case`, :func:`simulate`,
:func:`sweep`, :func:`to_pandas`, :func:`size`, :class:`InputError`.
``gshp.simulate(case, years=5)`` and ``case.replace(borefield={"n_x": 6})`` change case
fields by their own name, by section or by dotted path (see :meth:`Case.replace`).

These names and ``__version__`` are loaded on first use, so that ``import gshp`` (and
the command line's start) does not import numpy, xarray and the simulator.
"""

from gshp.errors import InputError

__all__ = [
    "Case", "InputError", "__version__", "load_case", "simulate", "size", "sweep", "to_pandas",
]  # fmt: skip

_API = ("Case", "load_case", "simulate", "sweep", "to_pandas")


def __getattr__(name):
    if name == "__version__":
        from gshp.version import __version__ as value
    elif name == "size":
        from gshp.studies.sizing import size as value
    elif name in _API:
        import gshp.api

        value = getattr(gshp.api, name)
    else:
        raise AttributeError(f"module 'gshp' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    """The public API (loaded on first use, so listed from ``__all__``) and the module's
    own attributes, without its private helpers."""
    own = {n for n in globals() if not n.startswith("_") or n.startswith("__")}
    return sorted(own | set(__all__))
