"""``gshp sweep``: a sweep file (base case × grid of overrides) into one result file."""

from __future__ import annotations

import dataclasses
import sys

from gshp.cli.common import (
    add_jobs,
    add_quiet,
    add_resolution,
    add_years,
    check_jobs,
    jobs_for,
    option_overrides,
)
from gshp.studies.runner import check_scheduler

LIST_ALL = 200
"""``gshp sweep --list`` lists and checks every point of a grid up to this size; a larger
grid shows its size and its first and last points (checked) only."""


def add_parser(sub) -> None:
    """Add the ``sweep`` subcommand to an argparse subparsers object."""
    p = sub.add_parser(
        "sweep",
        help="run a sweep file (base case × grid of overrides) into one result file",
    )
    p.add_argument("sweep", metavar="SWEEP.toml", help="sweep file")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="combined result file (default: the sweep's 'output', else results/<name>.nc)",
    )
    add_jobs(p)
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on Dask distributed: 'local' (LocalCluster) or tcp://host:port",
    )
    p.add_argument("--force", action="store_true", help="re-run cases whose per-case result exists")
    add_years(p, help="override simulation.years of every case (unless the grid varies it)")
    add_resolution(p, help="override simulation.output_resolution (unless the grid varies it)")
    p.add_argument(
        "--float32",
        action="store_true",
        help="store the combined result in single precision (about half the size)",
    )
    p.add_argument(
        "--list", action="store_true", help="only list the grid points (validates the file)"
    )
    add_quiet(p)
    p.set_defaults(func=cmd_sweep)


def cmd_sweep(args) -> int:
    """``gshp sweep``: exit 0 all done, 1 a case failed, 2 bad input (a grid point too)."""
    # numpy and xarray: not at start-up
    from gshp.studies.sweep import grid_points, load_sweep, results_table, run_sweep, summary_lines

    check_jobs(args)
    sweep = load_sweep(args.sweep, output=args.output)
    extra = option_overrides(args)
    if extra:
        sweep = dataclasses.replace(sweep, overrides={**sweep.overrides, **extra})
        sweep = dataclasses.replace(sweep, points=tuple(grid_points(sweep)))
    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    if args.list:
        return _list_points(sweep)
    outcome = run_sweep(
        sweep,
        jobs=jobs_for(args, len(sweep.points)),
        progress=not args.quiet,
        scheduler=args.scheduler,
        force=args.force,
        float32=args.float32,
    )
    if outcome.dataset is not None:
        print(results_table(outcome.dataset))
        print()
    failed = {r.name for r in outcome.failed}
    for line in summary_lines(outcome):
        print(line, file=sys.stderr if line.split(":")[0] in failed else None)
    if any(r.error_kind == "input" for r in outcome.failed):
        return 2
    return 1 if outcome.failed else 0


def _list_points(sweep) -> int:
    """``--list``: the grid points, each checked (a large grid: its ends only)."""
    from gshp.studies.sweep import build_cases  # numpy and xarray: not at start-up

    n = len(sweep.points)
    shown = sweep.points if n <= LIST_ALL else sweep.points[:10] + sweep.points[-10:]
    _, _, invalid = build_cases(dataclasses.replace(sweep, points=tuple(shown)))
    bad = {r.name: r.error for r in invalid}
    for k, point in enumerate(shown):
        if n > LIST_ALL and k == 10:
            print(f"… {n - 20} more point(s) …")
        mark = f"  INVALID: {bad[point.name]}" if point.name in bad else ""
        print(f"{point.name}{mark}")
    checked = "" if n <= LIST_ALL else f" (only the {len(shown)} shown are checked)"
    print(f"{n} grid point(s), {len(invalid)} invalid{checked}; output {sweep.output}")
    return 2 if invalid else 0
