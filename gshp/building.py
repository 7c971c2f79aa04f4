"""Buildings: space heating and space cooling demand from the weather.

Each building is one thermal node (lumped-capacitance model, the "1R1C" simplification
of ISO 13790:2008 §C / ISO 52016-1 hourly method):

    C · dT_i/dt = H · (T_a − T_i) + Φ_int + Φ_sol + Φ_hc

with H the heat-transfer coefficient of transmission and ventilation (W/K), C the
effective heat capacity (J/K), Φ_int the internal gains, Φ_sol the solar gains through
the windows, and Φ_hc the heating (+) or cooling (−) of an ideal thermostat that holds T_i
between the heating setpoint and the cooling setpoint. Time integration: implicit Euler,
exact heat balance per step.

Parameters are per m² of heated floor area and are held in a float64 array indexed by
the ``BLD_*`` constants (see :func:`building_params`).
"""

from __future__ import annotations

import numba
import numpy as np

#: Heat-transfer coefficient per floor area, transmission + ventilation (W/(m²·K)).
BLD_H = 0
#: Effective heat capacity per floor area (J/(m²·K)).
BLD_C = 1
#: Mean internal gains per floor area (W/m²).
BLD_Q_INT = 2
#: Effective solar aperture per floor area, window area × g-value × shading (m²/m²).
BLD_A_SOL = 3
#: Heating setpoint (°C).
BLD_T_HEAT = 4
#: Cooling setpoint (°C).
BLD_T_COOL = 5
#: Outdoor temperature above which space heating is off (heating limit, °C).
BLD_T_HEAT_LIMIT = 6
#: Outdoor temperature (24 h mean) below which space cooling is off (°C).
BLD_T_COOL_LIMIT = 7
BLD_SIZE = 8


def building_params(
    H_W_m2K=0.9,
    C_J_m2K=180e3,
    q_int_W_m2=4.0,
    a_sol=0.05,
    T_heat_C=20.0,
    T_cool_C=24.0,
    T_heat_limit_C=16.0,
    T_cool_limit_C=12.0,
):
    """Parameter array of the building node (per m² of heated floor).

    Defaults: a multi-family house of the 2010s (ISO 13790 "medium" class capacity
    165 kJ/(m²·K) ≈ 180 kJ/(m²·K); residential internal gains 4 W/m², EN 16798-1 /
    SIA 2024; heating setpoint 20 °C, cooling setpoint 24 °C). The calibrated values of
    the reference districts are in ``gshp/data/district_calibration.json``.
    """
    p = np.zeros(BLD_SIZE)
    p[BLD_H] = H_W_m2K
    p[BLD_C] = C_J_m2K
    p[BLD_Q_INT] = q_int_W_m2
    p[BLD_A_SOL] = a_sol
    p[BLD_T_HEAT] = T_heat_C
    p[BLD_T_COOL] = T_cool_C
    p[BLD_T_HEAT_LIMIT] = T_heat_limit_C
    p[BLD_T_COOL_LIMIT] = T_cool_limit_C
    return p


#: Relative residential internal-gain profile by hour of day (mean 1), after the
#: residential occupancy/appliance schedule of SIA 2024:2015 (apartment).
INTERNAL_GAIN_PROFILE = np.array(
    [
        0.6,
        0.55,
        0.5,
        0.5,
        0.5,
        0.6,
        0.9,
        1.3,
        1.2,
        0.9,
        0.8,
        0.85,
        1.0,
        0.9,
        0.8,
        0.8,
        0.9,
        1.2,
        1.6,
        1.8,
        1.7,
        1.5,
        1.1,
        0.8,
    ]  # fmt: skip
)
INTERNAL_GAIN_PROFILE = INTERNAL_GAIN_PROFILE / INTERNAL_GAIN_PROFILE.mean()


@numba.njit(cache=True)
def node_step(T_i, T_a, gains_W, H_W_K, C_J_K, dt_s, T_heat, T_cool, heat_ok, cool_ok):
    """One implicit-Euler step of a building node with an ideal thermostat.

    Parameters
    ----------
    T_i : float
        Indoor temperature at the start of the step (°C).
    T_a : float
        Outdoor air temperature (°C).
    gains_W : float
        Internal + solar gains (W).
    H_W_K, C_J_K : float
        Heat-transfer coefficient (W/K) and heat capacity (J/K).
    dt_s : float
        Time step (s).
    T_heat, T_cool : float
        Thermostat setpoints (°C), T_heat < T_cool.
    heat_ok, cool_ok : bool
        Whether heating / cooling is available (season limits).

    Returns
    -------
    (T_i_new (°C), Q_heat (W ≥ 0), Q_cool (W ≥ 0))

    Heat balance: C (T_new − T_i)/dt = H (T_a − T_new) + gains + Q_heat − Q_cool exactly.
    """
    k = C_J_K / dt_s
    rhs = k * T_i + H_W_K * T_a + gains_W
    T_free = rhs / (k + H_W_K)
    if heat_ok and T_free < T_heat:
        return T_heat, (k + H_W_K) * T_heat - rhs, 0.0
    if cool_ok and T_free > T_cool:
        return T_cool, 0.0, rhs - (k + H_W_K) * T_cool
    return T_free, 0.0, 0.0


