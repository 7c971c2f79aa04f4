"""gshp — simulator of the central supply station of an ultra-low-temperature district
heating and cooling network: borefield, ground-source heat pump, stratified tank,
tempering valve, cooling-season bypass and the district's substations.

Notebook API (see :mod:`gshp.api`): :func:`load_case`, :class:`Case`, :func:`simulate`,
:func:`sweep`, :func:`to_pandas`, :func:`size`.

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
    return sorted(set(globals()) | set(__all__))
