"""One step of the whole network in the compiled kernel (allocation-free).

Pipes ``0 … n−1`` are the supply pipes in topological order (parents first), ``n … 2n−1``
the return pipes of the same trenches. Per step:

1. **Supply**, parents first: each supply pipe takes the outlet of its parent (the
   station's supply at the plant) and advances (:func:`~gshp.physics.network.plugflow.pipe_step`)
   with the soil temperature raised by the pair's mutual influence,
   ``T_eff = T_s + w·(T̄_return − T_s)`` (:func:`~gshp.physics.network.heat_loss.pair_coupling`;
   the neighbour's mean water temperature at the start of the step).
2. **Substations** at each pipe's downstream node draw their load ``Q_b`` (W, + drawn)
   from the supply arriving there with their flow ``ṁ_b``; their return is
   ``T_node − Q_b/(ṁ_b c)``.
3. **Return**, children first: each node mixes its substations' returns and the return
   pipes arriving from downstream (mass-weighted, exact); the mix enters the node's
   return pipe; the plant receives the mix of the return pipes leaving the root.

Flows: every pipe carries the sum of the flows of the substations downstream of it
(:func:`network_flows`, once per load slot). Energy is conserved exactly: the station's
``ṁc(T_supply − T_return)`` equals the substations' draw minus the pipes' gain from the
soil plus the change of the water's stored energy.
"""

from __future__ import annotations

from gshp.jit import kernel_jit
from gshp.physics.network.plugflow import (
    pipe_inflow,
    pipe_mean_temperature,
    pipe_outflow,
    pipe_pair_outflow,
    pipes_are_twins,
)


@kernel_jit(error_model="numpy", inline="always")
def network_flows(m_b, building_pipe, parent, m_pipe):
    """Flow of each pipe pair (kg/s) = sum of the substation flows ``m_b`` downstream of
    it, accumulated from the leaves (topological order: children after parents); returns
    the plant's total flow."""
    n = m_pipe.size
    for i in range(n):
        m_pipe[i] = 0.0
    total = 0.0
    for b in range(m_b.size):
        m_pipe[building_pipe[b]] += m_b[b]
        total += m_b[b]
    for i in range(n - 1, -1, -1):
        p = parent[i]
        if p >= 0:
            m_pipe[p] += m_pipe[i]
    return total


