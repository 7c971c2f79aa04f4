"""Properties of liquid water, one definition for the whole package.

Constant values for water at about 20 °C (within 0.3 % over 5–45 °C, the range of the
network, tank, condenser and DHW water), which keeps every energy balance exact:
c_p = 4186 J/(kg·K), ρ = 998 kg/m³ (Incropera, F.P. and DeWitt, D.P., *Fundamentals of
Heat and Mass Transfer*, 6th ed., Table A.6).
"""

CP_WATER = 4186.0
"""Specific heat capacity of water, J/(kg·K)."""
RHO_WATER = 998.0
"""Density of water, kg/m³."""
