"""Benchmark of the main job, ``gshp run cases/`` (prints its figures).

Runs the command twice in fresh processes: first from empty caches (a new numba cache
folder and a new g-function cache folder, so everything is compiled and computed), then
again with those caches warm. Prints the wall time of each run and the peak resident
memory of the largest process (the CLI and its worker processes).

With ``--warm-only`` the user's caches are used and the command runs ``--repeat`` times
(minimum reported, the machine may be shared).

Usage: python benchmarks/bench_run.py [CASES...] [--jobs N] [--warm-only] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", default=[str(ROOT / "cases")])
    ap.add_argument("--jobs", default=None)
    ap.add_argument("--warm-only", action="store_true", help="use the existing caches")
    ap.add_argument("--repeat", type=int, default=2, help="runs with --warm-only")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            NUMBA_CACHE_DIR=str(Path(tmp) / "numba"),
            GSHP_CACHE_DIR=str(Path(tmp) / "gfunctions"),
        )
        labels = ("empty caches", "warm caches")
        if args.warm_only:
            env = dict(os.environ)
            labels = tuple(f"warm caches, run {i + 1}" for i in range(args.repeat))
        cmd = [
            sys.executable,
            "-m",
            "gshp.cli",
            "run",
            *args.cases,
            "-o",
            str(Path(tmp) / "results"),
            "-q",
        ]
        if args.jobs:
            cmd += ["--jobs", args.jobs]
        walls = []
        for label in labels:
            t0 = time.perf_counter()
            res = subprocess.run(cmd, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if res.returncode != 0:
                print(res.stdout[-2000:], res.stderr[-2000:])
                return res.returncode
            kernels = [line for line in res.stdout.splitlines() if "kernel" in line]
            walls.append(wall)
            print(f"gshp run ({label}): {wall:6.1f} s wall")
            for line in kernels:
                print("   ", line.strip())
        if args.warm_only:
            print(f"gshp run, warm caches: min {min(walls):.1f} s of {len(walls)} runs")
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak resident memory of the largest process: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
