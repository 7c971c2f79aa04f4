"""``gshp size``: the smallest borefield that keeps the fluid temperature in its limits."""

from __future__ import annotations

from gshp.cli.common import add_fluid_limits, add_jobs, add_quiet, add_years, check_jobs, load_cases
from gshp.errors import InputError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "size",
        help="smallest borefield holding fluid-temperature limits (full simulation)",
        description="Smallest borefield (boreholes in a growing rectangle, or length per "
        "borehole) that keeps the borefield fluid within the limits over the whole run while "
        "the pump runs: by default the mean fluid temperature (inlet + outlet)/2 as hourly "
        "means, the convention of EED and GHEtool (--criterion, --check; or "
        "[sizing] in the case file). Works on a station case and on a borefield-only case "
        "(kind = 'borefield'). Monthly limits: 12 comma-separated values, written with '=' "
        "when negative (--min-fluid-temp=-3,-3,-2,0,0,0,0,0,0,-1,-2,-3).",
    )
    p.add_argument("case", metavar="CASE", help="case file")
    add_fluid_limits(
        p,
        "lowest fluid °C (1 or 12 values; default: sizing.T_fluid_min_C of the case)",
        "highest fluid °C (1 or 12 values; default: sizing.T_fluid_max_C of the case)",
    )
    p.add_argument(
        "--criterion",
        choices=("mean", "inlet", "outlet"),
        default=None,
        help="which fluid temperature is limited: mean = (inlet + outlet)/2 (EED/GHEtool "
        "convention), inlet (where freezing starts) or outlet (to the evaporator); "
        "default: sizing.criterion of the case ('mean')",
    )
    p.add_argument(
        "--check",
        choices=("hourly", "step"),
        default=None,
        help="limits on hourly means while the pump runs (as the peers) or at every time "
        "step; default: sizing.check of the case ('hourly')",
    )
    p.add_argument("--vary", choices=("boreholes", "length"), default="boreholes")
    add_years(p, help="design life")
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
        "--length-step",
        type=float,
        default=1.0,
        metavar="M",
        help="resolution of the length search with --vary length, m (default 1)",
    )
    p.add_argument(
        "--search-step",
        type=int,
        default=900,
        metavar="S",
        help="station step during the search, s (default 900)",
    )
    p.add_argument(
        "--confidence",
        type=float,
        default=None,
        metavar="Q",
        help="size to a confidence: the smallest field whose limits hold in at least this "
        "share (e.g. 0.9 for P90) of the samples of the case's [uncertainty] table, with the "
        "sampling interval of the answer",
    )
    p.add_argument(
        "--samples",
        type=int,
        default=None,
        metavar="N",
        help="with --confidence: samples (a power of two; default: uncertainty.samples)",
    )
    add_jobs(p, default=1, help="with --confidence: parallel processes for the samples")
    p.add_argument(
        "--scheduler",
        default=None,
        help="with --confidence: Dask scheduler address (tcp://host:port) or 'local'",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_quiet(p, help="no progress lines")
    p.set_defaults(func=cmd_size)


def cmd_size(args) -> int:
    from gshp.studies.sizing import size  # numpy, xarray and the simulator: not at start-up

    cases = load_cases([args.case])
    if len(cases) != 1:
        raise InputError.single(
            "CASE",
            f"{len(cases)} cases in {args.case}",
            "exactly one case file (sizing works on one case)",
        )
    (case,) = cases
    if args.confidence is not None:
        return _size_confidence(args, case)
    for name in ("samples", "scheduler"):
        if getattr(args, name) is not None:
            raise InputError.single(f"--{name}", getattr(args, name), "only with --confidence")
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
        length_step_m=args.length_step,
        criterion=args.criterion,
        check=args.check,
        progress=None if (args.json or args.quiet) else print,
    )
    print(res.to_json() if args.json else res.summary())
    return 0


def _size_confidence(args, case) -> int:
    from gshp.studies.confidence import size_confidence
    from gshp.studies.runner import check_scheduler

    check_jobs(args)
    if args.max_unmet_kwh is not None:
        raise InputError.single(
            "--max-unmet-kwh", args.max_unmet_kwh, "no bound on unmet heat with --confidence"
        )
    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    res = size_confidence(
        case,
        confidence=args.confidence,
        t_min_C=args.min_fluid_temp,
        t_max_C=args.max_fluid_temp,
        vary=args.vary,
        years=args.years,
        max_size=args.max_size,
        min_size=args.min_size,
        search_step_s=args.search_step,
        length_step_m=args.length_step,
        criterion=args.criterion,
        check=args.check,
        samples=args.samples,
        jobs=args.jobs if args.jobs else -1,
        scheduler=args.scheduler,
        progress=None if (args.json or args.quiet) else print,
    )
    print(res.to_json() if args.json else res.summary())
    return 0
