"""Build a case, run the station kernel, assemble the result Dataset.

This is the one orchestrating layer: it turns a :class:`~gshp.config.Case` into the
kernel's arrays (district loads, season and setpoints, heat pump table, tank, borefield),
runs :func:`gshp.station.run_kernel`, checks the energy balance and assembles an
:class:`xarray.Dataset` with the names of DESIGN §4.
"""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import dataclass
from importlib.metadata import version

import numpy as np
import xarray as xr

from gshp import controls, station
from gshp.config import Case, load_case
from gshp.errors import InputError
from gshp.results import cf_metadata
from gshp.water import CP_WATER, RHO_WATER  # noqa: E402  (network and condenser water)

SLOT_S = controls.SLOT_S
BALANCE_TOLERANCE = 1e-3
"""Largest allowed energy-balance residual as a fraction of the throughput (DESIGN §3)."""
VOLATILE_ATTRS = ("kernel_wall_time_s", "station_gfunction_from_cache", "station_gfunction_setup_s")
"""Attributes that describe how a run went (timings, cache hits), not its result."""

RESOLUTION_S = {"15min": 900, "hourly": 3600, "daily": 86400}
FREQ = {"15min": "15min", "hourly": "h", "daily": "D", "monthly": "MS"}

VAR_META = {v.name: (v.units, v.long_name) for v in station.OUTPUTS + station.YEARLY}
"""Units and long names of the outputs and yearly indicators (from their declaration in
:mod:`gshp.station`)."""


@dataclass
class Prepared:
    """Everything the kernel needs for one case, plus what the dataset reports.

    ``params`` holds the components' parameter records (:class:`gshp.station.StationParams`,
    the one place they are built); ``arrays`` names the load and control arrays they share
    (for inspection); ``tank`` and ``borefield`` are the records with the state arrays.
    """

    case: Case
    params: station.StationParams
    arrays: dict
    tank: object
    borefield: object
    heat_pump: object
    table: object
    n_years: int
    n_out: int
    info: dict
    T_init_return_C: float
    T_init_supply_C: float
    network: object = None  # gshp.network.setup.NetworkSetup (model "pipes") or None
    pipes_state0: object = None  # gshp.network.component.PipesState (holds the pipes' water)


PIPE_VARIABLES = ("Q_pipes", "Q_pipes_heating_season", "Q_pipes_cooling_season")
"""Variables reported only with the buried pipes (network.model = "pipes")."""


def simulate(case, *, progress=None, keep_implausible=False, **overrides) -> xr.Dataset:
    """Run a case and return its result Dataset.

    Parameters
    ----------
    case : Case, str or Path
        A case object or a case file.
    progress : callable, optional
        ``progress(years_done, n_years)``, called after each simulated year.
    keep_implausible : bool
        Return a physically implausible result (flagged in its attributes) instead of
        raising :class:`gshp.plausibility.ImplausibleResult`.
    **overrides
        Dotted-path overrides given with ``__`` for dots, e.g.
        ``simulate(case, simulation__years=2, borefield__n_x=9)``, or as a dict via
        ``simulate(case, **{"simulation.years": 2})``.
    """
    if not isinstance(case, Case):
        case = load_case(case)
    if overrides:
        case = case.replace(**{k.replace("__", "."): v for k, v in overrides.items()})
    prep = prepare(case)
    ds = run_prepared(prep, progress=progress)
    # -- plausibility guard (gshp/plausibility.py): impossible states fail the case --
    from gshp import plausibility

    heat_kWh, cool_kWh = plausibility.network_demand_kWh(_nominal_network_load(prep), SLOT_S)
    try:
        plausibility.enforce(ds, case.name, heat_kWh, cool_kWh)
    except plausibility.ImplausibleResult:
        if not keep_implausible:
            raise
    return ds


