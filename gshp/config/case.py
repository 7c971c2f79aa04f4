"""Case files: TOML in, typed immutable configuration out.

A case file describes one supply station completely. Every field is declared once, in
the module of its section (``gshp/config/<section>.py``), with its type, default, unit,
allowed range and documentation; the loader checks a whole file and reports *every*
problem (field path, value, what is allowed) in one :class:`~gshp.errors.InputError`.
Relative file paths resolve against the case file's folder.

Defaults fill everything the reference study leaves unstated (docs/reference-study.md, "What the
study does not report"); each default's documentation says where it comes from.

Public API: :func:`load_case` (path → :class:`Case`), :func:`case_from_dict`,
:func:`apply_overrides` (dotted paths, sections with dicts, unique field names: see
:func:`override_paths`), :meth:`Case.to_dict` and :func:`case_hash`.
"""

from __future__ import annotations

import contextvars
import dataclasses
import difflib
import functools
import hashlib
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gshp.config.borefield import BorefieldConfig
from gshp.config.checks import cross_checks
from gshp.config.climate import ClimateConfig
from gshp.config.controls import ControlsConfig
from gshp.config.district import DistrictConfig
from gshp.config.dry_cooler import DryCoolerConfig
from gshp.config.fields import Ctx, F, S, build, fields_of, json_default, to_plain
from gshp.config.ground_load import GroundLoadConfig
from gshp.config.heat_pump import HeatPumpConfig, compressor_path
from gshp.config.network import NetworkConfig
from gshp.config.pumps import PumpsConfig
from gshp.config.simulation import SimulationConfig
from gshp.config.sizing import SizingConfig
from gshp.config.tank import TankConfig
from gshp.config.uncertainty import UncertaintySpec, parse_uncertainty, uncertainty_problems
from gshp.config.writer import toml_text
from gshp.errors import MISSING, InputError, Problem

STATION_SECTIONS = (
    "climate", "district", "network", "tank", "heat_pump", "controls", "dry_cooler",
)  # fmt: skip
"""Sections of a station case that a borefield-only case (``kind = "borefield"``) has not."""


@dataclass(frozen=True)
class Case:
    """One case (a whole case file): a supply station (``kind = "station"``), or a
    borefield alone driven by a ground load file (``kind = "borefield"``)."""

    heat_pump: HeatPumpConfig | None = field(
        default=None, metadata=dict(kind="section", section=HeatPumpConfig)
    )
    name: str = F("case", kind="str", doc="Case name; default: the file name.")
    description: str = F("", kind="str", doc="Free text.")
    kind: str = F(
        "station",
        kind="str",
        choices=("station", "borefield"),
        doc="'station': the whole supply station; 'borefield': the borefield alone, driven "
        "by the hourly ground load of [ground_load] (sections [simulation], [borefield], "
        "[pumps], [ground_load], [sizing] only).",
    )
    simulation: SimulationConfig = S(SimulationConfig)
    climate: ClimateConfig = S(ClimateConfig)
    district: DistrictConfig = S(DistrictConfig)
    network: NetworkConfig = S(NetworkConfig)
    tank: TankConfig = S(TankConfig)
    borefield: BorefieldConfig = S(BorefieldConfig)
    controls: ControlsConfig = S(ControlsConfig)
    pumps: PumpsConfig = S(PumpsConfig)
    dry_cooler: DryCoolerConfig = S(DryCoolerConfig)
    ground_load: GroundLoadConfig = S(GroundLoadConfig)
    sizing: SizingConfig = S(SizingConfig)
    source: Path | None = field(default=None, compare=False, metadata=dict(kind="internal"))
    uncertainty: UncertaintySpec | None = field(
        default=None, compare=False, metadata=dict(kind="internal")
    )
    """The [uncertainty] table (:mod:`gshp.config.uncertainty`), None without one; not
    part of the deterministic case (:meth:`to_dict`, :func:`case_hash`)."""

    def __post_init__(self):
        """A case built in Python is checked like a case file (every problem in one
        :class:`~gshp.errors.InputError`); sections may be given as dicts."""
        if _TRUSTED.get():
            return
        base = self.source.parent if self.source else None
        raw = self.to_dict()
        if self.uncertainty is not None:
            table = self.uncertainty
            raw["uncertainty"] = table.to_dict() if hasattr(table, "to_dict") else table
        checked = case_from_dict(raw, base_dir=base, source=self.source)
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
        """Plain nested dict (TOML/JSON types) of the whole configuration (a borefield-only
        case without the station's sections)."""
        d = to_plain(self)
        if self.kind == "borefield":
            for name in STATION_SECTIONS:
                d.pop(name, None)
        else:
            d.pop("ground_load", None)
        return d

    def replace(self, **overrides) -> Case:
        """A new case with some fields changed, the others kept; checked like a case file.

        Overrides may be given (and mixed) as

        - a section with a dict of its fields: ``case.replace(simulation={"years": 5},
          borefield={"n_x": 6, "ground": {"conductivity_W_mK": 2.1}})`` (the section's
          other fields are kept);
        - a field's own name, when no other case field has it: ``case.replace(years=5,
          n_x=6)``;
        - dotted paths: ``case.replace(**{"simulation.years": 5, "borefield.n_x": 6})``
          (or ``simulation__years=5``).

        Raises
        ------
        InputError
            A name that several fields have (naming them), an unknown name (with the
            closest one), or values outside what the fields allow.
        """
        case = case_from_dict(
            apply_overrides(self.to_dict(), overrides),
            base_dir=self.source.resolve().parent if self.source else None,
            source=self.source,
        )
        if self.uncertainty is None:
            return case
        # the [uncertainty] table goes along (checked again: the kind may have changed)
        return _with_uncertainty(case, parse_uncertainty(self.uncertainty.to_dict(), case))


