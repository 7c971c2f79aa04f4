"""The station kernel: one compiled loop over every time step of a run.

Each step couples, in this order (DESIGN §1–§3):

1. **District → network.** The slot's building demands (space heating, DHW, space
   cooling) and PVT heat become the net network load through the boosters' COP/EER at the
   network supply temperature seen at the start of the slot (updated every 15 min):
   heating/DHW draw ``Q·(1 − 1/COP)``, cooling rejects ``Q·(1 + 1/EER)``. Variable flow:
   ``m = max(|Q|/(c_p·ΔT_design), m_min)``.
2. **Controls.** Season from the precomputed season array; the GSHP (heating season) and
   the bypass (cooling season) switch on a tank sensor with hysteresis and minimum run
   and rest times; a season change stops the unit of the other season at once.
3. **Heat pump ↔ borefield**, solved consistently within the step: the borefield's
   response over the step is affine in its inlet temperature, ``T_out = a + b·T_in``, and
   the evaporator load is piecewise linear in the source temperature (bilinear table), so
   the coupled source temperature is found in closed form cell by cell (at most a few
   cells are visited). Cooling bypass: the borefield fluid runs through the tank coil,
   ``Q = ε·m·c_p·(T_out − T_coil)``, again closed form.
4. **Tank and tempering valve.** The valve fraction is set from the tank outlet at the
   start of the step; the tank (exact exponential integration per layer, buoyancy
   mixing, coil heat, losses)
   advances; supply = mix of tank outlet and network return; shortfall against the
   setpoint is recorded as unmet heat.
5. **Network water.** ``network.model = "pipes"`` (default): the buried pipe network
   (:mod:`gshp.network`) is advanced once per 15-min load slot, at the slot's start:
   each substation draws its share of the demands through its booster at the supply
   temperature of its node, flows add up along the tree, the supply and return pipes
   carry the water with delay and exchange with the soil, and the station takes the
   slot's return in each of its steps; what the station actually supplied over the slot
   beyond the slot's inlet is owed to the network and added to the next slot's inlet
   (energy-exact). ``"lumped"``: one mixed node of heat capacity ``C_net`` receives the
   station's heat and gives the substations' load, which sets the return temperature
   of the next step, exactly conserving energy.

All per-step work is allocation-free; outputs are accumulated into the chosen output
resolution, yearly and monthly indicators, and energy-balance sums inside the loop.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from gshp.borefield.kernel import (
    borefield_advance,
    borefield_outlet_coeffs,
    borefield_wall_heat,
)
from gshp.controls import adaptive_choice, hysteresis
from gshp.heatpump import _cell as hp_cell
from gshp.heatpump import booster_cops, hp_lookup
from gshp.network.kernel import (
    network_flows,
    network_step,
    substation_loads,
    substation_shortfall,
)
from gshp.tank import coil_fluid_coeffs, coil_temperature, tank_step, tempering_valve

# ---- output time series (means over each output interval) --------------------------
OUT_NAMES = (
    "T_supply",
    "T_return",
    "T_setpoint",
    "T_tank_top",
    "T_tank_bottom",
    "T_bhe_in",
    "T_bhe_out",
    "T_borehole_wall",
    "Q_network",
    "Q_condenser",
    "Q_evaporator",
    "P_gshp",
    "Q_ground",
    "Q_bypass",
    "P_boosters",
    "P_pumps",
    "gshp_on_fraction",
    "mode",
    "unmet_heat",
    "bypass_on_fraction",
    "Q_tank_loss",
    "unmet_cooling",
    "Q_pipes",
)
(
    O_TS,
    O_TR,
    O_TSET,
    O_TTOP,
    O_TBOT,
    O_TBIN,
    O_TBOUT,
    O_TWALL,
    O_QNET,
    O_QC,
    O_QE,
    O_PHP,
    O_QG,
    O_QBY,
    O_PBOOST,
    O_PPUMP,
    O_HPON,
    O_MODE,
    O_UNMET,
    O_BYON,
    O_QLOSS,
    O_UNMETC,
    O_QPIPES,
) = range(23)
N_OUT = 23

# ---- yearly sums (J unless noted; temperatures °C; counts) -----------------------------
(
    Y_EHP,
    Y_QC,
    Y_QE,
    Y_EBOOST,
    Y_EPUMP,
    Y_QGX,
    Y_QGI,
    Y_TMIN,
    Y_TMAX,
    Y_TWALL,
    Y_UNMET,
    Y_QNDRAWN,
    Y_QNREJ,
    Y_QBY,
    Y_FREEZE,
    Y_CLAMP,
    Y_EBHEAT,
    Y_EBCOOL,
    Y_TINMIN,
    Y_STARTS,
    Y_STEPS,
    Y_EPBF,
    Y_EPNET,
    Y_EPCOND,
    Y_TSH,
    Y_NHEAT,
    Y_UNMETC,
    Y_EDGE,
    Y_QP_HEAT,
    Y_QP_COOL,
    Y_DEV_HEAT,
    Y_DEV_COOL,
) = range(32)
N_YEAR = 32

# ---- energy-balance sums over the whole run (J; B_TRET: final return temperature, °C) ---
(B_STATION, B_TCOIL, B_TLOSS, B_NTO, B_BFQ, B_HPRES, B_THRU, B_TRET, B_BFWALL, B_COUPLE) = range(10)
N_BAL = 10

# ---- status ---------------------------------------------------------------------------
STATUS_OK = 0
STATUS_NONFINITE = 1
NONFINITE_NAMES = ("T_bhe_out", "T_tank_top", "T_supply", "Q_network", "T_return")

# ---- scalar parameter vector ------------------------------------------------------------
(
    P_DT,
    P_N_STEPS,
    P_STEPS_PER_SLOT,
    P_STEPS_PER_YEAR,
    P_M_BF,
    P_CP_F,
    P_CP_W,
    P_DT_NET,
    P_M_MIN,
    P_C_NET,
    P_P_BF,
    P_P_COND,
    P_P_NET_DESIGN,
    P_M_NET_DESIGN,
    P_SENSOR_LAYER,
    P_HP_ON,
    P_HP_OFF,
    P_BY_ON,
    P_BY_OFF,
    P_MIN_ON,
    P_MIN_OFF,
    P_ADAPTIVE,
    P_AD_TMIN,
    P_AD_TMAX,
    P_AD_STEP,
    P_AD_SINK_OFFSET,
    P_T_FREEZE,
    P_T_ROOM,
    P_LOAD_DIRECT,
    P_T_INIT_RETURN,
    P_OUT_STEP,
    P_N_OUT_PER_YEAR,
    P_T_INIT_SUPPLY,
    P_OVERRIDE_MARGIN,
    P_G_COIL_HP,
    P_PIPES,
    P_M_MIN_B,
    P_COP_T0,
    P_COP_DT,
    P_UA_PIPES,
    P_UNMET_TOL,
) = range(41)
N_PARAMS = 41

# ---- kernel state carried between chunks -------------------------------------------------
(
    K_HP_ON,
    K_BY_ON,
    K_T_HP,
    K_T_BY,
    K_T_RETURN,
    K_T_SUPPLY,
    K_T_BHE_OUT,
    K_T_BHE_IN,
    K_T_SRC_GUESS,
    K_PREV_MODE,
    K_AD_T,
    K_DAY_SH,
    K_DAY_DHW,
    K_DAY_PVT,
    K_DAY_TSRC,
    K_DAY_NSRC,
    K_OVERRIDE,
    K_COP_SH,
    K_COP_DHW,
    K_EER,
    K_PEND,
    K_T_IN_NET,
    K_QP,
    K_QB,
    K_M_NET,
    K_PBH,
    K_PBC,
    K_SH_H,
    K_SH_C,
) = range(29)
N_KSTATE = 29


@njit(cache=True, inline="always")
def _evap_source_solve(a, b, m_cp, t_src, t_snk, q_evap, T_sink, T_guess):
    """Source temperature T with T = a + b·(T − Q_evap(T, T_sink)/(m·c_p)), exact for the
    bilinear table (piecewise linear in T). Returns (T, clamped, i, j): the source
    temperature, 1.0 if it lies outside the table's source range, and the table cell."""
    n = t_src.size
    m = t_snk.size
    # sink interpolation weights (clamped)
    if T_sink <= t_snk[0]:
        j = 0
        w = 0.0
    elif T_sink >= t_snk[m - 1]:
        j = m - 2
        w = 1.0
    else:
        j, _w, _o = hp_cell(t_snk, T_sink)
        w = (T_sink - t_snk[j]) / (t_snk[j + 1] - t_snk[j])
    T = T_guess
    i = 0
    for _ in range(n + 2):
        if T <= t_src[0]:
            i = 0
        elif T >= t_src[n - 1]:
            i = n - 2
        else:
            i, _w, _o = hp_cell(t_src, T)
        x0 = t_src[i]
        x1 = t_src[i + 1]
        q0 = (1.0 - w) * q_evap[i, j] + w * q_evap[i, j + 1]
        q1 = (1.0 - w) * q_evap[i + 1, j] + w * q_evap[i + 1, j + 1]
        s = (q1 - q0) / (x1 - x0)
        c = q0 - s * x0
        T_new = (a - b * c / m_cp) / (1.0 - b + b * s / m_cp)
        if T_new < t_src[0] and i == 0:
            # below the table: the lookup holds the edge value (flat)
            T_new = (a - b * q_evap_edge(q_evap, 0, j, w) / m_cp) / (1.0 - b)
            return T_new, 1.0, i, j
        if T_new > t_src[n - 1] and i == n - 2:
            T_new = (a - b * q_evap_edge(q_evap, n - 1, j, w) / m_cp) / (1.0 - b)
            return T_new, 1.0, i, j
        if x0 - 1e-9 <= T_new <= x1 + 1e-9:
            return T_new, 0.0, i, j
        T = T_new
    return T, 0.0, i, j


