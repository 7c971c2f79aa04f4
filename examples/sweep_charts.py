"""A sweep with charts: borefield size × climate around the Berlin case, one combined
Dataset, and the indicators against each swept parameter.

    python examples/sweep_charts.py [OUTPUT_DIR]

``GSHP_EXAMPLE_YEARS`` shortens the runs (the test suite uses 1); default 10 years.
"""

import os
import sys
from pathlib import Path

import gshp
from gshp.io import report

HERE = Path(__file__).resolve().parent
years = int(os.environ.get("GSHP_EXAMPLE_YEARS", "10"))
out = Path(sys.argv[1] if len(sys.argv) > 1 else "sweep_charts")
out.mkdir(parents=True, exist_ok=True)

base = gshp.load_case(HERE.parent / "cases" / "berlin.toml")
grid = {
    "borefield.n_x": [4, 7],
    # a group: several paths varied together, one label per row
    "climate": [
        {"label": "berlin", "climate.preset": "berlin", "district.preset": "berlin",
         "borefield.ground.T_undisturbed_C": 9.8},
        {"label": "helsinki", "climate.preset": "helsinki", "district.preset": "helsinki",
         "borefield.ground.T_undisturbed_C": 5.2},
    ],
}  # fmt: skip
ds = gshp.sweep(base, grid, overrides={"simulation.years": years,
                                       "simulation.time_step_s": 900,
                                       "simulation.output_resolution": "daily"})  # fmt: skip
print(report.markdown_table(report.summary_table(ds)))

for coord in report.swept_coords(ds):  # one chart per swept parameter
    report.fig_sweep_parameter(ds, coord, out / report.sweep_figure_name(coord))
report.fig_fluid_envelope(ds, out / "fluid_envelope.png", t_min_C=-2.0)
report.fig_load_duration(ds, out / "load_duration.png")
print("wrote", *sorted(p.name for p in out.glob("*.png")))
