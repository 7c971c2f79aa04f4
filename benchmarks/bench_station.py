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
4. What each component costs per step: its compiled step functions
   (:mod:`gshp.station.components`, as the kernel calls them, with their accumulators
   and balance terms) called ``--comp-steps`` times in a loop on the records of a
   one-year run of the case (controls, network at and within a load slot, borefield with
   and without flow, GSHP, bypass, tank and valve, station totals), in ns per call, and
   weighted by how often the run calls it; the rest of the kernel's time per step is the
   loop itself (clock, finiteness checks).

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

from gshp.jit import kernel_jit
from gshp.station import totals
from gshp.station.components import borefield, bypass, control, heat_pump, network, tank

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
            f"kernel, network {model:6s}    {t:8.3f} s  ({t / n * 1e9:6.0f} ns/step, {years} years)"
        )
    print(
        f"network overhead          {best['pipes'] / best['lumped'] - 1:+8.1%} "
        f"({(best['pipes'] - best['lumped']) / n * 1e9:+.0f} ns/step)"
    )


def component_costs(case, ds, kernel_per_step, n):
    """Print ns per call of each component's step functions and its share of a step.

    Each row calls the functions the kernel calls (:mod:`gshp.station.kernel`), on the
    records and accumulators of a one-year run of the case, ``n`` times in a compiled loop;
    the weight is the share of the run's steps that call them (the GSHP's and the
    bypass's on-fractions from the run ``ds``, one slot start per 15-min slot, one day
    start per day).
    """
    from gshp.station.prepare import initial_state, kernel_buffers, prepare

    prep = prepare(case.replace(**{"simulation.years": 1}))
    par = prep.params
    st = initial_state(prep)
    acc = kernel_buffers(prep)
    clk = par.clock
    dt = clk.dt
    on = float(ds.gshp_on_fraction.mean())
    by = float(ds.bypass_on_fraction.mean())
    sps = clk.steps_per_slot
    bf = par.borefield
    # a realistic operating point: the borefield's response with flow, the tank's state
    a_bf, b_bf, _ = _ground_on(bf, st.borefield, acc.borefield, acc.bal, dt, 1)
    T_tank0 = par.tank.T.copy()
    T_ctl = par.tank.T.copy()  # the controls' own copy of the tank (their sensor moves)
    where = "pipes" if par.network.pipes.enabled else "booster COPs"
    rows = [
        ("controls: new_day (once a day)", _new_day,
         (par.control, st.control, par.network, par.heat_pump, st.heat_pump),
         1.0 / clk.steps_per_day),
        ("controls: season + switch", _controls,
         (par.control, st.control, acc.control, dt, T_ctl, par.network, st.network), 1.0),
        (f"network: demand + advance, slot start ({where})",
         _network, (par.network, st.network, acc.network, acc.bal, dt, 0), 1.0 / sps),
        ("network: demand + advance, within a slot", _network,
         (par.network, st.network, acc.network, acc.bal, dt, 1), 1.0 - 1.0 / sps),
        ("borefield: response + advance, pump on", _ground_on,
         (bf, st.borefield, acc.borefield, acc.bal, dt), on + by),
        ("borefield: response + advance, pump off", _ground_off,
         (bf, st.borefield, acc.borefield, acc.bal, dt), 1.0 - on - by),
        ("heat_pump.step (coil temp., source solve, lookup)", _gshp,
         (par.heat_pump, st.heat_pump, acc.heat_pump, acc.bal, dt, a_bf, b_bf, bf.m_cp,
          par.tank), on),
        ("bypass: inlet + heat", _bypass,
         (par.bypass, acc.bypass, acc.bal, dt, a_bf, b_bf, bf.m_cp, par.tank), by),
        ("tank.valve_step (valve and tank)", _tank,
         (par.tank, acc.tank, acc.bal, dt, T_tank0), 1.0),
        ("totals.close_step", _totals, (acc.totals, acc.bal, dt), 1.0),
    ]  # fmt: skip
    print(f"\ncomponent costs ({n:,} calls each; weight = share of steps that call it)")
    print(f"{'component':52s} {'ns/call':>8s} {'weight':>7s} {'ns/step':>8s}")
    total = 0.0
    for label, fn, fargs, weight in rows:
        fn(*fargs, 1000)  # compile
        t0 = time.perf_counter()
        fn(*fargs, n)
        per = (time.perf_counter() - t0) / n * 1e9
        total += per * weight
        print(f"{label:52s} {per:8.1f} {weight:7.3f} {per * weight:8.1f}")
    k = kernel_per_step * 1e9
    print(f"{'sum of the components':52s} {'':8s} {'':7s} {total:8.1f}")
    print(f"{'kernel step (whole loop)':52s} {'':8s} {'':7s} {k:8.1f}")
    print(f"{'rest: clock, checks, loop':52s} {'':8s} {'':7s} {k - total:8.1f}")


