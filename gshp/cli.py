"""Command line: ``gshp COMMAND ...``.

Bad input (case files, weather or load files, arguments) prints a message naming the
field or line, the value and what is allowed, and exits with code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gshp.errors import MISSING, InputError

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as 'gshp: error: …' with exit code 2."""


def case_paths(items) -> list[Path]:
    """Expand case arguments: files as given, folders to their ``*.toml`` files (sorted)."""
    from gshp.config import path_kind, short_path

    out: list[Path] = []
    for item in items:
        p = Path(item)
        kind = path_kind(p)
        if kind not in ("file", "dir", "missing"):  # a name too long, no permission
            allowed = "a case file or a folder of case files"
            raise InputError.single(short_path(str(p)), kind, allowed)
        if kind == "dir":
            found = sorted(p.glob("*.toml"))
            if not found:
                raise InputError.single(
                    str(p), "a folder without .toml files", "a case file or a folder of case files"
                )
            out.extend(found)
        elif kind == "file":
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
    if args.json_schema:
        import json

        from gshp.config import json_schema

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
    from gshp.errors import Problem

    def read_weather_file(path):  # pvlib, pandas: imported only when a file is named
        from gshp.physics.climate import read_weather_file

        return read_weather_file(path)

    def read_load_file(path, *a):
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

    for case in cases:
        cl, d = case.climate, case.district
        wx = collect("climate.weather_file", read_weather_file, cl.weather_file)
        if d.load_file is not None:
            if wx is None and cl.preset is not None:
                from gshp.physics.climate import preset

                wx = preset(cl.preset)
            if wx is None and cl.weather_file is not None:
                continue  # the weather file's problems are reported; T_air may need it
            collect("district.load_file", read_load_file, d.load_file, d.load_file_kind, wx)
    if problems:
        raise InputError(problems)


def check_environment(cases, open_files: bool = False) -> None:
    """What a case needs beyond its own file: a usable g-function cache folder and, with
    ``open_files``, weather files that read (all problems in one InputError)."""
    from gshp.errors import Problem
    from gshp.io.diskcache import check_cache_dir

    problems = []
    for case in cases:
        given = case.borefield.gfunction.cache_dir
        why = check_cache_dir(given)
        if why:
            where = "borefield.gfunction.cache_dir" if given else "GSHP_CACHE_DIR"
            shown = str(given) if given else os.environ.get("GSHP_CACHE_DIR", "")
            problems.append(Problem(where, shown, f"a folder for the g-function cache ({why})"))
        wf = case.climate.weather_file
        if open_files and wf is not None:
            from gshp.physics.climate import read_weather_file

            try:
                read_weather_file(wf)
            except InputError as exc:
                src = f"{exc.source}: " if exc.source else ""
                problems.extend(
                    Problem(f"climate.weather_file {src}{pr.where}", pr.value, pr.allowed)
                    for pr in exc.problems
                )
    if problems:  # cases sharing a folder or a file: each problem once
        raise InputError(list({(p.where, str(p.value)): p for p in problems}.values()))


def yearly_table(ds) -> str:
    """The yearly summary table of a result Dataset (one row per simulated year).

    ``unmet kWh``: heating + DHW the buildings did not get (boosters outside their source
    range or capacity); ``deficit kWh``: the heating-season supply deficit at the
    substations (the heat that would lift their water to the setpoint; not unmet)."""
    pipes = "Q_pipes_heating_season" in ds
    deficit = "supply_deficit_heat_year" in ds
    head = (
        f"{'year':>4} {'SCOP':>5} {'GSHP MWh':>9} {'boost MWh':>9} {'pumps MWh':>9} "
        f"{'BHE out min':>11} {'max':>5} {'wall mean':>9} {'unmet kWh':>9}"
        + (f" {'deficit kWh':>11}" if deficit else "")
        + (f" {'pipes MWh':>9}" if pipes else "")
    )
    rows = [head]
    for i, yr in enumerate(ds["year"].values):

        def v(name, i=i):
            return float(ds[name].values[i])

        rows.append(
            f"{int(yr):>4} {v('scop_gshp'):>5.2f} {v('E_gshp') / 1e3:>9.1f} "
            f"{v('E_boosters') / 1e3:>9.1f} {v('E_pumps') / 1e3:>9.1f} "
            f"{v('T_bhe_out_min'):>9.2f} °C {v('T_bhe_out_max'):>5.1f} "
            f"{v('T_borehole_wall_mean'):>6.2f} °C {v('unmet_heat_year'):>9.0f}"
            + (f" {v('supply_deficit_heat_year'):>11.0f}" if deficit else "")
            + (
                f" {(v('Q_pipes_heating_season') + v('Q_pipes_cooling_season')) / 1e3:>9.1f}"
                if pipes
                else ""
            )
        )
    return "\n".join(rows)


