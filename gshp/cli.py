"""Command line: ``gshp COMMAND ...``.

Bad input (case files, weather or load files, arguments) prints a message naming the
field or line, the value and what is allowed, and exits with code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gshp import __version__
from gshp.errors import MISSING, InputError

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as 'gshp: error: …' with exit code 2."""


def case_paths(items) -> list[Path]:
    """Expand case arguments: files as given, folders to their ``*.toml`` files (sorted)."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(p.glob("*.toml"))
            if not found:
                raise InputError.single(
                    str(p), "a folder without .toml files", "a case file or a folder of case files"
                )
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise InputError.single(str(p), MISSING, "an existing case file or folder")
    return out


def load_cases(items):
    """Load every case named on the command line; all problems of all files at once."""
    from gshp.config import load_case

    cases, errors = [], []
    for path in case_paths(items):
        try:
            cases.append(load_case(path))
        except InputError as exc:
            errors.append(exc)
    if errors:
        problems = []
        for exc in errors:
            src = f"{exc.source}: " if exc.source else ""
            for prob in exc.problems:
                problems.append(type(prob)(src + prob.where, prob.value, prob.allowed))
        raise InputError(problems)
    names = [c.name for c in cases]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError.single("name", dup[0], "case names must be unique within a run")
    return cases


def case_summary(case) -> str:
    """Readable multi-line summary of a case."""
    s, cl, d, n, t, hp, bf, c = (
        case.simulation,
        case.climate,
        case.district,
        case.network,
        case.tank,
        case.heat_pump,
        case.borefield,
        case.controls,
    )
    g, pp = bf.ground, bf.pipes
    lines = [f"{case.name} — {case.description}" if case.description else case.name]
    if case.source:
        lines[0] += f"   ({case.source})"
    clim = f"preset {cl.preset}" if cl.preset else f"weather file {cl.weather_file}"
    lines.append(f"  climate     {clim}")
    if d.load_file:
        lines.append(f"  district    load file {d.load_file} ({d.load_file_kind})")
    else:
        pvt = f"PVT {d.pvt_area_m2:g} m²" if d.pvt_enabled else "no PVT"
        lines.append(
            f"  district    {d.preset or cl.preset} reference district: "
            f"{d.n_buildings} buildings, {d.heated_area_m2:g} m², {pvt}"
        )
    strat = {
        "constant": f"constant: heating {n.T_supply_heating_C:g} °C, cooling "
        f"{n.T_supply_cooling_C:g} °C",
        "schedule": "schedule: heating "
        + ", ".join(
            f"{m} {v:g}" for m, v in zip(MONTHS, n.heating_setpoint_by_month_C or (), strict=False)
        )
        + f" °C; cooling {n.T_supply_cooling_C:g} °C",
        "reset": f"reset: {n.reset_T_supply_C[0]:g} °C at {n.reset_T_outdoor_C[0]:g} °C "
        f"outdoor → {n.reset_T_supply_C[1]:g} °C at {n.reset_T_outdoor_C[1]:g} °C;"
        f" cooling {n.T_supply_cooling_C:g} °C",
        "adaptive": f"adaptive: winter setpoint in [{n.adaptive_T_min_C:g}, "
        f"{n.adaptive_T_max_C:g}] °C (≤ {n.adaptive_step_K:g} K/day); cooling "
        f"{n.T_supply_cooling_C:g} °C",
    }[n.strategy]
    lines.append(f"  network     {strat}; substation ΔT {n.substation_dT_K:g} K")
    nb = bf.n_boreholes
    shape = (
        f"{bf.n_x} × {bf.n_y}, {bf.spacing_m:g} m"
        if bf.layout == "rectangle"
        else "given coordinates"
    )
    ground_t = (
        f"{g.T_undisturbed_C:g} °C"
        if g.T_undisturbed_C is not None
        else f"surface {g.T_surface_C:g} °C + {g.geothermal_gradient_K_m:g} K/m"
    )
    lines.append(
        f"  borefield   {nb} boreholes ({shape}) × {bf.length_m:g} m = "
        f"{nb * bf.length_m:g} m; r_b {bf.radius_m * 1000:g} mm, buried "
        f"{bf.buried_depth_m:g} m; ground {g.conductivity_W_mK:g} W/(m·K), "
        f"{ground_t}"
    )
    fl = bf.fluid
    arrangement = {"single_u": "single U-tube", "double_u": "double U-tube"}[pp.arrangement]
    lines.append(
        f"              {arrangement} "
        f"{pp.outer_diameter_m * 1000:g}/{pp.inner_diameter_m * 1000:g} mm, grout "
        f"{bf.grout.conductivity_W_mK:g} W/(m·K); {fl.name} "
        f"{fl.concentration_pct:g} %; flow {bf.total_flow_kg_s:.3g} kg/s"
    )
    lines.append(
        f"  heat pump   {hp.rated_heating_capacity_kW:g} kW at B0/W35, compressor {hp.compressor}"
    )
    lines.append(
        f"  tank        {t.volume_m3:g} m³, {t.height_m:g} m, {t.n_layers} layers, "
        f"coil in layers {t.coil_bottom_layer}–{t.coil_top_layer}, loss "
        f"{t.loss_UA_W_K:g} W/K"
    )
    season = (
        "calendar, cooling " + ", ".join(MONTHS[m - 1] for m in c.cooling_months)
        if c.season == "calendar"
        else f"automatic over {c.auto_window_h:g} h"
    )
    lines.append(
        f"  controls    season {season}; GSHP on below setpoint "
        f"{c.gshp_on_offset_K:+g} K, off above {c.gshp_off_offset_K:+g} K; min "
        f"on/off {c.min_on_time_s:g}/{c.min_off_time_s:g} s"
    )
    steps = s.years * 365 * 86400 // s.time_step_s
    lines.append(
        f"  simulation  {s.years} years at {s.time_step_s} s = {steps:,} steps, "
        f"output {s.output_resolution}, seed {s.seed}"
    )
    return "\n".join(lines)


def cmd_check(args) -> int:
    if args.reference:
        from gshp.config import field_reference

        print(field_reference())
        return 0
    if not args.cases:
        raise InputError.single("CASE", "none given", "one or more case files or folders")
    cases = load_cases(args.cases)
    for case in cases:
        print(case_summary(case))
        print()
    print(f"{len(cases)} case(s) valid.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gshp",
        description="Simulator of the central GSHP supply "
        "station of an ultra-low-temperature district heating and cooling "
        "network.",
    )
    parser.add_argument("--version", action="version", version=f"gshp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("check", help="validate case files and print a summary of each")
    p.add_argument("cases", nargs="*", metavar="CASE", help="case files or folders")
    p.add_argument(
        "--reference",
        action="store_true",
        help="print the case-file reference (every field) as Markdown",
    )
    p.set_defaults(func=cmd_check)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"gshp {args.command}: error: {exc.message()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gshp: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
