"""Plot the Beier et al. (2011) sandbox response test: measured vs simulated mean fluid
temperature (standalone :class:`gshp.physics.borefield.Borefield`, driven by measured power/flow).

Usage: python scripts/plot_beier.py OUTPUT.png [--data PATH] [--segments N] [--layers N]
(the data ship with the package: gshp/data/validation/; `gshp validate` draws the full
figure with inlet and outlet)
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gshp.validation.beier import beier_response, data_path  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("output", help="PNG file to write")
    ap.add_argument("--data", default=None, help="the Beier sandbox data file")
    ap.add_argument("--segments", type=int, default=2)
    ap.add_argument("--layers", type=int, default=1, help="grout layers per leg")
    args = ap.parse_args()
    data = args.data or data_path()
    rmse, t, meas, sim = beier_response(data, n_segments=args.segments, grout_layers=args.layers)
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
