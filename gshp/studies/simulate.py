"""Run one case: prepare its station, run the kernel, check the energy balance and the
plausibility of the result, assemble the Dataset (names of docs/reference-study.md §4)."""

from __future__ import annotations

import time

import xarray as xr

from gshp.config import Case, load_case
from gshp.io import plausibility
from gshp.io.results import cf_metadata
from gshp.station.assemble import assemble
from gshp.station.balance import residuals
from gshp.station.components.clock import SLOT_S, year_and_day
from gshp.station.kernel import run_kernel
from gshp.station.prepare import Prepared, initial_state, kernel_buffers, prepare, stored_heat
from gshp.station.records import NONFINITE_NAMES, STATUS_OK

VOLATILE_ATTRS = ("kernel_wall_time_s", "station_gfunction_from_cache", "station_gfunction_setup_s")
"""Attributes that describe how a run went (timings, cache hits), not its result."""


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
        raising :class:`gshp.io.plausibility.ImplausibleResult`.
    **overrides
        Case fields to change for this run, as :meth:`gshp.config.Case.replace` takes
        them: a field's own name when no other field has it
        (``simulate(case, years=2, n_x=9)``), a section with a dict
        (``simulate(case, borefield={"ground": {"conductivity_W_mK": 2.1}})``), or a
        dotted path (``simulate(case, **{"simulation.years": 2})``, also
        ``simulation__years=2``).

    Raises
    ------
    InputError
        An override name several fields have (naming them), an unknown one (with the
        closest name), or a value outside what its field allows.
    """
    if not isinstance(case, Case):
        case = load_case(case)
    if overrides:
        case = case.replace(**overrides)
    if case.kind == "borefield":  # the borefield alone, driven by its ground load file
        from gshp.station.borefield_only import simulate_borefield

        ds = simulate_borefield(case, progress=progress)
        try:
            plausibility.enforce(ds, case.name)
        except plausibility.ImplausibleResult:
            if not keep_implausible:
                raise
        return ds
    prep = prepare(case)
    ds = run_prepared(prep, progress=progress)
    # plausibility guard (gshp/io/plausibility.py): impossible states fail the case
    heat_kWh, cool_kWh = plausibility.network_demand_kWh(prep.ctx.q_nominal, SLOT_S)
    try:
        plausibility.enforce(ds, case.name, heat_kWh, cool_kWh)
    except plausibility.ImplausibleResult:
        if not keep_implausible:
            raise
    return ds


def run_prepared(prep: Prepared, progress=None) -> xr.Dataset:
    """Run the kernel on prepared inputs and assemble the Dataset.

    ``progress(years_done, n_years)`` is called after each simulated year.
    """
    n_years = prep.n_years
    acc = kernel_buffers(prep)
    status = acc.status
    st = initial_state(prep)
    stored0 = stored_heat(prep, st)
    par = prep.params
    steps_per_year = par.clock.steps_per_year
    run_kernel(0, 0, par, initial_state(prep), acc)  # compile (or load) untimed
    t0 = time.perf_counter()
    for year in range(n_years):
        run_kernel(year * steps_per_year, (year + 1) * steps_per_year, par, st, acc)
        if status[0] != STATUS_OK:
            break
        if progress is not None:
            progress(year + 1, n_years)
    wall = time.perf_counter() - t0
    if status[0] != STATUS_OK:
        k = int(status[1])
        year, day = year_and_day(k, par.clock.dt)
        raise FloatingPointError(
            f"case {prep.case.name}: non-finite {NONFINITE_NAMES[int(status[2])]} at step {k} "
            f"(t = {k * par.clock.dt:.0f} s, year {year}, day {day}); the run was stopped"
        )
    balance = residuals(acc.bal, stored0, stored_heat(prep, st))
    return cf_metadata(assemble(prep, acc, balance, wall))  # UDUNITS units, time described


def comparable(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` without the attributes that vary from run to run (timings, cache hits)."""
    out = ds.copy()
    for name in VOLATILE_ATTRS:
        out.attrs.pop(name, None)
    return out


__all__ = ["simulate", "run_prepared", "comparable", "VOLATILE_ATTRS"]
