"""Compiled per-step borefield functions (numba, allocation-free).

The field is one *equivalent borehole*: all ``n_b`` boreholes in parallel with equal flow,
the same borehole wall temperature and the g-function of the whole field (pygfunction's
uniform-borehole-wall-temperature convention).

Model of one step (implicit Euler, step ``dt``):

* Ground: Claesson–Javed load aggregation [CJ2012]_ of the wall heat flow per metre
  ``q'`` (W/m, + = extracted from the ground), exactly as
  :class:`pygfunction.load_aggregation.ClaessonJaved`: cells of width doubling every five
  cells, shifted with ``q_k <- q_k (1 - 1/w_k) + q_{k-1}/w_k`` then
  ``T_wall = T_0 - sum_k dg_k q_k``. The first increment ``dg_0`` couples the wall to the
  current step's load.
* Borehole interior: a thermal resistance–capacitance model (TRCM, [Bauer2011]_) split into
  ``n_seg`` vertical segments. Each segment has four nodes: the fluid of the down-going
  leg(s) ``D``, the fluid of the up-going leg(s) ``U`` and one grout node next to each
  ``G_D``, ``G_U``. Optionally (``n_gl`` > 1 grout layers) each grout node is split
  radially into ``n_gl`` nodes in series (equal-area annuli, nodes at their area-median
  radii, the grout resistance split in proportion to the logarithm of the radius: the
  multi-node TRCM idea of [PM2012]_); ``n_gl`` = 1 is Bauer's model. Fluid nodes are
  fully mixed volumes in series along the flow path (tanks-in-series upwind advection, as
  the IBPSA borefield model [Laf2020]_), exchange heat with their grout node (``K_fg``),
  with each other (leg-to-leg short circuit ``K_12``, delta-circuit of the multipole
  method [Claesson2011]_) and the grout nodes with the borehole wall (``K_gb``). Steady
  state reproduces the multipole delta circuit.

Node order: segment ``s`` (0 at the top) holds ``m = 2 + 2 n_gl`` nodes: ``ms+0 = D``,
``ms+1 = U``, ``ms+2 … ms+1+n_gl`` = grout layers of the down leg from the pipe outwards,
``ms+2+n_gl … ms+1+2 n_gl`` = those of the up leg (with one layer: ``4s+2 = G_D``,
``4s+3 = G_U``). The outermost layer of each leg exchanges heat with the wall.
Inlet enters ``D_0``; the bottom of the down leg feeds the bottom of the up leg; the
outlet is ``U_0``.

The step is linear in the inlet temperature: for a given flow the interior update is
``x_new = P x_old + v_in T_in + v_b T_wall`` with ``P``, ``v_in``, ``v_b`` from the inverse
of the implicit matrix. These are computed once per distinct flow and kept in a small cache
of ``N_SLOTS`` slots (round robin), so that a pump cycling between a few flows never
re-inverts.

References
----------
.. [CJ2012] Claesson, J., Javed, S. (2012). A load-aggregation method to calculate
   extraction temperatures of borehole heat exchangers. ASHRAE Trans. 118(1): 530–539.
.. [Bauer2011] Bauer, D., Heidemann, W., Müller-Steinhagen, H., Diersch, H.-J. G. (2011).
   Thermal resistance and capacity models for borehole heat exchangers. Int. J. Energy
   Res. 35: 312–320.
.. [Claesson2011] Claesson, J., Hellström, G. (2011). Multipole method to calculate
   borehole thermal resistances in a borehole heat exchanger. HVAC&R Res. 17(6): 895–911.
.. [PM2012] Pasquier, P., Marcotte, D. (2012). Short-term simulation of ground heat
   exchanger with an improved TRCM. Renewable Energy 46: 92–99.
.. [Laf2020] Laferrière, A., Cimmino, M., Picard, D., Helsen, L. (2020). Development and
   validation of a full-time-scale semi-analytical model for the short- and long-term
   simulation of vertical geothermal bore fields. Geothermics 86: 101788.
"""

from __future__ import annotations

import numpy as np

