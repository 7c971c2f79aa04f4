"""The buried-pipe network model of the network component (:mod:`.network`).

Records: :class:`PipesParams` (the pipes' constants, tree, soil temperatures, booster COP
table) and :class:`PipesState` (the pipes' water, the substations of the current slot
and the slot's results). :func:`pipes_slot` is called once per 15-min load slot, at its
start; see :mod:`gshp.physics.network.setup` for the physics and the coupling with the station.
For ``network.model = "lumped"`` the records are empty and ``enabled`` is False.
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.network.kernel import (
    network_flows,
    network_step,
    substation_loads,
    substation_supply_deficit,
    substation_unmet,
)
from gshp.physics.network.plugflow import pipe_setup

SL = namedtuple(
    "PipesSlotResults",
    ["owed", "T_in", "Q_pipes", "Q_substations", "m", "P_boost_heat", "P_boost_cool",
     "deficit_heat", "deficit_cool", "unmet_heat", "unmet_cool"],
)(*range(11))  # fmt: skip
"""Index of the slot's results in ``PipesState.slot``: energy owed to the network (kg·K),
supply entering the network (°C), the pipes' gain from the soil and the substations'
draw (W), the network flow (kg/s), the boosters' power (W), the supply deficits against
the setpoints (W), the demand the boosters cannot serve (W)."""
N_SLOT = len(SL)


class PipesParams(NamedTuple):
    """enabled : the pipes replace the lumped node; par : (2n, ·) pipe constants
    (:mod:`gshp.physics.network.plugflow`); parent, building_pipe : tree (int64); weight : (2n,)
    neighbour weights; T_soil : (n_slots, n) soil temperature per slot and trench, °C;
    cop_table : 1/COP_sh, 1/COP_dhw, 1/EER by node temperature; cop_T0 (°C), cop_inv_dT
    (1/K) : its grid; m_min_b : a substation's minimum flow, kg/s; cp : J/(kg·K);
    dT_design : K; deficit_tol : K, tolerance of the supply deficit; UA : W/K of all pipes
    at one temperature (the adaptive setpoint's estimate); slot_s : s."""

    enabled: bool
    par: np.ndarray
    parent: np.ndarray
    building_pipe: np.ndarray
    weight: np.ndarray
    T_soil: np.ndarray
    cop_table: np.ndarray
    cop_T0: float
    cop_inv_dT: float
    m_min_b: float
    cp: float
    dT_design: float
    deficit_tol: float
    UA: float
    slot_s: float


class PipesState(NamedTuple):
    """fs, ring, buf : the pipes' water (:mod:`gshp.physics.network.plugflow`); m_pipe, m_b, Q_b,
    T_node : flows (kg/s), substation loads (W) and node supply temperatures (°C) of the
    slot; work : scratch; slot : (N_SLOT,) the slot's results (energy owed to the
    network kg·K, inlet °C, pipes' gain W, substations' draw W, flow kg/s, booster
    powers W, supply deficits W, unmet demand W)."""

    fs: np.ndarray
    ring: np.ndarray
    buf: np.ndarray
    m_pipe: np.ndarray
    m_b: np.ndarray
    Q_b: np.ndarray
    T_node: np.ndarray
    work: np.ndarray
    slot: np.ndarray


def pipes_records(setup, cp, dT_design, deficit_tol, T_supply0):
    """(PipesParams, PipesState) of a :class:`gshp.physics.network.setup.NetworkSetup`."""
    from gshp.physics.network.setup import COP_TABLE_DT, COP_TABLE_T0

    mdl = setup.model
    par, fs, ring, buf, parent, bpipe, _down, w = mdl.kernel_arrays()
    n = setup.tree.n_pipes
    p = PipesParams(
        enabled=True,
        par=par,
        parent=parent,
        building_pipe=bpipe,
        weight=w,
        T_soil=np.ascontiguousarray(setup.T_soil.T),
        cop_table=setup.cop_table,
        cop_T0=float(COP_TABLE_T0),
        cop_inv_dT=float(1.0 / COP_TABLE_DT),
        m_min_b=float(setup.m_min_building_kg_s),
        cp=float(cp),
        dT_design=float(dT_design),
        deficit_tol=float(deficit_tol),
        UA=float(2.0 * np.sum(mdl.U_pair_W_mK * mdl.length_m)),
        slot_s=900.0,
    )
    nb = setup.n_buildings
    s = PipesState(
        fs=fs, ring=ring, buf=buf, m_pipe=np.zeros(n), m_b=np.zeros(nb), Q_b=np.zeros(nb),
        T_node=np.full(nb, float(T_supply0)), work=np.zeros(4 * n), slot=np.zeros(N_SLOT),
    )  # fmt: skip
    return p, s


def no_pipes(cp=4186.0):
    """Empty records for ``network.model = "lumped"`` (same numba types)."""
    par, fs, ring, buf = pipe_setup(0, 1)
    z = np.zeros(0)
    zi = np.zeros(0, dtype=np.int64)
    p = PipesParams(
        enabled=False, par=par, parent=zi, building_pipe=zi.copy(), weight=z,
        T_soil=np.zeros((1, 1)), cop_table=np.zeros((2, 3)), cop_T0=0.0, cop_inv_dT=1.0,
        m_min_b=0.0, cp=float(cp), dT_design=1.0, deficit_tol=0.0, UA=0.0, slot_s=900.0,
    )  # fmt: skip
    s = PipesState(
        fs=fs, ring=ring, buf=buf, m_pipe=z.copy(), m_b=z.copy(), Q_b=z.copy(),
        T_node=z.copy(), work=z.copy(), slot=np.zeros(N_SLOT),
    )  # fmt: skip
    return p, s


@kernel_jit(error_model="numpy", inline="always")
def pipes_slot(pp, ps, load, slot, T_supply_prev, T_heat_set, T_cool_set):
    """Start of a load slot: substations at their nodes, flows, the network over the slot.

    The supply entering the network over the slot is the station's last supply plus the
    energy still owed to the network from earlier slots (at most 1 K at a time). Returns
    the return temperature arriving at the station over the slot, °C; the slot's results
    are kept in ``ps.slot``.
    """
    sl = ps.slot
    P_bh, P_bc = substation_loads(
        load.q_sh[slot], load.q_dhw[slot], load.q_sc[slot], load.q_pvt[slot],
        load.q_direct[slot], load.direct, ps.T_node, pp.cop_table, pp.cop_T0, pp.cop_inv_dT,
        pp.cp, pp.dT_design, pp.m_min_b, ps.Q_b, ps.m_b,
    )  # fmt: skip
    m_net = network_flows(ps.m_b, pp.building_pipe, pp.parent, ps.m_pipe)
    corr = sl[SL.owed] / (m_net * pp.slot_s)
    if corr > 1.0:
        corr = 1.0
    elif corr < -1.0:
        corr = -1.0
    T_in = T_supply_prev + corr
    T_ret, Qp = network_step(
        pp.par, ps.fs, ps.ring, ps.buf, pp.parent, pp.building_pipe, pp.weight, ps.m_pipe,
        ps.m_b, ps.Q_b, pp.T_soil[slot], T_in, pp.cp, ps.T_node, ps.work,
    )  # fmt: skip
    QB = 0.0
    for b in range(ps.Q_b.size):
        QB += ps.Q_b[b]
    sl[SL.T_in] = T_in
    sl[SL.Q_pipes] = Qp
    sl[SL.Q_substations] = QB
    sl[SL.m] = m_net
    sl[SL.P_boost_heat] = P_bh
    sl[SL.P_boost_cool] = P_bc
    sl[SL.deficit_heat] = substation_supply_deficit(
        ps.Q_b, ps.m_b, ps.T_node, T_heat_set, True, pp.cp, pp.deficit_tol
    )
    sl[SL.deficit_cool] = substation_supply_deficit(
        ps.Q_b, ps.m_b, ps.T_node, T_cool_set, False, pp.cp, pp.deficit_tol
    )
    uh, uc = substation_unmet(
        load.q_sh[slot], load.q_dhw[slot], load.q_sc[slot], load.q_direct[slot], load.direct,
        ps.T_node, load.T_src_min, load.T_src_max, load.capacity,
    )  # fmt: skip
    sl[SL.unmet_heat] = uh
    sl[SL.unmet_cool] = uc
    return T_ret
