"""Check 4: the ground-source heat pump at EN 14511 rating points against the band of
certified brine-to-water machines, and at the station's own sink temperatures.

EN 14511-2 brine-to-water standard conditions: brine in at 0 °C cooled by 3 K, water
heated by 5 K to 35, 45 or 55 °C. Band of certified 25–140 kW machines (EN 14511 / Heat
Pump Keymark data, docs/reference-study.md §2): COP 4.3–5.0 at B0/W35, 2.8–3.2 at B0/W55. No band is
published for B0/W45; the report interpolates the two bands linearly in the water
temperature (3.55–4.1), marked as such. The station charges its tank to 21–25 °C (network
20 °C + the charging offsets), below any rating point: there the check is physical — COP
above the B0/W35 value and a second-law efficiency (COP over the Carnot COP between the
brine and water outlets) within 0.35–0.65, the span of real brine-to-water machines.
"""

from __future__ import annotations

import time

import numpy as np

from gshp.physics.heatpump import HeatPump, list_compressor_maps
from gshp.validation.core import Row, Section, fmt, in_band, markdown_table

RATED_KW = 96.0
"""Rated heating capacity of the Berlin and Strasbourg reference stations (R2)."""
DEFAULT_MAP = "copeland_zh45k4e_r134a"
BANDS = {35.0: (4.3, 5.0), 45.0: (3.55, 4.1), 55.0: (2.8, 3.2)}
STATION_SINKS = (20.0, 25.0)
CARNOT_BAND = (0.35, 0.65)


def carnot_fraction(cop, source_in_C, sink_out_C, source_dT_K=3.0) -> float:
    """COP over the Carnot COP between the brine outlet and the water outlet (-)."""
    t_h = sink_out_C + 273.15
    t_c = source_in_C - source_dT_K + 273.15
    return cop / (t_h / (t_h - t_c))


def run(ctx) -> Section:
    t0 = time.perf_counter()
    sec = Section("heatpump", "4. Heat pump at EN 14511 points")
    table = []
    cops = {}
    outside = []
    for cid in list_compressor_maps():
        hp = HeatPump.build(cid, RATED_KW)
        used = cid == DEFAULT_MAP
        row = [cid + (" (cases' default)" if used else "")]
        c = {}
        for sink in STATION_SINKS + tuple(BANDS):
            r = hp.rating(0.0, sink)
            c[sink] = r.cop
            row.append(fmt(r.cop) + ("*" if r.clamped else ""))
        cops[cid] = c
        table.append(row)
        for sink, (lo, hi) in BANDS.items():
            ok, tol = in_band(c[sink], lo, hi)
            ref = "certified brine-to-water band" + (" (interpolated)" if sink == 45.0 else "")
            sec.rows.append(
                Row("4 heat pump", f"COP B0/W{sink:g}, {cid}", ref, "EN14511", c[sink],
                    float("nan"), "–", tol, ok if used else None)
            )  # fmt: skip
            if not ok and not used:
                outside.append(f"{cid} at B0/W{sink:g} ({c[sink]:.2f}, band {tol})")
        for sink in STATION_SINKS:
            eta = carnot_fraction(c[sink], 0.0, sink)
            ok_eta = CARNOT_BAND[0] <= eta <= CARNOT_BAND[1]
            ok = ok_eta and c[sink] > c[35.0]
            sec.rows.append(
                Row("4 heat pump", f"COP B0/W{sink:g} (station), {cid}: η_Carnot {eta:.2f}",
                    "COP > B0/W35 and 0.35 ≤ η_Carnot ≤ 0.65", "EN14511", c[sink],
                    float("nan"), "–", "physical bounds", ok if used else None)
            )  # fmt: skip
    sec.text += [
        f"Every shipped compressor map scaled to the {RATED_KW:g} kW reference station "
        "(Berlin, Strasbourg), default heat exchangers (UA = capacity / 4 K), EN 14511 flows "
        "(brine 3 K, water 5 K). Pass/fail applies to the map the reference cases use; the "
        "other maps are shown for information (a case may select them). * = compressor "
        "clamped at its envelope.",
        "",
        markdown_table(
            ["compressor map", "B0/W20", "B0/W25", "B0/W35", "B0/W45", "B0/W55"],
            table + [["certified band", "", "", "4.3–5.0", "(3.55–4.1)", "2.8–3.2"]],
        ),
    ]
    if outside:
        sec.text += [
            "",
            "Outside the band, not used by the reference cases: " + "; ".join(outside) + ".",
        ]
    sec.figures.append(_figure(ctx.out_dir / "heatpump_en14511.png", cops))
    sec.seconds = time.perf_counter() - t0
    return sec


def _figure(path, cops):
    from gshp.io.report import _figure, _save

    fig = _figure(figsize=(7.0, 4.4))
    ax = fig.subplots()
    for sink, (lo, hi) in BANDS.items():
        ax.fill_between([sink - 1.5, sink + 1.5], lo, hi, color="tab:green",
                        alpha=0.25 if sink != 45.0 else 0.12, lw=0)  # fmt: skip
    ax.fill_between([], [], [], color="tab:green", alpha=0.25, label="certified machines (band)")
    for cid, c in cops.items():
        x = np.array(sorted(c))
        ax.plot(x, [c[s] for s in x], "o-", ms=4,
                label=cid + (" (cases' default)" if cid == DEFAULT_MAP else ""))  # fmt: skip
    ax.set_xlabel("water outlet temperature (°C), brine in at 0 °C")
    ax.set_ylabel("COP (–)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("GSHP at EN 14511 brine-to-water points (96 kW)")
    _save(fig, path)
    return path
