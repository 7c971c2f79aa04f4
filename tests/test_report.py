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


def test_outlet_steps_keep_their_level_and_cop_has_its_own_panel(two_cases):
    ds = xr.concat([_sweep_like(two_cases)] * 2, dim="case")  # 4 cases, one colour each
    fig = report.fig_cop_borefield(ds)
    fig.canvas.draw()
    from matplotlib.patches import StepPatch

    lo = float(np.nanmin(ds.T_bhe_out_min.values))
    for ax in fig.axes:
        for p in ax.patches:
            if isinstance(p, StepPatch):  # no drop to a 0 °C baseline at the ends
                assert p.get_data().baseline is None
                assert p.get_path().vertices[:, 1].min() >= lo - 1e-9
    # issue 27: COP and temperature on separate panels, not twin axes with unrelated scales
    assert len(fig.axes) == 2
    cop, temp = fig.axes
    assert cop.get_ylabel().startswith("GSHP COP") and "°C" in temp.get_ylabel()
    assert len(cop.get_lines()) == 4 and not cop.patches  # the COP panel holds only COP
    assert all(isinstance(p, StepPatch) for p in temp.patches) and not temp.get_lines()
    a, b = cop.get_position(), temp.get_position()
    assert a.y0 >= b.y1  # stacked, not overlaid
    for ax in (cop, temp):
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


# ---------------------------------------------------------------------------- issue 27


def _with_monthly_extremes(ds, mean_min=None):
    """The result with the monthly fluid extremes ``T_<which>_<check>_<min|max>`` (what
    results of gshp run hold), here from its hourly time series; ``mean_min`` replaces
    the monthly minimum of the mean fluid (a known answer for the verdict)."""
    ds = ds.copy()
    t = ds["time"]
    yi = t.dt.year.values - t.dt.year.values[0]
    mi = t.dt.month.values - 1
    n = ds.sizes["year"]
    series = {
        "bhe_in": ds["T_bhe_in"].values,
        "bhe_out": ds["T_bhe_out"].values,
        "fluid_mean": 0.5 * (ds["T_bhe_in"].values + ds["T_bhe_out"].values),
    }
    for which, v in series.items():
        lo, hi = np.full((n, 12), np.inf), np.full((n, 12), -np.inf)
        np.minimum.at(lo, (yi, mi), v)
        np.maximum.at(hi, (yi, mi), v)
        if which == "fluid_mean" and mean_min is not None:
            lo = np.asarray(mean_min, dtype=float)
        for check in ("hourly", "step"):
            ds[f"T_{which}_{check}_min"] = (("year", "month"), lo)
            ds[f"T_{which}_{check}_max"] = (("year", "month"), hi)
    return ds


def _synthetic(n_years=3):
    y, m = np.arange(1, n_years + 1), np.arange(1, 13)
    lo = np.full((n_years, 12), 5.0)
    hi = np.full((n_years, 12), 15.0)
    lo[1, 1] = 1.3  # year 2, February
    hi[2, 7] = 20.0  # year 3, August
    lo[0, 6] = np.inf  # July of year 1: the pump never ran
    hi[0, 6] = -np.inf
    return xr.Dataset(
        {
            "T_fluid_mean_hourly_min": (("year", "month"), lo),
            "T_fluid_mean_hourly_max": (("year", "month"), hi),
            "T_bhe_in_step_min": (("year", "month"), lo - 2.0),
            "T_bhe_in_step_max": (("year", "month"), hi + 1.0),
            "T_bhe_out_min": ("year", [3.0, 2.0, 1.0]),
            "T_bhe_out_max": ("year", [14.0, 16.0, 22.0]),
        },
        coords={"year": y, "month": m},
    )


