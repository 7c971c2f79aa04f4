"""Reports of result files: PNG figures and a Markdown/CSV summary table.

Works for a single-case result (no ``case`` dimension) and for a sweep result (``case``
dimension, swept parameters as coordinates on ``case``). Every ``fig_*`` function
returns a :class:`matplotlib.figure.Figure` (saved when given a path) built without
pyplot, so the Matplotlib backend is never changed (notebooks show them inline):

- ``cop_borefield.png``: monthly GSHP COP over all years with the yearly minimum and
  maximum borefield outlet temperature, one panel per case;
- ``borehole_wall.png``: yearly mean borehole wall temperature and its drift from year 1;
- ``electricity.png``: yearly electricity by consumer (GSHP, boosters, pumps), stacked;
- ``supply_setpoint.png``: network supply temperature against its setpoint over the last
  simulated year, the calendar cooling season shaded, one panel per case;
- ``fluid_envelope.png``: monthly min/mean/max borefield outlet temperature over the
  lifetime with the design limits (GHEtool's main chart);
- ``load_duration.png``: load-duration curves of the network and of the ground;
- ``sweep_<path>.png`` (sweeps): indicators against each swept parameter;
- ``network_pipes.png`` (results with buried pipes): by month, the substations' net draw
  from the network beside the heat the pipes exchange with the soil (mean over the
  years), one panel per case; the same numbers as a table in ``summary.md``;
- ``summary.md`` and ``summary.csv``: one row per case.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from gshp.errors import InputError

MAX_PANELS = 24
"""Largest number of per-case panels in one figure (the first cases are shown)."""
FIGURES = (
    "cop_borefield.png",
    "borehole_wall.png",
    "electricity.png",
    "supply_setpoint.png",
    "fluid_envelope.png",
    "load_duration.png",
)
"""Figures of every report; a sweep adds ``sweep_<path>.png`` per swept parameter."""
MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def as_cases(ds: xr.Dataset) -> xr.Dataset:
    """The result with a ``case`` dimension (a single-case result gets one case)."""
    if "case" in ds.dims:
        return ds
    name = str(ds.attrs.get("case_name", "case"))
    return ds.expand_dims(case=np.array([name], dtype=object))


def open_for_report(path) -> xr.Dataset:
    """Open a result file for reporting (InputError if it is not a gshp result)."""
    from gshp.io.results import open_result

    path = Path(path)
    if not path.is_file():
        raise InputError.single(str(path), "missing", "an existing result file (.nc)")
    try:
        ds = open_result(path)
    except (OSError, ValueError) as exc:
        raise InputError.single(str(path), str(exc)[:80], "a NetCDF result of gshp") from None
    if "sample" in ds.dims and "T_fluid_min_quantile" in ds:  # gshp uncertainty's result
        return ds
    needed = ("T_bhe_out_min", "T_borehole_wall_mean")
    if not is_borefield_only(ds):
        needed = ("scop_gshp", "E_gshp", *needed, "T_supply")
    missing = [v for v in needed if v not in ds]
    if missing:
        raise InputError.single(
            str(path), f"no variables {', '.join(missing)}", "a result written by gshp run/sweep"
        )
    return ds


def is_borefield_only(ds: xr.Dataset) -> bool:
    """A result of a borefield-only case (``case_kind = "borefield"``: no station)."""
    return str(ds.attrs.get("case_kind", "station")) == "borefield"


def swept_coords(ds: xr.Dataset) -> list[str]:
    """Names of the coordinates along ``case`` that describe the grid (not the hash)."""
    return [
        str(k)
        for k, v in ds.coords.items()
        if v.dims == ("case",) and k not in ("case", "case_hash") and not v.attrs.get("sweep_group")
    ]


# ---------------------------------------------------------------------------- table


def summary_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per case: swept parameters and the key indicators over all years.

    Energies are yearly means in MWh/a; temperatures in °C; drift in K (last year's mean
    borehole wall temperature minus the first year's).
    """
    ds = as_cases(ds)
    rows = []
    for i, name in enumerate(ds["case"].values):
        c = ds.isel(case=i)
        done = c["scop_gshp"] if "scop_gshp" in c else c["T_borehole_wall_mean"]
        years = c["year"].values[np.isfinite(done.values)]  # a failed sweep case: none
        n_years = int(len(years)) if len(years) else int(c.sizes["year"])
        c = c.sel(year=years) if len(years) else c
        row = {"case": str(name)}
        for k in swept_coords(ds):
            v = c[k].values.item() if c[k].ndim == 0 else c[k].values
            row[k] = v
        wall = c["T_borehole_wall_mean"].values
        row["years"] = n_years
        if "scop_gshp" in c:  # a station (not a borefield-only result)
            row["SCOP mean"] = _mean(c["scop_gshp"])
            row["SCOP last year"] = float(c["scop_gshp"].values[-1])
        for var in ("E_gshp", "E_boosters", "E_pumps"):
            if var in c:
                row[f"{var} MWh/a"] = _mean(c[var]) / 1e3
        if "E_total" in c:
            row["E_total MWh/a"] = _mean(c["E_total"]) / 1e3
        elif all(v in c for v in ("E_gshp", "E_boosters", "E_pumps")):
            row["E_total MWh/a"] = (
                _mean(c["E_gshp"]) + _mean(c["E_boosters"]) + _mean(c["E_pumps"])
            ) / 1e3
        if "scop_gshp" not in c:  # borefield only: the ground's yearly balance
            for var, label in (("Q_ground_extracted", "Q_ground extracted MWh/a"),
                               ("Q_ground_injected", "Q_ground injected MWh/a"),
                               ("E_pump_borefield", "E_pump_borefield MWh/a")):  # fmt: skip
                if var in c:
                    row[label] = _mean(c[var]) / 1e3
        row["T_bhe_out min °C"] = float(np.nanmin(c["T_bhe_out_min"].values))
        if "T_bhe_out_max" in c:
            row["T_bhe_out max °C"] = float(np.nanmax(c["T_bhe_out_max"].values))
        row.update(
            {
                "T_wall year 1 °C": float(wall[0]),
                "T_wall last year °C": float(wall[-1]),
                "wall drift K": float(wall[-1] - wall[0]),
            }
        )
        if "unmet_heat_year" in c:
            row["unmet heat kWh/a"] = _mean(c["unmet_heat_year"])
        if "supply_deficit_heat_year" in c:  # not unmet: the heat to lift the nodes' water
            row["supply deficit kWh/a"] = _mean(c["supply_deficit_heat_year"])
        if "freezing_steps" in c:
            row["freezing steps"] = int(np.nansum(c["freezing_steps"].values))
        if "energy_balance_closure" in c:
            row["balance closure"] = float(c["energy_balance_closure"].values)
        rows.append(row)
    return pd.DataFrame(rows)


