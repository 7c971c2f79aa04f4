"""PVT collectors: heat to the buildings' PVT/DHW preheat tanks, heat to the network, and
electricity (docs/reference-study.md §7, R6).

Thermal efficiency (reference study, a linear collector characteristic as in EN ISO
9806 with the quadratic term dropped):

    η_th = η0 − a1 · (T_m − T_a) / I,      η0 = 0.7, a1 = 12 W/(m²·K)

Electrical output (Evans 1981 / Skoplaki & Palyvos 2009 linear temperature coefficient):

    P = I · A · η_ref · (1 − β · (T_PV − 25 °C)),   β = 0.0045 1/K

Control (R6): the collector loop charges the 450 L PVT tank, which preheats the DHW;
when the tank is satisfied (at its upper temperature) or cannot take heat, and the
uncooled PV surface exceeds 35 °C, the panels are cooled through the network (1.5 K dead
band). PV surface temperature: when uncooled, the stagnation temperature of the
thermal characteristic, T_a + (η0 − η_el)·I/a1; when cooled, T_m + k_cell·I.

Parameters: float64 array indexed by the ``PVT_*`` constants (:func:`pvt_params`).
State per building: float64 arrays ``T_tank`` (°C) and ``cooling`` (0/1 flag).
"""

from __future__ import annotations

import numba
import numpy as np

from gshp.physics.dhw import CP_WATER, RHO_WATER

PVT_ETA0 = 0  #: optical (zero-loss) thermal efficiency (–)
PVT_A1 = 1  #: heat-loss coefficient (W/(m²·K))
PVT_ETA_REF = 2  #: electrical efficiency at 25 °C, incl. inverter and wiring (–)
PVT_BETA = 3  #: electrical temperature coefficient (1/K)
PVT_T_ON = 4  #: PV surface temperature that starts network cooling (°C)
PVT_DEADBAND = 5  #: dead band of network cooling (K)
PVT_TANK_M = 6  #: PVT tank water mass per building (kg)
PVT_TANK_TMAX = 7  #: tank temperature at which the tank is satisfied (°C)
PVT_TANK_UA = 8  #: tank heat-loss coefficient (W/K)
PVT_T_ROOM = 9  #: plant-room temperature around the tank (°C)
PVT_DT_FLUID = 10  #: collector mean fluid temperature above its inlet (K)
PVT_K_CELL = 11  #: cell temperature above mean fluid temperature per irradiance (K·m²/W)
PVT_I_MIN = 12  #: irradiance below which the collector pump stays off (W/m²)
PVT_SIZE = 13


def pvt_params(
    eta0=0.7,
    a1=12.0,
    eta_ref=0.19,
    beta=0.0045,
    T_on_C=35.0,
    deadband_K=1.5,
    tank_litres=450.0,
    tank_Tmax_C=45.0,
    tank_UA_W_K=2.0,
    T_room_C=20.0,
    dT_fluid_K=2.5,
    k_cell=0.004,
    I_min=50.0,
):
    """Parameter array of the PVT model (reference study R6 values as defaults).

    η0, a1, β, 35 °C and 1.5 K are the reference study's; ``eta_ref`` is calibrated to
    R6's electricity (see ``gshp/data/district_calibration.json``); tank 450 L per
    building (R3), satisfied at the DHW heat pump's stop temperature 45 °C; tank loss
    2 W/K (a 450 L tank of energy class B, EU 812/2013, ≈ 50 W at ΔT = 25 K).
    """
    p = np.zeros(PVT_SIZE)
    p[PVT_ETA0] = eta0
    p[PVT_A1] = a1
    p[PVT_ETA_REF] = eta_ref
    p[PVT_BETA] = beta
    p[PVT_T_ON] = T_on_C
    p[PVT_DEADBAND] = deadband_K
    p[PVT_TANK_M] = tank_litres * 1e-3 * RHO_WATER
    p[PVT_TANK_TMAX] = tank_Tmax_C
    p[PVT_TANK_UA] = tank_UA_W_K
    p[PVT_T_ROOM] = T_room_C
    p[PVT_DT_FLUID] = dT_fluid_K
    p[PVT_K_CELL] = k_cell
    p[PVT_I_MIN] = I_min
    return p


