"""Buildings: space heating and space cooling demand from the weather.

Each building is two thermal nodes, the indoor air (with furniture) and the building
mass, coupled by the mass–air conductance H_ms (the "2R2C" reduction of the ISO
13790:2008 §C 5R1C hourly model, with the transmission/ventilation losses on the air
node):

    C_air · dT_i/dt = H · (T_a − T_i) + H_ms · (T_m − T_i) + Φ_int + Φ_hc
    C_m   · dT_m/dt = H_ms · (T_i − T_m) + Φ_sol

with H the heat-transfer coefficient of transmission and ventilation (W/K), C_m the
effective heat capacity of the mass (J/K), Φ_int the internal gains (to the air), Φ_sol
the solar gains through the windows (absorbed by the floor and walls, i.e. the mass),
and Φ_hc the heating (+) or cooling (−) of a thermostat on the air temperature that
holds T_i between the heating and cooling setpoints within the booster capacity.
Time integration: implicit Euler, exact heat balance per step. Because the mass only
exchanges heat with the air through H_ms, a thermostat that switches on with a warm (or
cold) building pulls the air down at once but the mass only slowly: no step removes the
whole stored heat C_m·ΔT, which a single-node model with an ideal thermostat does.

Parameters are per m² of heated floor area and are held in a float64 array indexed by
the ``BLD_*`` constants (see :func:`building_params`).
"""

from __future__ import annotations

import numba
import numpy as np

#: Heat-transfer coefficient per floor area, transmission + ventilation (W/(m²·K)).
BLD_H = 0
#: Effective heat capacity of the building mass per floor area (J/(m²·K)).
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
#: Heat-transfer coefficient of window airing per floor area (W/(m²·K)), used outside
#: the cooling season when the node is above the cooling setpoint.
BLD_H_AIR = 8
#: Heat capacity of the indoor air and furniture per floor area (J/(m²·K)).
BLD_C_AIR = 9
#: Mass–air heat-transfer coefficient per floor area (W/(m²·K)).
BLD_H_MS = 10
BLD_SIZE = 11


