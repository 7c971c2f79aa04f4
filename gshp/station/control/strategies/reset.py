"""``reset``: a classical outdoor reset curve (e.g. EN 12831 / ASHRAE Handbook—HVAC
Applications ch. 1): the heating setpoint linear in the trailing 24-h mean outdoor
temperature between two points, clamped outside them."""

from __future__ import annotations

import numpy as np

from gshp.station.components.clock import SLOT_S

NAME = "reset"
ID = 2


def trailing_mean(x, window_slots: int) -> np.ndarray:
    """Trailing moving mean of a periodic one-year series over ``window_slots`` slots."""
    x = np.asarray(x, dtype=float)
    w = max(1, int(window_slots))
    ext = np.concatenate([x[-w:], x])
    csum = np.concatenate([[0.0], np.cumsum(ext)])
    return (csum[w + 1 : w + 1 + x.size] - csum[1 : 1 + x.size]) / w


def reset_curve(T_outdoor_C, T_outdoor_points_C, T_supply_points_C) -> np.ndarray:
    """Outdoor reset: supply setpoint linear between two points, constant outside, °C."""
    x0, x1 = T_outdoor_points_C
    y0, y1 = T_supply_points_C
    t = np.clip((np.asarray(T_outdoor_C, dtype=float) - x0) / (x1 - x0), 0.0, 1.0)
    return y0 + t * (y1 - y0)


def heating_setpoints(net, T_air_C) -> np.ndarray:
    """The reset curve of ``network.reset_T_outdoor_C`` / ``reset_T_supply_C`` at the
    trailing 24-h mean of ``T_air_C`` (outdoor temperature per slot, °C)."""
    t_out = trailing_mean(T_air_C, int(round(86400.0 / SLOT_S)))
    return reset_curve(t_out, net.reset_T_outdoor_C, net.reset_T_supply_C)
