"""The hourly ground load of a borefield-only case (``[ground_load]``), read from CSV.

The layout is the one GHEtool, EED and GHEDesigner take: hourly heat extracted from and
injected into the ground (kW), one year repeated or every year of the run. The reader
shares the district load files' conventions (:func:`gshp.physics.district.read_load_file`):
comment lines ``#``, one header line, delimiter ``,``, ``;`` or tab, decimal ``.`` (or ``,``
with ``;``/tab), UTF-8; problems are reported as ``file: line L, column C``.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from gshp.errors import InputError, Problem

HOURS_PER_YEAR = 8760
UNIT_W = {"W": 1.0, "kW": 1e3, "MW": 1e6}
MAX_LOAD_W = 1e9
"""Largest hourly load accepted, W (1 GW: any larger value is a unit error)."""


def read_ground_load(cfg, years: int) -> np.ndarray:
    """Hourly ground load of ``years`` years, W (+ extracted from the ground, − injected):
    ``scale · (extraction − injection)`` of the file of ``cfg``
    (:class:`gshp.config.ground_load.GroundLoadConfig`), one year repeated when the file
    holds one. Returns an array of ``8760 · years`` values."""
    import pandas as pd

    path = cfg.file
    hk, names, lines, sep, decimal, raw = _parsed(path)
    lower = [n.lower() for n in names]
    problems = []
    cols = {}
    for field, name in (("extraction_column", cfg.extraction_column),
                        ("injection_column", cfg.injection_column)):  # fmt: skip
        if field == "injection_column" and not name:
            continue
        if name.strip().lower() not in lower:
            problems.append(Problem(f"ground_load.{field}", name,
                                    f"a column of line {hk}: {', '.join(names)}"))  # fmt: skip
        else:
            cols[field] = lower.index(name.strip().lower())
    if problems:
        raise InputError(problems, source=str(path))
    n = len(raw)
    if n not in (HOURS_PER_YEAR, HOURS_PER_YEAR * years):
        raise InputError.single(
            "ground_load.file", f"{n} data rows",
            f"8760 hourly rows (one year, repeated) or 8760 × simulation.years = "
            f"{HOURS_PER_YEAR * years}", source=str(path),
        )  # fmt: skip
    factor = UNIT_W[cfg.unit] * cfg.scale
    load = np.zeros(n)
    for field, j in cols.items():
        if j >= raw.shape[1]:
            raise InputError.single(f"line {lines[0]}", f"{raw.shape[1]} fields",
                                    f"{len(names)} fields separated by {sep!r}",
                                    source=str(path))  # fmt: skip
        s = raw[j].str.strip()
        if decimal == ",":
            s = s.str.replace(",", ".", regex=False)
        x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(x) | (x < 0) | (x * UNIT_W[cfg.unit] > MAX_LOAD_W))
        for i in bad[:5]:
            problems.append(Problem(f"line {lines[i]}, column {j + 1} ({names[j]})",
                                    raw.iat[i, j],
                                    f"a finite number ≥ 0 (heat {field.split('_')[0]}, "
                                    f"{cfg.unit}; at most 1 GW)"))  # fmt: skip
        load += x * factor if field == "extraction_column" else -x * factor
    if problems:
        raise InputError(problems, source=str(path))
    if n == HOURS_PER_YEAR:
        load = np.tile(load, years)
    return load


_PARSED: dict = {}
"""Parsed ground load files of this process, by path and SHA-256 of the content: the
samples of an uncertainty study (and a sizing search) read the same file many times
(hashing it takes about a millisecond, parsing it about 0.2 s)."""
_PARSED_SIZE = 4


def _parsed(path):
    """(header line number, column names, data line numbers, delimiter, decimal mark, the
    table of strings) of a ground load file; kept per process for the same content."""
    import hashlib

    try:
        key = (str(path), hashlib.sha256(Path(path).read_bytes()).hexdigest())
    except OSError:  # missing or unreadable: the reader says so
        return _parse(path)
    hit = _PARSED.pop(key, None)
    if hit is None:
        hit = _parse(path)
    _PARSED[key] = hit
    while len(_PARSED) > _PARSED_SIZE:
        _PARSED.pop(next(iter(_PARSED)))
    return hit


def _parse(path):
    import pandas as pd

    from gshp.physics.district import _decode_load_file, _sniff

    text = _decode_load_file(path)
    rows = [(k, ln) for k, ln in enumerate(text.splitlines(), start=1)
            if ln.strip() and not ln.lstrip().startswith("#")]  # fmt: skip
    if len(rows) < 2:
        raise InputError.single("ground_load.file", str(path), "a header line and data rows")
    hk, hline = rows[0]
    body = "\n".join(ln for _, ln in rows[1:])
    sep, decimal = _sniff(hline, body)
    names = [c.strip().strip('"').strip() for c in hline.split(sep)]
    lines = [k for k, _ in rows[1:]]
    raw = pd.read_csv(io.StringIO(body), sep=sep, header=None, dtype=str,
                      skipinitialspace=True, keep_default_na=False,
                      on_bad_lines="error", engine="python")  # fmt: skip
    return hk, names, lines, sep, decimal, raw
