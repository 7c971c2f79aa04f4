"""Borefield benchmark: 20 years at 3-minute steps for the Helsinki reference field.

Prints set-up times (first run computes the g-function, second run reads the cache) and
the kernel time of (1) the ground-only load aggregation and (2) the full coupled step
(outlet coefficients + advance, as the station kernel calls them).

Usage: python benchmarks/bench_borefield.py [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numba
import numpy as np

from gshp.physics.borefield import (
    Borefield,
    borefield_advance,
    borefield_outlet_coeffs,
    ground_step,
)

DT = 180.0
N_STEPS = 20 * 365 * 24 * 20  # 3 504 000


@numba.njit(cache=True)
def _ground_loop(params, dg, inv_w, q_cells, q_W, out):
    for i in range(q_W.shape[0]):
        out[i] = ground_step(params, dg, inv_w, q_cells, q_W[i])


@numba.njit(cache=True)
def _coupled_loop(
    params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, t_in, m, out
):
    for i in range(t_in.shape[0]):
        a, b = borefield_outlet_coeffs(
            params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, m[i]
        )
        t_out, q, t_w, t_fm = borefield_advance(
            params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, t_in[i], m[i]
        )
        out[i] = t_out + 0.0 * a * b


def helsinki(cache_dir, n_segments=2):
    """Reference Helsinki field (docs/reference-study.md §7, R2): 15 × 5 boreholes, 8 m, 100 m."""
    return Borefield.from_params(
        n_x=15,
        n_y=5,
        spacing_m=8.0,
        length_m=100.0,
        T_undisturbed_C=5.2,
        fluid_cp_J_kgK=3915.0,
        fluid_density_kg_m3=1031.0,
        cache_dir=cache_dir,
        n_segments=n_segments,
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache-dir", default=None, help="g-function cache (default: a temp dir)")
    args = ap.parse_args()
    cache = args.cache_dir or tempfile.mkdtemp(prefix="gshp_bench_")
    bf = helsinki(cache)
    t0 = time.perf_counter()
    bk = bf.kernel_setup(DT, N_STEPS)
    s1 = time.perf_counter() - t0
    src1 = "cache" if bf.setup_times_s["gfunction_from_cache"] else "pygfunction"
    bf2 = helsinki(cache)
    t0 = time.perf_counter()
    bk = bf2.kernel_setup(DT, N_STEPS)
    s2 = time.perf_counter() - t0
    src2 = "cache" if bf2.setup_times_s["gfunction_from_cache"] else "pygfunction"
    print(f"field: {bf.n_boreholes} boreholes, {bk.dg.size} aggregation cells, {N_STEPS} steps")
    print(f"R_b = {bf.R_b:.4f} m K/W, R_b* = {bf.R_b_eff:.4f} m K/W at {bf.m_b_design} kg/s")
    print(f"set-up, first run  : {s1:8.3f} s (g-function from {src1})")
    print(f"set-up, second run : {s2:8.3f} s (g-function from {src2})")

    rng = np.random.default_rng(1)
    hours = np.arange(N_STEPS) * DT / 3600.0
    q_W = 150e3 * np.cos(2 * np.pi * hours / 8760.0) + rng.normal(0, 20e3, N_STEPS)
    out = np.empty(N_STEPS)
    _ground_loop(bk.params, bk.dg, bk.inv_w, bk.q_cells.copy(), q_W[:10], out[:10])  # compile
    q_cells = np.zeros_like(bk.q_cells)
    t0 = time.perf_counter()
    _ground_loop(bk.params, bk.dg, bk.inv_w, q_cells, q_W, out)
    tg = time.perf_counter() - t0
    print(f"ground-only kernel : {tg:8.3f} s for {N_STEPS} steps, T_wall end {out[-1]:.2f} °C")

    m_on = bf.total_flow_kg_s
    m = np.where(rng.random(N_STEPS) < 0.6, m_on, 0.0)
    t_in = bf.T0 - 3.0 * np.cos(2 * np.pi * hours / 8760.0)
    _coupled_loop(*bf2.kernel_setup(DT, 10), t_in[:10], m[:10], out[:10])  # compile
    t0 = time.perf_counter()
    _coupled_loop(*bk, t_in, m, out)
    tc = time.perf_counter() - t0
    print(f"coeffs+advance     : {tc:8.3f} s for {N_STEPS} steps ({bf.n_seg} segments)")


if __name__ == "__main__":
    main()
