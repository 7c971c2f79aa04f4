"""Figures and report of an uncertainty result (``gshp uncertainty``, docs/uncertainty.md):
the fan chart of the borefield fluid over the lifetime, and ``gshp report`` of such a file
(``fan_chart.png``, ``summary.md`` with the quantile table, ``report.html``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr

from gshp.io.report import _figure, _save

FAN_CHART = "fan_chart.png"
FLUID = ("T_fluid_min", "T_fluid_max")


def is_uncertainty_result(ds: xr.Dataset) -> bool:
    """A result of ``gshp uncertainty`` (a ``sample`` dimension and the quantiles)."""
    return "sample" in ds.dims and "T_fluid_min_quantile" in ds


def _limit(ds, key):
    v = ds.attrs.get(key)
    if v is None or v == "none" or v == "":
        return None
    return float(v)


def fig_fan_chart(ds: xr.Dataset, path=None):
    """Fan chart of the fluid temperature over the lifetime: for each year the P10–P90
    band and the P50 line over the samples of the yearly minimum and of the yearly
    maximum (the [sizing] criterion's temperature when the case has a [sizing] table, else
    the mean fluid's hourly means), the lowest and highest sample dotted, and the
    [sizing] limits dashed."""
    crit = "T_criterion_min" in ds
    lo_name, hi_name = ("T_criterion_min", "T_criterion_max") if crit else FLUID
    what = (
        f"{ds.attrs.get('sizing_criterion', 'mean')} fluid, {ds.attrs.get('sizing_check', '')}"
        if crit
        else "mean fluid, hourly means"
    )
    years = ds["year"].values.astype(float)
    q = [float(x) for x in ds["quantile"].values]
    fig = _figure(figsize=(7.2, 4.4))
    ax = fig.add_subplot()
    ok = ds["sample_ok"].values == 1
    for name, color, word in ((lo_name, "tab:blue", "minimum"), (hi_name, "tab:red", "maximum")):
        qs = ds[f"{name}_quantile"]
        p10 = qs.sel(quantile=min(q, key=lambda x: abs(x - 0.1))).values
        p50 = qs.sel(quantile=min(q, key=lambda x: abs(x - 0.5))).values
        p90 = qs.sel(quantile=min(q, key=lambda x: abs(x - 0.9))).values
        ax.fill_between(years, p10, p90, color=color, alpha=0.25, lw=0,
                        label=f"yearly {word}: P10–P90")  # fmt: skip
        ax.plot(years, p50, color=color, lw=1.8, marker="o", ms=3,
                label=f"yearly {word}: P50")  # fmt: skip
        vals = ds[name].values[ok]
        if vals.size:
            ext = np.nanmin(vals, axis=0) if word == "minimum" else np.nanmax(vals, axis=0)
            ax.plot(years, ext, color=color, lw=0.8, ls=":",
                    label=f"yearly {word}: {'lowest' if word == 'minimum' else 'highest'} "
                    "sample")  # fmt: skip
    first = True
    for key in ("sizing_T_fluid_min_C", "sizing_T_fluid_max_C"):
        lim = _limit(ds, key)
        if lim is not None:
            ax.axhline(lim, color="k", lw=1.5, ls="--", label="[sizing] limits" if first else None)
            first = False
    n = int(ok.sum())
    step = max(1, int(np.ceil(len(years) / 10)))
    ax.set_xticks(years[::step])
    ax.set_xlim(years[0] - 0.3, years[-1] + 0.3)
    ax.set_xlabel("simulation year")
    ax.set_ylabel("borefield fluid temperature (°C)")
    ax.grid(alpha=0.3)
    fig.legend(loc="outside lower center", ncol=3, fontsize=8)
    fig.suptitle(f"Fluid temperature over the lifetime, {n} samples ({what})", fontsize=11)
    return _save(fig, path)


def write_uncertainty_report(ds: xr.Dataset, out_dir, source=None) -> list[Path]:
    """``fan_chart.png``, ``summary.md`` (the quantile table, the inputs) and a
    self-contained ``report.html`` of an uncertainty result; returns the paths."""
    from gshp.io import report_html as rh
    from gshp.studies.uncertainty import quantile_table

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fan = out / FAN_CHART
    fig_fan_chart(ds, fan)
    table = quantile_table(ds)
    inputs = _inputs(ds)
    title = str(ds.attrs.get("title", "gshp uncertainty"))
    failed = json.loads(ds.attrs.get("failed_samples", "[]") or "[]")
    n = ds.sizes["sample"]
    head = (
        f"{n} samples ({ds.attrs.get('sampling_method', '?')}, seed "
        f"{ds.attrs.get('sampling_seed', '?')}), {len(failed)} failed. P10/P50/P90: the "
        "values that 10 %, 50 % and 90 % of the samples do not exceed."
    )
    md = out / "summary.md"
    text = [f"# {title}", "", head, "", table, "", "## Uncertain inputs", ""]
    text += [f"- `{p}`: {d}" for p, d in inputs]
    text += ["", "## Figures", "", f"![fan chart]({FAN_CHART})", ""]
    md.write_text("\n".join(text), encoding="utf-8")
    rows = [line.strip("|").split("|") for line in table.splitlines()[2:] if line.startswith("|")]
    header = [c.strip() for c in table.splitlines()[0].strip("|").split("|")]
    rows = [[c.strip() for c in r] for r in rows]
    extra = [line for line in table.splitlines()[2:] if line and not line.startswith("|")]
    sections = [
        ("Quantiles of the indicators",
         f'<p class="note">{rh.escape(head)}</p>' + rh.table_html(rows, header)
         + "".join(f"<p>{rh.escape(e)}</p>" for e in extra), False),
        ("Fan chart", rh.figure_html(fan, "P10–P90 band and P50 of the yearly fluid "
                                     "extremes over the samples, with the [sizing] limits."),
         False),
        ("Uncertain inputs", "<ul>" + "".join(
            f"<li><code>{rh.escape(p)}</code>: {rh.escape(d)}</li>" for p, d in inputs)
         + "</ul>", False),
    ]  # fmt: skip
    if failed:
        sections.append(("Failed samples", "<ul>" + "".join(
            f"<li><b>{rh.escape(i['name'])}</b>: {rh.escape(i['error'])}</li>"
            for i in failed) + "</ul>", False))  # fmt: skip
    html = out / "report.html"
    rh.write_html(html, rh.document(title, str(ds.attrs.get("case_kind", "")), sections,
                                    rh.gshp_version(), [source] if source else []))  # fmt: skip
    return [fan, md, html]


def _inputs(ds) -> list[tuple[str, str]]:
    """(path, distribution text) of each sampled input."""
    out = []
    for p in json.loads(ds.attrs.get("uncertainty_paths", "[]") or "[]"):
        if p not in ds:
            continue
        a = ds[p].attrs
        params = ", ".join(f"{k[5:]}={float(v):g}" for k, v in a.items() if k.startswith("dist_"))
        unit = f" [{a['units']}]" if a.get("units") else ""
        out.append((p, f"{a.get('distribution', 'given values')}({params}){unit}"))
    return out
