"""The disk cache of set-up results (g-functions, heat pump performance tables).

One folder (``$GSHP_CACHE_DIR``, else the user cache folder ``…/gshp/gfunctions``, or a
case's ``borefield.gfunction.cache_dir``) holds ``.npy`` files named by the SHA-256 of a
canonical JSON of every input (floats as exact hex strings, so the key is exact and
platform independent). Each file holds one record (a structured ``.npy``, no pickle):
the input key (the same SHA-256 as in its name), a SHA-256 checksum of the array's type,
shape and bytes with that key, and the array. A file whose record does not check out —
corrupt, truncated, renamed to another key, or replaced by an array of the right shape
but other values — is ignored with a warning naming it, computed again and replaced.
The checksum detects corruption and planted or mixed-up files, not a forger who
recomputes it: share a cache folder only between users who trust each other
(docs/cluster.md). Files are written atomically — a temporary file in the same folder,
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


FORMAT = 2
"""Version of the file layout, part of every key: 2 = a record with the input key and a
checksum (1, plain arrays, lives under other names, so older and newer gshp versions
sharing a folder do not replace each other's files)."""


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
    key = cache_key(canon({**key_inputs, "diskcache_format": FORMAT}))
    return default_cache_dir(cache_dir) / f"{prefix}_{key}.npy"


_FIELDS = ("key", "sha256", "data")


def _key_of(path: Path) -> str:
    """The input key in a cache file's name (``<prefix>_<key>.npy``)."""
    return Path(path).stem.rpartition("_")[2]


def checksum(key: str, a: np.ndarray) -> str:
    """SHA-256 of the input key, the array's type, shape and bytes (C order)."""
    a = np.ascontiguousarray(a)
    h = hashlib.sha256()
    h.update(f"{key}|{a.dtype.str}|{a.shape}|".encode())
    h.update(a.tobytes())
    return h.hexdigest()


def _record(key: str, a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    rec = np.zeros(1, dtype=[("key", "S64"), ("sha256", "S64"), ("data", a.dtype.str, a.shape)])
    rec["key"] = key.encode()
    rec["sha256"] = checksum(key, a).encode()
    rec["data"][0] = a
    return rec


def _check_record(rec, path: Path, shape: tuple) -> tuple[np.ndarray | None, str]:
    """(the array, "") if ``rec`` is a sound record for ``path`` of ``shape``, else
    (None, why not)."""
    if rec.dtype.names != _FIELDS or rec.shape != (1,):
        return None, "not a gshp cache record (no input key and checksum; an older or foreign file)"
    key = rec["key"][0].decode("ascii", "replace")
    if key != _key_of(path):
        return None, f"the record of other inputs (key {key[:12]}…, not {_key_of(path)[:12]}…)"
    a = np.array(rec["data"][0])
    if a.shape != tuple(shape):
        return None, f"{a.shape} values where {tuple(shape)} are needed"
    if rec["sha256"][0].decode("ascii", "replace") != checksum(key, a):
        return None, "not what was written (checksum mismatch: corrupt or replaced)"
    if not np.all(np.isfinite(a)):
        return None, "not finite (corrupt)"
    return a, ""


def load_array(path: Path, shape: tuple, what: str = "cached array") -> np.ndarray | None:
    """The array stored at ``path``, or None when there is none; when the file is
    unreadable, not a record of its key, of another shape, fails its checksum or is not
    finite, None with a warning naming the file (it is then recomputed and replaced)."""
    if not path.is_file():
        return None
    try:
        rec = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        reason = f"unreadable ({exc})"
    else:
        a, reason = _check_record(rec, path, shape)
        if a is not None:
            return a
    warnings.warn(
        f"{what} cache file {path} is {reason}: recomputing it and replacing the file",
        stacklevel=3,
    )
    return None


def read_cached(path) -> np.ndarray:
    """The array of a cache file (no checks; for inspection and tests)."""
    return np.array(np.load(path, allow_pickle=False)["data"][0])


def save_array(path: Path, a: np.ndarray, what: str = "cached array") -> None:
    """Store ``a`` with its input key and checksum (one record) atomically
    (:func:`gshp.io.fileio.atomic_write_bytes`); a read-only or full cache folder only warns
    (the run goes on with the computed values)."""
    from gshp.io.fileio import WriteError, atomic_write_bytes

    buf = io.BytesIO()
    np.save(buf, _record(_key_of(path), np.asarray(a)))
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
