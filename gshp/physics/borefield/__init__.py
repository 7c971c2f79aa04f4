"""Borefield: geometry, g-function (pygfunction, cached), borehole resistances, Claesson–
Javed load aggregation and a resistance–capacitance model of the borehole interior.

Public API: :class:`Borefield` (``from_config``, ``from_params``, ``kernel_setup``,
``simulate``), :class:`BorefieldKernel`, and the compiled per-step functions
:func:`borefield_outlet_coeffs`, :func:`borefield_advance`, :func:`borefield_inlet_for_heat`,
:func:`borefield_stored_heat`, :func:`borefield_wall_heat`.
"""

from gshp.physics.borefield.kernel import (
    borefield_advance,
    borefield_inlet_for_heat,
    borefield_outlet_coeffs,
    borefield_stored_heat,
    borefield_wall_heat,
    cj_step,
    ground_step,
)
from gshp.physics.borefield.model import Borefield, BorefieldKernel

__all__ = [
    "Borefield",
    "BorefieldKernel",
    "borefield_advance",
    "borefield_inlet_for_heat",
    "borefield_outlet_coeffs",
    "borefield_stored_heat",
    "borefield_wall_heat",
    "cj_step",
    "ground_step",
]