def building_params(
    H_W_m2K=0.9,
    C_J_m2K=180e3,
    q_int_W_m2=4.0,
    a_sol=0.05,
    T_heat_C=20.0,
    T_cool_C=24.0,
    T_heat_limit_C=16.0,
    T_cool_limit_C=12.0,
    H_air_W_m2K=1.7,
    C_air_J_m2K=10e3,
    H_ms_W_m2K=22.75,
):
    """Parameter array of the building node (per m² of heated floor).

    Defaults: a multi-family house of the 2010s (ISO 13790 "medium" class capacity
    165 kJ/(m²·K) ≈ 180 kJ/(m²·K); residential internal gains 4 W/m², EN 16798-1 /
    SIA 2024; heating setpoint 20 °C, cooling setpoint 24 °C). The calibrated values of
    the reference districts are in ``gshp/data/district_calibration.json``.
    Window airing ``H_air_W_m2K``: 2 air changes per hour in 2.5 m storeys, 0.34 Wh/(m³K)
    × 2 h⁻¹ × 2.5 m = 1.7 W/(m²K) (tilted windows, EN 16798-7:2017 single-sided
    ventilation order of magnitude). Mass–air coupling: ISO 13790 §12.2.2,
    h_ms = 9.1 W/(m²K) × A_m, A_m = 2.5 × floor area ("medium") → 22.75 W/(m²K). Air
    node: air (1.2 kg/m³ × 1005 J/(kg·K) × 2.5 m = 3 kJ/(m²K)) plus furniture → 10 kJ/(m²K).
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
    p[BLD_H_AIR] = H_air_W_m2K
    p[BLD_C_AIR] = C_air_J_m2K
    p[BLD_H_MS] = H_ms_W_m2K
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
def node_step(
    T_i,
    T_m,
    T_a,
    g_air_W,
    g_mass_W,
    H_W_K,
    H_ms_W_K,
    C_air_J_K,
    C_m_J_K,
    dt_s,
    T_heat,
    T_cool,
    heat_ok,
    cool_ok,
    cap_heat_W,
    cap_cool_W,
    H_air_W_K,
):
    """One implicit-Euler step of a building (air + mass nodes) with its thermostat.

    Parameters
    ----------
    T_i, T_m : float
        Indoor air and mass temperatures at the start of the step (°C).
    T_a : float
        Outdoor air temperature (°C).
    g_air_W, g_mass_W : float
        Gains to the air (internal) and to the mass (solar) (W).
    H_W_K, H_ms_W_K : float
        Heat-transfer coefficients air–outdoors and mass–air (W/K).
    C_air_J_K, C_m_J_K : float
        Heat capacities of the air node and the mass (J/K).
    dt_s : float
        Time step (s).
    T_heat, T_cool : float
        Thermostat setpoints on the air temperature (°C), T_heat < T_cool.
    heat_ok, cool_ok : bool
        Whether heating / cooling is available (season limits).
    cap_heat_W, cap_cool_W : float
        Heating / cooling power available to the building in this step (W ≥ 0): the
        booster heat pump's capacity (less its DHW charging, which has priority, for
        heating).
    H_air_W_K : float
        Heat-transfer coefficient of window airing (W/K): when cooling is not available
        and the air would end above the cooling setpoint with cooler air outside, the
        occupants open the windows, as far as needed to hold the setpoint (at most
        H_air).

    Returns
    -------
    (T_i_new, T_m_new (°C), Q_heat, Q_cool, unmet_heat, unmet_cool, Q_airing (W ≥ 0))

    Eliminating T_m_new = (k_m T_m + H_ms T_i_new + g_mass)/(k_m + H_ms), k = C/dt, the
    air temperature is linear in the heating power: T_i_new = (R + Q)/K. The thermostat
    asks for the power that brings the air to its setpoint at the end of the step (ideal
    control, ISO 52016-1 §6.5.5.2); the delivered power is that demand limited to the
    capacity. When capped, the air ends the step on the wrong side of the setpoint (the
    building floats); ``unmet`` = H·|T_set − T_i_new|, the heat the building would have
    exchanged with the outdoors had it been held at the setpoint: over a capped period,
    the demand of the building held at setpoint = Σ Q + Σ unmet + the stored-heat drift
    of the two nodes. Heat balance of the step, exactly:
    C_air ΔT_i/dt + C_m ΔT_m/dt = H (T_a − T_i_new) + g_air + g_mass + Q_heat − Q_cool
    − Q_airing.
    """
    k_a = C_air_J_K / dt_s
    k_m = C_m_J_K / dt_s
    f = H_ms_W_K / (k_m + H_ms_W_K)
    K = k_a + H_W_K + H_ms_W_K * (1.0 - f)
    R = k_a * T_i + H_W_K * T_a + g_air_W + f * (k_m * T_m + g_mass_W)
    T_free = R / K
    T_new = T_free
    qh = 0.0
    qc = 0.0
    uh = 0.0
    uc = 0.0
    qa = 0.0
    if heat_ok and T_free < T_heat:
        qh = min(K * T_heat - R, max(cap_heat_W, 0.0))
        T_new = (R + qh) / K
        uh = max(H_W_K * (T_heat - T_new), 0.0)
    elif T_free > T_cool:
        if cool_ok:
            qc = min(R - K * T_cool, max(cap_cool_W, 0.0))
            T_new = (R - qc) / K
            uc = max(H_W_K * (T_new - T_cool), 0.0)
        elif T_a < T_cool and H_air_W_K > 0.0:
            T_new = max((R + H_air_W_K * T_a) / (K + H_air_W_K), T_cool)
            qa = R - K * T_new
    T_m_new = (k_m * T_m + H_ms_W_K * T_new + g_mass_W) / (k_m + H_ms_W_K)
    return T_new, T_m_new, qh, qc, uh, uc, qa


@numba.njit(cache=True)
def simulate_nodes(
    T_air,
    irr_sol,
    hour_of_day,
    T_air_24h,
    area_m2,
    setpoint_offset,
    params,
    dt_s,
    cap_heat,
    cap_cool_W,
    Q_heat,
    Q_cool,
    unmet_heat,
    unmet_cool,
    T_in_mean,
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
    cap_heat : float64[nb, n]
        Space-heating power available to each building in each step (W): booster
        capacity less the DHW charging power.
    cap_cool_W : float
        Space-cooling capacity of each building's booster (W).
    Q_heat, Q_cool, unmet_heat, unmet_cool : float64[n]
        Outputs, summed over the buildings (W), filled in place: delivered heating and
        cooling, and the demand not met because of the capacity limit (see
        :func:`node_step`).
    T_in_mean : float64[n]
        Output: floor-area-weighted mean indoor temperature at the end of each step (°C).

    Returns
    -------
    float64[nb]
        Final indoor air temperatures (°C).

    Initial state: the heating setpoint; the year is simulated twice so that the
    returned year starts from a periodic state.
    """
    n = T_air.shape[0]
    nb = area_m2.shape[0]
    T_i = np.empty(nb)
    T_m = np.empty(nb)
    a_tot = 0.0
    for b in range(nb):
        T_i[b] = params[BLD_T_HEAT] + setpoint_offset[b]
        T_m[b] = T_i[b]
        a_tot += area_m2[b]
    for _rep in range(2):
        for j in range(n):
            Q_heat[j] = 0.0
            Q_cool[j] = 0.0
            unmet_heat[j] = 0.0
            unmet_cool[j] = 0.0
            T_in_mean[j] = 0.0
            heat_ok = T_air_24h[j] < params[BLD_T_HEAT_LIMIT]
            cool_ok = T_air_24h[j] > params[BLD_T_COOL_LIMIT]
            g_int = params[BLD_Q_INT] * INTERNAL_GAIN_PROFILE[hour_of_day[j]]
            for b in range(nb):
                A = area_m2[b]
                T_new, T_m_new, qh, qc, uh, uc, _qa = node_step(
                    T_i[b],
                    T_m[b],
                    T_air[j],
                    A * g_int,
                    A * params[BLD_A_SOL] * irr_sol[j],
                    params[BLD_H] * A,
                    params[BLD_H_MS] * A,
                    params[BLD_C_AIR] * A,
                    params[BLD_C] * A,
                    dt_s,
                    params[BLD_T_HEAT] + setpoint_offset[b],
                    params[BLD_T_COOL] + setpoint_offset[b],
                    heat_ok,
                    cool_ok,
                    cap_heat[b, j],
                    cap_cool_W,
                    params[BLD_H_AIR] * A,
                )
                T_i[b] = T_new
                T_m[b] = T_m_new
                Q_heat[j] += qh
                Q_cool[j] += qc
                unmet_heat[j] += uh
                unmet_cool[j] += uc
                T_in_mean[j] += T_new * A / a_tot
    return T_i