@numba.njit(cache=True)
def thermal_efficiency(T_m, T_a, I, eta0, a1):
    """η_th = η0 − a1·(T_m − T_a)/I (–); 0 for I ≤ 0. Reference study, R6."""
    if I <= 0.0:
        return 0.0
    return eta0 - a1 * (T_m - T_a) / I


@numba.njit(cache=True)
def electrical_power(I, area, T_pv, eta_ref, beta):
    """P = I·A·η_ref·(1 − β(T_PV − 25)) (W), ≥ 0. Reference study, R6; Skoplaki & Palyvos (2009)."""
    f = 1.0 - beta * (T_pv - 25.0)
    if f < 0.0 or I <= 0.0:
        return 0.0
    return I * area * eta_ref * f


@numba.njit(cache=True)
def pvt_step(
    b,
    I,
    T_a,
    m_draw,
    T_mains,
    T_set,
    T_net,
    area,
    dt,
    params,
    T_tank,
    cooling,
):
    """Advance building ``b``'s PVT collector and tank by one step.

    Parameters
    ----------
    b : int
        Building index into the state arrays.
    I : float
        Irradiance on the collector plane (W/m²).
    T_a : float
        Air temperature (°C).
    m_draw : float
        DHW draw of the building (kg/s), which flows through the PVT tank.
    T_mains, T_set : float
        Mains water and DHW setpoint temperatures (°C).
    T_net : float
        Network fluid temperature available to cool the panels (°C).
    area : float
        Collector area of the building (m²).
    dt : float
        Step (s).
    params : float64[PVT_SIZE]
    T_tank, cooling : float64[nb]
        State, updated in place.

    Returns
    -------
    (Q_to_tank W, Q_to_dhw W, Q_to_network W, P_el W, Q_tank_loss W)
    """
    eta0 = params[PVT_ETA0]
    a1 = params[PVT_A1]
    M = params[PVT_TANK_M]
    Mc = M * CP_WATER
    T_max = params[PVT_TANK_TMAX]
    dTf = params[PVT_DT_FLUID]
    q_tank = 0.0
    q_net = 0.0
    T_pv = T_a
    on = False
    if I > params[PVT_I_MIN]:
        Tm = T_tank[b] + dTf
        q = area * I * thermal_efficiency(Tm, T_a, I, eta0, a1)
        if q > 0.0 and T_tank[b] < T_max - 1e-9:
            e = min(q * dt, (T_max - T_tank[b]) * Mc)
            T_tank[b] += e / Mc
            q_tank = e / dt
            T_pv = Tm + params[PVT_K_CELL] * I
            on = True
    if not on:
        eta_el = params[PVT_ETA_REF]
        T_stag = T_a + (eta0 - eta_el) * max(I, 0.0) / a1
        if cooling[b] == 0.0 and T_stag > params[PVT_T_ON]:
            cooling[b] = 1.0
        elif cooling[b] == 1.0 and T_stag < params[PVT_T_ON] - params[PVT_DEADBAND]:
            cooling[b] = 0.0
        if cooling[b] == 1.0:
            Tm = T_net + dTf
            q = area * I * thermal_efficiency(Tm, T_a, I, eta0, a1)
            if q > 0.0:
                q_net = q
                T_pv = Tm + params[PVT_K_CELL] * I
            else:
                T_pv = T_stag
        else:
            T_pv = T_stag
    p_el = electrical_power(I, area, T_pv, params[PVT_ETA_REF], params[PVT_BETA])
    # DHW preheating: the draw passes through the tank (tempered to T_set at most)
    q_dhw = 0.0
    if m_draw > 0.0 and T_tank[b] > T_mains:
        T_use = min(T_tank[b], T_set)
        e = m_draw * dt * CP_WATER * (T_use - T_mains)
        e = min(e, (T_tank[b] - T_mains) * Mc)
        T_tank[b] -= e / Mc
        q_dhw = e / dt
    q_loss = params[PVT_TANK_UA] * (T_tank[b] - params[PVT_T_ROOM])
    T_tank[b] -= q_loss * dt / Mc
    return q_tank, q_dhw, q_net, p_el, q_loss


