"""Parameter sweeps: a base case, a grid of dotted-path overrides, one combined result.

A sweep file (TOML) names a base case file, fixed overrides applied to every case and a
grid of varied parameters, crossed (every combination) or zipped (element by element)::

    name = "climate_x_boreholes"       # optional; default: the sweep file's name
    base = "../berlin.toml"            # relative to the sweep file
    output = "../../results/x.nc"      # optional; default results/<name>.nc (from the cwd)
    mode = "cross"                     # or "zip"

    [overrides]                        # applied to every case
    "simulation.years" = 2

    [grid]                             # one axis per entry
    "borefield.n_x" = [5, 6, 7]

    [[grid.climate]]                   # a group: rows of several paths varied together
    label = "helsinki"
    "climate.preset" = "helsinki"
    "district.preset" = "helsinki"
    "borefield.ground.T_undisturbed_C" = 5.2
    [[grid.climate]]
    label = "berlin"
    "climate.preset" = "berlin"
    "district.preset" = "berlin"
    "borefield.ground.T_undisturbed_C" = 9.8

Dotted paths are checked against the case-file schema before anything runs (an unknown
path is an :class:`~gshp.errors.InputError` naming it). A grid point whose *value* is
invalid is reported by its case name and the other cases still run.

Each case's result is kept in ``<output stem>.cases/<case hash>.nc`` next to the combined
file; a re-run skips the cases whose result exists and carries the same input key
(:func:`input_key`: the configuration hash, the contents of every file the case reads
and the gshp version); any other file there (stale, foreign, unreadable) is re-run and
overwritten. Run metadata (timings, cache hits) goes into the ``run_info`` attribute,
never into variables. The combined Dataset stacks the cases along a ``case``
dimension with every swept parameter as a coordinate on ``case``; it is written once,
atomically, as compressed NetCDF (:func:`gshp.io.results.write_netcdf`).
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from gshp.config import SAFE_NAME, Case, case_from_dict, case_hash, load_case, read_toml
from gshp.errors import MISSING, InputError, Problem
from gshp.io.fileio import WriteError
from gshp.io.results import decode_netcdf, encode_netcdf, netcdf_safe_attrs, write_netcdf
from gshp.studies.runner import CaseResult, run_cases

SWEEP_KEYS = ("name", "description", "base", "output", "mode", "overrides", "grid")
MODES = ("cross", "zip")
GROUP_LABEL = "label"
RESERVED_PATHS = ("name",)
"""Paths a sweep may not set: the sweep names its cases itself."""
PER_CASE_ATTR_NAMES = {"case": "case_config"}
"""Per-case attributes that become variables on ``case`` under another name."""


@dataclass(frozen=True)
class Axis:
    """One grid axis: a single dotted path, or a group of paths varied together.

    ``rows`` holds one dict {dotted path: value} per grid point of the axis; ``labels``
    one short text per row (the value itself for a single path).
    """

    name: str
    paths: tuple
    rows: tuple
    labels: tuple
    group: bool = False

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Point:
    """One grid point: its case name, its overrides and the axis coordinates."""

    name: str
    overrides: dict
    coords: dict


@dataclass(frozen=True)
class Sweep:
    """A parsed, validated sweep file."""

    name: str
    base: Path
    output: Path
    mode: str
    overrides: dict
    axes: tuple
    description: str = ""
    source: Path | None = None
    points: tuple = field(default=())

    @property
    def cases_dir(self) -> Path:
        """Folder of the per-case results, next to the combined file."""
        return self.output.with_name(self.output.stem + ".cases")


# ---------------------------------------------------------------------------- schema


def leaf_paths() -> dict:
    """Every settable dotted path of the case-file schema → its field metadata."""
    out = {}

    def walk(cls, prefix):
        for f in dataclasses.fields(cls):
            kind = f.metadata.get("kind")
            if kind == "internal" or kind is None:
                continue
            if kind == "section":
                walk(f.metadata["section"], prefix + f.name + ".")
            else:
                out[prefix + f.name] = f.metadata

    walk(Case, "")
    return out


def check_path(path: str, where: str, paths: dict | None = None) -> Problem | None:
    """A Problem if ``path`` is not a settable case-file field (with a close match)."""
    paths = leaf_paths() if paths is None else paths
    if path in RESERVED_PATHS:
        return Problem(where, path, "not settable in a sweep (the sweep names its cases)")
    if path in paths:
        return None
    sections = {p.rsplit(".", 1)[0] for p in paths if "." in p}
    if path in sections:
        return Problem(where, path, "a field, not a whole section: give section.field")
    hint = difflib.get_close_matches(path, list(paths), n=1, cutoff=0.6)
    allowed = (
        f"unknown case-file field; did you mean '{hint[0]}'?"
        if hint
        else "unknown case-file field (see `gshp check --reference`)"
    )
    return Problem(where, path, allowed)


def _flatten(table: dict, prefix: str = "") -> dict:
    """Nested TOML tables → {dotted path: value} (quoted dotted keys stay as they are;
    lists, including a group's list of row tables, are values)."""
    out = {}
    for key, value in table.items():
        path = prefix + str(key)
        if isinstance(value, dict):
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out


# ---------------------------------------------------------------------------- parsing


def load_sweep(path, output=None) -> Sweep:
    """Read and validate a sweep file (every problem in one InputError).

    Parameters
    ----------
    path : str or Path
        The sweep TOML file.
    output : str or Path, optional
        Combined result file, replacing the file's ``output`` (command-line ``-o``).
    """
    path = Path(path)
    raw = read_toml(path, "a readable sweep TOML file")
    # relative paths resolve against the real file's folder (a symlinked sweep file too)
    return sweep_from_dict(raw, base_dir=path.resolve().parent, source=path, output=output)


def sweep_from_dict(raw: dict, base_dir=None, source=None, output=None) -> Sweep:
    """Validate a sweep read from TOML (see the module documentation for the format)."""
    base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
    src = str(source) if source is not None else None
    problems: list[Problem] = []
    p = problems.append
    for key in raw:
        if key not in SWEEP_KEYS:
            hint = difflib.get_close_matches(key, SWEEP_KEYS, n=1, cutoff=0.6)
            p(
                Problem(
                    key,
                    raw[key],
                    f"unknown key; did you mean '{hint[0]}'?"
                    if hint
                    else "unknown key; allowed: " + ", ".join(SWEEP_KEYS),
                )
            )
    default_name = Path(source).stem if source is not None else "sweep"
    name = raw.get("name", default_name)
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
        p(
            Problem(
                "name",
                name,
                "a non-empty text without '/', '\\' or control characters, not starting "
                "with '.' (it names the result file)",
            )
        )
        name = default_name
    description = raw.get("description", "")
    if not isinstance(description, str):
        p(Problem("description", description, "a text"))
        description = ""
    base = raw.get("base", MISSING)
    base_path = None
    if not isinstance(base, str) or not base.strip():
        p(Problem("base", base, "the base case file (path relative to the sweep file)"))
    else:
        base_path = Path(base).expanduser()
        if not base_path.is_absolute():
            base_path = base_dir / base_path
        if not base_path.is_file():
            p(Problem("base", base, f"an existing case file (looked for {base_path})"))
    mode = raw.get("mode", "cross")
    if mode not in MODES:
        p(Problem("mode", mode, "'cross' (every combination) or 'zip' (element by element)"))
        mode = "cross"
    if output is not None:
        out_path = Path(output)
    else:
        out = raw.get("output")
        if out is None:
            out_path = Path("results") / f"{name}.nc"
        elif not isinstance(out, str) or not out.strip():
            p(Problem("output", out, "a file path (relative to the sweep file)"))
            out_path = Path("results") / f"{name}.nc"
        else:
            out_path = Path(out).expanduser()
            if not out_path.is_absolute():
                out_path = base_dir / out_path
    if out_path.suffix != ".nc":
        p(Problem("output", str(out_path), "a NetCDF file name ending in .nc"))

    schema = leaf_paths()
    overrides_raw = raw.get("overrides", {})
    overrides = {}
    if not isinstance(overrides_raw, dict):
        p(Problem("overrides", overrides_raw, 'a table of "dotted.path" = value'))
    else:
        overrides = _flatten(overrides_raw)
        for path_ in overrides:
            prob = check_path(path_, f"overrides.{path_}", schema)
            if prob:
                p(prob)
    axes = _parse_grid(raw.get("grid", MISSING), schema, problems, zip_mode=mode == "zip")
    seen: dict = {}
    for axis in axes:
        for path_ in axis.paths:
            if path_ in overrides:
                p(Problem(f"grid.{axis.name}", path_, "a path not also set in [overrides]"))
            if path_ in seen:
                p(
                    Problem(
                        f"grid.{axis.name}",
                        path_,
                        f"a path varied by one grid entry only (also in grid.{seen[path_]})",
                    )
                )
            seen[path_] = axis.name
    if mode == "zip" and axes and len({len(a) for a in axes}) > 1:
        p(
            Problem(
                "grid",
                {a.name: len(a) for a in axes},
                "mode 'zip': every grid entry with the same number of values",
            )
        )
    if mode == "zip" and axes and not problems:
        rows = [
            tuple(_label(v) for a in axes for v in a.rows[i].values()) for i in range(len(axes[0]))
        ]
        count = collections.Counter(rows)
        dup = [i for i, r in enumerate(rows) if count[r] > 1]
        if dup:
            p(Problem("grid", f"points {', '.join(str(i + 1) for i in dup)}",
                      "mode 'zip': grid points that differ in at least one value"))  # fmt: skip
    if problems:
        raise InputError(problems, source=src)
    sweep = Sweep(
        name=name,
        base=base_path,
        output=out_path,
        mode=mode,
        overrides=overrides,
        axes=tuple(axes),
        description=description,
        source=Path(source) if source is not None else None,
    )
    return dataclasses.replace(sweep, points=tuple(grid_points(sweep)))


def _parse_grid(grid, schema, problems, zip_mode=False) -> list[Axis]:
    """The grid's axes; in ``zip`` mode an entry may repeat a value (the points must
    differ, which :func:`sweep_from_dict` checks), in ``cross`` mode it may not."""
    p = problems.append
    if grid is MISSING:
        p(Problem("grid", MISSING, "a [grid] table with at least one varied parameter"))
        return []
    if not isinstance(grid, dict) or not grid:
        p(Problem("grid", grid, "a table with at least one varied parameter"))
        return []
    axes = []
    for key, value in _flatten(grid).items():
        where = f"grid.{key}"
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            axes.append(_group_axis(key, value, where, schema, problems))
            continue
        prob = check_path(key, where, schema)
        if prob:
            p(prob)
            continue
        if not isinstance(value, list) or not value:
            p(Problem(where, value, "a non-empty list of values"))
            continue
        labels = tuple(_label(v) for v in value)
        if not zip_mode and len(set(labels)) != len(labels):
            dup = sorted({lb for lb in labels if labels.count(lb) > 1})
            p(Problem(where, value, f"distinct values (repeated: {', '.join(dup)})"))
            continue
        if schema[key].get("kind") == "path":
            labels = _path_labels(value, labels)
        axes.append(Axis(key, (key,), tuple({key: v} for v in value), labels))
    axes = [a for a in axes if a is not None]
    # groups (e.g. the climate) first: they vary slowest and lead the case names
    return [a for a in axes if a.group] + [a for a in axes if not a.group]


def _group_axis(name, rows_raw, where, schema, problems) -> Axis | None:
    p = problems.append
    rows, labels = [], []
    paths = None
    ok = True
    for i, row_raw in enumerate(rows_raw):
        row = dict(row_raw)
        label = row.pop(GROUP_LABEL, None)
        row = _flatten(row)
        for path_ in row:
            prob = check_path(path_, f"{where}[{i}].{path_}", schema)
            if prob:
                p(prob)
                ok = False
        if not row:
            p(Problem(f"{where}[{i}]", row_raw, "at least one dotted path = value"))
            ok = False
        if paths is None:
            paths = tuple(row)
        elif set(row) != set(paths):
            p(
                Problem(
                    f"{where}[{i}]",
                    sorted(row),
                    f"the same paths in every row ({', '.join(paths)})",
                )
            )
            ok = False
        if label is not None and not isinstance(label, str | int | float):
            p(Problem(f"{where}[{i}].{GROUP_LABEL}", label, "a short text"))
            ok = False
        rows.append(row)
        labels.append(str(label) if label is not None else _label(next(iter(row.values()), i)))
    if len(set(labels)) != len(labels):
        p(Problem(f"{where}", labels, "distinct row labels (set 'label' in each row)"))
        ok = False
    if not ok:
        return None
    return Axis(name, paths, tuple(rows), tuple(labels), group=True)


def _label(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str | int | bool):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _path_labels(values, labels) -> tuple:
    """Labels of file-path values fit for case names (no '/' or '\\'): the file names if
    they differ, else the paths with their separators replaced by '_'."""
    if not all(isinstance(v, str) for v in values):
        return labels
    names = [Path(v.replace("\\", "/")).name or v for v in values]
    if len(set(names)) == len(names):
        return tuple(names)
    return tuple(v.replace("/", "_").replace("\\", "_") for v in values)


def _short_names(axes) -> list[str]:
    """Short axis names for case names: the last path component unless ambiguous."""
    shorts = [a.name if a.group else a.name.rsplit(".", 1)[-1] for a in axes]
    return [a.name if shorts.count(s) > 1 else s for a, s in zip(axes, shorts, strict=True)]


def grid_points(sweep: Sweep) -> list[Point]:
    """The sweep's grid points in order (cross: first axis slowest; zip: index by index)."""
    axes = sweep.axes
    if sweep.mode == "zip":
        combos = [tuple(i for _ in axes) for i in range(len(axes[0]))] if axes else []
    else:
        combos = list(itertools.product(*(range(len(a)) for a in axes)))
    shorts = _short_names(axes)
    points = []
    for idx in combos:
        over = dict(sweep.overrides)
        coords = {}
        parts = []
        for axis, short, i in zip(axes, shorts, idx, strict=True):
            over.update(axis.rows[i])
            parts.append(f"{short}={axis.labels[i]}")
            if axis.group:
                coords[axis.name] = axis.labels[i]
            for path_ in axis.paths:
                coords[path_] = axis.rows[i][path_]
        points.append(Point(", ".join(parts), over, coords))
    return points


# ---------------------------------------------------------------------------- cases


def build_cases(sweep: Sweep) -> tuple[Case, list, list[CaseResult]]:
    """The base case, the valid grid points as (point, case), and the invalid ones.

    An invalid grid point (a value the schema rejects) becomes a :class:`CaseResult` with
    ``error_kind="input"`` naming the point; the others are unaffected.
    """
    base = load_case(sweep.base)
    raw = base.to_dict()
    base_dir = sweep.base.resolve().parent
    valid, invalid = [], []
    for point in sweep.points:
        over = dict(point.overrides)
        over["name"] = point.name
        merged = _apply(raw, over)
        try:
            case = case_from_dict(merged, base_dir=base_dir, source=sweep.base)
        except InputError as exc:
            invalid.append(CaseResult(point.name, error=exc.message(), error_kind="input"))
            continue
        valid.append((point, case))
    return base, valid, invalid


def _apply(raw: dict, overrides: dict) -> dict:
    from gshp.config import apply_overrides

    return apply_overrides(raw, overrides)


# ---------------------------------------------------------------------------- running


@dataclass
class SweepOutcome:
    """What a sweep did: the combined Dataset, where it went, and each case's outcome."""

    dataset: xr.Dataset | None
    path: Path | None
    results: list
    skipped: list
    ran: list

    @property
    def failed(self) -> list:
        return [r for r in self.results if not r.ok]


def run_sweep(
    sweep,
    *,
    jobs: int = 1,
    progress: bool = True,
    scheduler: str | None = None,
    force: bool = False,
    write: bool = True,
    simulate_fn=None,
    float32: bool = False,
) -> SweepOutcome:
    """Run a sweep; keep per-case results; combine and write the result file.

    Parameters
    ----------
    sweep : Sweep, str or Path
        A parsed sweep or a sweep file.
    jobs : int
        Parallel processes (joblib); ≤ 0: one per core. Ignored with ``scheduler``.
    progress : bool
        Progress bars (overall and per case) on standard error.
    scheduler : str, optional
        ``"local"`` (Dask LocalCluster) or ``"tcp://host:port"`` (existing Dask cluster).
    force : bool
        Re-run every case even if its per-case result exists.
    write : bool
        Write the per-case files and the combined file (False: only return them).
    simulate_fn : callable, optional
        Replacement for :func:`gshp.studies.simulate.simulate` (tests).
    float32 : bool
        Store the combined file's floating-point data in single precision (the per-case
        files, reused by later runs, stay float64).
    """
    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    _, valid, invalid = build_cases(sweep)
    cases_dir = sweep.cases_dir
    if write:
        check_output(sweep)
    from gshp.io.fileio import atomic_write_bytes

    done: dict = {}
    skipped, to_run = [], []
    hash_by_name, key_by_name, notes = {}, {}, {}
    for point, case in valid:
        h = case_hash(case)
        hash_by_name[point.name] = h
        key = input_key(case)
        key_by_name[point.name] = key
        path = cases_dir / f"{h}.nc"
        if write and not force and path.is_file():
            ds, note = _reusable(path, key)
            if ds is not None:
                done[point.name] = CaseResult(point.name, dataset=ds)
                skipped.append(point.name)
                continue
            if note:
                notes[point.name] = note
        to_run.append((point, case, h))

    def on_result(res):
        # the worker sent the per-case file's bytes (sealed with the input key and the
        # checksum); every case is combined from its file's content, so a resumed sweep
        # equals a clean one
        if not res.ok or not isinstance(res.dataset, bytes):
            return
        data = res.dataset
        if write:
            try:
                atomic_write_bytes(cases_dir / f"{hash_by_name[res.name]}.nc", data)
            except WriteError as exc:  # disk full: this case fails, the others go on
                res.error, res.error_kind, res.dataset = str(exc), "failure", None
                return
        res.dataset = decode_netcdf(data)

    results = run_cases(
        [case for _, case, _ in to_run],
        jobs=jobs,
        progress=progress,
        scheduler=scheduler,
        on_result=on_result,
        simulate_fn=simulate_fn,
        finish=SealCase({p.name: key_by_name[p.name] for p, _, _ in to_run}),
    )
    for res in results:
        if res.name in notes:
            res.warnings = [notes[res.name], *res.warnings]
    for res in results:
        done[res.name] = res
    for res in invalid:
        done[res.name] = res
    ordered = [done[p.name] for p in sweep.points]
    ok_points = [(p, done[p.name].dataset) for p in sweep.points if done[p.name].ok]
    failed = [r for r in ordered if not r.ok]
    hashes = [hash_by_name[p.name] for p, _ in ok_points]
    ds = combine(sweep, ok_points, failed, hashes) if ok_points else None
    out_path = None
    if write and ds is not None:
        out_path = write_netcdf(ds, sweep.output, float32=float32)  # WriteError: exit 1 (cli)
    return SweepOutcome(
        dataset=ds,
        path=out_path,
        results=ordered,
        skipped=skipped,
        ran=[r.name for r in results],
    )


INPUT_KEY_ATTR = "gshp_input_key"
"""Attribute of a per-case result: :func:`input_key` of the case that produced it."""


def file_digest(path) -> str:
    """SHA-256 of a file's contents (an unreadable file is part of the key as such)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        return f"unreadable: {exc.strerror}"
    return h.hexdigest()


def referenced_files(case: Case) -> dict:
    """Every file a case reads, by field: weather, load, coordinates, ground load,
    compressor map (a station's)."""
    from gshp.physics.heatpump import MAPS_DIR

    files = {
        "climate.weather_file": case.climate.weather_file,
        "district.load_file": case.district.load_file,
        "borefield.coordinates_file": case.borefield.coordinates_file,
        "ground_load.file": case.ground_load.file,
    }
    if case.heat_pump is not None:  # none in a borefield-only case
        comp = str(case.heat_pump.compressor)
        shipped = MAPS_DIR / f"{comp}.toml"
        files["heat_pump.compressor"] = shipped if shipped.is_file() else Path(comp)
    return {k: Path(v) for k, v in files.items() if v is not None}


def input_key(case: Case) -> str:
    """Key of everything a case's result depends on: its configuration
    (:func:`gshp.config.case_hash`), the *contents* of every file it reads and the gshp
    version. A per-case result is reused only when its key matches."""
    from gshp.version import __version__

    parts = {
        "case": case_hash(case),
        "gshp": __version__,
        "files": {k: file_digest(p) for k, p in referenced_files(case).items()},
    }
    text = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


CHECKSUM_ATTR = "gshp_content_sha256"
"""Attribute of a per-case result: :func:`content_digest` of the file's content."""


def _reusable(path: Path, key: str):
    """``(Dataset, None)`` when the per-case result in ``path`` can be reused: a gshp
    result of the same input key whose content matches its checksum; else ``(None,
    warning)``: the case runs again and the file is overwritten (no warning for a
    result flagged implausible)."""
    where = f"per-case file {path}"
    again = "this case runs again"
    try:
        data = path.read_bytes()
        ds = decode_netcdf(data)
    except (OSError, ValueError, RuntimeError):
        return None, f"{where} is unreadable or not NetCDF; {again}"
    stored = ds.attrs.get(INPUT_KEY_ATTR)
    if stored is None:
        return None, f"{where} is not a gshp sweep result; {again}"
    if stored != key:
        return None, (
            f"{where} was made from other inputs (case configuration, the content of an "
            f"input file, or the gshp version changed); {again}"
        )
    if ds.attrs.get("implausible"):
        return None, None
    if ds.attrs.get(CHECKSUM_ATTR) != content_digest(data):
        return None, (
            f"{where} does not match its checksum (changed or damaged since it was "
            f"written); {again}"
        )
    return ds, None


class SealCase:
    """``finish`` step of a sweep case, run where the case ran (a worker process or a
    Dask worker): the bytes of its per-case file, encoded in memory without any lock
    and sealed with the case's input key and a checksum of the content. The client
    writes them; workers need no shared file system."""

    def __init__(self, keys: dict):
        self.keys = keys

    def __call__(self, case, ds: xr.Dataset) -> bytes:
        return seal(encode_netcdf(ds), self.keys[case.name])


def seal(data: bytes, key: str) -> bytes:
    """A result file's bytes with :data:`INPUT_KEY_ATTR` = ``key`` and
    :data:`CHECKSUM_ATTR` = :func:`content_digest` added as global attributes."""
    import io

    import h5netcdf

    buf = io.BytesIO(data)
    with h5netcdf.File(buf, "r+") as f:
        f.attrs[INPUT_KEY_ATTR] = key
        f.attrs[CHECKSUM_ATTR] = _digest(f)
    return buf.getvalue()


def content_digest(data: bytes) -> str:
    """SHA-256 of a result file's content as stored: its dimensions, every variable's
    dimensions, type, values and attributes, and the global attributes except
    :data:`CHECKSUM_ATTR` (so the checksum can be stored in the file it covers)."""
    import io

    import h5netcdf

    with h5netcdf.File(io.BytesIO(data), "r") as f:
        return _digest(f)


def _digest(f) -> str:
    h = hashlib.sha256()

    def put(value):
        if isinstance(value, str):
            b = value.encode("utf-8", "surrogatepass")
        elif isinstance(value, bytes):
            b = value
        else:
            a = np.asarray(value)
            if a.dtype.kind in "OUS":
                b = "\x1f".join(
                    x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x)
                    for x in a.ravel()
                ).encode("utf-8", "surrogatepass")
            else:
                b = a.dtype.str.encode() + repr(a.shape).encode() + a.tobytes()
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)

    def put_attrs(attrs):
        for k in sorted(attrs):
            if k != CHECKSUM_ATTR:
                put(k)
                put(attrs[k])

    for name in sorted(f.dimensions):
        put(name)
        put(str(f.dimensions[name].size))
    put_attrs(f.attrs)
    for name in sorted(f.variables):
        var = f.variables[name]
        put(name)
        put(",".join(var.dimensions))
        put(str(var.dtype))
        put_attrs(var.attrs)
        put(var[...])
    return h.hexdigest()


