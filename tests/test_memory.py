"""Issue 25 item 11: a case's memory is estimated before it runs and a case over its
bound is refused with the estimate; ``n_buildings`` is bounded by what the model holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import gshp
from gshp.cli import main
from gshp.errors import InputError
from gshp.station.memory import estimate_bytes

ROOT = Path(__file__).resolve().parents[1]
BERLIN = ROOT / "cases" / "berlin.toml"


def test_ten_thousand_buildings_is_refused_by_the_bounds(capsys):
    # before: accepted, then over 10 GB after 2.5 minutes and still growing
    with pytest.raises(InputError, match="n_buildings"):
        gshp.load_case(BERLIN, overrides={"district.n_buildings": 10000})


def test_case_over_its_memory_bound_is_refused_before_it_runs(tmp_path, capsys):
    case = tmp_path / "big.toml"
    text = BERLIN.read_text(encoding="utf-8").replace("n_buildings = 7", "n_buildings = 2000")
    case.write_text(text, encoding="utf-8")
    argv = ["run", str(case), "-o", str(tmp_path / "out"), "-q"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "max_memory_GB" in err and "4.7 GB" in err and "n_buildings" in err
    assert "--max-memory" in err
    assert not (tmp_path / "out" / "berlin.nc").exists()
    # the API refuses it too, before the district model allocates anything
    with pytest.raises(InputError, match="estimated memory"):
        gshp.simulate(gshp.load_case(case))


def test_max_memory_flag_and_field():
    small = gshp.load_case(BERLIN, overrides={"simulation.output_resolution": "step"})
    # 20 years of steps: 3.2 copies of 175 200 × 20 rows × 8 B for each declared time
    # series (33 station series and, with the pipes, each of the 7 substations' supply
    # temperature, mean and minimum)
    assert estimate_bytes(small) == pytest.approx(4.51e9, rel=0.01)
    with pytest.raises(InputError, match="coarser simulation.output_resolution"):
        gshp.simulate(small.replace(**{"simulation.max_memory_GB": 1.0}))
    with pytest.raises(SystemExit):
        main(["run", str(BERLIN), "--max-memory", "0"])


def test_estimate_matches_the_measured_peak_memory(tmp_path):
    # a run in a fresh process: 300 buildings, one year (the per-building part dominates).
    # The estimate is for a warm kernel cache (compiling takes about 1 GB more, once): a
    # first child fills the cache; the second runs a one-building year first (loading the
    # kernels), resets its peak resident memory (Linux: /proc/self/clear_refs) and reports
    # the peak of the measured run. Both inherit this process's environment (its cache).
    over = {"simulation.years": 1, "district.n_buildings": 300, "network.model": "lumped"}
    small = {**over, "district.n_buildings": 1}
    code = f"""
import resource, gshp
from gshp.station.kernel import run_kernel
gshp.simulate(gshp.load_case(r'{BERLIN}'), **{small!r})
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak resident set (VmHWM) starts again from the current one
    reset = True
except OSError:
    reset = False
gshp.simulate(gshp.load_case(r'{BERLIN}'), **{over!r})
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
if reset:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1])
print(sum(run_kernel.stats.cache_misses.values()), peak)
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def child() -> tuple[int, float]:
        out = subprocess.run([sys.executable, "-c", code], check=True, timeout=1800,
                             cwd=tmp_path, capture_output=True, text=True, env=env)  # fmt: skip
        misses, kib = out.stdout.split()[-2:]
        return int(misses), float(kib) * 1024.0

    child()  # fills the cache if this kernel is not in it yet
    misses, peak = child()
    if misses:
        pytest.skip("the kernel cache is not writable here: every process compiles")
    case = gshp.load_case(BERLIN, overrides=over)
    est = estimate_bytes(case)
    assert 0.85 * peak < est < 1.15 * peak, (est / 1e6, peak / 1e6)
