"""Build a case's station: the district's loads, the season and setpoints, and every
component's records (each built by its own ``build``, :mod:`gshp.station.contract`).

:func:`prepare` computes what several components share (the district loads at the 15-min
slot resolution, the net network load at the nominal setpoints, the buried network's
set-up, the season of each slot, the supply setpoints) into a :class:`BuildContext`, then
builds the components in the order of the energy balance; a component that needs
another's records asks the context for them (``ctx.built("borefield")``), which builds
that one first.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from gshp.config import Case
from gshp.physics.district import district_loads
from gshp.physics.heatpump import default_booster_params
from gshp.physics.network.setup import prepare_network
from gshp.physics.water import CP_WATER, RHO_WATER
from gshp.station import records
from gshp.station.components.clock import SLOT_S, SLOTS_PER_YEAR, steps_per_year
from gshp.station.components.control import seasons
from gshp.station.components.network import network_load_nominal
from gshp.station.control.strategies import strategy
from gshp.station.memory import check_memory

LOAD_NAMES = dict(
    q_sh="Q_space_heating", q_dhw="Q_dhw", q_sc="Q_space_cooling", q_pvt="Q_pvt_network",
    q_direct="Q_network_net", t_air="T_air",
)  # fmt: skip
"""The load arrays the components use and the district's variable each comes from."""


@dataclass
class BuildContext:
    """What the components' ``build`` functions share: the case, the time step, the
    district's load arrays per 15-min slot (``arrays``, W and °C), the net network load
    at the nominal setpoints (``q_nominal``, W), the buried network's set-up (``netw``,
    None for the lumped model), the season (0 heating, 1 cooling) and supply setpoints of
    each slot, and the first step's setpoint; ``info`` collects the result attributes
    (``station_*``), ``objects`` the Python objects behind the records."""

    case: Case
    dt: float
    n_years: int
    arrays: dict
    direct: bool
    q_nominal: np.ndarray
    netw: object
    season: np.ndarray
    sp_heat: np.ndarray
    sp_cool: np.ndarray
    first_setpoint: float
    info: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    _built: dict = field(default_factory=dict)

    @property
    def n_steps(self) -> int:
        return self.n_years * steps_per_year(self.dt)

    def built(self, name: str):
        """(params, state) of component ``name``, built now if it is not yet."""
        if name not in self._built:
            self._built[name] = records.component(name).build(self)
        return self._built[name]


@dataclass
class Prepared:
    """Everything the kernel needs for one case, plus what the dataset reports.

    ``params`` (:class:`gshp.station.records.StationParams`) and ``state0``
    (:class:`~gshp.station.records.StationState`, the start of a run) hold the
    components' records; ``arrays`` the load and control arrays they share (for
    inspection; the same arrays the records hold); ``ctx`` the build context.
    """

    case: Case
    params: object
    state0: object
    arrays: dict
    n_years: int
    n_out: int
    info: dict
    ctx: BuildContext

    @property
    def network(self):
        """The buried network's set-up (:class:`gshp.physics.network.setup.NetworkSetup`),
        None for the lumped model."""
        return self.ctx.netw

    @property
    def heat_pump(self):
        return self.ctx.objects["heat_pump"]


def district_arrays(case: Case):
    """The district's loads per 15-min slot of a year: (arrays, direct, loads), with
    ``arrays`` of :data:`LOAD_NAMES` (zeros where the district has no such load) and the
    boosters' parameters, ``direct`` True when the net network load is given."""
    loads = district_loads(case)
    n = SLOTS_PER_YEAR
    arrays = {
        key: np.ascontiguousarray(loads[name].values, dtype=np.float64)
        if name in loads
        else np.zeros(n)
        for key, name in LOAD_NAMES.items()
    }
    arrays["booster"] = default_booster_params()
    return arrays, "Q_network_net" in loads, loads


def prepare(case: Case) -> Prepared:
    """Build every kernel input of a case (district loads, controls, components)."""
    sim, net = case.simulation, case.network
    dt = float(sim.time_step_s)
    check_memory(case)  # before the big arrays: refused with the estimate when too big
    arrays, direct, loads = district_arrays(case)
    # Net network load at the nominal setpoints: sizes the network flow and drives the
    # automatic season rule.
    q_nominal = (
        arrays["q_direct"]
        if direct
        else network_load_nominal(
            arrays["q_sh"],
            arrays["q_dhw"],
            arrays["q_sc"],
            arrays["q_pvt"],
            net.T_supply_heating_C,
            net.T_supply_cooling_C,
            arrays["booster"],
        )  # fmt: skip
    )
    netw = None
    q_station = q_nominal
    if net.model == "pipes":
        netw = prepare_network(
            case, q_nominal, arrays["t_air"], net.T_supply_heating_C, arrays["booster"],
            CP_WATER, RHO_WATER,
        )  # fmt: skip
        # the station's net load: the substations' and their loss to the soil with the
        # water at the heating setpoint less half the substations' ΔT
        q_station = q_nominal - netw.exchange_estimate(
            net.T_supply_heating_C - 0.5 * net.substation_dT_K
        )
    season = seasons(case, q_station)
    sp_heat = np.ascontiguousarray(strategy(net.strategy).heating_setpoints(net, arrays["t_air"]))
    sp_cool = np.full(season.size, float(net.T_supply_cooling_C))
    first = float(sp_heat[0]) if season[0] == 0 else float(sp_cool[0])
    arrays.update(season=season, sp_heat=sp_heat, sp_cool=sp_cool)
    ctx = BuildContext(
        case=case, dt=dt, n_years=sim.years, arrays=arrays, direct=bool(direct),
        q_nominal=q_nominal, netw=netw, season=season, sp_heat=sp_heat, sp_cool=sp_cool,
        first_setpoint=first,
    )  # fmt: skip
    built = [ctx.built(m.NAME) for m in records.COMPONENTS]
    params = records.StationParams(*(b[0] for b in built))
    state0 = records.StationState(*(b[1] for b in built))
    clock = params.clock
    ctx.info.update(n_steps=clock.n_steps, district_load_summary=_load_totals(loads))
    arrays.update(month=clock.month, out_slot=clock.out_slot)
    return Prepared(
        case=case, params=params, state0=state0, arrays=arrays, n_years=sim.years,
        n_out=clock.n_out_per_year * sim.years, info=ctx.info, ctx=ctx,
    )  # fmt: skip


def _load_totals(loads) -> dict:
    out = {}
    for name in ("Q_space_heating", "Q_space_cooling", "Q_dhw", "Q_pvt_network", "Q_pvt_dhw",
                 "P_pvt", "Q_network_net"):  # fmt: skip
        if name in loads:
            out[name + "_MWh"] = round(float(loads[name].values.sum()) * SLOT_S / 3.6e9, 3)
    return out


def initial_state(prep: Prepared):
    """Fresh state records of the components at the start of a run (a copy of those
    built; the tank and the ground keep theirs in their parameter records)."""
    return copy.deepcopy(prep.state0)


def kernel_buffers(prep: Prepared):
    """Fresh accumulators for a run of ``prep`` (extremes start at ±inf)."""
    return records.accumulators(prep.n_out, prep.n_years, prep.params)


def stored_heat(prep: Prepared, state) -> dict:
    """Heat held by each component that stores heat, J (their ``stored_heat``)."""
    return {
        m.NAME: m.stored_heat(getattr(prep.params, m.NAME), getattr(state, m.NAME))
        for m in records.COMPONENTS
        if hasattr(m, "stored_heat")
    }
