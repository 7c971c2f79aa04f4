"""Pipe hydraulics: friction, pressure drop, standard PE pipe sizes and the sizing rule.

* Darcy–Weisbach: ``Δp/L = f/D · ρ v²/2`` (Pa/m).
* Friction factor: laminar ``64/Re`` below Re = 2300; turbulent by Haaland (1983),
  *J. Fluids Eng.* 105:89, ``1/√f = −1.8 log10[(ε/D/3.7)^1.11 + 6.9/Re]`` (within 2 % of
  Colebrook–White), above Re = 4000; linear in Re in between (transition).
* PE100 SDR 11 pipes (EN 12201-2 / ISO 4427-2: outer diameter and minimum wall, mm), the
  usual choice for uninsulated ULT networks (PN16 with water), absolute roughness
  0.007 mm (smooth plastic).
* Sizing rule (:func:`size_pipe`): the smallest standard size whose pressure gradient at
  the design flow does not exceed a limit, by default 150 Pa/m — the middle of the
  100–200 Pa/m used for district heating distribution pipes (e.g. Frederiksen & Werner,
  *District Heating and Cooling*, 2013, §6; Danish practice ~100 Pa/m for mains).
* Water at 15–25 °C: ρ = 998 kg/m³, μ = 1.0e-3 Pa·s.
"""

from __future__ import annotations

import math

RHO = 998.0
MU = 1.0e-3
ROUGHNESS_PE_M = 7e-6

#: PE100 SDR 11 (EN 12201-2): outer diameter and wall thickness, mm.
PE100_SDR11_MM = (
    (32, 2.9), (40, 3.7), (50, 4.6), (63, 5.8), (75, 6.8), (90, 8.2), (110, 10.0),
    (125, 11.4), (140, 12.7), (160, 14.6), (180, 16.4), (200, 18.2), (225, 20.5),
    (250, 22.7), (280, 25.4), (315, 28.6), (355, 32.2), (400, 36.3), (450, 40.9),
    (500, 45.4), (560, 50.8), (630, 57.2),
)  # fmt: skip


def reynolds(mdot_kg_s, diameter_m, mu=MU):
    """Reynolds number of a pipe flow, ``4ṁ/(π D μ)``."""
    return 4.0 * abs(mdot_kg_s) / (math.pi * diameter_m * mu)


def friction_factor(Re, relative_roughness):
    """Darcy friction factor (laminar, transition, Haaland)."""
    if Re <= 0.0:
        return 0.0
    if Re < 2300.0:
        return 64.0 / Re
    f_turb = _haaland(max(Re, 4000.0), relative_roughness)
    if Re >= 4000.0:
        return f_turb
    w = (Re - 2300.0) / 1700.0
    return (1.0 - w) * 64.0 / 2300.0 + w * f_turb


def _haaland(Re, rr):
    return (-1.8 * math.log10((rr / 3.7) ** 1.11 + 6.9 / Re)) ** -2


def pressure_gradient(mdot_kg_s, diameter_m, roughness_m=ROUGHNESS_PE_M, rho=RHO, mu=MU):
    """Frictional pressure gradient, Pa/m (Darcy–Weisbach)."""
    area = math.pi * 0.25 * diameter_m**2
    v = abs(mdot_kg_s) / (rho * area)
    f = friction_factor(reynolds(mdot_kg_s, diameter_m, mu), roughness_m / diameter_m)
    return f / diameter_m * 0.5 * rho * v * v


def velocity(mdot_kg_s, diameter_m, rho=RHO):
    """Mean velocity, m/s."""
    return abs(mdot_kg_s) / (rho * math.pi * 0.25 * diameter_m**2)


def pe_sizes():
    """Standard PE100 SDR 11 sizes as (inner, outer) diameters in metres."""
    return [((od - 2 * s) / 1000.0, od / 1000.0) for od, s in PE100_SDR11_MM]


def size_pipe(mdot_design_kg_s, max_gradient_Pa_m=150.0, sizes=None):
    """Smallest standard pipe (inner, outer diameter, m) whose pressure gradient at the
    design flow is at most ``max_gradient_Pa_m``; the largest size if none is enough."""
    sizes = sizes or pe_sizes()
    for d_in, d_out in sizes:
        if pressure_gradient(mdot_design_kg_s, d_in) <= max_gradient_Pa_m:
            return d_in, d_out
    return sizes[-1]
