"""`gshp sweep` on a real Dask cluster: a `dask scheduler` and two `dask worker` processes
on localhost, and a LocalCluster; results identical to the process pool; a worker killed
during the sweep costs only its case."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

from gshp.io.results import open_result
from gshp.studies.runner import KILL_CASE_ENV
from gshp.studies.sweep import drop_volatile

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
BERLIN = ROOT / "cases" / "berlin.toml"
KILLED = "n_x=8"  # the case that kills its Dask worker (test hook), only in the kill test


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_cmd(*args):
    exe = Path(sys.executable).parent / "dask"
    if exe.exists():
        return [str(exe), *args]
    module = {
        "scheduler": "distributed.cli.dask_scheduler",
        "worker": "distributed.cli.dask_worker",
    }
    return [sys.executable, "-m", module[args[0]], *args[1:]]


def _env(**extra):
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """tcp address of a scheduler with two single-threaded workers; torn down after."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    # a worker killed by a case is not given the same case again
    env = _env(**{KILL_CASE_ENV: KILLED, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"})
    procs = []
    try:
        procs.append(subprocess.Popen(
            _dask_cmd("scheduler", "--host", "127.0.0.1", "--port", str(port),
                      "--no-dashboard"),
            env=env, stdout=subprocess.DEVNULL, stderr=open(logs / "scheduler.log", "w"),
        ))  # fmt: skip
        for i in range(2):
            procs.append(subprocess.Popen(
                _dask_cmd("worker", address, "--nthreads", "1", "--no-dashboard",
                          "--host", "127.0.0.1", "--name", f"w{i}"),
                env=env, stdout=subprocess.DEVNULL, stderr=open(logs / f"w{i}.log", "w"),
            ))  # fmt: skip
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs[::-1]:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)


def _sweep_file(folder, n_x):
    text = (
        f'name = "d"\nbase = "{BERLIN.as_posix()}"\noutput = "out/d.nc"\n[overrides]\n'
        '"simulation.years" = 1\n"simulation.output_resolution" = "daily"\n'
        f'"simulation.time_step_s" = 900\n[grid]\n"borefield.n_x" = {n_x}\n'
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "d.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _sweep(path, *args, env=None):
    r = subprocess.run(
        [sys.executable, "-m", "gshp.cli", "sweep", str(path), "-q", *args],
        capture_output=True, text=True, env=env or _env(), timeout=300,
    )  # fmt: skip
    assert "Traceback" not in r.stderr, r.stderr
    return r


def test_cluster_and_local_cluster_identical_to_process_pool(cluster, tmp_path):
    results = {}
    for label, args in (
        ("pool", ["-j", "2"]),
        ("tcp", ["--scheduler", cluster]),
        ("local", ["--scheduler", "local", "-j", "2"]),
    ):
        path = _sweep_file(tmp_path / label, [6, 7])
        r = _sweep(path, *args)
        assert r.returncode == 0, r.stderr
        results[label] = open_result(tmp_path / label / "out" / "d.nc")
        assert len(list((tmp_path / label / "out" / "d.cases").glob("*.nc"))) == 2
    ref = drop_volatile(results["pool"])
    for label in ("tcp", "local"):
        xr.testing.assert_identical(ref, drop_volatile(results[label]))


def test_killed_dask_worker_costs_only_its_case(cluster, tmp_path):
    """The case KILLED SIGKILLs its Dask worker process (test hook): that case fails with
    "worker died (killed or out of memory", the other case is written."""
    path = _sweep_file(tmp_path, [6, 8])
    r = _sweep(path, "--scheduler", cluster)
    assert r.returncode == 1, r.stderr
    assert f"{KILLED}: failed: worker died (killed or out of memory" in r.stderr, r.stderr
    ds = open_result(tmp_path / "out" / "d.nc")
    assert list(ds["case"].values) == ["n_x=6"]
    assert [f["name"] for f in json.loads(ds.attrs["failed_cases"])] == [KILLED]
