"""[district]: the buildings, their DHW and PVT, or a load file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gshp.config.climate import PRESETS
from gshp.config.fields import F
from gshp.errors import Problem


@dataclass(frozen=True)
class DistrictConfig:
    """[district]: the buildings, their DHW and PVT, or a load file."""

    preset: str | None = F(
        None,
        kind="str",
        optional=True,
        choices=PRESETS,
        doc="Calibrated reference district (docs/reference-study.md §7, R3); default: the climate "
        "preset.",
    )
    n_buildings: int = F(
        7,
        kind="int",
        lo=1,
        hi=2000,
        doc="Number of buildings (reference: 7). The building model holds a year of "
        "15-min series per building: about 2.1 MB and 23 ms per simulated year each "
        "(measured), so 2000 buildings need about 4.6 GB and 15 min for 20 years.",
    )
    heated_area_m2: float = F(
        3920.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1e7,
        unit="m²",
        doc="Heated floor area of all buildings (reference: 7 × 560 m²).",
    )
    persons: int | None = F(
        None,
        kind="int",
        optional=True,
        lo=0,
        hi=10**6,
        doc="Occupants; default derived from the floor area.",
    )
    dhw_litres_per_person_day: float = F(
        50.0, kind="float", lo=0, hi=500, unit="L/d", doc="DHW draw at the tap (reference: 50)."
    )
    dhw_setpoint_C: float = F(
        43.0,
        kind="float",
        lo=30,
        hi=70,
        unit="°C",
        doc="DHW tank setpoint (reference: 43 °C, stop at 45 °C).",
    )
    load_file: Path | None = F(
        None,
        kind="path",
        optional=True,
        doc="CSV load file replacing the building model (see load_file_kind).",
    )
    load_file_kind: str = F(
        "demands",
        kind="str",
        choices=("demands", "network"),
        doc="'demands': building demands per column; 'network': the net network load directly.",
    )
    booster_capacity_kW: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=0,
        lo_open=True,
        hi=1e5,
        unit="kW",
        doc="Heating/cooling capacity of each building's booster heat pump (R2: 36 kW "
        "Helsinki, 25 kW Berlin and Strasbourg); default: the district preset's value.",
    )
    pvt_area_m2: float = F(
        518.4,
        kind="float",
        lo=0,
        hi=1e6,
        unit="m²",
        doc="PVT collector area (reference: 5 × 57.6 + 2 × 115.2).",
    )
    pvt_enabled: bool = F(True, kind="bool", doc="Whether the PVT collectors exist.")
    heating_scale: float = F(
        1.0,
        kind="float",
        lo=0,
        hi=5,
        unit="-",
        doc="Factor on the buildings' space heating demand (every 15-min value, from the "
        "building model or a 'demands' load file), e.g. for a load forecast's uncertainty "
        "([uncertainty], docs/uncertainty.md). The boosters' electricity and the network "
        "load follow it.",
    )
    cooling_scale: float = F(
        1.0,
        kind="float",
        lo=0,
        hi=5,
        unit="-",
        doc="Factor on the buildings' space cooling demand (as heating_scale).",
    )
    dhw_scale: float = F(
        1.0,
        kind="float",
        lo=0,
        hi=5,
        unit="-",
        doc="Factor on the DHW heat the boosters deliver (the DHW demand net of the PVT "
        "preheating, Q_dhw; as heating_scale).",
    )


SCALES = ("heating_scale", "cooling_scale", "dhw_scale")
"""The factors on the buildings' demands (:func:`gshp.physics.district.district_loads`)."""


def checks(case) -> list[Problem]:
    """The [district] section's own checks: the load file exists; a net network load file
    has no demands to scale."""
    dist = case.district
    if dist.load_file is not None and not dist.load_file.is_file():
        return [Problem("district.load_file", str(dist.load_file), "an existing file")]
    if dist.load_file is not None and dist.load_file_kind == "network":
        return [
            Problem(
                f"district.{name}",
                getattr(dist, name),
                "1 with a net network load file (load_file_kind = 'network': it has no "
                "separate heating, cooling and DHW demands to scale; use 'demands')",
            )
            for name in SCALES
            if getattr(dist, name) != 1.0
        ]
    return []