def _mean(da) -> float:
    v = np.asarray(da.values, dtype=float)
    return float(np.nanmean(v)) if np.isfinite(v).any() else float("nan")


def markdown_table(df: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of ``df`` (numbers to sensible precision)."""
    cols = list(df.columns)
    lines = [
        "| " + " | ".join(cols) + " |",
        "|" + "|".join("---" if c == "case" else "---:" for c in cols) + "|",
    ]
    for _, row in df.iterrows():
        lines.append("| " + " | ".join(_fmt(row[c], c) for c in cols) + " |")
    return "\n".join(lines)


def _fmt(v, col) -> str:
    if isinstance(v, float | np.floating):
        if not math.isfinite(v):
            return "–"
        if col == "balance closure":
            return f"{v:.1e}"
        if abs(v) >= 100:
            return f"{v:.0f}"
        return f"{v:.2f}"
    return str(v)


# ---------------------------------------------------------------------------- figures


def _figure(**kw):
    """A Matplotlib Figure not attached to pyplot: the backend is left alone (scripts,
    notebooks and the command line all work), and nothing stays open after saving."""
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kw)


def _grid(n, width=5.2, height=3.4, sharey=True):
    n_show = min(n, MAX_PANELS)
    ncols = min(n_show, 3)
    if n_show == 1:
        width *= 1.5
    nrows = math.ceil(n_show / ncols)
    fig = _figure(figsize=(width * ncols, height * nrows + 0.8))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=sharey)
    flat = axes.ravel()
    for ax in flat[n_show:]:
        ax.set_visible(False)
    for ax in flat[:n_show]:  # every panel keeps its numbers, shared scale or not
        ax.tick_params(axis="y", labelleft=True)
    return fig, flat[:n_show]


def _title(ds, i) -> str:
    return str(ds["case"].values[i])


def case_colors(n):
    """One colour per case (tab10 up to 10 cases, else viridis)."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "viridis"]
    return [cmap(i % 10) if n <= 10 else cmap(i / max(n - 1, 1)) for i in range(n)]


def fig_cop_borefield(ds: xr.Dataset, path=None):
    """Monthly GSHP COP (upper panel) and the yearly lowest and highest borefield outlet
    temperature at every step (lower panel), one colour per case: two panels with their
    own scales (not twin axes), the same years on both. Returns the Figure (saved to
    ``path`` when given)."""
    ds = as_cases(ds)
    n = min(ds.sizes["case"], MAX_PANELS)
    fig = _figure(figsize=(10, 6.4))
    ax_cop, ax_t = fig.subplots(2, 1, sharex=True)
    years = ds["year"].values
    mid = np.cumsum(MONTH_DAYS) - MONTH_DAYS / 2
    x_month = (years[:, None] - 1 + mid[None, :] / 365.0).ravel()
    edges = np.concatenate([[years[0] - 1], years]).astype(float)
    for i, color in enumerate(case_colors(n)):
        c = ds.isel(case=i)
        label = _title(ds, i) if n > 1 else None
        ax_cop.plot(x_month, c["cop_gshp_monthly"].values.ravel(), "-", color=color, lw=1.2,
                    label=label)  # fmt: skip
        # baseline=None: the steps alone, no drop to 0 °C at the first and last year
        ax_t.stairs(c["T_bhe_out_min"].values, edges, baseline=None, color=color, lw=1.6,
                    label="yearly minimum" if i == 0 else None)  # fmt: skip
        ax_t.stairs(c["T_bhe_out_max"].values, edges, baseline=None, color=color, lw=1.6,
                    ls="--", label="yearly maximum" if i == 0 else None)  # fmt: skip
    ax_cop.set_ylabel("GSHP COP, monthly (–)")
    ax_t.set_ylabel("borefield outlet (°C)")
    ax_t.set_xlabel("simulation year")
    ax_t.set_xlim(0, len(years))
    _integer_years(ax_t, len(years))
    for ax in (ax_cop, ax_t):
        ax.grid(alpha=0.3)
        ax.tick_params(axis="y", labelleft=True)
    ax_cop.set_title("GSHP monthly COP", fontsize=10)
    ax_t.set_title("Borefield outlet temperature, yearly extremes (every step)", fontsize=10)
    if n > 1:
        ax_cop.legend(fontsize=8 if n <= 12 else 6, ncol=1 if n <= 12 else 2, loc="best")
    ax_t.legend(fontsize=8, loc="best")
    fig.suptitle("GSHP COP and borefield outlet temperature")
    return _save(fig, path)


def _integer_years(ax, n_years):
    step = max(1, int(math.ceil(n_years / 10)))
    ax.set_xticks(np.arange(0, n_years + 1, step))


def fig_borehole_wall(ds: xr.Dataset, path=None):
    """Borehole wall temperature over the lifetime, one colour per case: the monthly
    mean (thin line, from the time series ``T_borehole_wall`` when the result has it)
    and the yearly mean (markers); each case's drift from year 1 to the last year is in
    its legend entry, the undisturbed ground temperature a grey line. One panel: the
    drift is the distance to year 1, not a second copy of the curve."""
    ds = as_cases(ds)
    n = min(ds.sizes["case"], MAX_PANELS)
    fig = _figure(figsize=(10, 4.2))
    ax = fig.subplots(1, 1)
    years = ds["year"].values
    for i, color in enumerate(case_colors(n)):
        c = ds.isel(case=i)
        w = c["T_borehole_wall_mean"].values
        drift = w[-1] - w[0]
        name = _title(ds, i) + ": " if n > 1 else ""
        label = f"{name}yearly mean (drift year 1 → {int(years[-1])}: {drift:+.2f} K)"
        if "T_borehole_wall" in c and "time" in c["T_borehole_wall"].dims:
            t = c["time"]
            key = (t.dt.year.values - t.dt.year.values[0]) * 12 + t.dt.month.values - 1
            m = pd.Series(c["T_borehole_wall"].values).groupby(key).mean()
            ax.plot((m.index.values + 0.5) / 12.0, m.values, "-", color=color, lw=0.8,
                    alpha=0.6, label="monthly mean" if i == 0 else None)  # fmt: skip
        ax.plot(years - 0.5, w, "o-", ms=4, color=color, lw=1.6, label=label)
    t_ground = _undisturbed(ds)
    if t_ground is not None:
        ax.axhline(t_ground, color="0.5", lw=1.0, ls=":", label="undisturbed ground")
    ax.set_ylabel("borehole wall temperature (°C)")
    ax.set_xlabel("simulation year")
    ax.grid(alpha=0.3)
    _integer_years(ax, len(years))
    ax.set_xlim(0, len(years))
    ax.legend(fontsize=8 if n <= 12 else 6, ncol=1 if n <= 6 else 2, loc="best")
    fig.suptitle("Borehole wall temperature")
    return _save(fig, path)


def _undisturbed(ds) -> float | None:
    import json

    try:
        cfg = json.loads(ds.attrs["case"]) if isinstance(ds.attrs.get("case"), str) else {}
        return float(cfg["borefield"]["ground"]["T_undisturbed_C"])
    except (ValueError, KeyError, TypeError):
        return None


ELECTRICITY_LABELS = {"E_gshp": "GSHP", "E_boosters": "boosters", "E_pumps": "pumps"}


def electricity_parts(ds: xr.Dataset) -> list[str]:
    """The yearly electricity variables that make up ``E_total`` (its ``gshp_sum_of``
    attribute, written by the station: every component's electricity is one), else the
    GSHP, the boosters and the pumps (results of earlier versions)."""
    names = ds["E_total"].attrs.get("gshp_sum_of", "") if "E_total" in ds else ""
    parts = [n for n in str(names).split() if n in ds]
    return parts or [n for n in ELECTRICITY_LABELS if n in ds]


def fig_electricity(ds: xr.Dataset, path=None):
    """Yearly electricity by consumer (stacked: the parts of ``E_total``: GSHP, boosters,
    pumps and any other unit of the station), one panel per case."""
    ds = as_cases(ds)
    n = ds.sizes["case"]
    fig, axes = _grid(n, sharey=True)
    years = ds["year"].values
    colors = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")
    parts = [
        (v, ELECTRICITY_LABELS.get(v, ds[v].attrs.get("long_name", v)), colors[j % len(colors)])
        for j, v in enumerate(electricity_parts(ds))
    ]
    for i, ax in enumerate(axes):
        c = ds.isel(case=i)
        bottom = np.zeros(len(years))
        for var, label, color in parts:
            v = np.nan_to_num(c[var].values / 1e3)
            ax.bar(years, v, bottom=bottom, color=color, label=label, width=0.8)
            bottom += v
        ax.set_title(_title(ds, i), fontsize=10)
        ax.set_xlabel("simulation year")
        ax.set_ylabel("electricity (MWh/a)")
        ax.grid(alpha=0.3, axis="y")
        _integer_years(ax, len(years))
        ax.set_xlim(0.4, len(years) + 0.6)
        if i == 0:
            ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    fig.suptitle("Yearly electricity by consumer")
    return _save(fig, path)


def cooling_months(ds: xr.Dataset) -> tuple:
    """The calendar cooling months of a result (its case's ``controls.cooling_months``)."""
    import json

    try:
        cfg = json.loads(ds.attrs["case"]) if isinstance(ds.attrs.get("case"), str) else {}
    except ValueError:
        cfg = {}
    return tuple(cfg.get("controls", {}).get("cooling_months", (6, 7, 8, 9)))


SUPPLY_NOTE = (
    "Grey: the calendar cooling season. In it the net load changes sign during the day: "
    "while heat is rejected the supply leaves the tank's cold bottom at the setpoint; "
    "while the substations draw heat (DHW at night) it leaves the warm top, and the valve "
    "can only blend it with a return that is itself above the setpoint (there is no "
    "chiller), so the daily mean floats 1–2 K above it."
)


def fig_supply_setpoint(ds: xr.Dataset, path=None):
    """Network supply temperature against its setpoint over the last simulated year, and
    (model 'pipes') the band of the substations' supply temperatures at their nodes.

    At sub-daily resolution the supply is shown as daily mean with its daily range. The
    grey band is the calendar cooling season of the case (``controls.cooling_months``),
    not the mode after the station's protective override. See :data:`SUPPLY_NOTE` for why
    the supply stands above the cooling setpoint.
    """
    ds = as_cases(ds)
    n = ds.sizes["case"]
    fig, axes = _grid(n, width=6.0, sharey=True)
    handles = []
    starts = np.concatenate([[0], np.cumsum(MONTH_DAYS)])
    for i, ax in enumerate(axes):
        c = ds.isel(case=i)
        ok = np.isfinite(c["T_supply"].values)
        if not ok.any():
            ax.set_title(_title(ds, i) + " (no data)", fontsize=10)
            continue
        cyear = c["time"].dt.year.values
        last = cyear[ok].max()
        sel = c.isel(time=np.nonzero((cyear == last) & ok)[0])
        doy = sel["time"].dt.dayofyear.values
        frac = sel["time"].dt.hour.values / 24.0
        x = doy - 1 + frac
        sup = sel["T_supply"].values
        setp = sel["T_setpoint"].values
        nodes = None  # the substations' supply: coldest and warmest of each interval
        if "T_supply_substation" in sel and sel["T_supply_substation"].size:
            tn = sel["T_supply_substation"].transpose("time", ...).values
            nodes = (np.nanmin(tn, axis=1), np.nanmax(tn, axis=1))
        for m in cooling_months(c):
            ax.axvspan(
                starts[m - 1],
                starts[m],
                color="0.88",
                lw=0,
                zorder=0,
                label="cooling season (calendar)" if m == cooling_months(c)[0] else None,
            )
        if len(x) > 400:  # sub-daily: daily mean and range
            days = doy - 1
            idx = np.unique(days)
            s = pd.Series(sup).groupby(days)
            lo, hi, mean = s.min().values, s.max().values, s.mean().values
            sp = pd.Series(setp).groupby(days).mean().values
            ax.fill_between(
                idx + 0.5, lo, hi, color="tab:blue", alpha=0.25, lw=0, label="supply, daily range"
            )
            ax.plot(idx + 0.5, mean, color="tab:blue", lw=1.0, label="supply, daily mean")
            ax.plot(idx + 0.5, sp, color="k", lw=1.2, ls="--", label="setpoint")
            if nodes is not None:
                n_lo = pd.Series(nodes[0]).groupby(days).mean().values
                n_hi = pd.Series(nodes[1]).groupby(days).mean().values
                ax.fill_between(idx + 0.5, n_lo, n_hi, color="tab:orange", alpha=0.35, lw=0,
                                label="substations' supply, coldest–warmest")  # fmt: skip
        else:
            ax.plot(x, sup, color="tab:blue", lw=1.0, label="supply")
            ax.plot(x, setp, color="k", lw=1.2, ls="--", label="setpoint")
            if nodes is not None:
                ax.fill_between(x, nodes[0], nodes[1], color="tab:orange", alpha=0.35, lw=0,
                                label="substations' supply, coldest–warmest")  # fmt: skip
        ax.set_xlim(0, 365)
        ax.set_xticks(starts[:-1])
        ax.set_xticklabels(list("JFMAMJJASOND"))
        ax.set_xlabel(f"month of simulation year {int(last) - 2000}")
        ax.set_ylabel("temperature (°C)")
        ax.grid(alpha=0.3)
        ax.set_title(_title(ds, i), fontsize=10)
        if i == 0:
            handles = ax.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=9)
    # short enough for one panel (a long title was cut at both edges): the cooling
    # season is in the legend, the explanation in the report's note
    fig.suptitle("Network supply temperature and setpoint, last simulated year")
    return _save(fig, path)


