"""The tank and its tempering valve as a station component (docs/reference-study.md §3).

The ports follow the direction of the net load, not the season: when the substations
draw heat the return enters the bottom and the supply leaves the warm top; when they
reject heat (cooling, PVT, also on a sunny spring day) the return enters the top and
the supply leaves the cold bottom, so the tank absorbs it. A tank on the wrong side of
the return is bypassed (valve fraction 0). The valve fraction is set from the tank
outlet at the start of the step; the tank itself is :func:`gshp.physics.tank.tank_step`
on the record :class:`gshp.physics.tank.TankKernel` (its layers ``T`` are its state,
``params`` its constants), which is this component's parameter record.
"""

from __future__ import annotations

from gshp.jit import kernel_jit
from gshp.physics.tank import P_T_ROOM, stored_energy, tank_setup, tank_step, tempering_valve
from gshp.physics.water import CP_WATER
from gshp.station.balance import B
from gshp.station.contract import NO_STATE, Var, index

NAME = "tank"
ORDER = 4

OUTPUTS = (
    Var("T_supply", "degC", "network supply temperature (after the tempering valve)", "mean"),
    Var("T_tank_top", "degC", "tank top layer temperature", "mean"),
    Var("T_tank_bottom", "degC", "tank bottom layer temperature", "mean"),
    Var("Q_tank_loss", "W", "tank heat loss to the plant room", "mean"),
)  # fmt: skip
YEARLY = (
    Var("T_supply_heating_mean", "degC",
        "mean network supply temperature in the heating season", "heating_mean"),
    Var("setpoint_deviation_heating", "K h",
        "heating season: station supply below its setpoint, kelvin-hours", "kelvin_hours"),
    Var("setpoint_deviation_cooling", "K h",
        "cooling season: station supply above its setpoint, kelvin-hours", "kelvin_hours"),
    Var("heating_steps", "1", "heating-season steps in the year", "internal"),
)  # fmt: skip
OUT = index(OUTPUTS, "TankOutputs")
YR = index(YEARLY, "TankYearly")


def coil_UA_W_K(case) -> float:
    """UA of the tank coil, W/K: the case's, else half the rated heating capacity per K."""
    return case.tank.coil_UA_W_K or case.heat_pump.rated_heating_capacity_kW * 1000.0 / 2.0


def build(ctx):
    case = ctx.case
    tk = case.tank
    T0 = tk.T_initial_C if tk.T_initial_C is not None else ctx.first_setpoint
    tank = tank_setup(
        tk.volume_m3, tk.height_m, tk.n_layers, tk.loss_UA_W_K, tk.coil_bottom_layer,
        tk.coil_top_layer, coil_UA_W_K(case), T0, T_room_C=tk.T_room_C,
    )  # fmt: skip
    return tank, NO_STATE


def stored_heat(p, s) -> float:
    """Heat in the tank water, J (relative to 0 °C)."""
    return float(stored_energy(p.T, p.params))


@kernel_jit(inline="always")
def valve_step(tank, a, year, o, dt, heating, m_net, Q_net, T_return, T_set, Q_coil, G_coil,
               bal):  # fmt: skip
    """Advance valve and tank one step with the coil's heat ``Q_coil`` (W, capacity rate
    ``G_coil`` W/K) and the network's flow ``m_net`` (kg/s) and net load ``Q_net`` (W,
    ≥ 0: the substations draw heat). Accumulates the tank's outputs and balance terms.

    Returns (T_supply, Q_station): the station's supply temperature, °C, and the heat it
    gives the network water, W.
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
    Q_station = m_tank * CP_WATER * (T_tank_out - T_return)
    orow = a.out[o]
    yrow = a.yearly[year]
    orow[OUT.T_supply] += T_supply
    orow[OUT.T_tank_top] += tank_T[n_layers - 1]
    orow[OUT.T_tank_bottom] += tank_T[0]
    orow[OUT.Q_tank_loss] += Q_loss
    if heating:
        yrow[YR.T_supply_heating_mean] += T_supply
        yrow[YR.heating_steps] += 1.0
        if T_supply < T_set:
            yrow[YR.setpoint_deviation_heating] += (T_set - T_supply) * dt
    elif T_supply > T_set:
        yrow[YR.setpoint_deviation_cooling] += (T_supply - T_set) * dt
    bal[B.station] += Q_station * dt
    bal[B.tank_coil] += Q_coil * dt
    bal[B.tank_loss] += Q_loss * dt
    bal[B.throughput] += abs(Q_loss) * dt
    return T_supply, Q_station
