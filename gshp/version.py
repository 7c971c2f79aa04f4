"""The installed version of gshp (``gshp.__version__``), read from the package metadata.

Its own module, imported only where the version is needed (reading the metadata takes
a few milliseconds of start-up), so that no module needs ``import gshp`` for it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gshp")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"
