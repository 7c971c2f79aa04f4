"""Inputs that used to be silently misread or crash (issue 14): sweep cache keys over file
contents, foreign per-case files, paths from the real case folder, clear messages."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from gshp.config import load_case
from gshp.errors import InputError
from gshp.physics.heatpump import MAPS_DIR
from gshp.studies.sweep import INPUT_KEY_ATTR, input_key, load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]
WEATHER = ROOT / "tests" / "data" / "weather"


def gshp(*args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "gshp.cli", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd,
    )  # fmt: skip


def epw(folder, name="ams.epw", src="NLD_Amsterdam062400_IWEC.epw.gz") -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(WEATHER / src, "rb") as fh:
        (folder / name).write_bytes(fh.read())
    return folder / name


def case_file(folder, name="base", climate='weather_file = "wx/ams.epw"', extra=None):
    """berlin.toml with its climate replaced (and optional line replacements)."""
    text = (ROOT / "cases" / "berlin.toml").read_text(encoding="utf-8")
    text = text.replace('[climate]\npreset = "berlin"', f"[climate]\n{climate}")
    for old, new in (extra or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    p = Path(folder) / f"{name}.toml"
    p.write_text(text, encoding="utf-8")
    return p


class Counter:
    """A stand-in for simulate: records the cases it ran, returns a small result."""

    def __init__(self):
        self.ran = []

    def __call__(self, case, progress=None):
        self.ran.append(case.name)
        return xr.Dataset(
            {"x": ("year", np.array([float(case.borefield.n_x)]))},
            coords={"year": [1]},
            attrs={"case": json.dumps(case.to_dict(), sort_keys=True, default=str)},
        )


def sweep_file(folder, base, grid='"borefield.n_x" = [5, 6]', name="s"):
    p = Path(folder) / f"{name}.toml"
    p.write_text(f'base = "{base}"\noutput = "out/{name}.nc"\n[grid]\n{grid}\n', encoding="utf-8")
    return p


# ------------------------------------------------------------------ item 2: cache keys


@pytest.mark.parametrize("what", ["weather", "compressor", "coordinates"])
def test_sweep_reruns_cases_whose_input_file_changed(tmp_path, what):
    epw(tmp_path / "wx")
    shutil.copy(MAPS_DIR / "copeland_zh45k4e_r134a.toml", tmp_path / "mymap.toml")
    (tmp_path / "xy.csv").write_text("x_m,y_m\n0,0\n6,0\n0,6\n6,6\n")
    extra = {"[heat_pump]\n": '[heat_pump]\ncompressor = "mymap.toml"\n'}
    grid = '"borefield.length_m" = [120.0, 150.0]'
    if what == "coordinates":
        extra['layout = "rectangle"'] = 'layout = "coordinates"\ncoordinates_file = "xy.csv"'
    base = case_file(tmp_path, extra=extra)
    sw = load_sweep(sweep_file(tmp_path, base.name, grid=grid))
    first = Counter()
    run_sweep(sw, simulate_fn=first, progress=False)
    assert len(first.ran) == 2
    same = Counter()
    out = run_sweep(sw, simulate_fn=same, progress=False)
    assert same.ran == [] and len(out.skipped) == 2
    changed = {
        "weather": tmp_path / "wx" / "ams.epw",
        "compressor": tmp_path / "mymap.toml",
        "coordinates": tmp_path / "xy.csv",
    }[what]
    changed.write_bytes(changed.read_bytes() + b"\n")  # same path, other contents
    again = Counter()
    out = run_sweep(sw, simulate_fn=again, progress=False)
    assert len(again.ran) == 2 and out.skipped == []


def test_input_key_covers_the_gshp_version(tmp_path, monkeypatch):
    import gshp.version

    case = load_case(ROOT / "cases" / "berlin.toml")
    k1 = input_key(case)
    monkeypatch.setattr(gshp.version, "__version__", gshp.version.__version__ + ".post1")
    assert input_key(case) != k1


# ------------------------------------------------------------------ item 4: foreign files


def test_foreign_netcdf_in_the_cases_folder_is_not_a_finished_case(tmp_path):
    base = case_file(tmp_path, climate='preset = "berlin"')
    sw = load_sweep(sweep_file(tmp_path, base.name))
    first = Counter()
    run_sweep(sw, simulate_fn=first, progress=False)
    victim = sorted(sw.cases_dir.glob("*.nc"))[0]
    foreign = xr.Dataset({"secret": ("q", [1.0, 2.0]), "x": ("year", [99.0])}, coords={"year": [1]})
    foreign.to_netcdf(victim, engine="h5netcdf")
    again = Counter()
    out = run_sweep(sw, simulate_fn=again, progress=False)
    assert len(again.ran) == 1 and len(out.skipped) == 1
    assert "secret" not in out.dataset.variables
    assert sorted(out.dataset["x"].values.ravel()) == [5.0, 6.0]
    with xr.open_dataset(victim, engine="h5netcdf") as back:
        assert back.attrs[INPUT_KEY_ATTR]  # replaced by a gshp result with its key


# ------------------------------------------------------------------ item 13 and duplicates


def test_sweep_over_weather_files_in_a_subfolder(tmp_path):
    epw(tmp_path / "wx")
    epw(tmp_path / "wx", "tmy.epw", "tmy_45.000_8.000_2005_2023.epw.gz")
    base = case_file(tmp_path)
    grid = '"climate.weather_file" = ["wx/ams.epw", "wx/tmy.epw"]'
    sw = load_sweep(sweep_file(tmp_path, base.name, grid=grid))
    assert [p.name for p in sw.points] == ["weather_file=ams.epw", "weather_file=tmy.epw"]
    out = run_sweep(sw, simulate_fn=Counter(), progress=False)
    assert not out.failed, [r.error for r in out.failed]
    assert list(out.dataset["climate.weather_file"].values) == ["wx/ams.epw", "wx/tmy.epw"]


def test_duplicate_grid_points_are_rejected(tmp_path):
    base = case_file(tmp_path, climate='preset = "berlin"')
    with pytest.raises(InputError, match="grid.borefield.n_x.*distinct values"):
        load_sweep(sweep_file(tmp_path, base.name, grid='"borefield.n_x" = [5, 6, 5]'))


# ------------------------------------------------------------------ item 3: real folder


def test_compressor_map_resolves_against_the_case_folder(tmp_path, monkeypatch):
    shutil.copy(MAPS_DIR / "copeland_zh45k4e_r134a.toml", tmp_path / "mymap.toml")
    base = case_file(
        tmp_path,
        climate='preset = "berlin"',
        extra={"[heat_pump]\n": '[heat_pump]\ncompressor = "mymap.toml"\n'},
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mymap.toml").write_text("not a map")  # a different file in the cwd
    monkeypatch.chdir(elsewhere)
    case = load_case(base)
    assert case.heat_pump.compressor == str(tmp_path / "mymap.toml")


def test_symlinked_case_file_resolves_paths_in_its_real_folder(tmp_path):
    real = tmp_path / "project"
    epw(real / "wx")
    target = case_file(real)
    links = tmp_path / "links"
    links.mkdir()
    (links / "wx").mkdir()  # a different wx/ beside the link: must not be used
    (links / "case.toml").symlink_to(target)
    case = load_case(links / "case.toml")
    assert case.climate.weather_file == real / "wx" / "ams.epw"
    r = gshp("check", links / "case.toml")
    assert r.returncode == 0, r.stderr


# ------------------------------------------------------------------ item 11: clear messages


def test_unreadable_case_and_sweep_files(tmp_path, monkeypatch):
    base = case_file(tmp_path, climate='preset = "berlin"')
    sw = sweep_file(tmp_path, base.name)
    real = Path.read_text

    def deny(self, *a, **k):
        if self.suffix == ".toml":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "read_text", deny)
    with pytest.raises(InputError, match=r"base.toml: 'unreadable \(Permission denied\)'"):
        load_case(base)
    with pytest.raises(InputError, match=r"s.toml: 'unreadable \(Permission denied\)'"):
        load_sweep(sw)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_case_file_cli(tmp_path):
    base = case_file(tmp_path, climate='preset = "berlin"')
    base.chmod(0)
    r = gshp("check", base)
    assert r.returncode == 2 and "Permission denied" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("kind", ["folder", "binary"])
def test_folder_or_binary_file_as_compressor_map(tmp_path, kind):
    if kind == "folder":
        (tmp_path / "mymap.toml").mkdir()
    else:
        (tmp_path / "mymap.toml").write_bytes(bytes(range(256)) * 8)
    base = case_file(
        tmp_path,
        climate='preset = "berlin"',
        extra={"[heat_pump]\n": '[heat_pump]\ncompressor = "mymap.toml"\n'},
    )
    r = gshp("check", base)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "mymap.toml" in r.stderr
    assert ("a compressor map file" in r.stderr) if kind == "folder" else ("not UTF-8" in r.stderr)


def test_tiny_heat_pump_is_a_clear_failure(tmp_path):
    """rated_heating_capacity_kW = 0.01 used to crash in brentq; now the machine is built
    and the run fails as physically implausible (exit 1, no result file)."""
    from gshp.config import load_case
    from gshp.physics.heatpump import HeatPump

    base = case_file(
        tmp_path,
        climate='preset = "berlin"',
        extra={"rated_heating_capacity_kW = 96.0": "rated_heating_capacity_kW = 0.01"},
    )
    hp = HeatPump.from_config(load_case(base).heat_pump)
    assert hp.rating(0.0, 35.0).heating_W == pytest.approx(10.0, rel=1e-6)
    r = gshp("run", base, "--years", "1", "-o", tmp_path / "out", "-q")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "implausible result of case berlin" in r.stderr
    assert "heat_pump.rated_heating_capacity_kW" in r.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_report_to_an_unwritable_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = tmp_path / "r.nc"
    xr.Dataset({"x": ("t", [1.0])}).to_netcdf(res, engine="h5netcdf")
    r = gshp("report", res, "-o", blocker / "figs")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--output" in r.stderr and "writable folder" in r.stderr


def test_sweep_output_unwritable_detected_before_running(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    base = case_file(tmp_path, climate='preset = "berlin"')
    sw = sweep_file(tmp_path, base.name)
    r = gshp("sweep", sw, "-o", blocker / "x.nc", "-q")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "output" in r.stderr and "writable folder" in r.stderr
    assert "case(s) done" not in r.stdout + r.stderr  # nothing ran


def test_run_output_unwritable_detected_before_running(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = gshp("run", ROOT / "cases" / "berlin.toml", "-o", blocker / "out", "-q")
    assert r.returncode == 2 and "writable folder" in r.stderr
    assert "case(s) done" not in r.stdout


@pytest.mark.parametrize("where", ["name", "weather", "sweep-name"])
def test_nul_characters(tmp_path, where):
    if where == "sweep-name":
        base = case_file(tmp_path, climate='preset = "berlin"')
        p = tmp_path / "s.toml"
        p.write_text(f'name = "a\\u0000b"\nbase = "{base.name}"\n[grid]\n"borefield.n_x" = [5]\n')
        r = gshp("sweep", p, "--list")
    else:
        name = {'name = "berlin"': 'name = "a\\u0000b"'} if where == "name" else {}
        clim = 'weather_file = "wx\\u0000.epw"' if where == "weather" else 'preset = "berlin"'
        p = case_file(tmp_path, climate=clim, extra=name)
        r = gshp("check", p)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "error:" in r.stderr


# ------------------------------------------------------------------ minor items


def test_case_file_with_a_byte_order_mark(tmp_path):
    p = case_file(tmp_path, climate='preset = "berlin"')
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    assert load_case(p).climate.preset == "berlin"


def test_300_character_name_rejected_at_check(tmp_path):
    long_name = {'name = "berlin"': f'name = "{"n" * 300}"'}
    p = case_file(tmp_path, climate='preset = "berlin"', extra=long_name)
    r = gshp("check", p)
    assert r.returncode == 2 and "at most 252 bytes" in r.stderr


def test_check_opens_weather_files(tmp_path):
    (tmp_path / "wx").mkdir()
    (tmp_path / "wx" / "ams.epw").write_text("LOCATION,x,-,-,-,-,52.3,4.8,1,0\nnot an epw\n")
    r = gshp("check", case_file(tmp_path))
    assert r.returncode == 2 and "ams.epw" in r.stderr and "Traceback" not in r.stderr


def test_cache_dir_that_is_a_file_fails_check(tmp_path):
    f = tmp_path / "cachefile"
    f.write_text("x")
    env_case = case_file(tmp_path, climate='preset = "berlin"')
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GSHP_CACHE_DIR": str(f)}
    r = subprocess.run(
        [sys.executable, "-m", "gshp.cli", "check", str(env_case)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert r.returncode == 2 and "GSHP_CACHE_DIR" in r.stderr and "not a folder" in r.stderr


def test_messages_show_plain_numbers():
    from gshp.errors import Problem

    assert str(Problem("x", np.float64(-5.0), "≥ 0")) == "x: -5.0 — ≥ 0"
    assert str(Problem("x", np.int64(3), "≥ 5")) == "x: 3 — ≥ 5"
    assert "np." not in str(Problem("x", [np.float64(1.5), np.float32(2.0)], "..."))


def test_size_with_a_non_numeric_limit_is_one_problem(tmp_path):
    r = gshp("size", ROOT / "cases" / "berlin.toml", "--min-fluid-temp", "abc")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--min-fluid-temp" in r.stderr and "problems" not in r.stderr, r.stderr


def test_freezing_warning_printed_once_without_source_line(tmp_path):
    """Used to be printed twice: Python's warning display (with a leaked source line
    ``ds = _assemble(...)``) and the summary's own line."""
    text = (ROOT / "cases" / "helsinki.toml").read_text(encoding="utf-8")
    for old, new in (
        ('name = "MPG"', 'name = "water"'),
        ("concentration_pct = 30.0", "concentration_pct = 0.0"),
        ("n_x = 15", "n_x = 6"),
        # below the share that makes the result implausible (issue 25): a warning only
        ("[borefield.fluid]", "[borefield.fluid]\nmax_freezing_steps_pct = 100.0"),
    ):
        assert old in text
        text = text.replace(old, new)
    p = tmp_path / "water.toml"
    p.write_text(text, encoding="utf-8")
    r = gshp("run", p, "--years", "1", "-o", tmp_path / "out", "-q")
    assert r.returncode == 0, r.stderr
    both = r.stdout + r.stderr
    assert both.count("freezing point") == 1, both
    assert "_assemble" not in both and "UserWarning" not in both
