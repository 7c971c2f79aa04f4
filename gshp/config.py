"""Case files: TOML in, typed immutable configuration out.

A case file describes one supply station completely. Every field is declared once, below,
with its type, default, unit, allowed range and documentation; the loader checks a whole
file and reports *every* problem (field path, value, what is allowed) in one
:class:`~gshp.errors.InputError`. Relative file paths resolve against the case file's
folder.

Defaults fill everything the reference study (DESIGN §7) leaves unstated; each default's
documentation says where it comes from.

Public API: :func:`load_case` (path → :class:`Case`), :func:`case_from_dict`,
:func:`apply_overrides` (dotted paths), :meth:`Case.to_dict` and :func:`case_hash`.
"""

from __future__ import annotations

import contextvars
import dataclasses
import difflib
import hashlib
import json
import math
import numbers
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gshp.errors import MISSING, InputError, Problem

REQUIRED = MISSING
PRESETS = ("helsinki", "berlin", "strasbourg")
MAX_NAME_BYTES = 255
"""Longest file name (bytes) on the usual file systems (ext4, APFS, NTFS)."""
COMPRESSOR_MAPS_DIR = Path(__file__).parent / "data" / "compressors"
"""The shipped compressor maps (ids are their file stems)."""
MAX_BOREHOLES = 2000
R_B_OVERRIDE_MIN = 0.02
"""Lowest accepted effective borehole resistance override, m·K/W: measured R_b* of
coaxial boreholes and thermally enhanced grout lie at 0.03–0.05 m·K/W (Javed & Spitler
2017, *Advances in GSHP systems*, ch. 3); a smaller value is a unit or typing error."""
SAFE_NAME = re.compile(r"[^./\\\x00-\x1f][^/\\\x00-\x1f]*")
"""A case name names its result file: no path separators or control characters, no
leading dot."""


def F(
    default=REQUIRED,
    *,
    kind,
    unit="",
    doc="",
    lo=None,
    hi=None,
    lo_open=False,
    hi_open=False,
    choices=None,
    optional=False,
    length=None,
):
    """Declare a case-file field.

    kind: 'float' | 'int' | 'str' | 'bool' | 'path' | 'floats' | 'ints' | 'points'.
    lo/hi: inclusive bounds (open with lo_open/hi_open). optional: None is allowed.
    length: required length of a list field.
    """
    meta = dict(
        kind=kind,
        unit=unit,
        doc=doc,
        lo=lo,
        hi=hi,
        lo_open=lo_open,
        hi_open=hi_open,
        choices=choices,
        optional=optional,
        length=length,
        required=default is REQUIRED,
    )
    if default is REQUIRED:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


def S(cls):
    """Declare a sub-section field holding a section dataclass (with its defaults)."""
    return field(default_factory=cls, metadata=dict(kind="section", section=cls))


def T(cls, doc=""):
    """Declare an optional list of records (TOML array of tables ``[[a.b]]``), each
    validated like a section of class ``cls``; None when absent."""
    meta = dict(
        kind="tables",
        section=cls,
        unit="",
        doc=doc,
        lo=None,
        hi=None,
        lo_open=False,
        hi_open=False,
        choices=None,
        optional=True,
        length=None,
        required=False,
    )
    return field(default=None, metadata=meta)


# ---------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class SimulationConfig:
    """[simulation]: length, step and output of the run."""

    years: int = F(
        20,
        kind="int",
        lo=1,
        hi=100,
        unit="year",
        doc="Simulated years; the weather year repeats (365-day calendar).",
    )
    time_step_s: int = F(
        180,
        kind="int",
        choices=(60, 90, 100, 150, 180, 225, 300, 450, 900),
        unit="s",
        doc="Station time step. Must divide 900 s (the 15-min load "
        "resolution): 60, 90, 100, 150, 180, 225, 300, 450 or 900.",
    )
    output_resolution: str = F(
        "hourly",
        kind="str",
        choices=("step", "15min", "hourly", "daily", "monthly"),
        doc="Resolution of the time series in the result; 'step' keeps every station step (large).",
    )
    seed: int = F(
        0,
        kind="int",
        lo=0,
        hi=2**31 - 1,
        doc="Seed of the synthetic weather and DHW draws (deterministic).",
    )
    max_memory_GB: float = F(
        4.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1e4,
        unit="GB",
        doc="A run whose memory, estimated before it starts (gshp/memory.py: about 2.1 MB "
        "per building and 0.6 kB per output row and year), exceeds this is refused with the "
        "estimate; raise it for big districts or 'step' output (gshp run --max-memory).",
    )


@dataclass(frozen=True)
class ClimateConfig:
    """[climate]: a built-in preset or a weather file (one of the two)."""

    preset: str | None = F(
        None,
        kind="str",
        optional=True,
        choices=PRESETS,
        doc="Synthetic weather calibrated to DESIGN §8.",
    )
    weather_file: Path | None = F(
        None,
        kind="path",
        optional=True,
        doc="EnergyPlus .epw or DWD test reference year .dat "
        "file; relative to the case file's folder.",
    )
    latitude_deg: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-90,
        hi=90,
        unit="°",
        doc="Site latitude; default: the preset's or the weather file's.",
    )


@dataclass(frozen=True)
class DistrictConfig:
    """[district]: the buildings, their DHW and PVT, or a load file."""

    preset: str | None = F(
        None,
        kind="str",
        optional=True,
        choices=PRESETS,
        doc="Calibrated reference district (DESIGN §7, R3); default: the climate preset.",
    )
    n_buildings: int = F(
        7,
        kind="int",
        lo=1,
        hi=2000,
        doc="Number of buildings (reference: 7). The building model holds a year of "
        "15-min series per building: about 2.1 MB and 23 ms per simulated year each "
        "(measured), so 2000 buildings need about 4.6 GB and 15 min for 20 years.",
    )
    heated_area_m2: float = F(
        3920.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1e7,
        unit="m²",
        doc="Heated floor area of all buildings (reference: 7 × 560 m²).",
    )
    persons: int | None = F(
        None,
        kind="int",
        optional=True,
        lo=0,
        hi=10**6,
        doc="Occupants; default derived from the floor area.",
    )
    dhw_litres_per_person_day: float = F(
        50.0, kind="float", lo=0, hi=500, unit="L/d", doc="DHW draw at the tap (reference: 50)."
    )
    dhw_setpoint_C: float = F(
        43.0,
        kind="float",
        lo=30,
        hi=70,
        unit="°C",
        doc="DHW tank setpoint (reference: 43 °C, stop at 45 °C).",
    )
    load_file: Path | None = F(
        None,
        kind="path",
        optional=True,
        doc="CSV load file replacing the building model (see load_file_kind).",
    )
    load_file_kind: str = F(
        "demands",
        kind="str",
        choices=("demands", "network"),
        doc="'demands': building demands per column; 'network': the net network load directly.",
    )
    booster_capacity_kW: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=0,
        lo_open=True,
        hi=1e5,
        unit="kW",
        doc="Heating/cooling capacity of each building's booster heat pump (R2: 36 kW "
        "Helsinki, 25 kW Berlin and Strasbourg); default: the district preset's value.",
    )
    pvt_area_m2: float = F(
        518.4,
        kind="float",
        lo=0,
        hi=1e6,
        unit="m²",
        doc="PVT collector area (reference: 5 × 57.6 + 2 × 115.2).",
    )
    pvt_enabled: bool = F(True, kind="bool", doc="Whether the PVT collectors exist.")