@kernel_jit(error_model="numpy", inline="always")
def network_step(
    par, fs, ring, buf, parent, building_pipe, w, m_pipe, m_b, Q_b, T_soil, T_supply, cp,
    T_node_b, work,
):  # fmt: skip
    """Advance the network by one step.

    Parameters
    ----------
    par, fs, ring, buf
        Pipe state arrays (2n pipes: supply then return), :mod:`gshp.physics.network.plugflow`.
    parent : int64 (n,)
        Upstream pipe of each pipe, −1 at the plant (topological order).
    building_pipe : int64 (n_b,)
        Pipe at whose downstream node each substation sits.
    w : float64 (2n,)
        Neighbour weight of each pipe's effective soil temperature.
    m_pipe : float64 (n,)
        Pipe-pair flows (:func:`network_flows`), kg/s.
    m_b, Q_b : float64 (n_b,)
        Substation flows (kg/s) and loads (W, + drawn from the network).
    T_soil : float64 (n,)
        Undisturbed soil temperature at each trench over the step, °C.
    T_supply : float
        Supply temperature leaving the plant, °C.
    cp : float
        Specific heat of the water, J/(kg·K).
    T_node_b : float64 (n_b,)
        Out: supply temperature arriving at each substation, °C.
    work : float64 (≥ 4n,)
        Scratch: effective soil temperatures, outlet temperatures, mixing sums, 1/ṁ.

    Returns
    -------
    (T_return, Q_pipes)
        Mean temperature of the return arriving at the plant (°C) and the heat the network
        water gained from the soil (W, + gained).
    """
    n = parent.size
    nb = building_pipe.size
    # effective soil temperatures from the neighbours' mean temperatures at the start
    for i in range(n):
        m = m_pipe[i]
        work[3 * n + i] = 1.0 / m if m > 0.0 else 0.0
        Ts = T_soil[i]
        T_ret_mean = pipe_mean_temperature(par, fs, n + i)
        T_sup_mean = pipe_mean_temperature(par, fs, i)
        work[i] = Ts + w[i] * (T_ret_mean - Ts)
        work[n + i] = Ts + w[n + i] * (T_sup_mean - Ts)
    # the water already in the pipes that leaves during the step: independent pipes; the
    # supply and return pipe of a trench as one pair when they are twins (the usual case)
    for i in range(n):
        m = m_pipe[i]
        inv = work[3 * n + i]
        if pipes_are_twins(par, ring, i, n + i):
            pipe_pair_outflow(par, fs, ring, buf, i, n + i, m, inv, work[i], work[n + i])
        else:
            pipe_outflow(par, fs, ring, buf, i, m, inv, work[i])
            pipe_outflow(par, fs, ring, buf, n + i, m, inv, work[n + i])
    gain = 0.0
    # 1. supply pipes, parents first
    for i in range(n):
        p = parent[i]
        T_in = T_supply if p < 0 else work[2 * n + p]
        T_out, g = pipe_inflow(par, fs, ring, buf, i, m_pipe[i], work[3 * n + i], T_in, work[i])
        work[2 * n + i] = T_out
        gain += g
    # 2. substations; their returns start the mixing sums at their nodes (work[0:n] is
    # free again: the supply pipes are done)
    for i in range(n):
        work[i] = 0.0
    for b in range(nb):
        i = building_pipe[b]
        T_node = work[2 * n + i]
        T_node_b[b] = T_node
        m = m_b[b]
        if m > 0.0:
            work[i] += m * T_node - Q_b[b] / cp
    # 3. return pipes, children first
    plant = 0.0
    for i in range(n - 1, -1, -1):
        m = m_pipe[i]
        inv = work[3 * n + i]
        T_in = work[i] * inv if m > 0.0 else work[2 * n + i]
        T_out, g = pipe_inflow(par, fs, ring, buf, n + i, m, inv, T_in, work[n + i])
        gain += g
        p = parent[i]
        if p < 0:
            plant += m * T_out
        else:
            work[p] += m * T_out
    m_tot = 0.0
    for i in range(n):
        if parent[i] < 0:
            m_tot += m_pipe[i]
    T_return = plant / m_tot if m_tot > 0.0 else T_supply
    return T_return, gain * cp


@kernel_jit(inline="always")
def booster_cops_at(T, table, T0, inv_dT):
    """Row of ``table`` at network temperature ``T`` by linear interpolation (rows at
    ``T0 + j/inv_dT``, clamped at the ends); the setup tabulates 1/COP_sh, 1/COP_dhw,
    1/EER (:func:`gshp.physics.network.setup.booster_cop_table`)."""
    x = (T - T0) * inv_dT
    n = table.shape[0]
    if x <= 0.0:
        return table[0, 0], table[0, 1], table[0, 2]
    if x >= n - 1:
        return table[n - 1, 0], table[n - 1, 1], table[n - 1, 2]
    j = int(x)
    w = x - j
    return (
        table[j, 0] + w * (table[j + 1, 0] - table[j, 0]),
        table[j, 1] + w * (table[j + 1, 1] - table[j, 1]),
        table[j, 2] + w * (table[j + 1, 2] - table[j, 2]),
    )


