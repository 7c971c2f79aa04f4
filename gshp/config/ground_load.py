"""[ground_load]: the hourly heat a borefield-only case (``kind = "borefield"``) exchanges
with the ground, read from a CSV file (:func:`gshp.io.ground_load.read_ground_load`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gshp.config.fields import F
from gshp.errors import Problem


@dataclass(frozen=True)
class GroundLoadConfig:
    """[ground_load]: hourly extraction and injection (kW), one year repeated or every year
    of the run, as GHEtool, EED and GHEDesigner take a ground load."""

    file: Path | None = F(
        None,
        kind="path",
        optional=True,
        doc="CSV file: comment lines '#', one header line of column names, then one row "
        "per hour from 1 January 00:00 (8760 rows: one year, repeated every year; or "
        "8760 × simulation.years rows). Delimiter ',', ';' or tab; decimal '.' (or ',' "
        "with ';'/tab). GHEtool's hourly profile CSV (';', columns heating;cooling in kW) "
        "reads with extraction_column = 'heating', injection_column = 'cooling'.",
    )
    extraction_column: str = F(
        "extraction_kW",
        kind="str",
        doc="Column of the heat extracted from the ground (≥ 0, in `unit`); matched "
        "without regard to case or surrounding blanks.",
    )
    injection_column: str = F(
        "injection_kW",
        kind="str",
        doc="Column of the heat injected into the ground (≥ 0, in `unit`); '' when the file "
        "has extraction only.",
    )
    unit: str = F("kW", kind="str", choices=("W", "kW", "MW"), doc="Unit of both columns.")
    scale: float = F(
        1.0,
        kind="float",
        lo=0,
        hi=100,
        unit="-",
        doc="Factor on both columns (e.g. for a sensitivity study).",
    )
    pump: str = F(
        "load",
        kind="str",
        choices=("load", "constant"),
        doc="'load': the borefield pump runs (at borefield.flow_per_borehole_kg_s) in the "
        "hours with a load and is off otherwise (as the GSHP's pump); 'constant': it runs "
        "all the time.",
    )


def checks(case) -> list[Problem]:
    """A borefield-only case needs its load file; a station case has no ground load."""
    gl = case.ground_load
    if case.kind == "borefield" and gl.file is None:
        return [Problem("ground_load.file", None, "a CSV ground load file (kind = 'borefield')")]
    if case.kind == "station" and gl.file is not None:
        return [
            Problem(
                "ground_load.file",
                str(gl.file),
                "only in a borefield-only case (kind = 'borefield'); a station case "
                "computes its ground load",
            )
        ]
    return []
