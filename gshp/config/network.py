"""[network]: the supply setpoint strategy, the substations and the buried pipes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gshp.config.fields import F, T
from gshp.errors import MISSING, InputError, Problem


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
    supply–return pairs; default: the reference network of docs/reference-study.md §7, sized from
    the design flow). See docs/network.md."""

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
        "unset): the reference network (reference study §7), a main line with the plant at "
        "one end, 90 m to the first building then 60 m between buildings (7 buildings: "
        "450 m).",
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


def checks(case) -> list[Problem]:
    """The [network] section's checks: a dead band between heating and cooling, each
    strategy's settings, and with model 'pipes' one source of pipes forming a tree
    (which needs the district's number of buildings)."""
    net = case.network
    out = []
    heat_max = {
        "constant": net.T_supply_heating_C,
        "schedule": max(net.heating_setpoint_by_month_C or (net.T_supply_heating_C,)),
        "reset": max(net.reset_T_supply_C),
        "adaptive": net.adaptive_T_max_C,
    }[net.strategy]
    if heat_max >= net.T_supply_cooling_C:
        out.append(
            Problem(
                "network.T_supply_cooling_C",
                net.T_supply_cooling_C,
                f"above the highest heating setpoint ({heat_max:g} °C): the station "
                "needs a dead band between heating and cooling",
            )
        )
    if net.setpoint_reference == "critical_node" and net.model != "pipes":
        out.append(
            Problem(
                "network.setpoint_reference",
                net.setpoint_reference,
                "'plant' with network.model = 'lumped' (one node has no pipes to make up for)",
            )
        )
    if net.booster_source_T_min_C >= net.booster_source_T_max_C:
        out.append(
            Problem(
                "network.booster_source_T_min_C",
                net.booster_source_T_min_C,
                f"below network.booster_source_T_max_C ({net.booster_source_T_max_C:g} °C)",
            )
        )
    if net.strategy == "schedule" and net.heating_setpoint_by_month_C is None:
        out.append(
            Problem(
                "network.heating_setpoint_by_month_C",
                MISSING,
                "12 setpoints in °C (required by strategy 'schedule')",
            )
        )
    if net.reset_T_outdoor_C[0] >= net.reset_T_outdoor_C[1]:
        out.append(
            Problem(
                "network.reset_T_outdoor_C",
                list(net.reset_T_outdoor_C),
                "two ascending outdoor temperatures",
            )
        )
    if net.adaptive_T_min_C > net.adaptive_T_max_C:
        out.append(
            Problem(
                "network.adaptive_T_min_C",
                net.adaptive_T_min_C,
                f"≤ network.adaptive_T_max_C ({net.adaptive_T_max_C:g})",
            )
        )
    if net.model == "pipes":
        out.extend(_pipes_checks(case))
    return out


def _pipes_checks(case) -> list[Problem]:
    """[network] with model 'pipes': one source of pipes, and a valid tree."""
    net = case.network
    if net.pipes is not None and net.pipes_file is not None:
        return [
            Problem("network.pipes_file", str(net.pipes_file), "unset when network.pipes is given")
        ]
    if net.pipes_file is not None and not net.pipes_file.is_file():
        return [Problem("network.pipes_file", str(net.pipes_file), "an existing CSV file")]
    # imported here: numpy, which importing the case-file layer (the CLI's start) avoids
    from gshp.physics.network.topology import tree_from_config

    try:
        tree_from_config(net, case.district.n_buildings)
    except InputError as exc:
        return list(exc.problems)
    return []
