"""What is derived from the field declarations for people and editors: the JSON schema of
a case file (``gshp check --json-schema``) and the Markdown field reference
(``gshp check --reference``, docs/case-reference.md)."""

from __future__ import annotations

import dataclasses
import inspect
import json

from gshp.config.case import Case
from gshp.config.fields import describe, fields_of, to_plain

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
        out["default"] = to_plain(f.default)
    return out


def json_schema() -> dict:
    """JSON Schema (draft 2020-12) of a case file, derived from the field declarations
    (the same ones that check case files), for editors that complete and check TOML
    (e.g. Even Better TOML / taplo with ``#:schema``). ``gshp check --json-schema``."""

    def section(cls) -> dict:
        props, required = {}, []
        for f in fields_of(cls):
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
    schema["properties"]["uncertainty"] = _uncertainty_schema()
    return schema


def _uncertainty_schema() -> dict:
    """The [uncertainty] table (:mod:`gshp.config.uncertainty`): settings, and quoted
    dotted paths to inline tables with ``dist`` and its parameters."""
    from gshp.config.uncertainty import DEFAULT_SAMPLES, DEFAULT_SEED, DISTRIBUTIONS, METHODS

    dists = []
    for dist, params in DISTRIBUTIONS.items():
        props = {"dist": {"const": dist}, **{p: {"type": "number"} for p in params}}
        dists.append({"type": "object", "properties": props, "required": ["dist", *params],
                      "additionalProperties": False})  # fmt: skip
    return {
        "type": "object",
        "description": "Uncertain inputs: quoted dotted paths of number fields with a "
        "distribution (docs/uncertainty.md).",
        "properties": {
            "samples": {
                "type": "integer",
                "minimum": 2,
                "default": DEFAULT_SAMPLES,
                "description": "number of samples, a power of two",
            },
            "seed": {"type": "integer", "minimum": 0, "default": DEFAULT_SEED},
            "method": {"enum": list(METHODS), "default": "sobol"},
        },  # fmt: skip
        "additionalProperties": {"oneOf": dists},
    }


UNCERTAINTY_ROWS = (
    ("samples", "`256`", "a power of two from 2 to 1048576", "Number of samples."),
    ("seed", "`1`", "a whole number ≥ 0",
     "Seed of the scrambled Sobol' points (or the Latin hypercube): the same seed, the same "
     "samples."),
    ("method", '`"sobol"`', "one of 'sobol', 'lhs'",
     "Scrambled Sobol' sequence (scipy.stats.qmc) or Latin hypercube."),
    ('"<section.field>"', "—",
     '`{ dist = "normal", mean, sd }`, `{ dist = "lognormal", mean, sd }` (of the variable '
     'itself), `{ dist = "uniform", low, high }`, `{ dist = "triangular", low, mode, high }`, '
     '`{ dist = "truncnormal", mean, sd, low, high }`',
     "A number field's distribution; every value the sampler can draw (an unbounded "
     "distribution up to its 1e-9 quantiles) must lie in the field's allowed range."),
)  # fmt: skip


def _uncertainty_reference() -> str:
    """The [uncertainty] section of the field reference."""
    lines = [
        "## [uncertainty]",
        "",
        "Uncertain inputs for `gshp uncertainty` (docs/uncertainty.md); not part of the "
        "deterministic case. Every key other than the settings is a quoted dotted path of a "
        "number field above with an inline table, e.g. "
        '`"borefield.ground.conductivity_W_mK" = { dist = "normal", mean = 2.2, sd = 0.25 }`.',
        "",
        "| field | default | unit | allowed | meaning |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{k}` | {d} |  | {a} | {m} |" for k, d, a, m in UNCERTAINTY_ROWS]
    return "\n".join(lines) + "\n"


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
        for f in fields_of(cls):
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
                default = f"`{json.dumps(to_plain(f.default), ensure_ascii=False)}`"
            allowed = describe(meta)
            rows.append(
                f"| `{f.name}` | {default} | {meta['unit'] or ''} | {allowed} | {meta['doc']} |"
            )
        if rows:
            title = f"[{prefix.rstrip('.')}]" if prefix else "top level"
            lines.extend(
                [
                    f"## {title}",
                    "",
                    inspect.cleandoc(cls.__doc__ or ""),
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
    return "\n".join(lines) + "\n" + _uncertainty_reference()
