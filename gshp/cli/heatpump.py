"""``gshp heatpump``: the heat pump's scaling, rated point and performance table."""

from __future__ import annotations

from gshp.cli.common import load_cases
from gshp.errors import InputError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "heatpump", help="print the heat pump's scaling, rated point and performance table"
    )
    p.add_argument("cases", nargs="*", metavar="CASE", help="case files or folders")
    p.add_argument("--maps", action="store_true", help="list the shipped compressor maps")
    p.set_defaults(func=cmd_heatpump)


def cmd_heatpump(args) -> int:
    # numpy, numba: not at start-up
    from gshp.physics.heatpump import HeatPump, list_compressor_maps, summary

    if args.maps:
        print("Shipped compressor maps: " + ", ".join(list_compressor_maps()))
        return 0
    if not args.cases:
        raise InputError.single("CASE", "none given", "one or more case files, or --maps")
    for case in load_cases(args.cases):
        print(f"{case.name}:")
        print(summary(HeatPump.from_config(case.heat_pump)))
        print()
    return 0