@numba.njit(cache=True)
def simulate_pvt(
    irr, T_air, m_draw, T_mains, T_set, T_net, area, dt, params, Q_dhw, Q_net, P_el, balance
):
    """Run the PVT model of all buildings over a time series (twice, periodic start).

    Parameters
    ----------
    irr : float64[nb, n]
        Irradiance on each building's collectors (W/m²).
    T_air : float64[n]
        Air temperature (°C).
    m_draw : float64[nb, n]
        DHW draw per building (kg/s).
    T_mains : float64[n]
        Mains temperature (°C).
    T_set : float
        DHW setpoint (°C).
    T_net : float64[n]
        Network fluid temperature for panel cooling (°C).
    area : float64[nb]
        Collector area per building (m²).
    dt : float
    params : float64[PVT_SIZE]
    Q_dhw, Q_net, P_el : float64[n]
        Outputs summed over buildings (W): PVT heat delivered to DHW, heat rejected to
        the network, electricity.
    balance : float64[4]
        Output, second pass, J: heat into tanks, heat to DHW, tank losses, change of
        tank energy (in − out − loss − change = 0 to round-off).
    """
    nb = area.shape[0]
    n = T_air.shape[0]
    T_tank = np.empty(nb)
    cooling = np.zeros(nb)
    for b in range(nb):
        T_tank[b] = params[PVT_T_ROOM]
    for rep in range(2):
        e_in = 0.0
        e_dhw = 0.0
        e_loss = 0.0
        e0 = 0.0
        for b in range(nb):
            e0 += T_tank[b]
        for j in range(n):
            Q_dhw[j] = 0.0
            Q_net[j] = 0.0
            P_el[j] = 0.0
            for b in range(nb):
                qt, qd, qn, pe, ql = pvt_step(
                    b,
                    irr[b, j],
                    T_air[j],
                    m_draw[b, j],
                    T_mains[j],
                    T_set,
                    T_net[j],
                    area[b],
                    dt,
                    params,
                    T_tank,
                    cooling,
                )
                Q_dhw[j] += qd
                Q_net[j] += qn
                P_el[j] += pe
                e_in += qt * dt
                e_dhw += qd * dt
                e_loss += ql * dt
        if rep == 1:
            e1 = 0.0
            for b in range(nb):
                e1 += T_tank[b]
            balance[0] = e_in
            balance[1] = e_dhw
            balance[2] = e_loss
            balance[3] = (e1 - e0) * params[PVT_TANK_M] * CP_WATER


def coverage_ratios(P_produced_W, P_demand_W):
    """District self-consumption indicators from simultaneous power series.

    Self-consumed power = min(P_produced, P_demand) at each step (Luthander et al. 2015,
    *Applied Energy* 142: 80–94).

    Returns
    -------
    (coverage, self_use) : floats
        coverage (self-sufficiency) = self-consumed / demand energy;
        self_use (self-consumption ratio) = self-consumed / produced energy.
    """
    p = np.asarray(P_produced_W, dtype=np.float64)
    d = np.asarray(P_demand_W, dtype=np.float64)
    s = np.minimum(p, d).sum()
    cov = s / d.sum() if d.sum() > 0 else 0.0
    use = s / p.sum() if p.sum() > 0 else 0.0
    return float(cov), float(use)
