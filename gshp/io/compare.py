"""A report comparing 2–6 results (``gshp report A.nc B.nc …``).

Yearly tables side by side (one column per result, labelled by its case name, made
unique when two are equal), overlaid figures (fluid envelope, yearly energies, SCOP,
borehole wall), the inputs that differ, and the limits verdict of each result; as
``report.html`` (self-contained), ``summary.md`` and ``summary.csv`` / ``yearly.csv``.

Results of different lengths are compared over the years they share; figures or rows a
result cannot give (a borefield-only result has no heat pump; load-duration curves of
different output resolutions are not comparable) are left out, and the report says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from gshp.errors import InputError
from gshp.io import report as rep
from gshp.io import report_html as rh

YEARLY = (
    ("scop_gshp", "SCOP (–)", 1.0),
    ("E_total", "electricity, total (MWh)", 1e-3),
    ("Q_ground_extracted", "heat extracted from the ground (MWh)", 1e-3),
    ("Q_ground_injected", "heat injected into the ground (MWh)", 1e-3),
    ("T_bhe_out_min", "lowest borefield outlet (°C)", 1.0),
    ("T_bhe_out_max", "highest borefield outlet (°C)", 1.0),
    ("T_borehole_wall_mean", "mean borehole wall (°C)", 1.0),
)
"""Year-by-year variables compared: (name, label, factor to the shown unit)."""
ENERGIES = (
    ("E_gshp", "GSHP electricity"),
    ("E_boosters", "boosters' electricity"),
    ("E_pumps", "pumps' electricity"),
    ("E_total", "total electricity"),
    ("Q_ground_extracted", "ground: extracted"),
    ("Q_ground_injected", "ground: injected"),
)
"""The yearly energies of the grouped bars (kWh per year in the result)."""


def unique_labels(names, paths) -> list[str]:
    """Case names made unique: a repeated name gets its file name, then a number."""
    names = [str(n) for n in names]
    out = [
        f"{n} ({Path(p).stem})" if names.count(n) > 1 else n
        for n, p in zip(names, paths, strict=True)
    ]
    seen: dict[str, int] = {}
    for i, n in enumerate(out):
        if out.count(n) > 1:
            seen[n] = seen.get(n, 0) + 1
            out[i] = f"{n} #{seen[n]}"
    return out


def _shared_years(ds: xr.Dataset, n: int) -> xr.Dataset:
    """The first ``n`` simulated years of a result (yearly and time-series variables)."""
    ds = ds.isel(year=slice(0, n))
    if "time" in ds.dims:
        yr = ds["time"].dt.year.values
        ds = ds.isel(time=np.nonzero(yr - yr[0] < n)[0])
    return ds


def open_results(paths):
    """Open the results (InputError naming a file that is not a single-case result)."""
    out = []
    for p in paths:
        ds = rep.open_for_report(p)
        if "case" in ds.dims:
            raise InputError.single(
                str(p), f"a sweep of {ds.sizes['case']} cases", "a single-case result to compare"
            )
        out.append(ds)
    return out


def write_comparison(paths, out_dir, t_min_C=None, t_max_C=None, criterion=None,
                     check=None):  # fmt: skip
    """Write the comparison report of the result files ``paths`` into ``out_dir``.

    Limits, criterion and check not given are each result's case's (``[sizing]``; see
    :func:`gshp.io.report.report_limits`, :func:`gshp.io.report.report_method`).

    Returns (paths written, the side-by-side summary as a Markdown table).
    """
    paths = [Path(p) for p in paths]
    full = open_results(paths)
    names = [d.attrs.get("case_name", p.stem) for d, p in zip(full, paths, strict=True)]
    labels = unique_labels(names, paths)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_years = min(d.sizes["year"] for d in full)
    left_out = []
    for lab, d in zip(labels, full, strict=True):
        if d.sizes["year"] > n_years:
            left_out.append(
                f"{lab}: years {n_years + 1}–{d.sizes['year']} (the results share {n_years} "
                f"year{'s' if n_years > 1 else ''})"
            )
    results = [_shared_years(d, n_years) for d in full]
    station = [not rep.is_borefield_only(d) and "scop_gshp" in d for d in results]
    for lab, st in zip(labels, station, strict=True):
        if not st and any(station):
            left_out.append(f"{lab}: heat pump and network indicators (a borefield-only result)")
    limits = [rep.report_limits(d, t_min_C, t_max_C) for d in results]
    from gshp.io.verdict import limits_verdict

    methods = [rep.report_method(d, criterion, check) for d in results]
    verdicts = [
        limits_verdict(d, *lim, *how) for d, lim, how in zip(results, limits, methods, strict=True)
    ]
    check = methods[0][1]  # the fluid envelope figure's
    # --- tables
    rows = []
    for lab, d, v in zip(labels, results, verdicts, strict=True):
        row = rep.add_verdict_columns(rep.summary_table(d), [v]).iloc[0].to_dict()
        row["case"] = lab
        rows.append(row)
    df = pd.DataFrame(rows)  # columns of every result (NaN where one lacks a variable)
    side = df.set_index("case").T
    side.index.name = "indicator"
    csv = out / "summary.csv"
    side.to_csv(csv, float_format="%.6g")
    yearly = yearly_table(results, labels)
    ycsv = out / "yearly.csv"
    yearly.to_csv(ycsv, index=False, float_format="%.6g")
    # --- figures
    written, captions = [], {}
    t_lo, t_hi = limits[0]
    p = out / "compare_fluid_envelope.png"
    fig_compare_fluid_envelope(results, labels, p, t_lo, t_hi, check)
    written.append(p)
    captions[p.name] = (
        "Monthly lowest and highest borefield inlet, mean-fluid and outlet temperatures of "
        "each result (one colour per result), with the design limits (dashed)."
    )
    p = out / "compare_yearly.png"
    fig_compare_yearly(results, labels, p)
    written.append(p)
    captions[p.name] = (
        "Mean yearly energies (grouped bars) and year-by-year SCOP, borehole wall and "
        "lowest outlet temperature of each result."
    )
    res = [str(d.attrs.get("output_resolution", "")) for d in results]
    if len(set(res)) == 1:
        p = out / "compare_load_duration.png"
        fig_compare_load_duration(results, labels, p)
        written.append(p)
        captions[p.name] = rep.CAPTIONS["load_duration.png"]
    else:
        left_out.append(
            "load-duration curves: the output resolutions differ ("
            + ", ".join(f"{lab}: {r}" for lab, r in zip(labels, res, strict=True))
            + "), their peaks are not comparable"
        )
    # --- Markdown
    md_table = _markdown_side(side)
    md = out / "summary.md"
    text = ["# Comparison: " + ", ".join(labels), ""]
    text += rep.verdict_markdown(labels, verdicts)
    text += ["## Summary", "", rep.SUMMARY_NOTE + f" Over the {n_years} shared years.", ""]
    text += [md_table, ""]
    text += ["## Year by year", ""]
    for var, what in _yearly_blocks(yearly):
        block = yearly[yearly["variable"] == var].drop(columns="variable")
        text += [f"### {what}", "", rep.markdown_table(block.astype({"year": str})), ""]
    diffs = input_differences(results, labels)
    for lab, d in zip(labels, results, strict=True):
        if not d.attrs.get("case"):
            left_out.append(f"{lab}: its inputs (the result does not record its case)")
    text += ["## Inputs that differ", ""]
    if len(diffs):
        text += [rep.markdown_table(diffs), ""]
    else:
        text += ["The results' case inputs are the same (or not recorded).", ""]
    text += ["## Left out of the comparison", ""]
    text += [f"- {x}" for x in left_out] or ["Nothing: the results share every year and figure."]
    text += ["", "## Figures", ""] + [f"![{q.stem}]({q.name})" for q in written] + [""]
    md.write_text("\n".join(text), encoding="utf-8")
    # --- HTML
    items = list(zip(labels, verdicts, strict=True))
    year_html = "".join(
        f"<h3>{rh.escape(what)}</h3>"
        + rh.table_html(
            yearly[yearly["variable"] == var].drop(columns="variable").itertuples(
                index=False, name=None),
            ["year", *labels],
        )
        for var, what in _yearly_blocks(yearly)
    )  # fmt: skip
    left_html = (
        '<ul class="left-out">' + "".join(f"<li>{rh.escape(x)}</li>" for x in left_out) + "</ul>"
        if left_out
        else '<p class="note">Nothing: the results share every year and figure.</p>'
    )
    diff_html = (
        rh.table_html(diffs.itertuples(index=False, name=None), list(diffs.columns))
        if len(diffs)
        else '<p class="note">The results\' case inputs are the same (or not recorded).</p>'
    )
    sections = [
        ("Fluid temperature limits", rh.verdict_html(items) + rh.verdict_table_html(items),
         False),
        ("Summary side by side", f'<p class="note">{rep.SUMMARY_NOTE} Over the {n_years} '
         f"shared years.</p>" + rh.summary_html(df, transpose=True), False),
        ("Left out of the comparison", left_html, False),
        ("Inputs that differ", diff_html, False),
        ("Figures", "".join(rh.figure_html(q, captions[q.name]) for q in written), True),
        ("Year by year", year_html, True),
    ]  # fmt: skip
    html = out / "report.html"
    subtitle = f"{len(labels)} results compared over {n_years} shared years"
    rh.write_html(html, rh.document("Comparison: " + ", ".join(labels), subtitle, sections,
                                    rh.gshp_version(), [p.name for p in paths]))  # fmt: skip
    return written + [csv, ycsv, md, html], md_table


def _markdown_side(side: pd.DataFrame) -> str:
    t = side.reset_index()
    cols = list(t.columns)
    lines = ["| " + " | ".join(str(c) for c in cols) + " |", "|---|" + "---:|" * (len(cols) - 1)]
    for _, r in t.iterrows():
        cells = [str(r.iloc[0])] + [rep._fmt(_num(v), str(r.iloc[0])) for v in r.iloc[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _num(v):
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return float("nan")
    return v


def _yearly_blocks(yearly):
    names = dict((v, w) for v, w, _ in YEARLY)
    return [(v, names[v]) for v in dict.fromkeys(yearly["variable"])]


def yearly_table(results, labels) -> pd.DataFrame:
    """Year by year, one column per result: the variables of :data:`YEARLY` that at
    least one result has (long format: ``variable``, ``year``, then the results)."""
    n = results[0].sizes["year"]
    rows = []
    for var, _, factor in YEARLY:
        if not any(var in d for d in results):
            continue
        for k in range(n):
            row = {"variable": var, "year": int(results[0]["year"].values[k])}
            for lab, d in zip(labels, results, strict=True):
                row[lab] = float(d[var].values[k]) * factor if var in d else float("nan")
            rows.append(row)
    return pd.DataFrame(rows)


def input_differences(results, labels) -> pd.DataFrame:
    """The case inputs (dotted names) whose values differ between the results that
    recorded their inputs (the ``case`` attribute; a result without it has no column)."""
    flat, kept = [], []
    for lab, d in zip(labels, results, strict=True):
        try:
            cfg = json.loads(d.attrs.get("case", "{}"))
        except ValueError:
            cfg = {}
        if cfg:
            flat.append(dict(rh._flat(cfg)))
            kept.append(lab)
    labels = kept
    if len(flat) < 2:
        return pd.DataFrame(columns=["input", *labels])
    keys = list(dict.fromkeys(k for f in flat for k in f))
    rows = []
    for k in keys:
        vals = [f.get(k, "–") for f in flat]
        if k in ("name", "description") or len({json.dumps(v, default=str) for v in vals}) < 2:
            continue
        row = {lab: rh.fmt_input(v) for lab, v in zip(labels, vals, strict=True)}
        rows.append({"input": k, **row})
    return pd.DataFrame(rows, columns=["input", *labels])


# ---------------------------------------------------------------------------- figures


def fig_compare_fluid_envelope(results, labels, path=None, t_min_C=None, t_max_C=None,
                               check="hourly"):  # fmt: skip
    """Inlet, mean fluid and outlet (three panels, one y scale): each result's monthly
    lowest and highest temperature in its colour, with the limits."""
    colors = rep.case_colors(len(results))
    n_years = results[0].sizes["year"]
    fig = rep._figure(figsize=(12, 4.6))
    axes = fig.subplots(1, 3, sharey=True)
    x = (np.arange(12 * n_years) + 0.5) / 12.0
    months = np.arange(12 * n_years + 1) / 12.0
    lo = rep._limit_steps(t_min_C, n_years)
    hi = rep._limit_steps(t_max_C, n_years)
    for ax, (which, _, what, _) in zip(axes, rep.FLUID_TEMPERATURES, strict=True):
        for lab, d, color in zip(labels, results, colors, strict=True):
            got = rep.fluid_monthly(d, which, check)
            if got is None:
                continue
            a, b, _ = got
            ax.fill_between(x, a, b, color=color, alpha=0.12, lw=0)
            ax.plot(x, a, color=color, lw=1.2, label=lab)
            ax.plot(x, b, color=color, lw=1.2)
        for lim in (lo, hi):
            if lim is not None:
                ax.stairs(lim, months, baseline=None, color="k", lw=1.4, ls="--",
                          label="limits" if lim is lo or lo is None else None)  # fmt: skip
        ax.set_title(f"{what}, monthly min and max", fontsize=10)
        ax.set_xlim(0, n_years)
        rep._integer_years(ax, n_years)
        ax.set_xlabel("simulation year")
        ax.grid(alpha=0.3)
        ax.tick_params(axis="y", labelleft=True)
    axes[0].set_ylabel("borefield fluid temperature (°C)")
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=min(len(names), 7), fontsize=9)
    fig.suptitle("Borefield fluid temperatures, compared")
    return rep._save(fig, path)


def fig_compare_yearly(results, labels, path=None):
    """Mean yearly energies as grouped bars (one colour per result), and year by year
    the SCOP (results with a heat pump), the mean borehole wall temperature and the
    lowest borefield outlet temperature."""
    colors = rep.case_colors(len(results))
    fig = rep._figure(figsize=(12, 7.4))
    (ax_e, ax_s), (ax_w, ax_t) = fig.subplots(2, 2)
    cats = [(v, w) for v, w in ENERGIES if any(v in d for d in results)]
    width = 0.8 / len(results)
    for j, (lab, d, color) in enumerate(zip(labels, results, colors, strict=True)):
        vals = [float(np.nanmean(d[v].values)) / 1e3 if v in d else np.nan for v, _ in cats]
        ax_e.bar(np.arange(len(cats)) + (j - (len(results) - 1) / 2) * width, vals, width,
                 color=color, label=lab)  # fmt: skip
    ax_e.set_xticks(np.arange(len(cats)), [w for _, w in cats], rotation=20, ha="right",
                    fontsize=8)  # fmt: skip
    ax_e.set_ylabel("MWh per year (mean)")
    ax_e.set_title("Yearly energies", fontsize=10)
    ax_e.grid(alpha=0.3, axis="y")
    ax_e.legend(fontsize=8)
    panels = ((ax_s, "scop_gshp", "SCOP of the GSHP (–)"),
              (ax_w, "T_borehole_wall_mean", "mean borehole wall (°C)"),
              (ax_t, "T_bhe_out_min", "lowest borefield outlet (°C)"))  # fmt: skip
    for ax, var, what in panels:
        for lab, d, color in zip(labels, results, colors, strict=True):
            if var in d:
                ax.plot(d["year"].values, d[var].values, "o-", ms=4, color=color, label=lab)
        ax.set_title(what, fontsize=10)
        ax.set_xlabel("simulation year")
        ax.grid(alpha=0.3)
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if not ax.lines:
            ax.text(0.5, 0.5, "no result has it", ha="center", va="center",
                    transform=ax.transAxes, color="0.4")  # fmt: skip
    fig.suptitle("Yearly results, compared")
    return rep._save(fig, path)


def fig_compare_load_duration(results, labels, path=None):
    """Load-duration curves of the network and the ground, one line per result (the
    results share their output resolution)."""
    colors = rep.case_colors(len(results))
    panels = [(v, w) for v, w in (("Q_network", "network (+ drawn by the substations)"),
                                  ("Q_ground", "ground (+ extracted)"))
              if any(v in d for d in results)]  # fmt: skip
    fig = rep._figure(figsize=(6 * len(panels), 4.6))
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, (var, what) in zip(axes, panels, strict=True):
        for lab, d, color in zip(labels, results, colors, strict=True):
            if var not in d:
                continue
            v = d[var].values
            v = np.sort(v[np.isfinite(v)])[::-1] / 1e3
            hours = (np.arange(v.size) + 0.5) * 8760.0 / max(v.size, 1) * d.sizes["year"]
            ax.plot(hours / d.sizes["year"], v, color=color, lw=1.2, label=lab)
        ax.axhline(0, color="0.4", lw=0.8)
        ax.set_xlim(0, 8760)
        ax.set_xticks(np.arange(0, 8761, 1460))
        ax.set_xlabel("hours per year the load is exceeded")
        ax.set_ylabel("load (kW)")
        ax.set_title(what, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Load-duration curves, compared")
    return rep._save(fig, path)