from gshp.jit import kernel_jit

# ----------------------------------------------------------------------------- params
P_DT = 0  # time step, s
P_T0 = 1  # undisturbed ground temperature, °C
P_NB = 2  # number of boreholes, -
P_H = 3  # borehole length, m
P_CP = 4  # fluid specific heat, J/(kg K)
P_NSEG = 5  # number of vertical segments, -
P_NNODE = 6  # number of interior nodes ((2 + 2 n_gl) * n_seg), -
P_DG0 = 7  # first g-function increment dg_0, K per W/m
P_NTAB = 8  # number of rows of the flow table, -
P_NGL = 9  # grout layers per leg group (1 = Bauer's TRCM), -
N_PARAMS = 10

# columns of the flow table ``ftab`` (one row per flow per borehole, increasing)
FT_M = 0  # mass flow per borehole, kg/s
FT_KFG = 1  # fluid -> grout-node conductance of one leg group, W/(m K)
FT_KGB = 2  # grout-node -> wall conductance of one leg group, W/(m K)
FT_K12 = 3  # down-leg group <-> up-leg group fluid conductance, W/(m K)
N_FT = 4
# with n_gl grout layers, columns N_FT + j (j = 0 … n_gl - 2): conductance between grout
# layers j and j + 1 of one leg group, W/(m K)

N_SLOTS = 4
# rows of ``vecs[slot]``
V_IN = 0  # response of the nodes to the inlet temperature
V_B = 1  # response of the nodes to the wall temperature
R_G = 2  # row: (sum of grout rows of P) / n_seg
R_U = 3  # row: outlet row of P
V_SC = 4  # scalars: [s_in, s_b, v_in[U0], v_b[U0], K_gb, K_fg, K_12]
N_VROWS = 5
SC_SIN = 0
SC_SB = 1
SC_VINU = 2
SC_VBU = 3
SC_KGB = 4
SC_KFG = 5
SC_K12 = 6


# ------------------------------------------------------------------ load aggregation
@kernel_jit(inline="always")
def _lanes_add(l0, l1, l2, l3, k, x):
    """Add ``x`` (the term of cell ``k``) to lane ``k mod 4``."""
    r = k & 3
    if r == 0:
        l0 += x
    elif r == 1:
        l1 += x
    elif r == 2:
        l2 += x
    else:
        l3 += x
    return l0, l1, l2, l3


@kernel_jit(inline="always")
def cj_history(dg, inv_w, q_cells):
    """Wall temperature drop from past loads after the coming shift, without shifting.

    Returns ``sum_{k>=1} dg_k q_k'`` where ``q'`` is ``q_cells`` after
    :func:`cj_shift` (pure). Units: dg in K/(W/m), q in W/m, result in K.
    Reference: Claesson & Javed (2012); pygfunction ``ClaessonJaved``.

    The sum runs in four interleaved partial sums (cell ``k`` into sum ``k mod 4``, each in
    ascending ``k``, added as ``(s0 + s1) + (s2 + s3)``): four short chains of dependent
    additions instead of one long one. :func:`cj_shift_history` sums in the same way, so
    the pure and the shifting forms give the same number to the bit.
    """
    l0 = l1 = l2 = l3 = 0.0
    n = q_cells.shape[0]
    k = 1
    while k + 3 < n:
        l1 += dg[k] * (q_cells[k] * (1.0 - inv_w[k]) + q_cells[k - 1] * inv_w[k])
        l2 += dg[k + 1] * (q_cells[k + 1] * (1.0 - inv_w[k + 1]) + q_cells[k] * inv_w[k + 1])
        l3 += dg[k + 2] * (q_cells[k + 2] * (1.0 - inv_w[k + 2]) + q_cells[k + 1] * inv_w[k + 2])
        l0 += dg[k + 3] * (q_cells[k + 3] * (1.0 - inv_w[k + 3]) + q_cells[k + 2] * inv_w[k + 3])
        k += 4
    while k < n:
        x = dg[k] * (q_cells[k] * (1.0 - inv_w[k]) + q_cells[k - 1] * inv_w[k])
        l0, l1, l2, l3 = _lanes_add(l0, l1, l2, l3, k, x)
        k += 1
    return (l0 + l1) + (l2 + l3)


