"""The checks of a whole case after its fields: each section's own checks (in its module,
``checks(case)``) in one order, and the checks that span sections or concern the case's
top-level fields."""

from __future__ import annotations

import re

from gshp.config import (
    borefield,
    climate,
    controls,
    district,
    dry_cooler,
    ground_load,
    heat_pump,
    network,
    sizing,
    tank,
)  # fmt: skip
from gshp.errors import Problem

MAX_NAME_BYTES = 255
"""Longest file name (bytes) on the usual file systems (ext4, APFS, NTFS)."""
SAFE_NAME = re.compile(r"[^./\\\x00-\x1f][^/\\\x00-\x1f]*")
"""A case name names its result file: no path separators or control characters, no
leading dot."""


def cross_checks(case) -> list[Problem]:
    """Every check that involves more than one field, in the order of the messages."""
    if case.kind == "borefield":
        return [
            *_name(case),
            *borefield.checks(case),
            *ground_load.checks(case),
            *sizing.checks(case),
        ]
    return [
        *_station_step(case),
        *ground_load.checks(case),
        *sizing.checks(case),
        *climate.checks(case),
        *district.checks(case),
        *_district_source(case),
        *_name(case),
        *heat_pump.checks(case),
        *network.checks(case),
        *_adaptive_needs_demands(case),
        *tank.checks(case),
        *borefield.checks(case),
        *dry_cooler.checks(case),
        *controls.checks(case),
    ]


def _station_step(case) -> list[Problem]:
    """The station's step divides the district loads' 15 minutes."""
    dt = case.simulation.time_step_s
    if 900 % dt:
        return [
            Problem(
                "simulation.time_step_s",
                dt,
                "a divisor of 900 s in a station case (60, 90, 100, 150, 180, 225, 300, 450 "
                "or 900; 1800 and 3600 only in a borefield-only case)",
            )
        ]
    return []


def _district_source(case) -> list[Problem]:
    """A district from a preset needs a preset: its own or the climate's."""
    dist, clim = case.district, case.climate
    if dist.load_file is None and dist.preset is None and clim.preset is None:
        return [
            Problem(
                "district.preset",
                None,
                "one of 'helsinki', 'berlin', 'strasbourg' "
                "(needed when the climate comes from a weather file and no load file "
                "is given)",
            )
        ]
    return []


def _name(case) -> list[Problem]:
    """The case name names its result file."""
    if not SAFE_NAME.fullmatch(case.name):
        return [
            Problem(
                "name",
                case.name,
                "a non-empty name without '/', '\\' or control "
                "characters, not starting with '.' (it names the result file)",
            )
        ]
    if len((case.name + ".nc").encode("utf-8")) > MAX_NAME_BYTES:
        return [
            Problem(
                "name",
                case.name,
                f"at most {MAX_NAME_BYTES - 3} bytes in UTF-8 (it names the result file "
                f"<name>.nc; file names have at most {MAX_NAME_BYTES} bytes); this one has "
                f"{len(case.name.encode('utf-8'))}",
            )
        ]
    return []


def _adaptive_needs_demands(case) -> list[Problem]:
    """The adaptive strategy weighs booster electricity: building demands, not a net load."""
    net, dist = case.network, case.district
    if (
        net.strategy == "adaptive"
        and dist.load_file is not None
        and dist.load_file_kind == "network"
    ):
        return [
            Problem(
                "network.strategy",
                "adaptive",
                "a case with building demands: the "
                "adaptive rule weighs booster electricity, which a net network load file "
                "does not give (use district.load_file_kind = 'demands')",
            )
        ]
    return []
