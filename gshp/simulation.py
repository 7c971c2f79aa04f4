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
from typing import NamedTuple

import numpy as np
import xarray as xr

from gshp import controls, station
from gshp.config import Case, load_case
from gshp.errors import InputError

CP_WATER = 4186.0
"""Specific heat of network and condenser water, J/(kg·K)."""
RHO_WATER = 998.0
"""Density of network and condenser water, kg/m³."""
SLOT_S = controls.SLOT_S
BALANCE_TOLERANCE = 1e-3
"""Largest allowed energy-balance residual as a fraction of the throughput (DESIGN §3)."""
VOLATILE_ATTRS = ("kernel_wall_time_s", "station_gfunction_from_cache", "station_gfunction_setup_s")
"""Attributes that describe how a run went (timings, cache hits), not its result."""

RESOLUTION_S = {"15min": 900, "hourly": 3600, "daily": 86400}
FREQ = {"15min": "15min", "hourly": "h", "daily": "D", "monthly": "MS"}

VAR_META = {
    "T_supply": ("°C", "network supply temperature (after the tempering valve)"),
    "T_return": ("°C", "network return temperature"),
    "T_setpoint": ("°C", "network supply setpoint"),
    "T_tank_top": ("°C", "tank top layer temperature"),
    "T_tank_bottom": ("°C", "tank bottom layer temperature"),
    "T_bhe_in": ("°C", "borefield inlet fluid temperature"),
    "T_bhe_out": ("°C", "borefield outlet fluid temperature"),
    "T_borehole_wall": ("°C", "mean borehole wall temperature"),
    "Q_network": ("W", "net heat drawn from the network by the substations (+ drawn, − rejected)"),
    "Q_condenser": ("W", "GSHP condenser heat"),
    "Q_evaporator": ("W", "GSHP evaporator heat"),
    "P_gshp": ("W", "GSHP electric power"),
    "Q_ground": (
        "W",
        "heat extracted from the ground by the borefield fluid (+ extracted, − injected)",
    ),
    "Q_bypass": (
        "W",
        "heat removed from the tank by the borefield through the coil (cooling bypass)",
    ),
    "P_boosters": ("W", "electric power of the substations' booster heat pumps"),
    "P_pumps": ("W", "electric power of the circulation pumps"),
    "gshp_on_fraction": ("1", "fraction of time the GSHP runs"),
    "mode": ("1", "season: 0 heating, 1 cooling (majority over the interval)"),
    "unmet_heat": (
        "W",
        "shortfall of the supply against its setpoint while heat is drawn "
        "in the heating season, m·c_p·(T_setpoint − T_supply)",
    ),
    "bypass_on_fraction": ("1", "fraction of time the cooling bypass runs"),
    "Q_tank_loss": ("W", "tank heat loss to the plant room"),
    "unmet_cooling": (
        "W",
        "shortfall of the supply against its setpoint while heat is "
        "rejected in the cooling season, m·c_p·(T_supply − T_setpoint)",
    ),
}


@dataclass
class Prepared:
    """Everything the kernel needs for one case, plus what the dataset reports."""

    case: Case
    params: np.ndarray
    arrays: dict
    tank: object
    borefield: object
    heat_pump: object
    table: object
    n_years: int
    n_out: int
    info: dict


