"""Check 7: energy-balance closure of every station run of the validation, and
determinism — the same case run twice, in this process and in parallel worker
processes (``--jobs``), gives identical results to the bit.
"""

from __future__ import annotations

import time

import numpy as np

from gshp.validation.core import Row, Section, at_most, fmt, markdown_table

CLOSURE_LIMIT = 1e-3
"""docs/reference-study.md §3: the energy balance closes to better than 0.1 % of the throughput."""


def identical(a, b) -> list[str]:
    """Names of the variables or coordinates that differ between two results (bitwise,
    NaN equal to NaN); empty when identical."""
    differ = []
    for name in sorted(set(a.variables) | set(b.variables)):
        if name not in a.variables or name not in b.variables:
            differ.append(name)
            continue
        x, y = a[name].values, b[name].values
        if x.shape != y.shape:
            differ.append(name)
        elif x.dtype.kind == "f":
            if not np.array_equal(x, y, equal_nan=True):
                differ.append(name)
        elif not np.array_equal(x, y):
            differ.append(name)
    return differ


def run(ctx) -> Section:
    t0 = time.perf_counter()
    sec = Section("balance", "7. Energy balance and determinism")
    # determinism: the reference cases again, in this process (jobs = 1), against the
    # first runs (parallel workers when jobs > 1)
    if ctx.reference_results:
        names = list(ctx.reference_results)
        first = [ctx.reference_results[n] for n in names]
        what = f"{len(names)} reference cases, full period"
    else:
        names = ["berlin", "helsinki"]
        cases = [ctx.case(n).replace(**{"simulation.years": 1}) for n in names]
        first = ctx.simulate_many(cases, label="determinism, run 1")
        what = f"{len(names)} reference cases, 1 year"
        cases_again = cases
    if ctx.reference_results:
        cases_again = [ctx.case(n) for n in names]
    again = ctx.simulate_many(cases_again, label="determinism, run 2", jobs=1)
    j1 = ctx.jobs_used.get("reference case" if ctx.reference_results else "determinism, run 1", 1)
    how = f"jobs {j1} vs jobs 1" if j1 > 1 else "twice in this process"
    det_rows = []
    n_diff = 0
    for name, a, b in zip(names, first, again, strict=True):
        d = identical(a, b)
        n_diff += len(d)
        det_rows.append([name, how, "identical" if not d else "differs: " + ", ".join(d[:5])])
    sec.rows.append(
        Row("7 determinism", f"variables differing between two runs ({what}; {how})",
            "bit-identical", "Study§3", float(n_diff), 0.0, "–", "0", n_diff == 0, digits=0)
    )  # fmt: skip
    closures = ctx.closures
    worst = max(closures, key=lambda r: abs(r[2]))
    ok, tol = at_most(abs(worst[2]), CLOSURE_LIMIT)
    sec.rows.append(
        Row("7 energy balance", f"largest |closure| of all {len(closures)} runs "
            f"({worst[0]}: {worst[1]})", "reference study §3 limit", "Study§3", abs(worst[2]),
            0.0,
            "– (fraction of throughput)", tol, ok)
    )  # fmt: skip
    by_label: dict[str, list[float]] = {}
    for label, _, c in closures:
        by_label.setdefault(label, []).append(abs(c))
    sec.text += [
        "Every station run made by the validation reports the closure of its energy balance "
        "(tank, network water, borefield, heat pump and evaporator–borefield coupling "
        "residuals over the energy throughput); the standalone borefield runs of section 3 "
        "close heat from the fluid against heat through the wall and heat stored. "
        "Determinism: the reference cases are run again in this process and compared, "
        f"variable by variable and to the bit, with the first runs ({how}).",
        "",
        markdown_table(
            ["runs", "count", "largest |closure|"],
            [[k, len(v), fmt(max(v))] for k, v in by_label.items()],
        ),
        "",
        markdown_table(["case", "runs compared", "result"], det_rows),
    ]
    sec.seconds = time.perf_counter() - t0
    return sec
