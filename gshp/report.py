"""Reports of result files: PNG figures and a Markdown/CSV summary table.

Works for a single-case result (no ``case`` dimension) and for a sweep result (``case``
dimension, swept parameters as coordinates on ``case``). Figures are drawn with
Matplotlib's headless Agg backend:

- ``cop_borefield.png``: monthly GSHP COP over all years with the yearly minimum and
  maximum borefield outlet temperature, one panel per case;
- ``borehole_wall.png``: yearly mean borehole wall temperature and its drift from year 1;
- ``electricity.png``: yearly electricity by consumer (GSHP, boosters, pumps), stacked;
- ``supply_setpoint.png``: network supply temperature against its setpoint over the last
  simulated year, one panel per case;
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
FIGURES = ("cop_borefield.png", "borehole_wall.png", "electricity.png", "supply_setpoint.png")
MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def as_cases(ds: xr.Dataset) -> xr.Dataset:
    """The result with a ``case`` dimension (a single-case result gets one case)."""
    if "case" in ds.dims:
        return ds
    name = str(ds.attrs.get("case_name", "case"))
    return ds.expand_dims(case=np.array([name], dtype=object))


def open_for_report(path) -> xr.Dataset:
    """Open a result file for reporting (InputError if it is not a gshp result)."""
    from gshp.results import open_result

    path = Path(path)
    if not path.is_file():
        raise InputError.single(str(path), "missing", "an existing result file (.nc)")
    try:
        ds = open_result(path)
    except (OSError, ValueError) as exc:
        raise InputError.single(str(path), str(exc)[:80], "a NetCDF result of gshp") from None
    needed = ("scop_gshp", "E_gshp", "T_bhe_out_min", "T_borehole_wall_mean", "T_supply")
    missing = [v for v in needed if v not in ds]
    if missing:
        raise InputError.single(
            str(path), f"no variables {', '.join(missing)}", "a result written by gshp run/sweep"
        )
    return ds


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
        years = c["year"].values[np.isfinite(c["scop_gshp"].values)]
        n_years = int(len(years)) if len(years) else int(c.sizes["year"])
        c = c.sel(year=years) if len(years) else c
        row = {"case": str(name)}
        for k in swept_coords(ds):
            v = c[k].values.item() if c[k].ndim == 0 else c[k].values
            row[k] = v
        wall = c["T_borehole_wall_mean"].values
        row.update(
            {
                "years": n_years,
                "SCOP mean": _mean(c["scop_gshp"]),
                "SCOP last year": float(c["scop_gshp"].values[-1]),
                "E_gshp MWh/a": _mean(c["E_gshp"]) / 1e3,
                "E_boosters MWh/a": _mean(c["E_boosters"]) / 1e3,
                "E_pumps MWh/a": _mean(c["E_pumps"]) / 1e3,
                "E_total MWh/a": _mean(c["E_total"]) / 1e3
                if "E_total" in c
                else (_mean(c["E_gshp"]) + _mean(c["E_boosters"]) + _mean(c["E_pumps"])) / 1e3,
                "T_bhe_out min °C": float(np.nanmin(c["T_bhe_out_min"].values)),
                "T_bhe_out max °C": float(np.nanmax(c["T_bhe_out_max"].values)),
                "T_wall year 1 °C": float(wall[0]),
                "T_wall last year °C": float(wall[-1]),
                "wall drift K": float(wall[-1] - wall[0]),
            }
        )
        if "unmet_heat_year" in c:
            row["unmet heat kWh/a"] = _mean(c["unmet_heat_year"])
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


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _grid(plt, n, width=5.2, height=3.4, sharey=True):
    n_show = min(n, MAX_PANELS)
    ncols = min(n_show, 3)
    if n_show == 1:
        width *= 1.5
    nrows = math.ceil(n_show / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(width * ncols, height * nrows + 0.8),
        squeeze=False,
        sharey=sharey,
        constrained_layout=True,
    )
    flat = axes.ravel()
    for ax in flat[n_show:]:
        ax.set_visible(False)
    return fig, flat[:n_show]


def _title(ds, i) -> str:
    return str(ds["case"].values[i])


def fig_cop_borefield(ds: xr.Dataset, path) -> Path:
    """Monthly GSHP COP (left axis) with the yearly min/max borefield outlet temperature
    (right axis), one panel per case."""
    plt = _plt()
    ds = as_cases(ds)
    n = ds.sizes["case"]
    fig, axes = _grid(plt, n, sharey=True)
    years = ds["year"].values
    mid = np.cumsum(MONTH_DAYS) - MONTH_DAYS / 2
    x_month = (years[:, None] - 1 + mid[None, :] / 365.0).ravel()
    t_lo = np.nanmin(ds["T_bhe_out_min"].values)
    t_hi = np.nanmax(ds["T_bhe_out_max"].values)
    pad = 0.08 * max(t_hi - t_lo, 1.0)
    ncols = min(n, 3)
    handles = []
    for i, ax in enumerate(axes):
        c = ds.isel(case=i)
        cop = c["cop_gshp_monthly"].values.ravel()
        (h1,) = ax.plot(x_month, cop, "-", color="tab:blue", lw=1.2, label="monthly COP (GSHP)")
        ax.tick_params(axis="y", colors="tab:blue")
        ax.set_xlim(0, len(years))
        ax.grid(alpha=0.3)
        ax.set_title(_title(ds, i), fontsize=10)
        ax.set_xlabel("simulation year")
        if i % ncols == 0:
            ax.set_ylabel("GSHP COP (–)", color="tab:blue")
        tw = ax.twinx()
        edges = np.concatenate([[years[0] - 1], years]).astype(float)
        h2 = tw.stairs(
            c["T_bhe_out_min"].values,
            edges,
            color="tab:purple",
            lw=1.6,
            label="BHE outlet, yearly min (°C)",
        )
        h3 = tw.stairs(
            c["T_bhe_out_max"].values,
            edges,
            color="tab:red",
            lw=1.6,
            label="BHE outlet, yearly max (°C)",
        )
        tw.set_ylim(t_lo - pad, t_hi + pad)
        if i % ncols == ncols - 1 or i == n - 1:
            tw.set_ylabel("borefield outlet temperature (°C)")
        else:
            tw.tick_params(axis="y", labelright=False)
        handles = [h1, h2, h3]
        _integer_years(ax, len(years))
    fig.legend(handles=handles, loc="outside lower center", ncol=3 if n > 1 else 2, fontsize=9)
    fig.suptitle("GSHP monthly COP and borefield outlet temperature extremes")
    return _save(fig, plt, path)


def _integer_years(ax, n_years):
    step = max(1, int(math.ceil(n_years / 10)))
    ax.set_xticks(np.arange(0, n_years + 1, step))


def fig_borehole_wall(ds: xr.Dataset, path) -> Path:
    """Yearly mean borehole wall temperature per case, and its drift from year 1."""
    plt = _plt()
    ds = as_cases(ds)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.6), constrained_layout=True)
    years = ds["year"].values
    n = ds.sizes["case"]
    cmap = plt.get_cmap("tab10" if n <= 10 else "viridis")
    for i in range(n):
        color = cmap(i % 10) if n <= 10 else cmap(i / max(n - 1, 1))
        w = ds["T_borehole_wall_mean"].isel(case=i).values
        ax1.plot(years, w, "o-", ms=3, color=color, label=_title(ds, i))
        ax2.plot(years, w - w[0], "o-", ms=3, color=color, label=_title(ds, i))
    ax1.set_ylabel("yearly mean borehole wall temperature (°C)")
    ax2.set_ylabel("drift from year 1 (K)")
    ax2.axhline(0, color="0.4", lw=0.8)
    for ax in (ax1, ax2):
        ax.set_xlabel("simulation year")
        ax.grid(alpha=0.3)
        _integer_years(ax, len(years))
        ax.set_xlim(0.5, len(years) + 0.5)
    if n <= 12:
        ax2.legend(fontsize=8, loc="best")
    else:
        ax2.legend(fontsize=6, ncol=2, loc="best")
    fig.suptitle("Borehole wall temperature drift")
    return _save(fig, plt, path)


def fig_electricity(ds: xr.Dataset, path) -> Path:
    """Yearly electricity by consumer (stacked: GSHP, boosters, pumps), one panel per case."""
    plt = _plt()
    ds = as_cases(ds)
    n = ds.sizes["case"]
    fig, axes = _grid(plt, n, sharey=True)
    years = ds["year"].values
    parts = (
        ("E_gshp", "GSHP", "tab:blue"),
        ("E_boosters", "boosters", "tab:orange"),
        ("E_pumps", "pumps", "tab:green"),
    )
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
    return _save(fig, plt, path)


def fig_supply_setpoint(ds: xr.Dataset, path) -> Path:
    """Network supply temperature against its setpoint over the last simulated year.

    At sub-daily resolution the supply is shown as daily mean with its daily range.
    """
    plt = _plt()
    ds = as_cases(ds)
    n = ds.sizes["case"]
    fig, axes = _grid(plt, n, width=6.0, sharey=True)
    handles = []
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
        else:
            ax.plot(x, sup, color="tab:blue", lw=1.0, label="supply")
            ax.plot(x, setp, color="k", lw=1.2, ls="--", label="setpoint")
        if "mode" in sel:  # cooling season shaded by day (majority of the day)
            days = doy - 1
            cool_day = pd.Series(sel["mode"].values == 1).groupby(days).mean().values >= 0.5
            xd = np.unique(days) + 0.5
            if cool_day.any():
                ax.fill_between(
                    xd,
                    0,
                    1,
                    where=cool_day,
                    transform=ax.get_xaxis_transform(),
                    color="0.88",
                    lw=0,
                    label="cooling season",
                    step="mid",
                    zorder=0,
                )
        ax.set_xlim(0, 365)
        ax.set_xticks(np.concatenate([[0], np.cumsum(MONTH_DAYS)[:-1]]))
        ax.set_xticklabels(list("JFMAMJJASOND"))
        ax.set_xlabel(f"month of simulation year {int(last) - 2000}")
        ax.set_ylabel("temperature (°C)")
        ax.grid(alpha=0.3)
        ax.set_title(_title(ds, i), fontsize=10)
        if i == 0:
            handles = ax.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="outside lower center", ncol=4 if n > 1 else 2, fontsize=9)
    fig.suptitle("Network supply temperature and setpoint (last simulated year)")
    return _save(fig, plt, path)


def _save(fig, plt, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------- report


def write_report(result, out_dir) -> list[Path]:
    """Write the figures and the summary tables of ``result`` into ``out_dir``.

    Parameters
    ----------
    result : xarray.Dataset, str or Path
        A result Dataset or result file (single case or sweep).
    out_dir : str or Path
        Output folder (created).

    Returns the paths written.
    """
    ds = result if isinstance(result, xr.Dataset) else open_for_report(result)
    ds = as_cases(ds)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [
        fig_cop_borefield(ds, out / FIGURES[0]),
        fig_borehole_wall(ds, out / FIGURES[1]),
        fig_electricity(ds, out / FIGURES[2]),
        fig_supply_setpoint(ds, out / FIGURES[3]),
    ]
    df = summary_table(ds)
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
    text += [
        "Energies are yearly means (MWh/a); SCOP = condenser heat / GSHP electricity; "
        "wall drift = last year's mean borehole wall temperature minus the first year's.",
        "",
        markdown_table(df),
        "",
    ]
    failed = ds.attrs.get("failed_cases")
    if failed and failed != "[]":
        import json

        text += ["## Failed cases", ""]
        for item in json.loads(failed):
            text.append(f"- **{item['name']}**: {item['error']}")
        text.append("")
    text += ["## Figures", ""] + [f"![{p.stem}]({p.name})" for p in written] + [""]
    md.write_text("\n".join(text), encoding="utf-8")
    return written + [csv, md]


# ---------------------------------------------------------------------------- command line


def add_parser(sub) -> None:
    """Add the ``report`` subcommand to an argparse subparsers object."""
    p = sub.add_parser(
        "report", help="figures (PNG) and a summary table (Markdown, CSV) of a result file"
    )
    p.add_argument("result", metavar="RESULT.nc", help="result of gshp run or gshp sweep")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="output folder (default: next to the result, <result name>_report)",
    )
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    """``gshp report``: write the report and print the summary table."""
    result = Path(args.result)
    out = Path(args.output) if args.output else result.with_name(result.stem + "_report")
    if out.exists() and not out.is_dir():
        raise InputError.single("--output", str(out), "a folder")
    from gshp.fileio import check_writable_folder

    why = check_writable_folder(out)  # before anything is read or drawn
    if why:
        raise InputError.single("--output", str(out), f"a writable folder (it {why})")
    ds = open_for_report(result)
    try:
        written = write_report(ds, out)
    except OSError as exc:  # full disk while drawing: one message, exit 1
        from gshp.fileio import WriteError

        raise WriteError(exc.filename or out, exc.strerror or str(exc)) from None
    print(markdown_table(summary_table(ds)))
    print()
    for p in written:
        print(f"wrote {p}")
    return 0
