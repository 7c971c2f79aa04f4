"""Physical plausibility of a finished run: impossible states fail the case, not the user.

A station simulated with a heat pump or a borefield far too small for its load, or with a
load file in W labelled kW, can drive the water and brine temperatures to values no
plant ever reaches (−2000 °C, +2500 °C): the equations are still solved, but the result
describes no physical plant. These pure functions inspect a result
:class:`xarray.Dataset` and list what is impossible, each with the variable, the date,
the value and the probable cause; :func:`enforce` turns such a list into an
:class:`ImplausibleResult` (the run fails, exit code 1, no result file unless the user
asks to keep it, flagged).

Checks (limits are deliberately wide: they catch impossible, not poor, designs):

- network supply and tank top within [:data:`T_SUPPLY_MIN_C`, :data:`T_MAX_C`];
  network return, tank bottom and borefield brine (inlet, outlet, borehole wall;
  interval means and step extremes) within [:data:`T_MIN_C`, :data:`T_MAX_C`];
- the yearly heating (cooling) shortfall not larger than the heat the substations
  demanded from (rejected into) the network that year: a shortfall is part of a demand;
- the energy balance closing to better than :data:`BALANCE_MAX` of the throughput (the
  kernel's own tolerance is 1e-14; anything larger is a numerical breakdown);
- the brine below its freezing point in at most ``borefield.fluid.max_freezing_steps_pct``
  of the borefield pump's running steps (default 0.1 %): beyond that the fluid freezes in
  the evaporator (a ground far too cold or too poorly conducting for the load);
- the GSHP's COP at most :data:`CARNOT_SHARE_MAX` of the Carnot COP at the fluid
  temperatures (:func:`cop_problems`): a compressor map whose capacity is in Btu/h
  declared as W gives COPs 3.4 times too high;
- pipe velocities at most :data:`VELOCITY_MAX_M_S` and pump powers at most
  :data:`PUMP_SHARE_MAX` of the heat the pump moves at its design point
  (:func:`hydraulic_problems`): a pipe CSV in mm labelled m gives pump powers of 1e13 W.

The case-level limits are read from the result's ``case`` attribute (the case as JSON),
so a result carries everything its check needs.
"""

from __future__ import annotations

import json

import numpy as np

from gshp.physics.water import CP_WATER
from gshp.station.components.clock import YEAR_S

T_MIN_C = -50.0
"""Lowest plausible brine temperature, °C (below every secondary coolant's freezing point
in use; the fluid's own freezing point is checked by :func:`freezing_problems`)."""
T_SUPPLY_MIN_C = -5.0
"""Lowest plausible network supply and tank-top temperature, °C: the station delivers
water, which freezes at 0 °C (the model has no ice), and no setpoint below 2 °C is
allowed; 5 K of margin for short excursions. The return and the tank bottom may
legitimately lie a substation ΔT (up to 20 K) lower: they keep :data:`T_MIN_C`."""
T_MAX_C = 150.0
"""Highest plausible water or brine temperature, °C."""
BALANCE_MAX = 1e-6
"""Largest plausible energy-balance residual over the energy throughput."""
DEMAND_TOLERANCE = 0.05
"""Relative slack of the shortfall bound: the demand is evaluated at the nominal setpoints
(a reset or scheduled setpoint changes the boosters' draw by a few per cent)."""