def output_folder(path, option: str = "--output") -> Path:
    """The output folder, created and tried now, so that a bad or read-only path fails
    before any work is done."""
    from gshp.io.fileio import check_writable_folder

    folder = Path(path)
    if "\x00" in str(path):
        raise InputError.single(option, str(path), "a folder path without NUL characters")
    why = check_writable_folder(folder)
    if why:
        raise InputError.single(option, str(folder), f"a writable folder (it {why})")
    return folder


def _apply_run_options(cases, args):
    over = {}
    if getattr(args, "years", None) is not None:
        over["simulation.years"] = args.years
    if getattr(args, "resolution", None) is not None:
        over["simulation.output_resolution"] = args.resolution
    if getattr(args, "max_memory", None) is not None:
        over["simulation.max_memory_GB"] = args.max_memory
    return [c.replace(**over) for c in cases] if over else cases


def _check_memory(cases) -> None:
    """Every case within its memory bound (gshp.station.memory), all refusals in one message."""
    from gshp.station.memory import check_memory

    problems = []
    for case in cases:
        try:
            check_memory(case)
        except InputError as exc:
            problems.extend(
                type(p)(f"{case.name}: {p.where}", p.value, p.allowed) for p in exc.problems
            )
    if problems:
        raise InputError(problems)


def _write_and_summarise(out_dir, ds, float32=False):
    """In the worker: write ``ds`` to ``out_dir/<case>.nc``; return it without its time
    series (what ``gshp run`` prints), the path in ``attrs['result_path']`` and the mean
    GSHP on-fraction in ``attrs['gshp_on_fraction_mean']``."""
    from gshp.io.fileio import WriteError
    from gshp.io.results import write_netcdf
    from gshp.studies.runner import CaseFailed

    try:
        path = write_netcdf(ds, Path(out_dir) / f"{ds.attrs['case_name']}.nc", float32=float32)
    except WriteError as exc:  # disk full, permissions: report it, keep the others
        raise CaseFailed(str(exc)) from None
    on = float(ds.gshp_on_fraction.mean())
    small = ds.drop_dims("time")
    small.attrs.update(result_path=str(path), gshp_on_fraction_mean=on)
    return small


def cmd_run(args) -> int:
    from functools import partial

    from gshp.io.fileio import WriteError
    from gshp.io.results import write_netcdf
    from gshp.studies.runner import run_cases

    if args.jobs is not None and args.jobs < 0:
        raise InputError.single("--jobs", args.jobs, "a whole number ≥ 0 (0: one per core)")
    cases = _apply_run_options(load_cases(args.cases), args)
    check_environment(cases)
    _check_memory(cases)
    out_dir = output_folder(args.output)
    jobs = args.jobs if args.jobs is not None else min(len(cases), os.cpu_count() or 1)
    written = {}

    def on_result(res):
        if res.dataset is None:
            return
        if res.ok:  # written by its worker (finish)
            written[res.name] = Path(res.dataset.attrs["result_path"])
            return
        try:  # with --keep-implausible an implausible result (flagged)
            written[res.name] = write_netcdf(
                res.dataset, out_dir / f"{res.name}.nc", float32=args.float32
            )
        except WriteError as exc:  # disk full, permissions: report it, keep the others
            res.error, res.error_kind = str(exc), "failure"
            res.dataset = None

    results = run_cases(
        cases,
        jobs=jobs or -1,
        progress=not args.quiet,
        on_result=on_result,
        keep_implausible=args.keep_implausible,
        finish=partial(_write_and_summarise, out_dir, float32=args.float32),
    )
    failed = [r for r in results if not r.ok]
    for res in results:
        if not res.ok:
            if res.name in written:
                res.error += f"\n  (kept, flagged implausible, in {written[res.name]})"
            continue
        ds = res.dataset
        print(
            f"\n{res.name}: {written[res.name]}  (kernel {ds.attrs['kernel_wall_time_s']:.2f}"
            f" s, energy balance closure {ds.attrs['energy_balance_closure']:.1e})"
        )
        print(yearly_table(ds))
        on_steps = ds.attrs["gshp_on_fraction_mean"] * ds.attrs["station_n_steps"]
        clamped = int(ds["envelope_clamped_steps"].sum())
        if clamped:
            print(
                f"  note: the compressor ran at the limit of its operating envelope in "
                f"{clamped:,} steps ({100 * clamped / max(on_steps, 1):.2g} % of GSHP "
                f"operation); its map is clamped there, not extrapolated"
            )
        for text in res.warnings:  # e.g. the fluid below its freezing point: once, plainly
            print(f"  WARNING: {text}")
    for res in failed:
        print(f"\n{res.name}: FAILED: {res.error}", file=sys.stderr)
        for text in res.warnings:
            print(f"  WARNING: {text}", file=sys.stderr)
    print(f"\n{len(results) - len(failed)} of {len(results)} case(s) done; results in {out_dir}/")
    if any(r.error_kind == "input" for r in failed):
        return 2
    return 1 if failed else 0