def monthly_network(ds: xr.Dataset) -> pd.DataFrame:
    """Monthly network load and pipe exchange (MWh, mean over the simulated years), one
    row per case and month: ``Q_network`` (+ drawn by the substations) and ``Q_pipes``
    (+ gained from the soil) integrated over each month."""
    ds = as_cases(ds)
    rows = []
    for i, name in enumerate(ds["case"].values):
        c = ds.isel(case=i)
        if "Q_pipes" not in c:
            continue
        month = c["time"].dt.month.values
        n_years = max(int(c.sizes.get("year", 1)), 1)
        dt_h = _interval_hours(c)
        for m in range(1, 13):
            sel = month == m
            load = np.nansum(c["Q_network"].values[sel] * dt_h[sel]) / 1e6 / n_years
            pipes = np.nansum(c["Q_pipes"].values[sel] * dt_h[sel]) / 1e6 / n_years
            rows.append({"case": str(name), "month": m, "network load MWh": load,
                         "pipes MWh": pipes})  # fmt: skip
    return pd.DataFrame(rows)


def _interval_hours(c) -> np.ndarray:
    """Length (h) of each output interval of a result's time axis."""
    t = c["time"].values
    n = len(t)
    res = c.attrs.get("output_resolution", "hourly")
    if res == "monthly":
        return np.resize(MONTH_DAYS * 24.0, n)
    step_h = {"15min": 0.25, "hourly": 1.0, "daily": 24.0}.get(res)
    if step_h is None:
        step_h = float(c.attrs.get("time_step_s", 3600)) / 3600.0
    return np.full(n, step_h)


