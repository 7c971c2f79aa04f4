"""``gshp run``: simulate cases and write ``<output>/<case>.nc``, in parallel."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

from gshp.cli.common import (
    add_jobs,
    add_quiet,
    add_resolution,
    add_years,
    check_environment,
    check_jobs,
    jobs_for,
    load_cases,
    option_overrides,
    output_folder,
    positive_gb,
    yearly_table,
)
from gshp.errors import InputError
from gshp.io.fileio import WriteError
from gshp.station.memory import check_memory
from gshp.studies.runner import CaseFailed, run_cases


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="simulate cases and write results/<case>.nc")
    p.add_argument("cases", nargs="+", metavar="CASE_OR_DIR", help="case files or folders")
    p.add_argument("-o", "--output", default="results", help="result folder (default: results)")
    add_jobs(p)
    add_years(p)
    add_resolution(p)
    p.add_argument(
        "--float32",
        action="store_true",
        help="store results in single precision (about half the size; ~7 digits)",
    )
    add_quiet(p)
    p.add_argument(
        "--max-memory",
        type=positive_gb,
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


def _check_memory(cases) -> None:
    """Every case within its memory bound (gshp.station.memory), all refusals in one message."""
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


def _write_and_summarise(out_dir, case, ds, float32=False):
    """In the worker: write ``ds`` of ``case`` to ``out_dir/<case>.nc``; return it without its time
    series (what ``gshp run`` prints), the path in ``attrs['result_path']`` and the mean
    GSHP on-fraction in ``attrs['gshp_on_fraction_mean']``."""
    from gshp.io.results import write_netcdf  # xarray: not at start-up

    try:
        path = write_netcdf(ds, Path(out_dir) / f"{case.name}.nc", float32=float32)
    except WriteError as exc:  # disk full, permissions: report it, keep the others
        raise CaseFailed(str(exc)) from None
    on = float(ds.gshp_on_fraction.mean()) if "gshp_on_fraction" in ds else 0.0  # station
    small = ds.drop_dims("time")
    small.attrs.update(result_path=str(path), gshp_on_fraction_mean=on)
    return small


def cmd_run(args) -> int:
    from gshp.io.results import write_netcdf  # xarray: not at start-up

    check_jobs(args)
    over = option_overrides(args)
    cases = load_cases(args.cases)
    cases = [c.replace(**over) for c in cases] if over else cases
    check_environment(cases)
    _check_memory(cases)
    out_dir = output_folder(args.output)
    jobs = jobs_for(args, len(cases))
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
        jobs=jobs,
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
        clamped = int(ds["envelope_clamped_steps"].sum()) if "envelope_clamped_steps" in ds else 0
        if clamped:
            on_steps = ds.attrs["gshp_on_fraction_mean"] * ds.attrs["station_n_steps"]
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
