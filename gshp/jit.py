"""The compiler options of the per-step (kernel) functions, and where their machine code is
cached.

Every function the station kernel calls in its time loop is compiled with
:func:`kernel_jit`: numba in nopython mode, cached on disk, and **without numba's
reference-counted runtime (NRT)**. These functions never allocate; they only read and
write arrays the caller owns. With the runtime on, numba counts references of each array
it passes, reads from a record or receives as an argument — an out-of-line call per
array, twice per non-inlined call and per record access. In the 3.5 million steps of a
20-year case that bookkeeping took more than half of the kernel's time (measured with
``benchmarks/bench_station.py``: Helsinki 20 y with the buried pipes, 3.2 s → 1.25 s).
Without the runtime an allocation in such a function is a compile error, which also
keeps the per-step work allocation-free (tested in ``tests/test_kernel_jit.py``).

**The cache.** numba keys a cached function on the content of *its own* source file, so a
caller whose callee (or a global it reads, such as an output index) changed in another
file would load stale machine code. gshp's compiled functions are therefore cached with
:class:`KernelCacheLocator`: their stamp is a hash of *every* source file of the compiled
layers (``gshp/jit.py``, ``gshp/physics/``, ``gshp/station/``), so editing any of them
recompiles them all, and the cache lives in a per-user folder
(``platformdirs.user_cache_dir("gshp")/numba``, mode 0700, or ``$NUMBA_CACHE_DIR`` when
set): numba's cache is pickled code, which a folder shared with other users would let
them replace (docs/cluster.md).

``_nrt`` is numba's own target option (``numba.core.options.TargetOptions``) and
``numba.core.caching.CacheImpl._locator_classes`` its list of cache locators; both are
used here and nowhere else, so that a change of numba's spelling has one place to follow.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from numba import njit
from numba.core import caching, config

PACKAGE_DIR = Path(__file__).resolve().parent
COMPILED_LAYERS = ("jit.py", "physics", "station")
"""The parts of the package whose sources make up the stamp of every cached function."""


@functools.lru_cache(maxsize=1)
def source_stamp() -> str:
    """SHA-256 of the sources of the compiled layers (paths and contents, sorted)."""
    h = hashlib.sha256()
    for part in COMPILED_LAYERS:
        p = PACKAGE_DIR / part
        files = [p] if p.is_file() else sorted(p.rglob("*.py"))
        for f in files:
            h.update(f.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def cache_root() -> Path:
    """Folder of gshp's compiled-code cache: ``$NUMBA_CACHE_DIR``, else a per-user folder."""
    if config.CACHE_DIR:
        return Path(config.CACHE_DIR)
    import platformdirs

    return Path(platformdirs.user_cache_dir("gshp")) / "numba"


class KernelCacheLocator(caching._CacheLocator):
    """numba cache locator for gshp's own functions (see the module docstring)."""

    def __init__(self, py_func, py_file):
        self._lineno = py_func.__code__.co_firstlineno
        self._path = cache_root() / self.get_suitable_cache_subpath(py_file)

    def ensure_cache_path(self):
        root = cache_root()
        if not root.exists():
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
        super().ensure_cache_path()

    def get_cache_path(self):
        return str(self._path)

    def get_source_stamp(self):
        return source_stamp()

    def get_disambiguator(self):
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):
        try:
            Path(py_file).resolve().relative_to(PACKAGE_DIR)
        except (OSError, ValueError):
            return None  # not gshp's: numba's own locators
        self = cls(py_func, py_file)
        try:
            self.ensure_cache_path()
        except OSError:
            return None  # not writable: numba falls back to its own locators
        return self


if KernelCacheLocator not in caching.CacheImpl._locator_classes:
    caching.CacheImpl._locator_classes.insert(0, KernelCacheLocator)


def kernel_jit(**options):
    """``numba.njit(cache=True, _nrt=False, **options)`` (``inline``, ``error_model``)."""
    return njit(cache=True, _nrt=False, **options)


__all__ = ["kernel_jit", "source_stamp", "cache_root", "KernelCacheLocator"]
