"""A dry cooler that recharges the borefield from warm air (off by default).

Heating-dominated fields (Helsinki's) drift colder year after year: more heat is taken
out in winter than goes back in summer. A dry cooler (air-to-brine heat exchanger with
fans) on the borefield loop puts summer heat back: while the GSHP and the cooling bypass
leave the loop free, the borefield pump circulates the fluid through the cooler when the
air is warmer than the fluid, and the borefield stores that heat for the winter
("regeneration", e.g. Bertermann et al. 2015; IEA HPT Annex 52).

Model. The cooler's fans run at full speed while it runs; the air stream's capacity rate
is taken as much larger than the fluid's, so the exchanger's effectiveness is
``ε = 1 − exp(−UA/(ṁ·c_p))`` on the fluid side (counter- or cross-flow alike in that
limit) and the fluid leaves at ``T_in = T_out + ε·(T_air − T_out)``; with the borefield's
affine response ``T_out = a + b·T_in`` over the step this closes in one line
(:func:`gshp.station.components.borefield.exchanger_loop`). The heat is ``ṁ·c_p·(T_in −
T_out)``, the fans draw their rated power.

Control. It runs in the months ``[dry_cooler].months`` while the loop is free, when the
air is at least ``on_dT_K`` warmer than the fluid at the borefield outlet (stops below
``off_dT_K``, with minimum run and rest times), the air at least ``T_air_min_C`` and the
fluid below ``T_fluid_max_C`` (no regeneration beyond what the designer wants).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.jit import kernel_jit
from gshp.station.balance import B
from gshp.station.components.borefield import exchanger_loop, response
from gshp.station.components.clock import month_of_slot
from gshp.station.contract import Var, index
from gshp.station.control.rules import hysteresis

NAME = "dry_cooler"
ORDER = 3.4

OUTPUTS = (
    Var("Q_dry_cooler", "W", "heat the dry cooler gives the borefield fluid (regeneration)",
        "mean"),
    Var("P_dry_cooler", "W", "dry cooler fans' electric power", "mean"),
    Var("dry_cooler_on_fraction", "1", "fraction of time the dry cooler runs", "mean"),
)  # fmt: skip
YEARLY = (
    Var("Q_dry_cooler_year", "kW h", "heat put into the borefield by the dry cooler",
        "energy"),
    Var("E_dry_cooler", "kW h", "dry cooler fans' electricity", "energy", ("E_total",)),
)  # fmt: skip
OUT = index(OUTPUTS, "DryCoolerOutputs")
YR = index(YEARLY, "DryCoolerYearly")


class Params(NamedTuple):
    """enabled : the case has a dry cooler; eps : its effectiveness at the borefield flow;
    P_fan : fans' power while it runs, W; on_dT, off_dT : air above fluid to start and to
    keep running, K; T_air_min, T_fluid_max : °C; min_on_s, min_off_s : s; allowed :
    (n_slots,) 1 in the months it may run; T_air : (n_slots,) outdoor air, °C."""

    enabled: bool
    eps: float
    P_fan: float
    on_dT: float
    off_dT: float
    T_air_min: float
    T_fluid_max: float
    min_on_s: float
    min_off_s: float
    allowed: np.ndarray
    T_air: np.ndarray


class State(NamedTuple):
    """Each (1,): on (0/1); t : time in the present on/off state, s."""

    on: np.ndarray
    t: np.ndarray


def build(ctx):
    cfg = ctx.case.dry_cooler
    bf, _ = ctx.built("borefield")
    eps = 1.0 - np.exp(-cfg.UA_W_K / bf.m_cp) if cfg.enabled else 0.0
    allowed = np.isin(month_of_slot(), np.asarray(cfg.months)).astype(np.float64)
    p = Params(
        enabled=bool(cfg.enabled), eps=float(eps), P_fan=float(cfg.fan_power_kW * 1e3),
        on_dT=float(cfg.on_dT_K), off_dT=float(cfg.off_dT_K), T_air_min=float(cfg.T_air_min_C),
        T_fluid_max=float(cfg.T_fluid_max_C), min_on_s=float(cfg.min_on_time_s),
        min_off_s=float(cfg.min_off_time_s), allowed=allowed,
        T_air=np.ascontiguousarray(ctx.arrays["t_air"], dtype=np.float64),
    )  # fmt: skip
    return p, State(on=np.zeros(1), t=np.array([1e30]))


def omitted(p) -> tuple:
    """A case without a dry cooler reports none of its variables."""
    return () if p.enabled else tuple(v.name for v in OUTPUTS + YEARLY)


@kernel_jit(inline="always")
def wants_to_run(p, s, slot, dt, loop_free, T_fluid):
    """Whether the cooler runs this step (and its switching state, updated)."""
    T_air = p.T_air[slot]
    available = loop_free and p.allowed[slot] > 0.0 and T_air >= p.T_air_min
    available = available and T_fluid < p.T_fluid_max
    on = int(s.on[0])
    if available:
        new = hysteresis(on, T_air - T_fluid, p.on_dT, p.off_dT, True, s.t[0], p.min_on_s,
                         p.min_off_s)  # fmt: skip
    else:
        new = 0
    if new != on:
        s.on[0] = new
        s.t[0] = 0.0
    s.t[0] += dt
    return new == 1


@kernel_jit(inline="always")
def step(p, s, a, year, o, dt, slot, loop_free, bf, T_fluid, T_in, pending, bal):
    """When the borefield loop is free (``loop_free``) and the air warm enough, run the
    borefield pump through the cooler: returns the borefield's inlet (°C) and the begun
    step of the ground (``pending``, :func:`gshp.station.components.borefield.response`);
    else the inputs unchanged. ``T_fluid``: the borefield outlet of the last step, °C."""
    if not p.enabled or not wants_to_run(p, s, slot, dt, loop_free, T_fluid):
        return T_in, pending
    a_bf, b_bf, pending = response(bf, True)
    T_in, T_out = exchanger_loop(a_bf, b_bf, p.eps, p.T_air[slot])
    Q = bf.m_cp * (T_in - T_out)
    orow = a.out[o]
    yrow = a.yearly[year]
    orow[OUT.Q_dry_cooler] += Q
    orow[OUT.P_dry_cooler] += p.P_fan
    orow[OUT.dry_cooler_on_fraction] += 1.0
    yrow[YR.Q_dry_cooler_year] += Q * dt
    yrow[YR.E_dry_cooler] += p.P_fan * dt
    bal[B.coupling] += Q * dt
    bal[B.throughput] += abs(Q) * dt
    return T_in, pending
