"""``gshp report``: figures (PNG) and a summary table (Markdown, CSV) of a result file."""

from __future__ import annotations

from pathlib import Path

from gshp.cli.common import add_fluid_limits, output_folder
from gshp.errors import InputError
from gshp.io.fileio import WriteError


def add_parser(sub) -> None:
    """Add the ``report`` subcommand to an argparse subparsers object."""
    p = sub.add_parser(
        "report", help="figures (PNG) and a summary table (Markdown, CSV) of a result file"
    )
    p.add_argument("result", metavar="RESULT.nc", help="result of gshp run or gshp sweep")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="output folder (default: next to the result, <result name>_report)",
    )
    add_fluid_limits(
        p,
        "lower design limit drawn on fluid_envelope.png (1 or 12 values, °C)",
        "upper design limit drawn on fluid_envelope.png (1 or 12 values, °C)",
    )
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    """``gshp report``: write the report and print the summary table."""
    # matplotlib, xarray and pandas: not at start-up
    from gshp.io.report import markdown_table, open_for_report, summary_table, write_report
    from gshp.studies.sizing import parse_limit

    result = Path(args.result)
    out = Path(args.output) if args.output else result.with_name(result.stem + "_report")
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
    ds = open_for_report(result)
    try:
        written = write_report(ds, out, t_min_C=t_min, t_max_C=t_max)
    except OSError as exc:  # full disk while drawing: one message, exit 1
        raise WriteError(exc.filename or out, exc.strerror or str(exc)) from None
    print(markdown_table(summary_table(ds)))
    print()
    for p in written:
        print(f"wrote {p}")
    return 0
