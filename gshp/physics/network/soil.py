"""Soil temperature at pipe depth.

Kusuda & Achenbach (1965), *Earth temperature and thermal diffusivity at selected
stations in the United States*, ASHRAE Trans. 71(1):61–75: the surface temperature is a
yearly sine (mean ``T_m``, amplitude ``A``, coldest day ``t_0``); conduction damps it and
delays it with depth ``z``::

    T(z, t) = T_m − A·exp(−z/d)·cos(ω (t − t_0) − z/d),   d = sqrt(2a/ω),  ω = 2π/year

with the soil's thermal diffusivity ``a`` (m²/s) and ``d`` the damping depth (≈ 2.6 m for
a = 0.7e-6 m²/s). The surface harmonic is fitted to the climate's air temperature
(least squares over the year, :func:`air_harmonic`): the usual practice when no soil
measurements exist (e.g. IBPSA ``Modelica.BoundaryConditions.GroundTemperature``,
EN ISO 13370 Annex). Snow and vegetation, which shift the surface mean by 1–2 K, are not
modelled.
"""

from __future__ import annotations

import numpy as np

YEAR_S = 365.0 * 86400.0
OMEGA = 2.0 * np.pi / YEAR_S


def air_harmonic(T_air_C, dt_s):
    """Annual mean (°C), amplitude (K) and time of the minimum (s from 1 Jan 00:00) of
    the first yearly harmonic of an air-temperature series of one 365-day year sampled
    every ``dt_s`` seconds (least squares)."""
    T = np.asarray(T_air_C, dtype=float)
    t = (np.arange(T.size) + 0.5) * dt_s
    c = np.cos(OMEGA * t)
    s = np.sin(OMEGA * t)
    X = np.column_stack([np.ones_like(t), c, s])
    (m, a_c, a_s), *_ = np.linalg.lstsq(X, T, rcond=None)
    amp = float(np.hypot(a_c, a_s))
    # m + a_c cos ωt + a_s sin ωt = m − A cos(ω(t − t0)) ⇒ a_c = −A cos ωt0, a_s = −A sin ωt0
    t0 = (np.arctan2(-a_s, -a_c) % (2.0 * np.pi)) / OMEGA
    return float(m), amp, float(t0)


def damping_depth(diffusivity_m2_s):
    """Depth ``d = sqrt(2a/ω)`` (m) over which the yearly wave decays by e."""
    return float(np.sqrt(2.0 * diffusivity_m2_s / OMEGA))


def kusuda_temperature(t_s, depth_m, T_mean_C, amplitude_K, t_min_s, diffusivity_m2_s):
    """Soil temperature (°C) at depth ``depth_m`` at times ``t_s`` (s from 1 Jan 00:00)."""
    d = damping_depth(diffusivity_m2_s)
    zd = np.asarray(depth_m, dtype=float) / d
    t = np.asarray(t_s, dtype=float)
    return T_mean_C - amplitude_K * np.exp(-zd) * np.cos(OMEGA * (t - t_min_s) - zd)


def soil_temperature_series(T_air_C, dt_s, depth_m, diffusivity_m2_s):
    """Kusuda–Achenbach soil temperature at ``depth_m`` for each sample of the air
    series (°C, same sampling, values at the middle of each interval)."""
    m, amp, t0 = air_harmonic(T_air_C, dt_s)
    t = (np.arange(np.asarray(T_air_C).size) + 0.5) * dt_s
    return kusuda_temperature(t, depth_m, m, amp, t0, diffusivity_m2_s)
