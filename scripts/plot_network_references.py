"""Draw docs/network_references.png: the plant's setpoint and the band of the substations'
supply temperatures, Berlin reference case, two weeks of February, with the setpoint at
the plant and at the critical node (``network.setpoint_reference``; docs/network.md).

    python scripts/plot_network_references.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gshp.studies.simulate import simulate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OVER = {"simulation.years": 1, "simulation.time_step_s": 900,
        "simulation.output_resolution": "15min"}  # fmt: skip
DAYS = (31, 45)  # 1–14 February


def main(out=ROOT / "docs" / "network_references.png") -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True, layout="constrained")
    for ax, ref in zip(axes, ("plant", "critical_node"), strict=True):
        ds = simulate(ROOT / "cases" / "berlin.toml",
                      **dict(OVER, **{"network.setpoint_reference": ref}))  # fmt: skip
        rows = slice(DAYS[0] * 96, DAYS[1] * 96)
        x = np.arange(rows.stop - rows.start) / 96.0 + DAYS[0] - 31 + 1
        tn = ds["T_supply_substation"].transpose("time", ...).values[rows]
        ax.fill_between(x, tn.min(axis=1), tn.max(axis=1), color="tab:orange", alpha=0.4,
                        lw=0, label="substations' supply (coldest–warmest)")  # fmt: skip
        ax.plot(x, ds["T_setpoint"].values[rows], color="k", lw=1.0, label="plant setpoint")
        ax.axhline(20.0, color="tab:blue", ls="--", lw=1.0, label="setpoint 20 °C")
        unmet = float(ds["unmet_heat_year"][0])
        deficit = float(ds["supply_deficit_heat_year"][0])
        ax.set_title(f"setpoint_reference = \"{ref}\"\nyear: unmet {unmet:.0f} kWh, "
                     f"supply deficit {deficit / 1e3:.1f} MWh", fontsize=10)  # fmt: skip
        ax.set_xlabel("day of February")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("temperature (°C)")
    axes[0].legend(fontsize=8, loc="lower left")
    fig.savefig(out, dpi=110)
    print("wrote", out)


if __name__ == "__main__":
    main()
