"""Micro-benchmark of the network kernel: ns per pipe step and per network step.

The reference network (docs/reference-study.md §7: 7 trenches, 14 pipes) with realistic flows: each
substation's flow is held over a 15-min slot (5 steps of 180 s) and changes between
slots (random, between the 5 % minimum and the design flow); supply 20 °C, soil 8 °C.
Prints the cost per network step (to compare with the station kernel's ~0.5 µs/step and
the budget of +0.15 µs) and per pipe step, and the same for a single pipe at constant
and at varying flow.

Run: python benchmarks/bench_network.py
"""

from __future__ import annotations

import time

import numba
import numpy as np

from gshp.physics.network.kernel import network_flows, network_step
from gshp.physics.network.model import build_network
from gshp.physics.network.plugflow import pipe_init, pipe_setup, pipe_step
from gshp.physics.network.topology import build_tree, reference_layout

DEFAULTS = dict(
    wall_conductivity_W_mK=0.4,
    insulation_thickness_m=0.0,
    insulation_conductivity_W_mK=0.026,
    depth_m=1.2,
    spacing_m=0.4,
)


@numba.njit(cache=True)
def _loop_network(par, fs, ring, buf, parent, bpipe, down, w, mb_slots, Q_slots, T_soil,
                  n_steps, steps_per_slot):  # fmt: skip
    n = parent.size
    nb = bpipe.size
    m_pipe = np.zeros(n)
    T_node = np.zeros(nb)
    work = np.zeros(4 * n)
    acc = 0.0
    slot = 0
    j = 0
    n_slots = mb_slots.shape[0]
    m_b = mb_slots[0]
    Q_b = Q_slots[0]
    network_flows(m_b, bpipe, parent, m_pipe)
    for _k in range(n_steps):
        j += 1
        if j == steps_per_slot:
            j = 0
            slot += 1
            if slot == n_slots:
                slot = 0
            m_b = mb_slots[slot]
            Q_b = Q_slots[slot]
            network_flows(m_b, bpipe, parent, m_pipe)
        T_ret, Q_p = network_step(par, fs, ring, buf, parent, bpipe, w, m_pipe, m_b, Q_b,
                                  T_soil, 20.0, 4186.0, T_node, work)  # fmt: skip
        acc += T_ret + Q_p
    return acc


@numba.njit(cache=True)
def _loop_pipe(par, fs, ring, buf, flows, n_steps, steps_per_slot):
    acc = 0.0
    j = 0
    s = 0
    for _k in range(n_steps):
        j += 1
        if j == steps_per_slot:
            j = 0
            s += 1
            if s == flows.size:
                s = 0
        T, g = pipe_step(par, fs, ring, buf, 0, flows[s], 20.0, 8.0)
        acc += T + g
    return acc


def main():
    rng = np.random.default_rng(0)
    n_b = 7
    tree = build_tree(reference_layout(n_b), DEFAULTS, n_b)
    m_design_b = 1.2  # kg/s per substation (≈ 25 kW at 5 K)
    design = tree.downstream.sum(axis=1) * m_design_b
    net = build_network(tree, design, 900.0, 20.0, 1.5)
    par, fs, ring, buf, parent, bpipe, down, w = net.kernel_arrays()
    n_slots = 2000
    mb = rng.uniform(0.05, 1.0, (n_slots, n_b)) * m_design_b
    Q = mb * 4186.0 * 5.0
    T_soil = np.full(tree.n_pipes, 8.0)
    n_steps = 100_000
    _loop_network(par, fs, ring, buf, parent, bpipe, down, w, mb, Q, T_soil, 10, 1)
    best = np.inf
    for _ in range(7):
        t0 = time.perf_counter()
        _loop_network(par, fs, ring, buf, parent, bpipe, down, w, mb, Q, T_soil, n_steps, 1)
        best = min(best, time.perf_counter() - t0)
    per_step = best / n_steps * 1e9
    print(f"reference network ({2 * tree.n_pipes} pipes, {n_b} substations):")
    print(f"  {per_step:7.1f} ns per network step   ({per_step / (2 * tree.n_pipes):5.1f} ns/pipe)")
    for label, flows in (
        ("constant flow", np.array([3.0])),
        ("flow changing every slot", rng.uniform(0.3, 6.0, 1000)),
        ("flow changing every step", rng.uniform(0.3, 6.0, 1000)),
    ):
        p = pipe_setup(1)
        pipe_init(*p, 0, 700.0, 6e-5, 180.0, 15.0)
        sps = 1 if "every step" in label else 5
        _loop_pipe(*p, flows, 10, sps)
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            _loop_pipe(*p, flows, n_steps, sps)
            best = min(best, time.perf_counter() - t0)
        print(f"  single pipe, {label:26s}: {best / n_steps * 1e9:6.1f} ns per step")


if __name__ == "__main__":
    main()