CARNOT_SHARE_MAX = 0.75
"""Largest plausible GSHP COP as a share of the Carnot COP at the fluid temperatures
(condenser side T_h, evaporator side T_c: T_h/(T_h − T_c), kelvin). The best brine–water
heat pumps reach 0.5–0.6 of it at the fluid temperatures (their refrigerant temperatures
lie a few kelvin outside the fluids'): 0.75 is unreachable, not merely excellent."""
CARNOT_MIN_LIFT_K = 5.0
"""Intervals with a smaller lift between the fluids are not compared with Carnot (its COP
tends to infinity there and the interval means mix in off steps)."""
VELOCITY_MAX_M_S = 5.0
"""Highest plausible design velocity in a pipe, m/s: district-heating and borehole pipes
are designed for 0.5–3 m/s (above, erosion, noise and pressure drops of kPa per metre)."""
PUMP_SHARE_MAX = 0.25
"""Largest plausible design power of a circulation pump as a share of the heat it moves at
its design point (real pumps: 0.5–3 %; a pump eating a quarter of the heat it carries
describes no plant)."""
BOREFIELD_DT_K = 3.0
"""Design temperature difference of the borefield brine, K (for the heat its pump
moves; ground-source practice 3–5 K)."""
FREEZING_PCT_DEFAULT = 0.1
"""Default of ``borefield.fluid.max_freezing_steps_pct`` (results without it)."""

_NETWORK = ("T_supply", "T_return", "T_tank_top", "T_tank_bottom")
_SUPPLY = ("T_supply", "T_tank_top")
_BOREFIELD = ("T_bhe_in", "T_bhe_out", "T_borehole_wall")
_BOREFIELD_YEARLY = ("T_bhe_out_min", "T_bhe_out_max", "T_bhe_in_min")

CAUSE_COLD_NETWORK = (
    "the heat pump is too small for the load (heat_pump.rated_heating_capacity_kW), or "
    "the load is too large (a load file in W labelled kW?)"
)
CAUSE_HOT_NETWORK = (
    "the load is too large for the plant (a load file in W labelled kW?), or the cooling "
    "path (borefield, bypass coil) is far too small"
)
CAUSE_BOREFIELD = (
    "the borefield is too small for the load (borefield.n_x × n_y boreholes × length_m), "
    "or the load is too large (a load file in W labelled kW?)"
)
CAUSE_UNMET = (
    "the plant is far too small for the load (heat pump or borefield undersized, or a "
    "load file in W labelled kW), so the shortfall accounting no longer describes a plant"
)
CAUSE_FREEZING = (
    "the ground cannot supply the load at this brine temperature (borefield too small "
    "for the load, borefield.ground.conductivity_W_mK or T_undisturbed_C far too low), "
    "or the antifreeze is too weak (borefield.fluid.concentration_pct)"
)
CAUSE_COP = (
    "the compressor map's units are wrong (capacity in Btu/h declared as W gives COPs "
    "3.4 times too high; see the map's [units]), or its capacity and power columns are "
    "swapped"
)
CAUSE_PIPES = (
    "pipe diameters far too small (a pipe file in mm labelled m?: network.pipes_file, "
    "inner_diameter_m), or a flow far too large for them"
)
CAUSE_PUMP = (
    "pipes far too narrow or long for the flow (network.pipes_file diameters, "
    "borefield.pipes.inner_diameter_m), or the flow far too large"
)
CAUSE_BALANCE = (
    "a numerical breakdown, usually from temperatures driven to extremes by an undersized "
    "heat pump or borefield; a shorter simulation.time_step_s may also help"
)


def _date(ds, dim, index) -> str:
    if dim == "year":
        return f"in year {int(ds['year'].values[index])}"
    t = ds[dim].values[index]
    text = t.isoformat(sep=" ") if hasattr(t, "isoformat") else str(t)
    text = "on " + text[:16]
    if "year" in ds.coords and dim == "time":
        per_year = ds.sizes["time"] // max(ds.sizes["year"], 1)
        if per_year:
            text += f" (year {index // per_year + 1})"
    return text


def _fmt(value: float) -> str:
    return f"{float(value):.4g}"


