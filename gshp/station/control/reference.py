"""Where the network's supply setpoint holds (``network.setpoint_reference``).

``plant``: the setpoint is the plant's supply temperature (the reference study's control).

``critical_node``: the plant's supply is raised (heating season) or lowered (cooling
season) so that the critical substation gets the setpoint, as low-temperature networks
make up for their pipes: in the heating season the substation with the lowest supply
among those drawing heat, in the cooling season the one with the highest supply among
those rejecting heat. A causal integral controller, once per 15-min load slot, from the
node temperatures of the slot that ended (no look-ahead):

    offset ← clamp(offset + g·(T_set − T_critical), 0, offset_max)      (heating)
    offset ← clamp(offset + g·(T_critical − T_set), 0, offset_max)      (cooling)

with the plant's setpoint ``T_set + offset`` (heating) or ``T_set − offset`` (cooling),
bounded by ``network.critical_node_T_max_C`` / ``critical_node_T_min_C``. At steady flow
it settles where the critical node has the setpoint, i.e. the plant supplies the setpoint
plus the drop along the pipes, ``(T_plant − T_soil)(1 − exp(−U′L/(ṁc)))`` on a single
pipe. The gain ``g`` (:data:`GAIN`) keeps the loop stable with the pipes' transport delay
of up to a few hours at low flow (an integral loop with a delay of d slots is stable for
``g ≲ 2 sin(π/(2(2d + 1)))``; 0.1 allows d ≈ 15 slots) and the tank's response.
"""

from __future__ import annotations

from gshp.jit import kernel_jit

NAMES = ("plant", "critical_node")
PLANT = 0
CRITICAL_NODE = 1

GAIN = 0.1
"""Integral gain of the critical-node controller, K of offset per K of error per slot."""


def reference_id(name: str) -> int:
    """The compiled controls' number of a ``network.setpoint_reference``."""
    return NAMES.index(name)


@kernel_jit(inline="always")
def critical_offset(offset, heating, T_set, T_node, Q_b, gain, offset_max):
    """The next offset of the plant's setpoint, K (≥ 0), from the last slot's node supply
    temperatures ``T_node`` (°C) and loads ``Q_b`` (W, + drawn) and the base setpoint
    ``T_set`` (°C); unchanged when no substation draws (heating) or rejects (cooling)."""
    found = False
    T_c = 0.0
    for b in range(T_node.size):
        if heating and Q_b[b] > 0.0:
            if not found or T_node[b] < T_c:
                T_c = T_node[b]
                found = True
        elif not heating and Q_b[b] < 0.0:
            if not found or T_node[b] > T_c:
                T_c = T_node[b]
                found = True
    if not found:
        return offset
    err = T_set - T_c if heating else T_c - T_set
    new = offset + gain * err
    if new > offset_max:
        new = offset_max
    if new < 0.0:
        new = 0.0
    return new
