"""Benchmark of the heat-pump pieces: kernel lookup cost, booster COPs, table set-up time.

Run: python benchmarks/bench_heatpump.py
"""

import time

import numba
import numpy as np

from gshp.physics.heatpump import (
    HeatPump,
    booster_cops,
    default_booster_params,
    hp_lookup,
    performance_table,
    summary,
)


@numba.njit
def _loop_lookup(ts, tk, qc, qe, pw, xs, ys):
    acc = 0.0
    for k in range(xs.shape[0]):
        a, b, c, d = hp_lookup(ts, tk, qc, qe, pw, xs[k], ys[k])
        acc += a + d
    return acc


@numba.njit
def _loop_booster(xs, params):
    acc = 0.0
    for k in range(xs.shape[0]):
        a, b, c = booster_cops(xs[k], params)
        acc += a + b + c
    return acc


def main():
    t0 = time.perf_counter()
    hp = HeatPump.build("copeland_zh45k4e_r134a", 96.0)
    t1 = time.perf_counter()
    ts = np.arange(-20.0, 40.0 + 1e-9, 1.0)
    tk = np.arange(0.0, 60.0 + 1e-9, 1.0)
    tab = performance_table(hp, ts, tk, 35 * 0.3, 3915.0, coil_effectiveness=0.7)
    t2 = time.perf_counter()
    print(summary(hp))
    print()
    print(f"HeatPump.build (scaling, incl. JIT load): {t1 - t0:.3f} s")
    print(
        f"performance_table {ts.size}x{tk.size} nodes: {t2 - t1:.3f} s, "
        f"{int(tab.clamped.sum())} nodes outside the envelope"
    )

    rng = np.random.default_rng(42)
    n = 5_000_000
    xs = rng.uniform(-5.0, 20.0, n)
    ys = rng.uniform(10.0, 50.0, n)
    _loop_lookup(tab.t_source, tab.t_sink, tab.q_cond, tab.q_evap, tab.power, xs[:10], ys[:10])
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        _loop_lookup(tab.t_source, tab.t_sink, tab.q_cond, tab.q_evap, tab.power, xs, ys)
        best = min(best, time.perf_counter() - t)
    print(f"hp_lookup: {best / n * 1e9:.1f} ns per call (random points, {ts.size}x{tk.size} grid)")

    p = default_booster_params()
    _loop_booster(xs[:10], p)
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        _loop_booster(xs, p)
        best = min(best, time.perf_counter() - t)
    print(f"booster_cops: {best / n * 1e9:.1f} ns per call")
    for T in (8.0, 14.0, 20.0, 25.0):
        sh, dhw, eer = booster_cops(T, p)
        print(f"  network {T:4.1f} °C: COP SH {sh:.2f}, COP DHW {dhw:.2f}, EER SC {eer:.2f}")


if __name__ == "__main__":
    main()