def test_limits_verdict_finds_the_binding_month():
    from gshp.io.verdict import limits_verdict

    ds = _synthetic()
    v = limits_verdict(ds, (0.0,) * 12, (25.0,) * 12)
    assert (v.holds, v.binding, v.year, v.month) == (True, "lower", 2, 2)
    assert v.margin_K == pytest.approx(1.3) and v.extreme_C == pytest.approx(1.3)
    assert v.upper.margin_K == pytest.approx(5.0) and (v.upper.year, v.upper.month) == (3, 8)
    assert (v.criterion, v.check, v.fallback) == ("mean", "hourly", False)
    assert v.sentence() == (
        "Mean fluid temperature (hourly means) stays within 0.0 … 25.0 °C: lowest 1.3 °C "
        "in year 2, February (margin 1.3 K)."
    )
    # violated: the upper limit binds by −1 K in August of year 3
    v = limits_verdict(ds, 0.0, 19.0)
    assert (v.holds, v.binding, v.year, v.month) == (False, "upper", 3, 8)
    assert v.margin_K == pytest.approx(-1.0)
    assert "rises above the upper limit (19.0 °C): highest 20.0 °C in year 3, August" in (
        v.sentence()
    )
    # monthly limits: February's own limit counts
    feb = [0.0] * 12
    feb[1] = 2.0
    v = limits_verdict(ds, feb, None)
    assert (v.holds, v.month, v.upper) == (False, 2, None)
    assert v.margin_K == pytest.approx(-0.7)
    # the criterion and check pick the variables: inlet, every step
    v = limits_verdict(ds, 0.0, 25.0, criterion="inlet", check="step")
    assert v.extreme_C == pytest.approx(-0.7) and not v.holds
    assert v.sentence().startswith("Borefield inlet temperature (every time step) falls below")
    # an older result (no monthly extremes for the outlet): yearly outlet extremes, said so
    v = limits_verdict(ds, feb, 25.0, criterion="outlet")
    assert v.fallback and (v.criterion, v.check, v.month, v.year) == ("outlet", "step", None, 3)
    assert v.lower.limit_C == 2.0 and v.margin_K == pytest.approx(-1.0)  # strictest month
    assert "no monthly fluid extremes" in v.sentence()
    assert limits_verdict(ds, None, None) is None
    with pytest.raises(InputError, match="criterion"):
        limits_verdict(ds, 0.0, 25.0, criterion="wall")


class _Html(__import__("html.parser").parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.refs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        for k in ("src", "href"):
            if k in a and tag != "img":
                self.refs.append((tag, a[k]))
        if tag == "link":
            self.refs.append((tag, a.get("href")))

    def handle_data(self, data):
        self.text.append(data)


def _parse_html(path):
    p = _Html()
    p.feed(path.read_text(encoding="utf-8"))
    p.text = " ".join(" ".join(p.text).split())
    return p


def test_html_report_is_self_contained_with_the_verdict(two_cases, tmp_path, capsys):
    from gshp.cli import main

    mean_min = np.full((2, 12), 6.0)
    mean_min[1, 1] = 1.3  # known answer: year 2, February
    ds = _with_monthly_extremes(two_cases[0], mean_min)
    path = write_netcdf(ds, tmp_path / "one.nc")
    out = tmp_path / "rep"
    argv = ["report", str(path), "-o", str(out), "--min-fluid-temp", "0",
            "--max-fluid-temp", "30"]  # fmt: skip
    assert main(argv) == 0
    html = _parse_html(out / "report.html")
    assert len(html.imgs) >= 6 and all(s.startswith("data:image/png;base64,") for s in html.imgs)
    assert html.refs == []  # no stylesheet, script, font or link to anything outside
    sentence = (
        "Mean fluid temperature (hourly means) stays within 0.0 … 30.0 °C: lowest 1.3 °C "
        "in year 2, February (margin 1.3 K)."
    )
    assert sentence in html.text and "Limits hold." in html.text
    assert sentence in (out / "summary.md").read_text(encoding="utf-8")
    from gshp.version import __version__

    assert f"gshp {__version__}" in html.text
    assert "T_undisturbed_C" in html.text and "borefield" in html.text  # the inputs
    assert "SCOP mean" in html.text  # the yearly summary
    css = (out / "report.html").read_text(encoding="utf-8")
    assert "@page" in css and "size: A4" in css and "break-before: page" in css
    df = pd.read_csv(out / "summary.csv")
    assert df["limit margin K"].iloc[0] == pytest.approx(1.3)
    # --check step and --criterion outlet are read; without limits: none given
    assert main(["report", str(path), "-o", str(tmp_path / "r2")]) == 0
    assert "No limits given" in _parse_html(tmp_path / "r2" / "report.html").text
    capsys.readouterr()


def test_fluid_envelope_shows_inlet_mean_and_outlet(two_cases):
    ds = _with_monthly_extremes(two_cases[0])
    fig = report.fig_fluid_envelope(ds, t_min_C=0.0, t_max_C=25.0)
    ax = fig.axes[0]
    labels = [h.get_label() for h in ax.get_legend_handles_labels()[0]]
    assert "inlet, monthly min and max" in labels
    assert "outlet, monthly min and max" in labels
    assert "mean fluid, monthly min–max" in labels
    inlet = [ln for ln in ax.get_lines() if ln.get_color() == "tab:blue"]
    lows = np.nanmin([ln.get_ydata() for ln in inlet], axis=0)
    np.testing.assert_allclose(lows, ds["T_bhe_in_hourly_min"].values.ravel())


def test_figure_fixes_title_inside_and_one_wall_curve(two_cases):
    ds = two_cases[0]
    fig = report.fig_supply_setpoint(ds)
    fig.canvas.draw()
    box = fig._suptitle.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width  # not cut at either edge
    fig = report.fig_borehole_wall(ds)
    assert len(fig.axes) == 1  # the drift is not a second copy of the curve
    (yearly,) = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "o"]
    np.testing.assert_allclose(yearly.get_ydata(), ds["T_borehole_wall_mean"].values)
    assert "drift year 1 → 2" in yearly.get_label()