@dataclass(frozen=True)
class PipeConfig:
    """[[network.pipes]]: one trench with a supply and a return pipe (see
    gshp/physics/network/topology.py). Fields left out take the network-wide ``pipe_*`` values."""

    id: str = F(kind="str", doc="Pipe name (unique).")
    upstream: str = F(kind="str", doc="Node towards the plant.")
    downstream: str = F(kind="str", doc="Node away from the plant.")
    length_m: float = F(kind="float", lo=0, lo_open=True, hi=1e5, unit="m", doc="Trench length.")
    buildings: int = F(
        0, kind="int", lo=0, hi=10000, doc="Substations (buildings) at the downstream node."
    )
    inner_diameter_m: float | None = F(
        None, kind="float", optional=True, lo=0, lo_open=True, hi=5, unit="m",
        doc="Inner diameter; with outer_diameter_m, or neither (sized from the design flow).",
    )  # fmt: skip
    outer_diameter_m: float | None = F(
        None, kind="float", optional=True, lo=0, lo_open=True, hi=5, unit="m",
        doc="Outer diameter of the pipe wall.",
    )  # fmt: skip
    wall_conductivity_W_mK: float | None = F(
        None, kind="float", optional=True, lo=0, lo_open=True, hi=500, unit="W/(m·K)",
        doc="Pipe wall conductivity.",
    )  # fmt: skip
    insulation_thickness_m: float | None = F(
        None, kind="float", optional=True, lo=0, hi=1, unit="m", doc="Insulation thickness."
    )
    insulation_conductivity_W_mK: float | None = F(
        None, kind="float", optional=True, lo=0, lo_open=True, hi=10, unit="W/(m·K)",
        doc="Insulation conductivity.",
    )  # fmt: skip
    depth_m: float | None = F(
        None, kind="float", optional=True, lo=0, lo_open=True, hi=50, unit="m",
        doc="Depth of the pipe centres.",
    )  # fmt: skip
    spacing_m: float | None = F(
        None, kind="float", optional=True, lo=0, lo_open=True, hi=50, unit="m",
        doc="Distance between the supply and return centres.",
    )  # fmt: skip


@dataclass(frozen=True)
class NetworkConfig:
    """[network]: supply setpoint strategy, substations, and the buried pipes (a tree of
    supply–return pairs; default: the reference network of DESIGN §7, sized from the
    design flow). See docs/network.md."""

    strategy: str = F(
        "constant",
        kind="str",
        choices=("constant", "schedule", "reset", "adaptive"),
        doc="constant: one setpoint per season; schedule: heating setpoint "
        "by month; reset: heating setpoint from the outdoor temperature; "
        "adaptive: winter setpoint moved to minimise electricity.",
    )
    T_supply_heating_C: float = F(
        20.0,
        kind="float",
        lo=2,
        hi=60,
        unit="°C",
        doc="Heating-season setpoint (reference: 20 °C).",
    )
    T_supply_cooling_C: float = F(
        25.0,
        kind="float",
        lo=2,
        hi=60,
        unit="°C",
        doc="Cooling-season setpoint (reference: 25 °C).",
    )
    heating_setpoint_by_month_C: tuple | None = F(
        None,
        kind="floats",
        optional=True,
        length=12,
        lo=2,
        hi=60,
        unit="°C",
        doc="strategy 'schedule': 12 heating-season setpoints, January first (reference "
        "variable strategy: 8 °C November–March, 20 °C otherwise).",
    )
    reset_T_outdoor_C: tuple = F(
        (-10.0, 10.0),
        kind="floats",
        length=2,
        lo=-40,
        hi=90,
        unit="°C",
        doc="strategy 'reset': outdoor temperatures of the two curve points (ascending).",
    )
    reset_T_supply_C: tuple = F(
        (10.0, 20.0),
        kind="floats",
        length=2,
        lo=2,
        hi=60,
        unit="°C",
        doc="strategy 'reset': supply setpoints at those outdoor temperatures.",
    )
    adaptive_T_min_C: float = F(
        8.0,
        kind="float",
        lo=2,
        hi=60,
        unit="°C",
        doc="strategy 'adaptive': lowest winter setpoint.",
    )
    adaptive_T_max_C: float = F(
        20.0,
        kind="float",
        lo=2,
        hi=60,
        unit="°C",
        doc="strategy 'adaptive': highest winter setpoint.",
    )
    adaptive_step_K: float = F(
        0.5,
        kind="float",
        lo=0,
        lo_open=True,
        hi=5,
        unit="K",
        doc="strategy 'adaptive': largest daily setpoint move.",
    )
    substation_dT_K: float = F(
        5.0,
        kind="float",
        lo=1,
        hi=20,
        unit="K",
        doc="Supply–return difference at design load (ULT practice 4–6 K; variable flow).",
    )
    min_flow_fraction: float = F(
        0.05,
        kind="float",
        lo=0,
        hi=1,
        unit="-",
        doc="Smallest network flow as a fraction of design "
        "flow (bypasses keep the network circulating).",
    )
    water_volume_m3: float = F(
        10.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1e5,
        unit="m³",
        doc="model 'lumped' only: water in the network (one mixed node; the reference "
        "network: about 450 m of paired DN125 pipes, 11 m³). With 'pipes' the volume is "
        "the pipes' own.",
    )
    model: str = F(
        "pipes",
        kind="str",
        choices=("pipes", "lumped"),
        doc="'pipes': buried supply and return pipes with plug flow and heat exchange with "
        "the soil; 'lumped': one lossless mixed node of water_volume_m3 (the model before "
        "the pipes, kept to reproduce earlier results).",
    )
    pipes: tuple | None = T(
        PipeConfig,
        doc="The trenches, inline as [[network.pipes]] tables; default (with pipes_file "
        "unset): the reference network of DESIGN §7, a main line with the plant at one end, "
        "90 m to the first building then 60 m between buildings (7 buildings: 450 m).",
    )
    pipes_file: Path | None = F(
        None,
        kind="path",
        optional=True,
        doc="CSV file of the trenches (header: the [[network.pipes]] field names; empty "
        "cells take the defaults); instead of pipes.",
    )
    pipe_max_pressure_gradient_Pa_m: float = F(
        150.0,
        kind="float",
        lo=10,
        hi=2000,
        unit="Pa/m",
        doc="Sizing rule for pipes without diameters: the smallest PE100 SDR11 pipe whose "
        "pressure gradient at its design flow is at most this (district heating practice "
        "100–200 Pa/m).",
    )
    pipe_depth_m: float = F(
        1.2,
        kind="float",
        lo=0.1,
        hi=50,
        unit="m",
        doc="Depth of the pipe centres (0.8–1 m of cover, frost-free in Helsinki).",
    )
    pipe_spacing_m: float = F(
        0.4,
        kind="float",
        lo=0.01,
        hi=50,
        unit="m",
        doc="Distance between the supply and return pipe centres in one trench.",
    )
    pipe_wall_conductivity_W_mK: float = F(
        0.4, kind="float", lo=0, lo_open=True, hi=500, unit="W/(m·K)",
        doc="Pipe wall conductivity (PE100: 0.38–0.42; uninsulated PE is usual in ULT "
        "networks).",
    )  # fmt: skip
    pipe_insulation_thickness_m: float = F(
        0.0, kind="float", lo=0, hi=1, unit="m", doc="Insulation thickness (0: uninsulated)."
    )
    pipe_insulation_conductivity_W_mK: float = F(
        0.026, kind="float", lo=0, lo_open=True, hi=10, unit="W/(m·K)",
        doc="Insulation conductivity (PUR foam, EN 253: ≤ 0.029).",
    )  # fmt: skip
    soil_conductivity_W_mK: float = F(
        1.5,
        kind="float",
        lo=0.05,
        hi=10,
        unit="W/(m·K)",
        doc="Soil conductivity around the pipes (moist sand/clay 1–2).",
    )
    soil_temperature: str = F(
        "seasonal",
        kind="str",
        choices=("seasonal", "constant"),
        doc="'seasonal': Kusuda–Achenbach at pipe depth from the climate's air "
        "temperature (mean, amplitude and phase of its yearly harmonic); 'constant': "
        "soil_T_C all year.",
    )
    soil_T_C: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-40,
        hi=60,
        unit="°C",
        doc="'constant': the undisturbed soil temperature; default: the annual mean air "
        "temperature.",
    )
    soil_diffusivity_m2_s: float = F(
        0.7e-6,
        kind="float",
        lo=1e-8,
        hi=1e-4,
        unit="m²/s",
        doc="Soil thermal diffusivity for the seasonal profile (1.5 W/(m·K) / 2.2 MJ/(m³·K)).",
    )
    unmet_tolerance_K: float = F(
        0.5,
        kind="float",
        lo=0,
        hi=10,
        unit="K",
        doc="Tolerance of the supply deficit (supply_deficit_heat/_cooling, not unmet "
        "heat): a substation's supply counts as short when it is more than this below the "
        "heating (above the cooling) setpoint; it leaves out the few tenths of a kelvin "
        "the water normally changes along the pipes.",
    )
    substation_pressure_drop_kPa: float = F(
        50.0,
        kind="float",
        lo=0,
        hi=2000,
        unit="kPa",
        doc="'pipes': pressure drop of a substation (heat exchanger + control valve) added "
        "to the pipes of the critical path for the network pump.",
    )
    booster_source_T_min_C: float = F(
        4.0, kind="float", lo=-20, hi=40, unit="°C",
        doc="Lowest network water temperature a substation's booster can take as its "
        "source: below it the booster stops (evaporator freeze protection) and the "
        "building's demand is unmet. Water-to-water heat pumps on plain water (no "
        "antifreeze) list 3–5 °C as their lowest source inlet in their operating "
        "envelopes (EN 14511 catalogue data; ≈ −1 °C evaporating at a 5 K approach).",
    )  # fmt: skip
    booster_source_T_max_C: float = F(
        35.0, kind="float", lo=0, hi=80, unit="°C",
        doc="Highest network water temperature a booster can take: above it its "
        "compressor leaves its envelope (as a chiller: condenser inlet; water-to-water "
        "units list 30–40 °C) and the building's demand is unmet.",
    )  # fmt: skip
    booster_capacity_kW: float | None = F(
        None, kind="float", optional=True, lo=0, lo_open=True, hi=1e5, unit="kW",
        doc="Largest heat output (heating + DHW) and cooling output of one substation's "
        "booster; demand above it is unmet. Default: unlimited (sized to the peak).",
    )  # fmt: skip
    setpoint_reference: str = F(
        "plant", kind="str", choices=("plant", "critical_node"),
        doc="Where the supply setpoint holds: 'plant' (the reference study's control) or "
        "'critical_node' (model 'pipes'): the plant's supply is raised (cooling season: "
        "lowered) until the critical substation, the coldest drawing heat (warmest "
        "rejecting heat), gets the setpoint; a causal controller on the last 15-min "
        "slot's node temperatures (docs/network.md).",
    )  # fmt: skip
    critical_node_T_max_C: float = F(
        24.0, kind="float", lo=2, hi=60, unit="°C",
        doc="'critical_node': highest plant supply in the heating season (default: 1 K "
        "below the reference cooling setpoint, keeping the season's dead band).",
    )  # fmt: skip
    critical_node_T_min_C: float = F(
        21.0, kind="float", lo=2, hi=60, unit="°C",
        doc="'critical_node': lowest plant supply in the cooling season (default: 1 K "
        "above the reference heating setpoint).",
    )  # fmt: skip


