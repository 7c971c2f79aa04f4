"""Command line: ``gshp COMMAND ...``, one module per command in this package.

Each command module has ``add_parser(sub)`` (its arguments; ``func`` set to its command
function) and imports the numerical stack only inside that function, so that building
the parser (``gshp --help``, ``gshp check``) imports no numpy, xarray or numba. Options
several commands share are defined once in :mod:`gshp.cli.common`.

Bad input (case files, weather or load files, arguments) prints a message naming the
field or line, the value and what is allowed, and exits with code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from gshp.cli import check, heatpump, loads, report, run, size, sweep, uncertainty, validate
from gshp.errors import InputError
from gshp.io.fileio import WriteError

COMMANDS = (check, run, sweep, uncertainty, report, validate, loads, size, heatpump)
"""The command modules, in the order of ``gshp --help``."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as 'gshp: error: …' with exit code 2."""


class _VersionAction(argparse.Action):
    """``--version``: looks the installed version up only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kw):
        kw.setdefault("help", "show program's version number and exit")
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kw)

    def __call__(self, parser, namespace, values, option_string=None):
        from gshp.version import __version__  # the package metadata: read only when asked

        parser.exit(message=f"gshp {__version__}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _Parser(
        prog="gshp",
        description="Simulator of the central GSHP supply "
        "station of an ultra-low-temperature district heating and cooling "
        "network.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null (after a broken pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (tests capture stdout)
        pass


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"gshp {args.command}: error: {exc.message()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gshp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader left (`gshp check --reference | head`): nothing more to say, and
        # Python must not complain again when it flushes stdout at exit
        _silence_stdout()
        return 141  # what a shell reports for a process ended by SIGPIPE (128 + 13)
    except WriteError as exc:
        print(f"gshp {args.command}: error: {exc}", file=sys.stderr)
        return 1