def check_output(sweep: Sweep) -> None:
    """Fail before any case runs when the result file or the per-case folder cannot be
    written (an InputError naming ``output``)."""
    from gshp.io.fileio import check_writable_folder

    problems = []
    for where, folder in (
        ("output", sweep.output.parent),
        ("output (per-case folder)", sweep.cases_dir),
    ):
        why = check_writable_folder(folder)
        if why:
            problems.append(Problem(where, str(folder), f"a writable folder (it {why})"))
            break
    if sweep.output.is_dir():
        problems.append(Problem("output", str(sweep.output), "a file name, not a folder"))
    if problems:
        raise InputError(problems, source=str(sweep.source) if sweep.source else None)


# ---------------------------------------------------------------------------- combining


def combine(sweep: Sweep, point_datasets, failed=(), hashes=None) -> xr.Dataset:
    """Stack per-case Datasets along ``case`` with the swept parameters as coordinates.

    Attributes equal in every case stay global; attributes that differ (the case
    configuration, wall time, ...) become variables on ``case`` (``case`` itself is
    renamed ``case_config``). Failed cases are listed in the ``failed_cases`` attribute
    (JSON: name and error) and are not in the Dataset.
    """
    points = [pt for pt, _ in point_datasets]
    datasets = [_named(ds, pt.name) for pt, ds in point_datasets]
    attr_names = []
    for ds in datasets:
        for k in ds.attrs:
            if k not in attr_names:
                attr_names.append(k)
    common, per_case = {}, []
    run_info = {pt.name: {} for pt in points}
    for k in attr_names:
        vals = [ds.attrs.get(k) for ds in datasets]
        if _volatile(k):
            # how a run went (timings, cache hits), not its result: never a variable
            for pt, v in zip(points, vals, strict=True):
                if v is not None:
                    run_info[pt.name][k] = v.item() if isinstance(v, np.generic) else v
        elif all(_same(v, vals[0]) for v in vals):
            common[k] = vals[0]
        else:
            per_case.append(k)
    stripped = [ds.drop_attrs(deep=False) for ds in datasets]
    combined = xr.concat(
        stripped,
        dim="case",
        data_vars="all",
        coords="different",
        compat="equals",
        join="outer",
        combine_attrs="drop_conflicts",
    )
    names = [pt.name for pt in points]
    combined = combined.assign_coords(case=("case", np.array(names, dtype=object)))
    combined["case"].attrs = dict(long_name="sweep case (grid point)")
    for k in per_case:
        vals = [ds.attrs.get(k) for ds in datasets]
        var = PER_CASE_ATTR_NAMES.get(k, k)
        if var in combined.variables:
            continue  # already a variable (e.g. energy_balance_closure)
        combined[var] = ("case", _column(vals), {"long_name": f"per-case attribute {k!r}"})
    for path_, values, group in _coord_columns(sweep, points):
        if group == "":
            attrs = dict(long_name=f"grid entry {path_!r} (row label)")
        else:
            attrs = dict(long_name=f"swept case-file field {path_}")
            unit = _unit(path_)
            if unit:
                attrs["units"] = unit
            if group:
                attrs["sweep_group"] = group
        combined = combined.assign_coords({path_: ("case", values, attrs)})
    if hashes is not None:
        combined = combined.assign_coords(
            case_hash=(
                "case",
                np.array(list(hashes), dtype=object),
                dict(long_name="configuration hash (gshp.config.case_hash)"),
            )
        )
    common.pop("case_name", None)
    common.pop("title", None)
    common.update(
        title=f"gshp sweep: {sweep.name}",
        sweep_name=sweep.name,
        sweep_description=sweep.description,
        sweep_mode=sweep.mode,
        sweep_base=str(sweep.base),
        sweep_overrides=json.dumps(sweep.overrides, sort_keys=True),
        sweep_axes=json.dumps(
            [dict(name=a.name, paths=list(a.paths), labels=list(a.labels)) for a in sweep.axes]
        ),
        failed_cases=json.dumps([dict(name=r.name, error=r.error) for r in failed]),
        run_info=json.dumps(run_info, sort_keys=True, default=str),
        Conventions=common.get("Conventions", "CF-1.8"),
    )
    combined.attrs = netcdf_safe_attrs(common)
    for var in combined.variables.values():
        var.attrs = netcdf_safe_attrs(var.attrs)
    return combined