# ---------------------------------------------------------------------------- loading


def load_case(path, overrides: dict | None = None) -> Case:
    """Read and validate a case file.

    Parameters
    ----------
    path : str or Path
        TOML case file.
    overrides : dict, optional
        Overrides applied before validation, in the forms of :meth:`Case.replace`:
        dotted paths (``{"borefield.n_x": 7, "climate.preset": "berlin"}``), sections
        with dicts (``{"borefield": {"n_x": 7}}``) or unique field names
        (``{"n_x": 7}``).

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
    ctx = Ctx(Path(base_dir) if base_dir is not None else Path.cwd(), problems)
    uncertainty = MISSING
    if isinstance(raw, dict) and "uncertainty" in raw:  # not a field: its own parser
        raw = dict(raw)
        uncertainty = raw.pop("uncertainty")
    if isinstance(raw, dict) and raw.get("kind") == "borefield":
        extra = [k for k in STATION_SECTIONS if k in raw]
        problems.extend(
            Problem(k, "a section", "no station section in a borefield-only case "
                    "(kind = 'borefield': [simulation], [borefield], [pumps], [ground_load], "
                    "[sizing])")
            for k in extra
        )  # fmt: skip
        raw = {k: v for k, v in raw.items() if k not in STATION_SECTIONS}
        values = build(Case, raw, "", ctx, skip=STATION_SECTIONS)
    else:
        values = build(Case, raw, "", ctx)
    if problems:
        raise InputError(problems, source=str(source) if source else None)
    hp = values.get("heat_pump")
    if hp is not None:
        values["heat_pump"] = dataclasses.replace(
            hp, compressor=compressor_path(hp.compressor, ctx.base_dir)
        )
    token = _TRUSTED.set(True)
    try:
        case = Case(**values, source=Path(source) if source else None)
    finally:
        _TRUSTED.reset(token)
    problems.extend(cross_checks(case))
    if uncertainty is not MISSING:
        problems.extend(uncertainty_problems(uncertainty, case))
    if problems:
        raise InputError(problems, source=str(source) if source else None)
    if uncertainty is not MISSING:
        case = _with_uncertainty(case, parse_uncertainty(uncertainty, case))
    return case


def _with_uncertainty(case: Case, spec: UncertaintySpec) -> Case:
    """``case`` (validated) carrying its [uncertainty] spec."""
    token = _TRUSTED.set(True)
    try:
        return dataclasses.replace(case, uncertainty=spec)
    finally:
        _TRUSTED.reset(token)


_TRUSTED = contextvars.ContextVar("gshp_case_validated", default=False)
"""Set while :func:`case_from_dict` builds a case it has validated (no second check)."""


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
    """Return a deep copy of ``raw`` with ``overrides`` set (the forms of
    :func:`override_paths`)."""
    _check_overrides(overrides)
    out = json.loads(json.dumps(raw, default=json_default))
    for dotted, value in override_paths(overrides).items():
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


@functools.cache
def field_index() -> tuple[dict, dict]:
    """The case-file schema's names: ``(paths, by_name)`` with ``paths`` every dotted path
    (fields and sections) → ``"section"`` or ``"field"``, and ``by_name`` each field's or
    section's own name → the dotted paths that end in it."""
    paths: dict[str, str] = {}
    by_name: dict[str, list[str]] = {}

    def walk(cls, prefix):
        for f in fields_of(cls):
            path = prefix + f.name
            section = f.metadata.get("kind") == "section"
            paths[path] = "section" if section else "field"
            by_name.setdefault(f.name, []).append(path)
            if section:
                walk(f.metadata["section"], path + ".")

    walk(Case, "")
    return paths, by_name