def simulate(case, *, progress=None, **overrides) -> xr.Dataset:
    """Run a case and return its result Dataset.

    Parameters
    ----------
    case : Case, str or Path
        A case object or a case file.
    progress : callable, optional
        ``progress(years_done, n_years)``, called after each simulated year.
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
    return run_prepared(prep, progress=progress)


def prepare(case: Case) -> Prepared:
    """Build every kernel input of a case (district loads, controls, components)."""
    from gshp.borefield import Borefield
    from gshp.district import district_loads
    from gshp.heatpump import CP_WATER as CP_CONDENSER_WATER
    from gshp.heatpump import HeatPump, default_booster_params, performance_table
    from gshp.tank import tank_setup

    sim, net, ctl, tk = case.simulation, case.network, case.controls, case.tank
    dt = float(sim.time_step_s)
    steps_per_slot = int(SLOT_S // dt)
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
    if ctl.season == "calendar":
        season = controls.calendar_season(ctl.cooling_months, n_slots)
    else:
        season = controls.auto_season(q_nominal, ctl.auto_window_h)
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
    p = np.zeros(station.N_PARAMS)
    p[station.P_DT] = dt
    p[station.P_N_STEPS] = n_steps
    p[station.P_STEPS_PER_SLOT] = steps_per_slot
    p[station.P_STEPS_PER_YEAR] = steps_per_year
    p[station.P_M_BF] = m_bf
    p[station.P_CP_F] = cp_f
    p[station.P_CP_W] = CP_WATER
    p[station.P_DT_NET] = net.substation_dT_K
    p[station.P_M_MIN] = m_min
    p[station.P_C_NET] = C_net
    p[station.P_P_BF] = P_bf
    p[station.P_P_COND] = P_cond
    p[station.P_P_NET_DESIGN] = P_net_design
    p[station.P_M_NET_DESIGN] = m_design
    p[station.P_SENSOR_LAYER] = sensor
    p[station.P_HP_ON] = ctl.gshp_on_offset_K
    p[station.P_HP_OFF] = ctl.gshp_off_offset_K
    p[station.P_BY_ON] = ctl.bypass_on_offset_K
    p[station.P_BY_OFF] = ctl.bypass_off_offset_K
    p[station.P_MIN_ON] = ctl.min_on_time_s
    p[station.P_MIN_OFF] = ctl.min_off_time_s
    p[station.P_ADAPTIVE] = 1.0 if net.strategy == "adaptive" else 0.0
    p[station.P_AD_TMIN] = net.adaptive_T_min_C
    p[station.P_AD_TMAX] = net.adaptive_T_max_C
    p[station.P_AD_STEP] = net.adaptive_step_K
    p[station.P_AD_SINK_OFFSET] = 0.5 * (ctl.gshp_on_offset_K + ctl.gshp_off_offset_K)
    p[station.P_T_FREEZE] = T_freeze
    p[station.P_T_ROOM] = tk.T_room_C
    p[station.P_LOAD_DIRECT] = 1.0 if direct else 0.0
    first_set = float(sp_heat[0]) if season[0] == 0 else float(sp_cool[0])
    p[station.P_T_INIT_RETURN] = first_set - net.substation_dT_K * np.sign(q_nominal[0])
    p[station.P_T_INIT_SUPPLY] = first_set
    p[station.P_OUT_STEP] = 1.0 if res == "step" else 0.0
    p[station.P_OVERRIDE_MARGIN] = ctl.season_override_margin_K
    p[station.P_G_COIL_HP] = eps_coil * m_cond * cp_cond
    p[station.P_N_OUT_PER_YEAR] = n_out_year

    # a table cell is flagged when any of its corners had the compressor clamped to its
    # operating envelope; the kernel counts GSHP steps in flagged cells
    cl = table.clamped > 0.5
    cell_envelope = (cl[:-1, :-1] | cl[1:, :-1] | cl[:-1, 1:] | cl[1:, 1:]).astype(np.float64)
    arrays = dict(
        cell_envelope=np.ascontiguousarray(cell_envelope),
        q_sh=q_sh,
        q_dhw=q_dhw,
        q_sc=q_sc,
        q_pvt=q_pvt,
        q_direct=q_direct,
        season=season.astype(np.int64),
        sp_heat=sp_heat,
        sp_cool=sp_cool,
        month=month.astype(np.int64),
        out_slot=out_slot.astype(np.int64),
        booster=booster,
        t_air=t_air,
    )
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
        params=p,
        arrays=arrays,
        tank=tank,
        borefield=bf_kernel,
        heat_pump=hp,
        table=table,
        n_years=n_years,
        n_out=n_out,
        info=info,
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


def initial_kernel_state(prep: Prepared) -> np.ndarray:
    """Controller and network state at the start of a run."""
    S = station
    ks = np.zeros(S.N_KSTATE)
    ks[S.K_T_HP] = 1e30  # minimum on/off times are satisfied at the start
    ks[S.K_T_BY] = 1e30
    ks[S.K_T_RETURN] = prep.params[S.P_T_INIT_RETURN]
    ks[S.K_T_SUPPLY] = prep.params[S.P_T_INIT_SUPPLY]
    from gshp.borefield.kernel import P_T0

    T_g = prep.borefield.params[P_T0]
    ks[S.K_T_BHE_OUT] = T_g
    ks[S.K_T_BHE_IN] = T_g
    ks[S.K_T_SRC_GUESS] = T_g
    ks[S.K_PREV_MODE] = prep.arrays["season"][0]
    ks[S.K_AD_T] = prep.arrays["sp_heat"][0]
    from gshp.heatpump import booster_cops

    cops = booster_cops(prep.params[S.P_T_INIT_SUPPLY], prep.arrays["booster"])
    ks[S.K_COP_SH], ks[S.K_COP_DHW], ks[S.K_EER] = cops
    return ks


def run_prepared(prep: Prepared, progress=None) -> xr.Dataset:
    """Run the kernel on prepared inputs and assemble the Dataset.

    ``progress(years_done, n_years)`` is called after each simulated year.
    """
    n_years = prep.n_years
    buf = kernel_buffers(prep)
    out, counts, yearly, monthly, bal, status = buf
    E_tank0 = _tank_energy(prep.tank)
    bf0 = prep.borefield
    E_bf0 = _borefield_stored(bf0)
    T_return0 = prep.params[station.P_T_INIT_RETURN]
    ks = initial_kernel_state(prep)
    steps_per_year = int(prep.params[station.P_STEPS_PER_YEAR])
    args = kernel_args(prep, buf)
    station.run_kernel(0, 0, ks.copy(), *args)  # compile (or load) outside the timing
    t0 = time.perf_counter()
    for year in range(n_years):
        station.run_kernel(year * steps_per_year, (year + 1) * steps_per_year, ks, *args)
        if status[0] != station.STATUS_OK:
            break
        if progress is not None:
            progress(year + 1, n_years)
    wall = time.perf_counter() - t0
    if status[0] != station.STATUS_OK:
        k = int(status[1])
        var = station.NONFINITE_NAMES[int(status[2])]
        dt = prep.params[station.P_DT]
        raise FloatingPointError(
            f"case {prep.case.name}: non-finite {var} at step {k} (t = {k * dt:.0f} s, "
            f"year {int(k * dt // (365 * 86400)) + 1}, day "
            f"{int((k * dt % (365 * 86400)) // 86400) + 1}); the run was stopped"
        )

    balance = _energy_balance(
        prep, bal, E_tank0, _tank_energy(prep.tank), E_bf0, _borefield_stored(bf0), T_return0
    )
    ds = _assemble(prep, out, counts, yearly, monthly, balance, wall)
    return ds


class KernelBuffers(NamedTuple):
    """The kernel's accumulators (see :func:`gshp.station.run_kernel`)."""

    out: np.ndarray  # (n_out, N_OUT) sums of the time series
    counts: np.ndarray  # (n_out,) steps in each output interval
    yearly: np.ndarray  # (n_years, N_YEAR)
    monthly: np.ndarray  # (n_years * 12, 2)
    bal: np.ndarray  # (N_BAL,) energy-balance sums
    status: np.ndarray  # (3,) error code, step, variable


