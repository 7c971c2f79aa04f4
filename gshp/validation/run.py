"""The validation run: its context (options, runs and closures shared by the checks), the
checks in order, the report (:func:`validate`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from gshp.errors import InputError
from gshp.validation.report import write_report

QUICK = ("aggregation", "gfunctions", "beier", "heatpump", "district", "balance", "ghetool",
         "sizing")  # fmt: skip
FULL = ("aggregation", "gfunctions", "beier", "heatpump", "district", "study", "balance",
        "ghetool", "sizing")  # fmt: skip
REFERENCE_CASES = ("helsinki", "berlin", "strasbourg", "berlin_variable_setpoint")


def default_cases_dir() -> Path:
    """The ``cases/`` folder of the checkout this package runs from."""
    return Path(__file__).resolve().parents[2] / "cases"


@dataclass
class Context:
    """What the checks share: options, the runs made so far and their closures."""

    out_dir: Path
    quick: bool = False
    jobs: int = 2
    cases_dir: Path = field(default_factory=default_cases_dir)
    cache_dir: Path | None = None
    log: object = None
    closures: list = field(default_factory=list)
    reference_results: dict = field(default_factory=dict)
    sensitivity_rows: list = field(default_factory=list)
    jobs_used: dict = field(default_factory=dict)
    ghetool_python: str | None = None

    def say(self, text: str) -> None:
        if self.log is not None:
            self.log(text)

    def case(self, name: str):
        """A reference case from ``cases_dir`` (InputError if it is missing)."""
        from gshp.config import load_case

        path = Path(self.cases_dir) / f"{name}.toml"
        if not path.is_file():
            raise InputError.single(
                "--cases",
                str(self.cases_dir),
                f"a folder holding the reference case files ({', '.join(REFERENCE_CASES)}"
                ".toml), e.g. cases/ of a gshp checkout",
            )
        return load_case(path)

    def simulate_many(self, cases, label: str, jobs: int | None = None) -> list:
        """Simulate ``cases`` (monthly output) with ``jobs`` processes; record closures.

        Raises RuntimeError naming the case when a run fails.
        """
        from gshp.studies.runner import run_cases

        cases = [c.replace(**{"simulation.output_resolution": "monthly"}) for c in cases]
        j = self.jobs if jobs is None else jobs
        self.say(f"  {label}: {len(cases)} run(s), jobs {j}")
        used = min(j, len(cases))
        try:
            res = run_cases(cases, jobs=used, progress=False)
        except Exception as exc:  # noqa: BLE001 - a worker process killed from outside
            if used == 1:
                raise
            self.say(f"  parallel workers failed ({type(exc).__name__}); running in process")
            used = 1
            res = run_cases(cases, jobs=1, progress=False)
        self.jobs_used[label] = used
        bad = [r for r in res if not r.ok]
        if bad:
            raise RuntimeError(f"{label}: case {bad[0].name} failed: {bad[0].error}")
        for c, r in zip(cases, res, strict=True):
            ds = r.dataset
            self.closures.append((label, c.name, float(ds["energy_balance_closure"].values)))
        return [r.dataset for r in res]


def run_checks(ctx: Context, names=None) -> list:
    """Run the checks ``names`` (default: quick or full set) and return their Sections."""
    from importlib import import_module

    names = names or (QUICK if ctx.quick else FULL)
    sections = []
    for name in names:
        ctx.say(f"check {name} ...")
        t0 = time.perf_counter()
        mod = import_module(f"gshp.validation.{name}")
        sec = mod.run(ctx)
        sec.seconds = time.perf_counter() - t0
        ctx.say(f"  {len(sec.rows)} rows, {len(sec.failed)} failed, {sec.seconds:.1f} s")
        sections.append(sec)
    return sections


def validate(out_dir, quick: bool = False, jobs: int = 2, cases_dir=None, log=None,
             ghetool_python=None):  # fmt: skip
    """Run the validation and write ``out_dir/validation.md`` with its figures.

    Returns (sections, path of the report).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context(out_dir=out, quick=quick, jobs=jobs, log=log, ghetool_python=ghetool_python)
    if cases_dir is not None:
        ctx.cases_dir = Path(cases_dir)
    t0 = time.perf_counter()
    sections = run_checks(ctx)
    path = write_report(sections, out, quick=quick, seconds=time.perf_counter() - t0, ctx=ctx)
    return sections, path
