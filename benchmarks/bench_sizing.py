"""Benchmark: size the borefield of each reference climate over 20 years.

Limits of docs/reference-study.md §6: borefield outlet ≥ −1.5 °C and ≤ 30 °C at every step while
the pump runs (``--criterion outlet --check step``, the study's criterion; ``--criterion mean
--check hourly`` sizes as EED and GHEtool do). Search at 900 s, answer re-checked at the
case's own step (180 s). Prints, per case, the size found, the binding constraint, the
ASHRAE first estimate, the number of simulations and the wall time (target: ≤ 2 minutes per case).

    python benchmarks/bench_sizing.py [--years N] [--vary boreholes|length]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gshp.config import load_case
from gshp.studies.sizing import size

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = {"helsinki": (75, 98), "berlin": (35, 36), "strasbourg": (30, 32)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--vary", default="boreholes", choices=("boreholes", "length"))
    ap.add_argument("--min", type=float, default=-1.5)
    ap.add_argument("--max", type=float, default=30.0)
    ap.add_argument("--criterion", default="outlet", choices=("mean", "inlet", "outlet"))
    ap.add_argument("--check", default="step", choices=("hourly", "step"))
    ap.add_argument("cases", nargs="*", default=list(REFERENCE))
    args = ap.parse_args()
    rows = []
    for name in args.cases:
        case = load_case(ROOT / "cases" / f"{name}.toml")
        t0 = time.perf_counter()
        res = size(
            case,
            t_min_C=args.min,
            t_max_C=args.max,
            vary=args.vary,
            years=args.years,
            criterion=args.criterion,
            check=args.check,
            progress=print,
        )
        wall = time.perf_counter() - t0
        print(res.summary())
        print()
        rows.append((name, res, wall))
    print(f"{args.criterion} fluid limits ({args.check}) {args.min:g} … {args.max:g} °C, "
          f"{args.years} years, vary {args.vary}")  # fmt: skip
    print(
        f"{'case':<11} {'found':>14} {'total m':>8} {'ASHRAE est.':>11} {'ref/ASHRAE':>10} "
        f"{'binding':<24} {'when':>12} {'sims':>4} {'wall s':>7}"
    )
    for name, res, wall in rows:
        found = (
            f"{res.n_boreholes} ({res.n_x}×{res.n_y})"
            if res.vary == "boreholes"
            else f"{res.length_m:g} m"
        )
        est = res.ashrae_n_boreholes if res.vary == "boreholes" else res.ashrae_length_m
        ref = "{}/{}".format(*REFERENCE.get(name, ("-", "-")))
        when = f"y{res.binding_year} m{res.binding_month}"
        print(
            f"{name:<11} {found:>14} {res.total_length_m:>8.0f} {str(est):>11} {ref:>10} "
            f"{res.binding_constraint:<24} {when:>12} {res.n_simulations:>4} {wall:>7.1f}"
        )


if __name__ == "__main__":
    main()