@dataclass(frozen=True)
class TankConfig:
    """[tank]: stratified storage tank with an immersed coil."""

    volume_m3: float = F(
        10.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1e4,
        unit="m³",
        doc="Not reported by the reference study; 10 m³ stores about "
        "30 min of the 96–135 kW heat pump at 5 K.",
    )
    height_m: float = F(
        3.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=50,
        unit="m",
        doc="Tank height (typical plant-room tank, aspect ratio ~1.5).",
    )
    n_layers: int = F(12, kind="int", lo=1, hi=100, doc="Fully mixed layers.")
    loss_UA_W_K: float = F(
        10.0,
        kind="float",
        lo=0,
        hi=1e5,
        unit="W/K",
        doc="Heat loss coefficient of the whole tank (≈26 m² at 0.4 W/(m²·K) for 10 m³ insulated).",
    )
    T_room_C: float = F(15.0, kind="float", lo=-40, hi=90, unit="°C", doc="Plant-room temperature.")
    coil_bottom_layer: int = F(
        1, kind="int", lo=1, hi=100, doc="Lowest layer of the immersed coil (1 = bottom)."
    )
    coil_top_layer: int = F(
        6,
        kind="int",
        lo=1,
        hi=100,
        doc="Highest layer of the coil (default: lower half of a 12-layer tank).",
    )
    coil_UA_W_K: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=0,
        lo_open=True,
        hi=1e8,
        unit="W/K",
        doc="Coil UA; default: rated heating capacity / 2 K (a 2 K approach at rated "
        "load, ≈ 50–100 m² of coil at 500–1000 W/(m²·K); smaller coils leave the cooling "
        "bypass short of the 25 °C setpoint at peak).",
    )
    T_initial_C: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-40,
        hi=90,
        unit="°C",
        doc="Initial tank temperature; default: the first heating setpoint.",
    )


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


@dataclass(frozen=True)
class GroundConfig:
    """[borefield.ground]: undisturbed ground."""

    conductivity_W_mK: float = F(
        2.2,
        kind="float",
        lo=0.1,
        hi=10,
        unit="W/(m·K)",
        doc="Ground thermal conductivity (reference 2.2).",
    )
    volumetric_heat_capacity_J_m3K: float = F(
        2.5e6, kind="float", lo=1e5, hi=1e7, unit="J/(m³·K)", doc="Reference 2.5 MJ/(m³·K)."
    )
    T_undisturbed_C: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-40,
        hi=90,
        unit="°C",
        doc="Mean undisturbed temperature; or give T_surface_C and the gradient.",
    )
    T_surface_C: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=-40,
        hi=90,
        unit="°C",
        doc="Mean surface temperature (used with the gradient at mid-depth).",
    )
    geothermal_gradient_K_m: float = F(
        0.03, kind="float", lo=0, hi=0.2, unit="K/m", doc="Geothermal gradient (reference 0.03)."
    )


@dataclass(frozen=True)
class PipesConfig:
    """[borefield.pipes]: U-tubes."""

    arrangement: str = F(
        "single_u",
        kind="str",
        choices=("single_u", "double_u"),
        doc="Single or double U-tube (double: legs in parallel).",
    )
    outer_diameter_m: float = F(
        0.032, kind="float", lo=0, lo_open=True, hi=0.2, unit="m", doc="Reference 32 mm."
    )
    inner_diameter_m: float = F(
        0.026, kind="float", lo=0, lo_open=True, hi=0.2, unit="m", doc="Reference 26 mm."
    )
    shank_spacing_m: float = F(
        0.078,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1,
        unit="m",
        doc="Distance between the centres of the two legs of a U (reference 78 mm).",
    )
    conductivity_W_mK: float = F(
        0.35,
        kind="float",
        lo=0.01,
        hi=500,
        unit="W/(m·K)",
        doc="Pipe wall conductivity (PE100: 0.35–0.42).",
    )
    roughness_m: float = F(
        1e-6, kind="float", lo=0, hi=1e-3, unit="m", doc="Pipe roughness (smooth PE)."
    )


@dataclass(frozen=True)
class GroutConfig:
    """[borefield.grout]: borehole filling."""

    conductivity_W_mK: float = F(
        1.8,
        kind="float",
        lo=0.1,
        hi=10,
        unit="W/(m·K)",
        doc="Not reported; thermally enhanced grout 1.5–2.0.",
    )
    volumetric_heat_capacity_J_m3K: float = F(
        3.8e6,
        kind="float",
        lo=1e5,
        hi=1e7,
        unit="J/(m³·K)",
        doc="Bentonite–cement grout (Beier 2011: 1900 kg/m³ × 2000 J/(kg·K)).",
    )
    layers: int = F(
        1,
        kind="int",
        lo=1,
        hi=10,
        doc="Grout nodes per leg from pipe to wall: 1 = Bauer et al. (2011) TRCM; 3 splits "
        "the grout capacity radially (better first hours: Beier sandbox, docs/validation).",
    )


