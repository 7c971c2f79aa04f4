"""Sizing and its envelope chart: the smallest rectangular borefield of the Berlin case
that keeps the borefield outlet within 0 … 17 °C over the design life, then the lifetime
fluid-temperature envelope of the sized field with those limits.

    python examples/sizing_envelope.py [OUTPUT_DIR]

``GSHP_EXAMPLE_YEARS`` shortens the design life (the test suite uses 1); default 20.
"""

import os
import sys
from pathlib import Path

import gshp
from gshp.io import report

HERE = Path(__file__).resolve().parent
years = int(os.environ.get("GSHP_EXAMPLE_YEARS", "20"))
out = Path(sys.argv[1] if len(sys.argv) > 1 else "sizing_envelope")
T_MIN, T_MAX = 0.0, 17.0

case = gshp.load_case(HERE.parent / "cases" / "berlin.toml")
res = gshp.size(case, t_min_C=T_MIN, t_max_C=T_MAX, years=years)
print(res.summary())

sized = case.replace(**{"borefield.n_x": res.n_x, "borefield.n_y": res.n_y,
                        "simulation.years": years})  # fmt: skip
out.mkdir(parents=True, exist_ok=True)
sized.to_toml(out / "sized_case.toml")  # the sized design as a case file
ds = gshp.simulate(sized)
report.fig_fluid_envelope(ds, out / "fluid_envelope.png", t_min_C=T_MIN, t_max_C=T_MAX)
lo, hi = float(ds.T_bhe_out_min.min()), float(ds.T_bhe_out_max.max())
print(f"sized field {res.n_x} × {res.n_y}: outlet {lo:.2f} … {hi:.2f} °C "
      f"(limits {T_MIN:g} … {T_MAX:g} °C)")  # fmt: skip
print("wrote", out / "fluid_envelope.png")
