"""Memory a case needs, estimated before it runs, and the bound it must stay under.

A run allocates, besides the interpreter and its libraries (``BASE_BYTES``):

* the building model's per-building series, a year of 15-min slots each (DHW draws, PVT
  irradiance, DHW shares and demands, and their temporaries): ``PER_BUILDING_SLOT_ARRAYS``
  float64 arrays of ``n_buildings × 35 040`` (none with a load file);
* with the buried pipes, the tree's ``n_pipes × n_buildings`` tables (one pipe per
  building by default): ``PIPE_TABLE_BYTES`` bytes per pipe and building;
* the time series: ``N_OUT`` sums per output interval (``output_resolution`` × years),
  then the result Dataset built from them, its float64 variables and their copies for
  writing: ``OUTPUT_COPIES`` × ``n_out × N_OUT × 8`` bytes (with the pipes, ``N_OUT``
  counts each substation's supply series too, up to ``network.SUBSTATION_SERIES_MAX``).

The constants are calibrated against the peak resident memory (``ru_maxrss``) of whole
runs of the Berlin reference case (docs in :func:`estimate_bytes`). A case whose estimate
exceeds ``simulation.max_memory_GB`` (4 GB by default; ``gshp run --max-memory``) is
refused before anything is allocated, with the estimate and what to change.
"""

from __future__ import annotations

from gshp.errors import InputError, Problem

GB = 1e9
BASE_BYTES = 280e6
"""Interpreter, numpy/xarray/numba and the compiled kernel (292–295 MB measured in all
for 7 buildings, 1–20 years at hourly or monthly resolution)."""
SLOTS = 35040
PER_BUILDING_SLOT_ARRAYS = 7.6
"""float64 (n_buildings × 35 040) arrays alive at the peak of the building model: fitted
to 100, 400 and 1000 buildings (2.13 MB per building, 1 year, pipes)."""
PIPE_TABLE_BYTES = 9.0
"""Bytes per (pipe, building) of the network tree (a bool table and a float64 one)."""
OUTPUT_COPIES = 3.2
"""Copies of the (n_out × outputs) float64 output sums at the peak (accumulators, the
Dataset's variables, their means): fitted to 2 years at 'step' (350 400 rows)."""
RESOLUTION_ROWS_PER_YEAR = {"15min": 35040, "hourly": 8760, "daily": 365, "monthly": 12}


def estimate_bytes(case) -> float:
    """Peak resident memory of a run of ``case``, bytes (estimate, see the module doc).

    Peak RSS measured for the Berlin case (``ru_maxrss`` of a whole ``simulate``, numba
    cache warm) / this estimate, MB; 1 year hourly with the pipes unless noted:
    7 buildings 295 / 300, 100: 509 / 498, 400: 1127 / 1139, 1000: 2411 / 2425;
    7 buildings: 2 years 'step' 496 / 501, 5 years 'step' (lumped) 802 / 811,
    20 years monthly 292 / 295, 20 years hourly 394 / 398: within −2.2 … +1.7 %.
    """
    from gshp.station.components.clock import steps_per_year
    from gshp.station.components.network import ELEMENT_OUTPUTS, SUBSTATION_SERIES_MAX
    from gshp.station.records import declarations

    n_series = len(declarations("OUTPUTS"))
    sim, dist, net = case.simulation, case.district, case.network
    n_b = int(dist.n_buildings)
    total = BASE_BYTES
    if dist.load_file is None:
        total += PER_BUILDING_SLOT_ARRAYS * n_b * SLOTS * 8.0
    if net.model == "pipes":
        n_pipes = len(net.pipes) if net.pipes else n_b
        total += PIPE_TABLE_BYTES * n_pipes * n_b
        n_series += len(ELEMENT_OUTPUTS) * (n_b if n_b <= SUBSTATION_SERIES_MAX else 0)
    if sim.output_resolution == "step":
        rows = steps_per_year(sim.time_step_s)
    else:
        rows = RESOLUTION_ROWS_PER_YEAR[sim.output_resolution]
    total += OUTPUT_COPIES * rows * sim.years * n_series * 8.0
    return float(total)


def check_memory(case) -> float:
    """Refuse a case whose estimated memory exceeds ``simulation.max_memory_GB``;
    returns the estimate in bytes."""
    need = estimate_bytes(case)
    limit = case.simulation.max_memory_GB
    if need > limit * GB:
        hints = []
        if case.district.load_file is None and case.district.n_buildings > 100:
            hints.append("fewer district.n_buildings (about 2.1 MB each)")
        if case.simulation.output_resolution in ("step", "15min"):
            hints.append("a coarser simulation.output_resolution (e.g. 'hourly')")
        hints.append(
            f"or raise simulation.max_memory_GB (gshp run --max-memory) to {need / GB:.1f}"
        )
        raise InputError(
            [
                Problem(
                    "simulation.max_memory_GB",
                    limit,
                    f"at least the estimated memory of this case, {need / GB:.1f} GB; "
                    "use " + ", ".join(hints),
                )
            ],
            source=case.name,
        )
    return need
