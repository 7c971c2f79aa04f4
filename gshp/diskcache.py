"""The disk cache of set-up results (g-functions, heat pump performance tables).

One folder (``$GSHP_CACHE_DIR``, else the user cache folder ``…/gshp/gfunctions``, or a
case's ``borefield.gfunction.cache_dir``) holds ``.npy`` files named by the SHA-256 of a
canonical JSON of every input (floats as exact hex strings, so the key is exact and
platform independent). Files are written atomically — a temporary file in the same folder,
then ``os.replace`` — so parallel processes can share the folder, and a file that cannot
be read is simply computed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
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


def load_array(path: Path, shape: tuple) -> np.ndarray | None:
    """The array stored at ``path`` if it exists, is readable and has ``shape``; else None."""
    if not path.is_file():
        return None
    try:
        a = np.load(path)
    except (OSError, ValueError):
        return None
    return a if a.shape == tuple(shape) else None


def save_array(path: Path, a: np.ndarray) -> None:
    """Write ``a`` to ``path`` atomically (temporary file in the same folder, then rename).

    A cache that cannot be written (read-only folder, full disk) is not an error: the
    result is only computed again next time."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.", suffix=".npy.tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, a)
        os.replace(tmp, path)
    except OSError:
        pass
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
