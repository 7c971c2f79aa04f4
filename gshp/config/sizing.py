"""[sizing]: the design limits on the borefield fluid that ``gshp size`` (and the report's
verdict) use; ``gshp size`` options override them."""

from __future__ import annotations

from dataclasses import dataclass

from gshp.config.fields import F
from gshp.errors import Problem


@dataclass(frozen=True)
class SizingConfig:
    """[sizing]: which fluid temperature is limited, how often, and the limits."""

    criterion: str = F(
        "mean",
        kind="str",
        choices=("mean", "inlet", "outlet"),
        doc="Where the limits apply: 'mean' = (inlet + outlet)/2 while the pump runs (the "
        "convention of EED, GHEtool and the ASHRAE method); 'inlet' (the coldest fluid in "
        "heating: freezing starts there); 'outlet' (the fluid that reaches the heat pump's "
        "evaporator: GHEDesigner's heat pump entering fluid temperature). See docs/sizing.md.",
    )
    check: str = F(
        "hourly",
        kind="str",
        choices=("hourly", "step"),
        doc="'hourly': the limits hold for hourly means of the steps with the pump running "
        "(as the peers, whose step is an hour); 'step': at every time step.",
    )
    T_fluid_min_C: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-60,
        hi=100,
        unit="°C",
        doc="Lower limit (e.g. 0 °C; the EED/GHEtool default is 0 °C); none: not limited.",
    )
    T_fluid_max_C: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-60,
        hi=100,
        unit="°C",
        doc="Upper limit (e.g. 25 °C for free cooling); none: not limited.",
    )


def checks(case) -> list[Problem]:
    s = case.sizing
    if s.T_fluid_min_C is not None and s.T_fluid_max_C is not None:
        if s.T_fluid_min_C >= s.T_fluid_max_C:
            return [Problem("sizing.T_fluid_min_C", s.T_fluid_min_C, "below sizing.T_fluid_max_C")]
    return []
