"""Plug flow through a buried pipe with transport delay and heat exchange with the soil.

Physics (one pipe, water mass ``M`` kg, heat capacity ``c`` J/(kg·K), conductance to the
soil ``U′`` W/(m·K) over its length ``L``)::

    ∂T/∂t + v ∂T/∂x = −k (T − T_s),      k = U′ / (ρ c A)  [1/s]

Every water element relaxes towards the soil temperature at the *same* rate ``k``
whatever its position or the flow, and the flow only moves it (no axial mixing). So a
water element that entered at temperature ``T_in`` and stayed ``τ`` seconds leaves at
``T_s + (T_in − T_s) exp(−k τ)`` (for a constant ``T_s``); at steady state
``τ = M/ṁ`` and ``kτ = U′L/(ṁc)``: the classical ``T_s + (T_in − T_s)·exp(−U′L/(ṁc))``.

Numerics: a Lagrangian model (the idea of the node method, Benonysson 1991, and of
IBPSA's ``PlugFlowPipe``, van der Heijde et al. 2017, *Energy Convers. Manag.*
151:158), **exact** for flow, inlet and soil temperatures that are constant over each
step (any sequence of them):

* The water that enters during a step is one *parcel*. Within it the temperature is not
  uniform: an element that entered ``θ′`` seconds after the step start is, at the step
  end, ``T_s + (T_in − T_s)·exp(−k (Δt − θ′))``. A parcel is therefore stored as
  ``a + b·w(u)`` with the shape ``w(u) = exp(−k (r − u/ṁ_j))`` over its mass coordinate
  ``u`` (front ``u = 0``), ``ṁ_j`` the flow it entered with and ``r`` the entry time its
  remaining mass spans. Parcels sit in a fixed-capacity ring buffer (no allocation).
* **Lazy decay.** All water of a pipe undergoes the same affine map each step,
  ``T ↦ f·T + (1 − f)·T_s`` with ``f = exp(−kΔt)``. The maps are composed into one frame
  ``T = P·z + Q`` (two numbers per pipe) and parcels store ``(a, b)`` in frame
  coordinates, so the water left in the pipe costs nothing per step, and the stored
  energy ``c·(P·S + Q·M)`` is kept with one running sum ``S``. The frame is renormalised
  (``O(parcels)``) when ``P`` falls below 1e-100, i.e. every few months.
* **Outflow.** The ``ṁΔt`` oldest kilograms leave during a step; each parcel piece is
  integrated exactly in closed form over its exit times (elements that leave ``θ`` after
  the step start decayed for ``θ`` more seconds). When a parcel leaves with the flow it
  entered with (the common case: the load, hence the flow, is constant over each 15-min
  slot) the integral needs no exponential at all; otherwise two or three. Water that
  enters and leaves within one step (``ṁΔt > M``) leaves after exactly ``M/ṁ``.
* **Exchange** with the soil over the step is the change of stored energy minus the net
  advected energy, both exact; the pipe's own energy balance closes to round-off.
* Zero flow: the water stays and relaxes towards the soil (only the frame moves).
* There is **no numerical diffusion**: a step or pulse at the inlet reaches the outlet
  after exactly ``M/ṁ`` (the outlet value of a step is the mean over the step of the exact
  outlet temperature). If a pipe ever holds more parcels than the buffer's capacity
  (residence time longer than capacity × Δt, e.g. a long pipe at a tiny flow), the newest
  parcel absorbs the inflow as one well-mixed parcel (energy-conserving; the only
  approximation, reported by :func:`pipe_merges`).

State arrays of a set of pipes (all float64 except ``ring``):

* ``par[i, :]`` parameters (``PP_*``): water mass M (kg), k (1/s), f = exp(−kΔt),
  F1 = expm1(−kΔt), 1/k (0 when k = 0), Δt (s);
* ``fs[i, :]`` frame and sums (``FS_*``): P, Q, S, merges;
* ``ring[i, :]`` head index and parcel count;
* ``buf[i, j, :]`` parcels (``C_*``): ṁ_j, r, expm1(−k r), a, b (frame coordinates).

Temperatures are °C, the energy unit of the sums is kg·K (× c for joules).
"""

