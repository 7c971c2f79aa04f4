"""Plot the Beier et al. (2011) sandbox response test: measured vs simulated mean fluid
temperature (standalone :class:`gshp.borefield.Borefield`, driven by measured power/flow).

Usage: python scripts/plot_beier.py OUTPUT.png [--data PATH] [--segments N]
(the data lie in shared/validation/ beside the repository checkout)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gshp.borefield.validation import beier_response  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "validation" / "beier2011_sandbox.txt"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("output", help="PNG file to write")
    ap.add_argument("--data", default=str(DATA), help="the Beier sandbox data file")
    ap.add_argument("--segments", type=int, default=2)
    args = ap.parse_args()
    rmse, t, meas, sim = beier_response(args.data, n_segments=args.segments)
    fig, (ax, ax2) = plt.subplots(2, 1, sharex=True, figsize=(8, 6), height_ratios=(3, 1))
    ax.plot(t / 3600, meas, ".", ms=2, label="measured (Beier et al. 2011)")
    ax.plot(t / 3600, sim, "-", label=f"gshp borefield (RMSE {rmse:.3f} K)")
    ax.set_ylabel("mean fluid temperature (°C)")
    ax.legend()
    ax2.plot(t / 3600, sim - meas, "-")
    ax2.set_xlabel("time (h)")
    ax2.set_ylabel("sim − meas (K)")
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"RMSE {rmse:.4f} K -> {args.output}")


if __name__ == "__main__":
    main()
