"""Check 3: the Beier et al. (2011) sandbox thermal response test.

Beier, R.A., Smith, M.D., Spitler, J.D. (2011). Reference data sets for vertical borehole
ground heat exchanger models and thermal response test analysis. Geothermics 40: 79–85.
The data file (``gshp/data/validation/beier2011_sandbox.txt``, tabular form of the
Modelica IBPSA library, BSD-3-Clause; see the README beside it) has two header lines, then
one row a minute: time (s), inlet and outlet fluid temperature (°C), heater power as a
fraction of 1056 W.

The standalone borefield is driven by the measured heater power and flow; the simulated
inlet, outlet and mean fluid temperatures are compared with the measured ones.
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from gshp.errors import InputError
from gshp.physics.borefield.model import Borefield
from gshp.validation.core import Row, Section, at_most, fmt, markdown_table

HEATER_W = 1056.0
"""Full heater power of the test, W."""
FLOW_KG_S = 0.197e-3 * 998.0
"""Water flow of the test (0.197 L/s), kg/s."""
IBPSA_RMSE_K = 0.28
"""RMSE of the mean fluid temperature of IBPSA's validation model (Laferrière et al. 2020)."""

#: Discretisation of the validation set-up: 10 vertical segments (IBPSA's default nSeg)
#: and 3 radial grout layers per leg (converged: see :func:`convergence`).
SEGMENTS = 10
GROUT_LAYERS = 3


def data_path():
    """The packaged measured data file."""
    return resources.files("gshp").joinpath("data/validation/beier2011_sandbox.txt")


def beier_borefield(cache_dir=None, n_segments: int = 2, grout_layers: int = 1) -> Borefield:
    """The sandbox set-up (README beside the data): R_b* = 0.165 m·K/W as reported, the
    aluminium casing (2 mm, 2.4 MJ/(m³·K)) lumped with the fluid as in IBPSA's model."""
    return Borefield.from_params(
        coordinates_m=[(0.0, 0.0)],
        length_m=18.3,
        buried_depth_m=0.0,
        radius_m=0.063,
        flow_per_borehole_kg_s=FLOW_KG_S,
        R_b_override_mK_W=0.165,
        ground_conductivity_W_mK=2.88,
        ground_volumetric_heat_capacity_J_m3K=2000 * 1275.0,
        T_undisturbed_C=22.09,
        pipe_outer_diameter_m=2 * 0.0167,
        pipe_inner_diameter_m=2 * (0.0167 - 0.003),
        shank_spacing_m=0.053,
        pipe_conductivity_W_mK=0.39,
        grout_conductivity_W_mK=0.73,
        grout_volumetric_heat_capacity_J_m3K=1900 * 2000.0,
        extra_heat_capacity_J_mK=2.4e6 * 2 * np.pi * 0.063 * 0.002,
        fluid_name="water",
        fluid_T_props_C=30.0,
        n_segments=n_segments,
        grout_layers=grout_layers,
        cache_dir=cache_dir,
    )


def read_beier(path=None) -> np.ndarray:
    """The measured data: array (n, 4) of time s, T_in °C, T_out °C, power fraction
    (default: the packaged file)."""
    path = data_path() if path is None else Path(path)
    try:
        with resources.as_file(path) as p:
            d = np.loadtxt(p, skiprows=2)
    except (OSError, ValueError) as exc:
        raise InputError.single(str(path), str(exc), "the Beier sandbox data file") from None
    if d.ndim != 2 or d.shape[1] != 4:
        raise InputError.single(str(path), f"shape {d.shape}", "4 columns")
    return d


class Response(NamedTuple):
    """Measured and simulated temperatures at the measurement times (°C)."""

    time_s: np.ndarray
    T_in_meas: np.ndarray
    T_out_meas: np.ndarray
    T_in_sim: np.ndarray
    T_out_sim: np.ndarray
    closure: float = 0.0
    """Energy balance of the standalone run: |heat from the fluid − heat through the wall −
    heat stored in fluid and grout| over the heat from the fluid (-)."""

    @property
    def mean_meas(self):
        return 0.5 * (self.T_in_meas + self.T_out_meas)

    @property
    def mean_sim(self):
        return 0.5 * (self.T_in_sim + self.T_out_sim)

    def rmse(self, which="mean") -> float:
        """RMSE (K) of 'mean', 'in' or 'out' over the whole test."""
        s, m = self._pair(which)
        return float(np.sqrt(np.mean((s - m) ** 2)))

    def first_hour_error(self, which="mean") -> float:
        """Largest |simulated − measured| (K) within the first hour."""
        s, m = self._pair(which)
        f = self.time_s <= 3600.0
        return float(np.max(np.abs(s[f] - m[f])))

    def _pair(self, which):
        return {
            "mean": (self.mean_sim, self.mean_meas),
            "in": (self.T_in_sim, self.T_in_meas),
            "out": (self.T_out_sim, self.T_out_meas),
        }[which]