@dataclass(frozen=True)
class FluidConfig:
    """[borefield.fluid]: heat carrier (properties from pygfunction.media.Fluid)."""

    name: str = F(
        "MPG",
        kind="str",
        choices=("water", "MPG", "MEG"),
        doc="water, propylene glycol (MPG) or ethylene glycol (MEG) mixture.",
    )
    concentration_pct: float = F(
        30.0, kind="float", lo=0, hi=60, unit="%", doc="Glycol mass concentration (reference 30 %)."
    )
    cp_J_kgK: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=1000,
        hi=5000,
        unit="J/(kg·K)",
        doc="Override of the specific heat (reference 3915).",
    )
    density_kg_m3: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=500,
        hi=2000,
        unit="kg/m³",
        doc="Override of the density (reference 1031).",
    )
    T_props_C: float = F(
        5.0,
        kind="float",
        lo=-40,
        hi=90,
        unit="°C",
        doc="Temperature at which properties are evaluated.",
    )
    max_freezing_steps_pct: float = F(
        0.1,
        kind="float",
        lo=0,
        hi=100,
        unit="%",
        doc="Largest share of the borefield pump's running steps with the brine below its "
        "freezing point before the result is implausible (the run fails; the fluid would "
        "freeze in the evaporator). Default 0.1 %: a few hours a year of brief dips.",
    )


@dataclass(frozen=True)
class GFunctionConfig:
    """[borefield.gfunction]: pygfunction options."""

    boundary_condition: str = F(
        "UBWT",
        kind="str",
        choices=("UBWT", "MIFT"),
        doc="Uniform borehole wall temperature, or mixed inlet "
        "fluid temperature with the field's pipes and flow.",
    )
    method: str = F(
        "equivalent",
        kind="str",
        choices=("equivalent", "similarities", "detailed"),
        doc="pygfunction solver ('equivalent' for large fields).",
    )
    cache_dir: Path | None = F(
        None,
        kind="path",
        optional=True,
        doc="g-function cache folder; default: the user cache folder (or $GSHP_CACHE_DIR).",
    )


@dataclass(frozen=True)
class BorefieldConfig:
    """[borefield]: geometry, flow and the sub-tables ground/pipes/grout/fluid/gfunction."""

    layout: str = F(
        "rectangle",
        kind="str",
        choices=("rectangle", "coordinates"),
        doc="'rectangle': n_x × n_y at spacing_m; 'coordinates': given points.",
    )
    n_x: int = F(1, kind="int", lo=1, hi=1000, doc="Boreholes along x (rectangle).")
    n_y: int = F(1, kind="int", lo=1, hi=1000, doc="Boreholes along y (rectangle).")
    spacing_m: float = F(
        8.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1000,
        unit="m",
        doc="Borehole spacing (reference 8 m).",
    )
    coordinates_m: tuple | None = F(
        None, kind="points", optional=True, unit="m", doc="layout 'coordinates': [[x, y], ...]."
    )
    coordinates_file: Path | None = F(
        None, kind="path", optional=True, doc="layout 'coordinates': CSV with columns x_m,y_m."
    )
    length_m: float = F(
        100.0,
        kind="float",
        lo=0,
        lo_open=True,
        hi=2000,
        unit="m",
        doc="Borehole length (reference 100 m).",
    )
    buried_depth_m: float = F(
        1.5,
        kind="float",
        lo=0,
        hi=100,
        unit="m",
        doc="Depth of the borehole top; not reported (1–2 m).",
    )
    radius_m: float = F(
        0.07,
        kind="float",
        lo=0,
        lo_open=True,
        hi=1,
        unit="m",
        doc="Borehole radius; not reported (0.065–0.075 m).",
    )
    flow_per_borehole_kg_s: float = F(
        0.35,
        kind="float",
        lo=0,
        lo_open=True,
        hi=10,
        unit="kg/s",
        doc="Fluid flow per borehole when the pump runs (turbulent in 26 mm).",
    )
    R_b_override_mK_W: float | None = F(
        None,
        kind="float",
        optional=True,
        lo=R_B_OVERRIDE_MIN,
        hi=10,
        unit="m·K/W",
        doc="Effective borehole resistance from a response test, replacing the pipe model "
        f"(≥ {R_B_OVERRIDE_MIN:g}: the lowest measured R_b*, coaxial or thermally enhanced "
        "grout, are about 0.03–0.05 m·K/W; a smaller value is a unit error).",
    )
    ground: GroundConfig = S(GroundConfig)
    pipes: PipesConfig = S(PipesConfig)
    grout: GroutConfig = S(GroutConfig)
    fluid: FluidConfig = S(FluidConfig)
    gfunction: GFunctionConfig = S(GFunctionConfig)

    @property
    def n_boreholes(self) -> int:
        """Number of boreholes of the field."""
        if self.layout == "rectangle":
            return self.n_x * self.n_y
        return len(self.points())

    def points(self) -> tuple:
        """Borehole coordinates (x, y) in m."""
        if self.layout == "rectangle":
            return tuple(
                (i * self.spacing_m, j * self.spacing_m)
                for j in range(self.n_y)
                for i in range(self.n_x)
            )
        if self.coordinates_m is not None:
            return self.coordinates_m
        return read_coordinates_file(self.coordinates_file)

    @property
    def total_flow_kg_s(self) -> float:
        return self.n_boreholes * self.flow_per_borehole_kg_s


@dataclass(frozen=True)
class ControlsConfig:
    """[controls]: season rule, GSHP and bypass hysteresis, minimum run/rest times."""

    season: str = F(
        "calendar",
        kind="str",
        choices=("calendar", "auto"),
        doc="calendar: cooling_months; auto: sign of the net network load over a moving window.",
    )
    cooling_months: tuple = F(
        (6, 7, 8, 9),
        kind="ints",
        lo=1,
        hi=12,
        doc="Months of the cooling season (season 'calendar').",
    )
    auto_window_h: float = F(
        168.0,
        kind="float",
        lo=1,
        hi=2160,
        unit="h",
        doc="Moving window of the automatic season rule.",
    )
    season_override_margin_K: float = F(
        2.0,
        kind="float",
        lo=0,
        hi=30,
        unit="K",
        doc="Protective override of the season rule: in the heating season the station "
        "switches to cooling for the rest of the day when the tank's cold side exceeds the "
        "cooling setpoint by this margin (heat rejected with no sink), and in the cooling "
        "season to heating when the warm side falls this far below the heating setpoint.",
    )
    sensor_height_fraction: float = F(
        0.5,
        kind="float",
        lo=0,
        hi=1,
        unit="-",
        doc="Height of the tank control sensor (0 bottom, 1 top).",
    )
    gshp_on_offset_K: float = F(
        1.0,
        kind="float",
        lo=-20,
        hi=30,
        unit="K",
        doc="GSHP starts when the sensor falls below setpoint + this.",
    )
    gshp_off_offset_K: float = F(
        5.0,
        kind="float",
        lo=-20,
        hi=30,
        unit="K",
        doc="GSHP stops when the sensor rises above setpoint + this (must exceed the on offset).",
    )
    bypass_on_offset_K: float = F(
        1.0,
        kind="float",
        lo=-20,
        hi=30,
        unit="K",
        doc="Cooling bypass starts when the sensor rises above setpoint − this.",
    )
    bypass_off_offset_K: float = F(
        5.0,
        kind="float",
        lo=-20,
        hi=30,
        unit="K",
        doc="Bypass stops when the sensor falls below setpoint − this (must exceed the on offset).",
    )
    min_on_time_s: float = F(
        600.0,
        kind="float",
        lo=0,
        hi=86400,
        unit="s",
        doc="Minimum run time of the GSHP and of the bypass.",
    )
    min_off_time_s: float = F(
        600.0,
        kind="float",
        lo=0,
        hi=86400,
        unit="s",
        doc="Minimum rest time of the GSHP and of the bypass.",
    )


