"""The worked example of docs/sensitivity.md: which uncertain input matters for the lowest
mean fluid temperature of the Berlin borefield in its last year.

The Berlin reference field (cases/berlin.toml: 7 × 5 boreholes of 100 m, 8 m apart) as a
borefield-only case driven by the Berlin station's hourly ground load (year 1, repeated;
gshp/data/validation/ghetool/berlin_ground_load.csv), with four uncertain inputs: ground
conductivity (no response test yet: normal 2.2 ± 0.3 W/m·K), undisturbed ground temperature
(uniform 9.3 … 10.3 °C), grout conductivity (triangular 1.4 / 1.8 / 2.0 W/m·K) and the load
forecast (a factor, normal 1 ± 0.1). Sobol' design (N = 64: 384 runs), the response is the
lowest hourly mean fluid temperature of the last year and of the first year; prints both
tables and draws the last year's bar chart.

    python scripts/sensitivity_example.py [OUTPUT_DIR]

``GSHP_EXAMPLE_YEARS`` (default 20) and ``GSHP_EXAMPLE_N`` (Sobol' base sample, default 64)
make it shorter; about 6 minutes on one core at the defaults (a g-function per
conductivity value: 2N of them).
"""

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import xarray as xr

import gshp
from gshp.config.uncertainty import UncertaintySpec, Variable
from gshp.studies import sensitivity as sa

ROOT = Path(__file__).resolve().parents[1]
years = int(os.environ.get("GSHP_EXAMPLE_YEARS", "20"))
n = int(os.environ.get("GSHP_EXAMPLE_N", "64"))
out = Path(sys.argv[1] if len(sys.argv) > 1 else "sensitivity_example")

CASE = f"""kind = "borefield"
name = "berlin_field"
[simulation]
years = {years}
time_step_s = 3600
output_resolution = "monthly"
[ground_load]
file = "berlin_ground_load.csv"
[borefield]
layout = "rectangle"
n_x = 7
n_y = 5
spacing_m = 8.0
length_m = 100.0
buried_depth_m = 1.5
radius_m = 0.07
flow_per_borehole_kg_s = 0.35
[borefield.ground]
conductivity_W_mK = 2.2
volumetric_heat_capacity_J_m3K = 2.5e6
T_undisturbed_C = 9.8
[borefield.pipes]
arrangement = "single_u"
outer_diameter_m = 0.032
inner_diameter_m = 0.026
shank_spacing_m = 0.078
conductivity_W_mK = 0.35
[borefield.grout]
conductivity_W_mK = 1.8
[borefield.fluid]
name = "MPG"
concentration_pct = 30.0
cp_J_kgK = 3915.0
density_kg_m3 = 1031.0
"""

spec = UncertaintySpec(
    samples=n * 6,
    seed=1,
    method="sobol",
    variables=(
        Variable("borefield.ground.conductivity_W_mK", "normal", {"mean": 2.2, "sd": 0.3}),
        Variable("borefield.ground.T_undisturbed_C", "uniform", {"low": 9.3, "high": 10.3}),
        Variable(
            "borefield.grout.conductivity_W_mK",
            "triangular",
            {"low": 1.4, "mode": 1.8, "high": 2.0},
        ),  # fmt: skip
        Variable("ground_load.scale", "normal", {"mean": 1.0, "sd": 0.1}),
    ),
)

out.mkdir(parents=True, exist_ok=True)
shutil.copy(ROOT / "gshp/data/validation/ghetool/berlin_ground_load.csv", out)
(out / "berlin_field.toml").write_text(CASE, encoding="utf-8")
case = gshp.load_case(out / "berlin_field.toml")

method = sa.choose_method(spec)
X = sa.design(spec, method, n if method == "sobol" else None)
paths = [v.path for v in spec.variables]
first, last = np.empty(len(X)), np.empty(len(X))
for i, row in enumerate(X):
    ds = gshp.simulate(case, **dict(zip(paths, row.tolist(), strict=True)))
    t_min = ds["T_fluid_mean_hourly_min"]
    first[i] = float(t_min.sel(year=1).min())
    last[i] = float(t_min.sel(year=years).min())
    if (i + 1) % 50 == 0:
        print(f"{i + 1} of {len(X)} runs", flush=True)

attrs = {"units": "degC"}
print(f"{method}: {len(X)} runs")
for year, y in ((1, first), (years, last)):
    print(f"year {year}: lowest mean fluid {y.min():.2f} … {y.max():.2f} °C, "
          f"mean {y.mean():.2f}, standard deviation {y.std():.2f} K")  # fmt: skip
results = {}
for year, y in ((1, first), (years, last)):
    name = f"T_fluid_mean_min_year{year}"
    res = sa.analyse(spec, method, X, xr.DataArray(y, name=name, attrs=attrs))
    results[year] = res
    res.to_netcdf(out / f"indices_year{year}.nc")
    print(f"\nyear {year}: lowest hourly mean fluid temperature")
    cols = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
    for j, label in enumerate(res["label"].values):
        cells = [f"{c} {res[c].values[j]:6.3f}" for c in cols]
        cells = [t + (f" ± {res[c + '_conf'].values[j]:.3f}" if c + "_conf" in res else "")
                 for t, c in zip(cells, cols, strict=True)]  # fmt: skip
        print(f"  {label:28s} " + "   ".join(cells))
png = out / "sensitivity_example.png"
sa.bar_chart(results[years], png,
             title=f"Berlin field: lowest mean fluid temperature in year {years}")  # fmt: skip
print("\nwrote", png)
