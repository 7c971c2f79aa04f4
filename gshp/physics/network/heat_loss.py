"""Heat transmission of buried district-heating pipes to the soil, per metre of trench.

All functions are pure, take SI scalars or numpy arrays and return resistances in
m·K/W and heat transfer coefficients U′ in W/(m·K) (per metre of pipe).

Single buried pipe (shape factor of a cylinder of outer radius ``r`` whose centre lies
at depth ``z`` in a semi-infinite medium with an isothermal surface; image method)::

    R_soil = arccosh(z / r) / (2π λ_soil)
           = ln(z/r + sqrt((z/r)² − 1)) / (2π λ_soil)   ≈ ln(2z/r) / (2π λ_soil)  (z ≫ r)

Incropera & DeWitt, *Fundamentals of Heat and Mass Transfer*, 6th ed., Table 4.1 case 1
(S = 2πL / cosh⁻¹(2z/D)); Çengel, *Heat Transfer*, 2nd ed., Table 3-7 (S = 2πL / ln(4z/D)
for z > 1.5 D). The soil surface is taken at the soil temperature at pipe depth (the
undisturbed or seasonal temperature, :mod:`gshp.physics.network.soil`), the usual convention of
EN 13941-1 and Wallentén (1991).

Pipe wall and insulation, cylindrical shells: ``R = ln(r_out / r_in) / (2π λ)``. The
fluid-side convection (≈ 0.001 m·K/W in turbulent water flow) is negligible against the
wall and the soil and is left out.

A pair of pipes in one trench (supply 1 and return 2, centres at depth ``z``, ``D``
apart) influence each other: each pipe warms the soil around the other. With the line
sources and their images (Wallentén 1991, *Steady-state heat loss from insulated pipes*,
Lund University TVBH-3017; the formulas of EN 13941-1:2019 Annex and Bøhm 2000,
*Appl. Therm. Eng.* 20:1393), the mutual resistance is::

    R_m = ln( sqrt(1 + (2z/D)²) ) / (2π λ_soil)

and the heat lost by each pipe per metre (W/m) given both water temperatures is::

    q_1 = [ R_2 (T_1 − T_s) − R_m (T_2 − T_s) ] / (R_1 R_2 − R_m²)
    q_2 = [ R_1 (T_2 − T_s) − R_m (T_1 − T_s) ] / (R_1 R_2 − R_m²)

with ``R_i = R_soil,i + R_wall,i + R_insulation,i``. For two equal pipes this splits into
the symmetric and antisymmetric problems (``U_s = 1/(R + R_m)`` acting on the mean
temperature, ``U_a = 1/(R − R_m)`` on the half difference).

The station's pipe model (:mod:`gshp.physics.network.plugflow`) writes the pair formula for pipe 1
as exchange with an *effective* soil temperature::

    q_1 = U′_1 (T_1 − T_eff,1),   U′_1 = R_2 / (R_1 R_2 − R_m²),
    T_eff,1 = T_s + (R_m / R_2) (T_2 − T_s)

(:func:`pair_coupling`): the neighbour raises (or lowers) the soil temperature the pipe
sees. ``U′_1`` is a constant of the geometry; the kernel evaluates ``T_eff,1`` each step
with the neighbour's mean water temperature.
"""

from __future__ import annotations

import numpy as np

TWO_PI = 2.0 * np.pi


def shell_resistance(r_in_m, r_out_m, conductivity_W_mK):
    """Conduction resistance of a cylindrical shell per metre, m·K/W.

    ``ln(r_out/r_in) / (2π λ)``; zero for a shell of zero thickness.
    """
    r_in = np.asarray(r_in_m, dtype=float)
    r_out = np.asarray(r_out_m, dtype=float)
    return np.log(r_out / r_in) / (TWO_PI * np.asarray(conductivity_W_mK, dtype=float))


def soil_resistance(depth_m, radius_m, soil_conductivity_W_mK, exact=True):
    """Soil resistance of one buried cylinder per metre (image method), m·K/W.

    Parameters
    ----------
    depth_m : float or array
        Depth of the pipe's centre below the surface ``z`` (m), ``z > r``.
    radius_m : float or array
        Outer radius of the buried cylinder (casing or pipe), m.
    soil_conductivity_W_mK : float or array
        Soil thermal conductivity, W/(m·K).
    exact : bool
        ``arccosh(z/r)`` (exact for an isothermal cylinder under an isothermal surface) or
        the deep-burial limit ``ln(2z/r) = ln(4z/D)``.
    """
    z = np.asarray(depth_m, dtype=float)
    r = np.asarray(radius_m, dtype=float)
    x = z / r
    g = np.arccosh(x) if exact else np.log(2.0 * x)
    return g / (TWO_PI * np.asarray(soil_conductivity_W_mK, dtype=float))


