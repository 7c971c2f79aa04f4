"""District → network: the substations' net load on the network (DESIGN §1).

Heating and DHW draw ``Q·(1 − 1/COP)`` from the network, space cooling rejects
``Q·(1 + 1/EER)``, PVT heat is rejected as is; the booster COPs are taken at the network
supply temperature seen at the start of each 15-min load slot
(:func:`gshp.physics.heatpump.booster_cops`). A case may give the net load directly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.heatpump import booster_cops


class LoadParams(NamedTuple):
    """One year of district loads at the 15-min slot resolution, W, and the boosters.

    direct : the net network load is given (``q_direct``) instead of the building loads;
    q_sh, q_dhw, q_sc, q_pvt : space heating, DHW, space cooling, PVT heat into the
    network; q_direct : net network load (+ drawn); booster : booster model parameters
    (:func:`gshp.physics.heatpump.default_booster_params`).
    """

    direct: bool
    q_sh: np.ndarray
    q_dhw: np.ndarray
    q_sc: np.ndarray
    q_pvt: np.ndarray
    q_direct: np.ndarray
    booster: np.ndarray


class LoadState(NamedTuple):
    """Booster COP (space heating, DHW) and EER of the current slot, shape (3,)."""

    cops: np.ndarray


def load_state(p: LoadParams, T_supply_C: float) -> LoadState:
    """The state at the start of a run with the network supply at ``T_supply_C``."""
    return LoadState(cops=np.array(booster_cops(T_supply_C, p.booster), dtype=np.float64))


@kernel_jit(inline="always")
def booster_cops_at(p, T_supply_C):
    """COP (space heating), COP (DHW), EER of the boosters at the network supply (°C)."""
    return booster_cops(T_supply_C, p.booster)


@kernel_jit(inline="always")
def network_load(p, slot, cop_sh, cop_dhw, eer):
    """Net load on the network in one slot, W (+ drawn), and the boosters' power.

    Returns (Q_net, P_boost, P_boost_heat, P_boost_cool, Q_sh, Q_dhw, Q_pvt): the
    building loads are returned for the adaptive setpoint's daily sums (0 when the net
    load is given directly).
    """
    if p.direct:
        return p.q_direct[slot], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    Qsh = p.q_sh[slot]
    Qdhw = p.q_dhw[slot]
    Qsc = p.q_sc[slot]
    Qpvt = p.q_pvt[slot]
    P_boost_heat = Qsh / cop_sh + Qdhw / cop_dhw
    P_boost_cool = Qsc / eer
    P_boost = P_boost_heat + P_boost_cool
    Q_net = Qsh + Qdhw - P_boost_heat - Qsc - P_boost_cool - Qpvt
    return Q_net, P_boost, P_boost_heat, P_boost_cool, Qsh, Qdhw, Qpvt
