"""[tank]: the stratified storage tank with its immersed coil."""

from __future__ import annotations

from dataclasses import dataclass

from gshp.config.fields import F
from gshp.errors import Problem


@dataclass(frozen=True)
class TankConfig:
    """[tank]: stratified storage tank with an immersed coil."""

    volume_m3: float = F(
        10.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1e4,
        unit="m³",
        doc="Not reported by the reference study; 10 m³ stores about "
        "30 min of the 96–135 kW heat pump at 5 K.",
    )
    height_m: float = F(
        3.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=50,
        unit="m",
        doc="Tank height (typical plant-room tank, aspect ratio ~1.5).",
    )
    n_layers: int = F(12, kind="int", lo=1, hi=100, doc="Fully mixed layers.")
    loss_UA_W_K: float = F(
        10.0,
        kind="float",
        lo=0,
        hi=1e5,
        unit="W/K",
        doc="Heat loss coefficient of the whole tank (≈26 m² at 0.4 W/(m²·K) for 10 m³ insulated).",
    )
    T_room_C: float = F(15.0, kind="float", lo=-40, hi=90, unit="°C", doc="Plant-room temperature.")
    coil_bottom_layer: int = F(
        1, kind="int", lo=1, hi=100, doc="Lowest layer of the immersed coil (1 = bottom)."
    )
    coil_top_layer: int = F(
        6,
        kind="int",
        lo=1,
        hi=100,
        doc="Highest layer of the coil (default: lower half of a 12-layer tank).",
    )
    coil_UA_W_K: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=0,
        lo_open=True,
        hi=1e8,
        unit="W/K",
        doc="Coil UA; default: rated heating capacity / 2 K (a 2 K approach at rated "
        "load, ≈ 50–100 m² of coil at 500–1000 W/(m²·K); smaller coils leave the cooling "
        "bypass short of the 25 °C setpoint at peak).",
    )
    T_initial_C: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-40,
        hi=90,
        unit="°C",
        doc="Initial tank temperature; default: the first heating setpoint.",
    )


def checks(case) -> list[Problem]:
    """The [tank] section's own checks: the coil lies within the tank's layers."""
    tank = case.tank
    out = []
    for name in ("coil_bottom_layer", "coil_top_layer"):
        v = getattr(tank, name)
        if v > tank.n_layers:
            out.append(
                Problem(f"tank.{name}", v, f"a layer in [1, tank.n_layers = {tank.n_layers}]")
            )
    if tank.coil_bottom_layer > tank.coil_top_layer:
        out.append(
            Problem(
                "tank.coil_bottom_layer",
                tank.coil_bottom_layer,
                f"≤ tank.coil_top_layer ({tank.coil_top_layer})",
            )
        )
    return out
