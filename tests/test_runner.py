"""The runner's worker-side finishing step (``gshp run`` writes results in the workers)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from gshp.cli.run import _write_and_summarise
from gshp.config import load_case
from gshp.io.results import open_result
from gshp.studies.runner import CaseFailed, run_cases

ROOT = Path(__file__).resolve().parents[1]


def _fake_simulate(case, progress=None):
    """A tiny stand-in result with a time series and yearly values."""
    from gshp.io.timeaxis import regular_axis

    n = 48
    return xr.Dataset(
        {
            "gshp_on_fraction": ("time", np.linspace(0.0, 1.0, n)),
            "scop_gshp": ("year", [4.0]),
        },
        coords={"time": regular_axis(n, 3600), "year": [1]},
        attrs={"case_name": case.name},
    )


def test_finish_runs_on_each_case_and_replaces_the_dataset(tmp_path):
    case = load_case(ROOT / "cases" / "berlin.toml")

    def finish(case, ds):
        return _write_and_summarise(tmp_path, case, ds)

    (res,) = run_cases([case], jobs=1, progress=False, simulate_fn=_fake_simulate, finish=finish)
    assert res.ok
    assert "time" not in res.dataset.dims and "scop_gshp" in res.dataset
    assert res.dataset.attrs["gshp_on_fraction_mean"] == 0.5
    path = Path(res.dataset.attrs["result_path"])
    assert path == tmp_path / "berlin.nc"
    back = open_result(path)
    assert back.sizes["time"] == 48 and np.array_equal(
        back.gshp_on_fraction.values, np.linspace(0.0, 1.0, 48)
    )


def test_finish_failure_is_reported_with_its_message(tmp_path):
    case = load_case(ROOT / "cases" / "berlin.toml")

    def finish(case, ds):
        raise CaseFailed("writing its result failed: disk full")

    (res,) = run_cases([case], jobs=1, progress=False, simulate_fn=_fake_simulate, finish=finish)
    assert not res.ok
    assert res.error == "writing its result failed: disk full"
    assert res.error_kind == "failure"


def test_unwritable_folder_fails_the_case_not_the_run(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    case = load_case(ROOT / "cases" / "berlin.toml")
    ds = _fake_simulate(case)
    try:
        _write_and_summarise(blocker, case, ds)
    except CaseFailed as exc:
        assert "cannot write" in str(exc) and "file" in str(exc)
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("writing into a file path did not fail")


# ---------------------------------------------------------------------------- killed workers


def _small_cases(folder, names, years=1):
    text = (ROOT / "cases" / "strasbourg.toml").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith("name =")]
    text = "\n".join(lines).replace("years = 20", f"years = {years}")
    paths = []
    for name in names:
        p = Path(folder) / f"{name}.toml"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def _env(**extra):
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def test_killed_worker_costs_only_its_case(tmp_path):
    """kill -9 of one of two workers (the test hook makes case 'b' SIGKILL its own worker
    process, as the out-of-memory killer would): only 'b' fails, named, with "worker
    died (killed or out of memory"; the other running case and the queued ones finish and
    are written."""
    import subprocess
    import sys

    from gshp.studies.runner import KILL_CASE_ENV

    cases = _small_cases(tmp_path, ["a", "b", "c", "d"])
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "gshp.cli", "run", *map(str, cases), "-o", str(out), "-j", "2",
         "-q"],
        capture_output=True, text=True, env=_env(**{KILL_CASE_ENV: "b"}), timeout=600,
    )  # fmt: skip
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert "b: FAILED: worker died (killed or out of memory; SIGKILL)" in r.stderr
    assert "3 of 4 case(s) done" in r.stdout
    assert sorted(p.name for p in out.iterdir()) == ["a.nc", "c.nc", "d.nc"]
    assert open_result(out / "d.nc").sizes["year"] == 1


def _descendants(pid):
    """Pids of every process below ``pid`` (Linux /proc)."""
    children = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        ppid = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("PPid:")))
        children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_sigkill_of_gshp_run_leaves_no_process(tmp_path):
    """kill -9 of the main `gshp run` process: its worker processes die with it (no
    orphaned Manager or worker keeps running)."""
    import signal
    import subprocess
    import sys
    import time

    cases = _small_cases(tmp_path, ["a", "b"], years=5)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gshp.cli", "run", *map(str, cases), "-o", str(tmp_path / "o"),
         "-j", "2", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
    )  # fmt: skip
    t0 = time.time()
    while len(_descendants(proc.pid)) < 2 and time.time() - t0 < 60:
        time.sleep(0.1)
    below = _descendants(proc.pid)
    assert len(below) >= 2, "no worker processes started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    t0 = time.time()
    while any(_alive(p) for p in below) and time.time() - t0 < 10:
        time.sleep(0.1)
    assert not [p for p in below if _alive(p)]
