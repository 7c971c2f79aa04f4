"""Faults and bad environments: full disk, permissions, killed processes, corrupt caches.

Each test reproduces one defect of issue 14 and checks the clear outcome that replaced it.
"""

import errno
import os
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from gshp.io import fileio
from gshp.io.diskcache import read_cached
from gshp.io.fileio import WriteError, atomic_write_bytes, clean_stale_temporaries
from gshp.io.results import open_result, write_netcdf
from gshp.physics.borefield.gfunction import check_cache_dir, field_gfunction

ROOT = Path(__file__).resolve().parents[1]


def small_ds():
    return xr.Dataset({"T": ("time", np.linspace(0.0, 10.0, 50), {"units": "°C"})})


# ------------------------------------------------------------------ permissions (item 7)


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_files_get_the_permissions_of_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        p = write_netcdf(small_ds(), tmp_path / "r.nc")
        field_gfunction([(0, 0)], 100.0, 2.0, 0.075, 1e-6, [3600.0, 1e6], cache_dir=tmp_path / "c")
    finally:
        os.umask(old)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~umask
    (cached,) = (tmp_path / "c").glob("g_*.npy")
    assert stat.S_IMODE(cached.stat().st_mode) == 0o666 & ~umask


# ------------------------------------------------------------------ full disk (item 9)


def test_full_disk_is_one_message_and_leaves_nothing(tmp_path, monkeypatch):
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    with pytest.raises(WriteError, match=r"cannot write .*r\.nc: No space left on device"):
        write_netcdf(small_ds(), tmp_path / "r.nc")
    assert list(tmp_path.iterdir()) == []


def _tmpfs(folder, size="64k"):
    """A small tmpfs mounted at ``folder``/tiny (root on Linux only), else None."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return None
    d = Path(folder) / "tiny"
    d.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(d)], capture_output=True
    )
    return d if r.returncode == 0 else None


def test_full_disk_on_a_real_small_filesystem(tmp_path):
    """A 64 kB tmpfs (needs root): the writer reports ENOSPC, no h5py noise, nothing left."""
    d = _tmpfs(tmp_path)
    if d is None:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        ds = xr.Dataset({"x": ("t", np.random.default_rng(0).random(100_000))})
        code = (
            "import sys, xarray as xr\n"
            "from gshp.io.results import write_netcdf\n"
            "from gshp.io.fileio import WriteError\n"
            "ds = xr.open_dataset(sys.argv[1]).load()\n"
            "try:\n    write_netcdf(ds, sys.argv[2])\n"
            "except WriteError as e:\n    print(e)\n"
        )
        src = tmp_path / "big.nc"
        ds.to_netcdf(src, engine="h5netcdf")
        r = subprocess.run(
            [sys.executable, "-c", code, str(src), str(d / "r.nc")],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        src.unlink()
        assert r.returncode == 0, r.stderr
        assert "No space left on device" in r.stdout and r.stderr == ""
        assert list(d.iterdir()) == []
    finally:
        subprocess.run(["umount", str(d)])


def test_stale_temporary_of_a_killed_writer_is_removed(tmp_path):
    """A writer killed with SIGKILL mid-write leaves its temporary; the next write removes
    it (a live process's temporary is kept)."""
    target = tmp_path / "r.nc"
    code = (
        "import os, sys, signal\n"
        "from gshp.io import fileio\n"
        "real = os.replace\n"
        "def die(*a):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
        "fileio.os.replace = die\n"
        "fileio.atomic_write_bytes(sys.argv[1], b'x' * 1000)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(target)], env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert r.returncode == -9
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".r.nc.") and not target.exists()
    live = fileio._tmp_name(target)  # this (live) process's temporary
    live.write_bytes(b"in progress")
    dead_pid = 2**22 + 1  # above Linux's largest pid: no such process
    other = tmp_path / f".other.nc.{fileio._host()}-{dead_pid}.0123abcd.tmp"
    other.write_bytes(b"left by a killed run writing another file")
    foreign = tmp_path / f".other.nc.otherhost-{dead_pid}.0123abcd.tmp"
    foreign.write_bytes(b"another machine's, on a shared folder")
    write_netcdf(small_ds(), target)
    assert not other.exists() and foreign.exists()
    foreign.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "r.nc"])
    assert clean_stale_temporaries(target) == []
    np.testing.assert_array_equal(open_result(target).T.values, small_ds().T.values)


def test_write_into_a_path_below_a_file_is_a_clear_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(WriteError, match="cannot write .*folder cannot be created"):
        atomic_write_bytes(f / "sub" / "r.nc", b"x")


# ------------------------------------------------------------------ g-function cache (item 12)

ARGS = ([(0, 0), (6, 0)], 100.0, 2.0, 0.075, 1e-6, np.geomspace(3600.0, 3e9, 12))


