"""Bit-identity of the reference cases against results stored before a refactor.

The baselines (``tests/data/reference_results/*.npz`` with the network as one mixed
node, ``tests/data/reference_results_pipes/*.npz`` with the default buried pipes) are
written by ``scripts/make_reference_results.py``: two years of each reference case at
daily resolution. Restructuring code must leave every stored variable identical to the bit;
only a change that is meant to alter the physics regenerates the baseline (and says so).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "make_reference_results", ROOT / "scripts" / "make_reference_results.py"
)
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


@pytest.mark.parametrize("model", sorted(ref.FOLDERS))
@pytest.mark.parametrize("name", ref.CASES)
def test_results_bit_identical_to_stored_baseline(name, model):
    stored = np.load(ref.FOLDERS[model] / f"{name}.npz")
    now = ref.arrays(ref.run(name, model))
    missing = sorted(set(stored.files) - set(now))
    assert not missing, f"variables no longer produced: {missing}"
    differ = []
    for k in stored.files:
        a, b = stored[k], now[k]
        if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
            diff = np.nanmax(np.abs(a - b)) if a.shape == b.shape else "shape"
            differ.append(f"{k} (max |Δ| {diff})")
    assert not differ, "results changed: " + ", ".join(differ)
