"""``gshp loads``: a case's year of district loads (NetCDF or CSV) and its annual totals."""

from __future__ import annotations

from gshp.cli.common import load_cases, output_folder
from gshp.io.fileio import atomic_write_bytes


def add_parser(sub) -> None:
    p = sub.add_parser(
        "loads",
        help="write a case's year of district loads and print "
        "annual totals beside the reference values",
    )
    p.add_argument("cases", nargs="+", metavar="CASE", help="case files or folders")
    p.add_argument("-o", "--output", default="results", help="output folder")
    p.add_argument("--format", choices=("netcdf", "csv"), default="netcdf")
    p.set_defaults(func=cmd_loads)


def cmd_loads(args) -> int:
    # xarray, pandas and the building model: not at start-up
    from gshp.io.results import write_netcdf
    from gshp.physics.district import district_loads, summary

    cases = load_cases(args.cases)
    out_dir = output_folder(args.output)
    for case in cases:
        ds = district_loads(case)
        ds.attrs["case_name"] = case.name
        if args.format == "csv":
            path = out_dir / f"{case.name}_loads.csv"
            out_dir.mkdir(parents=True, exist_ok=True)
            frame = ds.drop_vars([v for v in ds.data_vars if ds[v].ndim != 1]).to_dataframe()
            suffix = {"W": "_W", "°C": "_C", "degC": "_C", "K": "_K"}
            frame.columns = [c + suffix.get(ds[c].attrs.get("units", ""), "") for c in frame]
            frame.index = [str(t) for t in frame.index]
            frame.index.name = "time"
            text = frame.to_csv(float_format="%.6g")
            atomic_write_bytes(path, text.encode("utf-8"))
        else:
            path = write_netcdf(ds, out_dir / f"{case.name}_loads.nc")
        print(f"{case.name}: one year of 15-min loads written to {path}")
        print(summary(ds))
        print()
    return 0
