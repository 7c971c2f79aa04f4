"""The ground-source heat pump coupled to the borefield within a step (DESIGN §2–§3).

The borefield's response over the step is affine in its inlet temperature,
``T_out = a + b·T_in``, and the evaporator load is piecewise linear in the source
temperature (bilinear performance table, :func:`gshp.physics.heatpump.performance_table`), so the
coupled source temperature is found in closed form cell by cell (at most a few cells are
visited). The condenser heats the tank through its coil.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.heatpump import _cell as hp_cell
from gshp.physics.heatpump import hp_lookup
from gshp.physics.tank import coil_temperature


class GshpParams(NamedTuple):
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


def gshp_params(table, G_coil, P_pump_condenser) -> GshpParams:
    """Records of a :class:`gshp.physics.heatpump.PerformanceTable`: a table cell is flagged when
    any of its corners had the compressor clamped to its operating envelope."""
    cl = table.clamped > 0.5
    env = (cl[:-1, :-1] | cl[1:, :-1] | cl[:-1, 1:] | cl[1:, 1:]).astype(np.float64)
    return GshpParams(
        t_src=table.t_source, t_sink=table.t_sink, q_cond=table.q_cond,
        q_evap=table.q_evap, power=table.power, cell_envelope=np.ascontiguousarray(env),
        G_coil=float(G_coil), P_pump_condenser=float(P_pump_condenser),
    )  # fmt: skip


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
