"""``schedule``: the heating setpoint by calendar month (the reference study's "variable"
strategy: 8 °C November–March, 20 °C otherwise)."""

from __future__ import annotations

import numpy as np

from gshp.station.components.clock import month_of_slot

NAME = "schedule"
ID = 1


def heating_setpoints(net, T_air_C=None) -> np.ndarray:
    """``network.heating_setpoint_by_month_C[month − 1]`` in every slot, °C."""
    return np.asarray(net.heating_setpoint_by_month_C, dtype=float)[month_of_slot() - 1]