# The loops below call the components' step functions as gshp.station.kernel does (they
# are inlined here). numba caches these loops by this file's content only: after an edit
# of gshp, delete benchmarks/__pycache__ (its *.nbi, *.nbc files).


@kernel_jit()
def _new_day(ctl, ctl_s, net, hp, hp_s, n):
    n_slots = ctl.season.size
    per_day = 96
    acc = 0.0
    for i in range(n):
        slot = ((i + 1) * per_day) % n_slots  # each call a new day's first slot
        control.new_day(ctl, ctl_s, i + 1, slot, net, hp, hp_s, 8.0)
        acc += ctl_s.ad_T[0]
    return acc


@kernel_jit()
def _controls(ctl, ctl_s, a, dt, tank_T, net, net_s, n):
    n_slots = ctl.season.size
    T0 = tank_T[ctl.sensor]
    acc = 0.0
    j = 0
    for i in range(n):
        slot = (i // 5) % n_slots
        j += 1
        if j == 50:  # the sensor moves through the switching band
            j = 0
            tank_T[ctl.sensor] = T0 + 4.0 if tank_T[ctl.sensor] <= T0 else T0 - 4.0
        mode, T_set, T_heat, T_cool = control.season(
            ctl, ctl_s, a, 0, 0, slot, i % 5, tank_T, net, net_s
        )
        hp_on, by_on = control.switch(ctl, ctl_s, a, 0, dt, mode, T_set, tank_T)
        acc += T_set + hp_on + by_on
    tank_T[ctl.sensor] = T0
    return acc


@kernel_jit()
def _network(net, net_s, a, bal, dt, in_slot, n):
    n_slots = net.load.q_sh.size
    acc = 0.0
    for i in range(n):
        slot = i % n_slots
        heating = True
        Q_net, m_net = network.demand(net, net_s, a, 0, 0, dt, slot, in_slot, heating, 20.0,
                                      25.0, bal)  # fmt: skip
        network.advance(net, net_s, a, 0, 0, dt, heating, m_net, Q_net, Q_net, 20.0, 20.0, bal)
        acc += Q_net
    return acc


@kernel_jit()
def _ground_on(bf, bf_s, a, bal, dt, n):
    ca = cb = 0.0
    acc = 0.0
    for i in range(n):
        ca, cb, pending = borefield.response(bf, True)
        T_in = 4.0 + 0.001 * (i % 100)
        acc += borefield.advance(bf, bf_s, a, 0, 0, dt, T_in, pending, bal)
    return ca, cb, acc


@kernel_jit()
def _ground_off(bf, bf_s, a, bal, dt, n):
    acc = 0.0
    for _ in range(n):
        _a, _b, pending = borefield.response(bf, False)
        acc += borefield.advance(bf, bf_s, a, 0, 0, dt, 0.0, pending, bal)
    return acc


@kernel_jit()
def _gshp(hp, hp_s, a, bal, dt, a_bf, b_bf, m_cp, tk, n):
    acc = 0.0
    for i in range(n):
        a_i = a_bf + 0.001 * (i % 100)
        Q_c, G, T_in = heat_pump.step(hp, hp_s, a, 0, 0, 0, dt, True, False, a_i, b_bf, m_cp,
                                      tk, 5.0, bal)  # fmt: skip
        acc += Q_c
    return acc


@kernel_jit()
def _bypass(p, a, bal, dt, a_bf, b_bf, m_cp, tk, n):
    acc = 0.0
    for i in range(n):
        G, T_in = bypass.inlet(p, True, a_bf + 0.001 * (i % 100), b_bf, tk, 0.0, 5.0)
        T_out = a_bf + b_bf * T_in
        acc += bypass.heat(a, 0, 0, dt, True, m_cp, T_in, T_out, 0.0, bal)
    return acc


@kernel_jit()
def _tank(tk, a, bal, dt, T0, n):
    acc = 0.0
    for i in range(n):
        if i % 20000 == 0:
            for j in range(T0.size):
                tk.T[j] = T0[j]
        Q_net = 5.0e4 if (i // 500) % 2 == 0 else -2.0e4
        heating = Q_net > 0.0
        T_ret = T0[0] - 4.0 if heating else T0[T0.size - 1] + 4.0
        T_set = 20.0 if heating else 25.0
        T_supply, Q_st = tank.valve_step(tk, a, 0, 0, dt, heating, 2.0, Q_net, T_ret, T_set,
                                         3.0e4 * (i % 2), 0.0, bal)  # fmt: skip
        acc += T_supply
    for j in range(T0.size):
        tk.T[j] = T0[j]
    return acc


@kernel_jit()
def _totals(a, bal, dt, n):
    acc = 0.0
    for _ in range(n):
        bal[totals.B.pump_power] += 100.0
        totals.close_step(a, 0, 0, dt, bal)
        acc += a.out[0, 0]
    return acc


if __name__ == "__main__":
    sys.exit(main())
