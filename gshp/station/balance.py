"""The station's energy balance: the sums the components add to at every step, and the
residuals of the tank, network-water, borefield-fluid, heat-pump and coupling balances
over a run (docs/reference-study.md §3).

Each component adds its own terms to the sums ``bal[B.…]`` (J): the station's heat to the
network, the coil's heat into the tank, the tank's loss, the substations' net load, the
borefield fluid's heat and its wall heat, the heat pump's first law, the coupling of the
borefield fluid with the evaporator, the coil or an air cooler, and the throughput the
residuals are measured against.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

B = namedtuple(
    "BalanceIndex",
    ["station", "tank_coil", "tank_loss", "network_load", "fluid", "heat_pump", "throughput",
     "wall", "coupling", "pump_power"],
)(*range(10))  # fmt: skip
"""Index of each sum in the ``bal`` accumulator (J); ``pump_power`` is the circulation
pumps' power of the current step (W), which :func:`gshp.station.totals.close_step` books
and resets at the end of each step."""
N_BAL = len(B)

BALANCE_TOLERANCE = 1e-3
"""Largest allowed energy-balance residual as a fraction of the throughput (reference study §3)."""


def residuals(bal: np.ndarray, stored0: dict, stored1: dict) -> dict:
    """Residuals (J) of the station's balances over a run, and their closure.

    ``stored0``/``stored1``: heat held at the start and end of the run by each component
    that stores heat (``tank``, ``borefield``, ``network``; J, from their ``stored_heat``).

    - tank: stored change = coil heat − heat to the network − loss;
    - network water: stored change = heat from the station − the substations' net load;
    - borefield fluid: heat it took up = heat through the walls − stored in fluid and grout;
    - heat pump: condenser = evaporator + electricity, step by step;
    - coupling: the fluid's heat is the evaporator's, the coil's or the air cooler's.
    """
    d = {k: stored1[k] - stored0[k] for k in stored0}
    tank = d["tank"] - (-bal[B.station] + bal[B.tank_coil] - bal[B.tank_loss])
    network = d["network"] - (bal[B.station] - bal[B.network_load])
    fluid = bal[B.fluid] - (bal[B.wall] - d["borefield"])
    hp = bal[B.heat_pump]
    coupling = bal[B.coupling]
    thr = bal[B.throughput]
    total = abs(tank) + abs(network) + abs(fluid) + abs(hp) + abs(coupling)
    return dict(
        tank_residual_J=tank,
        network_residual_J=network,
        borefield_residual_J=fluid,
        heat_pump_residual_J=hp,
        coupling_residual_J=coupling,
        throughput_J=thr,
        closure=total / thr if thr > 0 else 0.0,
    )
