"""[controls]: season rule, hysteresis of the GSHP and of the bypass, minimum times."""

from __future__ import annotations

from dataclasses import dataclass

from gshp.config.fields import F
from gshp.errors import Problem


@dataclass(frozen=True)
class ControlsConfig:
    """[controls]: season rule, GSHP and bypass hysteresis, minimum run/rest times."""

    season: str = F(
        "calendar",
        kind="str",
        choices=("calendar", "auto"),
        doc="calendar: cooling_months; auto: sign of the net network load over a moving window.",
    )
    cooling_months: tuple = F(
        (6, 7, 8, 9),
        kind="ints",
        lo=1,
        hi=12,
        doc="Months of the cooling season (season 'calendar').",
    )
    auto_window_h: float = F(
        168.0,
        kind="float",
        lo=1,
        hi=2160,
        unit="h",
        doc="Moving window of the automatic season rule.",
    )
    season_override_margin_K: float = F(
        2.0,
        kind="float",
        lo=0,
        hi=30,
        unit="K",
        doc="Protective override of the season rule: in the heating season the station "
        "switches to cooling for the rest of the day when the tank's cold side exceeds the "
        "cooling setpoint by this margin (heat rejected with no sink), and in the cooling "
        "season to heating when the warm side falls this far below the heating setpoint.",
    )
    sensor_height_fraction: float = F(
        0.5,
        kind="float",
        lo=0,
        hi=1,
        unit="-",
        doc="Height of the tank control sensor (0 bottom, 1 top).",
    )
    gshp_on_offset_K: float = F(
        1.0,
        kind="float",
        lo=-20,
        hi=30,
        unit="K",
        doc="GSHP starts when the sensor falls below setpoint + this.",
    )
    gshp_off_offset_K: float = F(
        5.0,
        kind="float",
        lo=-20,
        hi=30,
        unit="K",
        doc="GSHP stops when the sensor rises above setpoint + this (must exceed the on offset).",
    )
    bypass_on_offset_K: float = F(
        1.0,
        kind="float",
        lo=-20,
        hi=30,
        unit="K",
        doc="Cooling bypass starts when the sensor rises above setpoint − this.",
    )
    bypass_off_offset_K: float = F(
        5.0,
        kind="float",
        lo=-20,
        hi=30,
        unit="K",
        doc="Bypass stops when the sensor falls below setpoint − this (must exceed the on offset).",
    )
    min_on_time_s: float = F(
        600.0,
        kind="float",
        lo=0,
        hi=86400,
        unit="s",
        doc="Minimum run time of the GSHP and of the bypass.",
    )
    min_off_time_s: float = F(
        600.0,
        kind="float",
        lo=0,
        hi=86400,
        unit="s",
        doc="Minimum rest time of the GSHP and of the bypass.",
    )


def checks(case) -> list[Problem]:
    """The [controls] section's own checks: distinct months, off offsets beyond on offsets."""
    ctl = case.controls
    out = []
    if len(set(ctl.cooling_months)) != len(ctl.cooling_months):
        out.append(
            Problem(
                "controls.cooling_months", list(ctl.cooling_months), "distinct months in [1, 12]"
            )
        )
    if ctl.gshp_off_offset_K <= ctl.gshp_on_offset_K:
        out.append(
            Problem(
                "controls.gshp_off_offset_K",
                ctl.gshp_off_offset_K,
                f"> controls.gshp_on_offset_K ({ctl.gshp_on_offset_K:g} K)",
            )
        )
    if ctl.bypass_off_offset_K <= ctl.bypass_on_offset_K:
        out.append(
            Problem(
                "controls.bypass_off_offset_K",
                ctl.bypass_off_offset_K,
                f"> controls.bypass_on_offset_K ({ctl.bypass_on_offset_K:g} K)",
            )
        )
    return out
