"""``gshp uncertainty``: the samples of a case's [uncertainty] table, run on the sweep
runner, into one result file with quantiles and a fan chart (docs/uncertainty.md)."""

from __future__ import annotations

import sys
from pathlib import Path

from gshp.cli.common import add_jobs, add_quiet, add_years, check_jobs, option_overrides
from gshp.errors import InputError


def add_parser(sub) -> None:
    """Add the ``uncertainty`` subcommand to an argparse subparsers object."""
    p = sub.add_parser(
        "uncertainty",
        help="run the samples of a case's [uncertainty] table: quantiles (P10/P50/P90) of "
        "the fluid temperatures, SCOP, electricity and ground drift, and a fan chart",
    )
    p.add_argument("case", metavar="CASE", help="case file with an [uncertainty] table")
    p.add_argument(
        "-n",
        "--samples",
        type=int,
        default=None,
        metavar="N",
        help="number of samples, a power of two (default: uncertainty.samples, 256); the "
        "first N of a larger Sobol' sample, so finished samples are reused",
    )
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="result file (default: results/<case name>_uncertainty.nc); the fan chart is "
        "written beside it (<stem>_fan.png), the per-sample files to <stem>.samples/",
    )
    add_jobs(p, help="parallel processes (default: one per core; 1: this process)")
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on Dask distributed: 'local' (LocalCluster, --jobs workers) or tcp://host:port",
    )
    p.add_argument(
        "--force", action="store_true", help="re-run samples whose per-sample file exists"
    )
    add_years(p, help="override simulation.years")
    add_quiet(p)
    p.set_defaults(func=cmd_uncertainty)


def cmd_uncertainty(args) -> int:
    """``gshp uncertainty``: exit 0 all samples done, 1 some failed, 2 bad input."""
    import os

    from gshp.cli.common import check_environment
    from gshp.config import load_case
    from gshp.config.uncertainty import check_samples
    from gshp.studies.runner import check_scheduler

    check_jobs(args)
    if args.samples is not None:
        prob = check_samples(args.samples, "--samples")
        if prob:
            raise InputError([prob])
    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    case = load_case(args.case, overrides=option_overrides(args) or None)
    spec = case.uncertainty
    if spec is None:
        raise InputError.single(
            "uncertainty",
            "no [uncertainty] table",
            f"an [uncertainty] table in {args.case} naming the uncertain inputs, e.g. "
            '"borefield.ground.conductivity_W_mK" = { dist = "normal", mean = 2.2, sd = 0.25 } '
            "(docs/uncertainty.md)",
        )
    check_environment([case])
    output = Path(args.output) if args.output else Path("results") / f"{case.name}_uncertainty.nc"

    # numpy, scipy, xarray, matplotlib: not at start-up
    import dataclasses

    from gshp.io.report_uncertainty import fig_fan_chart
    from gshp.studies.uncertainty import (
        AllSamplesFailed,
        quantile_table,
        run_samples,
        sample_matrix,
    )

    if args.samples is not None:
        spec = dataclasses.replace(spec, samples=args.samples)
    X = sample_matrix(spec)
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    try:
        ds = run_samples(
            case,
            spec.paths,
            X,
            jobs=jobs or -1,
            scheduler=args.scheduler,
            output=output,
            progress=not args.quiet,
            spec=spec,
            force=args.force,
        )
    except AllSamplesFailed as exc:
        print(f"gshp uncertainty: error: {exc}", file=sys.stderr)
        return 1
    fan = output.with_name(output.stem + "_fan.png")
    try:
        fig_fan_chart(ds, fan)
    except OSError as exc:
        from gshp.io.fileio import WriteError

        raise WriteError(exc.filename or fan, exc.strerror or str(exc)) from None
    print(quantile_table(ds))
    print()
    import json

    failed = json.loads(ds.attrs.get("failed_samples", "[]"))
    for item in failed:
        print(f"{item['name']}: failed: {item['error']}", file=sys.stderr)
    n = ds.sizes["sample"]
    reused = int(ds.attrs.get("samples_reused", 0))
    print(
        f"{n - len(failed)} of {n} samples done ({reused} reused from earlier runs); "
        f"result {output}; fan chart {fan}"
    )
    return 1 if failed else 0