@njit(cache=True)
def q_evap_edge(q_evap, i, j, w):
    return (1.0 - w) * q_evap[i, j] + w * q_evap[i, j + 1]


@njit(cache=True)
def run_kernel(
    k_start,
    k_stop,
    ks,
    p,
    q_sh,
    q_dhw,
    q_sc,
    q_pvt,
    q_direct,
    season,
    sp_heat,
    sp_cool,
    month,
    out_slot,
    booster,
    hp_ts,
    hp_tk,
    hp_qc,
    hp_qe,
    hp_pw,
    hp_cell_env,
    tank_T,
    tank_p,
    bf_p,
    bf_ftab,
    bf_dg,
    bf_inv_w,
    bf_q,
    bf_nodes,
    bf_cap,
    bf_slot,
    bf_mats,
    bf_vecs,
    bf_work,
    out,
    counts,
    yearly,
    monthly,
    bal,
    status,
    n_par,
    n_fs,
    n_ring,
    n_buf,
    n_parent,
    n_bpipe,
    n_down,
    n_w,
    n_soil,
    cop_table,
    n_mpipe,
    n_mb,
    n_qb,
    n_tnode,
    n_work,
):
    """Run steps ``k_start`` … ``k_stop − 1`` of a case (see the module docstring).

    ``ks`` (N_KSTATE) carries the controller and network state between calls, so a run
    can be done in chunks (progress display, early stop) with results identical to one
    call.

    ``p`` is the scalar parameter vector (indices ``P_*``); the one-year arrays are at the
    load resolution (15 min); ``tank_T``/``tank_p`` and the eleven ``bf_*`` arrays are the
    tank's and the borefield's state and parameter arrays (updated in place); ``out``
    (n_out × N_OUT), ``counts`` (n_out), ``yearly`` (n_years × N_YEAR), ``monthly``
    (n_years·12 × 2: condenser heat, GSHP electricity), ``bal`` (N_BAL) are accumulators;
    ``status`` (3,) receives an error code, the step and the variable index.
    """
    dt = p[P_DT]
    n_steps = int(p[P_N_STEPS])
    steps_per_slot = int(p[P_STEPS_PER_SLOT])
    steps_per_year = int(p[P_STEPS_PER_YEAR])
    n_slots = q_sh.size
    m_bf = p[P_M_BF]
    cp_f = p[P_CP_F]
    cp_w = p[P_CP_W]
    m_cp_bf = m_bf * cp_f
    dT_net = p[P_DT_NET]
    m_min = p[P_M_MIN]
    C_net = p[P_C_NET]
    sensor = int(p[P_SENSOR_LAYER])
    n_layers = tank_T.size
    out_step = p[P_OUT_STEP] > 0.5
    n_out_year = int(p[P_N_OUT_PER_YEAR])
    adaptive = p[P_ADAPTIVE] > 0.5
    load_direct = p[P_LOAD_DIRECT] > 0.5
    T_freeze = p[P_T_FREEZE]
    T_room = p[P_T_ROOM]
    m_net_design = p[P_M_NET_DESIGN]

    hp_on = int(ks[K_HP_ON])
    by_on = int(ks[K_BY_ON])
    t_state_hp = ks[K_T_HP]
    t_state_by = ks[K_T_BY]
    T_return = ks[K_T_RETURN]
    T_supply_prev = ks[K_T_SUPPLY]
    T_bhe_out = ks[K_T_BHE_OUT]
    T_bhe_in = ks[K_T_BHE_IN]
    T_src_guess = ks[K_T_SRC_GUESS]
    prev_mode = int(ks[K_PREV_MODE])
    ad_T = ks[K_AD_T]
    day_sh = ks[K_DAY_SH]
    day_dhw = ks[K_DAY_DHW]
    day_pvt = ks[K_DAY_PVT]
    day_tsrc = ks[K_DAY_TSRC]
    day_nsrc = ks[K_DAY_NSRC]
    override = int(ks[K_OVERRIDE])
    cop_sh = ks[K_COP_SH]
    cop_dhw = ks[K_COP_DHW]
    eer = ks[K_EER]
    steps_per_day = int(round(86400.0 / dt))
    margin = p[P_OVERRIDE_MARGIN]
    pipes = p[P_PIPES] > 0.5
    pend = ks[K_PEND]
    T_in_net = ks[K_T_IN_NET]
    Qp_s = ks[K_QP]
    QB_s = ks[K_QB]
    m_net_s = ks[K_M_NET]
    P_bh_s = ks[K_PBH]
    P_bc_s = ks[K_PBC]
    sh_h_s = ks[K_SH_H]
    sh_c_s = ks[K_SH_C]
    slot_s = dt * steps_per_slot
    UA_pipes = p[P_UA_PIPES]

    for k in range(k_start, min(k_stop, n_steps)):
        year = k // steps_per_year
        k_in_year = k - year * steps_per_year
        slot = (k_in_year // steps_per_slot) % n_slots
        base_mode = season[slot]

        # ---- once a day: adaptive setpoint move, season rule decides again -------------
        if k % steps_per_day == 0:
            if adaptive and k > 0 and base_mode == 0 and day_sh + day_dhw > 0.0:
                T_src = day_tsrc / day_nsrc if day_nsrc > 0 else T_bhe_out
                T_soil_day = n_soil[slot, 0] if pipes else 0.0
                ad_T = _adaptive_move(
                    ad_T, p, day_sh, day_dhw, day_pvt, T_src, booster, hp_ts, hp_tk, hp_qc,
                    hp_qe, hp_pw, UA_pipes, T_soil_day,
                )  # fmt: skip
            day_sh = 0.0
            day_dhw = 0.0
            day_pvt = 0.0
            day_tsrc = 0.0
            day_nsrc = 0.0
            override = 0
        T_heat_set = ad_T if adaptive else sp_heat[slot]
        T_cool_set = sp_cool[slot]
        # protective override of the season rule (until midnight): heating with the
        # tank's cold side above the cooling setpoint (rejected heat has no sink) switches
        # to cooling; cooling with the warm side below the heating setpoint switches to
        # heating. The dead band between the setpoints keeps it from chattering.
        mode = base_mode if override == 0 else 2 - override
        if mode == 0 and tank_T[0] > T_cool_set + margin:
            override = 1
            mode = 1
        elif mode == 1 and tank_T[n_layers - 1] < T_heat_set - margin:
            override = 2
            mode = 0
        heating = mode == 0
        T_set = T_heat_set if heating else T_cool_set

        # ---- 1. district -> network load ----------------------------------------------
        if pipes:
            if k_in_year % steps_per_slot == 0:
                # once per load slot: substations at their nodes, then the network
                P_bh_s, P_bc_s = substation_loads(
                    q_sh[slot], q_dhw[slot], q_sc[slot], q_pvt[slot], q_direct[slot],
                    load_direct, n_tnode, cop_table, p[P_COP_T0], p[P_COP_DT], cp_w,
                    dT_net, p[P_M_MIN_B], n_qb, n_mb,
                )  # fmt: skip
                m_net_s = network_flows(n_mb, n_bpipe, n_parent, n_mpipe)
                # supply entering the network over the slot: the station's last supply,
                # corrected by the energy still owed from earlier slots (≤ 1 K a slot)
                corr = pend / (m_net_s * slot_s)
                if corr > 1.0:
                    corr = 1.0
                elif corr < -1.0:
                    corr = -1.0
                T_in_net = T_supply_prev + corr
                T_return, Qp_s = network_step(
                    n_par, n_fs, n_ring, n_buf, n_parent, n_bpipe, n_w, n_mpipe, n_mb, n_qb,
                    n_soil[slot], T_in_net, cp_w, n_tnode, n_work,
                )  # fmt: skip
                QB_s = 0.0
                for b in range(n_qb.size):
                    QB_s += n_qb[b]
                tol = p[P_UNMET_TOL]
                sh_h_s = substation_shortfall(n_qb, n_mb, n_tnode, T_heat_set, True, cp_w, tol)
                sh_c_s = substation_shortfall(n_qb, n_mb, n_tnode, T_cool_set, False, cp_w, tol)
            P_boost_heat = P_bh_s
            P_boost_cool = P_bc_s
            P_boost = P_boost_heat + P_boost_cool
            Q_net = QB_s - Qp_s
            Q_subst = QB_s
            m_net = m_net_s
            if not load_direct:
                day_sh += q_sh[slot] * dt
                day_dhw += q_dhw[slot] * dt
                day_pvt += q_pvt[slot] * dt
        else:
            if k_in_year % steps_per_slot == 0:
                # booster COPs at the supply temperature seen at the start of each 15-min
                # load slot (they change negligibly within a slot)
                cop_sh, cop_dhw, eer = booster_cops(T_supply_prev, booster)
            if load_direct:
                Q_net = q_direct[slot]
                P_boost = 0.0
                P_boost_heat = 0.0
                P_boost_cool = 0.0
            else:
                Qsh = q_sh[slot]
                Qdhw = q_dhw[slot]
                Qsc = q_sc[slot]
                P_boost_heat = Qsh / cop_sh + Qdhw / cop_dhw
                P_boost_cool = Qsc / eer
                P_boost = P_boost_heat + P_boost_cool
                Q_net = Qsh + Qdhw - P_boost_heat - Qsc - P_boost_cool - q_pvt[slot]
                day_sh += Qsh * dt
                day_dhw += Qdhw * dt
                day_pvt += q_pvt[slot] * dt
            Q_subst = Q_net
            m_net = abs(Q_net) / (cp_w * dT_net)
            if m_net < m_min:
                m_net = m_min
        if not np.isfinite(Q_net):
            status[0] = STATUS_NONFINITE
            status[1] = k
            status[2] = 3
            break

        # ---- 2. controls -----------------------------------------------------------------
        if mode != prev_mode:
            if hp_on == 1:
                hp_on = 0
                t_state_hp = 0.0
            if by_on == 1:
                by_on = 0
                t_state_by = 0.0
            prev_mode = mode
        T_sensor = tank_T[sensor]
        if heating:
            new = hysteresis(
                hp_on,
                T_sensor,
                T_set + p[P_HP_ON],
                T_set + p[P_HP_OFF],
                False,
                t_state_hp,
                p[P_MIN_ON],
                p[P_MIN_OFF],
            )
            if new != hp_on:
                if new == 1:
                    yearly[year, Y_STARTS] += 1.0
                hp_on = new
                t_state_hp = 0.0
        else:
            new = hysteresis(
                by_on,
                T_sensor,
                T_set - p[P_BY_ON],
                T_set - p[P_BY_OFF],
                True,
                t_state_by,
                p[P_MIN_ON],
                p[P_MIN_OFF],
            )
            if new != by_on:
                by_on = new
                t_state_by = 0.0
        t_state_hp += dt
        t_state_by += dt

        # ---- 3. heat pump / bypass <-> borefield ------------------------------------------
        Q_c = 0.0
        Q_e = 0.0
        P_hp = 0.0
        Q_coil = 0.0
        G_coil = 0.0
        eps = 0.0
        edge = 0.0
        envelope = 0.0
        T_in = T_bhe_out  # pump off: the value is not used
        m_run = 0.0
        if hp_on == 1 or by_on == 1:
            m_run = m_bf
            a, b = borefield_outlet_coeffs(
                bf_p, bf_ftab, bf_dg, bf_inv_w, bf_q, bf_nodes, bf_cap, bf_slot, bf_mats,
                bf_vecs, bf_work, m_bf,
            )  # fmt: skip
            if hp_on == 1:
                # source temperature consistent with the evaporator load within the step
                T_sink = coil_temperature(tank_T, tank_p)
                T_src, edge, i_cell, j_cell = _evap_source_solve(
                    a, b, m_cp_bf, hp_ts, hp_tk, hp_qe, T_sink, T_src_guess
                )
                Q_c, Q_e, P_hp, clamp2 = hp_lookup(hp_ts, hp_tk, hp_qc, hp_qe, hp_pw, T_src, T_sink)
                edge = max(edge, clamp2)
                envelope = hp_cell_env[i_cell, j_cell]
                T_in = T_src - Q_e / m_cp_bf
                Q_coil = Q_c
                G_coil = p[P_G_COIL_HP]
            else:
                # bypass: borefield outlet through the tank coil, back into the borefield
                eps, T_coil = coil_fluid_coeffs(tank_T, tank_p, m_bf, cp_f)
                T_out = (a + b * eps * T_coil) / (1.0 - b * (1.0 - eps))
                T_in = T_out + eps * (T_coil - T_out)
                G_coil = eps * m_cp_bf
        T_bhe_out, Q_g, T_wall, T_fm = borefield_advance(
            bf_p, bf_ftab, bf_dg, bf_inv_w, bf_q, bf_nodes, bf_cap, bf_slot, bf_mats,
            bf_vecs, bf_work, T_in, m_run,
        )  # fmt: skip
        T_bhe_in = T_in if m_run > 0.0 else T_bhe_out
        Q_by = 0.0
        if hp_on == 1:
            T_src_guess = T_bhe_out
        elif by_on == 1:
            Q_by = m_cp_bf * (T_bhe_in - T_bhe_out)
            Q_coil = -Q_by

        # ---- 4. tempering valve and tank -------------------------------------------------
        # The ports follow the direction of the net load, not the season: when the
        # substations draw heat the return enters the bottom and the supply leaves the
        # warm top; when they reject heat (cooling, PVT, also on a sunny spring day) the
        # return enters the top and the supply leaves the cold bottom, so the tank absorbs
        # it. A tank on the wrong side of the return is bypassed (x = 0).
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
            tank_T, tank_p, dt, m_tank, T_return, direction, Q_coil, T_room, G_coil
        )
        T_supply = x * T_tank_out + (1.0 - x) * T_return
        Q_station = m_tank * cp_w * (T_tank_out - T_return)
        # unmet: the supply misses the setpoint on the side that matters for the season
        # (too cold while heating is drawn, too warm while heat is rejected in summer)
        unmet = 0.0  # heating side: supply below the setpoint while heat is drawn
        unmet_c = 0.0  # cooling side: supply above the setpoint while heat is rejected
        if pipes:
            # at the substations, bounded by their demand
            if heating:
                unmet = sh_h_s
            else:
                unmet_c = sh_c_s
        elif heating and draw:
            unmet = max(0.0, m_net * cp_w * (T_set - T_supply))
        elif not heating and not draw:
            unmet_c = max(0.0, m_net * cp_w * (T_supply - T_set))

        # ---- 5. network water --------------------------------------------------------------
        if pipes:
            # the station's supply over the step against what entered the network
            pend += m_net * dt * (T_supply - T_in_net)
        else:
            T_return = T_return + dt * (Q_station - Q_net) / C_net

        # ---- pumps -------------------------------------------------------------------------
        P_bf = p[P_P_BF] if m_run > 0.0 else 0.0
        P_cond = p[P_P_COND] if hp_on == 1 else 0.0
        v = m_net / m_net_design  # affinity law: P ∝ V̇³ on a fixed system curve
        P_net = p[P_P_NET_DESIGN] * v * v * v
        P_pumps = P_bf + P_cond + P_net

        # ---- checks -------------------------------------------------------------------------
        bad = -1
        if not np.isfinite(T_bhe_out):
            bad = 0
        elif not np.isfinite(tank_T[n_layers - 1]):
            bad = 1
        elif not np.isfinite(T_supply):
            bad = 2
        elif not np.isfinite(T_return):
            bad = 4
        if bad >= 0:
            status[0] = STATUS_NONFINITE
            status[1] = k
            status[2] = bad
            break

        # ---- accumulate ----------------------------------------------------------------------
        if out_step:
            o = k
        else:
            o = year * n_out_year + out_slot[slot]
        out[o, O_TS] += T_supply
        out[o, O_TR] += T_return
        out[o, O_TSET] += T_set
        out[o, O_TTOP] += tank_T[n_layers - 1]
        out[o, O_TBOT] += tank_T[0]
        out[o, O_TBIN] += T_bhe_in
        out[o, O_TBOUT] += T_bhe_out
        out[o, O_TWALL] += T_wall
        out[o, O_QNET] += Q_subst
        out[o, O_QPIPES] += Qp_s
        out[o, O_QC] += Q_c
        out[o, O_QE] += Q_e
        out[o, O_PHP] += P_hp
        out[o, O_QG] += Q_g
        out[o, O_QBY] += Q_by
        out[o, O_PBOOST] += P_boost
        out[o, O_PPUMP] += P_pumps
        out[o, O_HPON] += hp_on
        out[o, O_MODE] += mode
        out[o, O_UNMET] += unmet
        out[o, O_UNMETC] += unmet_c
        out[o, O_BYON] += by_on
        out[o, O_QLOSS] += Q_loss
        counts[o] += 1.0

        yearly[year, Y_EHP] += P_hp * dt
        yearly[year, Y_QC] += Q_c * dt
        yearly[year, Y_QE] += Q_e * dt
        yearly[year, Y_EBOOST] += P_boost * dt
        yearly[year, Y_EBHEAT] += P_boost_heat * dt
        yearly[year, Y_EBCOOL] += P_boost_cool * dt
        yearly[year, Y_EPUMP] += P_pumps * dt
        yearly[year, Y_EPBF] += P_bf * dt
        yearly[year, Y_EPNET] += P_net * dt
        yearly[year, Y_EPCOND] += P_cond * dt
        if Q_g > 0.0:
            yearly[year, Y_QGX] += Q_g * dt
        else:
            yearly[year, Y_QGI] -= Q_g * dt
        if m_run > 0.0:
            if T_bhe_out < yearly[year, Y_TMIN]:
                yearly[year, Y_TMIN] = T_bhe_out
            if T_bhe_out > yearly[year, Y_TMAX]:
                yearly[year, Y_TMAX] = T_bhe_out
            if T_bhe_in < yearly[year, Y_TINMIN]:
                yearly[year, Y_TINMIN] = T_bhe_in
            if T_bhe_in < T_freeze:
                yearly[year, Y_FREEZE] += 1.0
            if hp_on == 1:
                day_tsrc += T_bhe_out
                day_nsrc += 1.0
        yearly[year, Y_TWALL] += T_wall
        yearly[year, Y_UNMET] += unmet * dt
        yearly[year, Y_UNMETC] += unmet_c * dt
        if Q_subst > 0.0:
            yearly[year, Y_QNDRAWN] += Q_subst * dt
        else:
            yearly[year, Y_QNREJ] -= Q_subst * dt
        yearly[year, Y_QBY] += Q_by * dt
        yearly[year, Y_CLAMP] += envelope
        yearly[year, Y_EDGE] += edge
        yearly[year, Y_STEPS] += 1.0
        if heating:
            yearly[year, Y_TSH] += T_supply
            yearly[year, Y_NHEAT] += 1.0
            yearly[year, Y_QP_HEAT] += Qp_s * dt
            if T_supply < T_set:
                yearly[year, Y_DEV_HEAT] += (T_set - T_supply) * dt
        else:
            yearly[year, Y_QP_COOL] += Qp_s * dt
            if T_supply > T_set:
                yearly[year, Y_DEV_COOL] += (T_supply - T_set) * dt
        mi = year * 12 + month[slot] - 1
        monthly[mi, 0] += Q_c * dt
        monthly[mi, 1] += P_hp * dt

        bal[B_STATION] += Q_station * dt
        bal[B_TCOIL] += Q_coil * dt
        bal[B_TLOSS] += Q_loss * dt
        bal[B_NTO] += Q_net * dt
        bal[B_BFQ] += Q_g * dt
        bal[B_BFWALL] += borefield_wall_heat(bf_p, bf_q) * dt
        bal[B_HPRES] += (Q_c - Q_e - P_hp) * dt
        # the borefield fluid's heat is the evaporator's (GSHP) or the coil's (bypass)
        bal[B_COUPLE] += (Q_g - Q_e + Q_by) * dt
        bal[B_THRU] += (abs(Q_net) + Q_c + abs(Q_by) + abs(Q_loss)) * dt

        T_supply_prev = T_supply
    ks[K_HP_ON] = hp_on
    ks[K_BY_ON] = by_on
    ks[K_T_HP] = t_state_hp
    ks[K_T_BY] = t_state_by
    ks[K_T_RETURN] = T_return
    ks[K_T_SUPPLY] = T_supply_prev
    ks[K_T_BHE_OUT] = T_bhe_out
    ks[K_T_BHE_IN] = T_bhe_in
    ks[K_T_SRC_GUESS] = T_src_guess
    ks[K_PREV_MODE] = prev_mode
    ks[K_AD_T] = ad_T
    ks[K_DAY_SH] = day_sh
    ks[K_DAY_DHW] = day_dhw
    ks[K_DAY_PVT] = day_pvt
    ks[K_DAY_TSRC] = day_tsrc
    ks[K_DAY_NSRC] = day_nsrc
    ks[K_OVERRIDE] = override
    ks[K_COP_SH] = cop_sh
    ks[K_COP_DHW] = cop_dhw
    ks[K_EER] = eer
    ks[K_PEND] = pend
    ks[K_T_IN_NET] = T_in_net
    ks[K_QP] = Qp_s
    ks[K_QB] = QB_s
    ks[K_M_NET] = m_net_s
    ks[K_PBH] = P_bh_s
    ks[K_PBC] = P_bc_s
    ks[K_SH_H] = sh_h_s
    ks[K_SH_C] = sh_c_s
    bal[B_TRET] = T_return