from __future__ import annotations

import math

import numpy as np

from gshp.jit import kernel_jit

PP_M, PP_K, PP_F, PP_F1, PP_INVK, PP_DT, PP_INVF, PP_INVDT, PP_INVM = range(9)
N_PP = 9
FS_P, FS_Q, FS_S, FS_MERGES, FS_INVP, FS_EOLD, FS_OUT, FS_GEND = range(8)
N_FS = 8
C_MJ, C_R, C_E1, C_A, C_B, C_IMJ = range(6)
N_C = 6
RENORM_P = 1e-100
DEFAULT_CAPACITY = 64


def pipe_setup(n_pipes, capacity=DEFAULT_CAPACITY):
    """Empty state arrays ``(par, fs, ring, buf)`` for ``n_pipes`` pipes."""
    par = np.zeros((n_pipes, N_PP))
    fs = np.zeros((n_pipes, N_FS))
    ring = np.zeros((n_pipes, 2), dtype=np.int64)
    buf = np.zeros((n_pipes, capacity, N_C))
    return par, fs, ring, buf


def decay_rate(U_W_mK, inner_diameter_m, rho=998.0, cp=4186.0):
    """``k = U′/(ρ c A)`` (1/s): the rate at which the water relaxes to the soil."""
    area = math.pi * 0.25 * inner_diameter_m**2
    return U_W_mK / (rho * cp * area)


@kernel_jit()
def pipe_init(par, fs, ring, buf, i, mass_kg, k, dt, T0):
    """Set pipe ``i``: water mass, decay rate ``k`` (1/s), step ``dt`` (s), and fill it
    with water at the uniform temperature ``T0`` (°C)."""
    par[i, PP_M] = mass_kg
    par[i, PP_K] = k
    par[i, PP_F] = math.exp(-k * dt)
    par[i, PP_F1] = math.expm1(-k * dt)
    par[i, PP_INVK] = 1.0 / k if k > 0.0 else 0.0
    par[i, PP_DT] = dt
    par[i, PP_INVF] = math.exp(k * dt)
    par[i, PP_INVDT] = 1.0 / dt
    par[i, PP_INVM] = 1.0 / mass_kg
    fs[i, FS_P] = 1.0
    fs[i, FS_INVP] = 1.0
    fs[i, FS_Q] = 0.0
    fs[i, FS_MERGES] = 0.0
    ring[i, 0] = 0
    ring[i, 1] = 1
    # one uniform parcel (b = 0); its nominal flow makes it span one step of entry time
    buf[i, 0, C_MJ] = mass_kg / dt
    buf[i, 0, C_IMJ] = dt / mass_kg
    buf[i, 0, C_R] = dt
    buf[i, 0, C_E1] = par[i, PP_F1]
    buf[i, 0, C_A] = T0
    buf[i, 0, C_B] = 0.0
    fs[i, FS_S] = mass_kg * T0


@kernel_jit(inline="always")
def _expm1(x):
    """expm1 by its Taylor series for |x| < 0.08 (relative error < 1e-16), else libm."""
    if -0.08 < x < 0.08:
        return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (
            1.0 / 120.0 + x * (1.0 / 720.0 + x * (1.0 / 5040.0 + x * (
                1.0 / 40320.0 + x * (1.0 / 362880.0 + x / 3628800.0)))))))))  # fmt: skip
    return math.expm1(x)


@kernel_jit(inline="always")
def _expm1_pair(x):
    """(expm1(−x), exp(x)) for x ≥ 0, from one even/odd series evaluation when x < 0.08."""
    if x < 0.08:
        x2 = x * x
        odd = x * (1.0 + x2 * (1.0 / 6.0 + x2 * (1.0 / 120.0 + x2 * (
            1.0 / 5040.0 + x2 / 362880.0))))  # fmt: skip
        even = x2 * (0.5 + x2 * (1.0 / 24.0 + x2 * (1.0 / 720.0 + x2 * (
            1.0 / 40320.0 + x2 / 3628800.0))))  # fmt: skip
        return even - odd, 1.0 + even + odd
    return math.expm1(-x), math.exp(x)


