"""Case-file fields: the declarations ``F`` (a value), ``S`` (a sub-section) and ``T`` (a
list of records), the kinds of value, and the generic check of one value against its
declaration (type, range, choices, length) with its message.

A field's metadata is its whole description: the loader (:func:`build`), the JSON schema
and the field reference (:mod:`gshp.config.export`) read the same declarations.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path

from gshp.errors import MISSING, Problem

REQUIRED = MISSING


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


# ---------------------------------------------------------------------------- checking


@dataclass
class Ctx:
    base_dir: Path
    problems: list


def fields_of(cls):
    return [f for f in dataclasses.fields(cls) if f.metadata.get("kind") != "internal"]


def build(cls, raw, prefix, ctx, skip=()) -> dict:
    """The checked values of section ``cls`` from ``raw`` (problems go to ``ctx``); the
    fields named in ``skip`` are left to their defaults."""
    if not isinstance(raw, dict):
        ctx.problems.append(Problem(prefix.rstrip(".") or "case", raw, "a table"))
        return {}
    known = {f.name: f for f in fields_of(cls) if f.name not in skip}
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
        if name in skip:
            continue
        meta = f.metadata
        where = prefix + name
        if meta["kind"] == "section":
            sub = raw.get(name, {})
            values[name] = section(meta["section"], sub, where, ctx)
            continue
        if name not in raw:
            if meta["required"]:
                ctx.problems.append(Problem(where, MISSING, describe(meta, required=True)))
            continue
        ok, value = convert(raw[name], meta, where, ctx)
        if ok:
            values[name] = value
    return values


def section(cls, raw, where, ctx):
    before = len(ctx.problems)
    vals = build(cls, raw, where + ".", ctx)
    if len(ctx.problems) > before:
        return None
    return cls(**vals)


def describe(meta, required=False) -> str:
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


def convert(value, meta, where, ctx):
    kind = meta["kind"]
    bad = (False, None)

    def fail():
        ctx.problems.append(Problem(where, value, describe(meta)))
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
            vals = build(meta["section"], item, f"{where}[{n}].", ctx)
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


# ---------------------------------------------------------------------------- plain values


def json_default(obj):
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(type(obj))


def to_plain(obj):
    if dataclasses.is_dataclass(obj):
        out = {}
        for f in fields_of(type(obj)):
            v = getattr(obj, f.name)
            if v is None:
                continue
            out[f.name] = to_plain(v)
        return out
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, tuple):
        return [to_plain(v) for v in obj]
    return obj