def fig_network_pipes(ds: xr.Dataset, path) -> Path:
    """Monthly network load beside the pipes' exchange with the soil, per case."""
    ds = as_cases(ds)
    df = monthly_network(ds)
    cases = list(dict.fromkeys(df["case"]))
    fig, axes = _grid(len(cases), sharey=True)
    x = np.arange(1, 13)
    for ax, name in zip(axes, cases, strict=False):
        d = df[df["case"] == name]
        ax.bar(x - 0.2, d["network load MWh"], width=0.4, color="tab:blue",
               label="substations' net draw")  # fmt: skip
        ax.bar(x + 0.2, d["pipes MWh"], width=0.4, color="tab:brown",
               label="pipes: gain from the soil (− = loss)")  # fmt: skip
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xticks(x)
        ax.set_xticklabels(list("JFMAMJJASOND"))
        ax.set_ylabel("MWh per month")
        ax.grid(alpha=0.3, axis="y")
        ax.set_title(str(name), fontsize=10)
        if name == cases[0]:
            ax.legend(fontsize=8, framealpha=0.9)
    fig.suptitle("Network load and pipe exchange with the soil by month (mean over the years)")
    return _save(fig, path)


def _limit_steps(limit, n_years):
    """A limit (None, a number or 12 monthly values) as 12·n_years monthly values."""
    if limit is None:
        return None
    a = np.atleast_1d(np.asarray(limit, dtype=float))
    if a.size not in (1, 12):
        raise InputError.single("limit", list(a), "one value or 12 monthly values (°C)")
    return np.resize(a, 12 * n_years)


