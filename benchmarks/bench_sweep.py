"""Benchmark of a sweep: how much of the workers' time is spent in the station kernel.

A 24-case grid — 3 climates × 4 field sizes × 2 supply strategies, 20 years, daily
output — runs through :func:`gshp.studies.sweep.run_sweep` on ``--jobs`` worker processes
(joblib/loky; a worker keeps its imports, compiled functions and in-memory caches from
case to case). The disk caches (g-functions, heat pump tables, flow tables) and numba's
cache are warmed first in this process, so the figures are those of a repeated sweep.

Prints: wall time, cases per minute, and the kernel's share of the worker time, both of
the whole run (sum of kernel times / (workers × wall time), which counts worker start-up,
imports and idle time) and of the in-worker case time (sum of kernel / sum of the
``simulate`` calls); per worker, how the cases' set-up time falls after its first case.

Usage: python benchmarks/bench_sweep.py [--jobs 2] [--years 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CLIMATES = {  # as cases/sweeps/climate_x_boreholes.toml
    "helsinki": {"T": 5.2, "kW": 135.0, "tank": 15.0},
    "berlin": {"T": 9.8, "kW": 96.0, "tank": 10.0},
    "strasbourg": {"T": 10.2, "kW": 96.0, "tank": 10.0},
}
N_X = [6, 7, 9, 12]  # × n_y = 5 from the base case: 30, 35, 45, 60 boreholes
STRATEGIES = ["constant", "schedule"]


def sweep_dict(years: int, output: Path) -> dict:
    return {
        "name": "bench_sweep",
        "description": "3 climates x 4 field sizes x 2 strategies",
        "base": str(ROOT / "cases" / "berlin.toml"),
        "output": str(output),
        "mode": "cross",
        "overrides": {
            "simulation.years": years,
            "simulation.output_resolution": "daily",
            "network.heating_setpoint_by_month_C": [8, 8, 8, 20, 20, 20, 20, 20, 20, 20, 8, 8],
        },
        "grid": {
            "borefield.n_x": N_X,
            "network.strategy": STRATEGIES,
            "climate": [
                {
                    "label": name,
                    "climate.preset": name,
                    "district.preset": name,
                    "borefield.ground.T_undisturbed_C": c["T"],
                    "heat_pump.rated_heating_capacity_kW": c["kW"],
                    "tank.volume_m3": c["tank"],
                }
                for name, c in CLIMATES.items()
            ],
        },
    }


def timed_simulate(case, progress=None):
    """:func:`gshp.studies.simulate.simulate` with the worker's wall time and process id."""
    from gshp.studies.simulate import simulate

    t0 = time.perf_counter()
    ds = simulate(case, progress=progress)
    ds.attrs["worker_wall_time_s"] = time.perf_counter() - t0
    ds.attrs["worker_pid_wall_time_s"] = os.getpid()  # '*wall_time*': dropped as volatile
    return ds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--years", type=int, default=20)
    args = ap.parse_args(argv)

    from gshp.station.prepare import prepare
    from gshp.studies.simulate import run_prepared
    from gshp.studies.sweep import build_cases, run_sweep, sweep_from_dict

    with tempfile.TemporaryDirectory() as tmp:
        sweep = sweep_from_dict(sweep_dict(args.years, Path(tmp) / "sweep.nc"))
        _, valid, invalid = build_cases(sweep)
        assert not invalid, [r.error for r in invalid]
        # warm the disk caches (one set-up per climate and field) and numba's cache
        t0 = time.perf_counter()
        seen = set()
        for _, case in valid:
            key = (case.climate.preset, case.borefield.n_x)
            if key not in seen:
                seen.add(key)
                prep = prepare(case.replace(**{"simulation.years": 1}))
        run_prepared(prep)
        print(f"warm-up (disk caches, compilation): {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        outcome = run_sweep(sweep, jobs=args.jobs, progress=False, simulate_fn=timed_simulate)
        wall = time.perf_counter() - t0
    results = [r for r in outcome.results if r.ok]
    failed = [r for r in outcome.results if not r.ok]
    kernel = [r.dataset.attrs["kernel_wall_time_s"] for r in results]
    case_wall = [r.dataset.attrs["worker_wall_time_s"] for r in results]
    by_worker = defaultdict(list)
    for r, k, c in zip(results, kernel, case_wall, strict=True):
        by_worker[r.dataset.attrs["worker_pid_wall_time_s"]].append(c - k)
    n = len(results)
    print(
        f"sweep: {n} cases ({len(failed)} failed), {args.years} years at 3 min, daily output, "
        f"{args.jobs} workers"
    )
    print(f"wall time                         {wall:8.1f} s")
    print(f"cases per minute                  {60 * n / wall:8.2f}")
    print(f"kernel time, sum over cases       {sum(kernel):8.1f} s  (mean {sum(kernel) / n:.2f} s)")
    print(f"simulate() in workers, sum        {sum(case_wall):8.1f} s")
    print(
        f"kernel share of worker time       {100 * sum(kernel) / (args.jobs * wall):8.1f} %"
        "  (sum of kernels / (workers x wall))"
    )
    print(
        f"kernel share of simulate() calls  {100 * sum(kernel) / sum(case_wall):8.1f} %"
    )
    for pid, over in by_worker.items():
        rest = over[1:] or [float("nan")]
        print(
            f"  worker {pid}: {len(over)} cases; outside the kernel: first case "
            f"{over[0]:.2f} s, then mean {sum(rest) / len(rest):.2f} s"
        )
    for r in failed:
        print("FAILED", r.name, r.error)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
