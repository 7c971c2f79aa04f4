"""Reports: figures are valid PNGs, the summary table agrees with the result, single-case
and sweep results both work, bad files are InputErrors."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from gshp.cli import report as report_cli
from gshp.config import load_case
from gshp.errors import InputError
from gshp.io import report
from gshp.io.results import write_netcdf

ROOT = Path(__file__).resolve().parents[1]
FAST = {
    "simulation.years": 2,
    "simulation.output_resolution": "hourly",
    "simulation.time_step_s": 900,
}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def two_cases():
    from gshp.studies.simulate import simulate

    base = load_case(ROOT / "cases" / "berlin.toml", FAST)
    out = []
    for n_x in (5, 7):
        out.append(simulate(base.replace(**{"borefield.n_x": n_x, "name": f"n_x={n_x}"})))
    return out


def _sweep_like(datasets):
    ds = xr.concat(
        [d.drop_attrs(deep=False) for d in datasets],
        dim="case",
        data_vars="all",
        coords="different",
        compat="equals",
        join="outer",
    )
    ds = ds.assign_coords(
        case=("case", np.array([d.attrs["case_name"] for d in datasets], dtype=object)),
        **{"borefield.n_x": ("case", np.array([5, 7]))},
    )
    ds.attrs = dict(title="gshp sweep: t", sweep_name="t", sweep_mode="cross")
    return ds


def _check_pngs(paths, extra=()):
    pngs = [p for p in paths if p.suffix == ".png"]
    # results with buried pipes (the default) also get the monthly pipe exchange figure
    assert [p.name for p in pngs] == list(report.FIGURES) + list(extra) + ["network_pipes.png"]
    for p in pngs:
        data = p.read_bytes()
        assert data[:8] == PNG and len(data) > 20_000  # a real drawing, not a blank canvas


def test_single_case_report(two_cases, tmp_path):
    ds = two_cases[0]
    path = write_netcdf(ds, tmp_path / "one.nc")
    written = report.write_report(path, tmp_path / "rep")
    _check_pngs(written)
    df = pd.read_csv(tmp_path / "rep" / "summary.csv")
    assert list(df["case"]) == ["n_x=5"]
    assert df["years"].iloc[0] == 2
    np.testing.assert_allclose(df["SCOP mean"].iloc[0], ds["scop_gshp"].mean(), rtol=1e-5)
    e_total = (ds["E_gshp"] + ds["E_boosters"] + ds["E_pumps"]).mean() / 1e3
    np.testing.assert_allclose(df["E_total MWh/a"].iloc[0], e_total, rtol=1e-5)
    np.testing.assert_allclose(df["T_bhe_out min °C"].iloc[0], ds["T_bhe_out_min"].min(), 1e-5)
    wall = ds["T_borehole_wall_mean"].values
    np.testing.assert_allclose(df["wall drift K"].iloc[0], wall[-1] - wall[0], atol=1e-5)
    md = (tmp_path / "rep" / "summary.md").read_text(encoding="utf-8")
    assert md.count("\n| n_x=5 |") == 1 and "![cop_borefield](cop_borefield.png)" in md
    # the pipes' exchange by month beside the network load; their sum is the yearly one
    monthly = report.monthly_network(ds)
    assert len(monthly) == 12 and "## Network load and pipe exchange by month" in md
    yearly = float((ds["Q_pipes_heating_season"] + ds["Q_pipes_cooling_season"]).mean()) / 1e3
    assert monthly["pipes MWh"].sum() == pytest.approx(yearly, rel=1e-3)
    assert (monthly["pipes MWh"] < 0).all()  # uninsulated pipes lose heat all year


def test_sweep_report_and_trends(two_cases, tmp_path):
    ds = _sweep_like(two_cases)
    written = report.write_report(ds, tmp_path)
    _check_pngs(written, extra=["sweep_borefield_n_x.png"])
    df = report.summary_table(ds)
    assert list(df["case"]) == ["n_x=5", "n_x=7"]
    assert list(df["borefield.n_x"]) == [5, 7]  # swept coordinates become columns
    # a larger borefield keeps its outlet warmer and drifts less
    assert df["T_bhe_out min °C"].iloc[1] > df["T_bhe_out min °C"].iloc[0]
    assert abs(df["wall drift K"].iloc[1]) < abs(df["wall drift K"].iloc[0])
    md = report.markdown_table(df)
    lines = md.splitlines()
    assert len(lines) == 2 + 2 and all(line.count("|") == lines[0].count("|") for line in lines)


def test_cli_report_and_bad_inputs(two_cases, tmp_path, capsys):
    parser = argparse.ArgumentParser()
    report_cli.add_parser(parser.add_subparsers(dest="command"))
    path = write_netcdf(two_cases[1], tmp_path / "r.nc")
    args = parser.parse_args(["report", str(path)])
    assert args.func(args) == 0
    assert (tmp_path / "r_report" / "summary.csv").is_file()
    assert "n_x=7" in capsys.readouterr().out
    with pytest.raises(InputError, match="missing"):
        report.open_for_report(tmp_path / "nope.nc")
    other = write_netcdf(xr.Dataset({"x": ("t", np.arange(3.0))}), tmp_path / "x.nc")
    with pytest.raises(InputError, match="scop_gshp"):
        report.open_for_report(other)
    (tmp_path / "junk.nc").write_text("not netcdf")
    with pytest.raises(InputError, match="junk.nc"):
        report.open_for_report(tmp_path / "junk.nc")


# ---------------------------------------------------------------------------- figures


def test_figures_are_returned_and_leave_the_backend_alone(two_cases, tmp_path):
    import matplotlib
    from matplotlib.figure import Figure

    before = matplotlib.get_backend()
    ds = _sweep_like(two_cases)
    figs = [
        report.fig_cop_borefield(ds),
        report.fig_fluid_envelope(ds),
        report.fig_load_duration(ds),
        report.fig_sweep_parameter(ds, "borefield.n_x"),
    ]
    assert all(isinstance(f, Figure) for f in figs)
    assert matplotlib.get_backend() == before
    report.fig_electricity(ds, tmp_path / "e.png")
    assert (tmp_path / "e.png").read_bytes()[:8] == PNG
    import inspect

    assert "matplotlib.use" not in inspect.getsource(report)


def test_outlet_steps_keep_their_level_and_every_panel_its_numbers(two_cases):
    ds = xr.concat([_sweep_like(two_cases)] * 2, dim="case")  # 4 panels: a middle one
    fig = report.fig_cop_borefield(ds)
    fig.canvas.draw()
    from matplotlib.patches import StepPatch

    lo = float(np.nanmin(ds.T_bhe_out_min.values))
    for ax in fig.axes:
        for p in ax.patches:
            if isinstance(p, StepPatch):  # no drop to a 0 °C baseline at the ends
                assert p.get_data().baseline is None
                assert p.get_path().vertices[:, 1].min() >= lo - 1e-9
    left = [ax for ax in fig.axes if ax.get_ylabel().startswith("GSHP COP")]
    assert len(left) == 4
    for ax in left:
        assert [t.get_text() for t in ax.get_yticklabels() if t.get_visible() and t.get_text()]


def test_supply_figure_shades_the_calendar_cooling_season(two_cases):
    ds = two_cases[0]
    fig = report.fig_supply_setpoint(ds)
    ax = fig.axes[0]
    spans = list(ax.patches)  # axvspan rectangles (the supply band is a collection)
    starts = np.concatenate([[0], np.cumsum(report.MONTH_DAYS)])
    months = report.cooling_months(ds)
    assert months == (6, 7, 8, 9)
    xs = sorted((p.get_x(), p.get_x() + p.get_width()) for p in spans if hasattr(p, "get_width"))
    assert xs == [(starts[m - 1], starts[m]) for m in months]


def test_supply_figure_draws_the_substations_band(two_cases):
    # issue 26: the band of the substations' supply temperatures beside the setpoint
    ds = two_cases[0]
    assert ds["T_supply_substation"].dims == ("substation", "time")
    fig = report.fig_supply_setpoint(ds)
    labels = [c.get_label() for c in fig.axes[0].collections]
    assert "substations' supply, coldest–warmest" in labels
    row = report.summary_table(ds).iloc[0]
    assert row["supply deficit kWh/a"] == pytest.approx(
        float(ds["supply_deficit_heat_year"].mean())
    )
    assert row["unmet heat kWh/a"] == pytest.approx(float(ds["unmet_heat_year"].mean()))


def test_fluid_envelope_bounds_and_limits(two_cases):
    ds = two_cases[0]
    m = report.monthly_fluid_extremes(ds)
    assert len(m) == 12 * ds.sizes["year"]
    assert np.all(m["min"] <= m["mean"]) and np.all(m["mean"] <= m["max"])
    for y in range(ds.sizes["year"]):  # hourly means lie within each year's step extremes
        yr = m.iloc[12 * y : 12 * y + 12]
        assert yr["min"].min() >= float(ds.T_bhe_out_min[y]) - 1e-9
        assert yr["max"].max() <= float(ds.T_bhe_out_max[y]) + 1e-9
    monthly = [-2.0] * 3 + [0.0] * 6 + [-1.0] * 3
    fig = report.fig_fluid_envelope(ds, t_min_C=monthly, t_max_C=17.0)
    from matplotlib.patches import StepPatch

    steps = [p for p in fig.axes[0].patches if isinstance(p, StepPatch)]
    limit_values = [tuple(p.get_data().values) for p in steps if p.get_linestyle() == "--"]
    assert tuple(np.tile(monthly, ds.sizes["year"])) in limit_values
    assert tuple([17.0] * 12 * ds.sizes["year"]) in limit_values
    with pytest.raises(InputError, match="12 monthly"):
        report.fig_fluid_envelope(ds, t_min_C=[1.0, 2.0])


def test_load_duration_curve_holds_the_energy(two_cases):
    ds = two_cases[0]
    fig = report.fig_load_duration(ds)
    (line,) = fig.axes[0].get_lines()[:1]
    hours, kw = line.get_xdata(), line.get_ydata()
    assert np.all(np.diff(kw) <= 0)  # sorted from the highest load
    # the area under the curve is the mean yearly net energy (kWh/a)
    area = float(np.sum(kw) * (hours[1] - hours[0]))
    energy = float(ds.Q_network.sum()) * 1.0 / 1e3 / ds.sizes["year"]  # hourly means
    assert area == pytest.approx(energy, rel=1e-9)
