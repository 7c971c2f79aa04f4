"""TOML text of plain values (what :meth:`Case.to_toml` writes)."""

from __future__ import annotations

import json
import re


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