@numba.njit(cache=True)
def simulate_nodes(
    T_air, irr_sol, hour_of_day, T_air_24h, area_m2, setpoint_offset, params, dt_s, Q_heat, Q_cool
):
    """Space heating and cooling of several building nodes over a time series.

    Parameters
    ----------
    T_air : float64[n]
        Outdoor air temperature (°C).
    irr_sol : float64[n]
        Irradiance on the windows (W/m², orientation-weighted mean of the facades).
    hour_of_day : int64[n]
        Hour of the day 0…23 of every step (for the internal-gain profile).
    T_air_24h : float64[n]
        Running 24-h mean outdoor temperature (°C), for the season limits.
    area_m2 : float64[nb]
        Heated floor area of each building (m²).
    setpoint_offset : float64[nb]
        Offset added to both setpoints per building (K, occupant diversity).
    params : float64[BLD_SIZE]
    dt_s : float
    Q_heat, Q_cool : float64[n]
        Outputs, summed over the buildings (W), filled in place.

    Returns
    -------
    float64[nb]
        Final indoor temperatures (°C).

    Initial state: the heating setpoint; callers simulate the year twice to start from
    a periodic state.
    """
    n = T_air.shape[0]
    nb = area_m2.shape[0]
    T_i = np.empty(nb)
    for b in range(nb):
        T_i[b] = params[BLD_T_HEAT] + setpoint_offset[b]
    for _rep in range(2):
        for j in range(n):
            Q_heat[j] = 0.0
            Q_cool[j] = 0.0
            heat_ok = T_air_24h[j] < params[BLD_T_HEAT_LIMIT]
            cool_ok = T_air_24h[j] > params[BLD_T_COOL_LIMIT]
            g_int = params[BLD_Q_INT] * INTERNAL_GAIN_PROFILE[hour_of_day[j]]
            for b in range(nb):
                A = area_m2[b]
                gains = A * (g_int + params[BLD_A_SOL] * irr_sol[j])
                T_new, qh, qc = node_step(
                    T_i[b],
                    T_air[j],
                    gains,
                    params[BLD_H] * A,
                    params[BLD_C] * A,
                    dt_s,
                    params[BLD_T_HEAT] + setpoint_offset[b],
                    params[BLD_T_COOL] + setpoint_offset[b],
                    heat_ok,
                    cool_ok,
                )
                T_i[b] = T_new
                Q_heat[j] += qh
                Q_cool[j] += qc
    return T_i


def space_loads(T_air, irr_sol, area_m2, params, dt_s=900.0, setpoint_spread_K=1.0):
    """Space heating and cooling demand (W) of a district of identical-type buildings.

    Parameters
    ----------
    T_air, irr_sol : float64[n]
        Outdoor temperature (°C) and window irradiance (W/m²) on a uniform time axis
        starting 1 Jan 00:00 (n × dt_s = one year).
    area_m2 : float64[nb]
        Heated floor area per building (m²).
    params : float64[BLD_SIZE]
    setpoint_spread_K : float
        Setpoints are spread evenly over ±spread/2 across the buildings (diversity).

    Returns
    -------
    (Q_heat, Q_cool) : float64[n] each, W ≥ 0.
    """
    T_air = np.ascontiguousarray(T_air, dtype=np.float64)
    irr_sol = np.ascontiguousarray(irr_sol, dtype=np.float64)
    area = np.ascontiguousarray(np.atleast_1d(area_m2), dtype=np.float64)
    n = T_air.size
    steps_day = int(round(86400.0 / dt_s))
    hod = ((np.arange(n) * dt_s) // 3600 % 24).astype(np.int64)
    # periodic running 24-h mean
    ext = np.concatenate([T_air[-steps_day:], T_air])
    c = np.cumsum(ext)
    T24 = (c[steps_day:] - c[:n]) / steps_day
    T24 = np.ascontiguousarray(T24)
    nb = area.size
    offs = np.linspace(-setpoint_spread_K / 2, setpoint_spread_K / 2, nb) if nb > 1 else np.zeros(1)
    Q_heat = np.empty(n)
    Q_cool = np.empty(n)
    simulate_nodes(T_air, irr_sol, hod, T24, area, offs, params, float(dt_s), Q_heat, Q_cool)
    return Q_heat, Q_cool
