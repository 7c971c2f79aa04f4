"""Case files: TOML in, a validated, immutable :class:`Case` out.

One module per case section (its dataclass and the checks that concern it alone):
:mod:`~gshp.config.simulation`, :mod:`~gshp.config.climate`, :mod:`~gshp.config.district`,
:mod:`~gshp.config.network`, :mod:`~gshp.config.tank`, :mod:`~gshp.config.heat_pump`,
:mod:`~gshp.config.borefield` (with ground, pipes, grout, fluid, gfunction),
:mod:`~gshp.config.controls`, :mod:`~gshp.config.pumps`, :mod:`~gshp.config.dry_cooler`;
the field declarations and value checks in :mod:`~gshp.config.fields`; the checks that
span sections in :mod:`~gshp.config.checks`; the whole case, loading and overrides in
:mod:`~gshp.config.case`; the JSON schema and the field reference in
:mod:`~gshp.config.export`. The names below are the public API.
"""

from gshp.config.borefield import (
    MAX_BOREHOLES,
    R_B_OVERRIDE_MIN,
    BorefieldConfig,
    FluidConfig,
    GFunctionConfig,
    GroundConfig,
    GroutConfig,
    PipesConfig,
    read_coordinates_file,
)
from gshp.config.case import (
    Case,
    apply_overrides,
    case_from_dict,
    case_hash,
    load_case,
    path_kind,
    read_toml,
    short_path,
)
from gshp.config.checks import MAX_NAME_BYTES, SAFE_NAME
from gshp.config.climate import PRESETS, ClimateConfig
from gshp.config.controls import ControlsConfig
from gshp.config.district import DistrictConfig
from gshp.config.dry_cooler import DryCoolerConfig
from gshp.config.export import field_reference, json_schema
from gshp.config.fields import REQUIRED, F, S, T
from gshp.config.heat_pump import COMPRESSOR_MAPS_DIR, HeatPumpConfig
from gshp.config.network import NetworkConfig, PipeConfig
from gshp.config.pumps import PumpsConfig
from gshp.config.simulation import SimulationConfig
from gshp.config.tank import TankConfig
from gshp.config.writer import toml_text

__all__ = [
    "COMPRESSOR_MAPS_DIR", "MAX_BOREHOLES", "MAX_NAME_BYTES", "PRESETS", "REQUIRED",
    "R_B_OVERRIDE_MIN", "SAFE_NAME", "BorefieldConfig", "Case", "ClimateConfig",
    "ControlsConfig", "DistrictConfig", "DryCoolerConfig", "F", "FluidConfig",
    "GFunctionConfig", "GroundConfig", "GroutConfig", "HeatPumpConfig", "NetworkConfig",
    "PipeConfig", "PipesConfig", "PumpsConfig", "S", "SimulationConfig", "T", "TankConfig",
    "apply_overrides", "case_from_dict", "case_hash", "field_reference", "json_schema",
    "load_case", "path_kind", "read_coordinates_file", "read_toml", "short_path", "toml_text",
]  # fmt: skip
