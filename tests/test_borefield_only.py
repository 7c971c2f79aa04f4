"""Borefield-only cases (``kind = "borefield"``): a borefield driven by an hourly ground load
file, checked against pygfunction, sized on the designers' criteria, and run, sized and read
back through the command line (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pygfunction as gt
import pytest
import xarray as xr

import gshp
from gshp.cli import main
from gshp.errors import InputError
from gshp.studies.sizing import size

H = np.arange(8760)


def write_load(path: Path, extraction_kW, injection_kW, sep=",", header=None) -> Path:
    header = header or ("extraction_kW", "injection_kW")
    lines = ["# synthetic hourly ground load", sep.join(header)]
    lines += [f"{e:.6f}{sep}{i:.6f}" for e, i in zip(extraction_kW, injection_kW, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_case(folder: Path, load: str = "load.csv", *, years=2, n_x=3, n_y=2, length=100.0,
               pump="constant", extra="") -> Path:  # fmt: skip
    case = folder / "field.toml"
    case.write_text(
        f"""kind = "borefield"
name = "field"
[simulation]
years = {years}
time_step_s = 3600
output_resolution = "hourly"
[ground_load]
file = "{load}"
pump = "{pump}"
[borefield]
layout = "rectangle"
n_x = {n_x}
n_y = {n_y}
spacing_m = 6.0
length_m = {length}
[borefield.ground]
T_undisturbed_C = 10.0
{extra}""",
        encoding="utf-8",
    )
    return case


def annual(amplitude_kW, mean_kW=0.0):
    """A smooth annual ground load, kW (+ extracted): split into the two columns."""
    q = mean_kW + amplitude_kW * np.cos(2 * np.pi * H / 8760)
    return np.clip(q, 0, None), np.clip(-q, 0, None)


def test_mean_fluid_matches_pygfunction_claesson_javed(tmp_path):
    """The mean fluid temperature of a borefield-only run against pygfunction's
    ClaessonJaved load aggregation with the field's g-function and the same effective
    borehole resistance: T_f = T_g − q'·g/(2πk) (superposed) − q'·R_b*."""
    ext, inj = annual(12.0, 2.0)
    write_load(tmp_path / "load.csv", ext, inj)
    ds = gshp.simulate(write_case(tmp_path))
    bf = json.loads(ds.attrs["borefield"])
    case = gshp.load_case(tmp_path / "field.toml")
    cfg = case.borefield
    # pygfunction: the field, its g-function (same boundary condition), the aggregation
    field = gt.borefield.Borefield.rectangle_field(
        cfg.n_x, cfg.n_y, cfg.spacing_m, cfg.spacing_m, cfg.length_m, cfg.buried_depth_m,
        cfg.radius_m,
    )  # fmt: skip
    dt, n = 3600.0, 2 * 8760
    lo = gt.load_aggregation.ClaessonJaved(dt, n * dt)
    alpha = cfg.ground.conductivity_W_mK / cfg.ground.volumetric_heat_capacity_J_m3K
    g = gt.gfunction.gFunction(field, alpha, time=lo.get_times_for_simulation(),
                               boundary_condition="UBWT",
                               options={"method": "equivalent"}).gFunc  # fmt: skip
    k = cfg.ground.conductivity_W_mK
    lo.initialize(g / (2 * np.pi * k))
    H_tot = cfg.n_x * cfg.n_y * cfg.length_m
    q = np.tile(ext - inj, 2) * 1e3 / H_tot  # W/m, + extracted
    T_f = np.empty(n)
    for i in range(n):
        lo.next_time_step((i + 1) * dt)
        lo.set_current_load(q[i])
        T_f[i] = 10.0 - lo.temporal_superposition() - q[i] * bf["R_b_effective_mK_W"]
    mine = 0.5 * (ds["T_bhe_in"].values + ds["T_bhe_out"].values)
    diff = np.abs(mine - T_f)[24:]  # after the first day (grout and fluid capacity)
    assert diff.max() < 0.05, diff.max()
    assert np.ptp(T_f) > 5.0  # the comparison is not between two near-constant series


def test_the_load_is_exchanged_exactly_and_the_energy_balance_closes(tmp_path):
    ext, inj = annual(15.0, -2.0)
    ext[H % 24 < 6] = 0.0  # some hours without load: the pump stops (pump = "load")
    inj[H % 24 < 6] = 0.0
    write_load(tmp_path / "load.csv", ext, inj, sep=";", header=("Heating", "Cooling"))
    case = write_case(tmp_path, pump="load", years=1,
                      extra='[sizing]\ncriterion = "mean"\n')  # fmt: skip
    text = case.read_text().replace('pump = "load"', 'pump = "load"\nextraction_column = '
                                    '"heating"\ninjection_column = "cooling"')  # fmt: skip
    case.write_text(text)
    ds = gshp.simulate(case)
    q = (np.round(ext, 6) - np.round(inj, 6)) * 1e3  # as written to the file
    np.testing.assert_allclose(ds["Q_ground"].values, q, rtol=1e-9, atol=1e-6)
    assert float(ds["energy_balance_closure"]) < 1e-12
    assert ds["Q_ground_extracted"].values[0] == pytest.approx(np.round(ext, 6).sum(), rel=1e-9)
    assert ds["Q_ground_injected"].values[0] == pytest.approx(np.round(inj, 6).sum(), rel=1e-9)
    pump = ds["P_pump_borefield"].values
    assert np.all(pump[q == 0] == 0.0) and np.all(pump[q != 0] > 0.0)
    # the mean fluid lies between inlet and outlet; extraction: inlet colder than outlet
    on = q > 0
    assert np.all(ds["T_bhe_in"].values[on] < ds["T_bhe_out"].values[on])
    assert ds.attrs["case_kind"] == "borefield"


def test_criterion_mean_sizes_longer_than_outlet_and_inlet_longest(tmp_path):
    """Extraction-dominated load: the outlet is the warmest point of the loop, the inlet the
    coldest, so a lower limit on the mean needs a longer field than on the outlet, and one on
    the inlet the longest; the binding point is named."""
    ext, inj = annual(10.0, 4.0)
    write_load(tmp_path / "load.csv", ext, inj)
    case = write_case(tmp_path, years=3, n_x=2, n_y=2)
    lengths = {}
    for criterion in ("outlet", "mean", "inlet"):
        res = size(case, t_min_C=0.0, vary="length", criterion=criterion, min_size=40,
                   max_size=400, length_step_m=1.0)  # fmt: skip
        lengths[criterion] = res.length_m
        assert res.binding_constraint == "min_fluid_temperature"
        assert res.binding_year == 3 and res.binding_month in (1, 12)
        assert 0.0 <= res.binding_margin < 0.2
        assert res.smaller is not None and res.smaller["margin"] < 0
        assert res.limits["criterion"] == criterion and res.limits["check"] == "hourly"
    assert lengths["outlet"] < lengths["mean"] < lengths["inlet"], lengths
    # with the found length the mean fluid holds the limit; one metre less does not
    ok = gshp.simulate(case, **{"borefield.length_m": lengths["mean"]})
    bad = gshp.simulate(case, **{"borefield.length_m": lengths["mean"] - 1.0})
    assert float(ok["T_fluid_mean_hourly_min"].min()) >= 0.0
    assert float(bad["T_fluid_mean_hourly_min"].min()) < 0.0


def test_cli_runs_sizes_and_writes_a_borefield_only_case(tmp_path, capsys):
    ext, inj = annual(8.0, 2.0)
    write_load(tmp_path / "load.csv", ext, inj)
    case = write_case(tmp_path, years=2, n_x=2, n_y=2)
    out = tmp_path / "out"
    assert main(["run", str(case), "-o", str(out), "-q"]) == 0
    with xr.open_dataset(out / "field.nc") as ds:
        assert ds.attrs["case_kind"] == "borefield"
        assert ds["T_fluid_mean_hourly_min"].dims == ("year", "month")
        assert ds["T_bhe_in"].sizes["time"] == 2 * 8760
    capsys.readouterr()
    argv = ["size", str(case), "--vary", "length", "--min-fluid-temp=0", "--min-size", "40",
            "--max-size", "300", "--json"]  # fmt: skip
    assert main(argv) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["binding_constraint"] == "min_fluid_temperature"
    assert res["limits"]["criterion"] == "mean" and 40 <= res["length_m"] <= 300


def test_bad_borefield_cases_name_the_field(tmp_path, capsys):
    ext, inj = annual(20.0)
    write_load(tmp_path / "load.csv", ext, inj)
    case = write_case(tmp_path)
    base = case.read_text()
    case.write_text(base + "[tank]\nvolume_m3 = 10.0\n")
    with pytest.raises(InputError, match="no station section in a borefield-only case"):
        gshp.load_case(case)
    case.write_text(
        base.replace("extraction_column", "x").replace(
            'pump = "constant"', 'pump = "constant"\nextraction_column = "heat"'
        )
    )
    with pytest.raises(InputError, match="ground_load.extraction_column"):
        gshp.simulate(case)
    ext2 = ext.copy()
    ext2[100] = -3.0
    write_load(tmp_path / "neg.csv", ext2, inj)
    case.write_text(base.replace('file = "load.csv"', 'file = "neg.csv"'))
    with pytest.raises(InputError, match=r"line 103, column 1 \(extraction_kW\)"):
        gshp.simulate(case)
    write_load(tmp_path / "short.csv", ext[:8000], inj[:8000])
    case.write_text(base.replace('file = "load.csv"', 'file = "short.csv"'))
    assert main(["run", str(case), "-o", str(tmp_path / "o"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "8000 data rows" in err and "8760" in err and "Traceback" not in err
    # a station case: no ground load, and its step divides 900 s
    berlin = Path(__file__).resolve().parents[1] / "cases" / "berlin.toml"
    with pytest.raises(InputError, match="only in a borefield-only case"):
        gshp.load_case(berlin, overrides={"ground_load.file": str(tmp_path / "load.csv")})
    with pytest.raises(InputError, match="a divisor of 900 s in a station case"):
        gshp.load_case(berlin, overrides={"simulation.time_step_s": 3600})


def test_cli_check_summarises_a_borefield_only_case_and_reads_its_load(tmp_path, capsys):
    """``gshp check`` on a borefield-only case prints its ground load, field and limits (it
    used to fail with a traceback on the missing heat pump) and opens the load file: a bad
    row is one message with the file and line, exit code 2."""
    ext, inj = annual(8.0, 2.0)
    write_load(tmp_path / "load.csv", ext, inj)
    case = write_case(tmp_path, extra='[sizing]\ncriterion = "outlet"\nT_fluid_min_C = 0.0\n')
    assert main(["check", str(case)]) == 0
    out = capsys.readouterr().out
    assert "ground load" in out and "load.csv: extraction_kW − injection_kW (kW)" in out
    assert "6 boreholes (3 × 2, 6 m) × 100 m = 600 m" in out
    assert "sizing      borefield outlet, hourly means, within 0 … +∞ °C" in out
    assert "heat pump" not in out and "1 case(s) valid." in out
    ext[50] = -1.0
    write_load(tmp_path / "load.csv", ext, inj)
    assert main(["check", str(case)]) == 2
    err = capsys.readouterr().err
    assert "ground_load.file" in err and "line 53, column 1 (extraction_kW)" in err
    assert "Traceback" not in err


def test_report_takes_the_limits_of_the_cases_sizing_table(tmp_path, capsys):
    """``gshp report`` without limits checks those of the case's ``[sizing]`` (criterion,
    check and limits), as its doc says; options override them; a comparison checks each
    result against its own case's limits."""
    ext, inj = annual(8.0, 2.0)
    write_load(tmp_path / "load.csv", ext, inj)
    case = write_case(tmp_path, years=1, n_x=2, n_y=2, extra='[sizing]\ncriterion = "outlet"\n'
                      'check = "step"\nT_fluid_min_C = 0.0\nT_fluid_max_C = 25.0\n')  # fmt: skip
    out = tmp_path / "out"
    assert main(["run", str(case), "-o", str(out), "-q"]) == 0
    nc = out / "field.nc"
    assert main(["report", str(nc), "-o", str(tmp_path / "r1")]) == 0
    md = (tmp_path / "r1" / "summary.md").read_text(encoding="utf-8")
    assert "Borefield outlet temperature (every time step)" in md
    assert "stays within 0.0 … 25.0 °C" in md
    assert "limits hold" in capsys.readouterr().out
    argv = ["report", str(nc), "-o", str(tmp_path / "r2"), "--criterion", "mean",
            "--check", "hourly", "--min-fluid-temp=-5"]  # fmt: skip
    assert main(argv) == 0
    md = (tmp_path / "r2" / "summary.md").read_text(encoding="utf-8")
    assert "Mean fluid temperature (hourly means) stays above −5.0 °C" in md
    # a comparison: each result against its own case's [sizing]
    other = tmp_path / "other"
    other.mkdir()
    write_load(other / "load.csv", ext, inj)
    case2 = write_case(other, years=1, n_x=2, n_y=2,
                       extra="[sizing]\nT_fluid_min_C = 0.0\n")  # fmt: skip
    case2.write_text(case2.read_text().replace('name = "field"', 'name = "field_mean"'))
    assert main(["run", str(case2), "-o", str(out), "-q"]) == 0
    assert main(["report", str(nc), str(out / "field_mean.nc"), "-o", str(tmp_path / "r3")]) == 0
    md = (tmp_path / "r3" / "summary.md").read_text(encoding="utf-8")
    assert "field: **Limits hold.** Borefield outlet temperature (every time step)" in md
    assert (
        "field_mean: **Limits hold.** Mean fluid temperature (hourly means) stays above "
        "0.0 °C" in md
    )
