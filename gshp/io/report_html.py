"""One self-contained HTML report (``report.html``) a designer can hand to a client.

Standard library only (the figures are the PNGs the report already wrote, embedded as
``data:`` URIs): no external CSS, script, font or image, so the file opens anywhere and
prints from a browser to A4 (print CSS: page breaks between sections, figures never cut).
Used by :func:`gshp.io.report.write_report` and :func:`gshp.io.compare.write_comparison`.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
from html import escape
from pathlib import Path

CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Helvetica, Arial, sans-serif;
  color: #1d2430; font-size: 14px; line-height: 1.45; max-width: 1040px;
  margin: 0 auto; padding: 16px 20px 40px; }
header { border-bottom: 3px solid #2a5d8f; padding-bottom: 8px; margin-bottom: 8px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; color: #2a5d8f; border-bottom: 1px solid #c8d3df;
  padding-bottom: 2px; margin: 22px 0 8px; }
h3 { font-size: 14px; margin: 10px 0 4px; }
.meta { color: #5b6675; font-size: 12px; }
.meta span { margin-right: 18px; white-space: nowrap; }
p.note { color: #5b6675; font-size: 12px; }
table { border-collapse: collapse; font-size: 12.5px; margin: 4px 0 10px; }
th, td { padding: 3px 9px; border-bottom: 1px solid #dde3ea; text-align: right;
  vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
tbody tr:nth-child(even) td { background: #f8fafc; }
td.txt { text-align: left; }
.verdict { padding: 10px 14px; border-left: 6px solid #8a939e; background: #f3f5f7;
  margin: 6px 0; }
.verdict.ok { border-color: #2e7d32; background: #eaf5ea; }
.verdict.fail { border-color: #c62828; background: #fdecec; }
.verdict b { margin-right: 6px; }
.inputs { display: grid; grid-template-columns: repeat(auto-fill, minmax(310px, 1fr));
  gap: 4px 26px; }
.inputs table { width: 100%; margin: 0; }
.inputs td { font-size: 12px; }
.inputs td:first-child { color: #3d4754; }
.inputs div { break-inside: avoid; page-break-inside: avoid; }
figure { margin: 14px 0 18px; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 12px; color: #5b6675; margin-top: 4px; }
ul.left-out { font-size: 12.5px; }
footer { margin-top: 26px; color: #8a939e; font-size: 11px; border-top: 1px solid #dde3ea;
  padding-top: 6px; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  section.page { break-before: page; page-break-before: always; }
  figure img { max-height: 235mm; width: auto; max-width: 100%; }
  section.keep { break-inside: avoid; page-break-inside: avoid; }
  .inputs { grid-template-columns: repeat(3, 1fr); gap: 2px 14px; }
  .inputs td { font-size: 7.5pt; padding: 1px 4px; }
  .inputs h3 { font-size: 9pt; margin: 6px 0 2px; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, .verdict { break-inside: avoid; page-break-inside: avoid; }
  tbody tr:nth-child(even) td, th, .verdict { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
}
"""


def img_data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI (the report references no file)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure_html(path: Path, caption: str = "") -> str:
    """A ``<figure>`` with the PNG at ``path`` embedded."""
    path = Path(path)
    alt = escape(caption or path.stem)
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    uri = img_data_uri(path.read_bytes())
    return f'<figure><img src="{uri}" alt="{alt}">{cap}</figure>'