def monthly_fluid_extremes(c: xr.Dataset, var: str = "T_bhe_out") -> pd.DataFrame:
    """Monthly minimum, mean and maximum of a fluid temperature over a run (one row per
    simulated month; from the time series at the result's resolution). ``var``:
    ``T_bhe_in``, ``T_bhe_out`` or ``T_fluid_mean`` ((inlet + outlet) / 2)."""
    t = c["time"]
    key = (t.dt.year.values - t.dt.year.values[0]) * 12 + t.dt.month.values - 1
    if var == "T_fluid_mean":
        v = 0.5 * (c["T_bhe_in"].values + c["T_bhe_out"].values)
    else:
        v = c[var].values
    g = pd.Series(v).groupby(key)
    return pd.DataFrame({"min": g.min(), "mean": g.mean(), "max": g.max()})


FLUID_TEMPERATURES = (
    ("bhe_in", "T_bhe_in", "inlet", "tab:blue"),
    ("fluid_mean", "T_fluid_mean", "mean fluid", "tab:green"),
    ("bhe_out", "T_bhe_out", "outlet", "tab:red"),
)
"""The three borefield fluid temperatures of the envelope: (``which`` of the monthly
extremes, time-series name, label, colour)."""


def fluid_monthly(c: xr.Dataset, which: str, check: str = "hourly"):
    """Monthly (min, max) of one fluid temperature of one case, each an array of
    12·years values (NaN where the pump never ran), and where they come from: the
    result's monthly extremes ``T_<which>_<check>_min/max`` (exact, steps with the pump
    running), else the time series at the result's resolution (older results)."""
    n = 12 * c.sizes["year"]
    lo, hi = f"T_{which}_{check}_min", f"T_{which}_{check}_max"
    if lo in c and hi in c:
        a = c[lo].transpose("year", "month").values.astype(float).ravel()
        b = c[hi].transpose("year", "month").values.astype(float).ravel()
        a[~np.isfinite(a)] = np.nan
        b[~np.isfinite(b)] = np.nan
        return a, b, f"{'hourly means' if check == 'hourly' else 'every step'}, pump running"
    series = {"bhe_in": "T_bhe_in", "fluid_mean": "T_fluid_mean", "bhe_out": "T_bhe_out"}[which]
    if "T_bhe_in" not in c or "T_bhe_out" not in c or "time" not in c.dims:
        return None
    m = monthly_fluid_extremes(c, series).reindex(range(n))
    res = c.attrs.get("output_resolution", "")
    return m["min"].values, m["max"].values, f"{res} time series"


def fig_fluid_envelope(ds: xr.Dataset, path=None, t_min_C=None, t_max_C=None,
                       check="hourly", verdicts=None):  # fmt: skip
    """Lifetime envelope of the borefield fluid temperatures with the design limits.

    The borefield designer's main chart (as GHEtool's), one panel per case: the monthly
    lowest and highest inlet (where freezing starts in heating), mean fluid and outlet
    temperature over every simulated month (a band for the mean fluid, lines for inlet
    and outlet), from the result's monthly extremes (``check``: hourly means or every
    step with the pump running) or, for older results, from the time series; and the
    limits — ``t_min_C`` / ``t_max_C`` (a number or 12 monthly values, as given to
    ``gshp size``), else the result's ``design_T_min_C`` / ``design_T_max_C``
    attributes, else the fluid's freezing point as the lower line. ``verdicts`` (one
    :class:`gshp.io.verdict.Verdict` or None per case) marks the binding month.
    """
    ds = as_cases(ds)
    n = ds.sizes["case"]
    fig, axes = _grid(n, width=6.0, height=3.8, sharey=True)
    n_years = ds.sizes["year"]
    if t_min_C is None:
        t_min_C = _attr_limit(ds, "design_T_min_C")
    if t_max_C is None:
        t_max_C = _attr_limit(ds, "design_T_max_C")
    lo = _limit_steps(t_min_C, n_years)
    hi = _limit_steps(t_max_C, n_years)
    freeze = ds.attrs.get("station_T_freeze_C")
    months = np.arange(12 * n_years + 1) / 12.0
    x = (np.arange(12 * n_years) + 0.5) / 12.0
    handles = []
    source = ""
    for i, ax in enumerate(axes):
        c = ds.isel(case=i)
        for which, _, label, color in FLUID_TEMPERATURES:
            got = fluid_monthly(c, which, check)
            if got is None:
                continue
            a, b, source = got
            if which == "fluid_mean":
                ax.fill_between(x, a, b, color=color, alpha=0.25, lw=0,
                                label=f"{label}, monthly min–max")  # fmt: skip
                ax.plot(x, a, color=color, lw=0.8)
                ax.plot(x, b, color=color, lw=0.8)
            else:
                ax.plot(x, a, color=color, lw=1.1, label=f"{label}, monthly min and max")
                ax.plot(x, b, color=color, lw=1.1)
        if lo is not None:
            ax.stairs(lo, months, baseline=None, color="k", lw=1.6, ls="--",
                      label="limits")  # fmt: skip
        elif freeze is not None:
            ax.axhline(float(freeze), color="tab:cyan", lw=1.4, ls="--",
                       label="fluid freezing point")  # fmt: skip
        if hi is not None:
            ax.stairs(hi, months, baseline=None, color="k", lw=1.6, ls="--",
                      label=None if lo is not None else "limits")  # fmt: skip
        v = verdicts[i] if verdicts is not None and i < len(verdicts) else None
        if v is not None and v.month is not None and np.isfinite(v.margin_K):
            y0 = int(ds["year"].values[0])
            xb = (v.year - y0) + (v.month - 0.5) / 12.0
            ax.plot([xb], [v.extreme_C], "o", ms=9, mfc="none", mec="k", mew=1.5,
                    label=f"binding month ({v.margin_K:+.1f} K)")  # fmt: skip
        ax.set_xlim(0, n_years)
        _integer_years(ax, n_years)
        ax.set_xlabel("simulation year")
        ax.set_ylabel("borefield fluid temperature (°C)")
        ax.grid(alpha=0.3)
        if n > 1:
            ax.set_title(_title(ds, i), fontsize=10)
        if i == 0:
            handles = ax.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=9)
    fig.suptitle(f"Borefield fluid temperatures over the lifetime ({source})")
    return _save(fig, path)


