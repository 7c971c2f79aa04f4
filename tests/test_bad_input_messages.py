"""Issue 25: inputs that used to end in a traceback get one message and exit code 2 (the
command line) or an InputError (the API); valid inputs that crashed run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gshp
from gshp.cli import main
from gshp.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
BERLIN = ROOT / "cases" / "berlin.toml"


def _deep_toml(path: Path, depth: int = 2000) -> Path:
    path.write_text("a = " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    return path


# ---- deeply nested TOML ---------------------------------------------------------------


def test_deeply_nested_toml_is_one_message_per_file(tmp_path, capsys):
    folder = tmp_path / "cases"
    folder.mkdir()
    _deep_toml(folder / "deep.toml")
    (folder / "good.toml").write_text(BERLIN.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "deep.toml" in err and "nested too deeply" in err
    assert "Traceback" not in err and "RecursionError" not in err


def test_deeply_nested_toml_from_the_api(tmp_path):
    with pytest.raises(InputError, match="nested too deeply"):
        gshp.load_case(_deep_toml(tmp_path / "deep.toml"))


# ---- a path longer than the file system allows ---------------------------------------


def test_very_long_path_is_a_message(tmp_path, capsys):
    long = str(tmp_path / ("a" * 5000 + ".toml"))
    assert main(["check", long]) == 2
    err = capsys.readouterr().err
    assert "File name too long" in err and "5" in err
    assert len(err) < 600  # the name is shortened, not printed 5000 characters long
    with pytest.raises(InputError, match="too long"):
        gshp.load_case(long)


# ---- gshp size --max-size inf ----------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "nan", "-3"])
def test_size_max_size_not_finite_is_a_message(value, capsys):
    argv = ["size", str(BERLIN), "--min-fluid-temp", "0", f"--max-size={value}", "-q"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--max-size" in err and "finite number > 0" in err


# ---- gshp check --reference | head -----------------------------------------------------


def test_check_reference_into_a_closed_pipe_has_no_traceback():
    # `gshp check --reference | head -n 1`, made deterministic: the reader is gone before
    # gshp writes (with a real `head` the reference may fit in the pipe's buffer)
    r, w = os.pipe()
    os.close(r)
    try:
        res = subprocess.run(
            [sys.executable, "-m", "gshp.cli", "check", "--reference"],
            stdout=w,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
        )
    finally:
        os.close(w)
    assert res.stderr == ""  # no BrokenPipeError, no "Exception ignored" at exit
    assert res.returncode == 141  # 128 + SIGPIPE, as a shell reports `yes | head`


# ---- the API: numpy numbers, overrides, to_pandas --------------------------------------


def test_numpy_integers_and_floats_are_accepted():
    case = gshp.load_case(
        BERLIN,
        overrides={
            "borefield.n_x": np.int64(5),
            "borefield.n_y": np.int32(4),
            "borefield.length_m": np.float64(120.0),
            "simulation.years": np.int64(2),
        },
    )
    assert case.borefield.n_x == 5 and type(case.borefield.n_x) is int
    assert case.borefield.n_boreholes == 20
    assert case.borefield.length_m == 120.0 and type(case.borefield.length_m) is float
    assert case.replace(**{"borefield.n_x": np.int16(6)}).borefield.n_x == 6


def test_numpy_bool_is_not_a_number():
    with pytest.raises(InputError, match="n_x"):
        gshp.load_case(BERLIN, overrides={"borefield.n_x": np.bool_(True)})


@pytest.mark.parametrize("overrides", [[1], "borefield.n_x=5", 5, {3: 4}])
def test_overrides_of_the_wrong_type_are_an_input_error(overrides):
    with pytest.raises(InputError, match="overrides"):
        gshp.load_case(BERLIN, overrides=overrides)


@pytest.mark.parametrize("obj", [None, 3.0, "T_bhe_out"])
def test_to_pandas_of_something_else_is_an_input_error(obj):
    with pytest.raises(InputError, match="to_pandas.*xarray"):
        gshp.to_pandas(obj)


# ---- gshp report with crossed limits ---------------------------------------------------


def test_report_rejects_min_fluid_temp_above_max(tmp_path, capsys):
    from gshp.io.results import write_netcdf

    fast = {
        "simulation.years": 1,
        "simulation.time_step_s": 900,
        "simulation.output_resolution": "monthly",
    }
    path = write_netcdf(gshp.simulate(gshp.load_case(BERLIN, fast)), tmp_path / "r.nc")
    out = tmp_path / "rep"
    argv = ["report", str(path), "-o", str(out), "--min-fluid-temp", "30"]
    assert main([*argv, "--max-fluid-temp", "0"]) == 2
    err = capsys.readouterr().err
    assert "--min-fluid-temp" in err and "below --max-fluid-temp" in err
    assert not list(out.glob("*.png"))
    # gshp size says the same for the same arguments
    assert main(["size", str(BERLIN), "--min-fluid-temp", "30", "--max-fluid-temp", "0"]) == 2
    assert "below --max-fluid-temp" in capsys.readouterr().err


# ---- item 10: a network load file of zeros runs ----------------------------------------


def test_all_zero_network_load_runs_a_year(tmp_path, capsys):
    (tmp_path / "zero.csv").write_text("Q_network_kW\n" + "0\n" * 8760, encoding="utf-8")
    text = BERLIN.read_text(encoding="utf-8").replace(
        "n_buildings = 7",
        'n_buildings = 7\nload_file = "zero.csv"\nload_file_kind = "network"',
    )
    (tmp_path / "zero.toml").write_text(text, encoding="utf-8")
    argv = ["run", str(tmp_path / "zero.toml"), "-o", str(tmp_path / "out"), "-q"]
    assert main([*argv, "--years", "1", "--resolution", "daily"]) == 0, capsys.readouterr()
    ds = gshp.io.results.open_result(tmp_path / "out" / "berlin.nc")
    assert np.all(np.isfinite(ds.Q_network.values)) and np.all(np.isfinite(ds.T_supply.values))
