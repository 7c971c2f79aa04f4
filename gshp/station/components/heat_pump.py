"""The ground-source heat pump as a station component, coupled to the borefield within a
step (docs/reference-study.md §2–§3).

The borefield's response over the step is affine in its inlet temperature,
``T_out = a + b·T_in``, and the evaporator load is piecewise linear in the source
temperature (bilinear performance table, :func:`gshp.physics.heatpump.performance_table`),
so the coupled source temperature is found in closed form cell by cell (at most a few
cells are visited). The condenser heats the tank through its coil; its loop has a pump.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.heatpump import CP_WATER as CP_CONDENSER_WATER
from gshp.physics.heatpump import HeatPump, hp_lookup, performance_table
from gshp.physics.heatpump import cell as hp_cell
from gshp.physics.tank import coil_temperature
from gshp.physics.water import RHO_WATER
from gshp.station.balance import B
from gshp.station.components.tank import coil_UA_W_K
from gshp.station.contract import Var, index

NAME = "heat_pump"
ORDER = 3

OUTPUTS = (
    Var("Q_condenser", "W", "GSHP condenser heat", "mean"),
    Var("Q_evaporator", "W", "GSHP evaporator heat", "mean"),
    Var("P_gshp", "W", "GSHP electric power", "mean"),
    Var("gshp_on_fraction", "1", "fraction of time the GSHP runs", "mean"),
    Var("P_pump_condenser", "W", "condenser-loop pump electric power", "mean", ()),
)  # fmt: skip
YEARLY = (
    Var("E_gshp", "kW h", "GSHP electricity", "energy", ("E_total",)),
    Var("Q_condenser_year", "kW h", "GSHP condenser heat", "energy"),
    Var("Q_evaporator_year", "kW h", "GSHP evaporator heat", "energy"),
    Var("E_pump_condenser", "kW h", "condenser-loop pump electricity", "energy"),
    Var("envelope_clamped_steps", "1",
        "GSHP steps in performance-table cells touching points where the compressor ran "
        "at the limit of its operating envelope (map clamped, not extrapolated)", "count"),
    Var("table_edge_steps", "1",
        "GSHP steps outside the performance table's temperature range (edge values)",
        "count"),
)  # fmt: skip
MONTHLY = (
    Var("Q_condenser_month", "J", "GSHP condenser heat", "energy"),
    Var("E_gshp_month", "J", "GSHP electricity", "energy"),
)
DERIVED = (
    Var("scop_gshp", "1", "seasonal COP of the GSHP (condenser heat / electricity)", "derived"),
)
"""Yearly indicators computed from the others (:func:`derived`)."""
OUT = index(OUTPUTS, "HeatPumpOutputs")
YR = index(YEARLY, "HeatPumpYearly")
MON = index(MONTHLY, "HeatPumpMonthly")

T_SOURCE_GRID_C = np.arange(-20.0, 40.0 + 1e-9, 1.0)
T_SINK_GRID_C = np.arange(0.0, 60.0 + 1e-9, 1.0)
"""The performance table's grid, °C (1 K; the kernel interpolates bilinearly)."""


class Params(NamedTuple):
    """The performance table on its grid and the condenser loop.

    t_src, t_sink : (n,), (m,) source and sink grids, °C; q_cond, q_evap, power : (n, m)
    condenser heat, evaporator heat, electric power, W; cell_envelope : (n−1, m−1) 1.0
    where a cell touches a point with the compressor clamped to its envelope;
    G_coil : condenser-loop capacity rate through the tank coil, ε·m·c_p, W/K;
    P_pump_condenser : condenser-loop pump power, W.
    """

    t_src: np.ndarray
    t_sink: np.ndarray
    q_cond: np.ndarray
    q_evap: np.ndarray
    power: np.ndarray
    cell_envelope: np.ndarray
    G_coil: float
    P_pump_condenser: float


class State(NamedTuple):
    """Each (1,): T_src_guess : the source temperature to start the next solve from, °C;
    day_T_src, day_n_src : sum and count of today's source temperatures (the adaptive
    setpoint strategy's estimate)."""

    T_src_guess: np.ndarray
    day_T_src: np.ndarray
    day_n_src: np.ndarray


