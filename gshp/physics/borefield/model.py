"""The :class:`Borefield`: set-up from a config or keywords, kernel arrays, standalone runs."""

from __future__ import annotations

import math
import time as _time
from typing import NamedTuple

import numba
import numpy as np
import xarray as xr

from gshp.errors import InputError, Problem
from gshp.physics.borefield import gfunction as gfn
from gshp.physics.borefield import interior
from gshp.physics.borefield import kernel as kn


class BorefieldKernel(NamedTuple):
    """Arrays of the compiled borefield, in the argument order of the kernel functions.

    params : (N_PARAMS,) scalars, indices ``kernel.P_*``.
    ftab : (n_tab, N_FT) conductances vs flow per borehole (``kernel.FT_*``).
    dg : (nt,) g-function increments, K per W/m (dimensional, ``Δg / (2π k_s)``).
    inv_w : (nt,) 1 / width of the aggregation cells (in steps).
    q_cells : (nt,) state: aggregated wall loads, W/m (+ = extracted).
    nodes : ((2 + 2 n_gl) n_seg,) state: interior node temperatures, °C.
    cap : ((2 + 2 n_gl) n_seg,) node heat capacities per metre, J/(m K).
    slot_m : (N_SLOTS + 1,) flow cache keys (kg/s, NaN empty) + next slot.
    mats : (N_SLOTS, n, n) cached P matrices; vecs : (N_SLOTS, 5, max(n, 8)) cached rows.
    work : (n, 2n) scratch.
    """

    params: np.ndarray
    ftab: np.ndarray
    dg: np.ndarray
    inv_w: np.ndarray
    q_cells: np.ndarray
    nodes: np.ndarray
    cap: np.ndarray
    slot_m: np.ndarray
    mats: np.ndarray
    vecs: np.ndarray
    work: np.ndarray


_FLUIDS = ("water", "mpg", "meg")


