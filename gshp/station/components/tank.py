"""Tank and tempering valve as a station component (DESIGN §3).

The ports follow the direction of the net load, not the season: when the substations
draw heat the return enters the bottom and the supply leaves the warm top; when they
reject heat (cooling, PVT, also on a sunny spring day) the return enters the top and
the supply leaves the cold bottom, so the tank absorbs it. A tank on the wrong side of
the return is bypassed (valve fraction 0). The valve fraction is set from the tank
outlet at the start of the step; the tank itself is :func:`gshp.physics.tank.tank_step` on the
record :class:`gshp.physics.tank.TankKernel` (state ``T``, parameters ``params``).
"""

from __future__ import annotations

from gshp.jit import kernel_jit
from gshp.physics.tank import P_T_ROOM, tank_step, tempering_valve


@kernel_jit(inline="always")
def tank_valve_step(tank, dt, m_net, Q_net, T_return, T_set, Q_coil, G_coil, cp_w):
    """Advance valve and tank one step.

    Returns (T_supply, Q_station, Q_loss, draw): supply temperature, °C; heat the
    station gives the network water and the tank's loss to the room, W; True when the
    substations draw heat (``Q_net ≥ 0``).
    """
    tank_T = tank.T
    n_layers = tank_T.size
    draw = Q_net >= 0.0
    if draw:
        T_pre = tank_T[n_layers - 1]
        direction = 1
    else:
        T_pre = tank_T[0]
        direction = -1
    if (draw and T_pre <= T_return) or (not draw and T_pre >= T_return):
        x = 0.0
    else:
        x, _ts = tempering_valve(T_pre, T_return, T_set, 1 if draw else 0)
    m_tank = x * m_net
    T_tank_out, Q_loss = tank_step(
        tank_T, tank.params, dt, m_tank, T_return, direction, Q_coil, tank.params[P_T_ROOM],
        G_coil,
    )  # fmt: skip
    T_supply = x * T_tank_out + (1.0 - x) * T_return
    Q_station = m_tank * cp_w * (T_tank_out - T_return)
    return T_supply, Q_station, Q_loss, draw