def gshp_params(table, G_coil, P_pump_condenser) -> Params:
    """Records of a :class:`gshp.physics.heatpump.PerformanceTable`: a table cell is flagged
    when any of its corners had the compressor clamped to its operating envelope."""
    cl = table.clamped > 0.5
    env = (cl[:-1, :-1] | cl[1:, :-1] | cl[:-1, 1:] | cl[1:, 1:]).astype(np.float64)
    return Params(
        t_src=table.t_source, t_sink=table.t_sink, q_cond=table.q_cond,
        q_evap=table.q_evap, power=table.power, cell_envelope=np.ascontiguousarray(env),
        G_coil=float(G_coil), P_pump_condenser=float(P_pump_condenser),
    )  # fmt: skip


def build(ctx):
    case = ctx.case
    bf, _ = ctx.built("borefield")
    hp = HeatPump.from_config(case.heat_pump)
    m_cond = hp.condenser_flow_kg_s
    coil_UA = coil_UA_W_K(case)
    eps_coil = 1.0 - np.exp(-coil_UA / (m_cond * CP_CONDENSER_WATER))
    table = performance_table(
        hp, T_SOURCE_GRID_C, T_SINK_GRID_C, bf.m, bf.cp, coil_effectiveness=eps_coil,
        m_sink_kg_s=m_cond, cache_dir=case.borefield.gfunction.cache_dir,
    )  # fmt: skip
    pumps = case.pumps
    P_cond = m_cond / RHO_WATER * pumps.condenser_pressure_drop_kPa * 1e3 / pumps.efficiency
    ctx.objects.update(heat_pump=hp, table=table)
    ctx.info.update(m_condenser_kg_s=m_cond, coil_UA_W_K=coil_UA, P_pump_condenser_W=P_cond)
    s = State(
        T_src_guess=np.array([bf.T_undisturbed]), day_T_src=np.zeros(1), day_n_src=np.zeros(1)
    )
    return gshp_params(table, eps_coil * m_cond * CP_CONDENSER_WATER, P_cond), s


