"""Design study of one climate: run the Berlin reference case, print its yearly table and
write the report figures (COP, drift, electricity, supply, fluid envelope, load
duration).

    python examples/design_study.py [OUTPUT_DIR]

``GSHP_EXAMPLE_YEARS`` shortens the run (the test suite uses 1); default 20 years.
"""

import os
import sys
from pathlib import Path

import gshp
from gshp.cli.common import yearly_table
from gshp.io import report

HERE = Path(__file__).resolve().parent
years = int(os.environ.get("GSHP_EXAMPLE_YEARS", "20"))
out = Path(sys.argv[1] if len(sys.argv) > 1 else "design_study")

case = gshp.load_case(HERE.parent / "cases" / "berlin.toml")
ds = gshp.simulate(case, years=years, time_step_s=900)
print(yearly_table(ds))

# the borefield designer's view: monthly fluid temperature over the lifetime, with the
# limits the design must hold (here 0 °C and 17 °C at the borefield outlet)
written = report.write_report(ds, out, t_min_C=0.0, t_max_C=17.0)

# the same data in pandas: monthly means on real dates (365-day calendar → DatetimeIndex)
monthly = gshp.to_pandas(ds[["T_bhe_out", "T_supply"]]).resample("MS").mean()
print(monthly.head(12).round(2))
print("wrote", *[p.name for p in written])