def simulate_beier(path=None, cache_dir=None, n_segments=2, grout_layers=1) -> Response:
    """Drive the standalone borefield with the measured power and flow (1-min steps)."""
    d = read_beier(path)
    bf = beier_borefield(cache_dir, n_segments, grout_layers)
    t = np.arange(60.0, d[-1, 0] + 1.0, 60.0)
    row = np.searchsorted(d[:, 0], t)  # row k holds the power over (t_{k-1}, t_k]
    ds = bf.simulate(t, heat_W=-d[row, 3] * HEATER_W, mass_flow_kg_s=FLOW_KG_S)
    k = np.searchsorted(t, d[1:, 0])
    e_fluid = -float(ds.Q_ground.values.sum()) * 60.0
    e_wall = -float(ds.Q_wall.values.sum()) * 60.0
    closure = abs(e_fluid - e_wall - float(ds.E_interior.values[-1])) / abs(e_fluid)
    return Response(
        d[1:, 0], d[1:, 1], d[1:, 2], ds.T_in.values[k], ds.T_out.values[k], closure
    )


def beier_response(path=None, cache_dir=None, n_segments: int = 2, grout_layers: int = 1):
    """(rmse_K, time_s, measured_mean_fluid_C, simulated_mean_fluid_C) of the test."""
    r = simulate_beier(path, cache_dir, n_segments, grout_layers)
    return r.rmse(), r.time_s, r.mean_meas, r.mean_sim


def convergence(cache_dir=None, segments=(2, 10, 20), layers=(1, 2, 3, 4)):
    """RMSE and first-hour error of the mean fluid temperature for each discretisation:
    {(n_segments, grout_layers): (rmse_K, first_hour_K)}."""
    out = {}
    for ns in segments:
        for gl in layers:
            r = simulate_beier(None, cache_dir, ns, gl)
            out[(ns, gl)] = (r.rmse(), r.first_hour_error())
    return out


def run(ctx) -> Section:
    t0 = time.perf_counter()
    sec = Section("beier", "3. Beier et al. (2011) sandbox response test")
    best = simulate_beier(None, ctx.cache_dir, SEGMENTS, GROUT_LAYERS)
    default = simulate_beier(None, ctx.cache_dir, 2, 1)
    ctx.closures.append(("Beier standalone borefield", "3 grout layers", best.closure))
    ctx.closures.append(("Beier standalone borefield", "1 grout layer", default.closure))
    label = f"{SEGMENTS} segments, {GROUT_LAYERS} grout layers"
    ref = "Beier et al. (2011) measured"
    for which, name in (("mean", "mean fluid"), ("in", "inlet"), ("out", "outlet")):
        v = best.rmse(which)
        if which == "mean":
            ok, tol = at_most(v, IBPSA_RMSE_K, "K (IBPSA's model)")
            rref, rv = "measured; reference value: IBPSA's model", IBPSA_RMSE_K
        else:
            ok, tol = at_most(v, 0.3, "K")
            rref, rv = ref, float("nan")
        sec.rows.append(
            Row("3 Beier sandbox", f"RMSE {name} temperature, 52 h ({label})", rref,
                "Beier2011, IBPSA", v, rv, "K", tol, ok, digits=3)
        )  # fmt: skip
    v = best.first_hour_error()
    ok, tol = at_most(v, 0.5, "K")
    sec.rows.append(
        Row("3 Beier sandbox", f"first-hour max error, mean fluid ({label})", ref,
            "Beier2011", v, float("nan"), "K", tol, ok, digits=2)
    )  # fmt: skip
    v = default.rmse()
    ok, tol = at_most(v, 0.3, "K")
    sec.rows.append(
        Row("3 Beier sandbox", "RMSE mean fluid, model of the cases (2 segments, 1 layer)",
            ref, "Beier2011, Bauer2011", v, float("nan"), "K", tol, ok, digits=3)
    )  # fmt: skip
    sec.rows.append(
        Row("3 Beier sandbox", "first-hour max error, model of the cases", ref, "Beier2011",
            default.first_hour_error(), float("nan"), "K", "—", None)
    )  # fmt: skip
    conv_rows = []
    if not ctx.quick:
        conv = convergence(ctx.cache_dir)
        for (ns, gl), (rm, fh) in conv.items():
            conv_rows.append([ns, gl, fmt(rm, 3), fmt(fh, 2)])
    sec.text += [
        "The standalone borefield (`Borefield.simulate`, 1-minute steps) is driven by the "
        "measured heater power and flow of the 52-hour test; set-up as reported (18.3 m, "
        "r_b = 0.063 m, single U 33.4/27.4 mm at 53 mm, grout 0.73 W/(m·K), wet sand "
        "2.88 W/(m·K) and 2.55 MJ/(m³·K), 22.09 °C) with the reported effective borehole "
        "resistance R_b* = 0.165 m·K/W, as IBPSA's validation model does (the pipe model "
        "alone gives 0.200 m·K/W). The aluminium casing's capacity is lumped with the fluid "
        "(IBPSA's `mSenFac`).",
        "",
        "**Borehole model.** The interior is the thermal resistance–capacity model (TRCM) "
        "of Bauer et al. (2011): fluid nodes and one grout node per leg. With one grout "
        "node the grout's whole capacity sits at the area-median radius, behind 71 % of "
        "the grout resistance: in the first hours the fluid warms too fast "
        f"(first-hour error {default.first_hour_error():.2f} K). Splitting each grout node "
        "radially into equal-area layers (node at each layer's area-median radius, the "
        "resistance split in proportion to ln r; one layer is exactly Bauer's TRCM; the "
        "idea of Pasquier & Marcotte's 2012 improved TRCM) brings part of the capacity "
        "next to the pipes. Steady-state resistances are unchanged (the long-time response "
        "is the same). The case field `borefield.grout.layers` selects it; the reference "
        "cases keep the default 1 layer (their stored results are unchanged; the effect of "
        "3 layers on them is in section 6).",
        "",
        markdown_table(
            ["model", "RMSE mean (K)", "RMSE inlet (K)", "RMSE outlet (K)",
             "first-hour max error (K)"],
            [
                [f"{SEGMENTS} segments, {GROUT_LAYERS} grout layers (validation set-up)",
                 fmt(best.rmse(), 3), fmt(best.rmse("in"), 3), fmt(best.rmse("out"), 3),
                 fmt(best.first_hour_error(), 2)],
                ["2 segments, 1 grout layer (the cases' model)", fmt(default.rmse(), 3),
                 fmt(default.rmse("in"), 3), fmt(default.rmse("out"), 3),
                 fmt(default.first_hour_error(), 2)],
                ["IBPSA Borefields (Laferrière et al. 2020)", "0.28", "", "", ""],
            ],
        ),  # fmt: skip
    ]
    if conv_rows:
        sec.text += [
            "",
            "Convergence of the discretisation (mean fluid temperature): the layer count "
            "is chosen where one more layer changes the RMSE by less than 0.01 K, not fitted "
            "to the data.",
            "",
            markdown_table(
                ["vertical segments", "grout layers", "RMSE (K)", "first-hour max error (K)"],
                conv_rows,
            ),
        ]
    sec.figures.append(_figure(ctx.out_dir / "beier_sandbox.png", best, default))
    sec.seconds = time.perf_counter() - t0
    return sec


