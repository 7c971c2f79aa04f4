"""Sweeps: file format and validation, joblib vs Dask, failed grid points, re-run skip,
NetCDF round trip, and the g-function cache under concurrent processes."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from gshp.errors import InputError
from gshp.io.results import cf_decoded, cf_encoded, open_result
from gshp.studies.sweep import (
    check_path,
    drop_volatile,
    grid_points,
    load_sweep,
    run_sweep,
    sweep_from_dict,
)

ROOT = Path(__file__).resolve().parents[1]
BERLIN = ROOT / "cases" / "berlin.toml"
FAST = {
    "simulation.years": 2,
    "simulation.output_resolution": "daily",
    "simulation.time_step_s": 900,
}


def _sweep_toml(tmp_path, grid_lines, mode="cross", name="s", extra="", cache_dir=None):
    fast = dict(FAST)
    if cache_dir is not None:
        fast["borefield.gfunction.cache_dir"] = str(cache_dir)
    over = "\n".join(f'"{k}" = {json.dumps(v)}' for k, v in fast.items())
    text = (
        f'name = "{name}"\nbase = "{BERLIN.as_posix()}"\nmode = "{mode}"\n'
        f'output = "out/{name}.nc"\n{extra}\n[overrides]\n{over}\n\n[grid]\n{grid_lines}\n'
    )
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


CLIMATES = """
"borefield.n_x" = [6, 7, 8]
[[grid.climate]]
label = "helsinki"
"climate.preset" = "helsinki"
"district.preset" = "helsinki"
"borefield.ground.T_undisturbed_C" = 5.2
[[grid.climate]]
label = "berlin"
"climate.preset" = "berlin"
"district.preset" = "berlin"
"borefield.ground.T_undisturbed_C" = 9.8
"""


# ---------------------------------------------------------------------------- format


def test_cross_grid_order_names_and_groups(tmp_path):
    sw = load_sweep(_sweep_toml(tmp_path, CLIMATES))
    assert [a.name for a in sw.axes] == ["climate", "borefield.n_x"]
    names = [p.name for p in sw.points]
    assert len(names) == 6 == len(set(names))
    assert names[0] == "climate=helsinki, n_x=6"
    assert names[-1] == "climate=berlin, n_x=8"
    first = sw.points[0].overrides
    assert first["district.preset"] == "helsinki"
    assert first["borefield.ground.T_undisturbed_C"] == 5.2
    assert first["simulation.years"] == 2  # fixed overrides reach every point
    assert sw.output == tmp_path / "out" / "s.nc"
    assert sw.cases_dir == tmp_path / "out" / "s.cases"


def test_zip_pairs_by_index(tmp_path):
    grid = '"borefield.n_x" = [5, 6]\n"tank.volume_m3" = [8.0, 12.0]\n'
    sw = load_sweep(_sweep_toml(tmp_path, grid, mode="zip"))
    assert [(p.coords["borefield.n_x"], p.coords["tank.volume_m3"]) for p in sw.points] == [
        (5, 8.0),
        (6, 12.0),
    ]


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    mode=st.sampled_from(["cross", "zip"]),
)
def test_number_of_points(sizes, mode):
    paths = ["borefield.n_x", "borefield.n_y", "tank.n_layers"]
    if mode == "zip":
        sizes = [sizes[0]] * len(sizes)
    grid = {p: list(range(1, n + 1)) for p, n in zip(paths, sizes, strict=False)}
    sw = sweep_from_dict({"base": str(BERLIN), "mode": mode, "grid": grid})
    expected = int(np.prod(sizes)) if mode == "cross" else sizes[0]
    assert len(sw.points) == expected == len(grid_points(sw))
    assert len({p.name for p in sw.points}) == expected  # names are unique


def test_unknown_paths_and_bad_structure_are_named(tmp_path):
    raw = {
        "base": str(BERLIN),
        "mode": "diagonal",
        "outptu": "x.nc",
        "overrides": {"simulation.yeras": 2},
        "grid": {
            "borefield.nx": [1, 2],
            "borefield.ground": [1],
            "tank.volume_m3": 5.0,
            "climate": [{"climate.preset": "berlin"}, {"climate.presett": "x"}],
        },
    }
    with pytest.raises(InputError) as exc:
        sweep_from_dict(raw, source=tmp_path / "bad.toml")
    msg = exc.value.message()
    wheres = {p.where for p in exc.value.problems}
    assert {"mode", "outptu", "overrides.simulation.yeras", "grid.borefield.nx"} <= wheres
    assert "did you mean 'simulation.years'" in msg
    assert "did you mean 'borefield.n_x'" in msg
    assert "grid.borefield.ground" in wheres  # a section, not a field
    assert "grid.tank.volume_m3" in wheres  # not a list
    assert any(w.startswith("grid.climate[1]") for w in wheres)  # unknown path in a row
    assert "bad.toml" in msg


def test_conflicts_and_zip_lengths(tmp_path):
    raw = {
        "base": str(BERLIN),
        "mode": "zip",
        "overrides": {"borefield.n_x": 3},
        "grid": {"borefield.n_x": [1, 2], "borefield.n_y": [1, 2, 3]},
    }
    with pytest.raises(InputError) as exc:
        sweep_from_dict(raw)
    wheres = [p.where for p in exc.value.problems]
    assert "grid.borefield.n_x" in wheres and "grid" in wheres
    assert check_path("name", "grid.name") is not None  # the sweep names its cases
    assert check_path("borefield.ground.T_undisturbed_C", "x") is None


def test_missing_base_and_grid(tmp_path):
    with pytest.raises(InputError) as exc:
        sweep_from_dict({"base": "nope.toml"}, base_dir=tmp_path)
    assert {p.where for p in exc.value.problems} == {"base", "grid"}


# ---------------------------------------------------------------------------- running


@pytest.fixture(scope="module")
def joblib_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sweep")
    # a cold g-function cache: the first case of each field computes its g-function, the
    # same field in the other climate reads it (the cache state differs between cases)
    sw = load_sweep(_sweep_toml(tmp, CLIMATES, name="cx", cache_dir=tmp / "gcache"))
    outcome = run_sweep(sw, jobs=2, progress=False)
    return sw, outcome


def test_sweep_runs_and_physics_trends(joblib_run):
    sw, out = joblib_run
    assert not out.failed, [r.error for r in out.failed]
    ds = out.dataset
    assert ds.sizes["case"] == 6
    assert list(ds["climate"].values) == ["helsinki"] * 3 + ["berlin"] * 3
    assert list(ds["borefield.n_x"].values) == [6, 7, 8, 6, 7, 8]
    assert ds["borefield.n_x"].dtype == np.int64
    assert ds["borefield.ground.T_undisturbed_C"].attrs["units"] == "°C"
    # more boreholes → less extraction per metre → warmer coldest outlet temperature
    tmin = ds["T_bhe_out_min"].min("year").values.reshape(2, 3)
    assert np.all(np.diff(tmin, axis=1) > 0), tmin
    # colder ground and climate in Helsinki → colder borehole wall than in Berlin
    wall = ds["T_borehole_wall_mean"].mean("year").values.reshape(2, 3)
    assert np.all(wall[0] < wall[1]), wall
    assert float(ds["energy_balance_closure"].max()) < 1e-3
    # one per-case file per case, named by configuration hash, plus the combined file
    files = sorted(p.stem for p in sw.cases_dir.glob("*.nc"))
    assert files == sorted(ds["case_hash"].values)
    assert out.path == sw.output and sw.output.is_file()


def test_joblib_and_dask_local_identical(joblib_run):
    pytest.importorskip("distributed")
    sw, out = joblib_run
    # cold cache in the joblib run: some cases computed the g-function, others read it;
    # this run metadata stays out of the variables (it is in the run_info attribute)
    assert not [v for v in out.dataset.variables if "cache" in str(v) or "wall_time" in str(v)]
    info = json.loads(out.dataset.attrs["run_info"])
    assert {v["station_gfunction_from_cache"] for v in info.values()} == {0, 1}
    dask_out = run_sweep(sw, scheduler="local", progress=False, write=False)  # warm cache
    assert not dask_out.failed
    info = json.loads(dask_out.dataset.attrs["run_info"])
    assert {v["station_gfunction_from_cache"] for v in info.values()} == {1}
    xr.testing.assert_identical(drop_volatile(out.dataset), drop_volatile(dask_out.dataset))


def test_netcdf_round_trip(joblib_run):
    sw, out = joblib_run
    back = open_result(sw.output)
    # the file holds the CF-encoded result (UDUNITS units, time bounds, CF-safe names),
    # and reading it back restores the dotted names and case labels
    xr.testing.assert_identical(cf_decoded(cf_encoded(out.dataset)), back)
    assert list(back["borefield.n_x"].values) == list(out.dataset["borefield.n_x"].values)
    with xr.open_dataset(sw.output, engine="h5netcdf") as raw:
        enc = raw["T_supply"].encoding
        assert enc.get("compression") == "gzip" or enc.get("zlib")
        assert raw.attrs["Conventions"].startswith("CF")
        assert raw["T_supply"].attrs["units"] == "degC"
        assert "borefield_n_x" in raw.coords and "borefield.n_x" not in raw.variables
        assert raw["borefield_n_x"].attrs["gshp_name"] == "borefield.n_x"


def _must_not_run(case, progress=None):
    raise AssertionError(f"case {case.name} should have been reused")


def test_rerun_skips_existing_results(joblib_run):
    sw, out = joblib_run
    again = run_sweep(sw, jobs=1, progress=False, simulate_fn=_must_not_run)
    assert not again.failed and again.ran == []
    assert len(again.skipped) == 6
    xr.testing.assert_identical(again.dataset, out.dataset)


def test_invalid_grid_point_reported_others_written(tmp_path):
    sw = load_sweep(_sweep_toml(tmp_path, '"borefield.n_x" = [5, -1]', name="bad"))
    out = run_sweep(sw, jobs=1, progress=False)
    assert [r.name for r in out.failed] == ["n_x=-1"]
    assert out.failed[0].error_kind == "input"
    assert "borefield.n_x" in out.failed[0].error and "-1" in out.failed[0].error
    back = open_result(sw.output)
    assert list(back["case"].values) == ["n_x=5"]
    failed = json.loads(back.attrs["failed_cases"])
    assert failed[0]["name"] == "n_x=-1"


# ---------------------------------------------------------------------------- g-function cache


def _gfunc_worker(cache_dir, barrier, queue):
    from gshp.physics.borefield.gfunction import field_gfunction

    coords = [(0.0, 0.0), (6.0, 0.0), (0.0, 6.0), (6.0, 6.0)]
    times = np.geomspace(3600.0 * 24, 3.15e8, 12)
    barrier.wait(timeout=60)
    g, cached = field_gfunction(coords, 80.0, 1.5, 0.07, 1e-6, times, cache_dir=cache_dir)
    queue.put((g.tolist(), cached))


def test_gfunction_cache_safe_under_concurrent_processes(tmp_path):
    from gshp.physics.borefield.gfunction import field_gfunction

    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_gfunc_worker, args=(tmp_path, barrier, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].suffix == ".npy"  # no temporary file left
    coords = [(0.0, 0.0), (6.0, 0.0), (0.0, 6.0), (6.0, 6.0)]
    times = np.geomspace(3600.0 * 24, 3.15e8, 12)
    direct, _ = field_gfunction(coords, 80.0, 1.5, 0.07, 1e-6, times, use_cache=False)
    for g, _ in results:
        np.testing.assert_array_equal(np.asarray(g), direct)
    reread, cached = field_gfunction(coords, 80.0, 1.5, 0.07, 1e-6, times, cache_dir=tmp_path)
    assert cached
    np.testing.assert_array_equal(reread, direct)


# ---------------------------------------------------------------------------- issue 25


def _cli(*args, env=None):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "gshp.cli", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip


def test_zip_mode_allows_repeated_values_but_not_repeated_points(tmp_path):
    grid = '"network.strategy" = ["constant", "schedule"]\n"tank.volume_m3" = [10.0, 10.0]\n'
    sw = load_sweep(_sweep_toml(tmp_path, grid, mode="zip", name="z"))
    assert [p.name for p in sw.points] == [
        "strategy=constant, volume_m3=10",
        "strategy=schedule, volume_m3=10",
    ]
    same = '"borefield.n_x" = [5, 5]\n"tank.volume_m3" = [10.0, 10.0]\n'
    with pytest.raises(InputError) as exc:
        load_sweep(_sweep_toml(tmp_path, same, mode="zip", name="z2"))
    assert "differ in at least one value" in exc.value.message()
    with pytest.raises(InputError) as exc:  # cross mode: a repeated value stays an error
        load_sweep(_sweep_toml(tmp_path, '"borefield.n_x" = [5, 5]', name="c"))
    assert "repeated: 5" in exc.value.message()


@pytest.mark.parametrize("name", ["setpoint_strategy", "climate_x_boreholes"])
def test_shipped_sweep_examples_run(tmp_path, name):
    """The shipped sweep files load and run end to end (1 year, monthly output)."""
    out = tmp_path / f"{name}.nc"
    r = _cli("sweep", ROOT / "cases" / "sweeps" / f"{name}.toml", "--years", 1,
             "--resolution", "monthly", "-j", 2, "-q", "-o", out)  # fmt: skip
    assert r.returncode == 0, r.stderr
    ds = open_result(out)
    expected = len(load_sweep(ROOT / "cases" / "sweeps" / f"{name}.toml").points)
    assert ds.sizes["case"] == expected and not json.loads(ds.attrs["failed_cases"])
    assert ds.sizes["year"] == 1


def test_resumed_sweep_identical_to_clean(tmp_path):
    """A sweep resumed with some cases reused and some new writes the same file as a
    clean run, attributes included (it dropped 13 global attributes)."""
    grid = '"borefield.n_x" = [6, 7]'
    (tmp_path / "a").mkdir()
    clean = _sweep_toml(tmp_path / "a", grid, name="r")
    r = _cli("sweep", clean, "-j", 1, "-q", "--years", 1)
    assert r.returncode == 0, r.stderr
    (tmp_path / "b").mkdir()
    part = _sweep_toml(tmp_path / "b", '"borefield.n_x" = [6]', name="r")
    assert _cli("sweep", part, "-j", 1, "-q", "--years", 1).returncode == 0
    full = _sweep_toml(tmp_path / "b", grid, name="r")
    r = _cli("sweep", full, "-j", 1, "-q", "--years", 1)
    assert r.returncode == 0, r.stderr
    assert "1 case(s) reused" in r.stderr + r.stdout
    a = open_result(tmp_path / "a" / "out" / "r.nc")
    b = open_result(tmp_path / "b" / "out" / "r.nc")
    assert {"time_step_s", "freezing_violation"} <= set(b.attrs)
    xr.testing.assert_identical(drop_volatile(a), drop_volatile(b))


def test_tampered_per_case_file_warns_and_reruns(tmp_path):
    """A per-case file changed after it was written (same input key) is detected by its
    content checksum: a warning naming the file, the case runs again, the result is
    correct."""
    import h5py

    sw_path = _sweep_toml(tmp_path, '"borefield.n_x" = [6, 7]', name="t")
    assert _cli("sweep", sw_path, "-j", 1, "-q", "--years", 1).returncode == 0
    sw = load_sweep(sw_path)
    clean = open_result(sw.output)
    victim = sw.cases_dir / f"{clean['case_hash'].values[1]}.nc"
    with h5py.File(victim, "r+") as f:
        f["T_supply"][3] = f["T_supply"][3] + 1.0
    r = _cli("sweep", sw_path, "-j", 1, "-q", "--years", 1)
    assert r.returncode == 0, r.stderr
    text = r.stdout + r.stderr
    assert f"per-case file {victim} does not match its checksum" in text, text
    assert "1 case(s) reused" in text
    xr.testing.assert_identical(drop_volatile(clean), drop_volatile(open_result(sw.output)))
    again = open_result(victim)
    assert float(again["T_supply"][3]) == float(
        clean["T_supply"].sel(case=clean["case"].values[1])[3]
    )


def test_bad_scheduler_is_a_message(tmp_path):
    sw_path = _sweep_toml(tmp_path, '"borefield.n_x" = [6]', name="f")
    r = _cli("sweep", sw_path, "--scheduler", "ftp://x", "-q")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "--scheduler: 'ftp://x'" in r.stderr and "tcp://host:port" in r.stderr


def test_list_of_a_large_grid_answers_at_once(tmp_path, capsys):
    from gshp.cli import main

    vols = [float(v) for v in range(1, 101)]
    grid = f'"borefield.n_x" = {list(range(1, 101))}\n"tank.volume_m3" = {vols}'
    sw_path = _sweep_toml(tmp_path, grid, name="big")
    code = main(["sweep", str(sw_path), "--list"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) <= 25, len(lines)
    assert lines[0] == "n_x=1, volume_m3=1" and lines[-2] == "n_x=100, volume_m3=100"
    assert "… 9980 more point(s) …" in lines
    assert lines[-1].startswith("10000 grid point(s)") and "only the 20 shown" in lines[-1]
    assert code in (0, 2)
