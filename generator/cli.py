"""The ``okr`` command: the only module that prints or exits.

Exit codes: 0 success, 1 problems found (or the build failed), 2 bad usage, 3 an internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from generator import __version__, report
from generator.load import read_tree
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "check":
            return _check(args)
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