class Borefield:
    """A field of identical vertical boreholes in parallel (one equivalent borehole).

    Build with :meth:`from_params` (keywords, SI) or :meth:`from_config` (the
    ``[borefield]`` section). Heat flow sign: + = heat extracted from the ground.
    """

    def __init__(self, **kw):
        self._kw = kw
        probs = _validate(kw)
        if probs:
            raise InputError(probs, source="borefield")
        self.coords = np.asarray(kw["coords"], dtype=float).reshape(-1, 2)
        self.n_boreholes = self.coords.shape[0]
        self.H = float(kw["length_m"])
        self.D = float(kw["buried_depth_m"])
        self.r_b = float(kw["radius_m"])
        self.k_s = float(kw["ground_conductivity_W_mK"])
        self.rhoc_s = float(kw["ground_volumetric_heat_capacity_J_m3K"])
        self.alpha = self.k_s / self.rhoc_s
        if kw["T_undisturbed_C"] is not None:
            self.T0 = float(kw["T_undisturbed_C"])
        else:
            self.T0 = float(kw["T_surface_C"]) + float(kw["geothermal_gradient_K_m"]) * (
                self.D + 0.5 * self.H
            )
        self.m_b_design = float(kw["flow_per_borehole_kg_s"])
        self.fluid = interior.fluid_properties(
            kw["fluid_name"],
            kw["fluid_concentration_pct"],
            kw["fluid_T_props_C"],
            kw["fluid_cp_J_kgK"],
            kw["fluid_density_kg_m3"],
        )
        self.cp = self.fluid["cp"]
        self.arrangement = kw["pipe_arrangement"]
        self.r_out = 0.5 * float(kw["pipe_outer_diameter_m"])
        self.r_in = 0.5 * float(kw["pipe_inner_diameter_m"])
        self.pos, self.n_u = interior.pipe_positions(self.arrangement, kw["shank_spacing_m"])
        self.k_g = float(kw["grout_conductivity_W_mK"])
        self.rhoc_g = float(kw["grout_volumetric_heat_capacity_J_m3K"])
        self.k_p = float(kw["pipe_conductivity_W_mK"])
        self.roughness = float(kw["pipe_roughness_m"])
        self.n_seg = int(kw["n_segments"])
        self.n_grout_layers = int(kw["grout_layers"])
        self.x_grout = interior.grout_node_position(self.arrangement, self.r_b, self.r_out)
        #: positions of the grout layer nodes (one layer: [x_grout], Bauer et al. 2011)
        self.x_layers = interior.grout_layer_positions(
            self.arrangement, self.r_b, self.r_out, self.n_grout_layers
        )
        # resistances at the design flow
        self.R_fp = interior.fluid_to_pipe_resistance(
            self.m_b_design / self.n_u,
            self.r_in,
            self.r_out,
            self.k_p,
            self.roughness,
            self.fluid,
        )
        Rd = interior.delta_circuit(self.pos, self.r_out, self.r_b, self.k_s, self.k_g, self.R_fp)
        self.R_b_pipes = interior.local_resistance(Rd)
        self.R_a_pipes = interior.internal_resistance(Rd, self.n_u)
        self.R_b_eff_pipes, _ = interior.effective_resistance_pygfunction(
            self.pos,
            self.r_in,
            self.r_out,
            self.n_u,
            self.H,
            self.D,
            self.r_b,
            self.k_s,
            self.k_g,
            self.R_fp,
            self.m_b_design,
            self.cp,
        )
        self.R_b_override = kw["R_b_override_mK_W"]
        self.scale = 1.0
        if self.R_b_override is not None:
            self.scale = _override_scale(
                float(self.R_b_override),
                self.R_b_pipes,
                self.R_a_pipes,
                self.H,
                self.m_b_design,
                self.cp,
            )
        #: local borehole resistance R_b (m K/W) at the design flow
        self.R_b = self.R_b_pipes * self.scale
        #: internal (leg-to-leg) resistance R_a (m K/W)
        self.R_a = self.R_a_pipes * self.scale
        #: effective borehole resistance R_b* (m K/W) at the design flow
        self.R_b_eff = (
            float(self.R_b_override) if self.R_b_override is not None else self.R_b_eff_pipes
        )
        self.ftab = interior.flow_table(
            self.m_b_design,
            self.pos,
            self.n_u,
            self.r_in,
            self.r_out,
            self.r_b,
            self.k_s,
            self.k_g,
            self.k_p,
            self.roughness,
            self.fluid,
            self.x_grout if self.n_grout_layers == 1 else self.x_layers,
            scale=self.scale,
            cache_dir=kw["cache_dir"],
        )
        # fluid node: fluid + pipe wall (+ extra, e.g. a casing), lumped as in IBPSA's
        # borefield model (Laferrière et al. 2020: 'mSenFac')
        cf = self.n_u * math.pi * (
            self.r_in**2 * self.fluid["rho"] * self.cp
            + (self.r_out**2 - self.r_in**2) * float(kw["pipe_volumetric_heat_capacity_J_m3K"])
        ) + 0.5 * float(kw["extra_heat_capacity_J_mK"])
        cg = 0.5 * (math.pi * self.r_b**2 - 2 * self.n_u * math.pi * self.r_out**2) * self.rhoc_g
        ngl = self.n_grout_layers
        if ngl == 1:
            self.cap = np.tile(np.array([cf, cf, cg, cg]), self.n_seg)
        else:  # equal-area grout layers, equal capacities
            self.cap = np.tile(np.array([cf, cf] + [cg / ngl] * (2 * ngl)), self.n_seg)
        self.gfunction_options = {
            "boundary_condition": kw["boundary_condition"],
            "method": kw["method"],
            "cache_dir": kw["cache_dir"],
        }
        self.setup_times_s: dict = {}

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_params(
        cls,
        *,
        n_x: int = 1,
        n_y: int = 1,
        spacing_m: float = 8.0,
        coordinates_m=None,
        length_m: float = 100.0,
        buried_depth_m: float = 1.5,
        radius_m: float = 0.07,
        flow_per_borehole_kg_s: float = 0.35,
        R_b_override_mK_W: float | None = None,
        ground_conductivity_W_mK: float = 2.2,
        ground_volumetric_heat_capacity_J_m3K: float = 2.5e6,
        T_undisturbed_C: float | None = None,
        T_surface_C: float | None = None,
        geothermal_gradient_K_m: float = 0.03,
        pipe_arrangement: str = "single_u",
        pipe_outer_diameter_m: float = 0.032,
        pipe_inner_diameter_m: float = 0.026,
        shank_spacing_m: float = 0.078,
        pipe_conductivity_W_mK: float = 0.35,
        pipe_roughness_m: float = 1e-6,
        pipe_volumetric_heat_capacity_J_m3K: float = 1.8e6,
        extra_heat_capacity_J_mK: float = 0.0,
        grout_conductivity_W_mK: float = 1.8,
        grout_volumetric_heat_capacity_J_m3K: float = 3.8e6,
        fluid_name: str = "MPG",
        fluid_concentration_pct: float = 30.0,
        fluid_cp_J_kgK: float | None = None,
        fluid_density_kg_m3: float | None = None,
        fluid_T_props_C: float = 5.0,
        boundary_condition: str = "UBWT",
        method: str = "equivalent",
        cache_dir=None,
        n_segments: int = 2,
        grout_layers: int = 1,
    ) -> Borefield:
        """Borefield from explicit keywords (SI units, °C). Defaults: reference case of
        docs/reference-study.md §7, R2 (single U 32/26 mm, 78 mm shank spacing, MPG 30 %),
        with the unreported choices r_b = 0.07 m, D = 1.5 m, grout 1.8 W/mK and 3.8 MJ/m³K
        (Beier et al. 2011 bentonite-cement grout). Give either ``coordinates_m`` ((n, 2)
        in m) or the rectangle ``n_x`` × ``n_y`` at ``spacing_m``; either ``T_undisturbed_C`` or
        ``T_surface_C`` (+ gradient at mid-depth D + H/2). ``n_segments``: vertical
        segments of the interior model (4 nodes each). ``grout_layers``: grout nodes per leg
        group in series from pipe to wall (1 = Bauer et al. 2011's TRCM; more split the grout
        capacity radially, see :func:`interior.grout_layer_positions`). The pipe walls' heat
        capacity (PE: 1.8 MJ/m³K) and ``extra_heat_capacity_J_mK`` (per metre of borehole, e.g. a
        metal casing) are lumped with the fluid nodes.
        """
        kw = dict(locals())
        kw.pop("cls")
        probs = []
        if coordinates_m is None:
            for name in ("n_x", "n_y"):
                if not isinstance(kw[name], int | np.integer) or kw[name] < 1:
                    probs.append(Problem(f"borefield.{name}", kw[name], "an integer ≥ 1"))
            if probs:
                raise InputError(probs, source="borefield")
            kw["coords"] = [(i * spacing_m, j * spacing_m) for j in range(n_y) for i in range(n_x)]
            kw["layout"] = "rectangle"
        else:
            kw["coords"] = coordinates_m
            kw["layout"] = "coordinates"
        return cls(**kw)

    @classmethod
    def from_config(cls, cfg, n_segments: int = 2) -> Borefield:
        """Borefield from the ``[borefield]`` config section (``case.borefield``)."""
        if cfg.layout == "rectangle":
            coords = None
        elif cfg.coordinates_m is not None or cfg.coordinates_file is not None:
            coords = [tuple(p) for p in cfg.points()]  # the section reads its file
        else:
            raise InputError.single(
                "borefield.coordinates_m",
                None,
                "with layout 'coordinates': coordinates_m or coordinates_file",
            )
        g, p, gr, fl, gf = cfg.ground, cfg.pipes, cfg.grout, cfg.fluid, cfg.gfunction
        return cls.from_params(
            n_x=cfg.n_x,
            n_y=cfg.n_y,
            spacing_m=cfg.spacing_m,
            coordinates_m=coords,
            length_m=cfg.length_m,
            buried_depth_m=cfg.buried_depth_m,
            radius_m=cfg.radius_m,
            flow_per_borehole_kg_s=cfg.flow_per_borehole_kg_s,
            R_b_override_mK_W=cfg.R_b_override_mK_W,
            ground_conductivity_W_mK=g.conductivity_W_mK,
            ground_volumetric_heat_capacity_J_m3K=g.volumetric_heat_capacity_J_m3K,
            T_undisturbed_C=g.T_undisturbed_C,
            T_surface_C=g.T_surface_C,
            geothermal_gradient_K_m=g.geothermal_gradient_K_m,
            pipe_arrangement=p.arrangement,
            pipe_outer_diameter_m=p.outer_diameter_m,
            pipe_inner_diameter_m=p.inner_diameter_m,
            shank_spacing_m=p.shank_spacing_m,
            pipe_conductivity_W_mK=p.conductivity_W_mK,
            pipe_roughness_m=p.roughness_m,
            grout_conductivity_W_mK=gr.conductivity_W_mK,
            grout_volumetric_heat_capacity_J_m3K=gr.volumetric_heat_capacity_J_m3K,
            grout_layers=getattr(gr, "layers", 1),
            fluid_name=fl.name,
            fluid_concentration_pct=fl.concentration_pct,
            fluid_cp_J_kgK=fl.cp_J_kgK,
            fluid_density_kg_m3=fl.density_kg_m3,
            fluid_T_props_C=fl.T_props_C,
            boundary_condition=gf.boundary_condition,
            method=gf.method,
            cache_dir=gf.cache_dir,
            n_segments=n_segments,
        )

    # ------------------------------------------------------------------ g-function
    @property
    def total_flow_kg_s(self) -> float:
        """Design total mass flow of the field (kg/s)."""
        return self.m_b_design * self.n_boreholes

    def gfunction(self, times_s, use_cache: bool = True):
        """Field g-function (FLS by pygfunction + cylinder correction) at ``times_s``.

        Returns (g, from_cache)."""
        times_s = np.asarray(times_s, dtype=float)
        opts = self.gfunction_options
        mift = None
        if opts["boundary_condition"] == "MIFT":
            mift = {
                "pos": [list(p) for p in self.pos],
                "r_in": self.r_in,
                "r_out": self.r_out,
                "k_s": self.k_s,
                "k_g": self.k_g,
                "R_fp": self.R_fp,
                "n_u": self.n_u,
                "m_flow_network": self.total_flow_kg_s,
                "cp": self.cp,
            }
        g_fls, hit = gfn.field_gfunction(
            self.coords,
            self.H,
            self.D,
            self.r_b,
            self.alpha,
            times_s,
            method=opts["method"],
            boundary_condition=opts["boundary_condition"],
            mift=mift,
            cache_dir=opts["cache_dir"],
            use_cache=use_cache,
        )
        return gfn.composite_gfunction(g_fls, times_s, self.alpha, self.r_b), hit

    # ------------------------------------------------------------------ kernel set-up
    def kernel_setup(self, dt_s: float, n_steps: int, use_cache: bool = True) -> BorefieldKernel:
        """Allocate the kernel arrays for ``n_steps`` steps of ``dt_s`` seconds.

        Records set-up times in ``self.setup_times_s`` ('gfunction', 'total', and
        'gfunction_from_cache' as 0/1).
        """
        t0 = _time.perf_counter()
        if not (dt_s > 0 and math.isfinite(dt_s)):
            raise InputError.single("dt_s", dt_s, "a positive time step in s")
        if n_steps < 1:
            raise InputError.single("n_steps", n_steps, "at least 1 step")
        times = gfn.time_claesson_javed(dt_s, n_steps * dt_s)
        g, hit = self.gfunction(times, use_cache=use_cache)
        t1 = _time.perf_counter()
        g_d = g / (2.0 * math.pi * self.k_s)
        dg = np.empty_like(g_d)
        dg[0] = g_d[0]
        dg[1:] = np.diff(g_d)
        width = np.hstack((1.0, np.diff(times) / dt_s))
        n = (2 + 2 * self.n_grout_layers) * self.n_seg
        params = np.zeros(kn.N_PARAMS)
        params[kn.P_DT] = dt_s
        params[kn.P_T0] = self.T0
        params[kn.P_NB] = self.n_boreholes
        params[kn.P_H] = self.H
        params[kn.P_CP] = self.cp
        params[kn.P_NSEG] = self.n_seg
        params[kn.P_NNODE] = n
        params[kn.P_DG0] = dg[0]
        params[kn.P_NTAB] = self.ftab.shape[0]
        params[kn.P_NGL] = self.n_grout_layers
        slot_m = np.full(kn.N_SLOTS + 1, np.nan)
        slot_m[kn.N_SLOTS] = 0.0
        bk = BorefieldKernel(
            params=params,
            ftab=np.ascontiguousarray(self.ftab),
            dg=np.ascontiguousarray(dg),
            inv_w=np.ascontiguousarray(1.0 / width),
            q_cells=np.zeros(times.size),
            nodes=np.full(n, self.T0),
            cap=self.cap.copy(),
            slot_m=slot_m,
            mats=np.zeros((kn.N_SLOTS, n, n)),
            vecs=np.zeros((kn.N_SLOTS, kn.N_VROWS, max(n, 8))),
            work=np.zeros((n, 2 * n)),
        )
        self.setup_times_s = {
            "gfunction": t1 - t0,
            "gfunction_from_cache": float(hit),
            "total": _time.perf_counter() - t0,
        }
        return bk

    # ------------------------------------------------------------------ standalone
    def simulate(
        self, time_s, heat_W=None, mass_flow_kg_s=None, dt_s=None, T_in_C=None
    ) -> xr.Dataset:
        """Run the borefield alone.

        time_s : (n,) end times of the steps (s), equally spaced by ``dt_s`` (inferred from
            the spacing when omitted; the first step ends at time_s[0] = dt_s if omitted).
        heat_W : (n,) or scalar, heat extracted from the ground (W, + = extraction;
            negative = injection), step averages. Or give ``T_in_C`` (°C) instead.
        mass_flow_kg_s : (n,) or scalar total field flow (kg/s); default: design flow.
        Returns an xarray Dataset with T_in, T_out, T_fluid_mean, T_borehole_wall (°C),
        Q_ground (W), Q_wall (W) and E_interior (J, stored heat of fluid + grout relative
        to T_0), on coordinate ``time`` (s).
        """
        time_s = np.atleast_1d(np.asarray(time_s, dtype=float))
        n = time_s.size
        probs = []
        if dt_s is None:
            if n < 2:
                probs.append(Problem("dt_s", None, "the step in s (needed for one time)"))
                dt_s = 1.0
            else:
                dt_s = float(time_s[1] - time_s[0])
        if not (dt_s > 0):
            probs.append(Problem("dt_s", dt_s, "a positive step in s"))
        elif n > 1 and not np.allclose(np.diff(time_s), dt_s, rtol=1e-9, atol=1e-6 * dt_s):
            probs.append(Problem("time_s", "uneven", f"times spaced by dt_s = {dt_s} s"))
        if (heat_W is None) == (T_in_C is None):
            probs.append(Problem("heat_W / T_in_C", None, "exactly one of the two drivers"))
        m = self.total_flow_kg_s if mass_flow_kg_s is None else mass_flow_kg_s
        m = np.broadcast_to(np.asarray(m, dtype=float), (n,)).copy()
        if np.any(~np.isfinite(m)) or np.any(m < 0):
            probs.append(Problem("mass_flow_kg_s", "negative/NaN", "finite flows ≥ 0 kg/s"))
        mode_heat = heat_W is not None
        drive = heat_W if mode_heat else T_in_C
        drive = np.broadcast_to(np.asarray(drive, dtype=float), (n,)).copy()
        if np.any(~np.isfinite(drive)):
            probs.append(Problem("heat_W" if mode_heat else "T_in_C", "NaN", "finite values"))
        if mode_heat:
            bad = np.flatnonzero((m <= 0) & (drive != 0))
            if bad.size:
                probs.append(
                    Problem(
                        "mass_flow_kg_s",
                        f"0 at step {bad[0]} with heat_W = {drive[bad[0]]}",
                        "a positive flow whenever the load is nonzero",
                    )
                )
        if probs:
            raise InputError(probs, source="Borefield.simulate")
        bk = self.kernel_setup(dt_s, n)
        out = np.zeros((7, n))
        _run(*bk, drive, m, mode_heat, out)
        coords = {"time": ("time", time_s, {"units": "s", "long_name": "end of step"})}
        names = [
            ("T_in", "degC", "borefield inlet fluid temperature"),
            ("T_out", "degC", "borefield outlet fluid temperature"),
            ("T_fluid_mean", "degC", "mean fluid temperature (T_in + T_out)/2"),
            ("T_borehole_wall", "degC", "borehole wall temperature"),
            ("Q_ground", "W", "heat extracted by the fluid from the borefield (+)"),
            ("Q_wall", "W", "heat through the borehole walls (+ = from the ground)"),
            ("E_interior", "J", "heat stored in fluid and grout relative to T_0"),
        ]
        data = {
            name: ("time", out[i], {"units": u, "long_name": ln})
            for i, (name, u, ln) in enumerate(names)
        }
        ds = xr.Dataset(data, coords=coords)
        ds.attrs.update(
            {
                "n_boreholes": self.n_boreholes,
                "T_undisturbed_C": self.T0,
                "R_b_mK_W": self.R_b,
                "R_b_effective_mK_W": self.R_b_eff,
                "dt_s": dt_s,
            }
        )
        return ds


