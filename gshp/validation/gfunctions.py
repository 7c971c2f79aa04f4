"""Check 2: field g-functions of gshp (its default 'equivalent' solver, through
:meth:`gshp.physics.borefield.Borefield.gfunction`) against pygfunction's reference 'detailed'
solver, for three layouts and both boundary conditions (UBWT, MIFT).
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pygfunction as gt

from gshp.physics.borefield import Borefield
from gshp.physics.borefield import gfunction as gfn
from gshp.validation.core import Row, Section, at_most, fmt, markdown_table

TOLERANCE = 0.01
"""Largest relative difference allowed (1 %: the equivalent-borehole method's error
against the detailed solver, Prieto & Cimmino 2021)."""

SPACING_M = 8.0
LAYOUTS = {
    "single": [(0.0, 0.0)],
    "3×2": [(i * SPACING_M, j * SPACING_M) for j in range(2) for i in range(3)],
    "L (5 + 3)": [(i * SPACING_M, 0.0) for i in range(5)]
    + [(0.0, j * SPACING_M) for j in range(1, 4)],
}
YEAR_S = 365.0 * 86400.0


def comparison_times(quick: bool) -> np.ndarray:
    """Times (s) of the comparison: 1 day to 20 years, log-spaced."""
    return np.geomspace(86400.0, 20 * YEAR_S, 12 if quick else 24)


def gshp_fls(bf: Borefield, times) -> np.ndarray:
    """gshp's field g-function at ``times`` without the short-time cylinder correction
    (the part pygfunction computes): composite − (g_ICS − g_ILS)."""
    g, _ = bf.gfunction(times, use_cache=False)
    Fo = bf.alpha * times / bf.r_b**2
    return g - (gfn.g_ics(Fo) - gfn.g_ils(Fo))


def pygfunction_reference(bf: Borefield, times, bc: str) -> np.ndarray:
    """The same field by pygfunction's 'detailed' solver, built independently of gshp
    (pipes, convection and fluid from pygfunction's own functions)."""
    boreholes = [gt.boreholes.Borehole(bf.H, bf.D, bf.r_b, x, y) for x, y in bf.coords]
    opts = {"disp": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if bc == "UBWT":
            gf = gt.gfunction.gFunction(
                boreholes, bf.alpha, time=times, method="detailed", boundary_condition="UBWT",
                options=opts,
            )  # fmt: skip
        else:
            fl = gt.media.Fluid("MPG", 30.0, T=5.0)
            m_pipe = bf.m_b_design
            h = gt.pipes.convective_heat_transfer_coefficient_circular_pipe(
                m_pipe, bf.r_in, fl.mu, fl.rho, fl.k, fl.cp, bf.roughness
            )
            R_fp = 1.0 / (2 * math.pi * bf.r_in * h) + (
                gt.pipes.conduction_thermal_resistance_circular_pipe(bf.r_in, bf.r_out, bf.k_p)
            )
            s = 0.5 * 0.078
            pipes = [
                gt.pipes.SingleUTube(
                    [(-s, 0.0), (s, 0.0)], bf.r_in, bf.r_out, b, bf.k_s, bf.k_g, R_fp
                )
                for b in boreholes
            ]
            network = gt.networks.Network(boreholes, pipes)
            gf = gt.gfunction.gFunction(
                network, bf.alpha, time=times, method="detailed", boundary_condition="MIFT",
                m_flow_network=bf.m_b_design * len(boreholes), cp_f=fl.cp, options=opts,
            )  # fmt: skip
    return np.asarray(gf.gFunc, dtype=float)


def run(ctx) -> Section:
    t0 = time.perf_counter()
    times = comparison_times(ctx.quick)
    sec = Section("gfunctions", "2. g-functions vs pygfunction")
    curves = {}
    table = []
    for name, coords in LAYOUTS.items():
        for bc in ("UBWT", "MIFT"):
            bf = Borefield.from_params(
                coordinates_m=coords,
                T_undisturbed_C=10.0,
                boundary_condition=bc,
                cache_dir=ctx.cache_dir,
            )
            ours = gshp_fls(bf, times)
            ref = pygfunction_reference(bf, times, bc)
            rel = float(np.max(np.abs(ours / ref - 1.0)))
            ok, tol = at_most(rel * 100, TOLERANCE * 100, "%")
            sec.rows.append(
                Row(
                    "2 g-function",
                    f"{name}, {bc}: max relative difference, 1 d – 20 a",
                    "pygfunction 'detailed' solver",
                    "pyg, CB2014, Cim2015" if bc == "MIFT" else "pyg, CB2014",
                    rel * 100,
                    float("nan"),
                    "%",
                    tol,
                    ok,
                    digits=3,
                )
            )
            curves[(name, bc)] = (ours, ref)
            table.append(
                [name, bc, len(coords), fmt(ref[-1], 3), fmt(ours[-1], 3), fmt(rel * 100, 3)]
            )
    sec.text += [
        "Reference borehole of the cases (H = 100 m, D = 1.5 m, r_b = 0.07 m, single U "
        "32/26 mm at 78 mm, grout 1.8 W/(m·K), ground 2.2 W/(m·K) and 2.5 MJ/(m³·K), "
        "MPG 30 % at 0.35 kg/s per borehole), boreholes 8 m apart. gshp: its default "
        "'equivalent' solver (Prieto & Cimmino 2021) through `Borefield.gfunction` without "
        "the short-time cylinder correction; reference: pygfunction's 'detailed' solver on "
        "a field and pipe network built independently.",
        "",
        markdown_table(
            ["layout", "boundary", "boreholes", "g(20 a) pygfunction", "g(20 a) gshp",
             "max rel. diff (%)"],
            table,
        ),  # fmt: skip
    ]
    sec.figures.append(_figure(ctx.out_dir / "gfunctions.png", times, curves))
    sec.seconds = time.perf_counter() - t0
    return sec


def _figure(path, times, curves):
    from gshp.io.report import _figure, _save

    fig = _figure(figsize=(7.5, 4.6))
    ax = fig.subplots()
    colors = {"single": "tab:blue", "3×2": "tab:orange", "L (5 + 3)": "tab:green"}
    x = times / YEAR_S
    for (name, bc), (ours, ref) in curves.items():
        ls = "-" if bc == "UBWT" else "--"
        ax.plot(x, ours, ls, color=colors[name], lw=1.4, label=f"gshp {name} {bc}")
        ax.plot(x, ref, "o", color=colors[name], ms=3.5, mfc="none")
    ax.plot([], [], "o", color="0.3", mfc="none", ms=3.5, label="pygfunction 'detailed'")
    ax.set_xscale("log")
    ax.set_xlabel("time (years)")
    ax.set_ylabel("g-function (–)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    ax.set_title("Field g-functions: gshp vs pygfunction")
    _save(fig, path)
    return path