def temperature_problems(
    ds, t_min_C: float = T_MIN_C, t_max_C: float = T_MAX_C, t_supply_min_C: float = T_SUPPLY_MIN_C
) -> list[str]:
    """Temperatures outside their plausible range (supply and tank top
    [t_supply_min_C, t_max_C], the others [t_min_C, t_max_C]): one line per variable and
    side, naming its most extreme value, the date and the probable cause."""
    out = []
    for names, cause_cold, cause_hot, what in (
        (_NETWORK, CAUSE_COLD_NETWORK, CAUSE_HOT_NETWORK, "network/tank water"),
        (_BOREFIELD + _BOREFIELD_YEARLY, CAUSE_BOREFIELD, CAUSE_BOREFIELD, "borefield brine"),
    ):
        for name in names:
            lo = t_supply_min_C if name in _SUPPLY else t_min_C
            if name not in ds.variables:
                continue
            var = ds[name]
            v = np.asarray(var.values, dtype=np.float64).ravel()
            finite = np.isfinite(v)
            if not finite.any():
                continue
            low = np.where(finite, v, np.inf)
            high = np.where(finite, v, -np.inf)
            dim = var.dims[0] if var.dims else None
            for idx, bad, cause in (
                (int(np.argmin(low)), low.min() < lo, cause_cold),
                (int(np.argmax(high)), high.max() > t_max_C, cause_hot),
            ):
                if bad:
                    when = _date(ds, dim, idx) if dim else ""
                    out.append(
                        f"{name} = {_fmt(v[idx])} °C {when}: outside the plausible "
                        f"{lo:g} … {t_max_C:g} °C for {what}; probable cause: {cause}"
                    )
    return out


def shortfall_problems(
    ds, heat_demand_kWh: float | None, cooling_demand_kWh: float | None
) -> list[str]:
    """Yearly shortfalls larger than the yearly demand they are part of."""
    out = []
    for name, demand, what in (
        ("unmet_heat_year", heat_demand_kWh, "heat the substations demanded from the network"),
        ("unmet_cooling_year", cooling_demand_kWh, "heat they rejected into it"),
    ):
        # unmet is the buildings' demand the boosters could not serve (network
        # component): bounded by that demand, which the result reports itself
        own = {"unmet_heat_year": "Q_demand_heat", "unmet_cooling_year": "Q_demand_cooling"}
        if own[name] in ds.variables and demand is not None:
            demand = max(demand, float(np.nanmax(ds[own[name]].values)))
            what = "buildings' demand served through the boosters"
        if demand is None or name not in ds.variables:
            continue
        v = np.asarray(ds[name].values, dtype=np.float64)
        limit = demand * (1.0 + DEMAND_TOLERANCE) + 1.0
        bad = np.nonzero(np.isfinite(v) & (v > limit))[0]
        if bad.size:
            i = int(bad[np.argmax(v[bad])])
            out.append(
                f"{name} = {_fmt(v[i])} kWh {_date(ds, 'year', i)}: larger than the "
                f"{what} ({_fmt(demand)} kWh a year); probable cause: {CAUSE_UNMET}"
            )
    return out


def balance_problems(ds, limit: float = BALANCE_MAX) -> list[str]:
    """An energy-balance residual above ``limit`` of the throughput (or not finite)."""
    if "energy_balance_closure" not in ds.variables:
        return []
    c = float(ds["energy_balance_closure"].values)
    if np.isfinite(c) and c <= limit:
        return []
    return [
        f"energy_balance_closure = {c:.3g}: the energy balance closes only to {c:.3g} of "
        f"the throughput (plausible: ≤ {limit:g}); probable cause: {CAUSE_BALANCE}"
    ]


def network_demand_kWh(q_network_nominal_W, slot_s: float) -> tuple[float, float]:
    """Heat demanded from (positive part) and rejected into (negative part) the network
    in one year, kWh, from the net network load at the nominal setpoints (W per slot)."""
    q = np.asarray(q_network_nominal_W, dtype=np.float64)
    heat = float(np.clip(q, 0.0, None).sum()) * slot_s / 3.6e6
    cool = float(np.clip(-q, 0.0, None).sum()) * slot_s / 3.6e6
    return heat, cool


def _case(ds) -> dict:
    """The case configuration of a result (its ``case`` attribute), or {}."""
    try:
        return json.loads(ds.attrs.get("case", "{}"))
    except (TypeError, ValueError):
        return {}


def _get(d: dict, path: str, default=None):
    for key in path.split("."):
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return default if d is None else d


