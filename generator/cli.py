"""The ``okr`` command: the only module that prints or exits.

Exit codes: 0 success, 1 problems found (or the build failed), 2 bad usage, 3 an internal error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from generator import __version__, report
from generator.load import read_tree
from generator.periods import PeriodName, current_period, resolve_as_of
from generator.privacy import public_view
from generator.progress import evaluate
from generator.render import status_text
from generator.validate import validate

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="okr", description="OKRs as code: check, build and publish a tree of OKRs.")
    parser.add_argument("--version", action="version", version=f"okr {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check", help="validate an OKR tree and report every problem",
        description="Validate an OKR tree and report every problem with file:line:column.",
        epilog="example: okr check okrs/ --strict --format json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("path", nargs="?", default="okrs", help="the OKR folder (default: okrs)")
    check.add_argument("--format", choices=report.FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    status = commands.add_parser(
        "status", help="show progress and status of a period in the terminal",
        description="Show each team's objectives and key results with progress bars and status, and the "
                    "health of the company and its departments.",
        epilog="example: okr status okrs --period 2026-Q4 --team support --as-of 2026-11-15",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    status.add_argument("path", nargs="?", default="okrs", help="the OKR folder (default: okrs)")
    status.add_argument("--period", help="e.g. 2026-Q4 (default: the current period)")
    status.add_argument("--team", help="one team's id (default: every team)")
    _add_as_of(status)
    status.add_argument("--include-private", action="store_true", help="include private objectives")
    return parser


def _add_as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", metavar="DATE",
                        help="compute numbers as of this day, YYYY-MM-DD (default: $SOURCE_DATE_EPOCH, else today)")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "check":
            return _check(args)
        if args.command == "status":
            return _status(args)
        return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # never a traceback for the user; OKR_DEBUG=1 shows it to a developer
        if os.environ.get("OKR_DEBUG"):
            traceback.print_exc()
        print(f"okr: internal error: {type(exc).__name__}: {exc} (run with OKR_DEBUG=1 for details, "
              "and please report it)", file=sys.stderr)
        return EXIT_INTERNAL


def _check(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.is_dir():
        print(f"okr check: '{args.path}' is not a folder (give the folder that holds team.yaml)", file=sys.stderr)
        return EXIT_USAGE
    shown = args.path.rstrip("/") or "/"
    result = validate(read_tree(path, shown))
    problems = report.promote_warnings(result.problems) if args.strict else result.problems
    failed = any(p.severity.value == "error" for p in problems)
    sys.stdout.write(report.render(problems, args.format))
    if args.format == "text":
        print(report.summary(shown, result.company, problems), file=sys.stderr if problems else sys.stdout)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _status(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.is_dir():
        print(f"okr status: '{args.path}' is not a folder (give the folder that holds team.yaml)", file=sys.stderr)
        return EXIT_USAGE
    try:
        as_of = resolve_as_of(args.as_of, os.environ.get("SOURCE_DATE_EPOCH"), dt.date.today())
    except ValueError as exc:
        print(f"okr status: {exc}", file=sys.stderr)
        return EXIT_USAGE
    shown = args.path.rstrip("/") or "/"
    result = validate(read_tree(path, shown))
    if result.company is None:
        sys.stdout.write(report.render(result.errors, "text"))
        print(f"{report.summary(shown, None, result.problems)}: fix them first (okr check)", file=sys.stderr)
        return EXIT_PROBLEMS
    company = public_view(result.company, include_private=args.include_private)
    if args.team and not company.has_team(args.team):
        print(f"okr status: there is no team '{args.team}'", file=sys.stderr)
        return EXIT_USAGE
    periods = company.period_names()
    period = PeriodName.parse(args.period) if args.period else current_period(periods, as_of,
                                                                             company.fiscal_year_start)
    if period is None:
        message = f"'{args.period}' is not a period (2026, 2026-H1, 2026-Q4)" if args.period else "there are no OKRs"
        print(f"okr status: {message}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(status_text(company, evaluate(company, as_of), period, args.team))
    return EXIT_OK