def _attr_limit(ds, key):
    import json

    v = ds.attrs.get(key)
    if v is None:
        return None
    return json.loads(v) if isinstance(v, str) else v


def fig_load_duration(ds: xr.Dataset, path=None):
    """Load-duration curves of the network (``Q_network``, + drawn by the substations)
    and of the ground (``Q_ground``, + extracted): every interval's mean load sorted from
    the highest, against the hours per year it is exceeded; one line per case."""
    from matplotlib import colormaps

    ds = as_cases(ds)
    n = ds.sizes["case"]
    n_years = ds.sizes["year"]
    panels = (
        ("Q_network", "network (+ drawn by the substations)"),
        ("Q_ground", "ground (+ extracted)"),
    )
    panels = [(var, what) for var, what in panels if var in ds]
    fig = _figure(figsize=(6 * len(panels), 4.8))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=False))
    cmap = colormaps["tab10" if n <= 10 else "viridis"]
    for ax, (var, what) in zip(axes, panels, strict=True):
        for i in range(min(n, MAX_PANELS)):
            v = ds[var].isel(case=i).values
            v = np.sort(v[np.isfinite(v)])[::-1] / 1e3
            hours = (np.arange(v.size) + 0.5) * (8760.0 * n_years / max(v.size, 1)) / n_years
            color = cmap(i % 10) if n <= 10 else cmap(i / max(n - 1, 1))
            ax.plot(hours, v, color=color, lw=1.2, label=_title(ds, i))
        ax.axhline(0, color="0.4", lw=0.8)
        ax.set_xlim(0, 8760)
        ax.set_xticks(np.arange(0, 8761, 1460))
        ax.set_xlabel("hours per year the load is exceeded")
        ax.set_ylabel("load (kW)")
        ax.set_title(what, fontsize=10)
        ax.grid(alpha=0.3)
    if n > 1:
        axes[-1].legend(fontsize=8 if n <= 12 else 6, loc="best")
    res = ds.attrs.get("output_resolution", "")
    fig.suptitle(f"Load-duration curves ({res} means, all simulated years)")
    return _save(fig, path)


SWEEP_METRICS = (
    ("SCOP mean", "SCOP (–)"),
    ("T_bhe_out min °C", "lowest BHE outlet (°C)"),
    ("wall drift K", "borehole wall drift (K)"),
    ("E_total MWh/a", "electricity (MWh/a)"),
)


def fig_sweep_parameter(ds: xr.Dataset, coord: str, path=None):
    """Key indicators against one swept parameter (one line per combination of the
    other swept parameters). Non-numeric parameters are shown in grid order."""
    df = summary_table(ds)
    others = [k for k in swept_coords(ds) if k != coord]
    fig = _figure(figsize=(11, 7.2))
    axes = fig.subplots(2, 2).ravel()
    values = list(dict.fromkeys(df[coord].tolist()))
    numeric = all(isinstance(v, int | float | np.integer | np.floating) for v in values)
    groups = df.groupby(others, sort=False) if others else [((), df)]
    for key, g in groups:
        label = ", ".join(f"{k}={v}" for k, v in zip(others, np.atleast_1d(key), strict=False))
        g = g.sort_values(coord) if numeric else g
        x = g[coord].to_numpy(float) if numeric else [values.index(v) for v in g[coord]]
        for ax, (col, ylabel) in zip(axes, SWEEP_METRICS, strict=True):
            ax.plot(x, g[col].to_numpy(float), "o-", ms=4, label=label or None)
            ax.set_ylabel(ylabel)
    integer = numeric and all(float(v).is_integer() for v in values)
    for ax in axes:
        ax.set_xlabel(coord)
        ax.grid(alpha=0.3)
        if integer:
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if not numeric:
            ax.set_xticks(range(len(values)), [str(v) for v in values])
    if others and len(groups) <= 12:
        axes[0].legend(fontsize=8, loc="best")
    fig.suptitle(f"Sweep: indicators against {coord}")
    return _save(fig, path)


def sweep_figure_name(coord: str) -> str:
    """File name of the chart of one swept parameter: ``sweep_<path>.png``."""
    import re

    return "sweep_" + re.sub(r"[^A-Za-z0-9]+", "_", coord).strip("_") + ".png"


def _save(fig, path):
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
    return fig


# ---------------------------------------------------------------------------- report