@kernel_jit(inline="always")
def cj_shift(inv_w, q_cells):
    """Shift the aggregated loads by one step in place (``q <- q @ A`` of pygfunction)."""
    for k in range(q_cells.shape[0] - 1, 0, -1):
        q_cells[k] = q_cells[k] * (1.0 - inv_w[k]) + q_cells[k - 1] * inv_w[k]
    q_cells[0] = 0.0


@kernel_jit(inline="always")
def cj_shift_history(dg, inv_w, q_cells):
    """Shift in place (as :func:`cj_shift`) and return the history term of
    :func:`cj_history`, summed in the same way (the same number to the bit), K."""
    cj_shift(inv_w, q_cells)
    l0 = l1 = l2 = l3 = 0.0
    n = q_cells.shape[0]
    k = 1
    while k + 3 < n:
        l1 += dg[k] * q_cells[k]
        l2 += dg[k + 1] * q_cells[k + 1]
        l3 += dg[k + 2] * q_cells[k + 2]
        l0 += dg[k + 3] * q_cells[k + 3]
        k += 4
    while k < n:
        l0, l1, l2, l3 = _lanes_add(l0, l1, l2, l3, k, dg[k] * q_cells[k])
        k += 1
    return (l0 + l1) + (l2 + l3)


@kernel_jit(inline="always")
def cj_shift_both_histories(dg, inv_w, q_cells):
    """Shift in place and return the history term for the outlet law and for the advance
    ``(h, h)``: one sum serves both, since :func:`cj_history` and
    :func:`cj_shift_history` give the same number."""
    h = cj_shift_history(dg, inv_w, q_cells)
    return h, h


@kernel_jit()
def cj_superposition(dg, q_cells):
    """Borehole wall temperature drop ``sum_k dg_k q_k`` (K), + for extraction."""
    s = 0.0
    for k in range(q_cells.shape[0]):
        s += dg[k] * q_cells[k]
    return s


@kernel_jit()
def cj_step(dg, inv_w, q_cells, q_now):
    """One step of pygfunction's ClaessonJaved: shift, set current load, superpose.

    q_now: heat extraction rate per metre of borehole this step (W/m).
    Returns the wall temperature drop (K): T_wall = T_0 - result.
    """
    cj_shift(inv_w, q_cells)
    q_cells[0] = q_now
    return cj_superposition(dg, q_cells)


@kernel_jit()
def ground_step(params, dg, inv_w, q_cells, q_W):
    """Ground-only step for a prescribed field heat extraction ``q_W`` (W, + extracted).

    Returns the borehole wall temperature (°C) at the end of the step.
    """
    qp = q_W / (params[P_NB] * params[P_H])
    return params[P_T0] - cj_step(dg, inv_w, q_cells, qp)


# ------------------------------------------------------------------ interior matrices
@kernel_jit(inline="always")
def _flow_cell(ftab, n_tab, m_b):
    """Bracket of flow ``m_b`` in the flow table: (lo, hi, weight, edge), edge = the row
    to use as is when ``m_b`` lies at or beyond either end (clamped), else −1."""
    if m_b <= ftab[0, FT_M]:
        return 0, 0, 0.0, 0
    if m_b >= ftab[n_tab - 1, FT_M]:
        return n_tab - 1, n_tab - 1, 0.0, n_tab - 1
    lo = 0
    hi = n_tab - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ftab[mid, FT_M] <= m_b:
            lo = mid
        else:
            hi = mid
    return lo, hi, (m_b - ftab[lo, FT_M]) / (ftab[hi, FT_M] - ftab[lo, FT_M]), -1