def test_read_only_cache_folder_computes_and_warns(tmp_path, monkeypatch):
    ref, _ = field_gfunction(*ARGS, use_cache=False)

    def refuse(path, data, **kw):
        raise WriteError(path, "Read-only file system")

    monkeypatch.setattr(fileio, "atomic_write_bytes", refuse)
    with pytest.warns(UserWarning, match="g-function cache not written .*Read-only"):
        g, hit = field_gfunction(*ARGS, cache_dir=tmp_path)
    assert not hit
    np.testing.assert_array_equal(g, ref)


@pytest.mark.parametrize("content", ["nan", "garbage", "short"])
def test_corrupt_cache_file_is_named_replaced_and_recomputed(tmp_path, content):
    ref, hit = field_gfunction(*ARGS, cache_dir=tmp_path)
    (path,) = tmp_path.glob("g_*.npy")
    if content == "nan":
        np.save(path, np.full_like(ref, np.nan))
    elif content == "short":
        np.save(path, ref[:3])
    else:
        path.write_bytes(b"\x93NUMPY garbage")
    with pytest.warns(UserWarning, match=f"cache file {path} is .*recomputing"):
        g, hit = field_gfunction(*ARGS, cache_dir=tmp_path)
    assert not hit
    np.testing.assert_array_equal(g, ref)
    np.testing.assert_array_equal(read_cached(path), ref)  # replaced
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g2, hit2 = field_gfunction(*ARGS, cache_dir=tmp_path)
    assert hit2


def test_cache_dir_that_is_a_file(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    assert check_cache_dir(f) == f"{f} is not a folder"
    assert check_cache_dir(f / "sub") == f"{f} is not a folder"
    assert check_cache_dir(tmp_path / "new" / "folder") is None


# ------------------------------------------------------------------ killed worker (item 8)


def _case_file(folder, name, years):
    text = (ROOT / "cases" / "strasbourg.toml").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith("name =")]
    text = "\n".join(lines).replace("years = 20", f"years = {years}")
    assert f"years = {years}" in text
    p = Path(folder) / f"{name}.toml"
    p.write_text(text, encoding="utf-8")
    return p


def _loky_workers(parent_pid):
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes()
            status = (d / "status").read_text()
        except OSError:
            continue
        ppid = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("PPid:")))
        if b"spawn_main" in cmd and b"resource_tracker" not in cmd and ppid == parent_pid:
            out.append(int(d.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_killed_worker_keeps_finished_cases(tmp_path):
    """kill -9 of one parallel worker mid-run (what an out-of-memory kill does): the case
    finished before is written and identical to an undisturbed run, the cases lost with
    the worker are reported as failed, exit code 1, no traceback."""
    import signal
    import time

    from gshp.studies.simulate import comparable

    fast = _case_file(tmp_path, "fast", 1)
    slow = [_case_file(tmp_path, f"slow{i}", 6) for i in (1, 2)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gshp.cli", "run", str(fast), *map(str, slow),
         "-o", str(out), "-j", "2", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    t0 = time.time()
    while not (out / "fast.nc").exists() and proc.poll() is None and time.time() - t0 < 300:
        time.sleep(0.05)
    workers = _loky_workers(proc.pid)
    assert proc.poll() is None and workers, "the run ended before a worker could be killed"
    os.kill(workers[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr + stdout
    died = "FAILED: worker died (killed or out of memory; SIGKILL)"
    lost = [s for s in slow if f"{s.stem}: {died}" in stderr]
    assert len(lost) == 1, stderr  # the killed worker's case only
    for s in slow:  # every case is either written or reported lost, never both
        assert (s in lost) != (out / f"{s.stem}.nc").exists()
    assert f"{3 - len(lost)} of 3 case(s) done" in stdout
    # no temporaries left
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{s.stem}.nc" for s in [fast, *slow] if s not in lost
    )
    ref = subprocess.run(
        [sys.executable, "-m", "gshp.cli", "run", str(fast), "-o", str(tmp_path / "ref"), "-q"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert ref.returncode == 0, ref.stderr
    xr.testing.assert_identical(
        comparable(open_result(out / "fast.nc")), comparable(open_result(tmp_path / "ref/fast.nc"))
    )


def test_full_disk_in_gshp_run_is_one_message_per_case(tmp_path):
    """`gshp run` onto a full file system (a 64 kB tmpfs; needs root): one message per
    case, exit code 1, no traceback or crash, no file or temporary left."""
    d = _tmpfs(tmp_path)
    if d is None:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        cases = [_case_file(tmp_path, name, 1) for name in ("a", "b")]
        r = subprocess.run(
            [sys.executable, "-m", "gshp.cli", "run", *map(str, cases), "-o", str(d), "-q",
             "-j", "1"],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert r.returncode == 1, r.stderr
        assert "Traceback" not in r.stderr and "HDF5" not in r.stderr
        for name in ("a", "b"):
            line = f"{name}: FAILED: cannot write {d / name}.nc: No space left on device"
            assert r.stderr.count(line) == 1, r.stderr
        assert list(d.iterdir()) == []
    finally:
        subprocess.run(["umount", str(d)])
