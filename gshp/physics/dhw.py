"""Domestic hot water: draw profile, mains water temperature and DHW heat demand.

Units: SI inside (kg/s, W, J); temperatures in °C.
"""

from __future__ import annotations

import numba
import numpy as np

from gshp.physics.climate import MONTH_DAYS
from gshp.physics.water import CP_WATER, RHO_WATER  # noqa: F401  (pvt imports them from here)

#: Mean DHW draw fraction per hour of day (sums to 1) for weekdays, after the
#: residential profile of IEA SHC Task 26 / DHWcalc (Jordan & Vajen 2001): a morning
#: peak at 6–8 h and a broad evening peak at 18–21 h.
DHW_WEEKDAY = np.array(
    [
        0.6,
        0.3,
        0.2,
        0.2,
        0.4,
        2.0,
        7.0,
        9.5,
        7.0,
        5.0,
        4.0,
        4.0,
        4.5,
        4.0,
        3.5,
        3.5,
        4.0,
        5.0,
        6.5,
        7.5,
        7.0,
        5.5,
        3.5,
        1.8,
    ]  # fmt: skip
)
DHW_WEEKDAY = DHW_WEEKDAY / DHW_WEEKDAY.sum()
#: Weekend profile: the morning peak two hours later and broader.
DHW_WEEKEND = np.array(
    [
        1.0,
        0.5,
        0.3,
        0.2,
        0.2,
        0.5,
        1.5,
        4.0,
        7.0,
        8.5,
        8.0,
        6.5,
        5.5,
        4.5,
        3.5,
        3.5,
        4.0,
        5.0,
        6.0,
        7.0,
        6.5,
        5.5,
        4.0,
        2.5,
    ]  # fmt: skip
)
DHW_WEEKEND = DHW_WEEKEND / DHW_WEEKEND.sum()


def mains_temperature(day_of_year, T_air_annual_mean_C, T_air_monthly_amplitude_K):
    """Cold (mains) water temperature (°C) following the climate.

    Burch, J. and Christensen, C. (2007), *Towards development of an algorithm for
    mains water temperature*, ASES Solar 2007 (the NREL/Building America model):
    in °F, T_mains = (T̄ + 6) + r · ΔT/2 · sin(0.986·(n − 15 − lag) − 90°), with
    r = 0.4 + 0.01·(T̄ − 44) and lag = 35 − 1.0·(T̄ − 44) days; T̄ the annual mean air
    temperature and ΔT the difference between the warmest and coldest monthly means.

    Parameters
    ----------
    day_of_year : array_like
        Day number (1 = 1 Jan; fractional allowed).
    T_air_annual_mean_C : float
        Annual mean air temperature (°C).
    T_air_monthly_amplitude_K : float
        Warmest minus coldest monthly mean air temperature (K).
    """
    n = np.asarray(day_of_year, dtype=np.float64)
    t_avg_F = T_air_annual_mean_C * 1.8 + 32.0
    dT_F = T_air_monthly_amplitude_K * 1.8
    ratio = 0.4 + 0.01 * (t_avg_F - 44.0)
    lag = 35.0 - 1.0 * (t_avg_F - 44.0)
    T_F = (t_avg_F + 6.0) + ratio * dT_F / 2.0 * np.sin(np.radians(0.986 * (n - 15.0 - lag) - 90.0))
    return np.maximum((T_F - 32.0) / 1.8, 1.0)


def mains_from_weather(T_air_hourly, steps_per_hour=4):
    """Mains temperature (°C) on a time axis of ``steps_per_hour`` for an hourly year."""
    T = np.asarray(T_air_hourly, dtype=np.float64)
    daily = T.reshape(-1, 24).mean(axis=1)
    months = np.repeat(np.arange(12), MONTH_DAYS)
    mm = np.bincount(months, weights=daily, minlength=12) / MONTH_DAYS
    n = T.size * steps_per_hour
    day = np.arange(n) / (24.0 * steps_per_hour) + 1.0
    return mains_temperature(day, float(T.mean()), float(mm.max() - mm.min()))


def draw_profiles(persons_per_building, litres_per_person_day, seed=0, dt_s=900.0, days=365):
    """Seeded DHW draw mass flow per building (kg/s), shape (n_buildings, n_steps).

    Each building's daily volume = persons × litres × a log-normal day factor (σ = 0.15,
    mean 1); it is spread over the day with the weekday/weekend hourly shape
    (:data:`DHW_WEEKDAY`, :data:`DHW_WEEKEND`, day 1 = Monday) and a gamma-distributed
    step factor (shape 1.5, mean 1) that gives the draws' randomness within the hour;
    each day is renormalised so its volume is exactly the drawn daily volume.
    Annual volume = persons × litres × 365 within the log-normal noise (≈ ±1 %).
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 6]))
    persons = np.atleast_1d(np.asarray(persons_per_building, dtype=np.float64))
    nb = persons.size
    spd = int(round(86400.0 / dt_s))
    sph = spd / 24.0
    hour_idx = (np.arange(spd) / sph).astype(int)
    weekday = np.arange(days) % 7 < 5
    shape = np.where(
        weekday[:, None], DHW_WEEKDAY[hour_idx][None, :], DHW_WEEKEND[hour_idx][None, :]
    )
    out = np.empty((nb, days * spd))
    sig = 0.15
    for b in range(nb):
        day_factor = rng.lognormal(-0.5 * sig * sig, sig, size=days)
        noise = rng.gamma(1.5, 1.0 / 1.5, size=(days, spd))
        w = shape * noise
        w /= w.sum(axis=1, keepdims=True)
        litres = persons[b] * litres_per_person_day * day_factor[:, None] * w  # L per step
        out[b] = (litres * 1e-3 * RHO_WATER / dt_s).ravel()
    return out


def dhw_heat(m_dot_kg_s, T_mains_C, T_set_C):
    """Heat to bring drawn water from mains to the setpoint (W): ṁ·c_p·(T_set − T_mains)."""
    return m_dot_kg_s * CP_WATER * np.maximum(T_set_C - T_mains_C, 0.0)


@numba.njit(cache=True)
def charge_tanks(demand_W, cap_W, dt_s, Q_charge, deficit_J):
    """Booster charging of the buildings' DHW tanks, limited by the booster capacity.

    The tank (800 L per building, docs/reference-study.md §7, R3) buffers the draws: the
    booster charges it with the demand of the step plus the tank's accumulated deficit, at
    most ``cap_W``; what it cannot deliver stays in the deficit (the tank cools below its
    setpoint) and is made up in later steps. Energy is conserved:
    Σ Q_charge·dt = Σ demand·dt − Δdeficit (storage-tank charging, Duffie & Beckman, *Solar
    Engineering of Thermal Processes*, 4th ed., §8.3, with the tank as one energy store).

    Parameters
    ----------
    demand_W : float64[nb, n]
        DHW heat demand of each building in each step (W ≥ 0).
    cap_W : float
        Booster capacity per building (W).
    dt_s : float
        Time step (s).
    Q_charge : float64[nb, n]
        Output: booster power into each tank (W), 0 ≤ Q_charge ≤ cap_W.
    deficit_J : float64[nb]
        In/out: each tank's energy deficit below its setpoint (J ≥ 0), updated in place.
    """
    nb = demand_W.shape[0]
    n = demand_W.shape[1]
    for b in range(nb):
        for j in range(n):
            want = demand_W[b, j] + deficit_J[b] / dt_s
            q = min(want, cap_W)
            Q_charge[b, j] = q
            deficit_J[b] += (demand_W[b, j] - q) * dt_s
            if deficit_J[b] < 0.0:
                deficit_J[b] = 0.0
