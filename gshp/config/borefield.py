"""[borefield]: the field's geometry and flow, and its sub-sections [borefield.ground],
[borefield.pipes], [borefield.grout], [borefield.fluid] and [borefield.gfunction]."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from gshp.config.fields import F, S
from gshp.errors import InputError, Problem

MAX_BOREHOLES = 2000
R_B_OVERRIDE_MIN = 0.02
"""Lowest accepted effective borehole resistance override, m·K/W: measured R_b* of
coaxial boreholes and thermally enhanced grout lie at 0.03–0.05 m·K/W (Javed & Spitler
2017, *Advances in GSHP systems*, ch. 3); a smaller value is a unit or typing error."""


@dataclass(frozen=True)
class GroundConfig:
    """[borefield.ground]: undisturbed ground."""

    conductivity_W_mK: float = F(
        2.2,
        kind="float",
        lo=0.1,
        hi=10,
        unit="W/(m·K)",
        doc="Ground thermal conductivity (reference 2.2).",
    )
    volumetric_heat_capacity_J_m3K: float = F(
        2.5e6, kind="float", lo=1e5, hi=1e7, unit="J/(m³·K)", doc="Reference 2.5 MJ/(m³·K)."
    )
    T_undisturbed_C: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-40,
        hi=90,
        unit="°C",
        doc="Mean undisturbed temperature; or give T_surface_C and the gradient.",
    )
    T_surface_C: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-40,
        hi=90,
        unit="°C",
        doc="Mean surface temperature (used with the gradient at mid-depth).",
    )
    geothermal_gradient_K_m: float = F(
        0.03, kind="float", lo=0, hi=0.2, unit="K/m", doc="Geothermal gradient (reference 0.03)."
    )


@dataclass(frozen=True)
class PipesConfig:
    """[borefield.pipes]: U-tubes."""

    arrangement: str = F(
        "single_u",
        kind="str",
        choices=("single_u", "double_u"),
        doc="Single or double U-tube (double: legs in parallel).",
    )
    outer_diameter_m: float = F(
        0.032, kind="float", lo=0, lo_open=True, hi=0.2, unit="m", doc="Reference 32 mm."
    )
    inner_diameter_m: float = F(
        0.026, kind="float", lo=0, lo_open=True, hi=0.2, unit="m", doc="Reference 26 mm."
    )
    shank_spacing_m: float = F(
        0.078,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1,
        unit="m",
        doc="Distance between the centres of the two legs of a U (reference 78 mm).",
    )
    conductivity_W_mK: float = F(
        0.35,
        kind="float",
        lo=0.01,
        hi=500,
        unit="W/(m·K)",
        doc="Pipe wall conductivity (PE100: 0.35–0.42).",
    )
    roughness_m: float = F(
        1e-6, kind="float", lo=0, hi=1e-3, unit="m", doc="Pipe roughness (smooth PE)."
    )


@dataclass(frozen=True)
class GroutConfig:
    """[borefield.grout]: borehole filling."""

    conductivity_W_mK: float = F(
        1.8,
        kind="float",
        lo=0.1,
        hi=10,
        unit="W/(m·K)",
        doc="Not reported; thermally enhanced grout 1.5–2.0.",
    )
    volumetric_heat_capacity_J_m3K: float = F(
        3.8e6,
        kind="float",
        lo=1e5,
        hi=1e7,
        unit="J/(m³·K)",
        doc="Bentonite–cement grout (Beier 2011: 1900 kg/m³ × 2000 J/(kg·K)).",
    )
    layers: int = F(
        1,
        kind="int",
        lo=1,
        hi=10,
        doc="Grout nodes per leg from pipe to wall: 1 = Bauer et al. (2011) TRCM; 3 splits "
        "the grout capacity radially (better first hours: Beier sandbox, docs/validation).",
    )


@dataclass(frozen=True)
class FluidConfig:
    """[borefield.fluid]: heat carrier (properties from pygfunction.media.Fluid)."""

    name: str = F(
        "MPG",
        kind="str",
        choices=("water", "MPG", "MEG"),
        doc="water, propylene glycol (MPG) or ethylene glycol (MEG) mixture.",
    )
    concentration_pct: float = F(
        30.0, kind="float", lo=0, hi=60, unit="%", doc="Glycol mass concentration (reference 30 %)."
    )
    cp_J_kgK: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=1000,
        hi=5000,
        unit="J/(kg·K)",
        doc="Override of the specific heat (reference 3915).",
    )
    density_kg_m3: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=500,
        hi=2000,
        unit="kg/m³",
        doc="Override of the density (reference 1031).",
    )
    T_props_C: float = F(
        5.0,
        kind="float",
        lo=-40,
        hi=90,
        unit="°C",
        doc="Temperature at which properties are evaluated.",
    )
    max_freezing_steps_pct: float = F(
        0.1,
        kind="float",
        lo=0,
        hi=100,
        unit="%",
        doc="Largest share of the borefield pump's running steps with the brine below its "
        "freezing point before the result is implausible (the run fails; the fluid would "
        "freeze in the evaporator). Default 0.1 %: a few hours a year of brief dips.",
    )


@dataclass(frozen=True)
class GFunctionConfig:
    """[borefield.gfunction]: pygfunction options."""

    boundary_condition: str = F(
        "UBWT",
        kind="str",
        choices=("UBWT", "MIFT"),
        doc="Uniform borehole wall temperature, or mixed inlet "
        "fluid temperature with the field's pipes and flow.",
    )
    method: str = F(
        "equivalent",
        kind="str",
        choices=("equivalent", "similarities", "detailed"),
        doc="pygfunction solver ('equivalent' for large fields).",
    )
    cache_dir: Path | None = F(
        None,
        kind="path",
        optional=True,
        doc="g-function cache folder; default: the user cache folder (or $GSHP_CACHE_DIR).",
    )


@dataclass(frozen=True)
class BorefieldConfig:
    """[borefield]: geometry, flow and the sub-tables ground/pipes/grout/fluid/gfunction."""

    layout: str = F(
        "rectangle",
        kind="str",
        choices=("rectangle", "coordinates"),
        doc="'rectangle': n_x × n_y at spacing_m; 'coordinates': given points.",
    )
    n_x: int = F(1, kind="int", lo=1, hi=1000, doc="Boreholes along x (rectangle).")
    n_y: int = F(1, kind="int", lo=1, hi=1000, doc="Boreholes along y (rectangle).")
    spacing_m: float = F(
        8.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1000,
        unit="m",
        doc="Borehole spacing (reference 8 m).",
    )
    coordinates_m: tuple | None = F(
        None, kind="points", optional=True, unit="m", doc="layout 'coordinates': [[x, y], ...]."
    )
    coordinates_file: Path | None = F(
        None, kind="path", optional=True, doc="layout 'coordinates': CSV with columns x_m,y_m."
    )
    length_m: float = F(
        100.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=2000,
        unit="m",
        doc="Borehole length (reference 100 m).",
    )
    buried_depth_m: float = F(
        1.5,
        kind="float",
        lo=0,
        hi=100,
        unit="m",
        doc="Depth of the borehole top; not reported (1–2 m).",
    )
    radius_m: float = F(
        0.07,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1,
        unit="m",
        doc="Borehole radius; not reported (0.065–0.075 m).",
    )
    flow_per_borehole_kg_s: float = F(
        0.35,
        kind="float",
        lo=0,
        lo_open=True,
        hi=10,
        unit="kg/s",
        doc="Fluid flow per borehole when the pump runs (turbulent in 26 mm).",
    )
    R_b_override_mK_W: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=R_B_OVERRIDE_MIN,
        hi=10,
        unit="m·K/W",
        doc="Effective borehole resistance from a response test, replacing the pipe model "
        f"(≥ {R_B_OVERRIDE_MIN:g}: the lowest measured R_b*, coaxial or thermally enhanced "
        "grout, are about 0.03–0.05 m·K/W; a smaller value is a unit error).",
    )
    ground: GroundConfig = S(GroundConfig)
    pipes: PipesConfig = S(PipesConfig)
    grout: GroutConfig = S(GroutConfig)
    fluid: FluidConfig = S(FluidConfig)
    gfunction: GFunctionConfig = S(GFunctionConfig)

    @property
    def n_boreholes(self) -> int:
        """Number of boreholes of the field."""
        if self.layout == "rectangle":
            return self.n_x * self.n_y
        return len(self.points())

    def points(self) -> tuple:
        """Borehole coordinates (x, y) in m."""
        if self.layout == "rectangle":
            return tuple(
                (i * self.spacing_m, j * self.spacing_m)
                for j in range(self.n_y)
                for i in range(self.n_x)
            )
        if self.coordinates_m is not None:
            return self.coordinates_m
        return read_coordinates_file(self.coordinates_file)

    @property
    def total_flow_kg_s(self) -> float:
        return self.n_boreholes * self.flow_per_borehole_kg_s


def read_coordinates_file(path) -> tuple:
    """Borehole coordinates (m) from a CSV file with a header ``x_m,y_m``.

    Every malformed line is reported (file:line, the line, what is allowed).
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single(str(path), str(exc), "a readable CSV file") from None
    if not lines or [h.strip() for h in lines[0].split(",")][:2] != ["x_m", "y_m"]:
        raise InputError.single(f"{path}:1", lines[0] if lines else "", "a header 'x_m,y_m'")
    pts, problems = [], []
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            x, y = (float(v) for v in line.split(",")[:2])
            if not (math.isfinite(x) and math.isfinite(y)):
                raise ValueError
            pts.append((x, y))
        except ValueError:
            problems.append(Problem(f"{path}:{no}", line, "two finite numbers x_m,y_m"))
    if problems:
        raise InputError(problems)
    if not pts:
        raise InputError.single(str(path), "no rows", "at least one borehole")
    return tuple(pts)


