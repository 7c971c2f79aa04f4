"""What the commands share: case arguments, the output folder, the options several
commands take (defined once here), the checks before a run, the yearly table.

Nothing here imports numpy, xarray or the simulator at module level: every command
module imports this one when the parser is built (``gshp --help``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from gshp.config import load_case, path_kind, short_path
from gshp.errors import MISSING, InputError, Problem
from gshp.io.fileio import check_writable_folder

RESOLUTIONS = ("step", "15min", "hourly", "daily", "monthly")
"""The choices of ``--resolution`` (those of ``simulation.output_resolution``)."""


# ---------------------------------------------------------------------------- options


def positive_gb(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of GB") from None
    if not (value > 0 and value <= 1e4):
        raise argparse.ArgumentTypeError(f"{text} is outside the allowed (0, 10000] GB")
    return value


def positive_years(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of years") from None
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{value} is outside the allowed 1–100 years")
    return value


def add_jobs(p, default=None, help=None) -> None:
    """``-j/--jobs``: parallel processes."""
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=default,
        help=help or "parallel processes (default: one per case, up to the cores; 0: one per core)",
    )


def add_years(p, help="override simulation.years of every case") -> None:
    """``--years``: a whole number of years in [1, 100]."""
    p.add_argument("--years", type=positive_years, default=None, help=help)


def add_resolution(p, help="override simulation.output_resolution") -> None:
    p.add_argument("--resolution", choices=RESOLUTIONS, help=help)


def add_quiet(p, help="no progress (bars on a terminal, lines in a log)") -> None:
    p.add_argument("-q", "--quiet", action="store_true", help=help)


def add_fluid_limits(p, lower: str, upper: str) -> None:
    """``--min-fluid-temp`` and ``--max-fluid-temp`` (1 or 12 values, °C)."""
    p.add_argument("--min-fluid-temp", metavar="C", default=None, help=lower)
    p.add_argument("--max-fluid-temp", metavar="C", default=None, help=upper)


def check_jobs(args) -> None:
    """``--jobs`` is None or ≥ 0 (checked before anything is read)."""
    if args.jobs is not None and args.jobs < 0:
        raise InputError.single("--jobs", args.jobs, "a whole number ≥ 0 (0: one per core)")


def jobs_for(args, n_cases: int) -> int:
    """The processes that ``--jobs`` asks for: by default one per case up to the cores; 0
    gives -1 (one per core, :func:`gshp.studies.runner.run_cases`)."""
    jobs = args.jobs if args.jobs is not None else min(n_cases, os.cpu_count() or 1)
    return jobs or -1


def option_overrides(args) -> dict:
    """The case overrides that ``--years``, ``--resolution`` and ``--max-memory`` give."""
    over = {}
    if getattr(args, "years", None) is not None:
        over["simulation.years"] = args.years
    if getattr(args, "resolution", None) is not None:
        over["simulation.output_resolution"] = args.resolution
    if getattr(args, "max_memory", None) is not None:
        over["simulation.max_memory_GB"] = args.max_memory
    return over


# ---------------------------------------------------------------------------- cases


def case_paths(items) -> list[Path]:
    """Expand case arguments: files as given, folders to their ``*.toml`` files (sorted)."""

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


def check_environment(cases) -> None:
    """What a case needs beyond its own file: a usable g-function cache folder (all
    problems in one InputError)."""
    from gshp.io.diskcache import check_cache_dir  # numpy: not at start-up

    problems = []
    for case in cases:
        given = case.borefield.gfunction.cache_dir
        why = check_cache_dir(given)
        if why:
            where = "borefield.gfunction.cache_dir" if given else "GSHP_CACHE_DIR"
            shown = str(given) if given else os.environ.get("GSHP_CACHE_DIR", "")
            problems.append(Problem(where, shown, f"a folder for the g-function cache ({why})"))
    if problems:  # cases sharing a folder: each problem once
        raise InputError(list({(p.where, str(p.value)): p for p in problems}.values()))


def output_folder(path, option: str = "--output") -> Path:
    """The output folder, created and tried now, so that a bad or read-only path fails
    before any work is done."""
    folder = Path(path)
    if "\x00" in str(path):
        raise InputError.single(option, str(path), "a folder path without NUL characters")
    why = check_writable_folder(folder)
    if why:
        raise InputError.single(option, str(folder), f"a writable folder (it {why})")
    return folder


def yearly_table(ds) -> str:
    """The yearly summary table of a result Dataset (one row per simulated year).

    ``unmet kWh``: heating + DHW the buildings did not get (boosters outside their source
    range or capacity); ``deficit kWh``: the heating-season supply deficit at the
    substations (the heat that would lift their water to the setpoint; not unmet)."""
    if ds.attrs.get("case_kind") == "borefield":
        return borefield_yearly_table(ds)
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


def borefield_yearly_table(ds) -> str:
    """The yearly table of a borefield-only result: the ground's heat, the pump, and the
    mean fluid's lowest and highest hourly means, the inlet's lowest step, the wall."""
    head = (
        f"{'year':>4} {'extracted MWh':>13} {'injected MWh':>12} {'pump MWh':>8} "
        f"{'mean fluid min':>14} {'max':>5} {'inlet min':>9} {'wall mean':>9}"
    )
    rows = [head]
    t_lo = ds["T_fluid_mean_hourly_min"].min("month").values
    t_hi = ds["T_fluid_mean_hourly_max"].max("month").values
    for i, yr in enumerate(ds["year"].values):

        def v(name, i=i):
            return float(ds[name].values[i])

        rows.append(
            f"{int(yr):>4} {v('Q_ground_extracted') / 1e3:>13.1f} "
            f"{v('Q_ground_injected') / 1e3:>12.1f} {v('E_pump_borefield') / 1e3:>8.2f} "
            f"{t_lo[i]:>11.2f} °C {t_hi[i]:>5.1f} {v('T_bhe_in_min'):>6.2f} °C "
            f"{v('T_borehole_wall_mean'):>6.2f} °C"
        )
    return "\n".join(rows)
