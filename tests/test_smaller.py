"""Smaller items of issue 15: compile notice, sweep options and summary, Dask workers
from --jobs, the heat_pump attribute, one water c_p, heat-pump ratings at 20–25 °C."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import gshp
from gshp.cli import main
from gshp.io.results import open_result
from gshp.studies import runner

ROOT = Path(__file__).resolve().parents[1]


def _fake(case, progress=None):
    import xarray as xr

    return xr.Dataset(attrs={"case_name": case.name})


def test_compile_notice_only_when_the_kernel_is_not_cached(monkeypatch, capsys):
    case = gshp.load_case(ROOT / "cases" / "berlin.toml")
    monkeypatch.setattr(runner, "kernel_cached", lambda: False)
    runner.run_cases([case], progress=True, simulate_fn=_fake)
    assert "compiling the simulation kernel" in capsys.readouterr().err
    monkeypatch.setattr(runner, "kernel_cached", lambda: True)
    runner.run_cases([case], progress=True, simulate_fn=_fake)
    assert "compiling" not in capsys.readouterr().err
    runner.run_cases([case], progress=False, simulate_fn=_fake)
    assert capsys.readouterr().err == ""


def test_dask_local_cluster_gets_one_worker_per_job(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    seen = {}

    class Stop(Exception):
        pass

    def fake_cluster(**kw):
        seen.update(kw)
        raise Stop

    monkeypatch.setattr(distributed, "LocalCluster", fake_cluster)
    cases = [gshp.load_case(ROOT / "cases" / "berlin.toml")] * 5
    with pytest.raises(Stop):
        runner.run_cases(cases, jobs=3, scheduler="local", progress=False, simulate_fn=_fake)
    assert seen["n_workers"] == 3 and seen["threads_per_worker"] == 1
    with pytest.raises(Stop):
        runner.run_cases(cases[:2], jobs=8, scheduler="local", progress=False,
                         simulate_fn=_fake)  # fmt: skip
    assert seen["n_workers"] == 2  # never more workers than cases


def test_sweep_years_resolution_float32_and_results_table(tmp_path, capsys):
    sweep = tmp_path / "s.toml"
    sweep.write_text(
        f'base = "{(ROOT / "cases" / "berlin.toml").as_posix()}"\noutput = "out/s.nc"\n'
        '[overrides]\n"simulation.time_step_s" = 900\n[grid]\n"borefield.n_x" = [5, 6]\n'
    )
    code = main(["sweep", str(sweep), "--years", "1", "--resolution", "monthly", "--jobs", "1",
                 "-q", "--float32"])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "SCOP mean" in out and "| n_x=5 |" in out and "| n_x=6 |" in out
    ds = open_result(tmp_path / "out" / "s.nc")
    assert ds.sizes["year"] == 1 and ds.sizes["time"] == 12
    assert ds["T_supply"].dtype.name == "float32"
    with pytest.raises(SystemExit) as info:  # the --years of gshp run (an argparse type)
        raise SystemExit(main(["sweep", str(sweep), "--years", "0"]))
    assert info.value.code == 2


def test_heat_pump_attribute_describes_the_machine():
    case = gshp.load_case(ROOT / "cases" / "berlin.toml")
    ds = gshp.simulate(case, **{"simulation.years": 1, "simulation.time_step_s": 900,
                                "simulation.output_resolution": "monthly"})  # fmt: skip
    hp = json.loads(ds.attrs["heat_pump"])
    assert hp["compressor"] == case.heat_pump.compressor
    assert hp["rated_heating_kW"] == pytest.approx(case.heat_pump.rated_heating_capacity_kW)
    assert hp["B0W35_heating_kW"] == pytest.approx(hp["rated_heating_kW"], rel=1e-3)
    assert 3.5 < hp["B0W35_cop"] < 6.0 and hp["n_compressors"] >= 1


def test_water_cp_defined_once():
    defs = []
    for path in (ROOT / "gshp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if "CP_WATER" in names:
                    defs.append(path.name)
    assert defs == ["water.py"]
    from gshp.physics import dhw, heatpump, tank, water
    from gshp.station.components import network

    assert {m.CP_WATER for m in (dhw, heatpump, network, tank)} == {water.CP_WATER}


def test_heatpump_summary_rates_the_station_supply_temperatures(capsys):
    assert main(["heatpump", str(ROOT / "cases" / "berlin.toml")]) == 0
    text = capsys.readouterr().out
    header = next(line for line in text.splitlines() if "water out" in line)
    assert header.split()[-5:] == ["W20", "W25", "W35", "W45", "W55"]
    row = next(line for line in text.splitlines() if line.strip().startswith("B0 "))
    cops = [float(c.split("/")[1].strip(" *")) for c in row.split("  ") if "/" in c]
    assert len(cops) == 5 and all(a > b for a, b in zip(cops, cops[1:], strict=False))
