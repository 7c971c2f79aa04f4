"""Command line: run, loads, heatpump — outputs, exit codes, clear errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gshp.cli import main
from gshp.io.results import open_result

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def two_cases(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("berlin", "strasbourg"):
        shutil.copy(ROOT / "cases" / f"{name}.toml", folder / f"{name}.toml")
    return folder


def test_run_writes_results_and_prints_yearly_table(two_cases, tmp_path, capsys):
    out = tmp_path / "res"
    code = main(["run", str(two_cases), "-o", str(out), "--years", "1", "--jobs", "2", "-q"])
    assert code == 0
    text = capsys.readouterr().out
    assert "SCOP" in text and "2 of 2 case(s) done" in text
    # issue 26: unmet (the boosters' range) and the supply deficit, under their names
    assert "unmet kWh" in text and "deficit kWh" in text
    for name in ("berlin", "strasbourg"):
        ds = open_result(out / f"{name}.nc")
        assert ds.sizes["time"] == 8760 and ds.sizes["year"] == 1
        assert ds["T_supply"].attrs["units"] == "degC"  # UDUNITS spelling in files
        assert float(ds.energy_balance_closure) < 1e-3
    assert not list(out.glob(".*.tmp")), "no temporary files left behind"


def test_run_rejects_bad_input_with_exit_code_2(two_cases, tmp_path, capsys):
    bad = two_cases / "broken.toml"
    bad.write_text((two_cases / "berlin.toml").read_text().replace("n_x = 7", "n_x = -7"))
    out = tmp_path / "res"
    assert main(["run", str(two_cases), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "broken.toml" in err and "borefield.n_x" in err and "Traceback" not in err
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.parametrize("argv, fragment", [
    (["run", "cases/berlin.toml", "--years", "0"], "outside the allowed 1–100 years"),
    (["run", "cases/berlin.toml", "--years", "two"], "not a whole number"),
    (["run", "nothing_here.toml"], "nothing_here.toml"),
    (["run", "cases/berlin.toml", "--jobs", "-3"], "--jobs"),
    (["sweep", "nothing.toml", "--years", "0"], "outside the allowed 1–100 years"),
    (["size", "cases/berlin.toml", "--years", "101"], "outside the allowed 1–100 years"),
    (["sweep", "nothing.toml", "--jobs", "-1"], "--jobs"),
])  # fmt: skip
def test_bad_arguments(argv, fragment, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(argv))
    assert info.value.code == 2
    assert fragment in capsys.readouterr().err


def test_loads_command_writes_csv_with_units(tmp_path, capsys):
    assert main(["loads", str(ROOT / "cases" / "berlin.toml"), "-o", str(tmp_path),
                 "--format", "csv"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "space heating (R3)" in out
    frame = pd.read_csv(tmp_path / "berlin_loads.csv", index_col=0)
    assert len(frame) == 35040
    assert "Q_space_heating_W" in frame.columns and "T_air_C" in frame.columns
    annual = frame["Q_space_heating_W"].sum() * 900 / 3.6e9
    assert annual == pytest.approx(177.6, rel=0.05)  # docs/reference-study.md R3, Berlin


def test_heatpump_command(capsys):
    assert main(["heatpump", str(ROOT / "cases" / "berlin.toml")]) == 0
    out = capsys.readouterr().out
    cop = float(out.split("COP ")[1].split()[0])
    assert 4.3 <= cop <= 5.0  # B0/W35 plausibility anchor (reference study §2)
    assert main(["heatpump", "--maps"]) == 0
    assert "copeland_zh45k4e_r134a" in capsys.readouterr().out


def test_run_result_matches_python_api(tmp_path):
    from gshp.config import load_case
    from gshp.studies.simulate import comparable, simulate

    case = load_case(ROOT / "cases" / "berlin.toml").replace(**{"simulation.years": 1})
    assert main(["run", str(ROOT / "cases" / "berlin.toml"), "-o", str(tmp_path), "--years",
                 "1", "-q"]) == 0  # fmt: skip
    from_file = open_result(tmp_path / "berlin.nc")
    direct = comparable(simulate(case))
    for name in ("T_supply", "Q_ground", "E_gshp", "cop_gshp_monthly"):
        np.testing.assert_array_equal(from_file[name].values, direct[name].values)


def test_jobs_1_equals_jobs_2(two_cases, tmp_path):
    """Results do not depend on the number of parallel processes."""
    from gshp.studies.simulate import comparable

    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        assert main(["run", str(two_cases), "-o", str(out), "--years", "1", "--jobs", jobs,
                     "--resolution", "daily", "-q"]) == 0  # fmt: skip
        outs[jobs] = out
    for name in ("berlin", "strasbourg"):
        a = comparable(open_result(outs["1"] / f"{name}.nc"))
        b = comparable(open_result(outs["2"] / f"{name}.nc"))
        assert a.identical(b), name


def test_output_folder_that_cannot_be_created_fails_before_any_work(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    code = main(["run", str(ROOT / "cases" / "berlin.toml"), "-o", str(blocker / "sub"), "-q"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--output" in err and "Traceback" not in err


def test_size_needs_exactly_one_case(two_cases, capsys):
    assert main(["size", str(two_cases), "--min-fluid-temp", "-1.5"]) == 2
    assert "exactly one case" in capsys.readouterr().err
