"""Bit-identity of the reference cases against results stored before a refactor.

The baselines (``tests/data/reference_results/*.npz`` with the network as one mixed
node, ``tests/data/reference_results_pipes/*.npz`` with the default buried pipes) are
written by ``scripts/make_reference_results.py``: two years of each reference case at
daily resolution. Restructuring code must leave every stored variable identical to the bit;
only a change that is meant to alter the physics regenerates the baseline (and says so).

Bit identity holds on the platform that wrote the baseline (its
``make_reference_results.platform_fingerprint`` is stored with it). On another CPU or C
library the last bits of ``exp``/``expm1`` and of LLVM's code differ, and two years of
on/off controls turn that into other switching instants: daily values move by up to a few
per cent, the means of the run by about 1e-4 of their scale (measured between an AMD Zen 5
and the machine of the first baseline). There the test compares each variable's mean over
the run within ``RTOL_MEAN`` of its scale, step counts within ``COUNT_TOL`` and requires
the energy-balance closure, a round-off residual, below 1e-12 — a weaker check, which still
catches a wrong model, while the exact one runs wherever the baseline was written.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from gshp.station.kernel import YEARLY

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "make_reference_results", ROOT / "scripts" / "make_reference_results.py"
)
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


RTOL_MEAN = 5e-3
COUNT_TOL = 3.0
COUNTS = {v.name for v in YEARLY if v.aggregation == "count"}


@pytest.mark.parametrize("model", sorted(ref.FOLDERS))
@pytest.mark.parametrize("name", ref.CASES)
def test_results_bit_identical_to_stored_baseline(name, model):
    stored = np.load(ref.FOLDERS[model] / f"{name}.npz")
    same_platform = (
        ref.PLATFORM_KEY in stored.files
        and str(stored[ref.PLATFORM_KEY]) == ref.platform_fingerprint()
    )
    names = [k for k in stored.files if k != ref.PLATFORM_KEY]
    now = ref.arrays(ref.run(name, model))
    missing = sorted(set(names) - set(now))
    assert not missing, f"variables no longer produced: {missing}"
    differ = []
    for k in names:
        a, b = stored[k], now[k]
        if a.shape != b.shape:
            differ.append(f"{k} (shape {a.shape} -> {b.shape})")
            continue
        if same_platform:
            ok = np.array_equal(a, b, equal_nan=True)
        elif k == "energy_balance_closure":
            ok = bool(np.all(np.abs(b) < 1e-12))
        else:
            finite = np.isfinite(a)
            scale = np.max(np.abs(a[finite])) if np.any(finite) else 0.0
            if k in COUNTS:
                tol = max(COUNT_TOL, 1e-3 * scale)
            else:
                tol = RTOL_MEAN * scale
            ok = np.array_equal(finite, np.isfinite(b)) and (
                not np.any(finite) or abs(np.mean(b[finite]) - np.mean(a[finite])) <= tol
            )
        if not ok:
            differ.append(f"{k} (max |Δ| {np.nanmax(np.abs(a - b))})")
    how = "to the bit" if same_platform else "run means (baseline from another platform)"
    assert not differ, f"results changed ({how}): " + ", ".join(differ)
