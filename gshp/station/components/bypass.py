"""Cooling bypass: the borefield fluid runs through the tank coil and back into the
borefield, ``Q = ε·m·c_p·(T_out − T_coil)``, solved in closed form with the borefield's
affine response ``T_out = a + b·T_in`` (DESIGN §2). It has no parameters of its own:
the borefield flow and the tank coil define it; the controls switch it."""

from __future__ import annotations

from gshp.jit import kernel_jit
from gshp.physics.tank import coil_temperature


@kernel_jit(inline="always")
def bypass_inlet(a, b, tank_T, tank_p, eps, m_cp_bf):
    """Borefield inlet temperature (°C) and coil capacity rate ε·m·c_p (W/K); ``eps``:
    the coil's effectiveness at the borefield flow (:func:`gshp.physics.tank.coil_effectiveness`,
    computed once per case: the flow is constant)."""
    T_coil = coil_temperature(tank_T, tank_p)
    T_out = (a + b * eps * T_coil) / (1.0 - b * (1.0 - eps))
    T_in = T_out + eps * (T_coil - T_out)
    return T_in, eps * m_cp_bf


@kernel_jit(inline="always")
def bypass_heat(m_cp_bf, T_bhe_in, T_bhe_out):
    """Heat removed from the tank by the borefield fluid, W."""
    return m_cp_bf * (T_bhe_in - T_bhe_out)
