"""The network as a tree of pipe pairs (supply and return in one trench).

Each record is one trench: a supply pipe and a return pipe of the same size between an
upstream node (towards the plant) and a downstream node, with ``buildings`` substations
attached at the downstream node. The plant sits at the root: the one node that is
upstream of some pipe and downstream of none.

Fields of a record (inline ``[[network.pipes]]`` tables or the columns of a CSV file,
header required; empty cells take the network-wide defaults):

``id``, ``upstream``, ``downstream`` (names), ``length_m``, ``inner_diameter_m`` and
``outer_diameter_m`` (both or neither: none → sized from the design flow,
:func:`gshp.physics.network.hydraulics.size_pipe`), ``wall_conductivity_W_mK``,
``insulation_thickness_m``, ``insulation_conductivity_W_mK``, ``depth_m`` (to the pipe
centres), ``spacing_m`` (between the supply and return centres), ``buildings``.

:func:`reference_layout` is the reference network (docs/reference-study.md §7: 7 buildings,
about 450 m; the layout itself is a default the study does not report): a main line from
the plant at one end, 90 m to the first building, then 60 m between buildings (7
buildings: 450 m of trench); each building's short service pipe is part of the main's
node (not modelled).

:func:`build_tree` checks a set of records (one message per problem, naming the record
and field, or ``file:line``) and precomputes what the kernel needs: a topological order
(parents first) and, per pipe, the buildings downstream of it (its flow is their sum).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gshp.errors import InputError, Problem

COLUMNS = (
    "id",
    "upstream",
    "downstream",
    "length_m",
    "inner_diameter_m",
    "outer_diameter_m",
    "wall_conductivity_W_mK",
    "insulation_thickness_m",
    "insulation_conductivity_W_mK",
    "depth_m",
    "spacing_m",
    "buildings",
)
REQUIRED = ("id", "upstream", "downstream", "length_m")
NUMERIC = {
    "length_m": (0.0, 1e5, True),
    "inner_diameter_m": (0.0, 5.0, True),
    "outer_diameter_m": (0.0, 5.0, True),
    "wall_conductivity_W_mK": (0.0, 500.0, True),
    "insulation_thickness_m": (0.0, 1.0, False),
    "insulation_conductivity_W_mK": (0.0, 10.0, True),
    "depth_m": (0.0, 50.0, True),
    "spacing_m": (0.0, 50.0, True),
}
REFERENCE_FIRST_M = 90.0
REFERENCE_NEXT_M = 60.0


@dataclass(frozen=True)
class Tree:
    """A checked network: records in topological order (parents first)."""

    records: tuple  # dicts with every field filled except possibly the diameters
    parent: np.ndarray  # (n_pipes,) index of the upstream pipe, −1 at the plant
    building_pipe: np.ndarray  # (n_buildings,) pipe whose downstream node holds it
    downstream: np.ndarray  # (n_pipes, n_buildings) bool: building lies downstream
    root: str

    @property
    def n_pipes(self) -> int:
        return len(self.records)

    def lengths(self) -> np.ndarray:
        return np.array([r["length_m"] for r in self.records])

    def critical_paths(self):
        """For each pipe, the pipes from the plant to it (indices, plant first)."""
        out = []
        for i in range(self.n_pipes):
            path = []
            j = i
            while j >= 0:
                path.append(j)
                j = int(self.parent[j])
            out.append(path[::-1])
        return out


def reference_layout(n_buildings: int) -> list[dict]:
    """The reference network's main line (reference study §7): plant → B1 (90 m) → B2
    (60 m) → … one building per node."""
    recs = []
    for b in range(n_buildings):
        recs.append(
            dict(
                id=f"P{b + 1}",
                upstream="plant" if b == 0 else f"N{b}",
                downstream=f"N{b + 1}",
                length_m=REFERENCE_FIRST_M if b == 0 else REFERENCE_NEXT_M,
                buildings=1,
            )
        )
    return recs


def read_pipes_csv(path) -> list[dict]:
    """Records from a CSV file (header = field names of :data:`COLUMNS`; ``#`` lines and
    blank lines are skipped). Every bad cell is reported as ``file:line``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single(str(path), str(exc), "a readable UTF-8 CSV file") from None
    lines = [(no, ln) for no, ln in enumerate(text.splitlines(), start=1)]
    lines = [(no, ln) for no, ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise InputError.single(str(path), "empty", "a header line and one row per pipe")
    head_no, head = lines[0]
    header = [h.strip() for h in next(csv.reader([head]))]
    problems = []
    unknown = [h for h in header if h not in COLUMNS]
    missing = [h for h in REQUIRED if h not in header]
    if unknown or missing or len(set(header)) != len(header):
        problems.append(
            Problem(
                f"{path}:{head_no}",
                head,
                "a header of distinct columns from " + ", ".join(COLUMNS)
                + " including " + ", ".join(REQUIRED),
            )
        )  # fmt: skip
        raise InputError(problems)
    recs = []
    for no, ln in lines[1:]:
        cells = [c.strip() for c in next(csv.reader([ln]))]
        if len(cells) != len(header):
            problems.append(Problem(f"{path}:{no}", ln, f"{len(header)} cells like the header"))
            continue
        rec = {"_where": f"{path}:{no}"}
        for h, c in zip(header, cells, strict=True):
            if c == "":
                continue
            if h in NUMERIC or h == "buildings":
                try:
                    v = float(c)
                except ValueError:
                    problems.append(Problem(f"{path}:{no}", f"{h}={c}", f"{h}: a number"))
                    continue
                rec[h] = int(v) if h == "buildings" and v.is_integer() else v
            else:
                rec[h] = c
        recs.append(rec)
    if problems:
        raise InputError(problems)
    if not recs:
        raise InputError.single(str(path), "no rows", "at least one pipe")
    return recs


def build_tree(records, defaults: dict, n_buildings: int, where: str = "network.pipes") -> Tree:
    """Check records and build the :class:`Tree`.

    ``defaults`` fills the per-pipe fields a record leaves out (wall conductivity,
    insulation, depth, spacing). Each problem names the record (``where[i].field`` or the
    CSV ``file:line``), the value and what is allowed.
    """
    problems: list[Problem] = []
    recs = []
    for i, raw in enumerate(records):
        loc = raw.get("_where") or f"{where}[{i}]"
        sep = " " if raw.get("_where") else "."
        rec = {k: v for k, v in defaults.items()}
        rec.update({k: v for k, v in raw.items() if v is not None and k != "_where"})
        rec["_where"] = loc
        rec["_sep"] = sep
        ok = True
        for name in REQUIRED:
            if name not in raw or raw[name] is None:
                problems.append(Problem(f"{loc}{sep}{name}", "missing", "required"))
                ok = False
        for name, (lo, hi, open_lo) in NUMERIC.items():
            v = rec.get(name)
            if v is None:
                continue
            bad = not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v)
            if not bad:
                bad = v < lo or v > hi or (open_lo and v == lo)
            if bad:
                rng = f"{'>' if open_lo else '≥'} {lo:g} and ≤ {hi:g}"
                problems.append(Problem(f"{loc}{sep}{name}", v, f"a number {rng}"))
                ok = False
        b = rec.get("buildings", 0)
        if not isinstance(b, int) or isinstance(b, bool) or b < 0:
            problems.append(Problem(f"{loc}{sep}buildings", b, "a whole number ≥ 0"))
            ok = False
        rec["buildings"] = b if isinstance(b, int) else 0
        for name in ("id", "upstream", "downstream"):
            if name in rec and not (isinstance(rec[name], str) and rec[name].strip()):
                problems.append(Problem(f"{loc}{sep}{name}", rec[name], "a non-empty name"))
                ok = False
        di, do = rec.get("inner_diameter_m"), rec.get("outer_diameter_m")
        if (di is None) != (do is None):
            problems.append(
                Problem(
                    f"{loc}{sep}inner_diameter_m",
                    di,
                    "both inner_diameter_m and outer_diameter_m, or neither (sized)",
                )
            )
            ok = False
        elif di is not None and ok and di >= do:
            problems.append(Problem(f"{loc}{sep}inner_diameter_m", di, f"< outer ({do:g} m)"))
            ok = False
        if ok:
            recs.append(rec)
    if problems:
        raise InputError(problems)
    _check_geometry(recs, problems)
    ids = [r["id"] for r in recs]
    for i, r in enumerate(recs):
        if ids.index(r["id"]) != i:
            problems.append(Problem(f"{r['_where']}{r['_sep']}id", r["id"], "a unique pipe id"))
    down = {}
    for i, r in enumerate(recs):
        if r["upstream"] == r["downstream"]:
            loc = f"{r['_where']}{r['_sep']}downstream"
            problems.append(Problem(loc, r["downstream"], "≠ upstream"))
        if r["downstream"] in down:
            other = recs[down[r["downstream"]]]["id"]
            problems.append(
                Problem(
                    f"{r['_where']}{r['_sep']}downstream",
                    r["downstream"],
                    f"a node fed by one pipe only (also fed by {other}): the network is a tree",
                )
            )
        down[r["downstream"]] = i
    roots = sorted({r["upstream"] for r in recs} - set(down))
    if problems:
        raise InputError(problems)
    if len(roots) != 1:
        raise InputError.single(
            where,
            roots or "none",
            "exactly one plant node (upstream of a pipe, downstream of none); "
            + ("a loop has no plant" if not roots else f"found {len(roots)}"),
        )
    root = roots[0]
    # topological order from the root (breadth first)
    children: dict[str, list[int]] = {}
    for i, r in enumerate(recs):
        children.setdefault(r["upstream"], []).append(i)
    order, parent_of = [], {}
    queue = [(root, -1)]
    while queue:
        node, par = queue.pop(0)
        for i in children.get(node, []):
            parent_of[i] = par
            order.append(i)
            queue.append((recs[i]["downstream"], i))
    if len(order) != len(recs):
        lost = [recs[i]["id"] for i in range(len(recs)) if i not in parent_of]
        raise InputError.single(where, lost, f"pipes connected to the plant node '{root}'")
    pos = {old: new for new, old in enumerate(order)}
    srt = tuple(recs[i] for i in order)
    parent = np.array([pos[parent_of[i]] if parent_of[i] >= 0 else -1 for i in order])
    n_b = sum(r["buildings"] for r in srt)
    if n_b != n_buildings:
        raise InputError.single(
            where,
            f"{n_b} buildings attached",
            f"as many buildings as district.n_buildings ({n_buildings})",
        )
    building_pipe = np.array([i for i, r in enumerate(srt) for _ in range(r["buildings"])], int)
    downstream = np.zeros((len(srt), n_buildings), dtype=bool)
    for b, p in enumerate(building_pipe):
        j = p
        while j >= 0:
            downstream[j, b] = True
            j = parent[j]
    return Tree(
        records=srt,
        parent=parent,
        building_pipe=building_pipe,
        downstream=downstream,
        root=root,
    )


