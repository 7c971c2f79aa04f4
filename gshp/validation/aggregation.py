"""Check 1: gshp's compiled Claesson–Javed load aggregation against
:class:`pygfunction.load_aggregation.ClaessonJaved`, same g-function and loads.
"""

from __future__ import annotations

import time

import numpy as np
import pygfunction as gt

from gshp.physics.borefield import Borefield, cj_step
from gshp.validation.core import Row, Section, at_most, fmt, markdown_table, pygfunction_version

TOLERANCE_K = 1e-9
"""docs/reference-study.md §2: the same borehole wall temperature as pygfunction to 1e-9 K."""


def wall_temperature_difference(n_steps: int, dt_s: float = 3600.0, cache_dir=None, seed=7):
    """Largest |ΔT_wall| (K) between gshp and pygfunction over ``n_steps`` random loads.

    Field: 3 × 2 boreholes at 6 m (reference case borehole and ground). Loads: normal,
    30 W/m standard deviation, on a yearly sine of 10 W/m (seeded). Returns
    (max |Δ| K, max |drop| K).
    """
    bf = Borefield.from_params(
        n_x=3, n_y=2, spacing_m=6.0, T_undisturbed_C=10.0, cache_dir=cache_dir
    )
    lo = gt.load_aggregation.ClaessonJaved(dt_s, n_steps * dt_s)
    g, _ = bf.gfunction(lo.get_times_for_simulation())
    lo.initialize(g / (2 * np.pi * bf.k_s))
    bk = bf.kernel_setup(dt_s, n_steps)
    rng = np.random.default_rng(seed)
    q = rng.normal(0.0, 30.0, n_steps) + 10.0 * np.sin(np.arange(n_steps) * 2 * np.pi / 8760)
    q_cells = np.zeros_like(bk.q_cells)
    worst = 0.0
    largest = 0.0
    for i in range(n_steps):
        lo.next_time_step((i + 1) * dt_s)
        lo.set_current_load(q[i])
        ref = float(lo.temporal_superposition())
        ours = cj_step(bk.dg, bk.inv_w, q_cells, q[i])
        worst = max(worst, abs(ours - ref))
        largest = max(largest, abs(ref))
    return worst, largest


def run(ctx) -> Section:
    t0 = time.perf_counter()
    n = 8760 if ctx.quick else 5 * 8760
    worst, largest = wall_temperature_difference(n, cache_dir=ctx.cache_dir)
    ok, tol = at_most(worst, TOLERANCE_K, "K")
    sec = Section("aggregation", "1. Claesson–Javed load aggregation vs pygfunction")
    sec.rows.append(
        Row(
            "1 aggregation",
            f"max |ΔT_wall| over {n} hourly random loads (3×2 field)",
            f"pygfunction {pygfunction_version()} ClaessonJaved",
            "CJ2012, pyg",
            worst,
            float("nan"),
            "K",
            tol,
            ok,
        )
    )
    sec.text += [
        "The compiled aggregation (`gshp.physics.borefield.kernel.cj_step`) and "
        "`pygfunction.load_aggregation.ClaessonJaved` are fed the same g-function (the 3×2 "
        "field of the reference borehole, 6 m spacing) and the same seeded random hourly "
        "loads (normal, σ = 30 W/m, on a yearly sine of 10 W/m).",
        "",
        markdown_table(
            ["hours", "largest wall temperature change (K)", "max |gshp − pygfunction| (K)"],
            [[n, fmt(largest), fmt(worst)]],
        ),
    ]
    sec.seconds = time.perf_counter() - t0
    return sec
