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
  interval means and step extremes) within [:data:`T_MIN_C`, :data:`T_MAX_C`]; the
  brine's own freezing point is a separate warning;
- the yearly heating (cooling) shortfall not larger than the heat the substations
  demanded from (rejected into) the network that year: a shortfall is part of a demand;
- the energy balance closing to better than :data:`BALANCE_MAX` of the throughput (the
  kernel's own tolerance is 1e-14; anything larger is a numerical breakdown).
"""

from __future__ import annotations

import json

import numpy as np

T_MIN_C = -50.0
"""Lowest plausible brine temperature, °C (below every secondary coolant's freezing point
in use; the fluid's own freezing point is a separate warning)."""
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


def problems(ds, heat_demand_kWh=None, cooling_demand_kWh=None) -> list[str]:
    """Every plausibility problem of a result (empty: plausible)."""
    return (
        temperature_problems(ds)
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
