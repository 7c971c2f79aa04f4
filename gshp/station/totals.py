"""Station totals booked once per step: the circulation pumps' power.

Each component with a pump adds its power of the step to ``bal[B.pump_power]``; at the
end of the step :func:`close_step` books the sum (``P_pumps``, ``E_pumps``) and resets it.
The station's total electricity ``E_total`` is made when the result is assembled, from
the yearly indicators declared with ``adds_to=("E_total",)``.
"""

from __future__ import annotations

from gshp.jit import kernel_jit
from gshp.station.balance import B
from gshp.station.contract import Var, index

NAME = "totals"
OUTPUTS = (Var("P_pumps", "W", "electric power of the circulation pumps", "mean"),)
YEARLY = (Var("E_pumps", "kW h", "circulation pumps' electricity", "energy"),)
OUT = index(OUTPUTS, "TotalsOutputs")
YR = index(YEARLY, "TotalsYearly")
E_TOTAL = Var("E_total", "kW h",
              "electricity of the GSHP, the boosters, the pumps and the station's other units",
              "energy")  # fmt: skip


@kernel_jit(inline="always")
def close_step(a, year, o, dt, bal):
    """Book the step's pump power and reset it for the next step."""
    P = bal[B.pump_power]
    a.out[o, OUT.P_pumps] += P
    a.yearly[year, YR.E_pumps] += P * dt
    bal[B.pump_power] = 0.0