@numba.njit(cache=True)
def _run(
    params, ftab, dg, inv_w, q_cells, nodes, cap, slot_m, mats, vecs, work, drive, m, heat, out
):
    for i in range(drive.shape[0]):
        if heat:
            if m[i] > 0.0:
                t_in = kn.borefield_inlet_for_heat(
                    params,
                    ftab,
                    dg,
                    inv_w,
                    q_cells,
                    nodes,
                    cap,
                    slot_m,
                    mats,
                    vecs,
                    work,
                    drive[i],
                    m[i],
                )
            else:
                t_in = np.nan
        else:
            t_in = drive[i]
        t_out, q, t_w, t_fm = kn.borefield_advance(
            params,
            ftab,
            dg,
            inv_w,
            q_cells,
            nodes,
            cap,
            slot_m,
            mats,
            vecs,
            work,
            0.0 if np.isnan(t_in) else t_in,
            m[i],
        )
        out[0, i] = t_in
        out[1, i] = t_out
        out[2, i] = t_fm
        out[3, i] = t_w
        out[4, i] = q
        out[5, i] = kn.borefield_wall_heat(params, q_cells)
        out[6, i] = kn.borefield_stored_heat(params, nodes, cap)


def _override_scale(R_eff, R_b, R_a, H, m_b, cp) -> float:
    """Factor on every interior resistance making Hellström's R_b* equal ``R_eff``."""
    from scipy.optimize import brentq

    def f(s):
        return interior.hellstrom_effective(R_b * s, R_a * s, H, m_b, cp) - R_eff

    lo, hi = 1e-3, 1e3
    if not f(lo) < 0.0 < f(hi):
        # R_b* grows with the scale; as the scale tends to 0 it tends to
        # H/(m cp)·sqrt(R_b/R_a) (the fluid's own heat capacity short-circuits the legs)
        lowest = R_eff + f(lo)
        raise InputError.single(
            "borefield.R_b_override_mK_W",
            R_eff,
            f"an effective borehole resistance this borehole can have: ≥ {lowest:.3g} m·K/W "
            f"at its length ({H:g} m) and design flow ({m_b:g} kg/s) with this pipe "
            f"geometry, ≤ {R_eff + f(hi):.3g} m·K/W",
        )
    return float(brentq(f, lo, hi, xtol=1e-12))