@kernel_jit()
def _flow_props(ftab, n_tab, m_b):
    """Linear interpolation of the conductances in the flow table (clamped at the ends)."""
    lo, hi, f, edge = _flow_cell(ftab, n_tab, m_b)
    if edge >= 0:
        return ftab[edge, FT_KFG], ftab[edge, FT_KGB], ftab[edge, FT_K12]
    kfg = ftab[lo, FT_KFG] + f * (ftab[hi, FT_KFG] - ftab[lo, FT_KFG])
    kgb = ftab[lo, FT_KGB] + f * (ftab[hi, FT_KGB] - ftab[lo, FT_KGB])
    k12 = ftab[lo, FT_K12] + f * (ftab[hi, FT_K12] - ftab[lo, FT_K12])
    return kfg, kgb, k12


@kernel_jit()
def _layer_conductance(ftab, n_tab, m_b, j):
    """Conductance between grout layers j and j + 1 of a leg group (W/(m K)), linear in
    the flow table (clamped at the ends), as :func:`_flow_props`."""
    c = N_FT + j
    lo, hi, f, edge = _flow_cell(ftab, n_tab, m_b)
    if edge >= 0:
        return ftab[edge, c]
    return ftab[lo, c] + f * (ftab[hi, c] - ftab[lo, c])


@kernel_jit()
def _build_slot(params, ftab, cap, slot, m_flow, mats, vecs, work):
    """Fill cache slot ``slot`` with P, v_in, v_b and the scalar rows for flow m_flow."""
    n = int(params[P_NNODE])
    nseg = int(params[P_NSEG])
    ngl = int(params[P_NGL])
    nps = 2 + 2 * ngl  # nodes per segment
    dt = params[P_DT]
    m_b = m_flow / params[P_NB]
    if m_b < 0.0:
        m_b = 0.0
    kfg, kgb, k12 = _flow_props(ftab, int(params[P_NTAB]), m_b)
    mcs = m_b * params[P_CP] * nseg / params[P_H]  # W/(m K) per metre of segment
    if m_b > 0.0:
        # Tanks-in-series correction: mixed fluid nodes overstate the effective borehole
        # resistance (arithmetic-mean definition) by H / (4 n_seg m cp) to first order in
        # the NTU; remove it from the two fluid->grout paths (in parallel), at most half.
        r_fg = 1.0 / kfg
        r_fg = max(r_fg - params[P_H] / (2.0 * nseg * m_b * params[P_CP]), 0.5 * r_fg)
        kfg = 1.0 / r_fg
    # work[:, :n] = M, work[:, n:2n] = identity -> inverse
    for i in range(n):
        for j in range(2 * n):
            work[i, j] = 0.0
        work[i, n + i] = 1.0
        work[i, i] = cap[i] / dt
    for s in range(nseg):
        d = nps * s
        u = d + 1
        gd = d + 2
        gu = d + 2 + ngl
        # down-leg fluid
        work[d, d] += mcs + kfg + k12
        if s > 0:
            work[d, d - nps] -= mcs
        work[d, gd] -= kfg
        work[d, u] -= k12
        # up-leg fluid
        work[u, u] += mcs + kfg + k12
        if s < nseg - 1:
            work[u, u + nps] -= mcs
        else:
            work[u, d] -= mcs
        work[u, gu] -= kfg
        work[u, d] -= k12
        # grout nodes, from the pipe outwards
        n_tab = int(params[P_NTAB])
        for g0, f in ((gd, d), (gu, u)):
            for j in range(ngl):
                g = g0 + j
                c_in = kfg if j == 0 else _layer_conductance(ftab, n_tab, m_b, j - 1)
                c_out = kgb if j == ngl - 1 else _layer_conductance(ftab, n_tab, m_b, j)
                work[g, g] += c_in + c_out
                work[g, f if j == 0 else g - 1] -= c_in
                if j < ngl - 1:
                    work[g, g + 1] -= c_out
    # Gauss-Jordan with partial pivoting
    for c in range(n):
        p = c
        big = abs(work[c, c])
        for r in range(c + 1, n):
            if abs(work[r, c]) > big:
                big = abs(work[r, c])
                p = r
        if p != c:
            for j in range(2 * n):
                t = work[c, j]
                work[c, j] = work[p, j]
                work[p, j] = t
        piv = 1.0 / work[c, c]
        for j in range(2 * n):
            work[c, j] *= piv
        for r in range(n):
            if r != c:
                f = work[r, c]
                if f != 0.0:
                    for j in range(2 * n):
                        work[r, j] -= f * work[c, j]
    # P = Minv diag(cap/dt); v_in = Minv e_D0 mcs; v_b = Minv e_outer-grout kgb
    od = 1 + ngl  # offsets of the outer grout layers in a segment
    ou = 1 + 2 * ngl
    for i in range(n):
        for j in range(n):
            mats[slot, i, j] = work[i, n + j] * cap[j] / dt
        vecs[slot, V_IN, i] = work[i, n + 0] * mcs
        sb = 0.0
        for s in range(nseg):
            sb += work[i, n + nps * s + od] + work[i, n + nps * s + ou]
        vecs[slot, V_B, i] = sb * kgb
    for j in range(n):
        rg = 0.0
        for s in range(nseg):
            rg += mats[slot, nps * s + od, j] + mats[slot, nps * s + ou, j]
        vecs[slot, R_G, j] = rg / nseg
        vecs[slot, R_U, j] = mats[slot, 1, j]
    s_in = 0.0
    s_b = 0.0
    for s in range(nseg):
        s_in += vecs[slot, V_IN, nps * s + od] + vecs[slot, V_IN, nps * s + ou]
        s_b += vecs[slot, V_B, nps * s + od] + vecs[slot, V_B, nps * s + ou]
    for j in range(n):
        vecs[slot, V_SC, j] = 0.0
    vecs[slot, V_SC, SC_SIN] = s_in / nseg
    vecs[slot, V_SC, SC_SB] = s_b / nseg
    vecs[slot, V_SC, SC_VINU] = vecs[slot, V_IN, 1]
    vecs[slot, V_SC, SC_VBU] = vecs[slot, V_B, 1]
    vecs[slot, V_SC, SC_KGB] = kgb
    vecs[slot, V_SC, SC_KFG] = kfg
    vecs[slot, V_SC, SC_K12] = k12


