"""A/B benchmark of the station kernel of two checkouts of gshp, in the same run.

Times the kernel (``run_kernel`` over the whole run, one call) of the Helsinki case,
20 years at 3 minutes with the buried pipes (``network.model = "pipes"``), for two
checkouts given as paths (e.g. a ``git worktree`` of an older commit and the working
tree). Each measurement is a subprocess with ``PYTHONPATH=<checkout>`` that prepares the
case, warms the kernel up (compiles it or loads it from numba's cache, untimed), then
times ``run_kernel`` on fresh copies of the records, best of ``--repeat``; the checkouts
are measured alternately, ``--rounds`` times each, so that a change of the machine's load
affects both. Prints ns/step of each checkout (best over its rounds) and the ratio B/A.

Both package layouts are handled: the present one (``gshp.station.prepare.prepare``,
``initial_state``, ``kernel_buffers``; ``gshp.station.kernel.run_kernel``) and the one
before the components (commit 866e574 and earlier: ``gshp.simulation.prepare`` …,
``gshp.station.run_kernel``).

Usage: python benchmarks/bench_ab.py A_CHECKOUT B_CHECKOUT [--case cases/helsinki.toml]
       [--years 20] [--model pipes] [--repeat 3] [--rounds 2]

``--case`` relative to each checkout (each reads its own case file, whose format may
differ between versions), or an absolute path used by both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

WORKER = "--worker"


def worker(case_path: str, years: int, model: str, repeat: int) -> dict:
    """In the subprocess (gshp of ``PYTHONPATH``): best kernel time of the case, s."""
    import copy
    import time

    import gshp
    from gshp.config import load_case

    try:  # the components layout
        from gshp.station.kernel import run_kernel
        from gshp.station.prepare import initial_state, kernel_buffers, prepare

        layout = "gshp.station.prepare / gshp.station.kernel"
    except ImportError:  # before the components (866e574 and earlier)
        from gshp.simulation import initial_state, kernel_buffers, prepare

        from gshp.station import run_kernel

        layout = "gshp.simulation / gshp.station"

    over = {"network.model": model}
    if years:
        over["simulation.years"] = years
    case = load_case(case_path).replace(**over)
    t0 = time.perf_counter()
    prep = prepare(case)
    t_prep = time.perf_counter() - t0
    # the tank and the ground keep their state in the parameter records: every run starts
    # from copies of the records as prepared
    par0 = copy.deepcopy(prep.params)
    st0 = copy.deepcopy(initial_state(prep))
    n = int(par0.clock.n_steps)

    def run(k_stop):
        par, st, acc = copy.deepcopy(par0), copy.deepcopy(st0), kernel_buffers(prep)
        t = time.perf_counter()
        run_kernel(0, k_stop, par, st, acc)
        t = time.perf_counter() - t
        if acc.status[0] != 0:
            raise SystemExit(f"kernel stopped at step {int(acc.status[1])} ({gshp.__file__})")
        return t

    t0 = time.perf_counter()
    run(min(n, 2000))  # warm-up: compile or load from the cache
    t_warm = time.perf_counter() - t0
    best = min(run(n) for _ in range(repeat))
    return dict(
        gshp=str(Path(gshp.__file__).parent), layout=layout, n_steps=n, best_s=best,
        prepare_s=t_prep, warmup_s=t_warm,
    )  # fmt: skip


def measure(checkout: Path, case: str, years: int, model: str, repeat: int) -> dict:
    """One subprocess on ``checkout``; returns the worker's figures."""
    case_path = Path(case) if Path(case).is_absolute() else checkout / case
    env = dict(os.environ, PYTHONPATH=str(checkout))
    cmd = [sys.executable, str(Path(__file__).resolve()), WORKER, str(case_path),
           str(years), model, str(repeat)]  # fmt: skip
    # run outside the checkouts, so that nothing but PYTHONPATH decides which gshp is used
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=Path.home())
    if r.returncode != 0:
        raise SystemExit(f"{checkout}: the benchmark failed:\n{r.stderr.strip()[-3000:]}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    if Path(out["gshp"]).resolve() != (checkout / "gshp").resolve():
        raise SystemExit(f"{checkout}: the subprocess imported gshp from {out['gshp']}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path, help="checkout A (e.g. a git worktree of an older commit)")
    ap.add_argument("b", type=Path, help="checkout B (e.g. the working tree)")
    ap.add_argument("--case", default="cases/helsinki.toml")
    ap.add_argument("--years", type=int, default=20, help="0: the case's own")
    ap.add_argument("--model", default="pipes", choices=("pipes", "lumped"))
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per subprocess (best)")
    ap.add_argument("--rounds", type=int, default=2, help="subprocesses per checkout")
    args = ap.parse_args(argv)
    checkouts = {"A": args.a.resolve(), "B": args.b.resolve()}
    for label, path in checkouts.items():
        if not (path / "gshp" / "__init__.py").is_file():
            ap.error(f"checkout {label}: {path} has no gshp package")
    best = {}
    for r in range(args.rounds):
        for label, path in checkouts.items():
            m = measure(path, args.case, args.years, args.model, args.repeat)
            ns = m["best_s"] / m["n_steps"] * 1e9
            print(
                f"round {r + 1} {label}: {ns:7.1f} ns/step  ({m['best_s']:.3f} s for "
                f"{m['n_steps']:,} steps, best of {args.repeat}; set-up {m['prepare_s']:.1f} s, "
                f"warm-up {m['warmup_s']:.1f} s; {m['layout']})",
                flush=True,
            )
            if label not in best or ns < best[label][0]:
                best[label] = (ns, m)
    print()
    for label, path in checkouts.items():
        ns, m = best[label]
        print(f"{label} {ns:7.1f} ns/step  {path}")
    ratio = best["B"][0] / best["A"][0]
    print(f"B/A {ratio:7.3f}  (B {'faster' if ratio < 1 else 'slower'} by {abs(1 - ratio):.1%})")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == WORKER:
        case_path, years, model, repeat = sys.argv[2:6]
        print(json.dumps(worker(case_path, int(years), model, int(repeat))))
    else:
        sys.exit(main())
