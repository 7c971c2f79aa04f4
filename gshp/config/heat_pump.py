"""[heat_pump]: the ground-source heat pump and its compressor map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gshp.config.fields import F
from gshp.errors import InputError, Problem

COMPRESSOR_MAPS_DIR = Path(__file__).parents[1] / "data" / "compressors"
"""The shipped compressor maps (ids are their file stems)."""


@dataclass(frozen=True)
class HeatPumpConfig:
    """[heat_pump]: the ground-source heat pump (compressor polynomial model)."""

    rated_heating_capacity_kW: float = F(
        kind="float",
        lo=0,
        lo_open=True,
        hi=1e5,
        unit="kW",
        doc="Heating capacity at B0/W35 (EN 14511); reference 135/96/96.",
    )
    compressor: str = F(
        "copeland_zh45k4e_r134a",
        kind="str",
        doc="Shipped compressor map id (see `gshp heatpump --maps`) or a path to a map "
        "file, relative to the case file's folder.",
    )
    n_compressors: int | None = F(
        None,
        kind="int",
        optional=True,
        lo=1,
        hi=50,
        doc="Compressors in parallel; default: chosen to reach the rated capacity.",
    )
    condenser_flow_kg_s: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=0,
        lo_open=True,
        hi=1e4,
        unit="kg/s",
        doc="Condenser water flow; default: rated capacity over 5 K of water (EN 14511).",
    )
    evaporator_UA_W_K: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=0,
        lo_open=True,
        hi=1e8,
        unit="W/K",
        doc="Evaporator UA; default derived from capacity.",
    )
    condenser_UA_W_K: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=0,
        lo_open=True,
        hi=1e8,
        unit="W/K",
        doc="Condenser UA; default derived from capacity.",
    )


def is_shipped_map(value: str) -> bool:
    """``value`` names a shipped compressor map (an id, not a file)."""
    return not Path(value).suffix and (COMPRESSOR_MAPS_DIR / f"{value}.toml").is_file()


def compressor_path(value: str, base_dir: Path) -> str:
    """A shipped map id as it is; a map file as an absolute path, a relative one taken
    from the case file's folder (not the current directory)."""
    if is_shipped_map(value):
        return value
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else base_dir / p)


def checks(case) -> list[Problem]:
    """A compressor map given as a file must be a readable, valid map (checked now, so
    that ``gshp check`` finds it, not the run)."""
    comp = case.heat_pump.compressor
    if is_shipped_map(comp):
        return []
    # imported here: numpy and numba, which importing the case-file layer (the CLI's start)
    # avoids
    from gshp.physics.heatpump import load_compressor_map

    try:
        load_compressor_map(comp)
    except InputError as exc:
        return list(exc.problems)
    return []
