"""The station kernel: one compiled loop over every time step of a run.

Each step calls the station's components (:mod:`gshp.station.components`) in the order of
the energy balance (docs/reference-study.md §1–§3); each component accumulates its own
outputs and adds its own terms to the energy balance:

0. **Controls** (:mod:`~gshp.station.components.control`): at midnight the strategy's
   daily update; the season and its setpoint.
1. **District → network** (:mod:`~gshp.station.components.network`): the substations'
   loads through their boosters and the network water give the heat the station must
   supply, the flow and the return temperature.
2. **Switching** (control): GSHP and bypass on the tank sensor.
3. **GSHP or bypass ↔ borefield** (:mod:`~gshp.station.components.heat_pump`,
   :mod:`~gshp.station.components.bypass`, :mod:`~gshp.station.components.borefield`),
   solved consistently within the step against the borefield's affine response, and any
   other unit that uses the borefield's loop while it is free; then the ground advances.
4. **Tank and tempering valve** (:mod:`~gshp.station.components.tank`).
5. **Network water** (network): the station's supply enters the network; unmet heat.

Everything a step computes lives in the components' records and accumulators
(:mod:`gshp.station.records`); the loop keeps only the clock's counters. All per-step
work is allocation-free.
"""

from __future__ import annotations

import numpy as np

from gshp.jit import kernel_jit
from gshp.station import totals
from gshp.station.components import borefield, bypass, control, dry_cooler, heat_pump, network, tank  # noqa: E501
from gshp.station.records import STATUS_NONFINITE


@kernel_jit(error_model="numpy")
def run_kernel(k_start, k_stop, par, st, acc):
    """Run steps ``k_start`` … ``k_stop − 1`` of a case (see the module docstring).

    ``par`` (:class:`~gshp.station.records.StationParams`) holds the components' parameter
    records, ``st`` (:class:`~gshp.station.records.StationState`) their state, carried
    between calls so that a run can be done in chunks (progress display, sizing by month)
    with results identical to one call; ``acc``
    (:class:`~gshp.station.records.Accumulators`) receives the outputs, yearly and monthly
    indicators, energy-balance sums and the status.
    """
    clk = par.clock
    dt = clk.dt
    n_slots = par.network.load.q_sh.size
    tank_T = par.tank.T
    bal, status = acc.bal, acc.status
    # the clock as counters, advanced at the end of each step (integer divisions are
    # slow): year = k // steps_per_year, k_in_year = k % steps_per_year,
    # in_slot = k_in_year % steps_per_slot, slot_k = k_in_year // steps_per_slot,
    # in_day = k % steps_per_day
    spy, sps, spd = clk.steps_per_year, clk.steps_per_slot, clk.steps_per_day
    year = k_start // spy
    k_in_year = k_start - year * spy
    slot_k = k_in_year // sps
    in_slot = k_in_year - slot_k * sps
    in_day = k_start % spd
    for k in range(k_start, min(k_stop, clk.n_steps)):
        slot = slot_k if slot_k < n_slots else slot_k % n_slots
        o = k if clk.out_step else year * clk.n_out_per_year + clk.out_slot[slot]
        mo = year * 12 + clk.month[slot] - 1
        acc.counts[o] += 1.0

        # ---- 0. controls: the day's strategy update, season and setpoint ----------------
        if in_day == 0:
            control.new_day(par.control, st.control, k, slot, par.network, par.heat_pump,
                            st.heat_pump, st.borefield.T_out[0])  # fmt: skip
        mode, T_set, T_heat, T_cool = control.season(
            par.control, st.control, acc.control, o, year, slot, in_slot, tank_T,
            par.network, st.network,
        )  # fmt: skip
        heating = mode == 0

        # ---- 1. district -> network: the heat the station must supply -------------------
        Q_net, m_net = network.demand(par.network, st.network, acc.network, year, o, dt, slot,
                                      in_slot, heating, T_heat, T_cool, bal)  # fmt: skip
        if not np.isfinite(Q_net):
            status[0], status[1], status[2] = STATUS_NONFINITE, k, 3
            break

        # ---- 2. switching ------------------------------------------------------------------
        hp_on, by_on = control.switch(par.control, st.control, acc.control, year, dt, mode,
                                      T_set, tank_T)  # fmt: skip

        # ---- 3. GSHP / bypass <-> borefield -------------------------------------------------
        bf = par.borefield
        a_bf, b_bf, pending = borefield.response(bf, hp_on == 1 or by_on == 1)
        T_in = st.borefield.T_out[0]  # pump off: not used
        Q_coil, G_coil, T_in = heat_pump.step(
            par.heat_pump, st.heat_pump, acc.heat_pump, year, o, mo, dt, hp_on == 1,
            in_day == 0, a_bf, b_bf, bf.m_cp, par.tank, T_in, bal,
        )  # fmt: skip
        G_coil, T_in = bypass.inlet(par.bypass, by_on == 1, a_bf, b_bf, par.tank, G_coil, T_in)
        T_in, pending = dry_cooler.step(par.dry_cooler, st.dry_cooler, acc.dry_cooler, year, o, dt, slot, hp_on + by_on == 0, bf, st.borefield.T_out[0], T_in, pending, bal)  # noqa: E501  # fmt: skip
        hour_end = in_slot == sps - 1 and (slot_k & 3) == 3
        T_bhe_out = borefield.advance(bf, st.borefield, acc.borefield, year, o, mo, hour_end,
                                      dt, T_in, pending, bal)  # fmt: skip
        Q_coil = bypass.heat(acc.bypass, year, o, dt, by_on == 1, bf.m_cp, T_in, T_bhe_out,
                             Q_coil, bal)  # fmt: skip

        # ---- 4. tempering valve and tank ----------------------------------------------------
        T_supply, Q_station = tank.valve_step(
            par.tank, acc.tank, year, o, dt, heating, m_net, Q_net, st.network.T_return[0],
            T_set, Q_coil, G_coil, bal,
        )  # fmt: skip

        # ---- 5. network water ----------------------------------------------------------------
        network.advance(par.network, st.network, acc.network, year, o, dt, heating, m_net,
                        Q_net, Q_station, T_set, T_supply, bal)  # fmt: skip
        totals.close_step(acc.totals, year, o, dt, bal)

        # ---- checks ---------------------------------------------------------------------------
        bad = -1
        if not np.isfinite(T_bhe_out):
            bad = 0
        elif not np.isfinite(tank_T[tank_T.size - 1]):
            bad = 1
        elif not np.isfinite(T_supply):
            bad = 2
        elif not np.isfinite(st.network.T_return[0]):
            bad = 4
        if bad >= 0:
            status[0], status[1], status[2] = STATUS_NONFINITE, k, bad
            break

        # ---- clock: the next step's counters ----------------------------------------------
        k_in_year += 1
        if k_in_year == spy:
            year += 1
            k_in_year = 0
            slot_k = 0
            in_slot = 0
        else:
            in_slot += 1
            if in_slot == sps:
                in_slot = 0
                slot_k += 1
        in_day += 1
        if in_day == spd:
            in_day = 0