@kernel_jit()
def _find_slot(slot_m, m_flow):
    """Index of the cache slot holding flow ``m_flow``, -1 on a miss.

    ``slot_m[:N_SLOTS]`` are the cached flows (NaN = empty), ``slot_m[N_SLOTS]`` the next
    slot to replace. The cache is a memo: it never changes the physical state.
    """
    for k in range(N_SLOTS):
        if slot_m[k] == m_flow:
            return k
    return -1


@kernel_jit()
def _new_slot(params, ftab, cap, slot_m, mats, vecs, work, m_flow):
    """Build the next cache slot (round robin) for ``m_flow``; returns its index."""
    k = int(slot_m[N_SLOTS])
    _build_slot(params, ftab, cap, k, m_flow, mats, vecs, work)
    slot_m[k] = m_flow
    slot_m[N_SLOTS] = float((k + 1) % N_SLOTS)
    return k


@kernel_jit(inline="always")
def _grout_outlet(params, nodes, vk):
    """(sp, up): grout mean and outlet rows of ``P x_old``; ``vk`` = ``vecs[k]`` of the
    cache slot ``k`` (a view)."""
    n = int(params[P_NNODE])
    sp = 0.0
    up = 0.0
    for j in range(n):
        sp += vk[R_G, j] * nodes[j]
        up += vk[R_U, j] * nodes[j]
    return sp, up


@kernel_jit(inline="always")
def _wall_law(params, hist, sp, vk):
    """(alpha, beta): T_wall = alpha + beta T_in, from the history term ``hist`` (K) and the
    grout row ``sp`` of :func:`_grout_outlet`; ``vk`` = ``vecs[k]``."""
    th = params[P_T0] - hist
    g = params[P_DG0] * vk[V_SC, SC_KGB]
    den = 1.0 + g * (2.0 - vk[V_SC, SC_SB])
    alpha = (th + g * sp) / den
    beta = g * vk[V_SC, SC_SIN] / den
    return alpha, beta