@dataclass(frozen=True)
class PumpsConfig:
    """[pumps]: circulation pumps, P = V̇·Δp/η (network: Δp ∝ V̇², affinity law)."""

    borefield_pressure_drop_kPa: float = F(
        60.0,
        kind="float",
        lo=0,
        hi=2000,
        unit="kPa",
        doc="Borefield loop pressure drop at its flow (boreholes + headers + evaporator).",
    )
    network_pressure_drop_kPa: float = F(
        100.0, kind="float", lo=0, hi=2000, unit="kPa", doc="Network pressure drop at design flow."
    )
    condenser_pressure_drop_kPa: float = F(
        30.0, kind="float", lo=0, hi=2000, unit="kPa", doc="Condenser–coil loop pressure drop."
    )
    efficiency: float = F(
        0.5, kind="float", lo=0.05, hi=1, unit="-", doc="Wire-to-water efficiency of every pump."
    )


@dataclass(frozen=True)
class Case:
    """One supply-station case (a whole case file)."""

    heat_pump: HeatPumpConfig = field(metadata=dict(kind="section", section=HeatPumpConfig))
    name: str = F("case", kind="str", doc="Case name; default: the file name.")
    description: str = F("", kind="str", doc="Free text.")
    simulation: SimulationConfig = S(SimulationConfig)
    climate: ClimateConfig = S(ClimateConfig)
    district: DistrictConfig = S(DistrictConfig)
    network: NetworkConfig = S(NetworkConfig)
    tank: TankConfig = S(TankConfig)
    borefield: BorefieldConfig = S(BorefieldConfig)
    controls: ControlsConfig = S(ControlsConfig)
    pumps: PumpsConfig = S(PumpsConfig)
    source: Path | None = field(default=None, compare=False, metadata=dict(kind="internal"))

    def __post_init__(self):
        """A case built in Python is checked like a case file (every problem in one
        :class:`~gshp.errors.InputError`); sections may be given as dicts."""
        if _TRUSTED.get():
            return
        base = self.source.parent if self.source else None
        checked = case_from_dict(self.to_dict(), base_dir=base, source=self.source)
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, getattr(checked, f.name))

    def to_toml(self, path=None) -> str:
        """The case as a TOML case file (every field, paths absolute); written to
        ``path`` when given. ``load_case`` of it gives an equal case."""
        text = toml_text(self.to_dict())
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_dict(self) -> dict:
        """Plain nested dict (TOML/JSON types) of the whole configuration."""
        return _to_plain(self)

    def replace(self, **overrides) -> Case:
        """A new case with dotted-path overrides, e.g. ``{"borefield.n_x": 5}``."""
        return case_from_dict(
            apply_overrides(self.to_dict(), overrides),
            base_dir=self.source.resolve().parent if self.source else None,
            source=self.source,
        )


# ---------------------------------------------------------------------------- loading


def load_case(path, overrides: dict | None = None) -> Case:
    """Read and validate a case file.

    Parameters
    ----------
    path : str or Path
        TOML case file.
    overrides : dict, optional
        Dotted-path overrides applied before validation, e.g.
        ``{"borefield.n_x": 7, "climate.preset": "berlin"}``.

    Raises
    ------
    InputError
        Listing every problem with its field path, value and what is allowed.
    """
    path = _as_path(path, "a TOML case file")
    _check_overrides(overrides)
    raw = read_toml(path, "a readable TOML case file")
    raw.setdefault("name", path.stem)
    if overrides:
        raw = apply_overrides(raw, overrides)
    # relative paths resolve against the real file's folder (a symlinked case file too)
    return case_from_dict(raw, base_dir=path.resolve().parent, source=path)


def case_from_dict(raw: dict, base_dir=None, source=None) -> Case:
    """Validate a plain nested dict (as read from TOML) into a :class:`Case`."""
    problems: list[Problem] = []
    ctx = _Ctx(Path(base_dir) if base_dir is not None else Path.cwd(), problems)
    values = _build(Case, raw, "", ctx)
    if problems:
        raise InputError(problems, source=str(source) if source else None)
    hp = values.get("heat_pump")
    if hp is not None:
        values["heat_pump"] = dataclasses.replace(
            hp, compressor=_compressor_path(hp.compressor, ctx.base_dir)
        )
    token = _TRUSTED.set(True)
    try:
        case = Case(**values, source=Path(source) if source else None)
    finally:
        _TRUSTED.reset(token)
    _cross_checks(case, problems)
    if problems:
        raise InputError(problems, source=str(source) if source else None)
    return case


_TRUSTED = contextvars.ContextVar("gshp_case_validated", default=False)
"""Set while :func:`case_from_dict` builds a case it has validated (no second check)."""


def _compressor_path(value: str, base_dir: Path) -> str:
    """A shipped map id as it is; a map file as an absolute path, a relative one taken
    from the case file's folder (not the current directory)."""
    if not Path(value).suffix and (COMPRESSOR_MAPS_DIR / f"{value}.toml").is_file():
        return value
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else base_dir / p)


def _check_overrides(overrides) -> None:
    """``overrides`` is None or a mapping of dotted paths (str) to values."""
    if overrides is None:
        return
    if not isinstance(overrides, Mapping):
        raise InputError.single(
            "overrides", overrides, 'a dict of dotted paths to values, e.g. {"borefield.n_x": 7}'
        )
    bad = [k for k in overrides if not isinstance(k, str) or not k.strip()]
    if bad:
        raise InputError.single("overrides", bad[0], 'a dotted path such as "borefield.n_x"')


def _as_path(path, what: str) -> Path:
    """A str or os.PathLike as a Path; anything else is an InputError."""
    if isinstance(path, Path):
        return path
    if isinstance(path, str | os.PathLike):
        return Path(path)
    raise InputError.single("path", path, f"{what} (a str or pathlib.Path)")


def path_kind(path: Path) -> str:
    """'file', 'dir', 'missing', or why the path cannot be looked at (a name too long
    for the file system, a NUL character, no permission): never raises."""
    try:
        if path.is_file():
            return "file"
        if path.is_dir():
            return "dir"
        return "missing"
    except ValueError:  # an embedded NUL character
        return "a path with a NUL character"
    except OSError as exc:  # ENAMETOOLONG, EACCES, ...
        return f"unusable ({exc.strerror or exc})"


def apply_overrides(raw: dict, overrides: dict) -> dict:
    """Return a deep copy of ``raw`` with dotted-path ``overrides`` set."""
    _check_overrides(overrides)
    out = json.loads(json.dumps(raw, default=_json_default))
    for dotted, value in overrides.items():
        keys = str(dotted).split(".")
        node = out
        for k in keys[:-1]:
            nxt = node.get(k)
            if not isinstance(nxt, dict):
                nxt = {}
                node[k] = nxt
            node = nxt
        node[keys[-1]] = value
    return out