def _borefield_only(ds):
    keep = ["T_bhe_in", "T_bhe_out", "T_borehole_wall", "Q_ground", "P_pump_borefield",
            "Q_ground_extracted", "Q_ground_injected", "E_pump_borefield", "T_bhe_out_min",
            "T_bhe_out_max", "T_bhe_in_min", "T_borehole_wall_mean", "freezing_steps"]  # fmt: skip
    keep += [v for v in ds.data_vars if "month" in ds[v].dims and v.startswith("T_")]
    out = ds[keep]
    out.attrs = {"title": "gshp result: ground", "case_name": "ground", "case_kind": "borefield",
                 "output_resolution": "hourly", "case": ds.attrs["case"]}  # fmt: skip
    return out


def test_borefield_only_result_reports(two_cases, tmp_path):
    ds = _borefield_only(_with_monthly_extremes(two_cases[0]))
    path = write_netcdf(ds, tmp_path / "ground.nc")
    written = report.write_report(path, tmp_path / "rep", t_min_C=-5.0, t_max_C=30.0)
    names = [p.name for p in written]
    assert [n for n in names if n.endswith(".png")] == [
        "borehole_wall.png", "fluid_envelope.png", "load_duration.png"]  # fmt: skip
    df = pd.read_csv(tmp_path / "rep" / "summary.csv")
    assert "SCOP mean" not in df and "E_gshp MWh/a" not in df
    assert df["Q_ground extracted MWh/a"].iloc[0] == pytest.approx(
        float(ds["Q_ground_extracted"].mean()) / 1e3
    )
    assert "Limits hold." in _parse_html(tmp_path / "rep" / "report.html").text


def test_compare_two_results_cli(two_cases, tmp_path, capsys):
    from gshp.cli import main
    from gshp.io import compare

    a = write_netcdf(_with_monthly_extremes(two_cases[0]), tmp_path / "a.nc")
    one_year = two_cases[1].isel(year=[0], time=slice(0, 8760))  # shorter, older (no monthly)
    b = write_netcdf(one_year, tmp_path / "b.nc")
    out = tmp_path / "cmp"
    argv = ["report", str(a), str(b), "-o", str(out), "--min-fluid-temp", "0"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "n_x=5" in printed and "n_x=7" in printed
    html = _parse_html(out / "report.html")
    assert all(s.startswith("data:image/png;base64,") for s in html.imgs) and html.refs == []
    assert "n_x=5" in html.text and "n_x=7" in html.text
    assert "years 2–2 (the results share 1 year)" in html.text  # what was left out
    assert "borefield.n_x" in html.text  # the inputs that differ
    side = pd.read_csv(out / "summary.csv", index_col=0)
    assert list(side.columns) == ["n_x=5", "n_x=7"]
    assert float(side.loc["years", "n_x=5"]) == 1  # compared over the shared year
    assert (out / "compare_fluid_envelope.png").read_bytes()[:8] == PNG
    # the overlaid figure: each panel has both results' lines
    res = compare.open_results([a, b])
    res = [compare._shared_years(d, 1) for d in res]
    fig = compare.fig_compare_fluid_envelope(res, ["n_x=5", "n_x=7"], t_min_C=0.0)
    for ax in fig.axes:
        assert {"n_x=5", "n_x=7"} <= {ln.get_label() for ln in ax.get_lines()}
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert "| indicator | n_x=5 | n_x=7 |" in md and "![compare_yearly]" in md
    # equal case names are told apart; more than 6 results or a sweep are refused
    assert compare.unique_labels(["x", "x", "y"], ["r1.nc", "r2.nc", "r3.nc"]) == [
        "x (r1)", "x (r2)", "y"]  # fmt: skip
    assert main(["report", *[str(a)] * 7, "-o", str(tmp_path / "x")]) == 2
    sweep = write_netcdf(_sweep_like(two_cases), tmp_path / "s.nc")
    assert main(["report", str(a), str(sweep), "-o", str(tmp_path / "y")]) == 2
    assert "single-case result" in capsys.readouterr().err
