"""[climate]: a built-in weather preset or a weather file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gshp.config.fields import F
from gshp.errors import Problem

PRESETS = ("helsinki", "berlin", "strasbourg")


@dataclass(frozen=True)
class ClimateConfig:
    """[climate]: a built-in preset or a weather file (one of the two)."""

    preset: str | None = F(
        None,
        kind="str",
        optional=True,
        choices=PRESETS,
        doc="Synthetic weather calibrated to the monthly statistics of docs/reference-study.md §8.",
    )
    weather_file: Path | None = F(
        None,
        kind="path",
        optional=True,
        doc="EnergyPlus .epw or DWD test reference year .dat "
        "file; relative to the case file's folder.",
    )
    latitude_deg: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-90,
        hi=90,
        unit="°",
        doc="Site latitude; default: the preset's or the weather file's.",
    )


def checks(case) -> list[Problem]:
    """The [climate] section's own checks: one source of weather, an existing file, a
    test reference year file with its position."""
    clim = case.climate
    out = []
    if (clim.preset is None) == (clim.weather_file is None):
        out.append(
            Problem(
                "climate",
                {
                    "preset": clim.preset,
                    "weather_file": str(clim.weather_file) if clim.weather_file else None,
                },
                "exactly one of climate.preset and climate.weather_file",
            )
        )
    if clim.weather_file is not None and not clim.weather_file.is_file():
        out.append(Problem("climate.weather_file", str(clim.weather_file), "an existing file"))
    elif clim.weather_file is not None and clim.latitude_deg is None:
        # a TRY file without a position fails at check, not at run (issue 25)
        if clim.weather_file.suffix.lower() != ".epw":
            # imported here: pandas and pvlib, which `gshp check` of a preset case never needs
            from gshp.physics.climate import try_position_problem

            why = try_position_problem(clim.weather_file)
            if why is not None:
                out.append(why)
    return out
