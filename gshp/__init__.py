"""gshp — simulator of the central supply station of an ultra-low-temperature district
heating and cooling network: borefield, ground-source heat pump, stratified tank,
tempering valve, cooling-season bypass and the district's substations.

Notebook API (see :mod:`gshp.api`): :func:`load_case`, :class:`Case`, :func:`simulate`,
:func:`sweep`, :func:`to_pandas`, :func:`size`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gshp")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from gshp import sweep  # noqa: E402  (the module; callable, see below)
from gshp.api import Case, SweepModule, load_case, simulate, to_pandas  # noqa: E402
from gshp.errors import InputError  # noqa: E402
from gshp.sizing import size  # noqa: E402

# ``gshp.sweep`` is the sweep module (``gshp sweep``, run_sweep, …) and, called,
# :func:`gshp.api.sweep`: ``gshp.sweep(base_case, grid)``.
sweep.__class__ = SweepModule

__all__ = [
    "Case", "InputError", "__version__", "load_case", "simulate", "size", "sweep", "to_pandas",
]  # fmt: skip