@kernel_jit(inline="always")
def _phi(y):
    """(exp(y) − 1)/y, with its series for |y| < 0.08."""
    if -0.08 < y < 0.08:
        return 1.0 + y * (0.5 + y * (1.0 / 6.0 + y * (1.0 / 24.0 + y * (1.0 / 120.0 + y * (
            1.0 / 720.0 + y * (1.0 / 5040.0 + y * (1.0 / 40320.0 + y * (
                1.0 / 362880.0 + y / 3628800.0))))))))  # fmt: skip
    return math.expm1(y) / y


@kernel_jit(inline="always")
def _wn(E1, r, invk):
    """∫ w du / ṁ_j over a parcel's remaining part (s): (1 − exp(−k r))/k, or r if k = 0."""
    if invk > 0.0:
        return -E1 * invk
    return r


@kernel_jit(inline="always")
def _contribution(buf, i, j, invk):
    r = buf[i, j, C_R]
    return buf[i, j, C_MJ] * (buf[i, j, C_A] * r + buf[i, j, C_B] * _wn(buf[i, j, C_E1], r, invk))


@kernel_jit()
def _renormalise(par, fs, ring, buf, i):
    P = fs[i, FS_P]
    Q = fs[i, FS_Q]
    cap = buf.shape[1]
    invk = par[i, PP_INVK]
    S = 0.0
    j = ring[i, 0]
    for _n in range(ring[i, 1]):
        buf[i, j, C_A] = P * buf[i, j, C_A] + Q
        buf[i, j, C_B] = P * buf[i, j, C_B]
        S += _contribution(buf, i, j, invk)
        j += 1
        if j == cap:
            j = 0
    fs[i, FS_P] = 1.0
    fs[i, FS_INVP] = 1.0
    fs[i, FS_Q] = 0.0
    fs[i, FS_S] = S


@kernel_jit(error_model="numpy", inline="always")
def pipe_outflow(par, fs, ring, buf, i, mdot, inv_mdot, T_s):
    """First half of :func:`pipe_step`: the water that was in the pipe at the start of the
    step and leaves during it (independent of the inlet, so the outflows of all pipes of a
    network can be computed before the inlets are known). Keeps the partial results in
    ``fs`` for :func:`pipe_inflow`. ``inv_mdot`` = 1/``mdot`` (any value when 0)."""
    pipe_pair_outflow(par, fs, ring, buf, i, i, mdot, inv_mdot, T_s, T_s)


@kernel_jit(inline="always")
def pipes_are_twins(par, ring, i, j):
    """True when pipes ``i`` and ``j`` have the same water mass, decay rate and step and
    the same ring position: then, carrying the same flows, they hold parcels of the same
    geometry (flow, entry time span, decay) and differ only in temperatures — the supply
    and return pipe of one trench. :func:`pipe_pair_outflow` relies on it."""
    return (
        par[i, PP_M] == par[j, PP_M]
        and par[i, PP_K] == par[j, PP_K]
        and par[i, PP_DT] == par[j, PP_DT]
        and ring[i, 0] == ring[j, 0]
        and ring[i, 1] == ring[j, 1]
    )