def cmd_loads(args) -> int:
    from gshp.io.results import write_netcdf
    from gshp.physics.district import district_loads, summary

    cases = load_cases(args.cases)
    out_dir = output_folder(args.output)
    for case in cases:
        ds = district_loads(case)
        ds.attrs["case_name"] = case.name
        if args.format == "csv":
            path = out_dir / f"{case.name}_loads.csv"
            out_dir.mkdir(parents=True, exist_ok=True)
            frame = ds.drop_vars([v for v in ds.data_vars if ds[v].ndim != 1]).to_dataframe()
            suffix = {"W": "_W", "°C": "_C", "degC": "_C", "K": "_K"}
            frame.columns = [c + suffix.get(ds[c].attrs.get("units", ""), "") for c in frame]
            frame.index = [str(t) for t in frame.index]
            frame.index.name = "time"
            from gshp.io.fileio import atomic_write_bytes

            text = frame.to_csv(float_format="%.6g")
            atomic_write_bytes(path, text.encode("utf-8"))
        else:
            path = write_netcdf(ds, out_dir / f"{case.name}_loads.nc")
        print(f"{case.name}: one year of 15-min loads written to {path}")
        print(summary(ds))
        print()
    return 0


def cmd_heatpump(args) -> int:
    from gshp.physics.heatpump import HeatPump, list_compressor_maps, summary

    if args.maps:
        print("Shipped compressor maps: " + ", ".join(list_compressor_maps()))
        return 0
    if not args.cases:
        raise InputError.single("CASE", "none given", "one or more case files, or --maps")
    for case in load_cases(args.cases):
        print(f"{case.name}:")
        print(summary(HeatPump.from_config(case.heat_pump)))
        print()
    return 0


def cmd_size(args) -> int:
    from gshp.studies.sizing import size

    cases = load_cases([args.case])
    if len(cases) != 1:
        raise InputError.single(
            "CASE",
            f"{len(cases)} cases in {args.case}",
            "exactly one case file (sizing works on one case)",
        )
    (case,) = cases
    res = size(
        case,
        t_min_C=args.min_fluid_temp,
        t_max_C=args.max_fluid_temp,
        vary=args.vary,
        years=args.years,
        max_unmet_kWh=args.max_unmet_kwh,
        max_size=args.max_size,
        min_size=args.min_size,
        search_step_s=args.search_step,
        progress=None if (args.json or args.quiet) else print,
    )
    print(res.to_json() if args.json else res.summary())
    return 0


