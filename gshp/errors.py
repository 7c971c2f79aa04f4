"""Errors raised on bad input.

Every problem with user input (case files, weather files, load files, command-line
arguments) is reported as an :class:`InputError` that lists each problem with the place it
was found (a dotted field path, or a file and line), the offending value and what is
allowed. The command line prints the message and exits with code 2, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem with an input: where it is, what was given, what is allowed."""

    where: str
    value: object
    allowed: str

    def __str__(self) -> str:
        shown = _show(self.value)
        return f"{self.where}: {shown} — {self.allowed}"


def _plain(value: object) -> object:
    """numpy scalars as Python numbers (so messages read -5.0, not np.float64(-5.0))."""
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        return value.item()
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _show(value: object) -> str:
    if value is _MISSING:
        return "missing"
    text = repr(_plain(value))
    return text if len(text) <= 60 else text[:57] + "..."


class _Missing:
    def __repr__(self) -> str:  # pragma: no cover - trivial
        return "missing"


_MISSING = _Missing()
MISSING = _MISSING
"""Sentinel for a required value that was not given (shown as ``missing``)."""


class InputError(ValueError):
    """Bad user input: carries one or more :class:`Problem` entries.

    Parameters
    ----------
    problems : list of Problem, or a single Problem
    source : str, optional
        The file or object the problems belong to, shown in the heading.
    """

    def __init__(self, problems, source: str | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.source = source
        super().__init__(self.message())

    @classmethod
    def single(cls, where: str, value: object, allowed: str, source: str | None = None):
        """Shorthand for an error with one problem."""
        return cls([Problem(where, value, allowed)], source=source)

    def message(self) -> str:
        n = len(self.problems)
        head = f"{self.source}: " if self.source else ""
        if n == 1:
            return f"{head}{self.problems[0]}"
        lines = [f"{head}{n} problems:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)