def _named(ds: xr.Dataset, name: str) -> xr.Dataset:
    """``ds`` with its case name set to ``name`` (a reused result may carry another)."""
    ds = ds.copy()
    ds.attrs.pop(CHECKSUM_ATTR, None)  # of the per-case file, not of the combined one
    ds.attrs["case_name"] = name
    ds.attrs["title"] = f"gshp result: {name}"
    cfg = ds.attrs.get("case")
    if isinstance(cfg, str):
        try:
            d = json.loads(cfg)
        except ValueError:
            return ds
        d["name"] = name
        ds.attrs["case"] = json.dumps(d, sort_keys=True)
    return ds


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return False


def _column(values) -> np.ndarray:
    """Per-case values as a 1-D array: numbers stay numeric, the rest become text."""
    if all(isinstance(v, bool | np.bool_) for v in values):
        return np.array([int(v) for v in values], dtype=np.int64)
    if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    if all(isinstance(v, int | float | np.integer | np.floating) for v in values):
        return np.array(values, dtype=np.float64)
    return np.array(
        [v if isinstance(v, str) else json.dumps(v, default=str) for v in values], dtype=object
    )


def _coord_columns(sweep, points):
    out = []
    for axis in sweep.axes:
        if axis.group:
            out.append((axis.name, np.array([pt.coords[axis.name] for pt in points], object), ""))
        for path_ in axis.paths:
            out.append(
                (
                    path_,
                    _column([pt.coords[path_] for pt in points]),
                    axis.name if axis.group else None,
                )
            )
    return out


