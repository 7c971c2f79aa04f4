"""``gshp check``: validate case files and print a summary of each; the case-file
reference and JSON schema."""

from __future__ import annotations

import json

from gshp.cli.common import check_environment, load_cases
from gshp.config import field_reference, json_schema
from gshp.errors import InputError, Problem

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="validate case files and print a summary of each")
    p.add_argument("cases", nargs="*", metavar="CASE", help="case files or folders")
    p.add_argument(
        "--reference",
        action="store_true",
        help="print the case-file reference (every field) as Markdown",
    )
    p.add_argument(
        "--json-schema",
        action="store_true",
        help="print the JSON Schema of case files (for editors: completion and checking)",
    )
    p.set_defaults(func=cmd_check)


def cmd_check(args) -> int:
    if args.reference:
        print(field_reference())
        return 0
    if args.json_schema:
        print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
        return 0
    if not args.cases:
        raise InputError.single("CASE", "none given", "one or more case files or folders")
    cases = load_cases(args.cases)
    problems = []  # the cache folder, weather and load files: all in one message
    for check in (check_environment, check_input_files):
        try:
            check(cases)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    for case in cases:
        print(case_summary(case))
        print()
    print(f"{len(cases)} case(s) valid.")
    return 0


def check_input_files(cases) -> None:
    """Open every weather and load file the cases name; all their problems in one
    :class:`InputError`, each with its file and line (a file shared by cases once)."""

    def read_weather_file(path):  # pvlib, pandas: imported only when a file is named
        from gshp.physics.climate import read_weather_file

        return read_weather_file(path)

    def read_load_file(path, *a):  # pandas: imported only when a file is named
        from gshp.physics.district import read_load_file

        return read_load_file(path, *a)

    problems, opened = [], {}

    def collect(field, fn, path, *a):
        key = (field, str(path), *a[:1])
        if path is None:
            return None
        if key not in opened:
            opened[key] = None
            try:
                opened[key] = fn(path, *a)
            except InputError as exc:
                src = f"{exc.source}: " if exc.source else ""
                problems.extend(Problem(f"{field} {src}{p.where}", p.value, p.allowed)
                                for p in exc.problems)  # fmt: skip
        return opened[key]

    def read_ground_load(path, cfg, years):  # pandas: imported only for a borefield case
        from gshp.io.ground_load import read_ground_load

        return read_ground_load(cfg, years)

    for case in cases:
        if case.kind == "borefield":
            gl = case.ground_load
            collect("ground_load.file", read_ground_load, gl.file, gl, case.simulation.years)
            continue
        cl, d = case.climate, case.district
        wx = collect("climate.weather_file", read_weather_file, cl.weather_file)
        if d.load_file is not None:
            if wx is None and cl.preset is not None:
                from gshp.physics.climate import preset  # pandas: only for a load file

                wx = preset(cl.preset)
            if wx is None and cl.weather_file is not None:
                continue  # the weather file's problems are reported; T_air may need it
            collect("district.load_file", read_load_file, d.load_file, d.load_file_kind, wx)
    if problems:
        raise InputError(problems)


def case_summary(case) -> str:
    """Readable multi-line summary of a case (a station, or a borefield alone)."""
    if case.kind == "borefield":
        return _borefield_only_summary(case)
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
    lines += _borefield_lines(bf)
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
    lines += _sizing_lines(case.sizing)
    lines.append(_simulation_line(s))
    return "\n".join(lines + _uncertainty_lines(case))


def _borefield_only_summary(case) -> str:
    """Summary of a borefield-only case (``kind = "borefield"``): its ground load, field,
    sizing limits and simulation."""
    s, gl = case.simulation, case.ground_load
    lines = [f"{case.name} — {case.description}" if case.description else case.name]
    if case.source:
        lines[0] += f"   ({case.source})"
    cols = gl.extraction_column + (f" − {gl.injection_column}" if gl.injection_column else "")
    scale = f" × {gl.scale:g}" if gl.scale != 1.0 else ""
    pump = {"load": "pump in the hours with a load", "constant": "pump always on"}[gl.pump]
    lines.append(f"  ground load {gl.file}: {cols} ({gl.unit}){scale}; {pump}")
    lines += _borefield_lines(case.borefield)
    lines += _sizing_lines(case.sizing)
    lines.append(_simulation_line(s, seed=False))
    return "\n".join(lines + _uncertainty_lines(case))


def _borefield_lines(bf) -> list[str]:
    """The field, its ground and borehole interior."""
    g, pp = bf.ground, bf.pipes
    nb = bf.n_boreholes
    lines = []
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
        + (
            f"; R_b* {bf.R_b_override_mK_W:g} m·K/W imposed"
            if bf.R_b_override_mK_W is not None
            else ""
        )
    )
    return lines


def _sizing_lines(sz) -> list[str]:
    """The [sizing] limits, when the case sets any."""
    if sz.T_fluid_min_C is None and sz.T_fluid_max_C is None:
        return []
    lo = "" if sz.T_fluid_min_C is None else f"{sz.T_fluid_min_C:g}"
    hi = "" if sz.T_fluid_max_C is None else f"{sz.T_fluid_max_C:g}"
    what = {"mean": "mean fluid (inlet + outlet)/2", "inlet": "borefield inlet",
            "outlet": "borefield outlet"}[sz.criterion]  # fmt: skip
    how = {"hourly": "hourly means", "step": "every step"}[sz.check]
    return [f"  sizing      {what}, {how}, within {lo or '−∞'} … {hi or '+∞'} °C"]


def _simulation_line(s, seed=True) -> str:
    from gshp.station.components.clock import steps_per_year  # numpy: not at start-up

    steps = s.years * steps_per_year(s.time_step_s)
    text = (
        f"  simulation  {s.years} years at {s.time_step_s} s = {steps:,} steps, "
        f"output {s.output_resolution}"
    )
    return text + (f", seed {s.seed}" if seed else "")


def _uncertainty_lines(case) -> list[str]:
    """The [uncertainty] table, when the case has one."""
    u = getattr(case, "uncertainty", None)
    if u is None:
        return []
    lines = [f"  uncertainty {u.samples} samples ({u.method}, seed {u.seed}):"]
    return lines + [f"              {v.path} ~ {v.describe()}" for v in u.variables]
