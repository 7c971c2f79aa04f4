"""gshp — simulator of the central supply station of an ultra-low-temperature district
heating and cooling network: borefield, ground-source heat pump, stratified tank,
tempering valve, cooling-season bypass and the district's substations.

``__version__`` and :func:`gshp.size` are loaded on first use, so that ``import gshp``
(and the command line's start) does not import numpy and the simulator.
"""

from gshp.errors import InputError

__all__ = ["InputError", "__version__", "size"]


def __getattr__(name):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("gshp")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0+unknown"
    elif name == "size":
        from gshp.sizing import size as value
    else:
        raise AttributeError(f"module 'gshp' has no attribute {name!r}")
    globals()[name] = value
    return value