@kernel_jit(error_model="numpy", inline="always")
def pipe_pair_outflow(par, fs, ring, buf, i, j, mdot, inv_mdot, T_si, T_sj):
    """:func:`pipe_outflow` of two twin pipes at once (:func:`pipes_are_twins`; ``j == i``
    for one pipe), with soil temperatures ``T_si`` and ``T_sj``.

    Only temperatures differ between twins, so the outflow's geometry (which parcels
    leave, their exit times, the decay integrals, the new front) is computed once; each
    pipe's numbers are those of its own :func:`pipe_outflow` to the bit.
    """
    two = j != i
    # With j == i every write for j below either repeats the value written for i or
    # stands under ``two`` (the running sum and the outflow of pipe i must not be
    # overwritten by a second pipe's copy).
    M = par[i, PP_M]
    k = par[i, PP_K]
    invk = par[i, PP_INVK]
    cap = buf.shape[1]
    if fs[i, FS_P] < RENORM_P:
        _renormalise(par, fs, ring, buf, i)
    if two and fs[j, FS_P] < RENORM_P:
        _renormalise(par, fs, ring, buf, j)
    Pi = fs[i, FS_P]
    Qi = fs[i, FS_Q]
    Si = fs[i, FS_S]
    fs[i, FS_EOLD] = Pi * Si + Qi * M
    Pj = fs[j, FS_P]
    Qj = fs[j, FS_Q]
    Sj = fs[j, FS_S]
    if two:
        fs[j, FS_EOLD] = Pj * Sj + Qj * M
    if not mdot > 0.0:
        fs[i, FS_OUT] = 0.0
        fs[j, FS_OUT] = 0.0
        return
    head = ring[i, 0]
    count = ring[i, 1]
    mn = mdot
    inv_mn = inv_mdot
    delta = mn * par[i, PP_DT]
    if delta > M:
        old_out = M
        G_end = _expm1_pair(k * M * inv_mn)[0]
    else:
        old_out = delta
        G_end = par[i, PP_F1]
    fs[i, FS_GEND] = G_end
    fs[j, FS_GEND] = G_end
    PQi = Qi - T_si
    PQj = Qj - T_sj
    if count == 1 and delta >= M:
        # the common case at a 15-min step: the pipe holds one parcel (the end of the
        # previous step's inflow) and all of it leaves, over θ ∈ [0, M/ṁ]
        pc = buf[i, head]  # the parcel (a view: one index check)
        mj = pc[C_MJ]
        r = pc[C_R]
        E1 = pc[C_E1]
        L = mj * r
        int_a = mn * (-G_end) * invk if invk > 0.0 else L
        if mj == mn:
            phi = 1.0
        else:
            phi = _phi(k * (r - M * inv_mn))
        e1p = 1.0 + E1
        shape = Pi * pc[C_B] * e1p * L * phi
        fs[i, FS_OUT] = T_si * L + (Pi * pc[C_A] + PQi) * int_a + shape
        if two:
            pt = buf[j, head]
            shape = Pj * pt[C_B] * e1p * L * phi
            fs[j, FS_OUT] = T_sj * L + (Pj * pt[C_A] + PQj) * int_a + shape
        head += 1
        if head == cap:
            head = 0
        ring[i, 0] = head
        ring[i, 1] = 0
        fs[i, FS_S] = 0.0
        ring[j, 0] = head
        ring[j, 1] = 0
        fs[j, FS_S] = 0.0
        return
    outi = 0.0
    outj = 0.0
    rem = old_out
    Ga = 0.0
    theta_a = 0.0
    while rem > 0.0 and count > 0:
        pc = buf[i, head]  # the parcel (a view: one index check)
        pt = buf[j, head]  # its twin
        mj = pc[C_MJ]
        r = pc[C_R]
        E1 = pc[C_E1]
        m_rem = mj * r
        full = m_rem <= rem
        same = mj == mn
        if full and count > 1:
            L = m_rem
            if same:
                theta_b = theta_a + r
                Gb = Ga + E1 + Ga * E1
            else:
                theta_b = theta_a + L * inv_mn
                Gb = _expm1(-k * theta_b)
        else:
            # the last piece: it ends where the old water's outflow ends
            L = m_rem if full else rem
            theta_b = old_out * inv_mn
            Gb = G_end
        if invk > 0.0:
            int_a = mn * (Ga - Gb) * invk
        else:
            int_a = L
        inv_mj = pc[C_IMJ]
        if same:
            phi = 1.0
        else:
            y = k * (L * inv_mj - (theta_b - theta_a))
            phi = _phi(y)
        wn = _wn(E1, r, invk)
        a = pc[C_A]
        b = pc[C_B]
        outi += T_si * L + (Pi * a + PQi) * int_a + Pi * b * (1.0 + E1) * (1.0 + Ga) * L * phi
        Si -= mj * (a * r + b * wn)
        if two:
            a = pt[C_A]
            b = pt[C_B]
            outj += T_sj * L + (Pj * a + PQj) * int_a + Pj * b * (1.0 + E1) * (1.0 + Ga) * L * phi
            Sj -= mj * (a * r + b * wn)
        if full:
            head += 1
            if head == cap:
                head = 0
            count -= 1
        else:
            # the front moves by L: w_front·exp(kL/ṁ_j), where kL/ṁ_j = y + k(θb − θa);
            # the partial piece ends where the outflow ends (Gb = G_end)
            r_new = r - L * inv_mj
            # exp(−k r_new) afresh: the update (1 + E1)(1 + ey)(1 + Ga)/(1 + Gb) − 1 is
            # the same number in exact arithmetic, but at a tiny flow the front stays
            # partial step after step and its value passes from front to front, each
            # time multiplied by exp(k θ_b) (×2 at a 15-min step): the round-off doubled
            # every step until the parcel's energy, then Q_network, overflowed
            E1_new = math.expm1(-k * r_new)
            wn = _wn(E1_new, r_new, invk)
            pc[C_R] = r_new
            pc[C_E1] = E1_new
            Si += mj * (pc[C_A] * r_new + pc[C_B] * wn)
            if two:
                pt[C_R] = r_new
                pt[C_E1] = E1_new
                Sj += mj * (pt[C_A] * r_new + pt[C_B] * wn)
        rem -= L
        theta_a = theta_b
        Ga = Gb
    ring[i, 0] = head
    ring[i, 1] = count
    fs[i, FS_S] = Si
    fs[i, FS_OUT] = outi
    if two:
        ring[j, 0] = head
        ring[j, 1] = count
        fs[j, FS_S] = Sj
        fs[j, FS_OUT] = outj