def checks(case) -> list[Problem]:
    """The [borefield] section's checks: the field's size, one ground temperature, spacing,
    the coordinates (one source, readable, no overlap), U-tubes that fit, the fluid."""
    bf = case.borefield
    out = []
    p = out.append
    if bf.layout == "rectangle" and bf.n_x * bf.n_y > MAX_BOREHOLES:
        p(
            Problem(
                "borefield.n_x", bf.n_x, f"n_x × n_y ≤ {MAX_BOREHOLES} boreholes (n_y = {bf.n_y})"
            )
        )
    g = bf.ground
    if (g.T_undisturbed_C is None) == (g.T_surface_C is None):
        p(
            Problem(
                "borefield.ground",
                {"T_undisturbed_C": g.T_undisturbed_C, "T_surface_C": g.T_surface_C},
                "exactly one of T_undisturbed_C and T_surface_C",
            )
        )
    if bf.spacing_m <= 2 * bf.radius_m and (bf.layout == "rectangle" and bf.n_x * bf.n_y > 1):
        p(
            Problem(
                "borefield.spacing_m",
                bf.spacing_m,
                f"> 2 × borefield.radius_m = {2 * bf.radius_m:g} m",
            )
        )
    if bf.layout == "coordinates":
        if (bf.coordinates_m is None) == (bf.coordinates_file is None):
            p(
                Problem(
                    "borefield.coordinates_m",
                    None,
                    "exactly one of coordinates_m and coordinates_file (layout 'coordinates')",
                )
            )
        elif bf.coordinates_file is not None and not bf.coordinates_file.is_file():
            p(
                Problem(
                    "borefield.coordinates_file", str(bf.coordinates_file), "an existing CSV file"
                )
            )
        else:
            try:
                pts = bf.points()
            except InputError as exc:
                out.extend(exc.problems)
                pts = ()
            out.extend(_overlap_problems(pts, bf.radius_m))
    pipes = bf.pipes
    if pipes.inner_diameter_m >= pipes.outer_diameter_m:
        p(
            Problem(
                "borefield.pipes.inner_diameter_m",
                pipes.inner_diameter_m,
                f"< borefield.pipes.outer_diameter_m ({pipes.outer_diameter_m:g} m)",
            )
        )
    r_p = pipes.outer_diameter_m / 2
    if pipes.shank_spacing_m / 2 + r_p > bf.radius_m:
        p(
            Problem(
                "borefield.pipes.shank_spacing_m",
                pipes.shank_spacing_m,
                f"pipes must fit in the borehole: shank_spacing/2 + outer radius ≤ "
                f"borefield.radius_m ({bf.radius_m:g} m), i.e. ≤ "
                f"{2 * (bf.radius_m - r_p):.4g} m",
            )
        )
    if pipes.shank_spacing_m < pipes.outer_diameter_m:
        p(
            Problem(
                "borefield.pipes.shank_spacing_m",
                pipes.shank_spacing_m,
                f"≥ the pipe outer diameter ({pipes.outer_diameter_m:g} m): the legs would overlap",
            )
        )
    if bf.fluid.name == "water" and bf.fluid.concentration_pct != 0:
        p(Problem("borefield.fluid.concentration_pct", bf.fluid.concentration_pct, "0 for water"))
    return out


def _overlap_problems(points, r_b) -> list[Problem]:
    """Too many boreholes, or the first pair closer than a borehole diameter."""
    pts = list(points)
    if len(pts) > MAX_BOREHOLES:
        return [
            Problem(
                "borefield.coordinates_m",
                f"{len(pts)} boreholes",
                f"at most {MAX_BOREHOLES} boreholes",
            )
        ]
    for i in range(len(pts)):
        for j in range(i + 1, len(pts)):
            d = math.hypot(pts[i][0] - pts[j][0], pts[i][1] - pts[j][1])
            if d <= 2 * r_b:
                return [
                    Problem(
                        f"borefield.coordinates_m[{j}]",
                        list(pts[j]),
                        f"boreholes {i} and {j} are {d:.3g} m apart; they must be more than "
                        f"2 × radius = {2 * r_b:g} m apart",
                    )
                ]
    return []
