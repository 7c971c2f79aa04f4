"""A borefield alone, driven by an hourly ground load (a case of ``kind = "borefield"``).

The designer's check of a borefield designed elsewhere, as GHEtool, EED and GHEDesigner
take it: the hourly heat extracted from and injected into the ground
(:mod:`gshp.io.ground_load`) drives the same borefield component as the station
(:mod:`gshp.station.components.borefield`: g-function load aggregation, grout and fluid
nodes, the pump). Each step, the inlet temperature that exchanges the hour's load with
the ground is solved in closed form against the outlet's affine response
``T_out = a + b·T_in``: ``Q = ṁ·c_p·(T_out − T_in)`` gives
``T_in = (Q/(ṁ·c_p) − a)/(b − 1)``. The pump runs in the hours with a load
(``ground_load.pump = "load"``) or always (``"constant"``); with the pump off the fluid
rests and the ground recovers.

The result holds the borefield's declared outputs (time series, yearly indicators, the
monthly fluid extremes the sizing criteria use), its energy balance (the fluid's heat =
the wall heat − the heat stored in fluid and grout; the fluid's heat = the load) and the
case's attributes, like a station result (``case_kind = "borefield"``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import NamedTuple

import numpy as np
import xarray as xr

from gshp.jit import kernel_jit
from gshp.station.assemble import component_variables, time_axis
from gshp.station.balance import N_BAL, B
from gshp.station.components import borefield
from gshp.station.components.clock import RESOLUTION_S, YEAR_S, month_of_slot, steps_per_year
from gshp.station.contract import component_acc

HOUR_S = 3600


class Clock(NamedTuple):
    """dt : step, s; n_steps : steps of the run; steps_per_year, steps_per_hour;
    out_step : every step is an output interval; n_out_per_year : output intervals a
    year; out_of_step, month_of_step : (steps_per_year,) output interval (within the
    year) and calendar month (1–12) of each step of a year."""

    dt: float
    n_steps: int
    steps_per_year: int
    steps_per_hour: int
    out_step: bool
    n_out_per_year: int
    out_of_step: np.ndarray
    month_of_step: np.ndarray


def clock(dt: float, n_years: int, resolution: str) -> Clock:
    """The clock of a borefield-only run of ``n_years`` at step ``dt`` (divides 3600 s)."""
    spy = steps_per_year(dt)
    t = np.arange(spy) * dt  # start of each step in its year, s
    month = month_of_slot(spy, dt)
    if resolution == "step":
        n_out, out = spy, np.arange(spy)
    elif resolution == "monthly":
        n_out, out = 12, month - 1
    else:
        per = RESOLUTION_S[resolution]
        n_out, out = YEAR_S // per, (t // per).astype(np.int64)
    return Clock(
        dt=float(dt), n_steps=int(n_years * spy), steps_per_year=spy,
        steps_per_hour=int(HOUR_S // dt), out_step=resolution == "step",
        n_out_per_year=int(n_out), out_of_step=np.ascontiguousarray(out, dtype=np.int64),
        month_of_step=np.ascontiguousarray(month, dtype=np.int64),
    )  # fmt: skip


@kernel_jit(error_model="numpy")
def run_ground(k_start, k_stop, clk, load_W, pump, p, s, a, counts, bal, status):
    """Steps ``k_start`` … ``k_stop − 1`` of a borefield-only run.

    ``load_W`` : (hours,) heat extracted from the ground each hour, W (− injected);
    ``pump`` : (hours,) 1.0 where the pump runs; ``p``, ``s``, ``a`` : the borefield
    component's parameters, state and accumulators; ``counts`` : (n_out,) steps in each
    output interval; ``bal`` : the energy-balance sums (J); ``status`` : (3,) set to
    (1, step, 0) when the outlet temperature is not finite.
    """
    spy, sph = clk.steps_per_year, clk.steps_per_hour
    for k in range(k_start, min(k_stop, clk.n_steps)):
        year = k // spy
        k_y = k - year * spy
        hour = k // sph
        o = k if clk.out_step else year * clk.n_out_per_year + clk.out_of_step[k_y]
        mo = year * 12 + clk.month_of_step[k_y] - 1
        counts[o] += 1.0
        run = pump[hour] == 1.0
        Q = load_W[hour] if run else 0.0
        a_bf, b_bf, pending = borefield.response(p, run)
        T_in = (Q / p.m_cp - a_bf) / (b_bf - 1.0) if run else s.T_out[0]
        hour_end = (k + 1) % sph == 0
        T_out = borefield.advance(p, s, a, year, o, mo, hour_end, clk.dt, T_in, pending, bal)
        bal[B.coupling] -= Q * clk.dt
        bal[B.throughput] += abs(Q) * clk.dt
        bal[B.pump_power] = 0.0
        if not np.isfinite(T_out):
            status[0], status[1], status[2] = 1, k, 0
            break


@dataclass
class _Context:
    """What :func:`gshp.station.components.borefield.build` reads of a station's
    build context."""

    case: object
    dt: float
    n_years: int
    info: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    @property
    def n_steps(self) -> int:
        return self.n_years * steps_per_year(self.dt)


def pump_hours(load_W: np.ndarray, mode: str) -> np.ndarray:
    """1.0 in the hours the borefield pump runs: those with a load (``"load"``) or all
    (``"constant"``)."""
    if mode == "constant":
        return np.ones(load_W.size)
    return (load_W != 0.0).astype(np.float64)


def simulate_borefield(case, progress=None) -> xr.Dataset:
    """Run a borefield-only case (``kind = "borefield"``); its result Dataset.

    ``progress(years_done, n_years)`` is called after each simulated year. Raises
    FloatingPointError when the outlet temperature stops being finite.
    """
    from gshp.io.ground_load import read_ground_load
    from gshp.io.results import cf_metadata

    sim = case.simulation
    dt = float(sim.time_step_s)
    n_years = int(sim.years)
    load = np.ascontiguousarray(read_ground_load(case.ground_load, n_years))
    pump = pump_hours(load, case.ground_load.pump)
    ctx = _Context(case=case, dt=dt, n_years=n_years)
    p, s = borefield.build(ctx)
    clk = clock(dt, n_years, sim.output_resolution)
    n_out = n_years * clk.n_out_per_year if not clk.out_step else clk.n_steps
    a = component_acc(borefield, n_out, n_years)
    counts = np.zeros(n_out)
    bal = np.zeros(N_BAL)
    status = np.zeros(3, dtype=np.int64)
    stored0 = borefield.stored_heat(p, s)
    run_ground(0, 0, clk, load, pump, p, s, a, counts, bal, status)  # compile or load
    t0 = time.perf_counter()
    for year in range(n_years):
        spy = clk.steps_per_year
        run_ground(year * spy, (year + 1) * spy, clk, load, pump, p, s, a, counts, bal, status)
        if status[0]:
            k = int(status[1])
            raise FloatingPointError(
                f"case {case.name}: non-finite borefield outlet temperature at step {k} "
                f"(year {k // spy + 1}, hour {k % spy // clk.steps_per_hour + 1} of the year)"
            )
        if progress is not None:
            progress(year + 1, n_years)
    wall = time.perf_counter() - t0
    stored1 = borefield.stored_heat(p, s)
    fluid = bal[B.fluid] - (bal[B.wall] - (stored1 - stored0))
    coupling = bal[B.coupling]
    thr = bal[B.throughput]
    closure = (abs(fluid) + abs(coupling)) / thr if thr > 0 else 0.0
    data = component_variables(borefield, a, counts[:, None], n_years)
    data["energy_balance_closure"] = ((), closure, dict(
        units="1", long_name="energy-balance residual / energy throughput",
        borefield_residual_J=float(fluid), coupling_residual_J=float(coupling),
        throughput_J=float(thr)))  # fmt: skip
    freezing = int(np.sum(data["freezing_steps"][1]))
    attrs = dict(
        title=f"gshp result: {case.name} (borefield only)",
        Conventions="CF-1.8",
        case_name=case.name,
        case_description=case.description,
        case_kind="borefield",
        case=json.dumps(case.to_dict(), sort_keys=True),
        gshp_version=version("gshp"),
        pygfunction_version=version("pygfunction"),
        numba_version=version("numba"),
        xarray_version=xr.__version__,
        kernel_wall_time_s=round(wall, 4),
        time_step_s=int(dt),
        output_resolution=sim.output_resolution,
        energy_balance_closure=float(closure),
        freezing_violation=int(freezing > 0),
        **{f"station_{k}": v for k, v in ctx.info.items()},
        **{k: json.dumps(v, default=float) for k, v in borefield.attrs(p, ctx).items()},
    )
    ds = xr.Dataset(
        data,
        coords=dict(
            time=("time", time_axis(sim.output_resolution, n_out, dt)),
            year=("year", np.arange(1, n_years + 1)),
            month=("month", np.arange(1, 13)),
        ),
        attrs=attrs,
    )
    ds["year"].attrs = dict(long_name="simulation year", units="1")
    ds["month"].attrs = dict(long_name="calendar month", units="1")
    return cf_metadata(ds)
