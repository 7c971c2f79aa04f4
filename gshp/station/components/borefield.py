"""The borefield as a station component: its circulation and the ground model.

The ground model is :mod:`gshp.physics.borefield.kernel` (its record
:class:`gshp.physics.borefield.model.BorefieldKernel` holds its state arrays); this module adds
the station-side parameters (flow, fluid, pump, freezing point) and the fluid state.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.physics.borefield.kernel import (
    NO_PENDING,
    P_T0,
    borefield_advance_pending,
    borefield_step_coeffs,
    borefield_wall_heat,
)


class BorefieldParams(NamedTuple):
    """m : total fluid flow, kg/s; cp : fluid specific heat, J/(kg·K); P_pump : pump power
    while it runs, W; T_freeze : freezing point of the fluid, °C; eps_bypass :
    effectiveness of the tank coil at this flow in the cooling bypass
    (:func:`gshp.physics.tank.coil_effectiveness`)."""

    m: float
    cp: float
    P_pump: float
    T_freeze: float
    eps_bypass: float


class BorefieldState(NamedTuple):
    """Each (1,), °C: outlet and inlet fluid temperatures of the last step and the
    GSHP's source-temperature guess for the next step."""

    T_out: np.ndarray
    T_in: np.ndarray
    T_src_guess: np.ndarray


def borefield_state(ground) -> BorefieldState:
    """Fluid at the undisturbed ground temperature of the ground model ``ground``."""
    T_g = float(ground.params[P_T0])
    return BorefieldState(T_out=np.array([T_g]), T_in=np.array([T_g]), T_src_guess=np.array([T_g]))


#: ``pending`` of :func:`ground_advance` when :func:`ground_coeffs` was not called.
GROUND_NO_PENDING = NO_PENDING


@kernel_jit(inline="always")
def ground_coeffs(g, m):
    """``(a, b, pending)``: the outlet response ``T_out = a + b·T_in`` over the next step
    and what :func:`ground_advance` of the same step reuses (one pass over the load
    aggregation cells per step instead of two; identical numbers)."""
    return borefield_step_coeffs(
        g.params, g.ftab, g.dg, g.inv_w, g.q_cells, g.nodes, g.cap, g.slot_m, g.mats,
        g.vecs, g.work, m,
    )  # fmt: skip


@kernel_jit(inline="always")
def ground_advance(g, T_in, m, pending):
    """Advance the ground one step; returns (T_out, Q_ground, T_wall, T_fluid_mean).
    ``pending``: from :func:`ground_coeffs` this step, else ``GROUND_NO_PENDING``."""
    return borefield_advance_pending(
        g.params, g.ftab, g.dg, g.inv_w, g.q_cells, g.nodes, g.cap, g.slot_m, g.mats,
        g.vecs, g.work, T_in, m, pending,
    )  # fmt: skip


@kernel_jit(inline="always")
def ground_wall_heat(g):
    """Heat through the borehole walls in the last step, W."""
    return borefield_wall_heat(g.params, g.q_cells)