def _validate(kw) -> list:
    """All geometry/material problems of a borefield description (list of Problem)."""
    P = []

    def pos(name, where):
        v = kw[name]
        if v is None or not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            P.append(Problem(where, v, "a positive finite number"))
            return False
        return True

    ok_h = pos("length_m", "borefield.length_m")
    ok_r = pos("radius_m", "borefield.radius_m")
    d = kw["buried_depth_m"]
    if d is None or not (math.isfinite(d) and d >= 0):
        P.append(Problem("borefield.buried_depth_m", d, "a depth ≥ 0 m"))
    pos("flow_per_borehole_kg_s", "borefield.flow_per_borehole_kg_s")
    pos("ground_conductivity_W_mK", "borefield.ground.conductivity_W_mK")
    pos("ground_volumetric_heat_capacity_J_m3K", "borefield.ground.volumetric_heat_capacity_J_m3K")
    pos("grout_conductivity_W_mK", "borefield.grout.conductivity_W_mK")
    pos("grout_volumetric_heat_capacity_J_m3K", "borefield.grout.volumetric_heat_capacity_J_m3K")
    pos("pipe_conductivity_W_mK", "borefield.pipes.conductivity_W_mK")
    ok_do = pos("pipe_outer_diameter_m", "borefield.pipes.outer_diameter_m")
    ok_di = pos("pipe_inner_diameter_m", "borefield.pipes.inner_diameter_m")
    ok_s = pos("shank_spacing_m", "borefield.pipes.shank_spacing_m")
    if kw["R_b_override_mK_W"] is not None:
        pos("R_b_override_mK_W", "borefield.R_b_override_mK_W")
    for name in ("pipe_volumetric_heat_capacity_J_m3K", "extra_heat_capacity_J_mK"):
        v = kw[name]
        if v is None or not (math.isfinite(v) and v >= 0):
            P.append(Problem(name, v, "a heat capacity ≥ 0"))
    if kw["pipe_roughness_m"] is None or not kw["pipe_roughness_m"] >= 0:
        P.append(Problem("borefield.pipes.roughness_m", kw["pipe_roughness_m"], "≥ 0 m"))
    if kw["pipe_arrangement"] not in ("single_u", "double_u"):
        P.append(
            Problem(
                "borefield.pipes.arrangement", kw["pipe_arrangement"], "'single_u' or 'double_u'"
            )
        )
    if str(kw["fluid_name"]).lower() not in _FLUIDS:
        P.append(Problem("borefield.fluid.name", kw["fluid_name"], "'water', 'MPG' or 'MEG'"))
    if kw["boundary_condition"] not in ("UBWT", "MIFT"):
        P.append(
            Problem(
                "borefield.gfunction.boundary_condition",
                kw["boundary_condition"],
                "'UBWT' or 'MIFT'",
            )
        )
    if kw["method"] not in ("equivalent", "similarities", "detailed"):
        P.append(
            Problem(
                "borefield.gfunction.method",
                kw["method"],
                "'equivalent', 'similarities' or 'detailed'",
            )
        )
    if kw["T_undisturbed_C"] is None and kw["T_surface_C"] is None:
        P.append(
            Problem(
                "borefield.ground.T_undisturbed_C", None, "a temperature in °C, or give T_surface_C"
            )
        )
    ns = kw["n_segments"]
    if not isinstance(ns, int | np.integer) or not 1 <= ns <= 20:
        P.append(Problem("n_segments", ns, "an integer from 1 to 20"))
    gl = kw["grout_layers"]
    if not isinstance(gl, int | np.integer) or not 1 <= gl <= 10:
        P.append(Problem("borefield.grout.layers", gl, "an integer from 1 to 10"))
    # coordinates
    try:
        c = np.asarray(kw["coords"], dtype=float)
        if c.ndim != 2 or c.shape[1] != 2 or c.shape[0] < 1 or not np.all(np.isfinite(c)):
            raise ValueError
    except (ValueError, TypeError):
        where = "borefield.coordinates_m" if kw["layout"] == "coordinates" else "borefield.n_x"
        P.append(Problem(where, kw["coords"], "a list of finite (x, y) pairs in m"))
        c = None
    if kw["layout"] == "rectangle" and ok_r:
        sp = kw["spacing_m"]
        if not (isinstance(sp, int | float) and sp > 0):
            P.append(Problem("borefield.spacing_m", sp, "a positive spacing in m"))
        elif kw["radius_m"] >= 0.5 * sp and len(kw["coords"]) > 1:
            P.append(Problem("borefield.radius_m", kw["radius_m"], f"< spacing_m/2 = {0.5 * sp} m"))
    elif c is not None and ok_r and c.shape[0] > 1:
        dx = c[:, None, :] - c[None, :, :]
        dist = np.sqrt((dx**2).sum(-1)) + np.eye(c.shape[0]) * 1e300
        i, j = np.unravel_index(np.argmin(dist), dist.shape)
        if dist[i, j] <= 2 * kw["radius_m"]:
            P.append(
                Problem(
                    "borefield.coordinates_m",
                    f"boreholes {min(i, j)} and {max(i, j)} at {dist[i, j]:.4g} m",
                    f"centres more than 2 × radius_m = {2 * kw['radius_m']} m apart",
                )
            )
    if ok_do and ok_di and kw["pipe_inner_diameter_m"] >= kw["pipe_outer_diameter_m"]:
        P.append(
            Problem(
                "borefield.pipes.inner_diameter_m",
                kw["pipe_inner_diameter_m"],
                f"< outer_diameter_m = {kw['pipe_outer_diameter_m']}",
            )
        )
    if ok_do and ok_s and ok_r:
        r_o = 0.5 * kw["pipe_outer_diameter_m"]
        s = kw["shank_spacing_m"]
        gap = s if kw["pipe_arrangement"] == "single_u" else s / math.sqrt(2)
        if gap <= 2 * r_o:
            P.append(
                Problem(
                    "borefield.pipes.shank_spacing_m",
                    s,
                    f"pipes overlap: need > {2 * r_o * s / gap:.4g} m",
                )
            )
        if 0.5 * s + r_o >= kw["radius_m"]:
            P.append(
                Problem(
                    "borefield.pipes.shank_spacing_m",
                    s,
                    f"pipes must fit: s/2 + outer radius < radius_m = {kw['radius_m']} m",
                )
            )
    del ok_h
    return P