@kernel_jit(inline="always")
def _outlet_law(params, hist, nodes, vk):
    """(a, b, sp): the outlet law ``T_out = a + b T_in`` of the coming step for the
    history term ``hist`` (K, see :func:`cj_history`) and the cache slot ``vk`` =
    ``vecs[k]``; ``sp`` = grout row of ``P x_old`` (:func:`_grout_outlet`)."""
    sp, up = _grout_outlet(params, nodes, vk)
    alpha, beta = _wall_law(params, hist, sp, vk)
    a = up + vk[V_SC, SC_VBU] * alpha
    b = vk[V_SC, SC_VINU] + vk[V_SC, SC_VBU] * beta
    return a, b, sp


# ------------------------------------------------------------------ kernel-facing API
# The per-step functions are inlined into their callers at numba IR level: passing the
# eleven arrays through a real call costs reference counting and argument marshalling
# that dominated the step (1.7 s → see benchmarks/bench_borefield.py).


@kernel_jit(inline="always")
def borefield_outlet_coeffs(
    params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, m_flow_kg_s
):
    """Affine outlet law of the coming step: ``T_out = a + b T_in`` (°C).

    Pure with respect to the physical state (q_cells, nodes); may fill the flow cache.
    m_flow_kg_s: total field mass flow (kg/s), 0 = pump off (then b = 0).
    """
    k = _find_slot(slot_m, m_flow_kg_s)
    if k < 0:  # cold path kept in the caller: a call here costs nothing when not taken
        k = _new_slot(params, ftab, cap, slot_m, mats, vecs, work, m_flow_kg_s)
    a, b, _sp = _outlet_law(params, cj_history(dg, inv_w, q_cells), nodes, vecs[k])
    return a, b


@kernel_jit(inline="always")
def borefield_step_coeffs(
    params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, m_flow_kg_s
):
    """Begin a step with flow: :func:`borefield_outlet_coeffs` ``(a, b)`` plus ``pending``,
    which :func:`borefield_advance_pending` must receive to complete the step.

    Unlike :func:`borefield_outlet_coeffs` this shifts the aggregation cells already
    (:func:`cj_shift_both_histories`: one pass gives the history term of the outlet law
    and the one the advance uses) and forms the node products once. ``pending`` =
    (1.0: cells shifted, flow, history term of the advance, grout row of P x_old). Every
    number is identical to the separate pure call and advance.
    """
    k = _find_slot(slot_m, m_flow_kg_s)
    if k < 0:  # cold path kept in the caller: a call here costs nothing when not taken
        k = _new_slot(params, ftab, cap, slot_m, mats, vecs, work, m_flow_kg_s)
    h_up, h_down = cj_shift_both_histories(dg, inv_w, q_cells)
    a, b, sp = _outlet_law(params, h_up, nodes, vecs[k])
    return a, b, (1.0, m_flow_kg_s, h_down, sp)


#: ``pending`` of :func:`borefield_advance_pending` when the step was not begun by
#: :func:`borefield_step_coeffs` (pump off).
NO_PENDING = (0.0, np.nan, 0.0, 0.0)


@kernel_jit()
def borefield_inlet_for_heat(
    params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, Q_ground_W, m_flow_kg_s
):
    """Inlet temperature (°C) that extracts ``Q_ground_W`` (W, + = from the ground) this step.

    Closed form from Q = m cp (T_out - T_in) with T_out = a + b T_in. Returns NaN when
    m_flow_kg_s <= 0 (no heat can be exchanged without flow).
    """
    if m_flow_kg_s <= 0.0:
        return np.nan
    a, b = borefield_outlet_coeffs(
        params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, m_flow_kg_s
    )
    return (Q_ground_W / (m_flow_kg_s * params[P_CP]) - a) / (b - 1.0)


@kernel_jit(inline="always")
def borefield_advance(
    params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, T_in_C, m_flow_kg_s
):
    """Advance the borefield one step with inlet T_in_C (°C) and total flow (kg/s).

    Returns (T_out_C, Q_ground_W, T_wall_C, T_fluid_mean_C), see
    :func:`borefield_advance_pending`.
    """
    return borefield_advance_pending(
        params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, T_in_C,
        m_flow_kg_s, (0.0, np.nan, 0.0, 0.0),
    )  # fmt: skip