def kernel_buffers(prep: Prepared) -> KernelBuffers:
    """Fresh accumulators for a run of ``prep`` (extremes start at ±inf)."""
    yearly = np.zeros((prep.n_years, station.N_YEAR))
    yearly[:, station.Y_TMIN] = np.inf
    yearly[:, station.Y_TINMIN] = np.inf
    yearly[:, station.Y_TMAX] = -np.inf
    return KernelBuffers(
        out=np.zeros((prep.n_out, station.N_OUT)),
        counts=np.zeros(prep.n_out),
        yearly=yearly,
        monthly=np.zeros((prep.n_years * 12, 2)),
        bal=np.zeros(station.N_BAL),
        status=np.zeros(3, dtype=np.int64),
    )


def kernel_args(prep: Prepared, buf: KernelBuffers) -> tuple:
    """Arguments of :func:`gshp.station.run_kernel` after ``(k_start, k_stop, ks)``."""
    a = prep.arrays
    t = prep.table
    return (
        prep.params, a["q_sh"], a["q_dhw"], a["q_sc"], a["q_pvt"], a["q_direct"],
        a["season"], a["sp_heat"], a["sp_cool"], a["month"], a["out_slot"], a["booster"],
        t.t_source, t.t_sink, t.q_cond, t.q_evap, t.power, a["cell_envelope"], prep.tank.T,
        prep.tank.params,
        *prep.borefield, *buf,
    )  # fmt: skip