class _VersionAction(argparse.Action):
    """``--version``: looks the installed version up only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kw):
        kw.setdefault("help", "show program's version number and exit")
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kw)

    def __call__(self, parser, namespace, values, option_string=None):
        from gshp import __version__

        parser.exit(message=f"gshp {__version__}\n")


#: Commands defined here; ``sweep`` and ``report`` add their own parsers (and import
#: xarray and pandas), so they are added only when needed.
_OWN_COMMANDS = ("check", "run", "loads", "size", "heatpump")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``command`` one of ``_OWN_COMMANDS`` the ``sweep`` and
    ``report`` subcommands (whose modules import xarray) are left out."""
    parser = _Parser(
        prog="gshp",
        description="Simulator of the central GSHP supply "
        "station of an ultra-low-temperature district heating and cooling "
        "network.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

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

    p = sub.add_parser("run", help="simulate cases and write results/<case>.nc")
    p.add_argument("cases", nargs="+", metavar="CASE_OR_DIR", help="case files or folders")
    p.add_argument("-o", "--output", default="results", help="result folder (default: results)")
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        help="parallel processes (default: one per case, up to the cores; 0: one per core)",
    )
    p.add_argument(
        "--years",
        type=_positive_years,
        default=None,
        help="override simulation.years of every case",
    )
    p.add_argument(
        "--resolution",
        choices=("step", "15min", "hourly", "daily", "monthly"),
        help="override simulation.output_resolution",
    )
    p.add_argument("--float32", action="store_true",
                   help="store results in single precision (about half the size; ~7 digits)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument(
        "--max-memory",
        type=_positive_gb,
        default=None,
        metavar="GB",
        help="override simulation.max_memory_GB: refuse a case whose estimated memory "
        "exceeds it (default 4 GB)",
    )
    p.add_argument(
        "--keep-implausible",
        action="store_true",
        help="write a physically implausible result anyway, flagged in its attributes "
        "(the case still counts as failed)",
    )
    p.set_defaults(func=cmd_run)

    if command not in _OWN_COMMANDS:
        from gshp.io import report
        from gshp.studies import sweep

        sweep.add_parser(sub)
        report.add_parser(sub)
        from gshp.validation import report as validation_report

        validation_report.add_parser(sub)

    p = sub.add_parser(
        "loads",
        help="write a case's year of district loads and print "
        "annual totals beside the reference values",
    )
    p.add_argument("cases", nargs="+", metavar="CASE", help="case files or folders")
    p.add_argument("-o", "--output", default="results", help="output folder")
    p.add_argument("--format", choices=("netcdf", "csv"), default="netcdf")
    p.set_defaults(func=cmd_loads)

    p = sub.add_parser(
        "size",
        help="smallest borefield holding outlet-temperature limits (full simulation)",
        description="Smallest borefield (boreholes in a growing rectangle, or length per "
        "borehole) that keeps the borefield outlet temperature, at every step while the "
        "pump runs, within the limits over the whole run. Monthly limits: 12 "
        "comma-separated values, written with '=' when negative "
        "(--min-fluid-temp=-3,-3,-2,0,0,0,0,0,0,-1,-2,-3).",
    )
    p.add_argument("case", metavar="CASE", help="case file")
    p.add_argument("--min-fluid-temp", metavar="C", help="lowest outlet °C (1 or 12 values)")
    p.add_argument("--max-fluid-temp", metavar="C", help="highest outlet °C (1 or 12 values)")
    p.add_argument("--vary", choices=("boreholes", "length"), default="boreholes")
    p.add_argument("--years", type=_positive_years, default=None, help="design life")
    p.add_argument(
        "--max-unmet-kwh",
        type=float,
        default=None,
        metavar="X",
        help="bound on the yearly unmet heating + cooling (demand the boosters could not "
        "serve), kWh",
    )
    p.add_argument(
        "--max-size",
        type=float,
        default=None,
        help="largest field: boreholes, or m per borehole with --vary length",
    )
    p.add_argument("--min-size", type=float, default=None, help="smallest field")
    p.add_argument(
        "--search-step",
        type=int,
        default=900,
        metavar="S",
        help="station step during the search, s (default 900)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_size)

    p = sub.add_parser(
        "heatpump", help="print the heat pump's scaling, rated point and performance table"
    )
    p.add_argument("cases", nargs="*", metavar="CASE", help="case files or folders")
    p.add_argument("--maps", action="store_true", help="list the shipped compressor maps")
    p.set_defaults(func=cmd_heatpump)
    return parser


def _positive_gb(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of GB") from None
    if not (value > 0 and value <= 1e4):
        raise argparse.ArgumentTypeError(f"{text} is outside the allowed (0, 10000] GB")
    return value


def _positive_years(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of years") from None
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{value} is outside the allowed 1–100 years")
    return value


def _silence_stdout() -> None:
    """Point stdout at /dev/null (after a broken pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (tests capture stdout)
        pass


def main(argv=None) -> int:
    from gshp.io.fileio import WriteError

    words = sys.argv[1:] if argv is None else list(argv)
    command = next((w for w in words if not w.startswith("-")), None)
    if command is None and "--version" in words and "-h" not in words and "--help" not in words:
        command = "run"  # the version needs no subcommand parsers
    parser = build_parser(command)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"gshp {args.command}: error: {exc.message()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gshp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader left (`gshp check --reference | head`): nothing more to say, and
        # Python must not complain again when it flushes stdout at exit
        _silence_stdout()
        return 141  # what a shell reports for a process ended by SIGPIPE (128 + 13)
    except WriteError as exc:
        print(f"gshp {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