@njit(cache=True)
def _adaptive_move(
    ad_T, p, day_sh, day_dhw, day_pvt, T_src, booster, hp_ts, hp_tk, hp_qc, hp_qe, hp_pw,
    UA_pipes, T_soil,
):
    """Daily move of the adaptive winter setpoint (see gshp.controls.adaptive_choice)."""
    step = p[P_AD_STEP]
    e0 = _daily_electricity(
        ad_T - step, day_sh, day_dhw, day_pvt, T_src, p[P_AD_SINK_OFFSET], booster, hp_ts,
        hp_tk, hp_qc, hp_qe, hp_pw, UA_pipes, T_soil, p[P_DT_NET],
    )  # fmt: skip
    e1 = _daily_electricity(
        ad_T, day_sh, day_dhw, day_pvt, T_src, p[P_AD_SINK_OFFSET], booster, hp_ts, hp_tk,
        hp_qc, hp_qe, hp_pw, UA_pipes, T_soil, p[P_DT_NET],
    )  # fmt: skip
    e2 = _daily_electricity(
        ad_T + step, day_sh, day_dhw, day_pvt, T_src, p[P_AD_SINK_OFFSET], booster, hp_ts,
        hp_tk, hp_qc, hp_qe, hp_pw, UA_pipes, T_soil, p[P_DT_NET],
    )  # fmt: skip
    return adaptive_choice(ad_T, p[P_AD_TMIN], p[P_AD_TMAX], step, e0, e1, e2)