def figure_plan(ds: xr.Dataset) -> list:
    """The figures a result gets: (file name, function, caption), the station's figures
    only when their variables are there (a borefield-only result has none of them)."""
    station = "cop_gshp_monthly" in ds and "scop_gshp" in ds
    plan = [
        ("cop_borefield.png", fig_cop_borefield, station, CAPTIONS["cop_borefield.png"]),
        ("borehole_wall.png", fig_borehole_wall, True, CAPTIONS["borehole_wall.png"]),
        ("electricity.png", fig_electricity, station and bool(electricity_parts(ds)),
         CAPTIONS["electricity.png"]),
        ("supply_setpoint.png", fig_supply_setpoint, "T_supply" in ds and "T_setpoint" in ds,
         SUPPLY_NOTE),
        ("fluid_envelope.png", fig_fluid_envelope, True, CAPTIONS["fluid_envelope.png"]),
        ("load_duration.png", fig_load_duration, "Q_network" in ds or "Q_ground" in ds,
         CAPTIONS["load_duration.png"]),
    ]  # fmt: skip
    return [(name, f, cap) for name, f, ok, cap in plan if ok]


CAPTIONS = {
    "cop_borefield.png": "Monthly COP of the ground-source heat pump (upper panel) and the "
    "yearly lowest and highest borefield outlet temperature at any time step (lower).",
    "borehole_wall.png": "Borehole wall temperature: monthly and yearly means; the drift "
    "from year 1 to the last year is given in the legend.",
    "electricity.png": "Yearly electricity by consumer.",
    "fluid_envelope.png": "Monthly lowest and highest borefield inlet, mean-fluid and outlet "
    "temperatures over the lifetime, with the design limits (dashed).",
    "load_duration.png": "Load-duration curves: each interval's mean load sorted from the "
    "highest, against the hours per year it is exceeded.",
    "network_pipes.png": "Network load and the buried pipes' heat exchange with the soil, by "
    "month (mean over the years).",
}


def case_verdicts(ds, t_min_C, t_max_C, criterion="mean", check="hourly") -> list:
    """One :class:`gshp.io.verdict.Verdict` (or None: no limits) per case of ``ds``."""
    from gshp.io.verdict import limits_verdict

    ds = as_cases(ds)
    return [
        limits_verdict(ds.isel(case=i), t_min_C, t_max_C, criterion, check)
        for i in range(ds.sizes["case"])
    ]


def case_sizing(ds) -> dict:
    """The ``[sizing]`` table of the case a result was run from (its ``case`` attribute,
    JSON): criterion, check, T_fluid_min_C, T_fluid_max_C; {} when the result has none."""
    import json

    text = ds.attrs.get("case")
    if not text:
        return {}
    try:
        sizing = json.loads(text).get("sizing")
    except (ValueError, AttributeError):
        return {}
    return dict(sizing) if isinstance(sizing, dict) else {}


def report_limits(ds, t_min_C, t_max_C):
    """The limits of a report: those given, else the result's design limits (sizing
    attributes), else the limits of its case's ``[sizing]`` table."""
    if t_min_C is None and t_max_C is None:
        t_min_C = _attr_limit(ds, "design_T_min_C")
        t_max_C = _attr_limit(ds, "design_T_max_C")
    if t_min_C is None and t_max_C is None:
        sizing = case_sizing(ds)
        t_min_C, t_max_C = sizing.get("T_fluid_min_C"), sizing.get("T_fluid_max_C")
    return t_min_C, t_max_C


def report_method(ds, criterion=None, check=None):
    """``(criterion, check)`` of a report's verdict: those given, else the result's case's
    ``[sizing]`` ones, else "mean" and "hourly" (as ``gshp size``)."""
    sizing = case_sizing(ds)
    criterion = criterion or sizing.get("criterion") or "mean"
    check = check or sizing.get("check") or "hourly"
    return criterion, check


def add_verdict_columns(df: pd.DataFrame, verdicts) -> pd.DataFrame:
    """``limits hold`` and ``limit margin K`` columns (when limits were given)."""
    if all(v is None for v in verdicts):
        return df
    df = df.copy()
    df["limits hold"] = ["yes" if v.holds else "NO" for v in verdicts]
    df["limit margin K"] = [v.margin_K for v in verdicts]
    return df


def verdict_markdown(labels, verdicts) -> list[str]:
    """The verdict section of ``summary.md``."""
    text = ["## Fluid temperature limits", ""]
    if all(v is None for v in verdicts):
        return text + ["No limits given (--min-fluid-temp, --max-fluid-temp).", ""]
    for label, v in zip(labels, verdicts, strict=True):
        word = "**Limits hold.**" if v.holds else "**Limits violated.**"
        who = f"{label}: " if len(labels) > 1 else ""
        text.append(f"- {who}{word} {v.sentence()}")
    return text + [""]