@kernel_jit(error_model="numpy", inline="always")
def pipe_inflow(par, fs, ring, buf, i, mdot, inv_mdot, T_in, T_s):
    """Second half of :func:`pipe_step` (after :func:`pipe_outflow` with the same flow and
    soil temperature): water entering (and, at ``ṁΔt > M``, passing through), the step's
    decay of the stored water; returns ``(T_out, Q_gain)`` as :func:`pipe_step`."""
    M = par[i, PP_M]
    k = par[i, PP_K]
    F1 = par[i, PP_F1]
    inv_dt = par[i, PP_INVDT]
    invk = par[i, PP_INVK]
    cap = buf.shape[1]
    P = fs[i, FS_P]
    Q = fs[i, FS_Q]
    S = fs[i, FS_S]
    E_old = fs[i, FS_EOLD]
    P1 = par[i, PP_F] * P
    Q1 = Q + F1 * (Q - T_s)
    inv_P1 = fs[i, FS_INVP] * par[i, PP_INVF]
    fs[i, FS_P] = P1
    fs[i, FS_INVP] = inv_P1
    fs[i, FS_Q] = Q1
    if not mdot > 0.0:
        h = ring[i, 0]
        T_front = P1 * (buf[i, h, C_A] + buf[i, h, C_B] * (1.0 + buf[i, h, C_E1])) + Q1
        return T_front, (P1 * S + Q1 * M - E_old) * inv_dt
    mn = mdot
    inv_mn = inv_mdot
    delta = mn * par[i, PP_DT]
    out = fs[i, FS_OUT]
    if delta > M:
        # water entering and leaving within the step stays exactly M/ṁ
        G_end = fs[i, FS_GEND]
        out += (delta - M) * (T_s + (T_in - T_s) * (1.0 + G_end))
        r_in = M * inv_mn
        E1_in = G_end
    else:
        r_in = par[i, PP_DT]
        E1_in = F1
    a_in = (T_s - Q1) * inv_P1
    b_in = (T_in - T_s) * inv_P1
    e_in = mn * (a_in * r_in + b_in * _wn(E1_in, r_in, invk))
    head = ring[i, 0]
    count = ring[i, 1]
    if count < cap:
        t = head + count
        if t >= cap:
            t -= cap
        pc = buf[i, t]
        pc[C_MJ] = mn
        pc[C_IMJ] = inv_mn
        pc[C_R] = r_in
        pc[C_E1] = E1_in
        pc[C_A] = a_in
        pc[C_B] = b_in
        ring[i, 1] = count + 1
    else:
        # full buffer: the newest parcel absorbs the inflow, well mixed (energy-exact)
        t = head + count - 1
        if t >= cap:
            t -= cap
        e_t = _contribution(buf, i, t, invk)
        mass = buf[i, t, C_MJ] * buf[i, t, C_R] + mn * r_in
        r_m = mass * inv_mn
        buf[i, t, C_MJ] = mn
        buf[i, t, C_IMJ] = inv_mn
        buf[i, t, C_R] = r_m
        buf[i, t, C_E1] = math.expm1(-k * r_m)
        buf[i, t, C_A] = (e_t + e_in) / mass
        buf[i, t, C_B] = 0.0
        fs[i, FS_MERGES] += 1.0
    S += e_in
    fs[i, FS_S] = S
    E_new = P1 * S + Q1 * M
    gain = E_new - E_old - (delta * T_in - out)
    return out * inv_mn * inv_dt, gain * inv_dt


