"""[simulation]: length, step and output of the run."""

from __future__ import annotations

from dataclasses import dataclass

from gshp.config.fields import F


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
        choices=(60, 90, 100, 150, 180, 225, 300, 450, 900, 1800, 3600),
        unit="s",
        doc="Time step. A station's must divide 900 s (the 15-min load "
        "resolution): 60, 90, 100, 150, 180, 225, 300, 450 or 900; a borefield-only case "
        "may also take 1800 or 3600 (its load is hourly).",
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
