"""Borehole interior: fluid properties, pipe layout, multipole resistances and the
resistance–capacitance parameters of the kernel's TRCM.

All functions take SI units; temperatures in °C.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pygfunction as gt

from gshp.physics.borefield.kernel import FT_K12, FT_KFG, FT_KGB, FT_M, N_FT

MULTIPOLE_ORDER = 3


def fluid_properties(name, concentration_pct, T_C, cp_J_kgK=None, density_kg_m3=None):
    """Heat-carrier properties from ``pygfunction.media.Fluid`` (with overrides).

    Returns a dict with cp (J/kgK), rho (kg/m³), mu (Pa s), k (W/mK).
    Reference: pygfunction.media (SecondaryCoolantProps, Melinder 2010 fits).
    """
    fname = "Water" if name.lower() == "water" else name.upper()
    pct = 0.0 if fname == "Water" else float(concentration_pct)
    fl = gt.media.Fluid(fname, pct, T=float(T_C))
    rho_base = float(fl.rho)
    cp = float(cp_J_kgK) if cp_J_kgK is not None else float(fl.cp)
    rho = float(density_kg_m3) if density_kg_m3 is not None else rho_base
    return {"cp": cp, "rho": rho, "mu": float(fl.mu), "k": float(fl.k)}


def pipe_positions(arrangement: str, shank_spacing_m: float):
    """Pipe centre positions (m) in pygfunction's order (inlet pipes first).

    single_u: down leg at (-s/2, 0), up leg at (+s/2, 0). double_u ('parallel' in
    pygfunction): down legs at (-s/2, 0), (0, -s/2); up legs at (+s/2, 0), (0, +s/2).
    Returns (positions, n_u) with n_u the number of U-tubes.
    """
    h = 0.5 * shank_spacing_m
    if arrangement == "single_u":
        return [(-h, 0.0), (h, 0.0)], 1
    return [(-h, 0.0), (0.0, -h), (h, 0.0), (0.0, h)], 2


def fluid_to_pipe_resistance(m_flow_pipe, r_in, r_out, k_p, roughness, fluid):
    """Fluid-to-outer-pipe-wall resistance R_fp (m K/W): convection + pipe wall.

    Convection from pygfunction's correlations (laminar Nu = 3.66, Gnielinski turbulent,
    Gnielinski 2013 interpolation between), conduction ln(r_out/r_in)/(2 pi k_p).
    """
    m = max(float(m_flow_pipe), 1e-9)
    h = gt.pipes.convective_heat_transfer_coefficient_circular_pipe(
        m, r_in, fluid["mu"], fluid["rho"], fluid["k"], fluid["cp"], roughness
    )
    r_conv = 1.0 / (2.0 * math.pi * r_in * h)
    r_wall = gt.pipes.conduction_thermal_resistance_circular_pipe(r_in, r_out, k_p)
    return r_conv + r_wall


def delta_circuit(pos, r_out, r_b, k_s, k_g, R_fp):
    """Delta-circuit resistances (m K/W) by the multipole method (Claesson & Hellström
    2011), via ``pygfunction.pipes.thermal_resistances`` (order J = 3)."""
    _, Rd = gt.pipes.thermal_resistances(pos, r_out, r_b, k_s, k_g, R_fp, J=MULTIPOLE_ORDER)
    return np.array(Rd, dtype=float)


def grout_node_position(arrangement: str, r_b: float, r_out: float) -> float:
    """Relative position x of the grout node between pipe wall and borehole wall (-).

    Bauer et al. (2011), Int. J. Energy Res. 35: 312–320, eqs. for the single and double
    U-tube TRCM (D_b borehole, D_po pipe outer diameter).
    """
    Db = 2.0 * r_b
    Dp = 2.0 * r_out
    if arrangement == "single_u":
        return math.log(math.sqrt(Db**2 + 2 * Dp**2) / (2 * Dp)) / math.log(
            Db / (math.sqrt(2) * Dp)
        )
    return math.log(math.sqrt(Db**2 + 4 * Dp**2) / (2 * math.sqrt(2) * Dp)) / math.log(
        Db / (2 * Dp)
    )


def grout_layer_positions(arrangement: str, r_b: float, r_out: float, n_layers: int):
    """Relative positions x_j (j = 1 … n_layers) of the grout layer nodes between the pipe
    wall (x = 0) and the borehole wall (x = 1) (-).

    The grout around the pipes (seen as one equivalent pipe of radius r_p = sqrt(2 n_u) r_out,
    same area as the n_u U-tubes' 2 n_u pipes) is split into ``n_layers`` annuli of equal
    area; each node sits at the area-median radius r_j of its annulus,
    r_j² = r_p² + (j − ½)/n (r_b² − r_p²), at x_j = ln(r_j / r_p) / ln(r_b / r_p).
    With one layer this is exactly :func:`grout_node_position` (Bauer et al. 2011); more
    layers bring part of the grout's heat capacity closer to the fluid, as the improved
    TRCM of Pasquier & Marcotte (2012), Renewable Energy 46: 92–99.
    """
    if n_layers == 1:
        return [grout_node_position(arrangement, r_b, r_out)]
    n_pipes = 2 if arrangement == "single_u" else 4
    r_p = math.sqrt(n_pipes) * r_out
    out = []
    for j in range(1, n_layers + 1):
        r_j = math.sqrt(r_p**2 + (j - 0.5) / n_layers * (r_b**2 - r_p**2))
        out.append(math.log(r_j / r_p) / math.log(r_b / r_p))
    return out


def layer_conductances(Rd, R_fp, n_u, xs):
    """Conductances between consecutive grout layers of one leg group (W/mK), per metre.

    ``xs``: the layer positions of :func:`grout_layer_positions`; the resistance between
    layers j and j + 1 of pipe i is (x_{j+1} − x_j)(R_ii − R_fp). Returns a list of
    ``len(xs) - 1`` values (empty with one layer).
    """
    out = []
    for j in range(len(xs) - 1):
        c = 0.0
        for i in range(n_u):
            c += 1.0 / ((xs[j + 1] - xs[j]) * (Rd[i, i] - R_fp))
        out.append(c)
    return out


def group_conductances(Rd, R_fp, n_u, x):
    """Per-metre conductances of the kernel's four-node cross-section (W/mK).

    Down group = pipes 0..n_u-1, up group = pipes n_u..2n_u-1. Each pipe-to-wall delta
    resistance R_ii is split at the grout node: R_fg = R_fp + x (R_ii - R_fp),
    R_gb = (1 - x)(R_ii - R_fp) (Bauer et al. 2011). Returns (K_fg, K_gb, K_12) of a group.
    K_12 keeps its sign: the multipole delta circuit can give a (small) negative
    leg-to-leg conductance when the grout conducts less than the ground.
    """
    kfg = 0.0
    kgb = 0.0
    for i in range(n_u):
        rg = Rd[i, i] - R_fp
        kfg += 1.0 / (R_fp + x * rg)
        kgb += 1.0 / ((1.0 - x) * rg)
    k12 = 0.0
    for i in range(n_u):
        for j in range(n_u, 2 * n_u):
            k12 += 1.0 / Rd[i, j]
    return kfg, kgb, k12


def local_resistance(Rd) -> float:
    """Local borehole resistance R_b = 1 / sum_i 1/R_ii (m K/W) (pygfunction's definition)."""
    return 1.0 / float(np.sum(1.0 / np.diag(Rd)))


def internal_resistance(Rd, n_u) -> float:
    """Internal resistance R_a between the down and up leg groups (m K/W), Hellström (1991)."""
    d = np.diag(Rd)
    r1 = 1.0 / np.sum(1.0 / d[:n_u])
    r2 = 1.0 / np.sum(1.0 / d[n_u:])
    k12 = sum(1.0 / Rd[i, j] for i in range(n_u) for j in range(n_u, 2 * n_u))
    return 1.0 / (k12 + 1.0 / (r1 + r2))


def hellstrom_effective(R_b, R_a, H, m_b, cp) -> float:
    """Effective borehole resistance R_b* = R_b eta coth(eta), eta = H/(m cp sqrt(R_a R_b)).

    Hellström (1991), Ground heat storage, Lund; valid for symmetric U-tubes.
    """
    eta = H / (m_b * cp * math.sqrt(R_a * R_b))
    return R_b * eta / math.tanh(eta)


def effective_resistance_pygfunction(pos, r_in, r_out, n_u, H, D, r_b, k_s, k_g, R_fp, m_b, cp):
    """Effective borehole resistance R_b* (m K/W) from pygfunction's pipe model
    (Cimmino 2019 method, ``_BasePipe.effective_borehole_thermal_resistance``)."""
    bh = gt.boreholes.Borehole(H, D, r_b, 0.0, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if n_u == 1:
            p = gt.pipes.SingleUTube(pos, r_in, r_out, bh, k_s, k_g, R_fp, J=MULTIPOLE_ORDER)
        else:
            p = gt.pipes.MultipleUTube(
                pos,
                r_in,
                r_out,
                bh,
                k_s,
                k_g,
                R_fp,
                nPipes=2,
                config="parallel",
                J=MULTIPOLE_ORDER,
            )
        return float(p.effective_borehole_thermal_resistance(m_b, cp)), float(
            p.local_borehole_thermal_resistance()
        )


#: Flow tables computed in this process, by cache key (most recent last).
_FLOW_TABLE_MEMORY: dict = {}
_FLOW_TABLE_MEMORY_SIZE = 16


def flow_table(
    m_design,
    pos,
    n_u,
    r_in,
    r_out,
    r_b,
    k_s,
    k_g,
    k_p,
    roughness,
    fluid,
    x,
    scale=1.0,
    n=48,
    cache_dir=None,
    use_cache=True,
):
    """Conductances vs flow per borehole for the kernel (rows of FT_* columns).

    Flows from 1e-6 kg/s to 4 × design on a grid dense near laminar–turbulent transition;
    the kernel interpolates linearly and clamps outside. ``scale`` multiplies every
    resistance (R_b override). ``x``: the grout node position, or a list of the positions
    of several grout layers (:func:`grout_layer_positions`): then K_fg leads to the first
    layer, K_gb leaves the last, and columns N_FT + j hold the conductances between layers.
    Returns (n, N_FT + layers - 1) float64.

    The table (about 50 multipole solutions) is kept in memory and in the g-function disk
    cache (``cache_dir``, see :mod:`gshp.io.diskcache`) by an exact hash of its inputs.
    """
    from importlib.metadata import version

    from gshp.io.diskcache import cached_path, load_array, save_array

    xs = [float(v) for v in np.atleast_1d(x)]
    grid = np.unique(np.concatenate([[1e-6], np.geomspace(m_design * 0.01, m_design * 4.0, n - 1)]))
    key_inputs = {
        "pygfunction": version("pygfunction"),
        "multipole_order": MULTIPOLE_ORDER,
        "grid": grid,
        "pos": [list(map(float, p)) for p in pos],
        "n_u": int(n_u),
        "r": [float(r_in), float(r_out), float(r_b)],
        "k": [float(k_s), float(k_g), float(k_p)],
        "roughness": float(roughness),
        "fluid": {k: float(v) for k, v in fluid.items()},
        "x": xs if len(xs) > 1 else xs[0],
        "scale": float(scale),
    }
    path = cached_path("ft", key_inputs, cache_dir)
    shape = (grid.size, N_FT + len(xs) - 1)
    tab = None
    if use_cache:
        tab = _FLOW_TABLE_MEMORY.pop(path.name, None)
        if tab is None:
            tab = load_array(path, shape, what="borehole flow table")
    if tab is None:
        tab = _flow_table(
            grid, pos, n_u, r_in, r_out, r_b, k_s, k_g, k_p, roughness, fluid, xs, scale
        )
        if use_cache:
            save_array(path, tab, what="borehole flow table")
    if use_cache:
        _FLOW_TABLE_MEMORY[path.name] = tab
        while len(_FLOW_TABLE_MEMORY) > _FLOW_TABLE_MEMORY_SIZE:
            _FLOW_TABLE_MEMORY.pop(next(iter(_FLOW_TABLE_MEMORY)))
    return tab.copy()


def _flow_table(grid, pos, n_u, r_in, r_out, r_b, k_s, k_g, k_p, roughness, fluid, xs, scale):
    tab = np.zeros((grid.size, N_FT + len(xs) - 1))
    for i, m in enumerate(grid):
        R_fp = fluid_to_pipe_resistance(m / n_u, r_in, r_out, k_p, roughness, fluid)
        Rd = delta_circuit(pos, r_out, r_b, k_s, k_g, R_fp) * scale
        kfg, _, k12 = group_conductances(Rd, R_fp * scale, n_u, xs[0])
        _, kgb, _ = group_conductances(Rd, R_fp * scale, n_u, xs[-1])
        tab[i, FT_M] = m
        tab[i, FT_KFG] = kfg
        tab[i, FT_KGB] = kgb
        tab[i, FT_K12] = k12
        tab[i, N_FT:] = layer_conductances(Rd, R_fp * scale, n_u, xs)
    return tab
