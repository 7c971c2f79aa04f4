"""Sizing to a confidence: the smallest borefield whose limits hold in at least a given
share of the uncertainty samples (``gshp size … --confidence 0.9``, issue 28).

The samples are those of the case's ``[uncertainty]`` table
(:func:`gshp.studies.uncertainty.sample_matrix`): drawn once, the same for every candidate
field, so the share of samples that hold the limits grows with the field and the answer is
monotone. Each sample is a whole run of the case with its sampled inputs (the station, or a
borefield alone), checked like a deterministic sizing (:func:`gshp.studies.sizing
.check_limits`: the fluid of the sizing criterion within the limits in every month, no
freezing at the inlet).

Search (as :func:`gshp.studies.sizing.size`): a bracketing search on a quarter of the
samples (the start of the Sobol' sequence, itself balanced) at the coarse step, then the
answer confirmed with all samples at the case's step, with unit steps from the coarse
answer. A sample whose run fails or whose sampled inputs a case check refuses counts as
not holding (said in the result).

Sampling uncertainty of the answer: the answer estimates the ``confidence`` quantile of
the samples' own smallest sufficient fields. A distribution-free 90 % interval for that
quantile lies between the order statistics of ranks ``l`` and ``u`` with
``l = Binomial(n, q).ppf(0.05)`` and ``u = Binomial(n, q).ppf(0.95) + 1`` (David &
Nagaraja 2003, *Order Statistics*, §7.1): the smallest fields holding ``l`` and ``u``
samples, found by the same search on the runs already made (plus a few).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from functools import partial

import numpy as np

from gshp.config import Case, load_case
from gshp.errors import InputError, Problem
from gshp.studies.sizing import bracket_search, check_limits, monthly_summary, search_setup

CI_LEVEL = 0.90
"""Coverage of the stated interval of the answer."""
SUBSET_SHARE = 4
"""The coarse search runs 1/SUBSET_SHARE of the samples (at least MIN_SUBSET)."""
MIN_SUBSET = 8


@dataclass
class ConfidenceSizing:
    """Outcome of :func:`size_confidence` (at the case's own time step)."""

    case_name: str
    vary: str
    confidence: float
    n_samples: int
    n_boreholes: int
    n_x: int | None
    n_y: int | None
    length_m: float
    total_length_m: float
    share_holding: float
    interval: dict
    limits: dict
    inputs: list
    failed_samples: int
    shares: list = field(default_factory=list)
    years: int = 0
    time_step_s: int = 0
    search_step_s: int = 0
    n_simulations: int = 0
    wall_time_s: float = 0.0

    def to_dict(self) -> dict:
        return json.loads(json.dumps(asdict(self), default=float, allow_nan=True))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def summary(self) -> str:
        """Readable report."""
        if self.vary == "boreholes":
            size = (f"{self.n_boreholes} boreholes ({self.n_x} × {self.n_y}) of "
                    f"{self.length_m:g} m = {self.total_length_m:g} m")  # fmt: skip
        else:
            size = (f"{self.length_m:g} m per borehole × {self.n_boreholes} = "
                    f"{self.total_length_m:g} m")  # fmt: skip
        iv = self.interval
        lo, hi = iv["low"], iv["high"]
        hi_text = f"{hi}" if hi is not None else "beyond the samples (add samples)"
        lines = [
            f"{self.case_name}: smallest borefield holding the limits in ≥ "
            f"{100 * self.confidence:g} % of {self.n_samples} samples: {size}",
            f"  holds in {100 * self.share_holding:.1f} % of the samples; "
            f"{100 * CI_LEVEL:g} % interval of the answer (sampling): {lo} … {hi_text} "
            f"({iv['unit']})",
            f"  criterion: {self.limits['temperature']}",
            f"  uncertain inputs: {', '.join(self.inputs)}",
        ]
        if self.failed_samples:
            lines.append(f"  {self.failed_samples} sample run(s) failed or were refused: "
                         "counted as not holding")  # fmt: skip
        lines.append(
            f"  {self.n_simulations} simulations of {self.years} years (search at "
            f"{self.search_step_s} s on a subset, confirmed at {self.time_step_s} s with all "
            f"samples) in {self.wall_time_s:.1f} s"
        )
        return "\n".join(lines)


def order_statistic_ranks(n: int, q: float, level: float = CI_LEVEL) -> tuple[int, int]:
    """1-based ranks (l, u) of the order statistics bounding the ``q`` quantile of ``n``
    samples with probability ≥ ``level`` (u may exceed n: no upper bound from n samples)."""
    from scipy.stats import binom

    a = (1.0 - level) / 2.0
    lo = int(binom.ppf(a, n, q))
    hi = int(binom.ppf(1.0 - a, n, q)) + 1
    return max(lo, 1), hi


def _simulate_flagged(case, progress=None):
    """In the worker: a sample's run; a physically implausible one (e.g. freezing brine in
    an undersized field) is kept, flagged: the limits' check judges it."""
    from gshp.studies.simulate import simulate

    return simulate(case, progress=progress, keep_implausible=True)


def _sample_holds(t_min, t_max, criterion, check, case, ds):
    """In the worker: does the sample's run hold the limits (True/False)?"""
    res = monthly_summary(ds)
    ok, _worst, _checks = check_limits(res, t_min, t_max, None, criterion, check)
    return bool(ok)


def size_confidence(
    case,
    *,
    confidence: float,
    t_min_C=None,
    t_max_C=None,
    vary: str = "boreholes",
    years: int | None = None,
    max_size: float | None = None,
    min_size: float | None = None,
    length_step_m: float = 1.0,
    search_step_s: int = 900,
    criterion: str | None = None,
    check: str | None = None,
    samples: int | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    progress=None,
) -> ConfidenceSizing:
    """Smallest borefield whose limits hold in at least ``confidence`` of the samples of
    the case's ``[uncertainty]`` table (see the module docstring). Arguments as
    :func:`gshp.studies.sizing.size`; ``samples``: how many (a power of two; default the
    table's), ``jobs``/``scheduler``: where the sample runs go (as ``gshp sweep``)."""
    from gshp.studies.runner import run_cases
    from gshp.studies.uncertainty import sample_cases, sample_matrix

    t_start = time.perf_counter()
    if not isinstance(case, Case):
        case = load_case(case)
    spec = getattr(case, "uncertainty", None)
    problems = []
    if spec is None or not spec.variables:
        problems.append(
            Problem(
                "--confidence",
                confidence,
                "a case with an [uncertainty] table (its uncertain inputs)",
            )
        )
    if not (isinstance(confidence, int | float) and 0.0 < confidence < 1.0):
        problems.append(Problem("--confidence", confidence, "a share between 0 and 1, e.g. 0.9"))
    if problems:
        raise InputError(problems)
    sp = search_setup(case, t_min_C=t_min_C, t_max_C=t_max_C, vary=vary, years=years,
                      max_size=max_size, min_size=min_size, length_step_m=length_step_m,
                      search_step_s=search_step_s, criterion=criterion, check=check)  # fmt: skip
    t_min, t_max, criterion, check = sp.t_min, sp.t_max, sp.criterion, sp.check
    base, case_step, search_step = sp.base, sp.case_step, sp.search_step
    overrides, describe = sp.overrides, sp.describe
    x_min, x_max, x_base = sp.x_min, sp.x_max, sp.x_base
    paths = [v.path for v in spec.variables]
    X = sample_matrix(spec, samples)
    n = len(X)
    subset = np.arange(max(MIN_SUBSET, n // SUBSET_SHARE)) if n > MIN_SUBSET else np.arange(n)
    holds: dict[tuple[int, int], np.ndarray] = {}  # (x, dt) → per sample: 1, 0, or -1 not run
    failed: set[int] = set()
    n_sims = 0
    finish = partial(_sample_holds, t_min, t_max, criterion, check)

    def run(x, dt, idx) -> np.ndarray:
        nonlocal n_sims
        key = (x, dt)
        row = holds.setdefault(key, np.full(n, -1, dtype=np.int8))
        todo = [i for i in idx if row[i] < 0]
        if todo:
            c = base.replace(**{**overrides(x), "simulation.time_step_s": dt})
            valid, invalid = sample_cases(c, paths, X[todo])
            for j, _res in invalid:
                row[todo[j]] = 0
                failed.add(todo[j])
            results = run_cases([cc for _, cc in valid], jobs=jobs, scheduler=scheduler,
                                progress=False, finish=finish,
                                simulate_fn=_simulate_flagged)  # fmt: skip
            n_sims += len(valid)
            for (j, _cc), r in zip(valid, results, strict=True):
                ok = r.ok and bool(r.dataset)
                row[todo[j]] = 1 if ok else 0
                if not r.ok:
                    failed.add(todo[j])
            if progress is not None:
                k, _, _, h = describe(x)
                share = float(np.mean(row[idx] == 1))
                progress(f"  {k:>4} boreholes × {h:g} m at {dt} s: limits hold in "
                         f"{100 * share:.1f} % of {len(idx)} samples")  # fmt: skip
        return row[idx]

    def enough(dt, idx, count):
        return lambda x: int(np.sum(run(x, dt, idx) == 1)) >= count

    q = float(confidence)
    need_sub = math.ceil(q * len(subset) - 1e-9)
    coarse, _ = bracket_search(enough(search_step, subset, need_sub), x_base, x_min, x_max,
                               step0=max(1, (x_max - x_min) // 8))  # fmt: skip
    seed = coarse if coarse is not None else x_max
    everyone = np.arange(n)
    need = math.ceil(q * n - 1e-9)
    fine, _ = bracket_search(enough(case_step, everyone, need), seed, x_min, x_max, 1)
    if fine is None:
        k, _, _, h = describe(x_max)
        share = float(np.mean(holds[(x_max, case_step)] == 1))
        raise InputError.single(
            "--confidence", confidence,
            f"a share the largest allowed field reaches ({k} boreholes × {h:g} m holds the "
            f"limits in {100 * share:.1f} % of the samples); raise --max-size or relax the "
            "limits", source=f"gshp size {case.name}",
        )  # fmt: skip
    lo_rank, hi_rank = order_statistic_ranks(n, q)
    x_lo, _ = bracket_search(enough(case_step, everyone, lo_rank), fine, x_min, x_max, 1)
    x_hi = None
    if hi_rank <= n:
        x_hi, _ = bracket_search(enough(case_step, everyone, hi_rank), fine, x_min, x_max, 1)
    k, nx, ny, h = describe(fine)
    unit = "boreholes" if vary == "boreholes" else "m per borehole"

    def size_of(x):
        if x is None:
            return None
        kk, _, _, hh = describe(x)
        return kk if vary == "boreholes" else hh

    shares = sorted(
        (dict(n_boreholes=describe(x)[0], length_m=describe(x)[3], time_step_s=dt,
              share=float(np.mean(r[r >= 0] == 1)), samples=int(np.sum(r >= 0)))
         for (x, dt), r in holds.items()),
        key=lambda d: (d["time_step_s"], d["n_boreholes"] * d["length_m"]),
    )  # fmt: skip
    return ConfidenceSizing(
        case_name=case.name, vary=vary, confidence=q, n_samples=n, n_boreholes=k, n_x=nx,
        n_y=ny, length_m=h, total_length_m=round(k * h, 6),
        share_holding=float(np.mean(holds[(fine, case_step)] == 1)),
        interval=dict(low=size_of(x_lo), high=size_of(x_hi), unit=unit, level=CI_LEVEL,
                      ranks=[lo_rank, hi_rank]),
        limits=sp.limits(),
        inputs=paths, failed_samples=len(failed), shares=shares,
        years=base.simulation.years, time_step_s=case_step, search_step_s=search_step,
        n_simulations=n_sims, wall_time_s=time.perf_counter() - t_start,
    )  # fmt: skip
