"""P90 sizing of a borefield: how long must the field be so that the mean fluid stays above
its limit in 90 % of the plausible grounds and loads?

The Berlin reference field driven by the reference station's ground load
(``examples/berlin_field_uncertainty.toml``: uncertain ground conductivity, undisturbed
temperature, grout and load scale; limit: mean fluid ≥ −3 °C, hourly means). Sizes the
length per borehole deterministically (the table's central values) and to P50 and P90 of the
samples, prints the three with the sampling interval of the P90 answer, and draws the share
of samples that hold the limit against the length.

    python examples/p90_sizing.py [OUTPUT_DIR]

``GSHP_EXAMPLE_YEARS`` and ``GSHP_EXAMPLE_SAMPLES`` shorten it (the tests run 1 year, 4
samples).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import gshp  # noqa: E402
from gshp.studies.confidence import size_confidence  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("p90_sizing")
YEARS = int(os.environ.get("GSHP_EXAMPLE_YEARS", "10"))
SAMPLES = int(os.environ.get("GSHP_EXAMPLE_SAMPLES", "64"))
SEARCH = dict(vary="length", min_size=40.0, max_size=300.0, length_step_m=2.0, years=YEARS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    case = gshp.load_case(HERE / "berlin_field_uncertainty.toml")
    det = gshp.size(case, **SEARCH)
    p50 = size_confidence(case, confidence=0.5, samples=SAMPLES, **SEARCH)
    p90 = size_confidence(case, confidence=0.9, samples=SAMPLES, **SEARCH)
    print(f"deterministic (central values): {det.length_m:g} m per borehole")
    print(f"P50 of {SAMPLES} samples:           {p50.length_m:g} m")
    print(p90.summary())
    full = [s for s in p90.shares if s["samples"] == p90.n_samples]
    full.sort(key=lambda s: s["length_m"])
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    ax.step([s["length_m"] for s in full], [100 * s["share"] for s in full], where="post",
            marker="o", label="samples holding the limit")  # fmt: skip
    for res, name, color in ((p50, "P50", "tab:green"), (p90, "P90", "tab:red")):
        ax.axvline(res.length_m, color=color, ls="--", label=f"{name}: {res.length_m:g} m")
    ax.axvline(det.length_m, color="k", ls=":", label=f"deterministic: {det.length_m:g} m")
    ax.set_xlabel("length per borehole (m)")
    ax.set_ylabel("samples holding the limit (%)")
    ax.set_title(f"{case.name}: mean fluid ≥ −3 °C, {YEARS} years, {SAMPLES} samples")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    fig.savefig(OUT / "p90_sizing.png", dpi=120)
    print(f"wrote {OUT / 'p90_sizing.png'}")


if __name__ == "__main__":
    main()
