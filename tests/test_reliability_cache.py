"""Trust in shared cache files (issue 25, item 12): a planted g-function of the right
shape was used silently; numba's pickled code went to a folder shared by every user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gshp.config import load_case
from gshp.io.diskcache import read_cached
from gshp.physics.borefield.gfunction import field_gfunction
from gshp.studies.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
ARGS = ([(0.0, 0.0), (6.0, 0.0)], 100.0, 2.0, 0.075, 1e-6, np.geomspace(3600.0, 3e9, 20))


def plant(path: Path, values: np.ndarray, how: str) -> None:
    """Replace a cache file's array: as a plain .npy (the old format), or inside a record
    that keeps the original key and checksum."""
    if how == "plain":
        np.save(path, values)
        return
    rec = np.load(path, allow_pickle=False)
    rec["data"][0] = values
    with open(path, "wb") as fh:
        np.save(fh, rec)


@pytest.mark.parametrize("how", ["plain", "record"])
def test_planted_gfunction_is_refused_and_rebuilt(tmp_path, how):
    ref, hit = field_gfunction(*ARGS, cache_dir=tmp_path)
    assert not hit
    (path,) = tmp_path.glob("g_*.npy")
    plant(path, ref * 0.3, how)
    with pytest.warns(UserWarning, match=f"g-function cache file {path} is .*recomputing"):
        g, hit = field_gfunction(*ARGS, cache_dir=tmp_path)
    assert not hit
    np.testing.assert_array_equal(g, ref)
    np.testing.assert_array_equal(read_cached(path), ref)  # replaced by the real one
    g, hit = field_gfunction(*ARGS, cache_dir=tmp_path)
    assert hit


def test_cache_file_under_another_key_is_refused(tmp_path):
    """A sound record copied to the name of other inputs is not theirs."""
    field_gfunction(*ARGS, cache_dir=tmp_path)
    (a,) = tmp_path.glob("g_*.npy")
    other = ARGS[:2] + (3.0,) + ARGS[3:]
    field_gfunction(*other, cache_dir=tmp_path)
    (b,) = [p for p in tmp_path.glob("g_*.npy") if p != a]
    b.write_bytes(a.read_bytes())
    with pytest.warns(UserWarning, match="record of other inputs"):
        _, hit = field_gfunction(*other, cache_dir=tmp_path)
    assert not hit


def test_planted_gfunction_in_a_shared_cache_does_not_change_a_run(tmp_path):
    """The issue's case: T_bhe_out_min 5.53 °C instead of 2.00 °C, exit 0."""
    case = load_case(ROOT / "cases" / "berlin.toml").replace(
        **{
            "simulation.years": 1,
            "simulation.time_step_s": 900,
            "borefield.gfunction.cache_dir": str(tmp_path),
        }  # fmt: skip
    )
    first = simulate(case)
    (path,) = tmp_path.glob("g_*.npy")
    plant(path, read_cached(path) * 0.3, "record")
    with pytest.warns(UserWarning, match="checksum mismatch"):
        second = simulate(case)
    assert int(second.attrs["station_gfunction_from_cache"]) == 0
    np.testing.assert_array_equal(first.T_bhe_out_min.values, second.T_bhe_out_min.values)


def _kernel_cache_dir(env_extra: dict, first: str = "import gshp") -> tuple[str, str]:
    """Where a compiled kernel function of gshp is cached, and numba's own CACHE_DIR (which
    gshp leaves alone), in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(env_extra, PYTHONPATH=str(ROOT))
    code = (
        f"{first}\nimport numba\nfrom gshp.physics.tank import coil_temperature as f\n"
        "f.enable_caching()\nprint(f._cache._cache_path)\nprint(numba.config.CACHE_DIR)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split("\n")
    return out[0].strip(), out[1].strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_CACHE_HOME: Linux")
def test_numba_cache_goes_to_a_per_user_folder(tmp_path):
    """gshp's compiled code is cached in a per-user folder (gshp.jit.KernelCacheLocator),
    whichever of numba and gshp is imported first, without changing numba's settings for
    other code; the user's own NUMBA_CACHE_DIR is kept."""
    home = tmp_path / "home"
    for first in ("import gshp", "import numba\nimport gshp"):
        path, numba_dir = _kernel_cache_dir({"XDG_CACHE_HOME": str(home)}, first=first)
        assert Path(path).parent == home / "gshp" / "numba"
        assert numba_dir == ""
    assert oct((home / "gshp" / "numba").stat().st_mode & 0o777) == "0o700"
    mine = tmp_path / "mine"
    path, numba_dir = _kernel_cache_dir({"NUMBA_CACHE_DIR": str(mine)})
    assert Path(path).parent == mine and Path(numba_dir) == mine
