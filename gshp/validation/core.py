"""Records of the validation report: one :class:`Row` per compared quantity, one
:class:`Section` per check family, and the references they cite.

A row compares gshp's value with a reference value (a published or measured number, or
another program's result) under a tolerance; ``status`` is ``pass``, ``FAIL`` or ``info``
(compared, no tolerance: shown beside the reference but never failing the report).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

#: Cited sources, by key (the report lists them at the end).
REFERENCES = {
    "CJ2012": "Claesson, J., Javed, S. (2012). A load-aggregation method to calculate "
    "extraction temperatures of borehole heat exchangers. ASHRAE Transactions 118(1): 530–539.",
    "pyg": "Cimmino, M., Cook, J.C. (2022). pygfunction 2.2: New features and improvements in "
    "accuracy and computational efficiency. IGSHPA Research Track 2022. "
    "https://github.com/MassimoCimmino/pygfunction",
    "CB2014": "Cimmino, M., Bernier, M. (2014). A semi-analytical method to generate "
    "g-functions for geothermal bore fields. Int. J. Heat Mass Transfer 70: 641–650.",
    "Cim2015": "Cimmino, M. (2015). The effects of borehole thermal resistances and fluid flow "
    "rate on the g-functions of geothermal bore fields. Int. J. Heat Mass Transfer 91: "
    "1119–1127.",
    "PC2021": "Prieto, C., Cimmino, M. (2021). Thermal interactions in large irregular fields "
    "of geothermal boreholes: the method of equivalent boreholes. J. Build. Perf. Simul. "
    "14(4): 446–460.",
    "Beier2011": "Beier, R.A., Smith, M.D., Spitler, J.D. (2011). Reference data sets for "
    "vertical borehole ground heat exchanger models and thermal response test analysis. "
    "Geothermics 40: 79–85.",
    "IBPSA": "Laferrière, A., Cimmino, M., Picard, D., Helsen, L. (2020). Development and "
    "validation of a full-time-scale semi-analytical model for the short- and long-term "
    "simulation of vertical geothermal bore fields. Geothermics 86: 101788 (Modelica IBPSA "
    "library, Borefields.Validation.Sandbox).",
    "Bauer2011": "Bauer, D., Heidemann, W., Müller-Steinhagen, H., Diersch, H.-J.G. (2011). "
    "Thermal resistance and capacity models for borehole heat exchangers. Int. J. Energy Res. "
    "35: 312–320.",
    "PM2012": "Pasquier, P., Marcotte, D. (2012). Short-term simulation of ground heat "
    "exchanger with an improved TRCM. Renewable Energy 46: 92–99.",
    "EN14511": "EN 14511-2:2018 Air conditioners, liquid chilling packages and heat pumps … "
    "Part 2: Test conditions (Table 5, brine-to-water standard rating conditions); band of "
    "certified 25–140 kW brine-to-water machines (EN 14511 / Heat Pump Keymark test data) "
    "as summarised in docs/reference-study.md §2.",
    "Study§7": "Reference study of the ULT district (7 buildings, 3 920 m², Helsinki, "
    "Berlin, Strasbourg), tables R2, R3, R5, R6, R7 and the GSHP SCOPs: "
    "docs/reference-study.md §7.",
    "Study§3": "Energy-balance convention, docs/reference-study.md §3: the energy balance must "
    "close to better than 0.1 % of the energy throughput; results identical whatever the "
    "number of jobs.",
    "AB2019": "Ahmadfard, M., Bernier, M. (2019). A review of vertical ground heat exchanger "
    "sizing tools including an inter-model comparison. Renewable and Sustainable Energy "
    "Reviews 110: 247–265. https://doi.org/10.1016/j.rser.2019.04.045 (test data and the "
    "tools' lengths as carried by GHEtool, BSD-3-Clause).",
    "GHEtool": "Peere, W., Blanke, T. (2022). GHEtool: An open-source tool for borefield "
    "sizing in Python. Journal of Open Source Software 7(76): 4406. "
    "https://doi.org/10.21105/joss.04406; "
    "https://github.com/wouterpeere/GHEtool (2.4.0, run in its own environment).",
}


def pygfunction_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pygfunction")
    except PackageNotFoundError:  # pragma: no cover
        return "?"


@dataclass
class Row:
    """One compared quantity.

    ``tolerance`` is a text for the report; ``passed`` None means ``info`` (no tolerance).
    ``diff`` is gshp − reference in the row's unit (NaN when there is no single number).
    """

    check: str
    quantity: str
    reference: str
    cite: str
    value: float
    ref_value: float = math.nan
    unit: str = ""
    tolerance: str = "—"
    passed: bool | None = None
    digits: int = 2

    @property
    def diff(self) -> float:
        if isinstance(self.ref_value, int | float) and math.isfinite(self.ref_value):
            return self.value - self.ref_value
        return math.nan

    @property
    def status(self) -> str:
        if self.passed is None:
            return "info"
        return "pass" if self.passed else "FAIL"


@dataclass
class Section:
    """A check family: its rows, Markdown text (paragraphs, tables) and figures."""

    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""
    """One line printed by ``gshp validate`` (e.g. why the section was skipped)."""

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.passed is False]


def within(value, ref, tol, rel=False):
    """(passed, tolerance text): |value − ref| ≤ tol (absolute, or relative to |ref|)."""
    slack = 1.0 + 1e-9  # a value exactly on the limit passes despite rounding
    if rel:
        ok = abs(value - ref) <= tol * abs(ref) * slack
        return ok, f"± {tol * 100:g} %"
    return abs(value - ref) <= tol * slack, f"± {tol:g}"


def at_most(value, limit, unit=""):
    """(passed, tolerance text): value ≤ limit."""
    return value <= limit, f"≤ {limit:g} {unit}".rstrip()


def in_band(value, lo, hi):
    """(passed, tolerance text): lo ≤ value ≤ hi."""
    return lo <= value <= hi, f"{lo:g} – {hi:g}"


def fmt(v, digits=2) -> str:
    """A number for the report (– for NaN, scientific below 1e-3)."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if not math.isfinite(v):
        return "–"
    if v != 0 and abs(v) < 1e-3:
        return f"{v:.1e}"
    return f"{v:.{digits}f}"


def markdown_table(header, rows, left: int = 1) -> str:
    """GitHub Markdown table; the first ``left`` columns left-aligned, the others
    right-aligned; '|' inside a cell is escaped."""

    def cell(c):
        return str(c).replace("|", "\\|")

    lines = [
        "| " + " | ".join(cell(h) for h in header) + " |",
        "|" + "|".join(["---"] * left + ["---:"] * (len(header) - left)) + "|",
    ]
    for r in rows:
        lines.append("| " + " | ".join(cell(c) for c in r) + " |")
    return "\n".join(lines)