def case_hash(case: Case) -> str:
    """Stable hash of everything that affects a case's result (name excluded)."""
    d = case.to_dict()
    d.pop("name", None)
    d.pop("description", None)
    d.get("simulation", {}).pop("max_memory_GB", None)  # a guard, not part of the result
    text = json.dumps(d, sort_keys=True, default=_json_default)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_coordinates_file(path) -> tuple:
    """Borehole coordinates (m) from a CSV file with a header ``x_m,y_m``.

    Every malformed line is reported (file:line, the line, what is allowed).
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single(str(path), str(exc), "a readable CSV file") from None
    if not lines or [h.strip() for h in lines[0].split(",")][:2] != ["x_m", "y_m"]:
        raise InputError.single(f"{path}:1", lines[0] if lines else "", "a header 'x_m,y_m'")
    pts, problems = [], []
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            x, y = (float(v) for v in line.split(",")[:2])
            if not (math.isfinite(x) and math.isfinite(y)):
                raise ValueError
            pts.append((x, y))
        except ValueError:
            problems.append(Problem(f"{path}:{no}", line, "two finite numbers x_m,y_m"))
    if problems:
        raise InputError(problems)
    if not pts:
        raise InputError.single(str(path), "no rows", "at least one borehole")
    return tuple(pts)


def read_toml(path, what: str) -> dict:
    """Parse a TOML file; a missing, unreadable or invalid file is an InputError.

    ``what`` names the expected file in the message, e.g. "a TOML case file".
    """
    path = Path(path)
    if "\x00" in str(path):
        raise InputError.single(str(path).replace("\x00", "\\0"), "a NUL character", what)
    kind = path_kind(path)
    if kind != "file":
        value = {"missing": MISSING, "dir": "a folder"}.get(kind, kind)
        raise InputError.single(short_path(str(path)), value, what)
    try:
        # utf-8-sig: a byte-order mark (as some Windows editors write) is not TOML's business
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise InputError.single(
            str(path), "arrays or tables nested too deeply", f"{what} (valid TOML, shallow nesting)"
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError.single(str(path), f"byte {exc.start}", "UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError.single(str(path), str(exc), "valid TOML") from None
    except OSError as exc:  # permissions, I/O errors
        raise InputError.single(str(path), f"unreadable ({exc.strerror})", what) from None


def short_path(text: str, n: int = 200) -> str:
    """A path shortened for a message (a 5000-character name fills no screen)."""
    if len(text) <= n:
        return text
    return f"{text[: n // 2]}…{text[-n // 2 :]} ({len(text)} characters)"


# ---------------------------------------------------------------------------- internals


@dataclass
class _Ctx:
    base_dir: Path
    problems: list


def _fields(cls):
    return [f for f in dataclasses.fields(cls) if f.metadata.get("kind") != "internal"]


def _build(cls, raw, prefix, ctx) -> dict:
    if not isinstance(raw, dict):
        ctx.problems.append(Problem(prefix.rstrip(".") or "case", raw, "a table"))
        return {}
    known = {f.name: f for f in _fields(cls)}
    for key in raw:
        if key not in known:
            hint = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
            allowed = (
                f"unknown key; did you mean '{hint[0]}'?"
                if hint
                else "unknown key; allowed: " + ", ".join(known)
            )
            ctx.problems.append(Problem(prefix + key, raw[key], allowed))
    values = {}
    for name, f in known.items():
        meta = f.metadata
        where = prefix + name
        if meta["kind"] == "section":
            sub = raw.get(name, {})
            values[name] = _section(meta["section"], sub, where, ctx)
            continue
        if name not in raw:
            if meta["required"]:
                ctx.problems.append(Problem(where, MISSING, _describe(meta, required=True)))
            continue
        ok, value = _convert(raw[name], meta, where, ctx)
        if ok:
            values[name] = value
    return values


def _section(cls, raw, where, ctx):
    before = len(ctx.problems)
    vals = _build(cls, raw, where + ".", ctx)
    if len(ctx.problems) > before:
        return None
    return cls(**vals)


def _describe(meta, required=False) -> str:
    kind = meta["kind"]
    words = {
        "float": "a number",
        "int": "a whole number",
        "str": "a string",
        "bool": "true or false",
        "path": "a file path",
        "floats": "a list of numbers",
        "ints": "a list of whole numbers",
        "points": "a list of [x, y] pairs",
        "tables": "a list of tables",
    }[kind]
    if meta["length"]:
        words = f"{words} of length {meta['length']}"
    if meta["choices"]:
        words = "one of " + ", ".join(repr(c) for c in meta["choices"])
    rng = _range_text(meta)
    if rng:
        words += " " + rng
    if meta["unit"] and kind in ("float", "int", "floats", "ints", "points"):
        words += f" [{meta['unit']}]"
    return ("required: " if required else "") + words


def _range_text(meta) -> str:
    lo, hi = meta["lo"], meta["hi"]
    if lo is None and hi is None:
        return ""
    lo_s = ("> " if meta["lo_open"] else "≥ ") + _num(lo) if lo is not None else ""
    hi_s = ("< " if meta["hi_open"] else "≤ ") + _num(hi) if hi is not None else ""
    if lo is not None and hi is not None:
        if not meta["lo_open"] and not meta["hi_open"]:
            return f"in [{_num(lo)}, {_num(hi)}]"
        return f"{lo_s} and {hi_s}"
    return lo_s or hi_s


def _num(x) -> str:
    return f"{x:g}"


def _convert(value, meta, where, ctx):
    kind = meta["kind"]
    bad = (False, None)

    def fail():
        ctx.problems.append(Problem(where, value, _describe(meta)))
        return bad

    if value is None or (
        isinstance(value, str) and value == "" and meta["optional"] and kind == "path"
    ):
        return (True, None) if meta["optional"] else fail()
    if kind == "bool":
        return (True, value) if isinstance(value, bool) else fail()
    if kind == "str":
        if not isinstance(value, str) or "\x00" in value:
            return fail()
        if meta["choices"] and value not in meta["choices"]:
            return fail()
        return True, value
    if kind == "path":
        if not isinstance(value, str) or not value.strip() or "\x00" in value:
            return fail()
        p = Path(value).expanduser()
        if not p.is_absolute():
            p = ctx.base_dir / p
        return True, p
    if kind in ("float", "int"):
        ok, num = _number(value, kind)
        if not ok or not _in_range(num, meta) or (meta["choices"] and num not in meta["choices"]):
            return fail()
        return True, num
    if kind in ("floats", "ints"):
        if not isinstance(value, list | tuple):
            return fail()
        if meta["length"] and len(value) != meta["length"]:
            return fail()
        if not value:
            return fail()
        out = []
        for item in value:
            ok, num = _number(item, "int" if kind == "ints" else "float")
            if not ok or not _in_range(num, meta):
                return fail()
            out.append(num)
        return True, tuple(out)
    if kind == "tables":
        if not isinstance(value, list | tuple) or not value:
            return fail()
        before = len(ctx.problems)
        out = []
        for n, item in enumerate(value):
            vals = _build(meta["section"], item, f"{where}[{n}].", ctx)
            if len(ctx.problems) == before:
                out.append(meta["section"](**vals))
        return (len(ctx.problems) == before), tuple(out)
    if kind == "points":
        if not isinstance(value, list | tuple) or not value:
            return fail()
        out = []
        for item in value:
            if not isinstance(item, list | tuple) or len(item) != 2:
                return fail()
            ok1, x = _number(item[0], "float")
            ok2, y = _number(item[1], "float")
            if not (ok1 and ok2) or abs(x) > 1e5 or abs(y) > 1e5:
                return fail()
            out.append((x, y))
        return True, tuple(out)
    raise AssertionError(kind)  # pragma: no cover - schema error


def _number(value, kind):
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy's bool too
        return False, None
    # numpy scalars (np.int64 from np.arange, np.float64 from arithmetic) as Python
    # numbers: numpy registers them as numbers.Integral / numbers.Real
    if isinstance(value, numbers.Integral) and not isinstance(value, int):
        value = int(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, float | int):
        value = float(value)
    if kind == "int":
        if isinstance(value, int):
            return True, value
        if isinstance(value, float) and value.is_integer():
            return True, int(value)
        return False, None
    if isinstance(value, int | float):
        v = float(value)
        return (math.isfinite(v), v)
    return False, None


def _in_range(v, meta) -> bool:
    lo, hi = meta["lo"], meta["hi"]
    if lo is not None and (v < lo or (meta["lo_open"] and v == lo)):
        return False
    if hi is not None and (v > hi or (meta["hi_open"] and v == hi)):
        return False
    return True


def _cross_checks(case: Case, problems: list) -> None:
    """Checks that involve more than one field."""
    p = problems.append
    _sim, clim, dist, net, tank = (
        case.simulation,
        case.climate,
        case.district,
        case.network,
        case.tank,
    )
    bf, ctl = case.borefield, case.controls
    if (clim.preset is None) == (clim.weather_file is None):
        p(
            Problem(
                "climate",
                {
                    "preset": clim.preset,
                    "weather_file": str(clim.weather_file) if clim.weather_file else None,
                },
                "exactly one of climate.preset and climate.weather_file",
            )
        )
    if clim.weather_file is not None and not clim.weather_file.is_file():
        p(Problem("climate.weather_file", str(clim.weather_file), "an existing file"))
    elif clim.weather_file is not None and clim.latitude_deg is None:
        # a TRY file without a position fails at check, not at run (issue 25)
        if clim.weather_file.suffix.lower() != ".epw":
            from gshp.physics.climate import try_position_problem

            why = try_position_problem(clim.weather_file)
            if why is not None:
                p(why)
    if dist.load_file is not None and not dist.load_file.is_file():
        p(Problem("district.load_file", str(dist.load_file), "an existing file"))
    if dist.load_file is None and dist.preset is None and clim.preset is None:
        p(
            Problem(
                "district.preset",
                None,
                "one of 'helsinki', 'berlin', 'strasbourg' "
                "(needed when the climate comes from a weather file and no load file "
                "is given)",
            )
        )
    if not SAFE_NAME.fullmatch(case.name):
        p(
            Problem(
                "name",
                case.name,
                "a non-empty name without '/', '\\' or control "
                "characters, not starting with '.' (it names the result file)",
            )
        )
    elif len((case.name + ".nc").encode("utf-8")) > MAX_NAME_BYTES:
        p(
            Problem(
                "name",
                case.name,
                f"at most {MAX_NAME_BYTES - 3} bytes in UTF-8 (it names the result file "
                f"<name>.nc; file names have at most {MAX_NAME_BYTES} bytes); this one has "
                f"{len(case.name.encode('utf-8'))}",
            )
        )
    _check_compressor(case, problems)
    heat_max = {
        "constant": net.T_supply_heating_C,
        "schedule": max(net.heating_setpoint_by_month_C or (net.T_supply_heating_C,)),
        "reset": max(net.reset_T_supply_C),
        "adaptive": net.adaptive_T_max_C,
    }[net.strategy]
    if heat_max >= net.T_supply_cooling_C:
        p(
            Problem(
                "network.T_supply_cooling_C",
                net.T_supply_cooling_C,
                f"above the highest heating setpoint ({heat_max:g} °C): the station "
                "needs a dead band between heating and cooling",
            )
        )
    if net.setpoint_reference == "critical_node" and net.model != "pipes":
        p(
            Problem(
                "network.setpoint_reference",
                net.setpoint_reference,
                "'plant' with network.model = 'lumped' (one node has no pipes to make up for)",
            )
        )
    if net.booster_source_T_min_C >= net.booster_source_T_max_C:
        p(
            Problem(
                "network.booster_source_T_min_C",
                net.booster_source_T_min_C,
                f"below network.booster_source_T_max_C ({net.booster_source_T_max_C:g} °C)",
            )
        )
    if (
        net.strategy == "adaptive"
        and dist.load_file is not None
        and dist.load_file_kind == "network"
    ):
        p(
            Problem(
                "network.strategy",
                "adaptive",
                "a case with building demands: the "
                "adaptive rule weighs booster electricity, which a net network load file "
                "does not give (use district.load_file_kind = 'demands')",
            )
        )
    if bf.layout == "rectangle" and bf.n_x * bf.n_y > MAX_BOREHOLES:
        p(
            Problem(
                "borefield.n_x", bf.n_x, f"n_x × n_y ≤ {MAX_BOREHOLES} boreholes (n_y = {bf.n_y})"
            )
        )
    if net.strategy == "schedule" and net.heating_setpoint_by_month_C is None:
        p(
            Problem(
                "network.heating_setpoint_by_month_C",
                MISSING,
                "12 setpoints in °C (required by strategy 'schedule')",
            )
        )
    if net.reset_T_outdoor_C[0] >= net.reset_T_outdoor_C[1]:
        p(
            Problem(
                "network.reset_T_outdoor_C",
                list(net.reset_T_outdoor_C),
                "two ascending outdoor temperatures",
            )
        )
    if net.adaptive_T_min_C > net.adaptive_T_max_C:
        p(
            Problem(
                "network.adaptive_T_min_C",
                net.adaptive_T_min_C,
                f"≤ network.adaptive_T_max_C ({net.adaptive_T_max_C:g})",
            )
        )
    if net.model == "pipes":
        _check_network_pipes(case, problems)
    for name in ("coil_bottom_layer", "coil_top_layer"):
        v = getattr(tank, name)
        if v > tank.n_layers:
            p(Problem(f"tank.{name}", v, f"a layer in [1, tank.n_layers = {tank.n_layers}]"))
    if tank.coil_bottom_layer > tank.coil_top_layer:
        p(
            Problem(
                "tank.coil_bottom_layer",
                tank.coil_bottom_layer,
                f"≤ tank.coil_top_layer ({tank.coil_top_layer})",
            )
        )
    g = bf.ground
    if (g.T_undisturbed_C is None) == (g.T_surface_C is None):
        p(
            Problem(
                "borefield.ground",
                {"T_undisturbed_C": g.T_undisturbed_C, "T_surface_C": g.T_surface_C},
                "exactly one of T_undisturbed_C and T_surface_C",
            )
        )
    if bf.spacing_m <= 2 * bf.radius_m and (bf.layout == "rectangle" and bf.n_x * bf.n_y > 1):
        p(
            Problem(
                "borefield.spacing_m",
                bf.spacing_m,
                f"> 2 × borefield.radius_m = {2 * bf.radius_m:g} m",
            )
        )
    if bf.layout == "coordinates":
        if (bf.coordinates_m is None) == (bf.coordinates_file is None):
            p(
                Problem(
                    "borefield.coordinates_m",
                    None,
                    "exactly one of coordinates_m and coordinates_file (layout 'coordinates')",
                )
            )
        elif bf.coordinates_file is not None and not bf.coordinates_file.is_file():
            p(
                Problem(
                    "borefield.coordinates_file", str(bf.coordinates_file), "an existing CSV file"
                )
            )
        else:
            try:
                pts = bf.points()
            except InputError as exc:
                problems.extend(exc.problems)
                pts = ()
            _check_overlap(pts, bf.radius_m, problems)
    pipes = bf.pipes
    if pipes.inner_diameter_m >= pipes.outer_diameter_m:
        p(
            Problem(
                "borefield.pipes.inner_diameter_m",
                pipes.inner_diameter_m,
                f"< borefield.pipes.outer_diameter_m ({pipes.outer_diameter_m:g} m)",
            )
        )
    r_p = pipes.outer_diameter_m / 2
    if pipes.shank_spacing_m / 2 + r_p > bf.radius_m:
        p(
            Problem(
                "borefield.pipes.shank_spacing_m",
                pipes.shank_spacing_m,
                f"pipes must fit in the borehole: shank_spacing/2 + outer radius ≤ "
                f"borefield.radius_m ({bf.radius_m:g} m), i.e. ≤ "
                f"{2 * (bf.radius_m - r_p):.4g} m",
            )
        )
    if pipes.shank_spacing_m < pipes.outer_diameter_m:
        p(
            Problem(
                "borefield.pipes.shank_spacing_m",
                pipes.shank_spacing_m,
                f"≥ the pipe outer diameter ({pipes.outer_diameter_m:g} m): the legs would overlap",
            )
        )
    if bf.fluid.name == "water" and bf.fluid.concentration_pct != 0:
        p(Problem("borefield.fluid.concentration_pct", bf.fluid.concentration_pct, "0 for water"))
    if len(set(ctl.cooling_months)) != len(ctl.cooling_months):
        p(
            Problem(
                "controls.cooling_months", list(ctl.cooling_months), "distinct months in [1, 12]"
            )
        )
    if ctl.gshp_off_offset_K <= ctl.gshp_on_offset_K:
        p(
            Problem(
                "controls.gshp_off_offset_K",
                ctl.gshp_off_offset_K,
                f"> controls.gshp_on_offset_K ({ctl.gshp_on_offset_K:g} K)",
            )
        )
    if ctl.bypass_off_offset_K <= ctl.bypass_on_offset_K:
        p(
            Problem(
                "controls.bypass_off_offset_K",
                ctl.bypass_off_offset_K,
                f"> controls.bypass_on_offset_K ({ctl.bypass_on_offset_K:g} K)",
            )
        )


def _check_network_pipes(case: Case, problems: list) -> None:
    """[network] with model 'pipes': one source of pipes, and a valid tree."""
    net = case.network
    if net.pipes is not None and net.pipes_file is not None:
        problems.append(
            Problem("network.pipes_file", str(net.pipes_file), "unset when network.pipes is given")
        )
        return
    if net.pipes_file is not None and not net.pipes_file.is_file():
        problems.append(Problem("network.pipes_file", str(net.pipes_file), "an existing CSV file"))
        return
    from gshp.physics.network.topology import tree_from_config

    try:
        tree_from_config(net, case.district.n_buildings)
    except InputError as exc:
        problems.extend(exc.problems)


def _check_compressor(case: Case, problems: list) -> None:
    """A compressor map given as a file must be a readable, valid map (checked now, so
    that ``gshp check`` finds it, not the run)."""
    comp = case.heat_pump.compressor
    if (COMPRESSOR_MAPS_DIR / f"{comp}.toml").is_file() and not Path(comp).suffix:
        return
    from gshp.physics.heatpump import load_compressor_map

    try:
        load_compressor_map(comp)
    except InputError as exc:
        problems.extend(exc.problems)


def _check_overlap(points, r_b, problems) -> None:
    pts = list(points)
    if len(pts) > MAX_BOREHOLES:
        problems.append(
            Problem(
                "borefield.coordinates_m",
                f"{len(pts)} boreholes",
                f"at most {MAX_BOREHOLES} boreholes",
            )
        )
        return
    for i in range(len(pts)):
        for j in range(i + 1, len(pts)):
            d = math.hypot(pts[i][0] - pts[j][0], pts[i][1] - pts[j][1])
            if d <= 2 * r_b:
                problems.append(
                    Problem(
                        f"borefield.coordinates_m[{j}]",
                        list(pts[j]),
                        f"boreholes {i} and {j} are {d:.3g} m apart; they must be more than "
                        f"2 × radius = {2 * r_b:g} m apart",
                    )
                )
                return


def _json_default(obj):
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(type(obj))


def _to_plain(obj):
    if dataclasses.is_dataclass(obj):
        out = {}
        for f in _fields(type(obj)):
            v = getattr(obj, f.name)
            if v is None:
                continue
            out[f.name] = _to_plain(v)
        return out
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, tuple):
        return [_to_plain(v) for v in obj]
    return obj


_TOML_TYPES = {"float": "number", "int": "integer", "str": "string", "bool": "boolean",
               "path": "string"}  # fmt: skip


def _field_schema(f) -> dict:
    meta = f.metadata
    kind = meta["kind"]
    num: dict = {}
    if meta["lo"] is not None:
        num["exclusiveMinimum" if meta["lo_open"] else "minimum"] = meta["lo"]
    if meta["hi"] is not None:
        num["exclusiveMaximum" if meta["hi_open"] else "maximum"] = meta["hi"]
    if kind in _TOML_TYPES:
        out = {"type": _TOML_TYPES[kind], **num}
    elif kind in ("floats", "ints"):
        item = {"type": "integer" if kind == "ints" else "number", **num}
        out = {"type": "array", "items": item, "minItems": meta["length"] or 1}
        if meta["length"]:
            out["maxItems"] = meta["length"]
    else:  # points
        pair = {"type": "array", "items": {"type": "number", "minimum": -1e5, "maximum": 1e5},
                "minItems": 2, "maxItems": 2}  # fmt: skip
        out = {"type": "array", "items": pair, "minItems": 1}
    if meta["choices"]:
        out["enum"] = list(meta["choices"])
    text = meta["doc"] + (f" [{meta['unit']}]" if meta["unit"] else "")
    out["description"] = text.strip()
    if not meta["required"] and f.default is not None:
        out["default"] = _to_plain(f.default)
    return out


def json_schema() -> dict:
    """JSON Schema (draft 2020-12) of a case file, derived from the field declarations
    (the same ones that check case files), for editors that complete and check TOML
    (e.g. Even Better TOML / taplo with ``#:schema``). ``gshp check --json-schema``."""

    def section(cls) -> dict:
        props, required = {}, []
        for f in _fields(cls):
            if f.metadata["kind"] == "section":
                props[f.name] = section(f.metadata["section"])
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    required.append(f.name)
                continue
            props[f.name] = _field_schema(f)
            if f.metadata["required"]:
                required.append(f.name)
        out = {"type": "object", "description": (cls.__doc__ or "").strip(),
               "properties": props, "additionalProperties": False}  # fmt: skip
        if required:
            out["required"] = required
        return out

    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "gshp case file"}  # fmt: skip
    schema.update(section(Case))
    return schema