def override_paths(overrides: Mapping, where: str = "") -> dict:
    """Overrides in any of the accepted forms as ``{dotted path: value}``.

    Each key of ``overrides`` is

    - a dotted path (``"simulation.years"``; ``"simulation__years"`` in keyword form),
      kept as it is (an unknown one is reported by the loader, with the closest name);
    - a section (``"simulation"``, ``"borefield.ground"``) with a dict: its entries
      become paths below it, nested dicts of sub-sections too;
    - a field's or section's own name (``"years"``, ``"ground"``) when exactly one case
      field has it.

    ``where`` prefixes the names in messages (e.g. ``"overrides."``).

    Raises
    ------
    InputError
        Every key that several fields share (naming them all), that no field has (with
        the closest one), or that two keys set differently (e.g. ``years`` and
        ``simulation.years``), in one message.
    """
    paths, by_name = field_index()
    out: dict = {}
    given: dict = {}  # path -> the key that set it
    problems: list[Problem] = []

    def put(path, value, key):
        if paths.get(path) == "section" and isinstance(value, Mapping):
            if not value:
                return
            for sub, v in value.items():
                put(f"{path}.{str(sub).replace('__', '.')}", v, key)
            return
        if path in out and not _same(out[path], value):
            also = f"{path} is also set by {given[path]!r} (to {out[path]!r}); give it once"
            problems.append(Problem(where + key, value, also))
            return
        out[path], given[path] = value, key

    for key, value in overrides.items():
        key = str(key)
        dotted = key.replace("__", ".")
        if dotted in paths or "." in dotted:
            put(dotted, value, key)
            continue
        found = by_name.get(dotted, [])
        if len(found) == 1:
            put(found[0], value, key)
        elif found:
            which = "a name several case fields have; give one of " + ", ".join(found)
            problems.append(Problem(where + key, value, which))
        else:
            problems.append(Problem(where + key, value, _unknown_name(dotted, by_name)))
    if problems:
        raise InputError(problems)
    return out


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays: ambiguous truth
        return a is b


def _unknown_name(name: str, by_name: dict) -> str:
    """What an unknown override name is told: the closest field name, with its path."""
    hint = difflib.get_close_matches(name, list(by_name), n=1, cutoff=0.6)
    if not hint:
        return (
            "unknown case field; give a field's name (e.g. years), section.field (e.g. "
            "simulation.years) or a section with a dict (see `gshp check --reference`)"
        )
    where = by_name[hint[0]]
    shown = f" ({where[0]})" if len(where) == 1 and where[0] != hint[0] else ""
    return f"unknown case field; did you mean '{hint[0]}'{shown}?"


def case_hash(case: Case) -> str:
    """Stable hash of everything that affects a case's result (name excluded)."""
    d = case.to_dict()
    d.pop("name", None)
    d.pop("description", None)
    d.get("simulation", {}).pop("max_memory_GB", None)  # a guard, not part of the result
    text = json.dumps(d, sort_keys=True, default=json_default)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