def _unit(path_) -> str:
    meta = leaf_paths().get(path_)
    return meta.get("unit", "") if meta else ""


def results_table(ds: xr.Dataset) -> str:
    """The key indicators of every case of a combined result, one row each (Markdown)."""
    from gshp.io.report import markdown_table, summary_table

    df = summary_table(ds)
    keep = ["case", "SCOP mean", "E_total MWh/a", "T_bhe_out min °C", "T_bhe_out max °C",
            "wall drift K"]  # fmt: skip
    return markdown_table(df[[c for c in keep if c in df]])


def summary_lines(outcome: SweepOutcome) -> list[str]:
    """Human-readable lines about a finished sweep (for the command line)."""
    lines = []
    n = len(outcome.results)
    n_ok = n - len(outcome.failed)
    if outcome.skipped:
        lines.append(f"{len(outcome.skipped)} case(s) reused from earlier runs (same hash)")
    for res in outcome.results:
        for text in getattr(res, "warnings", ()):
            lines.append(f"{res.name}: WARNING: {text}")
    for res in outcome.failed:
        kind = "invalid input" if res.error_kind == "input" else "failed"
        lines.append(f"{res.name}: {kind}: {res.error}")
    where = f"; combined result {outcome.path}" if outcome.path else ""
    lines.append(f"{n_ok} of {n} case(s) done{where}")
    return lines