def derived(acc, y: dict, n_years: int) -> dict:
    """The seasonal COP per year and the monthly COP, from the accumulators ``acc`` and the
    raw yearly sums ``y`` (J): ``{name: (dims, values, attrs)}``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        scop = y["Q_condenser_year"] / y["E_gshp"]
        m = acc.monthly
        cop_m = (m[:, MON.Q_condenser_month] / m[:, MON.E_gshp_month]).reshape(n_years, 12)
    v = DERIVED[0]
    return {
        v.name: ("year", scop, dict(units=v.units, long_name=v.long_name)),
        "cop_gshp_monthly": (("year", "month"), cop_m,
                             dict(units="1", long_name="monthly GSHP COP")),
    }  # fmt: skip


def attrs(p, ctx) -> dict:
    return {"heat_pump": ctx.objects["heat_pump"].scaling_info()}


@kernel_jit(inline="always")
def step(p, s, a, year, o, mo, dt, run, new_day, a_bf, b_bf, m_cp_bf, tank, T_in, bal):
    """The GSHP over one step when ``run``, against the borefield response
    ``T_out = a_bf + b_bf·T_in``; accumulates its outputs and balance terms.

    Returns (Q_coil, G_coil, T_in): the heat into the tank coil (W), the coil loop's
    capacity rate (W/K) and the borefield inlet temperature (°C; ``T_in`` unchanged when
    off). ``new_day``: today's source temperatures start again.
    """
    if new_day:
        s.day_T_src[0] = 0.0
        s.day_n_src[0] = 0.0
    if not run:
        return 0.0, 0.0, T_in
    Q_c, Q_e, P_hp, edge, envelope, T_in = gshp_step(
        p, a_bf, b_bf, m_cp_bf, tank.T, tank.params, s.T_src_guess[0]
    )
    T_out = a_bf + b_bf * T_in  # the borefield's outlet this step (its affine response)
    s.T_src_guess[0] = T_out
    s.day_T_src[0] += T_out
    s.day_n_src[0] += 1.0
    orow = a.out[o]
    yrow = a.yearly[year]
    mrow = a.monthly[mo]
    orow[OUT.Q_condenser] += Q_c
    orow[OUT.Q_evaporator] += Q_e
    orow[OUT.P_gshp] += P_hp
    orow[OUT.gshp_on_fraction] += 1.0
    orow[OUT.P_pump_condenser] += p.P_pump_condenser
    yrow[YR.E_gshp] += P_hp * dt
    yrow[YR.Q_condenser_year] += Q_c * dt
    yrow[YR.Q_evaporator_year] += Q_e * dt
    yrow[YR.E_pump_condenser] += p.P_pump_condenser * dt
    yrow[YR.envelope_clamped_steps] += envelope
    yrow[YR.table_edge_steps] += edge
    mrow[MON.Q_condenser_month] += Q_c * dt
    mrow[MON.E_gshp_month] += P_hp * dt
    bal[B.heat_pump] += (Q_c - Q_e - P_hp) * dt
    bal[B.coupling] -= Q_e * dt
    bal[B.throughput] += Q_c * dt
    bal[B.pump_power] += p.P_pump_condenser
    return Q_c, p.G_coil, T_in


@kernel_jit(inline="always")
def gshp_step(p, a, b, m_cp_bf, tank_T, tank_p, T_src_guess):
    """One GSHP step against the borefield response ``T_out = a + b·T_in``.

    Returns (Q_c, Q_e, P, edge, envelope, T_in): condenser and evaporator heat and
    electric power, W; 1.0 when outside the table's range / in an envelope-clamped cell;
    borefield inlet temperature, °C.
    """
    T_sink = coil_temperature(tank_T, tank_p)
    T_src, edge, i_cell, j_cell = _evap_source_solve(
        a, b, m_cp_bf, p.t_src, p.t_sink, p.q_evap, T_sink, T_src_guess
    )
    Q_c, Q_e, P_hp, clamp2 = hp_lookup(
        p.t_src, p.t_sink, p.q_cond, p.q_evap, p.power, T_src, T_sink
    )
    edge = max(edge, clamp2)
    envelope = p.cell_envelope[i_cell, j_cell]
    T_in = T_src - Q_e / m_cp_bf
    return Q_c, Q_e, P_hp, edge, envelope, T_in


@kernel_jit(inline="always")
def _evap_source_solve(a, b, m_cp, t_src, t_snk, q_evap, T_sink, T_guess):
    """Source temperature T with T = a + b·(T − Q_evap(T, T_sink)/(m·c_p)), exact for the
    bilinear table (piecewise linear in T). Returns (T, clamped, i, j): the source
    temperature, 1.0 if it lies outside the table's source range, and the table cell."""
    n = t_src.size
    m = t_snk.size
    # sink interpolation weights (clamped)
    if T_sink <= t_snk[0]:
        j = 0
        w = 0.0
    elif T_sink >= t_snk[m - 1]:
        j = m - 2
        w = 1.0
    else:
        j, _w, _o = hp_cell(t_snk, T_sink)
        w = (T_sink - t_snk[j]) / (t_snk[j + 1] - t_snk[j])
    T = T_guess
    i = 0
    for _ in range(n + 2):
        if T <= t_src[0]:
            i = 0
        elif T >= t_src[n - 1]:
            i = n - 2
        else:
            i, _w, _o = hp_cell(t_src, T)
        x0 = t_src[i]
        x1 = t_src[i + 1]
        q0 = (1.0 - w) * q_evap[i, j] + w * q_evap[i, j + 1]
        q1 = (1.0 - w) * q_evap[i + 1, j] + w * q_evap[i + 1, j + 1]
        s = (q1 - q0) / (x1 - x0)
        c = q0 - s * x0
        T_new = (a - b * c / m_cp) / (1.0 - b + b * s / m_cp)
        if T_new < t_src[0] and i == 0:
            # below the table: the lookup holds the edge value (flat)
            T_new = (a - b * q_evap_edge(q_evap, 0, j, w) / m_cp) / (1.0 - b)
            return T_new, 1.0, i, j
        if T_new > t_src[n - 1] and i == n - 2:
            T_new = (a - b * q_evap_edge(q_evap, n - 1, j, w) / m_cp) / (1.0 - b)
            return T_new, 1.0, i, j
        if x0 - 1e-9 <= T_new <= x1 + 1e-9:
            return T_new, 0.0, i, j
        T = T_new
    return T, 0.0, i, j


@kernel_jit()
def q_evap_edge(q_evap, i, j, w):
    return (1.0 - w) * q_evap[i, j] + w * q_evap[i, j + 1]
