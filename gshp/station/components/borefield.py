"""The borefield as a station component: its fluid circulation and the ground model.

The ground model is :mod:`gshp.physics.borefield.kernel` (its record
:class:`gshp.physics.borefield.model.BorefieldKernel` holds its state arrays: load
aggregation cells, grout and fluid nodes); this component adds the circulation (constant
flow while the pump runs), the fluid's freezing point, the pump, and the fluid state.
A step with flow begins with :func:`response` (the outlet's affine response to the inlet,
which the GSHP, the bypass or an air cooler solve against) and ends with :func:`advance`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.borefield import Borefield
from gshp.physics.borefield.kernel import (
    NO_PENDING,
    borefield_advance_pending,
    borefield_step_coeffs,
    borefield_stored_heat,
    borefield_wall_heat,
)
from gshp.station.balance import B
from gshp.station.contract import Var, index

NAME = "borefield"
ORDER = 3.5

OUTPUTS = (
    Var("T_bhe_in", "degC", "borefield inlet fluid temperature", "mean"),
    Var("T_bhe_out", "degC", "borefield outlet fluid temperature", "mean"),
    Var("T_borehole_wall", "degC", "mean borehole wall temperature", "mean"),
    Var("Q_ground", "W",
        "heat extracted from the ground by the borefield fluid (+ extracted, − injected)",
        "mean"),
    Var("P_pump_borefield", "W", "borefield pump electric power", "mean", ()),
)  # fmt: skip
YEARLY = (
    Var("E_pump_borefield", "kW h", "borefield pump electricity", "energy"),
    Var("Q_ground_extracted", "kW h", "heat extracted from the ground", "energy"),
    Var("Q_ground_injected", "kW h", "heat injected into the ground", "energy"),
    Var("T_bhe_out_min", "degC", "lowest borefield outlet temperature while the pump runs",
        "min"),
    Var("T_bhe_out_max", "degC", "highest borefield outlet temperature while the pump runs",
        "max"),
    Var("T_bhe_in_min", "degC", "lowest borefield inlet temperature while the pump runs",
        "min"),
    Var("T_borehole_wall_mean", "degC", "mean borehole wall temperature", "mean"),
    Var("freezing_steps", "1", "steps with borefield fluid below its freezing point",
        "count"),
    Var("steps", "1", "steps in the year", "internal"),
)  # fmt: skip
FLUID_POINTS = {"inlet": "bhe_in", "outlet": "bhe_out", "mean": "fluid_mean"}
"""Where a design limit applies (``criterion``) → the name part of its monthly extremes."""
CHECKS = ("step", "hourly")
"""How often the limit is checked: every time step, or on hourly means (as EED, GHEtool
and GHEDesigner do)."""
_POINT_NAMES = {
    "bhe_in": "borefield inlet temperature",
    "bhe_out": "borefield outlet temperature",
    "fluid_mean": "mean fluid temperature (inlet + outlet)/2",
}
MONTHLY = tuple(
    Var(f"T_{pt}_{chk}_{ext}", "degC",
        f"{'lowest' if ext == 'min' else 'highest'} {long} "
        f"{'at a time step' if chk == 'step' else 'as an hourly mean'} while the pump runs",
        ext)
    for pt, long in _POINT_NAMES.items() for chk in CHECKS for ext in ("min", "max")
)  # fmt: skip
"""Monthly extremes of the fluid where design limits apply (inlet, outlet, mean fluid),
per step and per hour (the means of the hour's steps with the pump running)."""
OUT = index(OUTPUTS, "BorefieldOutputs")
YR = index(YEARLY, "BorefieldYearly")
MON = index(MONTHLY, "BorefieldMonthly")


def monthly_name(criterion: str, check: str, extreme: str) -> str:
    """Name of the monthly extreme of ``criterion`` (inlet, outlet, mean) at ``check``
    (step, hourly), ``extreme`` min or max, e.g. ``T_fluid_mean_hourly_min``."""
    return f"T_{FLUID_POINTS[criterion]}_{check}_{extreme}"


class Params(NamedTuple):
    """m : total fluid flow while the pump runs, kg/s; cp : fluid specific heat,
    J/(kg·K); m_cp : m·cp, W/K; P_pump : pump power while it runs, W; T_freeze : freezing
    point of the fluid, °C; T_undisturbed : undisturbed ground temperature, °C; ground :
    the ground model's record (holds its state arrays)."""

    m: float
    cp: float
    m_cp: float
    P_pump: float
    T_freeze: float
    T_undisturbed: float
    ground: object


class State(NamedTuple):
    """T_out, T_in : (1,), °C: outlet and inlet fluid temperatures of the last step;
    hour : (3,) the running hour's sums of inlet and outlet temperatures (°C) over its
    steps with the pump on, and their count."""

    T_out: np.ndarray
    T_in: np.ndarray
    hour: np.ndarray


def freezing_point_C(fluid_cfg) -> float:
    """Freezing point of the borefield fluid, °C (pygfunction's secondary-coolant data)."""
    from pygfunction.media import Fluid

    if fluid_cfg.name == "water" or fluid_cfg.concentration_pct == 0:
        return 0.0
    name = {"MPG": "MPG", "MEG": "MEG"}[fluid_cfg.name]
    return float(Fluid(name, fluid_cfg.concentration_pct).fluid.t_freeze)


def build(ctx):
    case = ctx.case
    cfg = case.borefield
    bf = Borefield.from_config(cfg)
    ground = bf.kernel_setup(ctx.dt, ctx.n_steps)
    m = float(cfg.total_flow_kg_s)
    pumps = case.pumps
    P_pump = m / bf.fluid["rho"] * pumps.borefield_pressure_drop_kPa * 1e3 / pumps.efficiency
    T_freeze = freezing_point_C(cfg.fluid)
    T0 = float(bf.T0)
    p = Params(
        m=m, cp=float(bf.cp), m_cp=m * float(bf.cp), P_pump=float(P_pump),
        T_freeze=float(T_freeze), T_undisturbed=T0, ground=ground,
    )  # fmt: skip
    ctx.objects["borefield"] = bf
    ctx.info.update(
        m_borefield_kg_s=m,
        P_pump_borefield_W=P_pump,
        T_freeze_C=T_freeze,
        gfunction_from_cache=int(bf.setup_times_s.get("gfunction_from_cache", 0)),
        gfunction_setup_s=round(bf.setup_times_s.get("gfunction", 0.0), 4),
    )
    return p, State(T_out=np.array([T0]), T_in=np.array([T0]), hour=np.zeros(3))


def attrs(p, ctx) -> dict:
    bf = ctx.objects["borefield"]
    return {
        "borefield": dict(
            n_boreholes=bf.n_boreholes,
            T_undisturbed_C=bf.T0,
            R_b_mK_W=bf.R_b,
            R_b_effective_mK_W=bf.R_b_eff,
        )  # fmt: skip
    }


def stored_heat(p, s) -> float:
    """Heat in the borefield's fluid and grout, J (relative to 0 °C)."""
    g = p.ground
    return float(borefield_stored_heat(g.params, g.nodes, g.cap))


@kernel_jit(inline="always")
def response(p, run):
    """``(a, b, pending)``: when ``run``, the outlet's response ``T_out = a + b·T_in`` over
    the step with the pump on, and what :func:`advance` reuses (one pass over the load
    aggregation cells per step instead of two); else ``NO_PENDING`` (pump off)."""
    if not run:
        return 0.0, 0.0, NO_PENDING
    g = p.ground
    return borefield_step_coeffs(
        g.params, g.ftab, g.dg, g.inv_w, g.q_cells, g.nodes, g.cap, g.slot_m, g.mats,
        g.vecs, g.work, p.m,
    )  # fmt: skip


@kernel_jit(inline="always")
def begun(pending):
    """True when :func:`response` began this step with the pump on."""
    return pending[0] == 1.0


@kernel_jit(inline="always")
def _extremes(row, i_min, i_max, T):
    if T < row[i_min]:
        row[i_min] = T
    if T > row[i_max]:
        row[i_max] = T


@kernel_jit(inline="always")
def fluid_extremes(s, mrow, running, hour_end, T_in, T_out):
    """Monthly extremes (row ``mrow`` of the monthly accumulator) of the inlet, outlet and
    mean fluid, per step and as hourly means, over the steps with the pump running;
    ``hour_end``: this step ends a clock hour."""
    h = s.hour
    if running:
        T_m = 0.5 * (T_in + T_out)
        _extremes(mrow, MON.T_bhe_in_step_min, MON.T_bhe_in_step_max, T_in)
        _extremes(mrow, MON.T_bhe_out_step_min, MON.T_bhe_out_step_max, T_out)
        _extremes(mrow, MON.T_fluid_mean_step_min, MON.T_fluid_mean_step_max, T_m)
        h[0] += T_in
        h[1] += T_out
        h[2] += 1.0
    if hour_end:
        if h[2] > 0.0:
            T_i = h[0] / h[2]
            T_o = h[1] / h[2]
            _extremes(mrow, MON.T_bhe_in_hourly_min, MON.T_bhe_in_hourly_max, T_i)
            _extremes(mrow, MON.T_bhe_out_hourly_min, MON.T_bhe_out_hourly_max, T_o)
            _extremes(mrow, MON.T_fluid_mean_hourly_min, MON.T_fluid_mean_hourly_max,
                      0.5 * (T_i + T_o))  # fmt: skip
        h[0] = 0.0
        h[1] = 0.0
        h[2] = 0.0


@kernel_jit(inline="always")
def advance(p, s, a, year, o, mo, hour_end, dt, T_in, pending, bal):
    """Advance the ground one step with inlet ``T_in`` (°C; the pump runs when
    :func:`response` began the step). Accumulates the borefield's outputs (``o``: output
    interval, ``year``, ``mo``: month of the run, ``hour_end``: the step ends a clock
    hour) and balance terms; returns the outlet temperature, °C."""
    g = p.ground
    running = begun(pending)
    m_run = p.m if running else 0.0
    T_out, Q_g, T_wall, _T_fm = borefield_advance_pending(
        g.params, g.ftab, g.dg, g.inv_w, g.q_cells, g.nodes, g.cap, g.slot_m, g.mats,
        g.vecs, g.work, T_in, m_run, pending,
    )  # fmt: skip
    if not running:
        T_in = T_out
    s.T_out[0] = T_out
    s.T_in[0] = T_in
    P_pump = p.P_pump if running else 0.0
    orow = a.out[o]
    yrow = a.yearly[year]
    orow[OUT.T_bhe_in] += T_in
    orow[OUT.T_bhe_out] += T_out
    orow[OUT.T_borehole_wall] += T_wall
    orow[OUT.Q_ground] += Q_g
    orow[OUT.P_pump_borefield] += P_pump
    yrow[YR.E_pump_borefield] += P_pump * dt
    if Q_g > 0.0:
        yrow[YR.Q_ground_extracted] += Q_g * dt
    else:
        yrow[YR.Q_ground_injected] -= Q_g * dt
    if running:
        if T_out < yrow[YR.T_bhe_out_min]:
            yrow[YR.T_bhe_out_min] = T_out
        if T_out > yrow[YR.T_bhe_out_max]:
            yrow[YR.T_bhe_out_max] = T_out
        if T_in < yrow[YR.T_bhe_in_min]:
            yrow[YR.T_bhe_in_min] = T_in
        if T_in < p.T_freeze:
            yrow[YR.freezing_steps] += 1.0
    fluid_extremes(s, a.monthly[mo], running, hour_end, T_in, T_out)
    yrow[YR.T_borehole_wall_mean] += T_wall
    yrow[YR.steps] += 1.0
    bal[B.fluid] += Q_g * dt
    bal[B.wall] += borefield_wall_heat(g.params, g.q_cells) * dt
    bal[B.coupling] += Q_g * dt
    bal[B.pump_power] += P_pump
    return T_out


@kernel_jit(inline="always")
def exchanger_loop(a, b, eps, T_other):
    """The borefield's fluid loop closed through a heat exchanger of effectiveness ``eps``
    with a stream at ``T_other`` (°C; the fluid's capacity rate the smaller one):
    ``T_in = T_out + ε·(T_other − T_out)`` with ``T_out = a + b·T_in``, in closed form.
    Returns (T_in, T_out), °C."""
    T_out = (a + b * eps * T_other) / (1.0 - b * (1.0 - eps))
    return T_out + eps * (T_other - T_out), T_out