def fmt_value(v, col: str = "") -> str:
    """A table cell: numbers to sensible precision, NaN as a dash."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    try:
        import numpy as np

        if isinstance(v, np.generic):
            v = v.item()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(v, float):
        if not math.isfinite(v):
            return "–"
        if "closure" in col:
            return f"{v:.1e}"
        if abs(v) >= 100:
            return f"{v:,.0f}".replace(",", "\u2009")
        return f"{v:.2f}"
    return str(v)


def table_html(rows, header, first_col_text=True) -> str:
    """A table: ``header`` a list of column titles, ``rows`` lists of cells (formatted
    with :func:`fmt_value`, the first column as text)."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = []
    for r in rows:
        cells = []
        for j, v in enumerate(r):
            cls = ' class="txt"' if j == 0 and first_col_text else ""
            cells.append(f"<td{cls}>{escape(fmt_value(v, str(r[0])))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def summary_html(df, transpose: bool | None = None) -> str:
    """The summary table (one row per case). With few cases it is turned: one row per
    indicator, one column per case (readable on A4)."""
    cols = list(df.columns)
    if transpose is None:
        transpose = len(df) <= 6
    if not transpose:
        return table_html(df.itertuples(index=False, name=None), cols)
    header = ["", *[str(c) for c in df["case"]]]
    rows = [[c, *df[c].tolist()] for c in cols if c != "case"]
    return table_html(rows, header)


MAX_LIST = 12
"""Longest list of values shown in the inputs table (longer: their count)."""


def fmt_input(v) -> str:
    """An input value as given (numbers to 6 significant digits, not rounded to 0.01)."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _flat(d: dict, prefix: str = ""):
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from _flat(v, key + ".")
        elif isinstance(v, list):
            if len(v) <= MAX_LIST and all(not isinstance(x, dict | list) for x in v):
                yield key, ", ".join(fmt_input(x) for x in v)
            else:
                yield key, f"{len(v)} values"
        else:
            yield key, v


def inputs_html(case_json) -> str:
    """The case's inputs (the result's ``case`` attribute, JSON): one small table per
    section (nested tables as dotted names), the top-level values first."""
    try:
        cfg = json.loads(case_json) if isinstance(case_json, str) else dict(case_json or {})
    except ValueError:
        cfg = {}
    if not cfg:
        return '<p class="note">The result holds no case inputs.</p>'
    top = [(k, v) for k, v in cfg.items() if not isinstance(v, dict)]
    parts = []
    if top:
        parts.append(_section_table("case", top))
    for name, sec in cfg.items():
        if isinstance(sec, dict):
            parts.append(_section_table(name, list(_flat(sec))))
    return '<div class="inputs">' + "".join(parts) + "</div>"


def _section_table(name, items) -> str:
    rows = "".join(
        f'<tr><td>{escape(str(k))}</td><td class="txt">{escape(fmt_input(v))}</td></tr>'
        for k, v in items
    )
    return f"<div><h3>{escape(name)}</h3><table><tbody>{rows}</tbody></table></div>"


def verdict_html(items) -> str:
    """The limits verdict: ``items`` a list of (case label or None, Verdict or None);
    all None: no limits were given."""
    if not items or all(v is None for _, v in items):
        return (
            '<div class="verdict"><b>No limits given.</b> Pass --min-fluid-temp and/or '
            "--max-fluid-temp to gshp report for a verdict on the fluid temperatures.</div>"
        )
    out = []
    for label, v in items:
        if v is None:
            continue
        cls = "ok" if v.holds else "fail"
        word = "Limits hold." if v.holds else "Limits violated."
        who = f"{escape(label)}: " if label else ""
        out.append(f'<div class="verdict {cls}"><b>{who}{word}</b> {escape(v.sentence())}</div>')
    return "".join(out)


def verdict_table_html(items) -> str:
    """Each limit's margin per case (a table under the verdict sentences)."""
    rows = []
    for label, v in items:
        if v is None:
            continue
        for m in (v.lower, v.upper):
            if m is None:
                continue
            from gshp.io.verdict import MONTH_NAMES

            month = "" if m.month is None else f", {MONTH_NAMES[m.month - 1]}"
            rows.append([label or "", m.limit, m.limit_C, m.extreme_C, m.margin_K,
                         f"year {m.year}{month}"])  # fmt: skip
    if not rows:
        return ""
    return table_html(rows, ["case", "limit", "limit °C", "extreme °C", "margin K", "where"])


def document(title: str, subtitle: str, sections, version: str, sources=()) -> str:
    """The whole HTML page. ``sections``: a list of (heading, html, new_page); a section
    without a page break is kept on one page when it fits."""
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    meta = [f"<span>gshp {escape(version)}</span>", f"<span>report written {now}</span>"]
    meta += [f"<span>result: {escape(str(s))}</span>" for s in sources]
    body = [
        "<header>",
        f"<h1>{escape(title)}</h1>",
        f"<div>{escape(subtitle)}</div>" if subtitle else "",
        f'<div class="meta">{"".join(meta)}</div>',
        "</header>",
    ]
    for heading, html, new_page in sections:
        cls = ' class="page"' if new_page else ' class="keep"'
        body.append(f"<section{cls}><h2>{escape(heading)}</h2>{html}</section>")
    body.append(
        f"<footer>Written by gshp {escape(version)} (ground-source heat pump station "
        f"simulator) on {now}.</footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def gshp_version() -> str:
    from gshp.version import __version__

    return __version__


def write_html(path: Path, text: str) -> Path:
    """Write ``text`` atomically (a failed write leaves no half-written report)."""
    from gshp.io.fileio import atomic_write_bytes

    return atomic_write_bytes(Path(path), text.encode("utf-8"))
