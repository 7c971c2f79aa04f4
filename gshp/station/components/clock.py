"""Time indexing of a run: step, 15-min load slot, day, year, output interval.

The clock is the first record of the station; it has no physics and no outputs. The
kernel advances its counters (:mod:`gshp.station.kernel`); this module says how many
steps a year, a slot and a day have, in one place.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gshp.station.contract import NO_STATE

NAME = "clock"
ORDER = 0
OUTPUTS = YEARLY = ()

SLOT_S = 900.0
"""Resolution of the district load arrays, s."""
SLOTS_PER_YEAR = 365 * 96
YEAR_S = 365 * 86400
"""A simulation year: 365 days (the weather year repeats without 29 February)."""
RESOLUTION_S = {"15min": 900, "hourly": 3600, "daily": 86400}
"""Length of the fixed output intervals, s (``step`` and ``monthly`` are not fixed)."""


def steps_per_year(dt_s: float) -> int:
    """Whole time steps of ``dt_s`` seconds in a 365-day year (the one place it is counted)."""
    return int(YEAR_S // dt_s)


def year_and_day(k: int, dt_s: float) -> tuple[int, int]:
    """1-based simulation year and day of the year of step ``k``."""
    t = k * dt_s
    return int(t // YEAR_S) + 1, int((t % YEAR_S) // 86400) + 1


class Params(NamedTuple):
    """Step counts of a run and the maps from a load slot to its month and output index.

    dt : time step, s; n_steps : steps of the run; steps_per_slot : steps per 15-min load
    slot; steps_per_year, steps_per_day : steps per 365-day year and per day;
    out_step : True when every step is an output interval; n_out_per_year : output
    intervals per year; month : (n_slots,) calendar month of each slot (1–12);
    out_slot : (n_slots,) output interval of each slot within its year.
    """

    dt: float
    n_steps: int
    steps_per_slot: int
    steps_per_year: int
    steps_per_day: int
    out_step: bool
    n_out_per_year: int
    month: np.ndarray
    out_slot: np.ndarray


def month_of_slot(n_slots: int = SLOTS_PER_YEAR, slot_s: float = SLOT_S) -> np.ndarray:
    """Calendar month (1–12) of every slot of a 365-day year."""
    days_in_month = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    day = (np.arange(n_slots) * slot_s // 86400).astype(np.int64)
    return (np.searchsorted(np.cumsum(days_in_month), day, side="right") + 1).astype(np.int64)


def clock_params(dt, n_years, resolution: str) -> Params:
    """The clock of a run of ``n_years`` 365-day years at step ``dt`` (s), with outputs at
    ``resolution`` (``step``, ``15min``, ``hourly``, ``daily``, ``monthly``)."""
    spy = steps_per_year(dt)
    month = month_of_slot()
    if resolution == "step":
        n_out_year = spy
        out_slot = np.zeros(SLOTS_PER_YEAR, dtype=np.int64)
    elif resolution == "monthly":
        n_out_year = 12
        out_slot = month - 1
    else:
        per = RESOLUTION_S[resolution]
        n_out_year = YEAR_S // per
        out_slot = (np.arange(SLOTS_PER_YEAR) * SLOT_S // per).astype(np.int64)
    return Params(
        dt=float(dt),
        n_steps=int(n_years * spy),
        steps_per_slot=int(SLOT_S // dt),
        steps_per_year=spy,
        steps_per_day=int(round(86400.0 / dt)),
        out_step=resolution == "step",
        n_out_per_year=int(n_out_year),
        month=np.ascontiguousarray(month, dtype=np.int64),
        out_slot=np.ascontiguousarray(out_slot, dtype=np.int64),
    )


def build(ctx):
    return clock_params(ctx.dt, ctx.n_years, ctx.case.simulation.output_resolution), NO_STATE