def freezing_problems(ds, max_pct: float | None = None) -> list[str]:
    """The brine below its freezing point in more than ``max_pct`` % of the borefield
    pump's running steps of a year (default: the case's
    ``borefield.fluid.max_freezing_steps_pct``).

    The running steps of a year are the borefield pump's energy over its power and the
    time step (``E_pump_borefield``, ``station_P_pump_borefield_W``, ``time_step_s``);
    without them, the steps of the year.
    """
    if "freezing_steps" not in ds.variables:
        return []
    if max_pct is None:
        max_pct = float(
            _get(_case(ds), "borefield.fluid.max_freezing_steps_pct", FREEZING_PCT_DEFAULT)
        )
    frozen = np.asarray(ds["freezing_steps"].values, dtype=np.float64).ravel()
    if not np.any(frozen > 0):
        return []
    dt = float(ds.attrs.get("time_step_s", 0) or 0)
    p_pump = float(ds.attrs.get("station_P_pump_borefield_W", 0) or 0)
    if dt > 0 and p_pump > 0 and "E_pump_borefield" in ds.variables:
        e = np.asarray(ds["E_pump_borefield"].values, dtype=np.float64).ravel()
        running = e * 3.6e6 / (p_pump * dt)
    elif dt > 0:
        running = np.full(frozen.shape, YEAR_S / dt)
    else:
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        share = 100.0 * frozen / np.maximum(running, 1.0)
    i = int(np.argmax(share))
    if not share[i] > max_pct:
        return []
    t_freeze = ds.attrs.get("station_T_freeze_C")
    fp = f" ({float(t_freeze):.1f} °C)" if t_freeze is not None else ""
    coldest = ""
    if "T_bhe_in_min" in ds.variables:
        coldest = f", down to {_fmt(ds['T_bhe_in_min'].values.ravel()[i])} °C"
    return [
        f"freezing_steps = {int(frozen[i])} {_date(ds, 'year', i)}: the brine was below its "
        f"freezing point{fp} in {share[i]:.3g} % of the borefield pump's running steps"
        f"{coldest} (plausible: ≤ {max_pct:g} %, borefield.fluid.max_freezing_steps_pct); "
        f"probable cause: {CAUSE_FREEZING}"
    ]


def carnot_cop(T_hot_C, T_cold_C):
    """Carnot heating COP T_h/(T_h − T_c) (kelvin) between two temperatures in °C; inf
    where T_h ≤ T_c."""
    th = np.asarray(T_hot_C, dtype=np.float64) + 273.15
    lift = th - (np.asarray(T_cold_C, dtype=np.float64) + 273.15)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(lift > 0.0, th / lift, np.inf)


