"""Check 5: the reference district (docs/reference-study.md §7) — annual building demands
(R3), booster seasonal performance (R5) and PVT (R6) for the three climate presets, and the variable
setpoint's effect on the boosters' electricity in Berlin.
"""

from __future__ import annotations

import time

from gshp.physics import climate
from gshp.physics import district as D
from gshp.physics.heatpump import booster_cops, default_booster_params
from gshp.validation.core import Row, Section, fmt, in_band, markdown_table, within

#: (key, label, table, relative tolerance): R3 demands are calibration targets (5 %);
#: PVT heat to the network 15 % and to the DHW tanks 25 % (they follow from the PVT and
#: tank physics, not calibrated); PVT electricity 5 %.
TOTALS = (
    ("space_heating", "space heating", "R3", 0.05),
    ("space_cooling", "space cooling", "R3", 0.05),
    ("dhw", "DHW", "R3", 0.05),
    ("pvt_dhw", "PVT heat to DHW tanks", "R6", 0.25),
    ("pvt_network", "PVT heat to network", "R6", 0.15),
    ("pvt_electricity", "PVT electricity", "R6", 0.05),
)
R5_TOL = 0.2
VARIABLE_RISE = (8.5, 5.0, 12.0)
"""Reported rise of the boosters' heating + DHW electricity with the variable strategy in
Berlin (%), and the accepted band."""


def run(ctx) -> Section:
    t0 = time.perf_counter()
    sec = Section("district", "5. District: demands (R3), boosters (R5), PVT (R6)")
    bp = default_booster_params()
    sh20, dhw20, _ = booster_cops(20.0, bp)
    _, _, eer25 = booster_cops(25.0, bp)
    table = []
    loads = {}
    for name in climate.PRESETS:
        ds = D.compute_loads(climate.preset(name), name)
        loads[name] = ds
        tot = D.annual_totals(ds)
        ref = D.REFERENCE[name]
        for key, label, tab, tol in TOTALS:
            ok, ttxt = within(tot[key], ref[key], tol, rel=True)
            sec.rows.append(
                Row("5 district", f"{name}: {label} (MWh/a)", f"reference study {tab}",
                    "Study§7", tot[key], ref[key], "MWh", ttxt, ok, digits=1)
            )  # fmt: skip
            table.append([name, f"{label} ({tab})", fmt(ref[key], 1), fmt(tot[key], 1),
                          f"{(tot[key] / ref[key] - 1) * 100:+.1f} %"])  # fmt: skip
        for key, label, v in (
            ("scop_sh", "booster SCOP space heating (20 °C network)", sh20),
            ("seer", "booster SEER space cooling (25 °C network)", eer25),
            ("scop_dhw", "booster SCOP DHW (20 °C network)", dhw20),
        ):
            ok, ttxt = within(v, ref[key], R5_TOL)
            sec.rows.append(
                Row("5 district", f"{name}: {label}", "reference study R5", "Study§7", v, ref[key],
                    "–", ttxt, ok)
            )  # fmt: skip
            table.append([name, f"{label} (R5)", fmt(ref[key]), fmt(v), f"{v - ref[key]:+.2f}"])
    # variable strategy, Berlin: boosters' heating + DHW electricity
    ds = loads["berlin"]
    args = (ds.Q_space_heating.values, ds.Q_dhw.values, ds.Q_space_cooling.values)
    T0 = D.reference_supply((6, 7, 8, 9))
    T1 = D.reference_supply((6, 7, 8, 9), heating_by_month={m: 8.0 for m in (11, 12, 1, 2, 3)})
    p0, _ = D.booster_power(*args, T0)
    p1, _ = D.booster_power(*args, T1)
    rise = (p1.sum() / p0.sum() - 1.0) * 100.0
    ok, ttxt = in_band(rise, VARIABLE_RISE[1], VARIABLE_RISE[2])
    sec.rows.append(
        Row("5 district", "berlin: variable setpoint, booster heating+DHW electricity rise (%)",
            "reference study (R5 text)", "Study§7", rise, VARIABLE_RISE[0], "%", ttxt + " %",
            ok, digits=1)
    )  # fmt: skip
    table.append(["berlin", "variable setpoint: booster heating+DHW electricity",
                  "+8.5 %", f"{rise:+.1f} %", f"{rise - 8.5:+.1f} pp"])  # fmt: skip
    sec.text += [
        "One year of district loads per climate preset (synthetic weather, seed 0), the "
        "calibrated building, DHW and PVT models (`gshp loads`). Booster SCOPs come from "
        "the lift power law at the reference network temperatures. The variable-setpoint "
        "row uses these loads and the booster model at 8 °C November–March (20 °C other "
        "heating months, 25 °C June–September); the station-level figure is in section 6.",
        "",
        markdown_table(["climate", "quantity", "reference", "gshp", "difference"], table, left=2),
    ]
    sec.seconds = time.perf_counter() - t0
    return sec
