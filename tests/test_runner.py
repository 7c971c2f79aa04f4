"""The runner's worker-side finishing step (``gshp run`` writes results in the workers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from gshp.cli import _write_and_summarise
from gshp.config import load_case
from gshp.io.results import open_result
from gshp.studies.runner import CaseFailed, run_cases

ROOT = Path(__file__).resolve().parents[1]


def _fake_simulate(case, progress=None):
    """A tiny stand-in result with a time series and yearly values."""
    from gshp.io.timeaxis import regular_axis

    n = 48
    return xr.Dataset(
        {
            "gshp_on_fraction": ("time", np.linspace(0.0, 1.0, n)),
            "scop_gshp": ("year", [4.0]),
        },
        coords={"time": regular_axis(n, 3600), "year": [1]},
        attrs={"case_name": case.name},
    )


def test_finish_runs_on_each_case_and_replaces_the_dataset(tmp_path):
    case = load_case(ROOT / "cases" / "berlin.toml")

    def finish(ds):
        return _write_and_summarise(tmp_path, ds)

    (res,) = run_cases([case], jobs=1, progress=False, simulate_fn=_fake_simulate, finish=finish)
    assert res.ok
    assert "time" not in res.dataset.dims and "scop_gshp" in res.dataset
    assert res.dataset.attrs["gshp_on_fraction_mean"] == 0.5
    path = Path(res.dataset.attrs["result_path"])
    assert path == tmp_path / "berlin.nc"
    back = open_result(path)
    assert back.sizes["time"] == 48 and np.array_equal(
        back.gshp_on_fraction.values, np.linspace(0.0, 1.0, 48)
    )


def test_finish_failure_is_reported_with_its_message(tmp_path):
    case = load_case(ROOT / "cases" / "berlin.toml")

    def finish(ds):
        raise CaseFailed("writing its result failed: disk full")

    (res,) = run_cases([case], jobs=1, progress=False, simulate_fn=_fake_simulate, finish=finish)
    assert not res.ok
    assert res.error == "writing its result failed: disk full"
    assert res.error_kind == "failure"


def test_unwritable_folder_fails_the_case_not_the_run(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    ds = _fake_simulate(load_case(ROOT / "cases" / "berlin.toml"))
    try:
        _write_and_summarise(blocker, ds)
    except CaseFailed as exc:
        assert "cannot write" in str(exc) and "file" in str(exc)
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("writing into a file path did not fail")