def _check_geometry(recs, problems):
    for r in recs:
        loc = r["_where"]
        sep = r["_sep"]
        do = r.get("outer_diameter_m")
        if do is None:
            continue
        r_c = 0.5 * do + r.get("insulation_thickness_m", 0.0)
        if r["depth_m"] <= r_c:
            problems.append(
                Problem(f"{loc}{sep}depth_m", r["depth_m"], f"> the pipe's outer radius {r_c:g} m")
            )
        if r["spacing_m"] < 2 * r_c:
            problems.append(
                Problem(
                    f"{loc}{sep}spacing_m",
                    r["spacing_m"],
                    f"≥ the outer diameter {2 * r_c:g} m (the pipes would overlap)",
                )
            )
    if problems:
        raise InputError(problems)


def pipe_defaults(net_cfg) -> dict:
    """Network-wide values for the per-pipe fields a record leaves out."""
    return dict(
        wall_conductivity_W_mK=net_cfg.pipe_wall_conductivity_W_mK,
        insulation_thickness_m=net_cfg.pipe_insulation_thickness_m,
        insulation_conductivity_W_mK=net_cfg.pipe_insulation_conductivity_W_mK,
        depth_m=net_cfg.pipe_depth_m,
        spacing_m=net_cfg.pipe_spacing_m,
    )


def tree_from_config(net_cfg, n_buildings: int) -> Tree:
    """The checked tree of a case's ``[network]`` (inline pipes, CSV file or the reference
    layout); raises :class:`~gshp.errors.InputError`."""
    if net_cfg.pipes_file is not None:
        records = read_pipes_csv(net_cfg.pipes_file)
        where = str(net_cfg.pipes_file)
    elif net_cfg.pipes is not None:
        records = [
            {k: v for k, v in vars(p).items() if v is not None} for p in net_cfg.pipes
        ]
        where = "network.pipes"
    else:
        records = reference_layout(n_buildings)
        where = "network (reference layout)"
    return build_tree(records, pipe_defaults(net_cfg), n_buildings, where=where)
