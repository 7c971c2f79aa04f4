"""``gshp report``: a self-contained HTML report (``report.html``), figures (PNG) and a
summary table (Markdown, CSV) of a result file, or a comparison of 2–6 results."""

from __future__ import annotations

from pathlib import Path

from gshp.cli.common import add_fluid_limits, output_folder
from gshp.errors import InputError
from gshp.io.fileio import WriteError

CRITERIA = ("mean", "inlet", "outlet")
"""``--criterion``: the fluid temperature checked against the limits (as ``gshp size``)."""
CHECKS = ("hourly", "step")
"""``--check``: hourly means or every time step with the pump running (as ``gshp size``)."""
MAX_COMPARED = 6


def add_parser(sub) -> None:
    """Add the ``report`` subcommand to an argparse subparsers object."""
    p = sub.add_parser(
        "report",
        help="HTML report, figures (PNG) and summary (Markdown, CSV) of a result file; "
        "with 2–6 result files: a comparison",
    )
    p.add_argument(
        "result",
        metavar="RESULT.nc",
        nargs="+",
        help="result of gshp run, gshp sweep or gshp uncertainty; 2–6 single-case results: "
        "compare them",
    )
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="output folder (default: next to the (first) result, <result name>_report, "
        "or <first>_vs_<second>…_report for a comparison)",
    )
    add_fluid_limits(
        p,
        "lower design limit of the borefield fluid (1 or 12 values, °C): drawn and checked "
        "(default: sizing.T_fluid_min_C of the result's case)",
        "upper design limit of the borefield fluid (1 or 12 values, °C): drawn and checked "
        "(default: sizing.T_fluid_max_C of the result's case)",
    )
    p.add_argument(
        "--criterion",
        choices=CRITERIA,
        default=None,
        help="fluid temperature checked against the limits: mean of inlet and outlet, "
        "inlet or outlet (default: sizing.criterion of the result's case, else mean, as "
        "gshp size)",
    )
    p.add_argument(
        "--check",
        choices=CHECKS,
        default=None,
        help="hourly means or every time step with the pump running (default: "
        "sizing.check of the result's case, else hourly)",
    )
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    """``gshp report``: write the report and print the summary table."""
    # matplotlib, xarray and pandas: not at start-up
    from gshp.studies.sizing import parse_limit

    results = [Path(r) for r in args.result]
    if len(results) > MAX_COMPARED:
        raise InputError.single(
            "RESULT.nc", f"{len(results)} files", f"one result, or 2–{MAX_COMPARED} to compare"
        )
    if args.output:
        out = Path(args.output)
    elif len(results) == 1:
        out = results[0].with_name(results[0].stem + "_report")
    else:
        out = results[0].with_name("_vs_".join(r.stem for r in results) + "_report")
    if out.exists() and not out.is_dir():
        raise InputError.single("--output", str(out), "a folder")
    output_folder(out)  # before anything is read or drawn
    t_min = parse_limit(args.min_fluid_temp, "--min-fluid-temp")
    t_max = parse_limit(args.max_fluid_temp, "--max-fluid-temp")
    if (
        t_min is not None
        and t_max is not None
        and any(lo >= hi for lo, hi in zip(t_min, t_max, strict=True))
    ):
        # the same rule as gshp size (gshp.studies.sizing._check_size_args)
        raise InputError.single(
            "--min-fluid-temp", list(t_min), "below --max-fluid-temp in every month"
        )
    limits = dict(t_min_C=t_min, t_max_C=t_max, criterion=args.criterion, check=args.check)
    if len(results) == 1:
        from gshp.io.report import markdown_table, open_for_report, write_report

        ds = open_for_report(results[0])
        from gshp.io.report_uncertainty import is_uncertainty_result

        if is_uncertainty_result(ds):  # gshp uncertainty's result: quantiles and fan chart
            return _uncertainty_report(ds, out, results[0])
        try:
            written = write_report(ds, out, source=results[0].name, **limits)
        except OSError as exc:  # full disk while drawing: one message, exit 1
            raise WriteError(exc.filename or out, exc.strerror or str(exc)) from None
        import pandas as pd

        print(markdown_table(pd.read_csv(out / "summary.csv")))
    else:
        from gshp.io.compare import write_comparison

        try:
            written, table = write_comparison(results, out, **limits)
        except OSError as exc:
            raise WriteError(exc.filename or out, exc.strerror or str(exc)) from None
        print(table)
    print()
    for p in written:
        print(f"wrote {p}")
    return 0


def _uncertainty_report(ds, out: Path, source: Path) -> int:
    """The report of a ``gshp uncertainty`` result (its limits are the case's [sizing])."""
    from gshp.io.report_uncertainty import write_uncertainty_report
    from gshp.studies.uncertainty import quantile_table

    try:
        written = write_uncertainty_report(ds, out, source=source.name)
    except OSError as exc:
        raise WriteError(exc.filename or out, exc.strerror or str(exc)) from None
    print(quantile_table(ds))
    print()
    for p in written:
        print(f"wrote {p}")
    return 0
