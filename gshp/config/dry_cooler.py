"""[dry_cooler]: the air-to-brine dry cooler on the borefield loop (off by default)."""

from __future__ import annotations

from dataclasses import dataclass

from gshp.config.fields import F
from gshp.errors import Problem


@dataclass(frozen=True)
class DryCoolerConfig:
    """[dry_cooler]: an air-to-brine dry cooler on the borefield loop that puts summer heat
    back into the ground while the GSHP and the bypass leave the loop free (regeneration
    of heating-dominated fields; off by default)."""

    enabled: bool = F(False, kind="bool", doc="A dry cooler is installed.")
    UA_W_K: float = F(
        10000.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1e7,
        unit="W/K",
        doc="Conductance of the air-to-brine exchanger with its fans at full speed "
        "(≈ 50 kW at 5 K air-to-brine for 10 kW/K; manufacturers' data sheets give the "
        "capacity at a stated ΔT: UA ≈ Q/ΔT).",
    )
    fan_power_kW: float = F(
        1.5,
        kind="float",
        lo=0,
        hi=1000,
        unit="kW",
        doc="Fans' electric power while it runs (about 3 % of the capacity at 5 K, typical "
        "of EC-fan dry coolers).",
    )
    months: tuple = F(
        (5, 6, 7, 8, 9),
        kind="ints",
        lo=1,
        hi=12,
        doc="Calendar months in which it may run (default May–September).",
    )
    on_dT_K: float = F(
        4.0,
        kind="float",
        lo=0,
        hi=50,
        unit="K",
        doc="Starts when the air is this much warmer than the fluid at the borefield outlet.",
    )
    off_dT_K: float = F(
        1.5,
        kind="float",
        lo=0,
        hi=50,
        unit="K",
        doc="Stops when the air is less than this much warmer than the fluid "
        "(≤ on_dT_K; the fans' power is then worth more than the heat).",
    )
    T_air_min_C: float = F(
        12.0, kind="float", lo=-50, hi=60, unit="°C", doc="Lowest air temperature it runs at."
    )
    T_fluid_max_C: float = F(
        20.0,
        kind="float",
        lo=-20,
        hi=60,
        unit="°C",
        doc="Stops when the fluid at the borefield outlet reaches this (regeneration target).",
    )
    min_on_time_s: float = F(
        1800.0, kind="float", lo=0, hi=86400, unit="s", doc="Minimum run time."
    )
    min_off_time_s: float = F(
        1800.0, kind="float", lo=0, hi=86400, unit="s", doc="Minimum rest time."
    )


def checks(case) -> list[Problem]:
    """The [dry_cooler] section's own checks: a hysteresis band, distinct months."""
    dc = case.dry_cooler
    out = []
    if dc.off_dT_K > dc.on_dT_K:
        out.append(
            Problem("dry_cooler.off_dT_K", dc.off_dT_K, f"≤ dry_cooler.on_dT_K ({dc.on_dT_K:g} K)")
        )
    if len(set(dc.months)) != len(dc.months):
        out.append(Problem("dry_cooler.months", list(dc.months), "distinct months in [1, 12]"))
    return out
