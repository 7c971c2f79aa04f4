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
    p.add_argument(
        "--sensitivity",
        nargs="?",
        const="auto",
        choices=("auto", "sobol", "morris"),
        default=None,
        help="instead of quantiles: which input matters. Runs SALib's design (Sobol' first-"
        "order and total indices, or Morris screening when the samples are few: 'auto') "
        "within the sample budget and writes the indices of the last year's minimum fluid "
        "temperature and the lifetime electricity with their confidence intervals, and a bar "
        "chart each (docs/sensitivity.md)",
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
    if args.sensitivity is not None:
        return _sensitivity(args, case, spec, output)
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


TITLES = {
    "T_fluid_min_last_year": "lowest mean fluid temperature, last year",
    "electricity_lifetime": "electricity over the lifetime",
}


def _sensitivity(args, case, spec, output) -> int:
    """``gshp uncertainty --sensitivity``: the design's runs on the same runner, then the
    indices of two responses (docs/sensitivity.md)."""
    import os

    import numpy as np
    import xarray as xr

    from gshp.io.fileio import WriteError
    from gshp.io.results import write_netcdf
    from gshp.studies.sensitivity import analyse, bar_chart, choose_method, design
    from gshp.studies.uncertainty import AllSamplesFailed, run_samples

    method = choose_method(spec) if args.sensitivity == "auto" else args.sensitivity
    X = design(spec, method)
    out = output.with_name(output.stem + f"_{method}.nc")
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    try:
        ds = run_samples(case, spec.paths, X, jobs=jobs or -1, scheduler=args.scheduler,
                         output=out, progress=not args.quiet, spec=spec,
                         force=args.force)  # fmt: skip
    except AllSamplesFailed as exc:
        print(f"gshp uncertainty: error: {exc}", file=sys.stderr)
        return 1
    responses = {
        "T_fluid_min_last_year": ds["T_fluid_min"].isel(year=-1),
        "electricity_lifetime": ds["electricity_lifetime"],
    }
    indices = {}
    for name, y in responses.items():
        y = y.rename(name)
        finite = y.values[np.isfinite(y.values)]
        if finite.size and np.ptp(finite) == 0.0:
            print(f"\n{name}: the same in every run ({float(finite[0]):.6g}): no input "
                  "matters, no indices")  # fmt: skip
            continue
        idx = analyse(spec, method, X, y)
        indices[name] = idx
        png = out.with_name(f"{out.stem}_{name}.png")
        try:
            bar_chart(idx, png, title=f"{case.name}: {TITLES[name]}")
        except OSError as exc:
            raise WriteError(exc.filename or png, exc.strerror or str(exc)) from None
        print(f"\n{name} ({method}):")
        for v in ("S1", "ST", "mu_star"):
            if v in idx:
                conf = idx.get(f"{v}_conf")
                for i, path in enumerate(idx["input"].values):
                    c = f" ± {float(conf[i]):.3f}" if conf is not None else ""
                    print(f"  {v:<7} {path:<45} {float(idx[v][i]):.3f}{c}")
    merged = xr.merge([d.rename({k: f"{name}_{k}" for k in d.data_vars})
                       for name, d in indices.items()], combine_attrs="drop")  # fmt: skip
    merged.attrs.update(method=method, case_name=case.name, Conventions="CF-1.8",
                        runs=int(len(X)))  # fmt: skip
    path = write_netcdf(merged, out.with_name(out.stem + "_indices.nc"))
    print(f"\n{len(X)} runs ({method}); indices {path}; runs {out}")
    return 0
