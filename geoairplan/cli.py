"""The ``geoairplan`` command line: parse, call the API, report.

Each sub-command lives in :mod:`geoairplan.commands` as a module with
``add_parser(subparsers)``, which registers the command and sets
``func`` to a ``run(args) -> int`` function. Errors that geoairplan raises on
purpose (:class:`~geoairplan.errors.GeoAirPlanError`) and file-system errors
are printed as one clear message, without a traceback, with exit status 2;
any other exception is a bug and is reported as such, still without a
traceback, with exit status 3. Set ``GEOAIRPLAN_DEBUG=1`` to see the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from geoairplan import __version__
from geoairplan.errors import GeoAirPlanError, InputError, InternalError

#: Sub-command modules under geoairplan.commands, in the order --help lists them.
COMMANDS = ("data", "demo", "coverage", "warn", "interpolate", "site", "hotspots", "suspects", "fetch",
            "archive", "backtest", "sensorops", "gridstats")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="geoairplan",
        description="Geospatial toolkit for air-quality control planning in Taiwan "
                    "(station coverage, warning zones, interpolation, emission hotspots, maps).",
        epilog="Run 'geoairplan COMMAND --help' for the options of a command.")
    parser.add_argument("--version", action="version", version=f"geoairplan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"geoairplan.commands.{name}").add_parser(sub)
    return parser


#: Library parameter names whose command-line option is spelt otherwise.
PARAM_FLAGS = {"cell_size": "--cell", "min_hours_24h": "--min-hours-24h", "min_hours_8h": "--min-hours-8h",
               "mapping": "--coverage", "include_neighbours": "--neighbours", "out": "--out"}


def _flag_names(parser: argparse.ArgumentParser, command: str) -> dict[str, str]:
    """``{dest: first long option}`` of the sub-command's options."""
    flags = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub = action.choices.get(command)
            for a in (sub._actions if sub is not None else []):
                longs = [o for o in a.option_strings if o.startswith("--")]
                if longs:
                    flags[a.dest] = longs[0]
    return flags


def describe(exc: InputError, flags: dict[str, str]) -> str:
    """The error's message with library parameter names shown as the command's options."""
    where = exc.where
    if where:
        key = where.strip()
        flag = flags.get(key) or flags.get(key.replace("-", "_")) or PARAM_FLAGS.get(key)
        if flag:
            where = flag
    return str(InputError(exc.problem, file=exc.file, where=where, fix=exc.fix))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        if os.environ.get("GEOAIRPLAN_DEBUG"):
            raise
        print(f"geoairplan {args.command}: error: {describe(exc, _flag_names(parser, args.command))}",
              file=sys.stderr)
        return 2
    except InternalError as exc:
        if os.environ.get("GEOAIRPLAN_DEBUG"):
            raise
        print(f"geoairplan {args.command}: internal error: {exc}\n"
              "  This is a bug in geoairplan, not in your data. Run again with GEOAIRPLAN_DEBUG=1 to see "
              "the traceback, and report it with the command you ran.", file=sys.stderr)
        return 3
    except GeoAirPlanError as exc:
        if os.environ.get("GEOAIRPLAN_DEBUG"):
            raise
        print(f"geoairplan {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        if os.environ.get("GEOAIRPLAN_DEBUG"):
            raise
        print(f"geoairplan {args.command}: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except UnicodeDecodeError as exc:
        if os.environ.get("GEOAIRPLAN_DEBUG"):
            raise
        print(f"geoairplan {args.command}: error: a file is not UTF-8 or Big5/CP950 text ({exc.reason} at byte "
              f"{exc.start})\n  How to fix: save the file as UTF-8 (or CP950) CSV", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not bad input: still no traceback for the user
        if os.environ.get("GEOAIRPLAN_DEBUG"):
            raise
        print(f"geoairplan {args.command}: internal error: {type(exc).__name__}: {exc}\n"
              "  This is a bug in geoairplan, not in your data. Run again with GEOAIRPLAN_DEBUG=1 to see "
              "the traceback, and report it with the command you ran.", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
