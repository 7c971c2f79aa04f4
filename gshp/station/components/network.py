"""The network water: one fully mixed node of heat capacity ``C`` (DESIGN §1, §3).

The station's heat ``Q_station`` enters it and the substations' net load ``Q_net``
leaves it; the node's temperature is the return temperature of the next step (explicit
Euler, exactly conservative). Flow is variable, ``m = max(|Q|/(c_p·ΔT_design), m_min)``;
the network pump follows the affinity law ``P ∝ V̇³`` on a fixed system curve.

A more detailed network (pipes with transport delay) replaces this module's
``network_node_step`` with its own step and records (docs/architecture.md).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit


class NetworkParams(NamedTuple):
    """cp : water specific heat, J/(kg·K); dT_design : substation temperature difference,
    K; m_min : minimum flow, kg/s; m_design : design flow, kg/s; C : heat capacity of the
    network water, J/K; P_pump_design : network pump power at the design flow, W."""

    cp: float
    dT_design: float
    m_min: float
    m_design: float
    C: float
    P_pump_design: float


class NetworkState(NamedTuple):
    """T_return : (1,) return temperature, °C; T_supply : (1,) supply temperature of the
    last step, °C (sets the boosters' COPs)."""

    T_return: np.ndarray
    T_supply: np.ndarray


def network_state(T_return_C: float, T_supply_C: float) -> NetworkState:
    return NetworkState(T_return=np.array([T_return_C]), T_supply=np.array([T_supply_C]))


@kernel_jit(inline="always")
def network_flow(p, Q_net):
    """Network mass flow, kg/s, for the net substation load ``Q_net`` (W)."""
    m_net = abs(Q_net) / (p.cp * p.dT_design)
    if m_net < p.m_min:
        m_net = p.m_min
    return m_net


@kernel_jit(inline="always")
def network_node_step(p, dt, T_return, Q_station, Q_net):
    """Return temperature after one step: the node gains the station's heat and loses the
    substations' net load (W)."""
    return T_return + dt * (Q_station - Q_net) / p.C


@kernel_jit(inline="always")
def network_pump_power(p, m_net):
    """Network pump power, W, at flow ``m_net`` (affinity law on a fixed system curve)."""
    v = m_net / p.m_design
    return p.P_pump_design * v * v * v