def _volatile(name: str) -> bool:
    """Run metadata: wall and set-up times, cache hits, the per-case ``run_info``."""
    return (
        "wall_time" in name
        or name.endswith("setup_s")
        or "from_cache" in name
        or name == "run_info"
    )


def drop_volatile(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` without what varies run to run (wall and set-up times, cache hits), for
    comparisons.

    Removes variables and attributes named ``*wall_time*``, ``*setup_s``,
    ``*from_cache*`` and ``run_info``, and such keys inside JSON-text variables and
    attributes (e.g. the ``borefield`` summary).
    """
    ds = ds.drop_vars([str(v) for v in ds.variables if _volatile(str(v))])
    ds.attrs = {k: _strip_json(v) for k, v in ds.attrs.items() if not _volatile(k)}
    for name in list(ds.data_vars):
        var = ds[name]
        if var.dtype == object and var.ndim == 1:
            cleaned = np.array([_strip_json(v) for v in var.values], dtype=object)
            ds[name] = (var.dims, cleaned, var.attrs)
    return ds


def _strip_json(value):
    if not isinstance(value, str) or not value.startswith("{"):
        return value
    try:
        d = json.loads(value)
    except ValueError:
        return value
    if not isinstance(d, dict):
        return value
    return json.dumps({k: v for k, v in d.items() if not _volatile(k)}, sort_keys=True)
