"""Atomic file writes that respect the umask, fail cleanly and clean up after a kill.

Every file gshp writes (results, the g-function cache) goes through
:func:`atomic_write_bytes`: the bytes go to a hidden temporary file in the destination
folder, which is renamed over the target only when complete (``os.replace`` is atomic on
POSIX and Windows). So

- a crash, an interrupt or a full disk never leaves a half-written target;
- the file gets the permissions the umask gives (0644 under umask 022), like any file a
  program creates with ``open`` — not the 0600 of :func:`tempfile.mkstemp`, which would
  make a shared g-function cache or result folder usable by one user only;
- a full disk or a read-only folder is one :class:`WriteError` naming the file and the
  cause, with the temporary file removed;
- temporary files left by a process that was killed (``kill -9``, out of memory) are
  recognised by the host and process id in their name and removed by the next write
  into the same folder (never those of a process still running).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import time
from pathlib import Path

TMP_SUFFIX = ".tmp"
LEGACY_TMP_AGE_S = 86400.0
"""Temporaries without a process id (older gshp versions) are removed after a day."""


class WriteError(RuntimeError):
    """A file could not be written (disk full, permissions, …); the message names it."""

    def __init__(self, path, cause: str):
        self.path = Path(path)
        self.cause = cause
        super().__init__(f"cannot write {path}: {cause}")


def _host() -> str:
    return socket.gethostname().replace(".", "_").replace("-", "_") or "host"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _tmp_name(target: Path) -> Path:
    token = secrets.token_hex(4)
    return target.with_name(f".{target.name}.{_host()}-{os.getpid()}.{token}{TMP_SUFFIX}")


_TMP_RE = re.compile(r"^\..+\.(?P<host>[^.]+)-(?P<pid>\d+)\.[0-9a-f]{8}\.tmp$")


def clean_stale_temporaries(target) -> list[Path]:
    """Remove temporaries left by dead processes of this host in ``target``'s folder;
    return them.

    A temporary is ``.<name>.<host>-<pid>.<token>.tmp``; it is stale when its process no
    longer runs (whatever file it was for). Temporaries of other hosts (a shared folder
    on a cluster) and of running processes are kept; nameless ones of older gshp versions
    (``.<target name>.<random>.tmp``) are removed when older than a day.
    """
    target = Path(target)
    removed = []
    legacy_prefix = f".{target.name}."
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    host = _host()
    now = time.time()
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(TMP_SUFFIX)):
            continue
        m = _TMP_RE.match(name)
        if m:
            stale = m["host"] == host and not _pid_alive(int(m["pid"]))
        elif name.startswith(legacy_prefix):
            try:
                stale = now - entry.stat().st_mtime > LEGACY_TMP_AGE_S
            except OSError:
                stale = False
        else:
            stale = False
        if stale:
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def atomic_write_bytes(path, data, *, fsync: bool = True) -> Path:
    """Write ``data`` (bytes-like) to ``path`` atomically; return the path.

    Parent folders are created. Raises :class:`WriteError` (with the temporary file
    removed) when the folder cannot be created or written, or the disk is full.
    """
    path = Path(path)
    if "\x00" in str(path):
        raise WriteError(str(path).replace("\x00", "\\0"), "a NUL character in the path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(path, f"its folder cannot be created ({exc.strerror})") from None
    clean_stale_temporaries(path)
    tmp = _tmp_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise WriteError(path, exc.strerror or str(exc)) from None
    try:
        view = memoryview(data).cast("B")
        with os.fdopen(fd, "wb") as fh:
            while view:
                n = fh.write(view)
                view = view[n:]
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise WriteError(path, exc.strerror or str(exc)) from None
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return path


def _unlink_quietly(p) -> None:
    try:
        os.unlink(p)
    except OSError:
        pass


def check_writable_folder(folder) -> str | None:
    """None if files can be created in ``folder`` (created if missing), else the reason."""
    folder = Path(folder)
    if "\x00" in str(folder):
        return "contains a NUL character"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot be created ({exc.strerror})"
    if not folder.is_dir():
        return "is not a folder"
    probe = folder / f".gshp-write-test.{_host()}-{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        return f"is not writable ({exc.strerror})"
    os.close(fd)
    _unlink_quietly(probe)
    return None
