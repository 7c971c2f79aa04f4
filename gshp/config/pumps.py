"""[pumps]: the circulation pumps."""

from __future__ import annotations

from dataclasses import dataclass

from gshp.config.fields import F


@dataclass(frozen=True)
class PumpsConfig:
    """[pumps]: circulation pumps, P = V̇·Δp/η (network: Δp ∝ V̇², affinity law)."""

    borefield_pressure_drop_kPa: float = F(
        60.0,
        kind="float",
        lo=0,
        hi=2000,
        unit="kPa",
        doc="Borefield loop pressure drop at its flow (boreholes + headers + evaporator).",
    )
    network_pressure_drop_kPa: float = F(
        100.0, kind="float", lo=0, hi=2000, unit="kPa", doc="Network pressure drop at design flow."
    )
    condenser_pressure_drop_kPa: float = F(
        30.0, kind="float", lo=0, hi=2000, unit="kPa", doc="Condenser–coil loop pressure drop."
    )
    efficiency: float = F(
        0.5, kind="float", lo=0.05, hi=1, unit="-", doc="Wire-to-water efficiency of every pump."
    )
