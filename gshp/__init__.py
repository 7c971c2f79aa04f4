"""gshp — simulator of the central supply station of an ultra-low-temperature district
heating and cooling network: borefield, ground-source heat pump, stratified tank,
tempering valve, cooling-season bypass and the district's substations.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gshp")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from gshp.errors import InputError  # noqa: E402
from gshp.sizing import size  # noqa: E402

__all__ = ["InputError", "__version__", "size"]