@kernel_jit(inline="always")
def borefield_advance_pending(
    params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, T_in_C,
    m_flow_kg_s, pending,
):  # fmt: skip
    """Advance the borefield one step with inlet T_in_C (°C) and total flow (kg/s).

    ``pending``: the third value of :func:`borefield_step_coeffs` if it began this step
    (the cells are shifted then), else :data:`NO_PENDING` (the cells are shifted here).

    Returns (T_out_C, Q_ground_W, T_wall_C, T_fluid_mean_C):
    T_out: outlet (top of the up leg; with no flow the resting fluid there);
    Q_ground = m cp (T_out - T_in), W, + = heat extracted from the ground;
    T_wall: borehole wall temperature; T_fluid_mean: (T_in + T_out)/2 with flow, the mean of
    the fluid nodes without flow.
    """
    n = int(params[P_NNODE])
    nseg = int(params[P_NSEG])
    ngl = int(params[P_NGL])
    nps = 2 + 2 * ngl
    k = _find_slot(slot_m, m_flow_kg_s)
    if k < 0:  # cold path kept in the caller: a call here costs nothing when not taken
        k = _new_slot(params, ftab, cap, slot_m, mats, vecs, work, m_flow_kg_s)
    vk = vecs[k]  # views of the cache slot: one index check instead of one per element
    mk = mats[k]
    # the step commits: shift the aggregation cells now (same history as the coefficients)
    if pending[0] == 1.0:  # begun by borefield_step_coeffs: cells already shifted
        hist = pending[2]
        if pending[1] == m_flow_kg_s:
            sp = pending[3]
        else:
            sp, up = _grout_outlet(params, nodes, vk)
    else:
        hist = cj_shift_history(dg, inv_w, q_cells)
        sp, up = _grout_outlet(params, nodes, vk)
    alpha, beta = _wall_law(params, hist, sp, vk)
    if m_flow_kg_s <= 0.0:
        T_in_C = 0.0  # no inflow: v_in == 0, the value is irrelevant
    T_wall = alpha + beta * T_in_C
    # x_new = P x_old + v_in T_in + v_b T_wall; row 0 of ``work`` is scratch (the cached
    # matrices live in mats/vecs)
    for i in range(n):
        work[0, i] = nodes[i]
    for i in range(n):
        acc = vk[V_IN, i] * T_in_C + vk[V_B, i] * T_wall
        for j in range(n):
            acc += mk[i, j] * work[0, j]
        nodes[i] = acc
    sg = 0.0
    for s in range(nseg):
        sg += nodes[nps * s + 1 + ngl] + nodes[nps * s + 1 + 2 * ngl]
    qp = vk[V_SC, SC_KGB] * (2.0 * T_wall - sg / nseg)
    q_cells[0] = qp
    T_out = nodes[1]
    if m_flow_kg_s > 0.0:
        Q = m_flow_kg_s * params[P_CP] * (T_out - T_in_C)
        T_fm = 0.5 * (T_in_C + T_out)
    else:
        Q = 0.0
        T_fm = 0.0
        for s in range(nseg):
            T_fm += nodes[nps * s] + nodes[nps * s + 1]
        T_fm /= 2 * nseg
    return T_out, Q, T_wall, T_fm


@kernel_jit()
def borefield_stored_heat(params, nodes, cap):
    """Heat stored in fluid and grout of the whole field relative to T_0 (J)."""
    seg_len = params[P_H] / params[P_NSEG]
    e = 0.0
    for i in range(int(params[P_NNODE])):
        e += cap[i] * (nodes[i] - params[P_T0])
    return e * seg_len * params[P_NB]


@kernel_jit()
def borefield_wall_heat(params, q_cells):
    """Heat flow through the borehole walls of the field in the last step (W, + extracted)."""
    return q_cells[0] * params[P_NB] * params[P_H]