def cop_problems(ds, share_max: float = CARNOT_SHARE_MAX) -> list[str]:
    """A GSHP COP above ``share_max`` × the Carnot COP at the fluid temperatures.

    Per output interval in which the GSHP ran: COP = mean condenser heat / mean electric
    power (the ratio of the interval's sums); evaporator side: the borefield outlet
    (``T_bhe_out``, the brine entering the evaporator, the kernel's source temperature),
    condenser side: the tank bottom (``T_tank_bottom``, the coldest water the condenser
    loop's coil meets, below the kernel's coil temperature). Both choices make the lift
    small and the Carnot COP large, so the check never fails a real machine. Intervals
    with a lift below :data:`CARNOT_MIN_LIFT_K` or brine below its freezing point (the
    performance table is held at its edge there) are skipped. The worst interval is named.
    """
    need = ("Q_condenser", "P_gshp", "T_bhe_out", "T_tank_bottom")
    if any(n not in ds.variables for n in need):
        return []
    qc = np.asarray(ds["Q_condenser"].values, dtype=np.float64)
    p = np.asarray(ds["P_gshp"].values, dtype=np.float64)
    tc = np.asarray(ds["T_bhe_out"].values, dtype=np.float64)
    th = np.asarray(ds["T_tank_bottom"].values, dtype=np.float64)
    ok = np.isfinite(qc) & np.isfinite(p) & np.isfinite(tc) & np.isfinite(th)
    ok &= (p > 0.0) & (qc > 0.0) & (th - tc >= CARNOT_MIN_LIFT_K)
    t_freeze = ds.attrs.get("station_T_freeze_C")
    if t_freeze is not None:  # frozen brine is its own problem (freezing_problems); the
        ok &= tc >= float(t_freeze)  # table is held at its edge value there
    if "gshp_on_fraction" in ds.variables:
        on = np.asarray(ds["gshp_on_fraction"].values, dtype=np.float64)
        full = ok & (on >= 0.999)
        if full.any():  # intervals entirely on: the means are the running steps'
            ok = full
    if not ok.any():
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(ok, (qc / p) / carnot_cop(th, tc), -np.inf)
    i = int(np.argmax(ratio))
    if not ratio[i] > share_max:
        return []
    cop = qc[i] / p[i]
    carnot = float(carnot_cop(th[i], tc[i]))
    extra = ""
    if "scop_gshp" in ds.variables:
        extra = f" (SCOP {_fmt(np.nanmax(ds['scop_gshp'].values))})"
    return [
        f"COP = {cop:.3g} {_date(ds, 'time', i)}{extra}: above {share_max:g} × the Carnot "
        f"COP {carnot:.3g} between the brine at {tc[i]:.1f} °C and the tank water at "
        f"{th[i]:.1f} °C (no heat pump exceeds it); probable cause: {CAUSE_COP}"
    ]


def hydraulic_problems(ds) -> list[str]:
    """Pipe velocities above :data:`VELOCITY_MAX_M_S` and pump powers above
    :data:`PUMP_SHARE_MAX` of the heat they move at their design point.

    Network: each trench's design flow in its inner diameter (attribute ``network``);
    the network pump's design power against design flow × c_p,water ×
    ``network.substation_dT_K``. Borefield: ``flow_per_borehole_kg_s`` in one U-tube
    leg (half of it in a double U); the borefield pump against its flow × c_p ×
    :data:`BOREFIELD_DT_K`. Water density 1000 kg/m³ (brine: its density).
    """
    out = []
    try:
        pipes = json.loads(ds.attrs.get("network", "{}")).get("pipes") or []
    except (TypeError, ValueError, AttributeError):
        pipes = []
    worst = None
    for pipe in pipes:
        d, m = pipe.get("inner_diameter_m"), pipe.get("design_flow_kg_s")
        if not d or m is None or not d > 0:
            continue
        v = float(m) / (1000.0 * np.pi * float(d) ** 2 / 4.0)
        if worst is None or v > worst[0]:
            worst = (v, pipe)
    if worst is not None and worst[0] > VELOCITY_MAX_M_S:
        v, pipe = worst
        out.append(
            f"network pipe {pipe.get('id', '?')}: velocity {_fmt(v)} m/s at its design flow "
            f"{_fmt(pipe['design_flow_kg_s'])} kg/s in {_fmt(pipe['inner_diameter_m'])} m "
            f"inner diameter (plausible: ≤ {VELOCITY_MAX_M_S:g} m/s; district-heating "
            f"pipes are designed for 0.5–3 m/s); probable cause: {CAUSE_PIPES}"
        )
    case = _case(ds)
    bf = _get(case, "borefield", {})
    m_b = _get(bf, "flow_per_borehole_kg_s")
    d_b = _get(bf, "pipes.inner_diameter_m")
    if m_b and d_b:
        legs = 2.0 if _get(bf, "pipes.arrangement") == "double_u" else 1.0
        rho = float(_get(bf, "fluid.density_kg_m3", 1000.0))
        v = float(m_b) / legs / (rho * np.pi * float(d_b) ** 2 / 4.0)
        if v > VELOCITY_MAX_M_S:
            out.append(
                f"borefield pipes: velocity {_fmt(v)} m/s at {_fmt(m_b)} kg/s per borehole "
                f"in {_fmt(d_b)} m inner diameter (plausible: ≤ {VELOCITY_MAX_M_S:g} m/s); "
                f"probable cause: borefield.pipes.inner_diameter_m far too small or "
                f"borefield.flow_per_borehole_kg_s far too large"
            )
    m_bf = ds.attrs.get("station_m_borefield_kg_s")
    cp_bf = float(_get(bf, "fluid.cp_J_kgK", 3900.0))
    q_bf = float(m_bf) * cp_bf * BOREFIELD_DT_K if m_bf else None
    checks = (
        (
            "station_P_pump_network_design_W",
            "network pump",
            _design_network_heat(ds, case),
            "the heat the network carries at its design flow",
        ),
        (
            "station_P_pump_borefield_W",
            "borefield pump",
            q_bf,
            f"the heat the borefield flow carries at {BOREFIELD_DT_K:g} K",
        ),
    )
    for attr, what, heat, heat_what in checks:
        power = ds.attrs.get(attr)
        if power is None or not heat:
            continue
        power = float(power)
        if not power <= PUMP_SHARE_MAX * heat:
            out.append(
                f"{what} design power {_fmt(power)} W: more than {PUMP_SHARE_MAX:g} × "
                f"{heat_what} ({_fmt(heat)} W; real pumps use 0.5–3 %); probable cause: "
                f"{CAUSE_PUMP}"
            )
    return out


