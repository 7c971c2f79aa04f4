"""Benchmark: the uncertainty study and sizing to a confidence on the Berlin case (issue 28).

Prints, each beside its goal:

1. ``gshp uncertainty`` of Berlin, 20 years, daily output, N samples (default 256) of the
   ground conductivity, undisturbed temperature, grout conductivity and heating demand, on
   2 processes (joblib-style pool): wall time, cases per minute, and the kernel's share of
   the workers' time (N × one case's kernel time / (2 × wall)). Goal: ≤ 3 min for 256
   (about 85 cases a minute).
2. ``gshp size --confidence 0.9`` with M samples (default 128), length per borehole. Goal:
   ≤ 10 min.
3. Part 1 on a local Dask cluster with 2 workers (``--dask``).

    python benchmarks/bench_uncertainty.py [--samples N] [--size-samples M] [--years Y]
        [--skip-size] [--dask]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from gshp.config import load_case

ROOT = Path(__file__).resolve().parents[1]
TABLE = """
[uncertainty]
samples = {n}
seed = 1
"borefield.ground.conductivity_W_mK" = {{ dist = "normal", mean = 2.2, sd = 0.25 }}
"borefield.ground.T_undisturbed_C"   = {{ dist = "uniform", low = 9.3, high = 10.3 }}
"borefield.grout.conductivity_W_mK"  = {{ dist = "triangular", low = 1.4, mode = 1.8, high = 2.0 }}
"district.heating_scale" = {{ dist = "truncnormal", mean = 1, sd = 0.1, low = 0.7, high = 1.3 }}

[sizing]
criterion = "mean"
check = "hourly"
T_fluid_min_C = 0.0
T_fluid_max_C = 25.0
"""


def berlin_with_uncertainty(folder: Path, n: int, years: int) -> Path:
    text = (ROOT / "cases" / "berlin.toml").read_text(encoding="utf-8")
    text = text.replace("years = 20", f"years = {years}").replace(
        'output_resolution = "hourly"', 'output_resolution = "daily"'
    )
    path = folder / "berlin_uncertain.toml"
    path.write_text(text + TABLE.format(n=n), encoding="utf-8")
    return path


def part_samples(case_path: Path, out: Path, n: int, scheduler: str | None) -> None:
    import gshp
    from gshp.studies.uncertainty import run_samples, sample_matrix

    case = load_case(case_path)
    one = gshp.simulate(case)  # one case: its kernel time (and the compiled kernel loaded)
    kernel_one = float(one.attrs["kernel_wall_time_s"])
    spec = case.uncertainty
    X = sample_matrix(spec, n)
    t0 = time.perf_counter()
    ds = run_samples(case, spec.paths, X, jobs=2, scheduler=scheduler, output=out,
                     progress=False, spec=spec, force=True)  # fmt: skip
    wall = time.perf_counter() - t0
    where = "Dask LocalCluster, 2 workers" if scheduler else "2 processes"
    goal_min = 3.0 * n / 256
    print(f"{n} samples of Berlin, {case.simulation.years} years, daily output, {where}:")
    print(f"  wall time          {wall / 60:6.2f} min   (goal ≤ {goal_min:.2f} min: 3 min for 256)")
    print(f"  cases per minute   {n / wall * 60:6.1f}       (goal ≈ 85)")
    share = n * kernel_one / (2 * wall)
    print(f"  kernel share       {100 * share:6.1f} %     (one case's kernel {kernel_one:.2f} s; "
          "the rest is set-up, g-function, IO)")  # fmt: skip
    q = ds["T_fluid_min_quantile"].isel(year=-1).values
    print(f"  last year's minimum mean fluid P10/P50/P90: {q[0]:.2f} / {q[1]:.2f} / "
          f"{q[2]:.2f} °C")  # fmt: skip


def part_size(case_path: Path, m: int) -> None:
    from gshp.studies.confidence import size_confidence

    t0 = time.perf_counter()
    res = size_confidence(case_path, confidence=0.9, vary="length", samples=m, jobs=2,
                          min_size=60, max_size=250)  # fmt: skip
    wall = time.perf_counter() - t0
    print(res.summary())
    print(f"  wall time {wall / 60:.2f} min  (goal ≤ 10 min for 128 samples)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=256)
    ap.add_argument("--size-samples", type=int, default=128)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--skip-size", action="store_true")
    ap.add_argument("--dask", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        case_path = berlin_with_uncertainty(folder, args.samples, args.years)
        part_samples(case_path, folder / "u.nc", args.samples, None)
        if args.dask:
            part_samples(case_path, folder / "ud.nc", args.samples, "local")
        if not args.skip_size:
            part_size(case_path, args.size_samples)


if __name__ == "__main__":
    main()
