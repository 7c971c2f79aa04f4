"""The disk cache of set-up results (g-functions, heat pump performance tables).

One folder (``$GSHP_CACHE_DIR``, else the user cache folder ``…/gshp/gfunctions``, or a
case's ``borefield.gfunction.cache_dir``) holds ``.npy`` files named by the SHA-256 of a
canonical JSON of every input (floats as exact hex strings, so the key is exact and
platform independent). Files are written atomically — a temporary file in the same folder,
then ``os.replace``, :mod:`gshp.io.fileio` — so parallel processes can share the folder; a
file that cannot be read is computed again and replaced (with a warning naming it), and a
folder that cannot be written only warns.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from pathlib import Path

import numpy as np


def default_cache_dir(cache_dir=None) -> Path:
    """The cache folder: ``cache_dir`` if given, else $GSHP_CACHE_DIR, else
    ``platformdirs.user_cache_dir("gshp")/gfunctions``."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get("GSHP_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("gshp")) / "gfunctions"


def cache_key(inputs: dict) -> str:
    """SHA-256 of a canonical JSON of every input that affects the cached result."""
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=_jsonable)
    return hashlib.sha256(text.encode()).hexdigest()


def _jsonable(o):
    if isinstance(o, np.ndarray):
        return [float(v).hex() for v in o.ravel()]
    if isinstance(o, float | np.floating):
        return float(o).hex()
    return str(o)


def canon(v):
    """Floats as exact hex strings so the key is exact and platform independent."""
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [canon(x) for x in v]
    if isinstance(v, np.ndarray):
        return _jsonable(v)
    if isinstance(v, float | np.floating):
        return float(v).hex()
    return v


def cached_path(prefix: str, key_inputs: dict, cache_dir=None) -> Path:
    """Path of the cache file of ``key_inputs`` (``<folder>/<prefix>_<sha256>.npy``)."""
    return default_cache_dir(cache_dir) / f"{prefix}_{cache_key(canon(key_inputs))}.npy"


def load_array(path: Path, shape: tuple, what: str = "cached array") -> np.ndarray | None:
    """The array stored at ``path``, or None when there is none; when the file is
    unreadable, of another shape or not finite, None with a warning naming the file (it
    is then recomputed and replaced)."""
    if not path.is_file():
        return None
    try:
        a = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        reason = f"unreadable ({exc})"
    else:
        if a.shape != tuple(shape):
            reason = f"{a.shape} values where {tuple(shape)} are needed"
        elif not np.all(np.isfinite(a)):
            reason = "not finite (corrupt)"
        else:
            return a
    warnings.warn(
        f"{what} cache file {path} is {reason}: recomputing it and replacing the file",
        stacklevel=3,
    )
    return None


def save_array(path: Path, a: np.ndarray, what: str = "cached array") -> None:
    """Store ``a`` atomically (:func:`gshp.io.fileio.atomic_write_bytes`); a read-only or
    full cache folder only warns (the run goes on with the computed values)."""
    from gshp.io.fileio import WriteError, atomic_write_bytes

    buf = io.BytesIO()
    np.save(buf, a)
    try:
        atomic_write_bytes(path, buf.getbuffer(), fsync=False)
    except WriteError as exc:
        warnings.warn(
            f"{what} cache not written ({exc.cause}): {path}; the run goes on "
            f"(set GSHP_CACHE_DIR to a writable folder to reuse {what}s)",
            stacklevel=3,
        )


def check_cache_dir(cache_dir=None) -> str | None:
    """None if the g-function cache folder is usable, else why not (for ``gshp check``).

    A path that exists but is not a folder (e.g. ``GSHP_CACHE_DIR`` set to a file) is a
    problem; a folder that cannot be written is not (the g-function is then computed at
    each run, with a warning).
    """
    folder = default_cache_dir(cache_dir)
    for p in (folder, *folder.parents):
        if p.exists():
            if not p.is_dir():
                return f"{p} is not a folder"
            break
    return None
