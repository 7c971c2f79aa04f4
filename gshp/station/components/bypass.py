"""The cooling bypass as a station component: the borefield fluid runs through the tank
coil and back into the borefield, ``Q = ε·m·c_p·(T_out − T_coil)``, solved in closed form
with the borefield's affine response ``T_out = a + b·T_in`` (docs/reference-study.md §2). The
controls switch it (cooling season, on the tank sensor); the borefield's pump moves the fluid.
"""

from __future__ import annotations

from typing import NamedTuple

from gshp.jit import kernel_jit
from gshp.physics.tank import bypass_effectiveness, coil_temperature
from gshp.station.balance import B
from gshp.station.components.borefield import exchanger_loop
from gshp.station.contract import NO_STATE, Var, index

NAME = "bypass"
ORDER = 3.2

OUTPUTS = (
    Var("Q_bypass", "W",
        "heat removed from the tank by the borefield through the coil (cooling bypass)",
        "mean"),
    Var("bypass_on_fraction", "1", "fraction of time the cooling bypass runs", "mean"),
)  # fmt: skip
YEARLY = (Var("Q_bypass_year", "kW h", "heat removed by the cooling bypass", "energy"),)
OUT = index(OUTPUTS, "BypassOutputs")
YR = index(YEARLY, "BypassYearly")


class Params(NamedTuple):
    """eps : effectiveness of the tank coil at the borefield flow, bounded so that one
    step's heat cannot overshoot the coil layers (constant, so computed once:
    :func:`gshp.physics.tank.bypass_effectiveness`); G : ε·m·c_p of the fluid, W/K."""

    eps: float
    G: float


def build(ctx):
    bf, _ = ctx.built("borefield")
    tank, _ = ctx.built("tank")
    eps = float(bypass_effectiveness(tank.params, bf.m, bf.cp, ctx.dt))
    return Params(eps=eps, G=eps * bf.m_cp), NO_STATE


@kernel_jit(inline="always")
def inlet(p, run, a_bf, b_bf, tank, G_coil, T_in):
    """Before the ground's step: when ``run``, the borefield inlet (°C) with the loop
    closed through the tank coil, and the coil's capacity rate (W/K); the inputs unchanged
    when off."""
    if not run:
        return G_coil, T_in
    T_in, _T_out = exchanger_loop(a_bf, b_bf, p.eps, coil_temperature(tank.T, tank.params))
    return p.G, T_in


@kernel_jit(inline="always")
def heat(a, year, o, dt, run, m_cp_bf, T_in, T_out, Q_coil, bal):
    """After the ground's step: the heat the fluid (inlet ``T_in``, outlet ``T_out``, °C)
    took from the tank, accumulated; returns the coil's heat into the tank, W (negative:
    removed; ``Q_coil`` unchanged when off)."""
    if not run:
        return Q_coil
    Q_by = m_cp_bf * (T_in - T_out)
    orow = a.out[o]
    orow[OUT.Q_bypass] += Q_by
    orow[OUT.bypass_on_fraction] += 1.0
    a.yearly[year, YR.Q_bypass_year] += Q_by * dt
    bal[B.coupling] += Q_by * dt
    bal[B.throughput] += abs(Q_by) * dt
    return -Q_by