def _tank_energy(tank) -> float:
    from gshp.tank import stored_energy

    return float(stored_energy(tank.T, tank.params))


def _borefield_stored(bfk) -> float:
    from gshp.borefield.kernel import borefield_stored_heat

    return float(borefield_stored_heat(bfk.params, bfk.nodes, bfk.cap))


def _energy_balance(prep, bal, E_tank0, E_tank1, E_bf0, E_bf1, T_ret0):
    """Residuals of the tank, network-water, borefield-fluid, heat-pump and coupling
    balances (J). The coupling residual compares the heat the borefield fluid took up
    with the evaporator load (GSHP) or the coil heat (bypass), step by step."""
    B = station
    tank_res = (E_tank1 - E_tank0) - (-bal[B.B_STATION] + bal[B.B_TCOIL] - bal[B.B_TLOSS])
    C_net = prep.params[B.P_C_NET]
    net_res = C_net * (bal[B.B_TRET] - T_ret0) - (bal[B.B_STATION] - bal[B.B_NTO])
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


def _assemble(prep, out, counts, yearly, monthly, balance, wall) -> xr.Dataset:
    case = prep.case
    res = case.simulation.output_resolution
    dt = prep.params[station.P_DT]
    n_years = prep.n_years
    with np.errstate(invalid="ignore", divide="ignore"):
        means = out / counts[:, None]
    time_coord = time_axis(res, prep.n_out, dt)
    data = {}
    for i, name in enumerate(station.OUT_NAMES):
        unit, long = VAR_META[name]
        values = means[:, i]
        if name == "mode":
            values = (values >= 0.5).astype(np.int8)
            attrs = dict(
                long_name=long,
                units=unit,
                flag_values=np.array([0, 1], np.int8),
                flag_meanings="heating cooling",
            )
        else:
            attrs = dict(long_name=long, units=unit, cell_methods="time: mean")
        data[name] = ("time", values, attrs)

    J = 3.6e6  # J per kWh
    Y = station
    y = yearly
    with np.errstate(invalid="ignore", divide="ignore"):
        scop = y[:, Y.Y_QC] / y[:, Y.Y_EHP]
        cop_m = (monthly[:, 0] / monthly[:, 1]).reshape(n_years, 12)
    nan_if_inf = lambda v: np.where(np.isfinite(v), v, np.nan)  # noqa: E731
    yearly_vars = {
        "scop_gshp": (scop, "1", "seasonal COP of the GSHP (condenser heat / electricity)"),
        "E_gshp": (y[:, Y.Y_EHP] / J, "kWh", "GSHP electricity"),
        "E_boosters": (y[:, Y.Y_EBOOST] / J, "kWh", "booster heat pumps' electricity"),
        "E_boosters_heating_dhw": (
            y[:, Y.Y_EBHEAT] / J,
            "kWh",
            "booster electricity for space heating and DHW",
        ),
        "E_boosters_cooling": (
            y[:, Y.Y_EBCOOL] / J,
            "kWh",
            "booster electricity for space cooling",
        ),
        "E_pumps": (y[:, Y.Y_EPUMP] / J, "kWh", "circulation pumps' electricity"),
        "E_pump_borefield": (y[:, Y.Y_EPBF] / J, "kWh", "borefield pump electricity"),
        "E_pump_network": (y[:, Y.Y_EPNET] / J, "kWh", "network pump electricity"),
        "E_pump_condenser": (y[:, Y.Y_EPCOND] / J, "kWh", "condenser-loop pump electricity"),
        "E_total": (
            (y[:, Y.Y_EHP] + y[:, Y.Y_EBOOST] + y[:, Y.Y_EPUMP]) / J,
            "kWh",
            "electricity of GSHP, boosters and pumps",
        ),
        "Q_condenser_year": (y[:, Y.Y_QC] / J, "kWh", "GSHP condenser heat"),
        "Q_evaporator_year": (y[:, Y.Y_QE] / J, "kWh", "GSHP evaporator heat"),
        "Q_ground_extracted": (y[:, Y.Y_QGX] / J, "kWh", "heat extracted from the ground"),
        "Q_ground_injected": (y[:, Y.Y_QGI] / J, "kWh", "heat injected into the ground"),
        "Q_network_drawn": (
            y[:, Y.Y_QNDRAWN] / J,
            "kWh",
            "heat drawn from the network by the substations",
        ),
        "Q_network_rejected": (
            y[:, Y.Y_QNREJ] / J,
            "kWh",
            "heat rejected into the network by the substations and PVT",
        ),
        "Q_bypass_year": (y[:, Y.Y_QBY] / J, "kWh", "heat removed by the cooling bypass"),
        "unmet_heat_year": (
            y[:, Y.Y_UNMET] / J,
            "kWh",
            "heating shortfall: supply below its setpoint while heat is drawn",
        ),
        "unmet_cooling_year": (
            y[:, Y.Y_UNMETC] / J,
            "kWh",
            "cooling shortfall: supply above its setpoint while heat is rejected",
        ),
        "T_bhe_out_min": (
            nan_if_inf(y[:, Y.Y_TMIN]),
            "°C",
            "lowest borefield outlet temperature while the pump runs",
        ),
        "T_bhe_out_max": (
            nan_if_inf(y[:, Y.Y_TMAX]),
            "°C",
            "highest borefield outlet temperature while the pump runs",
        ),
        "T_bhe_in_min": (
            nan_if_inf(y[:, Y.Y_TINMIN]),
            "°C",
            "lowest borefield inlet temperature while the pump runs",
        ),
        "T_borehole_wall_mean": (
            y[:, Y.Y_TWALL] / y[:, Y.Y_STEPS],
            "°C",
            "mean borehole wall temperature",
        ),
        "T_supply_heating_mean": (
            y[:, Y.Y_TSH] / np.maximum(y[:, Y.Y_NHEAT], 1),
            "°C",
            "mean network supply temperature in the heating season",
        ),
        "freezing_steps": (
            y[:, Y.Y_FREEZE].astype(np.int64),
            "1",
            "steps with borefield fluid below its freezing point",
        ),
        "envelope_clamped_steps": (
            y[:, Y.Y_CLAMP].astype(np.int64),
            "1",
            "GSHP steps in performance-table cells touching points where the compressor ran "
            "at the limit of its operating envelope (map clamped, not extrapolated)",
        ),
        "table_edge_steps": (
            y[:, Y.Y_EDGE].astype(np.int64),
            "1",
            "GSHP steps outside the performance table's temperature range (edge values)",
        ),
        "gshp_starts": (y[:, Y.Y_STARTS].astype(np.int64), "1", "GSHP starts"),
    }
    for name, (values, unit, long) in yearly_vars.items():
        data[name] = ("year", values, dict(units=unit, long_name=long))
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

    freezing = int(y[:, Y.Y_FREEZE].sum())
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
        heat_pump=json.dumps(getattr(prep.heat_pump, "scaling_info", lambda: {})(), default=float),
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
