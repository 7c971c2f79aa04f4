"""``constant``: one heating setpoint all season (reference: 20 °C)."""

from __future__ import annotations

import numpy as np

from gshp.station.components.clock import SLOTS_PER_YEAR

NAME = "constant"
ID = 0


def heating_setpoints(net, T_air_C=None) -> np.ndarray:
    """``network.T_supply_heating_C`` in every slot, °C."""
    return np.full(SLOTS_PER_YEAR, float(net.T_supply_heating_C))
