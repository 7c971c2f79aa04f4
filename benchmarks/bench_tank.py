"""Benchmark of the compiled tank step (issue #5 target: < 150 ns per step, 12 layers).

Runs a compiled loop of tank steps with varying, realistic inputs (alternating blocks of
20 000 steps: heating mode with condenser heat in the bottom coil layers, cooling mode
with the coil cooling the tank; network flows up to the design flow) and prints the mean
cost per step, for 12 layers and for a few other sizes, and of the tempering valve plus
tank step as the station kernel calls it (:func:`gshp.station.components.tank.valve_step`,
with its accumulators and balance terms).

Run: python benchmarks/bench_tank.py
"""

from __future__ import annotations

import time

import numba
import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.tank import stored_energy, tank_setup, tank_step
from gshp.station.balance import N_BAL
from gshp.station.components import tank as tank_component
from gshp.station.contract import component_acc


@numba.njit(cache=True)
def _loop_step(T, params, dt, m, T_in, Q, steps):
    acc = 0.0
    j = 0
    heating = True
    for _k in range(steps):
        # Wrapping counters, not k % len: an integer division would cost ~10 ns itself.
        j += 1
        if j == m.shape[0]:
            j = 0
            heating = not heating
        d = 1 if heating else -1
        T_out, Q_loss = tank_step(T, params, dt, m[j], T_in[j], d, Q[j] if heating else -Q[j], 18.0)
        acc += T_out + Q_loss
    return acc


# kernel_jit (no reference counting), as the station kernel: valve_step is inlined here.
# numba caches this loop by this file's content only: after an edit of gshp, delete
# benchmarks/__pycache__.
@kernel_jit()
def _loop_valve(tank, a, bal, dt, m, T_in, Q, steps):
    acc = 0.0
    j = 0
    heating = True
    for _k in range(steps):
        # Wrapping counters, not k % len: an integer division would cost ~10 ns itself.
        j += 1
        if j == m.shape[0]:
            j = 0
            heating = not heating
        T_set = 20.0 if heating else 25.0
        T_ret = T_in[j] - 6.0 if heating else T_in[j] + 4.0
        Q_net = 4186.0 * 5.0 * m[j] if heating else -4186.0 * 5.0 * m[j]
        T_s, Q_station = tank_component.valve_step(
            tank, a, 0, 0, dt, heating, m[j], Q_net, T_ret, T_set,
            Q[j] if heating else -Q[j], 0.0, bal,
        )  # fmt: skip
        acc += T_s + Q_station
    return acc


def _inputs(rng, n=20000):
    m = rng.uniform(0.0, 6.5, n)  # network design flow ~6.5 kg/s (135 kW at 5 K)
    T_in = rng.uniform(14.0, 22.0, n)
    Q = rng.uniform(0.0, 135e3, n)
    return m, T_in, Q


def bench(n_layers: int, steps: int = 2_000_000) -> tuple[float, float]:
    rng = np.random.default_rng(42)
    m, T_in, Q = _inputs(rng)
    tank = tank_setup(10.0, 3.0, n_layers, 10.0, 1, max(1, n_layers // 3), 20e3, 20.0)
    _loop_step(tank.T, tank.params, 180.0, m, T_in, Q, 1000)  # compile / warm up
    a = component_acc(tank_component, 1, 1)
    bal = np.zeros(N_BAL)
    _loop_valve(tank, a, bal, 180.0, m, T_in, Q, 1000)
    best_step = best_valve = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        _loop_step(tank.T, tank.params, 180.0, m, T_in, Q, steps)
        best_step = min(best_step, (time.perf_counter() - t0) / steps)
        t0 = time.perf_counter()
        _loop_valve(tank, a, bal, 180.0, m, T_in, Q, steps)
        best_valve = min(best_valve, (time.perf_counter() - t0) / steps)
    assert np.isfinite(stored_energy(tank.T, tank.params))
    return best_step * 1e9, best_valve * 1e9


def main() -> None:
    print("tank_step cost per step (best of 3 runs of 2e6 steps, dt = 180 s)")
    for n in (1, 12, 20, 50, 100):
        ns_step, ns_valve = bench(n)
        flag = "  (target < 150 ns)" if n == 12 else ""
        print(f"  n = {n:3d}: tank_step {ns_step:7.1f} ns, valve_step {ns_valve:7.1f} ns{flag}")


if __name__ == "__main__":
    main()