def _nominal_network_load(prep) -> np.ndarray:
    """Net network load at the nominal setpoints, W per 15-min slot (the demand)."""
    a, net = prep.arrays, prep.case.network
    if prep.params.load.direct:
        return a["q_direct"]
    return _network_load_nominal(
        a["q_sh"], a["q_dhw"], a["q_sc"], a["q_pvt"],
        net.T_supply_heating_C, net.T_supply_cooling_C, a["booster"],
    )  # fmt: skip


def prepare(case: Case) -> Prepared:
    """Build every kernel input of a case (district loads, controls, components)."""
    from gshp.memory import check_memory

    check_memory(case)  # before the big arrays: refused with the estimate when too big
    from gshp.borefield import Borefield
    from gshp.components.borefield import BorefieldParams
    from gshp.components.clock import clock_params
    from gshp.components.control import ControlParams
    from gshp.components.gshp_unit import gshp_params
    from gshp.components.load import LoadParams
    from gshp.components.network import NetworkParams
    from gshp.district import district_loads
    from gshp.heatpump import CP_WATER as CP_CONDENSER_WATER
    from gshp.heatpump import HeatPump, default_booster_params, performance_table
    from gshp.tank import bypass_effectiveness, tank_setup

    sim, net, ctl, tk = case.simulation, case.network, case.controls, case.tank
    dt = float(sim.time_step_s)
    steps_per_year = int(365 * 86400 // dt)
    n_years = sim.years
    n_steps = n_years * steps_per_year

    loads = district_loads(case)
    n_slots = controls.SLOTS_PER_YEAR
    direct = "Q_network_net" in loads
    zeros = np.zeros(n_slots)

    def arr(name):
        return (
            np.ascontiguousarray(loads[name].values, dtype=np.float64)
            if name in loads
            else zeros.copy()
        )

    q_sh, q_dhw, q_sc, q_pvt = (
        arr("Q_space_heating"),
        arr("Q_dhw"),
        arr("Q_space_cooling"),
        arr("Q_pvt_network"),
    )
    q_direct = arr("Q_network_net")
    t_air = arr("T_air")
    booster = default_booster_params()

    # Net network load at the nominal setpoints: sizes the network flow and drives the
    # automatic season rule.
    q_nominal = (
        q_direct
        if direct
        else _network_load_nominal(
            q_sh, q_dhw, q_sc, q_pvt, net.T_supply_heating_C, net.T_supply_cooling_C, booster
        )
    )
    netw = None
    if net.model == "pipes":
        from gshp.network.setup import prepare_network

        netw = prepare_network(
            case, q_nominal, t_air, net.T_supply_heating_C, booster, CP_WATER, RHO_WATER
        )
    if ctl.season == "calendar":
        season = controls.calendar_season(ctl.cooling_months, n_slots)
    else:
        # the station's net load: the substations' and, with pipes, their loss to the soil
        # with the water at the heating setpoint less half the substations' ΔT
        q_station = q_nominal
        if netw is not None:
            T_w = net.T_supply_heating_C - 0.5 * net.substation_dT_K
            q_station = q_nominal - netw.exchange_estimate(T_w)
        season = controls.auto_season(q_station, ctl.auto_window_h)
    sp_heat = controls.heating_setpoint(
        net.strategy,
        T_heating_C=net.T_supply_heating_C,
        by_month_C=net.heating_setpoint_by_month_C,
        reset_T_outdoor_C=net.reset_T_outdoor_C,
        reset_T_supply_C=net.reset_T_supply_C,
        T_air_C=t_air,
        adaptive_T_max_C=net.adaptive_T_max_C,
        n_slots=n_slots,
    )
    sp_cool = np.full(n_slots, float(net.T_supply_cooling_C))
    month = controls.month_of_slot(n_slots)

    # Components.
    bf = Borefield.from_config(case.borefield)
    bf_kernel = bf.kernel_setup(dt, n_steps)
    m_bf = case.borefield.total_flow_kg_s
    cp_f = bf.cp
    rho_f = bf.fluid["rho"]
    T_freeze = freezing_point_C(case.borefield.fluid)
    hp = HeatPump.from_config(case.heat_pump)
    rated_W = case.heat_pump.rated_heating_capacity_kW * 1000.0
    # the condenser-coil water loop: the heat pump's flow and water properties
    m_cond = hp.condenser_flow_kg_s
    cp_cond = CP_CONDENSER_WATER
    coil_UA = tk.coil_UA_W_K or rated_W / 2.0
    eps_coil = 1.0 - np.exp(-coil_UA / (m_cond * cp_cond))
    t_src_grid = np.arange(-20.0, 40.0 + 1e-9, 1.0)
    t_sink_grid = np.arange(0.0, 60.0 + 1e-9, 1.0)
    table = performance_table(
        hp,
        t_src_grid,
        t_sink_grid,
        m_bf,
        cp_f,
        coil_effectiveness=eps_coil,
        m_sink_kg_s=m_cond,
        cache_dir=case.borefield.gfunction.cache_dir,
    )
    T0_tank = (
        tk.T_initial_C
        if tk.T_initial_C is not None
        else (float(sp_heat[0]) if season[0] == 0 else float(sp_cool[0]))
    )
    tank = tank_setup(
        tk.volume_m3,
        tk.height_m,
        tk.n_layers,
        tk.loss_UA_W_K,
        tk.coil_bottom_layer,
        tk.coil_top_layer,
        coil_UA,
        T0_tank,
        T_room_C=tk.T_room_C,
    )

    # Network hydraulics and pumps.
    m_design = max(float(np.max(np.abs(q_nominal))) / (CP_WATER * net.substation_dT_K), 1e-3)
    m_min = net.min_flow_fraction * m_design
    C_net_given = RHO_WATER * net.water_volume_m3 * CP_WATER
    # explicit node: λ = dt·m·c_p/C ≤ 1 keeps it monotone; the flow can exceed the nominal
    # design flow (actual booster COPs, shortfalls), hence the margin of 2
    C_net = max(C_net_given, 2.0 * dt * m_design * CP_WATER)
    pumps = case.pumps
    P_bf = m_bf / rho_f * pumps.borefield_pressure_drop_kPa * 1e3 / pumps.efficiency
    P_cond = m_cond / RHO_WATER * pumps.condenser_pressure_drop_kPa * 1e3 / pumps.efficiency
    P_net_design = m_design / RHO_WATER * pumps.network_pressure_drop_kPa * 1e3 / pumps.efficiency
    # Buried pipes (network.model = "pipes", built before the season rule): see below.
    from gshp.network.component import no_pipes, pipes_records

    first_set = float(sp_heat[0]) if season[0] == 0 else float(sp_cool[0])
    if netw is not None:
        netw.model.fill(first_set)
        m_design = netw.m_design_total_kg_s
        m_min = net.min_flow_fraction * m_design
        # for information only: the pipes carry their own water
        C_net = C_net_given = RHO_WATER * netw.model.volume_m3 * CP_WATER
        P_net_design = netw.P_pump_design_W
        pipes_par, pipes_state = pipes_records(
            netw, CP_WATER, net.substation_dT_K, net.unmet_tolerance_K, first_set
        )
    else:
        pipes_par, pipes_state = no_pipes(CP_WATER)

    # Output resolution.
    res = sim.output_resolution
    if res == "step":
        n_out_year = steps_per_year
        out_slot = np.zeros(n_slots, dtype=np.int64)
    elif res == "monthly":
        n_out_year = 12
        out_slot = month - 1
    else:
        per = RESOLUTION_S[res]
        n_out_year = 365 * 86400 // per
        out_slot = (np.arange(n_slots) * SLOT_S // per).astype(np.int64)
    n_out = n_out_year * n_years

    sensor = min(int(ctl.sensor_height_fraction * tk.n_layers), tk.n_layers - 1)
    season = season.astype(np.int64)
    params = station.StationParams(
        clock=clock_params(dt, n_years, SLOT_S, n_out_year, res == "step", month, out_slot),
        load=LoadParams(
            direct=bool(direct), q_sh=q_sh, q_dhw=q_dhw, q_sc=q_sc, q_pvt=q_pvt,
            q_direct=q_direct, booster=booster,
        ),
        control=ControlParams(
            sensor=sensor, hp_on_K=float(ctl.gshp_on_offset_K),
            hp_off_K=float(ctl.gshp_off_offset_K), by_on_K=float(ctl.bypass_on_offset_K),
            by_off_K=float(ctl.bypass_off_offset_K), min_on_s=float(ctl.min_on_time_s),
            min_off_s=float(ctl.min_off_time_s), adaptive=net.strategy == "adaptive",
            ad_T_min=float(net.adaptive_T_min_C), ad_T_max=float(net.adaptive_T_max_C),
            ad_step=float(net.adaptive_step_K),
            ad_sink_offset=0.5 * (ctl.gshp_on_offset_K + ctl.gshp_off_offset_K),
            override_margin=float(ctl.season_override_margin_K), season=season,
            sp_heat=sp_heat, sp_cool=sp_cool,
        ),
        gshp=gshp_params(table, G_coil=eps_coil * m_cond * cp_cond, P_pump_condenser=P_cond),
        borefield=BorefieldParams(m=float(m_bf), cp=float(cp_f), P_pump=float(P_bf),
                                  T_freeze=float(T_freeze),
                                  eps_bypass=bypass_effectiveness(tank.params, m_bf, cp_f, dt)),
        ground=bf_kernel,
        tank=tank,
        network=NetworkParams(
            cp=CP_WATER, dT_design=float(net.substation_dT_K), m_min=float(m_min),
            m_design=float(m_design), C=float(C_net), P_pump_design=float(P_net_design),
        ),
        pipes=pipes_par,
    )  # fmt: skip
    arrays = dict(
        q_sh=q_sh, q_dhw=q_dhw, q_sc=q_sc, q_pvt=q_pvt, q_direct=q_direct, season=season,
        sp_heat=sp_heat, sp_cool=sp_cool, month=params.clock.month,
        out_slot=params.clock.out_slot, booster=booster, t_air=t_air,
    )  # fmt: skip
    T_init_return = first_set - net.substation_dT_K * np.sign(q_nominal[0])
    info = dict(
        m_borefield_kg_s=m_bf,
        m_condenser_kg_s=m_cond,
        coil_UA_W_K=coil_UA,
        network_design_flow_kg_s=m_design,
        network_heat_capacity_J_K=C_net,
        network_heat_capacity_raised=bool(C_net > C_net_given),
        P_pump_borefield_W=P_bf,
        P_pump_condenser_W=P_cond,
        P_pump_network_design_W=P_net_design,
        T_freeze_C=T_freeze,
        tank_sensor_layer=sensor + 1,
        n_steps=n_steps,
        district_load_summary=_load_totals(loads),
        borefield=dict(
            n_boreholes=bf.n_boreholes,
            T_undisturbed_C=bf.T0,
            R_b_mK_W=bf.R_b,
            R_b_effective_mK_W=bf.R_b_eff,
        ),
        gfunction_from_cache=int(bf.setup_times_s.get("gfunction_from_cache", 0)),
        gfunction_setup_s=round(bf.setup_times_s.get("gfunction", 0.0), 4),
    )
    return Prepared(
        case=case,
        params=params,
        arrays=arrays,
        tank=tank,
        borefield=bf_kernel,
        heat_pump=hp,
        table=table,
        n_years=n_years,
        n_out=n_out,
        info=info,
        T_init_return_C=float(T_init_return),
        T_init_supply_C=first_set,
        network=netw,
        pipes_state0=pipes_state,
    )


def freezing_point_C(fluid_cfg) -> float:
    """Freezing point of the borefield fluid, °C (pygfunction's secondary-coolant data)."""
    from pygfunction.media import Fluid

    if fluid_cfg.name == "water" or fluid_cfg.concentration_pct == 0:
        return 0.0
    name = {"MPG": "MPG", "MEG": "MEG"}[fluid_cfg.name]
    return float(Fluid(name, fluid_cfg.concentration_pct).fluid.t_freeze)


def _network_load_nominal(q_sh, q_dhw, q_sc, q_pvt, T_heat, T_cool, booster):
    from gshp.heatpump import booster_cops

    cop_sh, cop_dhw, _ = booster_cops(T_heat, booster)
    _, _, eer = booster_cops(T_cool, booster)
    return q_sh * (1 - 1 / cop_sh) + q_dhw * (1 - 1 / cop_dhw) - q_sc * (1 + 1 / eer) - q_pvt


def _load_totals(loads) -> dict:
    out = {}
    for name in (
        "Q_space_heating",
        "Q_space_cooling",
        "Q_dhw",
        "Q_pvt_network",
        "Q_pvt_dhw",
        "P_pvt",
        "Q_network_net",
    ):
        if name in loads:
            out[name + "_MWh"] = round(float(loads[name].values.sum()) * SLOT_S / 3.6e9, 3)
    return out


def initial_state(prep: Prepared) -> station.StationState:
    """Fresh state records of the components at the start of a run (controls, boosters,
    network water, borefield fluid); the tank and the ground keep theirs in their
    records."""
    from gshp.components.borefield import borefield_state
    from gshp.components.control import control_state
    from gshp.components.load import load_state
    from gshp.components.network import network_state

    par = prep.params
    return station.StationState(
        load=load_state(par.load, prep.T_init_supply_C),
        control=control_state(par.control),
        borefield=borefield_state(par.ground),
        network=network_state(prep.T_init_return_C, prep.T_init_supply_C),
        pipes=prep.pipes_state0,
    )


def kernel_buffers(prep: Prepared) -> station.Accumulators:
    """Fresh accumulators for a run of ``prep`` (extremes start at ±inf)."""
    return station.accumulators(prep.n_out, prep.n_years)


def run_prepared(prep: Prepared, progress=None) -> xr.Dataset:
    """Run the kernel on prepared inputs and assemble the Dataset.

    ``progress(years_done, n_years)`` is called after each simulated year.
    """
    n_years = prep.n_years
    acc = kernel_buffers(prep)
    status = acc.status
    E_tank0 = _tank_energy(prep.tank)
    bf0 = prep.borefield
    E_bf0 = _borefield_stored(bf0)
    E_net0 = _network_stored(prep)
    st = initial_state(prep)
    par = prep.params
    steps_per_year = par.clock.steps_per_year
    station.run_kernel(0, 0, par, initial_state(prep), acc)  # compile (or load) untimed
    t0 = time.perf_counter()
    for year in range(n_years):
        station.run_kernel(year * steps_per_year, (year + 1) * steps_per_year, par, st, acc)
        if status[0] != station.STATUS_OK:
            break
        if progress is not None:
            progress(year + 1, n_years)
    wall = time.perf_counter() - t0
    if status[0] != station.STATUS_OK:
        k = int(status[1])
        var = station.NONFINITE_NAMES[int(status[2])]
        dt = par.clock.dt
        raise FloatingPointError(
            f"case {prep.case.name}: non-finite {var} at step {k} (t = {k * dt:.0f} s, "
            f"year {int(k * dt // (365 * 86400)) + 1}, day "
            f"{int((k * dt % (365 * 86400)) // 86400) + 1}); the run was stopped"
        )

    # the pipes' water, and what the station supplied that has not yet entered the pipes
    from gshp.network.component import S_PEND

    E_net1 = _network_stored(prep) + CP_WATER * st.pipes.slot[S_PEND]
    balance = _energy_balance(
        prep, acc.bal, E_tank0, _tank_energy(prep.tank), E_bf0, _borefield_stored(bf0),
        prep.T_init_return_C, E_net0, E_net1,
    )  # fmt: skip
    ds = _assemble(prep, acc, balance, wall)
    return cf_metadata(ds)  # UDUNITS units, time described (gshp.results)


def _tank_energy(tank) -> float:
    from gshp.tank import stored_energy

    return float(stored_energy(tank.T, tank.params))


def _borefield_stored(bfk) -> float:
    from gshp.borefield.kernel import borefield_stored_heat

    return float(borefield_stored_heat(bfk.params, bfk.nodes, bfk.cap))


def _network_stored(prep) -> float:
    """Heat stored in the network pipes' water, J (relative to 0 °C); 0 for 'lumped'."""
    if prep.network is None:
        return 0.0
    from gshp.network.plugflow import pipe_stored

    m = prep.network.model
    return CP_WATER * sum(pipe_stored(m.par, m.fs, m.ring, m.buf, j) for j in range(2 * m.n_pipes))


def _energy_balance(prep, bal, E_tank0, E_tank1, E_bf0, E_bf1, T_ret0, E_net0=0.0, E_net1=0.0):
    """Residuals of the tank, network-water, borefield-fluid, heat-pump and coupling
    balances (J). The coupling residual compares the heat the borefield fluid took up
    with the evaporator load (GSHP) or the coil heat (bypass), step by step."""
    B = station
    tank_res = (E_tank1 - E_tank0) - (-bal[B.B_STATION] + bal[B.B_TCOIL] - bal[B.B_TLOSS])
    if prep.network is None:
        C_net = prep.params.network.C
        net_res = C_net * (bal[B.B_TRET] - T_ret0) - (bal[B.B_STATION] - bal[B.B_NTO])
    else:
        # pipes: station heat = substations' draw − pipes' gain + stored (incl. owed)
        net_res = (E_net1 - E_net0) - (bal[B.B_STATION] - bal[B.B_NTO])
    # fluid heat = heat through the wall − heat stored in the fluid and grout
    bf_res = bal[B.B_BFQ] - (bal[B.B_BFWALL] - (E_bf1 - E_bf0))
    hp_res = bal[B.B_HPRES]
    couple_res = bal[B.B_COUPLE]
    thr = bal[B.B_THRU]
    total = abs(tank_res) + abs(net_res) + abs(bf_res) + abs(hp_res) + abs(couple_res)
    return dict(
        tank_residual_J=tank_res,
        network_residual_J=net_res,
        borefield_residual_J=bf_res,
        heat_pump_residual_J=hp_res,
        coupling_residual_J=couple_res,
        throughput_J=thr,
        closure=total / thr if thr > 0 else 0.0,
    )


def _yearly_values(aggregation, values, y):
    """A yearly indicator in its reported unit from its accumulator (``station.YEARLY``)."""
    if aggregation == "energy":
        return values / station.J_PER_KWH
    if aggregation == "kelvin_hours":
        return values / 3600.0
    if aggregation == "count":
        return values.astype(np.int64)
    if aggregation in ("min", "max"):
        return np.where(np.isfinite(values), values, np.nan)
    if aggregation == "mean":
        return values / y["steps"]
    if aggregation == "heating_mean":
        return values / np.maximum(y["heating_steps"], 1)
    raise ValueError(f"unknown aggregation {aggregation!r}")


def comparable(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` without the attributes that vary from run to run (timings, cache hits)."""
    out = ds.copy()
    for name in VOLATILE_ATTRS:
        out.attrs.pop(name, None)
    return out


def time_axis(resolution: str, n: int, dt_s: float):
    """CF time coordinate on a 365-day ('noleap') calendar starting 2001-01-01."""
    from gshp.timeaxis import month_start_axis, regular_axis

    if resolution == "monthly":
        return month_start_axis(n)
    return regular_axis(n, int(dt_s) if resolution == "step" else RESOLUTION_S[resolution])


def _assemble(prep, acc, balance, wall) -> xr.Dataset:
    case = prep.case
    res = case.simulation.output_resolution
    dt = prep.params.clock.dt
    n_years = prep.n_years
    with np.errstate(invalid="ignore", divide="ignore"):
        means = acc.out / acc.counts[:, None]
    time_coord = time_axis(res, prep.n_out, dt)
    data = {}
    skip = PIPE_VARIABLES if prep.network is None else ()
    for i, v in enumerate(station.OUTPUTS):
        if v.name in skip:
            continue
        attrs = dict(long_name=v.long_name, units=v.units)
        values = means[:, i]
        if v.aggregation == "majority":
            values = (values >= 0.5).astype(np.int8)
            attrs.update(flag_values=np.array([0, 1], np.int8), flag_meanings="heating cooling")
        else:
            attrs["cell_methods"] = "time: mean"
        data[v.name] = ("time", values, attrs)

    y = {v.name: acc.yearly[:, i] for i, v in enumerate(station.YEARLY)}
    with np.errstate(invalid="ignore", divide="ignore"):
        for v, formula in station.DERIVED:
            data[v.name] = ("year", formula(y), dict(units=v.units, long_name=v.long_name))
        for v in station.YEARLY:
            if v.aggregation != "internal" and v.name not in skip:
                values = _yearly_values(v.aggregation, y[v.name], y)
                data[v.name] = ("year", values, dict(units=v.units, long_name=v.long_name))
        monthly = acc.monthly
        cop_m = (monthly[:, station.M_QC] / monthly[:, station.M_EHP]).reshape(n_years, 12)
    data["cop_gshp_monthly"] = (
        ("year", "month"),
        cop_m,
        dict(units="1", long_name="monthly GSHP COP"),
    )
    data["energy_balance_closure"] = (
        (),
        balance["closure"],
        dict(
            units="1",
            long_name="energy-balance residual / energy throughput",
            **{k: float(v) for k, v in balance.items() if k != "closure"},
        ),
    )

    freezing = int(y["freezing_steps"].sum())
    bf_info = prep.info["borefield"]
    attrs = dict(
        title=f"gshp result: {case.name}",
        Conventions="CF-1.8",
        case_name=case.name,
        case_description=case.description,
        case=json.dumps(case.to_dict(), sort_keys=True),
        gshp_version=version("gshp"),
        pygfunction_version=version("pygfunction"),
        numba_version=version("numba"),
        xarray_version=xr.__version__,
        kernel_wall_time_s=round(wall, 4),
        time_step_s=int(dt),
        output_resolution=res,
        energy_balance_closure=balance["closure"],
        freezing_violation=int(freezing > 0),
        **{
            f"station_{k}": v
            for k, v in prep.info.items()
            if k not in ("district_load_summary", "borefield")
        },
        district_loads=json.dumps(prep.info["district_load_summary"]),
        borefield=json.dumps(bf_info, default=float),
        network=json.dumps(
            prep.network.attrs() if prep.network is not None else {"model": "lumped"},
            default=float,
        ),
        heat_pump=json.dumps(prep.heat_pump.scaling_info(), default=float),
    )
    ds = xr.Dataset(
        data,
        coords=dict(
            time=("time", time_coord),
            year=("year", np.arange(1, n_years + 1)),
            month=("month", np.arange(1, 13)),
        ),
        attrs=attrs,
    )
    ds["year"].attrs = dict(long_name="simulation year", units="1")
    ds["month"].attrs = dict(long_name="calendar month", units="1")
    if balance["closure"] > BALANCE_TOLERANCE:
        warnings.warn(
            f"case {case.name}: energy balance closes only to "
            f"{balance['closure']:.2e} of the throughput",
            stacklevel=2,
        )
    if freezing:
        warnings.warn(
            f"case {case.name}: the borefield fluid fell below its freezing point "
            f"({prep.info['T_freeze_C']:.1f} °C) in {freezing} steps",
            stacklevel=2,
        )
    return ds


__all__ = ["simulate", "prepare", "run_prepared", "time_axis", "InputError"]