@kernel_jit(error_model="numpy")
def pipe_step(par, fs, ring, buf, i, mdot, T_in, T_s):
    """Advance pipe ``i`` by one step.

    Parameters
    ----------
    mdot : float
        Mass flow over the step, kg/s (≥ 0; 0 holds the water).
    T_in : float
        Inlet temperature over the step, °C.
    T_s : float
        Soil (effective) temperature over the step, °C.

    Returns
    -------
    (T_out, Q_gain)
        Mean outlet temperature over the step (°C; with no flow, the temperature of the
        water at the outlet end) and the heat the water gained from the soil, as the
        step's mean power per unit heat capacity (kg·K/s; × c_p → W).
    """
    inv = 1.0 / mdot if mdot > 0.0 else 0.0
    pipe_outflow(par, fs, ring, buf, i, mdot, inv, T_s)
    return pipe_inflow(par, fs, ring, buf, i, mdot, inv, T_in, T_s)


@kernel_jit(inline="always")
def pipe_mean_temperature(par, fs, i):
    """Mass-mean water temperature of pipe ``i`` (°C), from the running sum (O(1))."""
    return fs[i, FS_P] * fs[i, FS_S] * par[i, PP_INVM] + fs[i, FS_Q]


@kernel_jit()
def pipe_stored(par, fs, ring, buf, i):
    """Stored ``Σ m·T`` of pipe ``i`` (kg·K) recomputed from its parcels (O(parcels));
    independent of the running sum the step keeps."""
    P = fs[i, FS_P]
    Q = fs[i, FS_Q]
    invk = par[i, PP_INVK]
    cap = buf.shape[1]
    s = 0.0
    mass = 0.0
    j = ring[i, 0]
    for _n in range(ring[i, 1]):
        s += _contribution(buf, i, j, invk)
        mass += buf[i, j, C_MJ] * buf[i, j, C_R]
        j += 1
        if j == cap:
            j = 0
    return P * s + Q * mass


@kernel_jit()
def pipe_profile(par, fs, ring, buf, i, n_points, out_x, out_T):
    """Temperature along pipe ``i`` at ``n_points`` equally spaced mass positions
    (fraction 0 = outlet … 1 = inlet) into ``out_x``/``out_T`` (for plots and tests)."""
    P = fs[i, FS_P]
    Q = fs[i, FS_Q]
    k = par[i, PP_K]
    M = par[i, PP_M]
    cap = buf.shape[1]
    for n in range(n_points):
        s = (n + 0.5) / n_points * M
        acc = 0.0
        j = ring[i, 0]
        for _c in range(ring[i, 1]):
            m_rem = buf[i, j, C_MJ] * buf[i, j, C_R]
            if s <= acc + m_rem or _c == ring[i, 1] - 1:
                u = s - acc
                w = (1.0 + buf[i, j, C_E1]) * math.exp(k * u / buf[i, j, C_MJ])
                out_x[n] = s / M
                out_T[n] = P * (buf[i, j, C_A] + buf[i, j, C_B] * w) + Q
                break
            acc += m_rem
            j += 1
            if j == cap:
                j = 0


def pipe_merges(fs, i) -> int:
    """How many times pipe ``i``'s buffer was full and the inflow was mixed in."""
    return int(fs[i, FS_MERGES])