def toml_text(d: dict) -> str:
    """A nested dict of TOML types (str, bool, int, float, lists, tables) as TOML text."""
    def key(k):
        return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)

    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, list | tuple):
            return "[" + ", ".join(value(x) for x in v) + "]"
        raise TypeError(type(v))

    lines: list[str] = []

    def table(node, prefix):
        subs = [(k, v) for k, v in node.items() if isinstance(v, dict)]
        for k, v in node.items():
            if not isinstance(v, dict):
                lines.append(f"{key(k)} = {value(v)}")
        for k, v in subs:
            name = f"{prefix}.{key(k)}" if prefix else key(k)
            lines.extend(["", f"[{name}]"])
            table(v, name)

    table(d, "")
    return "\n".join(lines).lstrip("\n") + "\n"


def field_reference() -> str:
    """Markdown reference of every case-file field (generated from the schema)."""
    lines = [
        "# Case-file reference",
        "",
        "Generated from `gshp/config.py` by `gshp check --reference`. Every field, "
        "its default, unit and allowed values.",
        "",
    ]

    def walk(cls, prefix):
        rows, subs = [], []
        for f in _fields(cls):
            meta = f.metadata
            if meta["kind"] == "section":
                subs.append((meta["section"], prefix + f.name))
                continue
            if meta["kind"] == "tables":
                subs.append((meta["section"], prefix + f.name))
            if meta["required"]:
                default = "required"
            elif f.default is None:
                default = "—"
            else:
                default = f"`{json.dumps(_to_plain(f.default), ensure_ascii=False)}`"
            allowed = _describe(meta)
            rows.append(
                f"| `{f.name}` | {default} | {meta['unit'] or ''} | {allowed} | {meta['doc']} |"
            )
        if rows:
            title = f"[{prefix.rstrip('.')}]" if prefix else "top level"
            lines.extend(
                [
                    f"## {title}",
                    "",
                    (cls.__doc__ or "").strip(),
                    "",
                    "| field | default | unit | allowed | meaning |",
                    "|---|---|---|---|---|",
                    *rows,
                    "",
                ]
            )
        for sub, name in subs:
            walk(sub, name + ".")

    walk(Case, "")
    return "\n".join(lines)