@njit(cache=True)
def _daily_electricity(
    T_set, Q_sh, Q_dhw, Q_pvt, T_src, sink_offset, booster, hp_ts, hp_tk, hp_qc, hp_qe, hp_pw,
    UA_pipes, T_soil, dT_net,
):
    """Estimated electricity (J) of the boosters and the GSHP for one day's loads at a
    candidate winter setpoint (the adaptive strategy's objective). With buried pipes
    (``UA_pipes`` W/K of both pipes of every trench) the network's exchange with the soil
    at the candidate setpoint is added: water at ``T_set − ΔT/2`` on average loses
    ``UA·(T − T_soil)`` (or gains it, below the soil temperature)."""
    cop_sh, cop_dhw, _eer = booster_cops(T_set, booster)
    e_boost = Q_sh / cop_sh + Q_dhw / cop_dhw
    q_net = Q_sh + Q_dhw - e_boost - Q_pvt
    q_net += UA_pipes * (T_set - 0.5 * dT_net - T_soil) * 86400.0
    if q_net <= 0.0:
        return e_boost
    q_c, _q_e, pw, _cl = hp_lookup(hp_ts, hp_tk, hp_qc, hp_qe, hp_pw, T_src, T_set + sink_offset)
    return e_boost + q_net * pw / q_c
