"""Benchmark of the station kernel (prints its figures).

1. The Helsinki reference case, 20 years at 3 minutes (3 504 000 steps): set-up time,
   kernel wall time (compilation excluded: a short warm-up run compiles first), steps/s,
   peak resident memory of this process.
2. The same borefield (same g-function) and the same ground loads pushed through
   ``pygfunction.load_aggregation.ClaessonJaved`` in a plain Python loop for
   ``--pyg-steps`` steps, extrapolated to 3 504 000 steps; the ratio of the two.
3. Kernel time with the buried-pipe network (``network.model = "pipes"``, the default)
   and without it (``"lumped"``: one mixed node), same case, same run, alternating,
   best of ``--repeat`` (issue 13: at most +30 %).

Usage: python benchmarks/bench_station.py [--case cases/helsinki.toml] [--pyg-steps 100000]
       [--network-years 20] [--repeat 2]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default=str(ROOT / "cases" / "helsinki.toml"))
    ap.add_argument("--pyg-steps", type=int, default=100_000)
    ap.add_argument("--network-years", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)

    from gshp.config import load_case
    from gshp.simulation import prepare, run_prepared

    case = load_case(args.case)
    # warm-up: compile (or load from the numba cache) every kernel
    run_prepared(prepare(case.replace(**{"simulation.years": 1})))

    t0 = time.perf_counter()
    prep = prepare(case)
    t_prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    ds = run_prepared(prep)
    t_run = time.perf_counter() - t0
    n = prep.info["n_steps"]
    kernel = ds.attrs["kernel_wall_time_s"]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"case                      {case.name}: {case.simulation.years} years at "
        f"{case.simulation.time_step_s} s = {n:,} steps"
    )
    print(
        f"set-up (loads, g-function, tables) {t_prep:8.2f} s "
        f"(g-function from cache: {bool(prep.info['gfunction_from_cache'])})"
    )
    print(f"kernel wall time          {kernel:8.3f} s  ({n / kernel / 1e6:.2f} M steps/s)")
    print(f"run + dataset assembly    {t_run:8.3f} s")
    print(f"energy-balance closure    {ds.attrs['energy_balance_closure']:.2e}")
    print(f"peak resident memory      {rss:8.0f} MB")

    # pygfunction's ClaessonJaved in a Python loop, same g-function and loads
    import pygfunction as gt

    from gshp.borefield import Borefield

    bf = Borefield.from_config(case.borefield)
    dt = float(case.simulation.time_step_s)
    m = args.pyg_steps
    times = np.arange(1, m + 1) * dt
    q_hourly = ds.Q_ground.values / (bf.n_boreholes * bf.H)  # W/m, + extracted
    per_hour = int(3600 // dt)
    q = np.repeat(q_hourly, per_hour)[:m]
    agg = gt.load_aggregation.ClaessonJaved(dt, n * dt)  # same cells as the kernel
    g, _ = bf.gfunction(agg.get_times_for_simulation())
    agg.initialize(g / (2 * np.pi * bf.k_s))
    t0 = time.perf_counter()
    for i in range(m):
        agg.next_time_step(times[i])
        agg.set_current_load(np.array([q[i]]))
        agg.temporal_superposition()
    t_pyg = time.perf_counter() - t0
    t_pyg_full = t_pyg * n / m
    print(
        f"pygfunction ClaessonJaved {t_pyg:8.2f} s for {m:,} steps -> {t_pyg_full:8.1f} s "
        f"for {n:,} (ground only, Python loop)"
    )
    print(
        f"speed-up of the coupled station kernel over the ground-only Python loop: "
        f"{t_pyg_full / kernel:,.0f}x"
    )
    network_overhead(case, args.network_years, args.repeat)
    return 0


def network_overhead(case, years, repeat):
    """Kernel time with and without the pipe network, same case, alternating runs."""
    from gshp.simulation import prepare, run_prepared

    best = {}
    for _ in range(repeat):
        for model in ("lumped", "pipes"):
            c = case.replace(**{"simulation.years": years, "network.model": model})
            ds = run_prepared(prepare(c))
            t = ds.attrs["kernel_wall_time_s"]
            best[model] = min(best.get(model, np.inf), t)
    n = years * 365 * 86400 // case.simulation.time_step_s
    for model, t in best.items():
        print(
            f"kernel, network {model:6s}    {t:8.3f} s  ({t / n * 1e9:6.0f} ns/step, "
            f"{years} years)"
        )
    print(
        f"network overhead          {best['pipes'] / best['lumped'] - 1:+8.1%} "
        f"({(best['pipes'] - best['lumped']) / n * 1e9:+.0f} ns/step)"
    )


if __name__ == "__main__":
    sys.exit(main())
