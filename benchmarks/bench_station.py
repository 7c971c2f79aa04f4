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
4. What each component costs per step: its compiled step function called ``--comp-steps``
   times in a loop on the case's records (ground with and without flow, GSHP, tank and
   valve, the pipe network per load slot, district load and network node of the lumped
   model, controls), in ns per call, and weighted by how often the run calls it; the
   rest of the kernel's time per step is the loop itself (clock, outputs, balances,
   checks).

Kernel times are the minimum of ``--repeat`` runs (the machine may be shared).

Usage: python benchmarks/bench_station.py [--case cases/helsinki.toml] [--pyg-steps 100000]
       [--network-years 20] [--repeat 2] [--comp-steps 1000000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
from gshp.station.components.load import booster_cops_at, network_load
from gshp.station.components.pipes import pipes_slot
from gshp.station.control.controller import season_mode, switch

from gshp.jit import kernel_jit
from gshp.station.components.borefield import GROUND_NO_PENDING, ground_advance, ground_coeffs
from gshp.station.components.heat_pump import gshp_step
from gshp.station.components.network import network_flow, network_node_step, network_pump_power
from gshp.station.components.tank import tank_valve_step

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default=str(ROOT / "cases" / "helsinki.toml"))
    ap.add_argument("--pyg-steps", type=int, default=100_000)
    ap.add_argument("--network-years", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--comp-steps", type=int, default=1_000_000)
    args = ap.parse_args(argv)

    from gshp.config import load_case
    from gshp.station.prepare import prepare
    from gshp.studies.simulate import run_prepared

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
    for _ in range(args.repeat - 1):
        kernel = min(kernel, run_prepared(prepare(case)).attrs["kernel_wall_time_s"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"case                      {case.name}: {case.simulation.years} years at "
        f"{case.simulation.time_step_s} s = {n:,} steps"
    )
    print(
        f"set-up (loads, g-function, tables) {t_prep:8.2f} s "
        f"(g-function from cache: {bool(prep.info['gfunction_from_cache'])})"
    )
    print(
        f"kernel wall time          {kernel:8.3f} s  ({n / kernel / 1e6:.2f} M steps/s, "
        f"min of {args.repeat})"
    )
    print(f"run + dataset assembly    {t_run:8.3f} s")
    print(f"energy-balance closure    {ds.attrs['energy_balance_closure']:.2e}")
    print(f"peak resident memory      {rss:8.0f} MB")

    # pygfunction's ClaessonJaved in a Python loop, same g-function and loads
    import pygfunction as gt

    from gshp.physics.borefield import Borefield

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
        f"{t_pyg_full / kernel:,.1f}x"
    )
    network_overhead(case, args.network_years, args.repeat)
    component_costs(case, ds, kernel / n, args.comp_steps)
    return 0


def network_overhead(case, years, repeat):
    """Kernel time with and without the pipe network, same case, alternating runs."""
    from gshp.station.prepare import prepare
    from gshp.studies.simulate import run_prepared

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



def component_costs(case, ds, kernel_per_step, n):
    """Print ns per call of each component's step function and its share of a step."""
    from gshp.station.prepare import initial_state, prepare

    prep = prepare(case.replace(**{"simulation.years": 1}))
    par = prep.params
    st = initial_state(prep)
    on = float(ds.gshp_on_fraction.mean())
    by = float(ds.bypass_on_fraction.mean())
    # a realistic operating point: the borefield response with flow, the tank's state
    a, b, _ = _ground_on(par.ground, par.borefield.m, 1)
    rows = [
        ("ground, pump on (coefficients + advance)", _ground_on, (par.ground, par.borefield.m),
         on + by),
        ("ground, pump off (advance)", _ground_off, (par.ground,), 1.0 - on - by),
        ("GSHP (coil temperature, source solve, lookup)", _gshp,
         (par.gshp, a, b, par.borefield.m * par.borefield.cp, par.tank), on),
        ("tank and tempering valve", _tank, (par.tank, par.clock.dt, par.tank.T.copy()), 1.0),
        ("controls (season, switching)", _controls, (par.control, par.clock.dt, par.tank), 1.0),
    ]  # fmt: skip
    if par.pipes.enabled:
        rows.append(("pipe network, once per 15-min slot", _pipes,
                     (par.pipes, st.pipes, par.load), 1.0 / par.clock.steps_per_slot))
    else:
        rows += [
            ("district load (+ booster COPs per slot)", _load, (par.load, st.load.cops), 1.0),
            ("network water node (flow, node, pump)", _network, (par.network, par.clock.dt),
             1.0),
        ]  # fmt: skip
    print(f"\ncomponent costs ({n:,} calls each; weight = share of steps that call it)")
    print(f"{'component':48s} {'ns/call':>8s} {'weight':>7s} {'ns/step':>8s}")
    total = 0.0
    for label, fn, fargs, weight in rows:
        fn(*fargs, 1000)  # compile
        t0 = time.perf_counter()
        fn(*fargs, n)
        per = (time.perf_counter() - t0) / n * 1e9
        total += per * weight
        print(f"{label:48s} {per:8.1f} {weight:7.3f} {per * weight:8.1f}")
    k = kernel_per_step * 1e9
    print(f"{'sum of the components':48s} {'':8s} {'':7s} {total:8.1f}")
    print(f"{'kernel step (whole loop)':48s} {'':8s} {'':7s} {k:8.1f}")
    print(f"{'rest: clock, outputs, balances, checks':48s} {'':8s} {'':7s} {k - total:8.1f}")


@kernel_jit()
def _ground_on(g, m, n):
    a = b = 0.0
    acc = 0.0
    for i in range(n):
        a, b, pending = ground_coeffs(g, m)
        T_in = 4.0 + 0.001 * (i % 100)
        T_out, Q, T_wall, T_fm = ground_advance(g, T_in, m, pending)
        acc += T_out
    return a, b, acc


@kernel_jit()
def _ground_off(g, n):
    acc = 0.0
    for _ in range(n):
        T_out, Q, T_wall, T_fm = ground_advance(g, 0.0, 0.0, GROUND_NO_PENDING)
        acc += T_out
    return acc


@kernel_jit()
def _gshp(hp, a, b, m_cp, tank, n):
    acc = 0.0
    guess = a
    for i in range(n):
        Q_c, Q_e, P, edge, env, T_in = gshp_step(
            hp, a + 0.001 * (i % 100), b, m_cp, tank.T, tank.params, guess
        )
        acc += Q_c
    return acc


@kernel_jit()
def _tank(tank, dt, T0, n):
    acc = 0.0
    for i in range(n):
        if i % 20000 == 0:
            for j in range(T0.size):
                tank.T[j] = T0[j]
        Q_net = 5.0e4 if (i // 500) % 2 == 0 else -2.0e4
        T_supply, Q_st, Q_loss, draw = tank_valve_step(
            tank, dt, 2.0, Q_net, T0[0] - 4.0, 20.0, 3.0e4 * (i % 2), 0.0, 4186.0
        )
        acc += T_supply
    for j in range(T0.size):
        tank.T[j] = T0[j]
    return acc


@kernel_jit()
def _load(load, cops, n):
    acc = 0.0
    n_slots = load.q_sh.size
    c_sh, c_dhw, eer = cops[0], cops[1], cops[2]
    for i in range(n):
        slot = (i // 5) % n_slots
        if i % 5 == 0:
            c_sh, c_dhw, eer = booster_cops_at(load, 20.0 + 0.001 * (i % 100))
        out = network_load(load, slot, c_sh, c_dhw, eer)
        acc += out[0]
    return acc


@kernel_jit()
def _controls(ctl, dt, tank, n):
    acc = 0.0
    hp_on = 0
    by_on = 0
    t_hp = 1e30
    t_by = 1e30
    override = 0
    prev_mode = 0
    n_slots = ctl.season.size
    for i in range(n):
        slot = (i // 5) % n_slots
        mode, override, T_set = season_mode(
            ctl, slot, ctl.season[slot], override, 20.0, tank.T[0], tank.T[tank.T.size - 1]
        )
        hp_on, by_on, t_hp, t_by, started = switch(
            ctl, dt, mode, prev_mode, T_set, 18.0 + 4.0 * ((i // 50) % 2), hp_on, by_on,
            t_hp, t_by,
        )  # fmt: skip
        prev_mode = mode
        acc += T_set + hp_on
    return acc


@kernel_jit()
def _pipes(pp, ps, load, n):
    acc = 0.0
    n_slots = load.q_sh.size
    T_sup = 20.0
    for i in range(n):
        T_ret = pipes_slot(pp, ps, load, i % n_slots, T_sup, 20.0, 25.0)
        acc += T_ret
    return acc


@kernel_jit()
def _network(net, dt, n):
    acc = 0.0
    T_return = 16.0
    for i in range(n):
        Q_net = 4.0e4 + 10.0 * (i % 100)
        m = network_flow(net, Q_net)
        T_return = network_node_step(net, dt, T_return, 0.99 * Q_net, Q_net)
        acc += network_pump_power(net, m)
    return acc + T_return


if __name__ == "__main__":
    sys.exit(main())