def write_report(result, out_dir, t_min_C=None, t_max_C=None, criterion=None,
                 check=None, source=None) -> list[Path]:  # fmt: skip
    """Write the figures, the summary tables and ``report.html`` of ``result``.

    Parameters
    ----------
    result : xarray.Dataset, str or Path
        A result Dataset or result file (single case or sweep; station or borefield only).
    out_dir : str or Path
        Output folder (created).
    t_min_C, t_max_C : float or 12 floats, optional
        Design limits of the borefield fluid: drawn on ``fluid_envelope.png`` and
        checked (:func:`gshp.io.verdict.limits_verdict` with ``criterion``/``check``);
        none given: those of the result's case (``[sizing]``), if any.
    criterion, check : str, optional
        "mean"/"inlet"/"outlet" and "hourly"/"step"; default: the case's ``[sizing]``
        ones, else "mean" and "hourly".
    source : str, optional
        The result file's name, shown in the HTML report.

    Returns the paths written.
    """
    from gshp.io import report_html as rh

    if not isinstance(result, xr.Dataset):
        source = source or Path(result).name
        result = open_for_report(result)
    ds = as_cases(result)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t_min_C, t_max_C = report_limits(ds, t_min_C, t_max_C)
    criterion, check = report_method(ds, criterion, check)
    verdicts = case_verdicts(ds, t_min_C, t_max_C, criterion, check)
    written, captions = [], {}
    for name, f, caption in figure_plan(ds):
        kw = {}
        if f is fig_fluid_envelope:
            kw = dict(t_min_C=t_min_C, t_max_C=t_max_C, check=check, verdicts=verdicts)
        f(ds, out / name, **kw)
        written.append(out / name)
        captions[name] = caption
    if ds.sizes["case"] > 1:
        for coord in swept_coords(ds):
            fig_sweep_parameter(ds, coord, out / sweep_figure_name(coord))
            written.append(out / sweep_figure_name(coord))
            captions[sweep_figure_name(coord)] = f"Key indicators against {coord}."
    monthly = monthly_network(ds)
    if len(monthly):
        fig_network_pipes(ds, out / "network_pipes.png")
        written.append(out / "network_pipes.png")
        captions["network_pipes.png"] = CAPTIONS["network_pipes.png"]
    df = add_verdict_columns(summary_table(ds), verdicts)
    csv = out / "summary.csv"
    df.to_csv(csv, index=False, float_format="%.6g")
    md = out / "summary.md"
    title = ds.attrs.get("title", "gshp result")
    text = [f"# {title}", ""]
    if ds.attrs.get("sweep_name"):
        text += [
            f"Sweep `{ds.attrs['sweep_name']}` ({ds.attrs.get('sweep_mode', '')}), base case "
            f"`{ds.attrs.get('sweep_base', '')}`.",
            "",
        ]
    text += verdict_markdown([str(c) for c in ds["case"].values], verdicts)
    text += [
        "## Yearly summary",
        "",
        SUMMARY_NOTE,
        "",
        markdown_table(df),
        "",
    ]
    network_md = []
    if len(monthly):
        network_md = [
            "## Network load and pipe exchange by month",
            "",
            "MWh per month, mean over the simulated years: the substations' net draw from "
            "the network (+ drawn) and the heat the buried pipes gained from the soil "
            "(− = lost to it).",
            "",
        ]
        wide = monthly.pivot(index="month", columns="case")
        cols = [(v, c) for c in dict.fromkeys(monthly["case"])
                for v in ("network load MWh", "pipes MWh")]  # fmt: skip
        head = (
            "| month | "
            + " | ".join((f"{c}: " if len(set(monthly["case"])) > 1 else "") + v for v, c in cols)
            + " |"
        )
        network_md += [head, "|---:|" + "---:|" * len(cols)]
        for m in range(1, 13):
            vals = " | ".join(f"{wide.loc[m, col]:.1f}" for col in cols)
            network_md.append(f"| {m} | {vals} |")
        network_md.append("")
    text += network_md
    failed = ds.attrs.get("failed_cases")
    failed_items = []
    if failed and failed != "[]":
        import json

        failed_items = json.loads(failed)
        text += ["## Failed cases", ""]
        for item in failed_items:
            text.append(f"- **{item['name']}**: {item['error']}")
        text.append("")
    text += ["## Figures", ""] + [f"![{p.stem}]({p.name})" for p in written] + [""]
    if "supply_setpoint.png" in captions:
        text += [f"*supply_setpoint*: {SUPPLY_NOTE}", ""]
    md.write_text("\n".join(text), encoding="utf-8")

    # the self-contained HTML report
    labels = [str(c) for c in ds["case"].values]
    sections = [
        ("Fluid temperature limits",
         rh.verdict_html(list(zip(labels if len(labels) > 1 else [None], verdicts,
                                  strict=False)))
         + rh.verdict_table_html(list(zip(labels, verdicts, strict=True))), False),
        ("Yearly summary", f'<p class="note">{SUMMARY_NOTE}</p>' + rh.summary_html(df), False),
    ]  # fmt: skip
    if failed_items:
        sections.append(("Failed cases", "<ul>" + "".join(
            f"<li><b>{rh.escape(i['name'])}</b>: {rh.escape(i['error'])}</li>"
            for i in failed_items) + "</ul>", False))  # fmt: skip
    if len(monthly):
        rows = [[m] + [float(wide.loc[m, col]) for col in cols] for m in range(1, 13)]
        hdr = ["month"] + [(f"{c}: " if len(set(monthly["case"])) > 1 else "") + v
                           for v, c in cols]  # fmt: skip
        sections.append(("Network load and pipe exchange by month",
                         f'<p class="note">{network_md[2]}</p>' + rh.table_html(rows, hdr),
                         False))  # fmt: skip
    first = [p for p in written if p.name == "fluid_envelope.png"]  # the designer's chart
    shown = first + [p for p in written if p not in first]
    figs = "".join(rh.figure_html(p, captions.get(p.name, "")) for p in shown)
    sections.append(("Figures", figs, True))
    case_json = ds.attrs.get("case")
    if ds.sizes["case"] == 1 or not ds.attrs.get("sweep_name"):
        sections.append(("Inputs", rh.inputs_html(case_json), True))
    elif case_json:
        sections.append(("Inputs (base case of the sweep)", rh.inputs_html(case_json), True))
    kind = "borefield only" if is_borefield_only(ds) else "station"
    subtitle = str(ds.attrs.get("case_description", "")) or kind
    html = out / "report.html"
    rh.write_html(html, rh.document(str(title), subtitle, sections, rh.gshp_version(),
                                    [source] if source else []))  # fmt: skip
    return written + [csv, md, html]


SUMMARY_NOTE = (
    "Energies are yearly means (MWh/a); SCOP = condenser heat / GSHP electricity; "
    "wall drift = last year's mean borehole wall temperature minus the first year's."
)
