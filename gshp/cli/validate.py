"""``gshp validate``: every validation check; ``DIR/validation.md`` with figures."""

from __future__ import annotations

import sys
from pathlib import Path

from gshp.cli.common import add_jobs, add_quiet
from gshp.errors import InputError
from gshp.validation import validate
from gshp.validation.core import fmt
from gshp.validation.report import counts


def add_parser(sub) -> None:
    """Add the ``validate`` subcommand."""
    p = sub.add_parser(
        "validate",
        help="run every validation check; write DIR/validation.md with figures",
        description="Runs the validation checks (aggregation and g-functions against "
        "pygfunction, the Beier et al. 2011 sandbox test, EN 14511 heat-pump points, the "
        "reference district, the reference study at station level with a sensitivity "
        "table, energy balance and determinism; gshp's sizing on the Ahmadfard & Bernier "
        "2019 benchmark; with a GHEtool interpreter, GHEtool on that benchmark and side by "
        "side with gshp on the Berlin field: fluid temperatures and sizing) and writes "
        "DIR/validation.md with PNG figures. Exit code 1 when a check is outside its "
        "tolerance.",
    )
    p.add_argument(
        "-o", "--output", default="validation", help="output folder (default: validation)"
    )
    p.add_argument("--quick", action="store_true", help="the checks that run in under a minute")
    add_jobs(p, default=2, help="parallel processes (default 2)")
    p.add_argument(
        "--cases", default=None, help="folder of the reference case files (default: cases/)"
    )
    p.add_argument(
        "--ghetool-python",
        default=None,
        metavar="PATH",
        help="Python interpreter of an environment with GHEtool 2.4 for the side-by-side "
        "section (default: $GSHP_GHETOOL_PYTHON, or this interpreter if it imports GHEtool; "
        "without one the section is skipped)",
    )
    add_quiet(p, help="no progress lines")
    p.set_defaults(func=cmd_validate)


def cmd_validate(args) -> int:
    """``gshp validate``: run, write the report, print the summary; 1 if a check fails."""
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise InputError.single("--output", str(out), "a folder")
    if args.jobs < 1:
        raise InputError.single("--jobs", args.jobs, "a whole number ≥ 1")
    from gshp.validation.ghetool import find_interpreter

    find_interpreter(args.ghetool_python)  # a bad --ghetool-python fails now, not at the end
    log = None if args.quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    sections, path = validate(out, quick=args.quick, jobs=args.jobs, cases_dir=args.cases,
                              log=log, ghetool_python=args.ghetool_python)  # fmt: skip
    c = counts(sections)
    for sec in sections:
        for r in sec.rows:
            print(f"{r.status:4s}  {r.check:18s} {r.quantity}: {fmt(r.value, r.digits)} "
                  f"(reference {fmt(r.ref_value, r.digits)}, tolerance {r.tolerance})")  # fmt: skip
    for sec in sections:
        if sec.note:
            print(sec.note)
    print(f"\n{c['pass']} pass, {c['FAIL']} fail, {c['info']} info -> {path}")
    return 1 if c["FAIL"] else 0