def running_mean_24h(T_air, dt_s=900.0):
    """Periodic running 24-h mean of a one-year series (°C), for the season limits."""
    T_air = np.asarray(T_air, dtype=np.float64)
    n = T_air.size
    steps_day = int(round(86400.0 / dt_s))
    ext = np.concatenate([T_air[-steps_day:], T_air])
    c = np.cumsum(ext)
    return np.ascontiguousarray((c[steps_day:] - c[:n]) / steps_day)


def space_loads(
    T_air,
    irr_sol,
    area_m2,
    params,
    dt_s=900.0,
    setpoint_spread_K=1.0,
    cap_heat_W=np.inf,
    cap_cool_W=np.inf,
    full=False,
):
    """Space heating and cooling (W) of a district of identical-type buildings.

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
    cap_heat_W : float or float64[nb, n]
        Heating power available per building (W; booster capacity less DHW charging).
    cap_cool_W : float
        Cooling capacity per building (W).
    full : bool
        Also return the unmet heating and cooling (W) and the mean indoor temperature.

    Returns
    -------
    (Q_heat, Q_cool) : float64[n] each, W ≥ 0, delivered; with ``full``, also
    ``unmet_heat``, ``unmet_cool`` (W ≥ 0) and ``T_indoor`` (°C).
    """
    T_air = np.ascontiguousarray(T_air, dtype=np.float64)
    irr_sol = np.ascontiguousarray(irr_sol, dtype=np.float64)
    area = np.ascontiguousarray(np.atleast_1d(area_m2), dtype=np.float64)
    n = T_air.size
    hod = ((np.arange(n) * dt_s) // 3600 % 24).astype(np.int64)
    T24 = running_mean_24h(T_air, dt_s)
    nb = area.size
    offs = np.linspace(-setpoint_spread_K / 2, setpoint_spread_K / 2, nb) if nb > 1 else np.zeros(1)
    cap_h = np.ascontiguousarray(np.broadcast_to(np.asarray(cap_heat_W, np.float64), (nb, n)))
    out = [np.empty(n) for _ in range(5)]
    simulate_nodes(
        T_air, irr_sol, hod, T24, area, offs, params, float(dt_s), cap_h, float(cap_cool_W), *out
    )
    return tuple(out) if full else (out[0], out[1])
