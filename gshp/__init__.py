"""gshp — simulator of the central supply station of an ultra-low-temperature district
heating and cooling network: borefield, ground-source heat pump, stratified tank,
tempering valve, cooling-season bypass and the district's substations.

Notebook API (see :mod:`gshp.api`): :func:`load_case`, :class:`Case`, :func:`simulate`,
:func:`sweep`, :func:`to_pandas`, :func:`size`.

These names and ``__version__`` are loaded on first use, so that ``import gshp`` (and
the command line's start) does not import numpy, xarray and the simulator.
"""

import os as _os
import sys as _sys

from gshp.errors import InputError


def _per_user_numba_cache() -> None:
    """Send numba's on-disk cache (pickled compiled code) to a per-user folder.

    By default numba writes its cache next to the sources (``__pycache__`` of an
    installed package, possibly shared and writable by several users): whoever can write
    there can make every user of it run their code. Unless the user set
    ``NUMBA_CACHE_DIR``, gshp sets it to ``platformdirs.user_cache_dir("gshp")/numba``
    before any of its modules imports numba (numba reads the variable when
    ``numba.core.config`` is first imported; when numba was imported earlier its
    ``config.CACHE_DIR`` is set as well, which its cache locators read at decoration).
    """
    if _os.environ.get("NUMBA_CACHE_DIR"):
        return
    try:
        import platformdirs

        path = _os.path.join(platformdirs.user_cache_dir("gshp"), "numba")
    except Exception:  # pragma: no cover - no platformdirs: numba's default
        return
    _os.environ["NUMBA_CACHE_DIR"] = path
    config = _sys.modules.get("numba.core.config")
    if config is not None and not getattr(config, "CACHE_DIR", ""):
        config.CACHE_DIR = path


_per_user_numba_cache()

__all__ = [
    "Case", "InputError", "__version__", "load_case", "simulate", "size", "sweep", "to_pandas",
]  # fmt: skip

_API = ("Case", "load_case", "simulate", "to_pandas")


def __getattr__(name):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("gshp")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0+unknown"
    elif name == "size":
        from gshp.sizing import size as value
    elif name == "sweep":
        # the module (``gshp sweep``, run_sweep, …), callable as :func:`gshp.api.sweep`:
        # ``gshp.sweep(base_case, grid)`` (it makes itself callable when imported)
        import gshp.sweep as value
    elif name in _API:
        import gshp.api

        value = getattr(gshp.api, name)
    else:
        raise AttributeError(f"module 'gshp' has no attribute {name!r}")
    globals()[name] = value
    return value