def _design_network_heat(ds, case) -> float | None:
    m = ds.attrs.get("station_network_design_flow_kg_s")
    dT = _get(case, "network.substation_dT_K")
    if m is None or not dT:
        return None
    return float(m) * CP_WATER * float(dT)


def problems(ds, heat_demand_kWh=None, cooling_demand_kWh=None) -> list[str]:
    """Every plausibility problem of a result (empty: plausible)."""
    return (
        temperature_problems(ds)
        + freezing_problems(ds)
        + cop_problems(ds)
        + hydraulic_problems(ds)
        + shortfall_problems(ds, heat_demand_kWh, cooling_demand_kWh)
        + balance_problems(ds)
    )


class ImplausibleResult(RuntimeError):
    """A run finished with physically impossible results (see the module documentation).

    ``dataset`` is the result, flagged in its attributes (``implausible = 1``,
    ``implausible_reasons``), for ``--keep-implausible``.
    """

    def __init__(self, message: str, dataset=None):
        super().__init__(message)
        self.dataset = dataset

    def __reduce__(self):
        return (type(self), (str(self), self.dataset))


def flag(ds, found: list[str]) -> None:
    """Mark ``ds`` as implausible in its attributes (in place)."""
    ds.attrs["implausible"] = 1
    ds.attrs["implausible_reasons"] = json.dumps(found, ensure_ascii=False)


MAX_LINES = 5
"""Problems shown in a failure message (all are in the ``implausible_reasons`` attribute)."""


def message(case_name: str, found: list[str]) -> str:
    """The failure message: what is impossible, when, and the probable cause (each
    distinct cause once, after the problems)."""
    head = f"implausible result of case {case_name}"
    if len(found) == 1:
        return f"{head}: {found[0]}"
    shown, causes = [], []
    for text in found[:MAX_LINES]:
        what, _, cause = text.partition("; probable cause: ")
        shown.append(f"  - {what}")
        if cause and cause not in causes:
            causes.append(cause)
    if len(found) > MAX_LINES:
        shown.append(f"  … and {len(found) - MAX_LINES} more (attribute implausible_reasons)")
    shown += [f"  probable cause: {c}" for c in causes]
    return head + f" ({len(found)} problems):\n" + "\n".join(shown)


def enforce(ds, case_name: str, heat_demand_kWh=None, cooling_demand_kWh=None):
    """Return ``ds`` if plausible; else flag it and raise :class:`ImplausibleResult`."""
    found = problems(ds, heat_demand_kWh, cooling_demand_kWh)
    if found:
        flag(ds, found)
        raise ImplausibleResult(message(case_name, found), dataset=ds)
    return ds