def _figure(path, best, default):
    from gshp.io.report import _figure, _save

    fig = _figure(figsize=(11, 6.4))
    axes = fig.subplots(2, 2, height_ratios=(3, 1.3), sharex="col")
    th = best.time_s / 3600.0
    for col, tmax in ((0, th[-1]), (1, 4.0)):
        ax, ax2 = axes[0, col], axes[1, col]
        sel = th <= tmax
        step = 10 if col == 0 else 1
        ax.plot(th[sel][::step], best.T_in_meas[sel][::step], ".", color="tab:red", ms=2.5,
                label="inlet, measured")  # fmt: skip
        ax.plot(th[sel][::step], best.T_out_meas[sel][::step], ".", color="tab:blue", ms=2.5,
                label="outlet, measured")  # fmt: skip
        ax.plot(th[sel], best.T_in_sim[sel], "-", color="darkred", lw=1.1, label="inlet, gshp")
        ax.plot(th[sel], best.T_out_sim[sel], "-", color="navy", lw=1.1, label="outlet, gshp")
        ax.grid(alpha=0.3)
        ax2.plot(th[sel], (best.mean_sim - best.mean_meas)[sel], "-", color="k", lw=1.0,
                 label=f"{GROUT_LAYERS} grout layers")  # fmt: skip
        ax2.plot(th[sel], (default.mean_sim - default.mean_meas)[sel], ":", color="0.35",
                 lw=1.2, label="1 grout layer")  # fmt: skip
        ax2.axhline(0, color="0.5", lw=0.6)
        ax2.grid(alpha=0.3)
        ax2.set_xlabel("time since start (h)")
        ax.set_title("whole test (52 h)" if col == 0 else "first 4 hours", fontsize=10)
    axes[0, 0].set_ylabel("fluid temperature (°C)")
    axes[1, 0].set_ylabel("mean fluid,\nsim − meas (K)")
    axes[0, 1].legend(fontsize=8, loc="lower right")
    axes[1, 1].legend(fontsize=8, loc="upper right")
    fig.suptitle(
        f"Beier et al. (2011) sandbox: measured vs gshp (RMSE of the mean fluid temperature "
        f"{best.rmse():.3f} K; IBPSA {IBPSA_RMSE_K} K)"
    )
    _save(fig, path)
    return path