def mutual_resistance(depth_m, spacing_m, soil_conductivity_W_mK):
    """Mutual soil resistance of two parallel pipes at the same depth, m·K/W.

    ``ln(sqrt(1 + (2z/D)²)) / (2π λ)`` (Wallentén 1991): the temperature rise at one pipe
    per W/m emitted by the other, with the image that keeps the surface isothermal.
    """
    z = np.asarray(depth_m, dtype=float)
    d = np.asarray(spacing_m, dtype=float)
    return 0.5 * np.log1p((2.0 * z / d) ** 2) / (TWO_PI * np.asarray(soil_conductivity_W_mK))


def pipe_resistance(
    inner_diameter_m,
    outer_diameter_m,
    wall_conductivity_W_mK,
    depth_m,
    soil_conductivity_W_mK,
    insulation_thickness_m=0.0,
    insulation_conductivity_W_mK=0.026,
    exact=True,
):
    """Total resistance water → soil of one buried pipe alone, m·K/W.

    Wall + insulation (outside the wall) + soil around the outer radius (the casing of an
    insulated pipe; a thin casing's own resistance is negligible and left out).
    """
    r_i = 0.5 * np.asarray(inner_diameter_m, dtype=float)
    r_o = 0.5 * np.asarray(outer_diameter_m, dtype=float)
    t_ins = np.asarray(insulation_thickness_m, dtype=float)
    r_c = r_o + t_ins
    R = shell_resistance(r_i, r_o, wall_conductivity_W_mK)
    R = R + np.where(t_ins > 0, np.log(r_c / r_o) / (TWO_PI * insulation_conductivity_W_mK), 0.0)
    return R + soil_resistance(depth_m, r_c, soil_conductivity_W_mK, exact=exact)


def pair_heat_loss(T_1, T_2, T_soil, R_1, R_2, R_m):
    """Heat lost per metre by each pipe of a pair in one trench, W/m (+ = to the soil).

    Parameters
    ----------
    T_1, T_2 : float or array
        Water temperatures of the two pipes, °C.
    T_soil : float or array
        Soil temperature at pipe depth (far field and surface), °C.
    R_1, R_2 : float or array
        Each pipe's own resistance water → soil (:func:`pipe_resistance`), m·K/W.
    R_m : float or array
        Mutual resistance (:func:`mutual_resistance`), m·K/W.

    Returns
    -------
    (q_1, q_2) : W/m
    """
    d1 = np.asarray(T_1, dtype=float) - T_soil
    d2 = np.asarray(T_2, dtype=float) - T_soil
    det = R_1 * R_2 - R_m * R_m
    return (R_2 * d1 - R_m * d2) / det, (R_1 * d2 - R_m * d1) / det


def pair_symmetric_U(R, R_m):
    """Symmetric and antisymmetric U′ of two equal pipes, W/(m·K).

    ``q_1 = U_s (T_mean − T_s) + U_a (T_1 − T_2)/2`` with ``U_s = 1/(R + R_m)``,
    ``U_a = 1/(R − R_m)`` (Wallentén 1991; EN 13941-1).
    """
    return 1.0 / (R + R_m), 1.0 / (R - R_m)


def pair_effective_U(T_1, T_2, T_soil, R_1, R_2, R_m):
    """U′ of each pipe of a pair folded at given temperatures, W/(m·K).

    ``U′_i = q_i / (T_i − T_soil)`` from :func:`pair_heat_loss`; where a pipe is at the
    soil temperature its U′ is taken as the single pipe's ``1/R_i`` reduced by the
    neighbour's share, ``(R_j − R_m)/(R_1 R_2 − R_m²)`` (the value for equal
    temperatures).
    """
    q1, q2 = pair_heat_loss(T_1, T_2, T_soil, R_1, R_2, R_m)
    det = R_1 * R_2 - R_m * R_m
    d1 = np.asarray(T_1, dtype=float) - T_soil
    d2 = np.asarray(T_2, dtype=float) - T_soil
    eq1 = (R_2 - R_m) / det
    eq2 = (R_1 - R_m) / det
    with np.errstate(invalid="ignore", divide="ignore"):
        U1 = np.where(np.abs(d1) > 1e-9, q1 / np.where(d1 == 0, 1.0, d1), eq1)
        U2 = np.where(np.abs(d2) > 1e-9, q2 / np.where(d2 == 0, 1.0, d2), eq2)
    return U1, U2


def pair_coupling(R_1, R_2, R_m):
    """Self conductance and neighbour weight of each pipe of a pair.

    Returns ``(U_1, w_1, U_2, w_2)``: ``q_i = U_i (T_i − T_s − w_i (T_j − T_s))`` W/m with
    ``U_1 = R_2/(R_1 R_2 − R_m²)``, ``w_1 = R_m/R_2`` (and symmetrically), which is
    :func:`pair_heat_loss` rearranged. Without a neighbour (``R_m = 0``) ``U_i = 1/R_i``.
    """
    det = R_1 * R_2 - R_m * R_m
    return R_2 / det, R_m / R_2, R_1 / det, R_m / R_1
