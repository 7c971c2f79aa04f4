"""Time indexing of a run: step, 15-min load slot, year, output interval."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class ClockParams(NamedTuple):
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


def clock_params(dt, n_years, slot_s, n_out_per_year, out_step, month, out_slot) -> ClockParams:
    """The clock of a run of ``n_years`` 365-day years at step ``dt`` (s)."""
    steps_per_year = int(365 * 86400 // dt)
    return ClockParams(
        dt=float(dt),
        n_steps=int(n_years * steps_per_year),
        steps_per_slot=int(slot_s // dt),
        steps_per_year=steps_per_year,
        steps_per_day=int(round(86400.0 / dt)),
        out_step=bool(out_step),
        n_out_per_year=int(n_out_per_year),
        month=np.ascontiguousarray(month, dtype=np.int64),
        out_slot=np.ascontiguousarray(out_slot, dtype=np.int64),
    )