@kernel_jit(error_model="numpy", inline="always")
def substation_loads(Qsh, Qdhw, Qsc, Qpvt, Qdirect, load_direct, T_node_b, cop_table, cop_T0,
                     cop_inv_dT, cp, dT_design, m_min_b, Q_b, m_b):  # fmt: skip
    """Each substation's share (1/n_b) of the slot's district demands drawn through its
    booster at the supply temperature of its node; fills ``Q_b`` (W, + drawn from the
    network) and ``m_b`` (kg/s, ``max(|Q_b|/(c·ΔT), ṁ_min)``) and returns the boosters'
    electric power (heating + DHW, cooling), W."""
    nb = Q_b.size
    share = 1.0 / nb
    inv_mcp = 1.0 / (cp * dT_design)
    P_heat = 0.0
    P_cool = 0.0
    q_direct = Qdirect * share
    q_demand = (Qsh + Qdhw - Qsc - Qpvt) * share
    for b in range(nb):
        if load_direct:
            q = q_direct
        else:
            i_sh, i_dhw, i_eer = booster_cops_at(T_node_b[b], cop_table, cop_T0, cop_inv_dT)
            ph = (Qsh * i_sh + Qdhw * i_dhw) * share
            pc = Qsc * i_eer * share
            P_heat += ph
            P_cool += pc
            q = q_demand - ph - pc
        Q_b[b] = q
        m = abs(q) * inv_mcp
        m_b[b] = m if m > m_min_b else m_min_b
    return P_heat, P_cool


@kernel_jit(inline="always")
def booster_unmet(heat, cool, T_source, T_min, T_max, capacity):
    """Building demand one booster cannot serve, W: (heating + DHW, cooling).

    ``heat``, ``cool`` : the substation's building demands for heating + DHW and for
    cooling, W (≥ 0); ``T_source`` : the network water at its node, °C; ``T_min``,
    ``T_max`` : the booster's source-water range, °C; ``capacity`` : its largest heat
    output (heating) and cooling output, W (``inf``: unlimited).

    With the water outside ``[T_min, T_max]`` the booster cannot run (evaporator freezing
    below, compressor envelope above): the substation's whole demand is unmet. Inside the
    range only what exceeds the capacity is unmet. Bounded by the demand by construction.
    """
    if T_source < T_min or T_source > T_max:
        return heat, cool
    uh = heat - capacity if heat > capacity else 0.0
    uc = cool - capacity if cool > capacity else 0.0
    return uh, uc


@kernel_jit(error_model="numpy", inline="always")
def substation_unmet(Qsh, Qdhw, Qsc, Qdirect, load_direct, T_node_b, T_min, T_max, capacity):
    """Building demand the substations' boosters cannot serve in a slot, W: (heating +
    DHW, cooling), summed over the substations (:func:`booster_unmet` of each, at the
    supply temperature of its node ``T_node_b``, °C). Each substation has the share
    1/n_b of the district's demands; with a net network load given directly
    (``load_direct``) the demand is the substation's net draw (heating) or rejection
    (cooling)."""
    nb = T_node_b.size
    share = 1.0 / nb
    if load_direct:
        q = Qdirect * share
        heat = q if q > 0.0 else 0.0
        cool = -q if q < 0.0 else 0.0
    else:
        heat = (Qsh + Qdhw) * share
        cool = Qsc * share
    uh = 0.0
    uc = 0.0
    for b in range(nb):
        h, c = booster_unmet(heat, cool, T_node_b[b], T_min, T_max, capacity)
        uh += h
        uc += c
    return uh, uc


@kernel_jit(error_model="numpy", inline="always")
def substation_supply_deficit(Q_b, m_b, T_node_b, T_set, heating, cp, tol):
    """Supply deficit of the substations against the setpoint, W (not unmet heat: the
    boosters draw their heat from whatever water reaches them, see
    :func:`substation_unmet`).

    Heating season: substations drawing heat whose supply is more than ``tol`` below the
    setpoint count ``min(Q_b, ṁ_b·c·(T_set − tol − T_node))``, the heat that would lift
    their water back to the setpoint; cooling season: substations rejecting heat with
    their supply more than ``tol`` above the setpoint count
    ``min(−Q_b, ṁ_b·c·(T_node − T_set − tol))``. Bounded by their draw. The tolerance
    leaves out the few tenths of a kelvin the water normally loses or gains along the
    pipes."""
    s = 0.0
    for b in range(Q_b.size):
        q = Q_b[b]
        if heating:
            d = T_set - tol - T_node_b[b]
            if q > 0.0 and d > 0.0:
                g = m_b[b] * cp * d
                s += g if g < q else q
        else:
            d = T_node_b[b] - T_set - tol
            if q < 0.0 and d > 0.0:
                g = m_b[b] * cp * d
                s += g if g < -q else -q
    return s
