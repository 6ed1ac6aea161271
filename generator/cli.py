"""The ``okr`` command: the only module that prints or exits.

Exit codes: 0 success, 1 problems found (or the build failed), 2 bad usage, 3 an internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gc
import importlib
import io
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from generator import __version__, checkcache, diffscope, newperiod, recording, report, spreadsheet
from generator import diff as okr_diff
from generator.build import RenderError, checked, generate
from generator.buildworker import GenerationError, GenerationWorker, started
from generator.checkin import EditError, NewCheckIn
from generator.editor_schema import KINDS, json_schema
from generator.errors import Problem
from generator.export import CSV_COLUMNS, csv_rows, export_json
from generator.gitread import (
    BlobStore,
    GitError,
    Revision,
    holds_revision,
    list_revision,
    same_content,
    top_level,
)
from generator.load import ID_PATTERN, SourceTree, inside_path, printable, read_files, read_tree
from generator.modelcache import ModelCache
from generator.pages import SiteOptions
from generator.parsecache import ParseCache
from generator.parsecache import default_folder as cache_folder
from generator.periods import PeriodName, current_period, resolve_as_of
from generator.privacy import public_view
from generator.progress import evaluate
from generator.publish import replace_atomically, replaceable, write_file_atomically, write_tree
from generator.render import status_text
from generator.scaffold import scaffold
from generator.validate import RESERVED_IDS, Progress, Validation, validate

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="okr", description="OKRs as code: check, build and publish a tree of OKRs.")
    parser.add_argument("--version", action="version", version=f"okr {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = _subcommand(
        commands, "check", "validate an OKR tree and report every problem",
        "okr check okrs/ --strict --format json",
        "Validate an OKR tree and report every problem with file:line:column.")
    check.add_argument("path", nargs="?", default="okrs", help="the OKR folder (default: okrs)")
    check.add_argument("--format", choices=report.FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--no-cache", action="store_true",
                       help="check every file again, even if nothing changed since the last check")
    check.add_argument("--summary", metavar="FILE", help="also append every problem as a Markdown table to FILE "
                       "(default with --format github: $GITHUB_STEP_SUMMARY)")

    schema_command = _subcommand(
        commands, "schema", "print the JSON Schema of the OKR files, for editors",
        "okr schema --kind period > period.schema.json",
        "Print the JSON Schema (draft-07) of period files, team files or people.yaml, generated "
                    "from the definitions the validator uses. With --out, write all three to a folder.")
    schema_command.add_argument("--kind", choices=KINDS, default="period", help="which file (default: period)")
    schema_command.add_argument("--out", help="write period/team/people.schema.json into this folder instead")

    checkin = _subcommand(
        commands, "checkin", "record a check-in without editing YAML by hand",
        "okr checkin support/engagement/tier1-tickets 66 --confidence 0.8 --note 'FAQ bot live'",
        "Append a check-in to the right period file and change nothing else in it: comments, key "
                    "order, quoting, blank lines, line endings and indentation stay as they were. The tree is "
                    "checked before and after; nothing is written if either check fails.")
    checkin.add_argument("ref", help="team/objective/key-result (or team/PERIOD/objective/key-result)")
    checkin.add_argument("value", help="the value today; for a milestone, percent complete")
    checkin.add_argument("--note", help="what happened")
    checkin.add_argument("--confidence", help="0.0-1.0: how sure you are the key result will be met")
    checkin.add_argument("--status", choices=("on_track", "at_risk", "off_track", "achieved"),
                         help="state the status instead of computing it")
    checkin.add_argument("--date", help="the day of the reading, YYYY-MM-DD (default: today)")
    checkin.add_argument("--by", help="who checks in")
    checkin.add_argument("--period", help="the period, e.g. 2026-Q4 (default: the current one)")
    checkin.add_argument("--path", default="okrs", help="the OKR folder (default: okrs)")
    checkin.add_argument("--force", action="store_true", help="allow a date before the latest check-in")

    export_command = _subcommand(
        commands, "export", "every objective and key result with its numbers, as JSON or CSV",
        "okr export okrs --format csv --bom --out okrs.csv",
        "Export every objective and key result with team, period, owner, values, progress, status, "
                    "score and alignment. JSON is the structure the site publishes as okrs.json; CSV has one row "
                    "per key result, for spreadsheets.")
    export_command.add_argument("path", nargs="?", default="okrs", help="the OKR folder (default: okrs)")
    export_command.add_argument("--format", choices=("json", "csv"), default="json", help="(default: json)")
    export_command.add_argument("--out", help="write to this file (default: standard output)")
    export_command.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 byte-order mark, so "
                                "Excel opens Cyrillic correctly")
    export_command.add_argument("--include-private", action="store_true", help="include private objectives")
    _add_as_of(export_command)

    new_period = _subcommand(
        commands, "new-period", "draft next period's files from this one",
        "okr new-period 2027-Q1 --from 2026-Q4",
        "Write next period's file for every team that had OKRs in the source period: objectives "
                    "copied as drafts, each unfinished key result carried over with its current value as the new "
                    "start, achieved ones left behind, check-ins and scores cleared, alignment re-pointed to the new "
                    "period where the parent is carried over too. Existing files are never overwritten.")
    new_period.add_argument("period", help="the new period, e.g. 2027-Q1")
    new_period.add_argument("--from", dest="source", help="the period to start from (default: the one before)")
    new_period.add_argument("--path", default="okrs", help="the OKR folder (default: okrs)")
    _add_as_of(new_period)

    init = _subcommand(
        commands, "init", "create a new, working OKR site repository",
        "okr init acme-okrs --name 'Acme Corp' --team support --team-name 'Customer support'",
        "Create a new OKR repository: the company's team.yaml, one team with one period file, "
                    "mkdocs.yml, the CI workflows, the editor schema and a README. `okr check` and "
                    "`mkdocs build --strict` pass on it at once.")
    init.add_argument("folder", help="the new repository's folder (absent or empty)")
    init.add_argument("--name", default="Acme", help="the company's name (default: Acme)")
    init.add_argument("--team", default="first-team", help="the first team's id (default: first-team)")
    init.add_argument("--team-name", default="First team", help="the first team's name")
    init.add_argument("--language", default="en", help="the site's language: en or ru (default: en)")

    importer = _subcommand(
        commands, "import", "turn an OKR spreadsheet (CSV or .xlsx) into YAML files",
        "okr import okrs.csv --out okrs --company 'Acme Corp'",
        "Read the common OKR spreadsheet layout (one row per key result: team, period, objective, "
                    "key result, start, target, current, unit, owner, date...; headers in English or Russian, in "
                    "any order) and write a YAML tree, reporting every row it could not place and why.")
    importer.add_argument("sheet", help="a .csv file (UTF-8, comma or semicolon separated) or an .xlsx workbook")
    importer.add_argument("--out", default="okrs", help="the OKR folder to write (default: okrs)")
    importer.add_argument("--company", default="Company", help="the company's name for a new team.yaml")
    importer.add_argument("--date", help="the date of current values without one (default: today)")

    diff = _subcommand(
        commands, "diff", "what a change does to the OKRs, for a pull request",
        "okr diff origin/main HEAD --format markdown > comment.md",
        "Compare the OKR tree in two git revisions (HEAD defaults to the working tree), read "
                    "straight from git objects, and list what changed: objectives and key results added, removed "
                    "or renamed, new check-ins with their effect, alignment and owners, and what a reviewer must "
                    "notice (moved targets, scores set by hand, back-dated check-ins, private objectives made "
                    "public).")
    diff.add_argument("base", help="the revision to compare from, e.g. origin/main")
    diff.add_argument("head", nargs="?", help="the revision to compare to (default: the working tree)")
    diff.add_argument("--path", default="okrs", help="the OKR folder (default: okrs)")
    diff.add_argument("--format", choices=("markdown", "text", "json"), default="markdown",
                      help="output format (default: markdown, for a pull-request comment)")
    diff.add_argument("--include-private", action="store_true",
                      help="include private objectives (never in a comment everyone can read)")
    diff.add_argument("--no-cache", action="store_true",
                      help="read and check both revisions whole, keeping nothing (the cache folder is not used)")
    _add_as_of(diff)
    status = _subcommand(
        commands, "status", "show progress and status of a period in the terminal",
        "okr status okrs --period 2026-Q4 --team support --as-of 2026-11-15",
        "Show each team's objectives and key results with progress bars and status, and the "
                    "health of the company and its departments.")
    status.add_argument("path", nargs="?", default="okrs", help="the OKR folder (default: okrs)")
    status.add_argument("--period", help="e.g. 2026-Q4 (default: the current period)")
    status.add_argument("--team", help="one team's id (default: every team)")
    _add_as_of(status)
    status.add_argument("--include-private", action="store_true", help="include private objectives")

    build = _subcommand(
        commands, "build", "check the OKRs, then build the site with mkdocs build --strict",
        "okr build --config-file mkdocs.yml --site-dir site",
        "Check the OKR tree, then build the site with `mkdocs build --strict` into a temporary "
                    "folder and swap it in only when the build succeeded: a failed build leaves the previous "
                    "site exactly as it was.")
    build.add_argument("--config-file", "-f", default="mkdocs.yml", help="MkDocs configuration (default: mkdocs.yml)")
    build.add_argument("--site-dir", "-d", default="site", help="where the site goes (default: site)")
    _add_as_of(build)

    gen = _subcommand(
        commands, "generate", "write the generated Markdown pages to a folder, without MkDocs",
        "okr generate okrs --out generated --language ru",
        "Write exactly the Markdown pages (and okrs.json) the MkDocs plugin generates, for "
                    "inspection, Backstage TechDocs or `zensical build`.")
    gen.add_argument("path", nargs="?", default="okrs", help="the OKR folder (default: okrs)")
    gen.add_argument("--out", "-o", required=True, help="the folder to write (replaced as a whole)")
    gen.add_argument("--language", default="en", help="labels, numbers and dates: en, ru... (default: en)")
    gen.add_argument("--templates-dir", help="a folder of templates that override the bundled ones")
    gen.add_argument("--include-private", action="store_true", help="include private objectives")
    _add_as_of(gen)
    return parser


def _subcommand(commands: Any, name: str, summary: str, example: str, description: str) -> argparse.ArgumentParser:
    """A command with its one-line summary, its description and an example in ``--help``."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=description, epilog=f"example: {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
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
        if args.command == "schema":
            return _schema(args)
        if args.command == "import":
            return _import(args)
        if args.command == "init":
            return _init(args)
        if args.command == "new-period":
            return _new_period(args)
        if args.command == "export":
            return _export(args)
        if args.command == "checkin":
            return _checkin(args)
        if args.command == "diff":
            return _diff(args)
        if args.command == "build":
            return _build(args)
        if args.command == "generate":
            return _generate(args)
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


@contextlib.contextmanager
def _reading_progress(what: str, total: int) -> Iterator[Progress]:
    """A progress line on a terminal while files are read (it disappears when done); silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda path: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn
    from rich.progress import Progress as Bar

    with Bar(SpinnerColumn(), TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
             console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=total)
        yield lambda path: bar.update(task, advance=1, description=path[-60:])


def _checked_showing_progress(what: str, tree: SourceTree, cache: ParseCache) -> Validation:
    """Validation with a progress bar on a terminal."""
    return checked(tree, cache, lambda: _reading_progress(what, tree.file_count))


def _parse_cache(args: argparse.Namespace) -> ParseCache:
    return ParseCache(None if getattr(args, "no_cache", False) else cache_folder())


def _checked(path: Path, shown: str, cache: Path | None, parses: ParseCache) -> checkcache.Outcome:
    """The check's problems and contents: from the cache when no file changed since it was stored."""
    cache_key, files, layout = "", {}, set[str]()
    if cache is not None:
        try:
            files = _files_of(path, layout)
            cache_key = checkcache.key(shown, files, layout)
        except OSError:  # an unreadable file: the check itself reports it, with its path
            cache = None
    if cache is not None and (cached := checkcache.load(cache, cache_key)) is not None:
        return cached
    tree = read_tree(path, shown)
    result = _checked_showing_progress("okr check", tree, parses)
    outcome = checkcache.Outcome(result.problems, report.contents(result.company))
    if cache is not None:
        checkcache.store(cache, cache_key, outcome)
        _keep_under_git_tree(path, files, layout, outcome, cache)
    return outcome


def _keep_under_git_tree(path: Path, files: dict[str, bytes | None], layout: set[str],
                         outcome: checkcache.Outcome, cache: Path) -> None:
    """When the folder holds exactly what git's HEAD holds there (a CI checkout), the outcome is also kept
    under git's id of the folder, where ``okr diff`` looks first: it then reads no file it does not compare."""
    try:
        repo, inside = _in_repository(path)
        listed = list_revision(repo, "HEAD", inside)
    except (GitError, ValueError, OSError):
        return  # not in git, or no commit yet
    visible_files = {name: blob for name, blob in listed.files.items() if _visible(name)}
    visible = Revision(listed.tree, MappingProxyType(visible_files))
    if listed.tree and layout == _folders_in(listed.files) and holds_revision(files, visible):
        checkcache.store(cache, checkcache.tree_key(_shown_in_diff(inside), listed.tree), outcome)


def _in_repository(folder: Path) -> tuple[Path, str]:
    """The top of the git work tree that holds ``folder``, and the folder's path below it ("" at the top);
    raises ``GitError`` outside one, ``ValueError`` for a folder outside it."""
    repo = top_level(folder if folder.is_dir() else Path.cwd())
    inside = (Path.cwd() / folder).resolve().relative_to(repo).as_posix()
    return repo, "" if inside == "." else inside


def _shown_in_diff(inside: str) -> str:
    """How ``okr diff`` shows the tree at ``inside``: as ``okr check`` shows the folder it is given."""
    return printable(inside.strip("/") or ".")


def _shown(path: str) -> str:
    """How the folder given on the command line is shown in messages and in the paths of problems."""
    return printable(path.rstrip("/") or "/")


def _check(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.is_dir():
        print(f"okr check: '{args.path}' is not a folder (give the folder that holds team.yaml)", file=sys.stderr)
        return EXIT_USAGE
    shown = _shown(args.path)
    outcome = _checked(path, shown, None if args.no_cache else checkcache.default_folder(), _parse_cache(args))
    problems = report.promote_warnings(outcome.problems) if args.strict else outcome.problems
    failed = _has_errors(problems)
    sys.stdout.write(report.render(problems, args.format))
    if args.format == "text":
        print(report.summary(shown, outcome.summary, problems), file=sys.stderr if problems else sys.stdout)
    summary_file = args.summary or (os.environ.get("GITHUB_STEP_SUMMARY") if args.format == "github" else None)
    if summary_file:
        with Path(summary_file).open("a", encoding="utf-8") as summary:
            summary.write(report.job_summary(problems))
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
    shown = _shown(args.path)
    tree = read_tree(path, shown)
    result = _checked_showing_progress("okr status", tree, _parse_cache(args))
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


def _as_of(args: argparse.Namespace, command: str) -> dt.date | None:
    try:
        return resolve_as_of(args.as_of, os.environ.get("SOURCE_DATE_EPOCH"), dt.date.today())
    except ValueError as exc:
        print(f"okr {command}: {exc}", file=sys.stderr)
        return None


def _generate(args: argparse.Namespace) -> int:
    source, out = Path(args.path), Path(args.out)
    if not source.is_dir():
        print(f"okr generate: '{args.path}' is not a folder (give the folder that holds team.yaml)", file=sys.stderr)
        return EXIT_USAGE
    if not replaceable(out):
        print(f"okr generate: '{args.out}' exists and was not written by okr generate: choose another folder",
              file=sys.stderr)
        return EXIT_USAGE
    as_of = _as_of(args, "generate")
    if as_of is None:
        return EXIT_USAGE
    templates = Path(args.templates_dir) if args.templates_dir else None
    generated = generate(source, _shown(args.path), as_of=as_of, include_private=args.include_private,
                         options=SiteOptions(args.language, templates))
    sys.stdout.write(report.render(generated.problems, "text"))
    if generated.failed:
        print(report.summary(args.path, None, generated.problems) + ": nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        files = ([(page.path, page.render().encode("utf-8")) for page in generated.pages]
                 + [(file.path, file.content()) for file in generated.files])
    except RenderError as exc:
        print(f"okr generate: a page template failed: {exc}; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    def write(folder: Path) -> bool:
        write_tree(folder, files)
        return True

    replace_atomically(out, write)
    print(f"okr generate: {len(generated.pages)} pages and {len(generated.files)} files written to {args.out}")
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    config = Path(args.config_file)
    if not config.is_file():
        print(f"okr build: no MkDocs configuration at '{args.config_file}'", file=sys.stderr)
        return EXIT_USAGE
    as_of = _as_of(args, "build")
    if as_of is None:
        return EXIT_USAGE
    source = _plugin_source(config)
    tree = read_tree(config.parent / source, source)
    # A large tree is checked by the process that then makes the pages beside MkDocs: this one never holds the model
    site = Path(args.site_dir).resolve()
    site.parent.mkdir(parents=True, exist_ok=True)  # where the worker's files go: the temporary folder is often memory
    worker = started(tree, cache_folder(), site.parent,
                     lambda total: _reading_progress("okr build: checking", total))
    handed: list[Validation | GenerationWorker]
    if worker is not None:
        try:
            outcome = worker.checked()
        except GenerationError as exc:
            print(f"okr build: {exc}; the site in '{args.site_dir}' was left as it was", file=sys.stderr)
            return EXIT_PROBLEMS
        problems, valid, handed = outcome.problems, outcome.valid, [worker]
    else:
        result = _checked_showing_progress("okr build: checking", tree, _parse_cache(args))
        problems, valid, handed = result.problems, result.company is not None, [result]
        del result  # taken by the build: nothing here keeps the model alive through it
    del tree
    sys.stdout.write(report.render(problems, "text"))
    if not valid:
        if worker is not None:
            worker.close()
        print(report.summary(source, None, problems) + f": the site in '{args.site_dir}' was left as it was",
              file=sys.stderr)
        return EXIT_PROBLEMS
    from generator.plugin import build_site  # MkDocs is imported only by the commands that run it

    epoch = int(dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC).timestamp())
    try:
        with _environment(SOURCE_DATE_EPOCH=str(epoch)):
            built = replace_atomically(Path(args.site_dir),
                                       lambda folder: build_site(config, folder, config.parent / source, handed.pop()))
    finally:
        if worker is not None:  # closed by the build, unless it stopped before it took it
            worker.close()
    if not built:
        print(f"okr build: mkdocs build failed; the site in '{args.site_dir}' was left as it was", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"okr build: site built into {args.site_dir} (as of {as_of.isoformat()})")
    return EXIT_OK


@contextlib.contextmanager
def _environment(**variables: str) -> Iterator[None]:
    """Environment variables set for what runs inside, as they were afterwards."""
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose Python tags (!!python/name:...) mean nothing here."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def _plugin_source(config: Path) -> str:
    """The ``source`` option of the okrs plugin in mkdocs.yml (default ``okrs``)."""
    try:
        settings = yaml.load(config.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except yaml.YAMLError:
        return "okrs"  # MkDocs itself reports a broken configuration
    plugins = settings.get("plugins", []) if isinstance(settings, dict) else []
    entries = plugins.items() if isinstance(plugins, dict) else (
        next(iter(p.items())) if isinstance(p, dict) else (p, None) for p in plugins)
    for name, options in entries:
        if name == "okrs" and isinstance(options, dict) and isinstance(options.get("source"), str):
            return str(options["source"])
    return "okrs"


def _diff(args: argparse.Namespace) -> int:
    as_of = _as_of(args, "diff")
    if as_of is None:
        return EXIT_USAGE
    folder = Path(args.path)
    try:
        repo, inside = _in_repository(folder)
        base_listed = list_revision(repo, args.base, inside)
        head_listed = list_revision(repo, args.head, inside) if args.head else None
    except (GitError, ValueError) as exc:
        print(f"okr diff: {exc}", file=sys.stderr)
        return EXIT_USAGE
    shown = _shown_in_diff(inside)
    blobs = BlobStore(repo)  # files are read from git only when needed, and each once
    base_tree = read_files(blobs.files(base_listed), shown)
    head_keys: list[Callable[[], str | None]] = []
    if head_listed is not None:
        head_tree = read_files(blobs.files(head_listed), shown)
        if head_listed.tree:
            head_keys.append(lambda: checkcache.tree_key(shown, head_listed.tree))
        head_keys.append(lambda: _git_key(blobs, head_tree, head_listed, shown))
    else:
        head_tree = read_tree(folder, shown)
        blobs.fetch_tree(base_tree)  # compared with files on disk, byte by byte
        head_keys.append(lambda: _disk_key(folder, shown))
    head_name = args.head or "the working tree"
    # Two whole companies stay alive until the end, and reading and comparing them makes many small
    # objects: each full collection would walk both companies again, for nothing (the model has no
    # cycles, and this process ends with the command).
    gc.disable()
    try:
        head_result, base_result = _diff_sides(base_tree, head_tree, head_keys, _parse_cache(args), blobs,
                                               None if args.no_cache else checkcache.default_folder())
    except GitError as exc:  # a file git cannot read is reported with the file; this is git itself failing
        print(f"okr diff: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if head_result.company is None:
        sys.stdout.write(okr_diff.render(okr_diff.problems_only(args.base, head_name, as_of, head_result.errors),
                                         args.format))
        return EXIT_PROBLEMS
    base_company = base_result.company
    changes = okr_diff.compare(
        public_view(base_company, include_private=args.include_private) if base_company else None,
        public_view(head_result.company, include_private=args.include_private),
        as_of=as_of, base_raw=base_company, base_name=args.base, head_name=head_name,
        base_problems=base_result.errors if base_company is None and base_listed.files else ())
    sys.stdout.write(okr_diff.render(changes, args.format))
    return EXIT_OK


def _git_key(blobs: BlobStore, tree: SourceTree, listed: Revision, shown: str) -> str | None:
    """The key ``okr check`` keeps the outcome of ``listed``'s files under; ``None`` when git cannot read one
    (the check then reports it, and keeps nothing)."""
    blobs.fetch_tree(tree)
    try:
        files = {path: None if blob is None else blob() for path, blob in blobs.files(listed).items()}
    except OSError:
        return None
    return _outcome_key(shown, files, _folders_in(files))


def _disk_key(folder: Path, shown: str) -> str | None:
    """The key ``okr check`` keeps the outcome of ``folder`` under; ``None`` when a file cannot be read
    (the check reports it, and keeps nothing)."""
    layout: set[str] = set()
    try:
        files = _files_of(folder, layout)
    except OSError:
        return None
    return _outcome_key(shown, files, layout)


def _outcome_key(shown: str, files: dict[str, bytes | None], layout: set[str]) -> str:
    """The key ``okr check`` keeps its outcome for these files and this layout (see ``_files_of``) under
    (hidden files are not part of a tree)."""
    return checkcache.key(shown, {path: content for path, content in files.items() if _visible(path)}, layout)


def _folders_in(paths: Iterable[str]) -> set[str]:
    """The folders of a tree that holds ``paths``: each is read as a team, even one that holds only hidden
    files (``x/.gitkeep``), so it is part of what a check's outcome is kept for."""
    folders = set()
    for path in paths:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            if parts[depth - 1].startswith("."):
                break
            folders.add("/".join(parts[:depth]))
    return folders


def _diff_sides(base_tree: SourceTree, head_tree: SourceTree, head_keys: Sequence[Callable[[], str | None]],
                cache: ParseCache, blobs: BlobStore, outcomes: Path | None) -> tuple[Validation, Validation]:
    """HEAD and base validated for their diff: when a check of HEAD's files before found no error, only
    the files that changed and those they align to (see ``diffscope``); else both whole. ``head_keys``
    make the keys HEAD's outcome may be kept under, the cheapest first (git's id of the folder, then the
    bytes of every file, as ``okr check`` keeps it); the outcome is kept under each of them."""
    reuse = ModelCache(cache.root)  # the two sides share almost every file: each is validated once

    def check(tree: SourceTree, cross_file: bool = True) -> Validation:
        blobs.fetch_tree(tree)  # one git process for all the files it reads, not one for each
        return checked(tree, cache, reuse=reuse, cross_file=cross_file)

    if outcomes is None:
        return check(head_tree), check(base_tree)
    keys: list[str] = []
    known = None
    left = list(head_keys)
    while left and known is None:
        if (key := left.pop(0)()) is not None:
            keys.append(key)
            known = checkcache.load(outcomes, key)
    if known is not None and not _has_errors(known.problems):
        for key in keys[:-1]:  # the next diff of this HEAD finds it by the cheaper key
            checkcache.store(outcomes, key, known)
        scope = diffscope.narrowed(base_tree, head_tree, check, same_content)
        if scope is not None:
            base_part, head_part = scope
            head_result, base_result = check(head_part), check(base_part)
            if head_result.company is not None and base_result.company is not None:
                return head_result, base_result
    head_result, base_result = check(head_tree), check(base_tree)
    outcome = checkcache.Outcome(head_result.problems, report.contents(head_result.company))
    for key in [*keys, *(key for make_key in left if (key := make_key()) is not None)]:
        checkcache.store(outcomes, key, outcome)
    return head_result, base_result


def _has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity.value == "error" for p in problems)


def _schema(args: argparse.Namespace) -> int:
    if args.out is None:
        sys.stdout.write(schema_text(args.kind))
        return EXIT_OK
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        (folder / f"{kind}.schema.json").write_text(schema_text(kind), encoding="utf-8")
    print(f"okr schema: {', '.join(f'{k}.schema.json' for k in KINDS)} written to {args.out}")
    return EXIT_OK


def schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"


def _checkin(args: argparse.Namespace) -> int:
    source = Path(args.path)
    if not source.is_dir():
        print(f"okr checkin: '{args.path}' is not a folder (give the folder that holds team.yaml)", file=sys.stderr)
        return EXIT_USAGE
    try:
        reading = _reading(args)
    except ValueError as exc:
        print(f"okr checkin: {exc}", file=sys.stderr)
        return EXIT_USAGE
    shown = _shown(args.path)
    files = _readable(source, "checkin")
    if files is None:
        return EXIT_PROBLEMS
    before = checked(read_files(files, shown), _parse_cache(args))
    if before.company is None:
        sys.stdout.write(report.render(before.errors, "text"))
        print("okr checkin: the OKR files have errors: fix them first (nothing was written)", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        objective, key_result = recording.locate(before.company, args.ref, args.period, reading.date)
    except recording.NotFoundError as exc:
        print(f"okr checkin: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    latest = max((c.date for c in key_result.checkins), default=None)
    if latest is not None and reading.date < latest and not args.force:
        print(f"okr checkin: {reading.date.isoformat()} is before the latest check-in ({latest.isoformat()}); "
              "use --force to record it anyway", file=sys.stderr)
        return EXIT_PROBLEMS
    relative = inside_path(shown, objective.location.file)
    original = files.get(relative)
    if original is None:
        print(f"okr checkin: {relative} is not a regular file", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        data = recording.with_checkin(original, objective, key_result, reading)
    except EditError as exc:
        print(f"okr checkin: {relative}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    after = checked(read_files({**files, relative: data}, shown), _parse_cache(args))
    if after.company is None:
        sys.stdout.write(report.render(after.errors, "text"))
        print("okr checkin: the check-in would make the file invalid; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    write_file_atomically(source / relative, data)
    print(recording.summary(before.company, after.company, objective, key_result, reading.date,
                            f"{shown}/{relative}"))
    return EXIT_OK


def _reading(args: argparse.Namespace) -> NewCheckIn:
    value = recording.number(args.value, "the value")
    confidence = recording.number(args.confidence, "--confidence") if args.confidence is not None else None
    if confidence is not None and not 0 <= confidence <= 1:
        raise ValueError("--confidence is from 0.0 to 1.0")
    as_of = resolve_as_of(args.date, os.environ.get("SOURCE_DATE_EPOCH"), dt.date.today())
    return NewCheckIn(as_of, value, confidence, args.status, args.note, args.by)


def _readable(source: Path, command: str) -> dict[str, bytes | None] | None:
    """Every file of the tree, or ``None`` after saying which one could not be read."""
    try:
        return _files_of(source)
    except OSError as exc:
        print(f"okr {command}: cannot read {exc.filename}: {exc.strerror}; nothing was written", file=sys.stderr)
        return None


def _files_of(source: Path, layout: set[str] | None = None) -> dict[str, bytes | None]:
    """Every file of the tree (hidden ones aside; ``None`` for a symbolic link), as the check reads it.
    ``layout`` gets what else the check reports on: every folder, empty ones too (a team needs a team
    file), and every entry that is neither a file nor a folder (a pipe, say), marked with a trailing NUL.
    Walked with ``os.scandir``: ``Path.rglob``, sorting paths and testing each twice took most of a check
    of 10,000 teams with nothing changed."""
    files: dict[str, bytes | None] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if not _visible(entry.name):
                    continue
                if entry.is_symlink():
                    files[relative] = None  # reported by the check as a symbolic link
                elif entry.is_dir():
                    if layout is not None:
                        layout.add(relative)
                    walk(entry.path, relative + "/")
                elif entry.is_file():
                    files[relative] = Path(entry.path).read_bytes()
                elif layout is not None:
                    layout.add(f"{relative}\0")

    walk(str(source), "")
    return files


def _visible(path: str) -> bool:
    """Whether a path inside a tree is part of it: hidden files and folders are not."""
    return not any(part.startswith(".") for part in path.split("/"))


def _export(args: argparse.Namespace) -> int:
    source = Path(args.path)
    if not source.is_dir():
        print(f"okr export: '{args.path}' is not a folder (give the folder that holds team.yaml)", file=sys.stderr)
        return EXIT_USAGE
    as_of = _as_of(args, "export")
    if as_of is None:
        return EXIT_USAGE
    tree = read_tree(source, _shown(args.path))
    result = _checked_showing_progress("okr export", tree, _parse_cache(args))
    if result.company is None:
        sys.stderr.write(report.render(result.errors, "text"))
        print("okr export: the OKR files have errors: fix them first", file=sys.stderr)
        return EXIT_PROBLEMS
    company = public_view(result.company, include_private=args.include_private)
    evaluation = evaluate(company, as_of)
    if args.format == "json":
        data = export_json(company, evaluation)
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(csv_rows(company, evaluation))
        data = ("\ufeff" if args.bom else "").encode("utf-8") + buffer.getvalue().encode("utf-8")
    if args.out:
        write_file_atomically(Path(args.out), data)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def _new_period(args: argparse.Namespace) -> int:
    source_dir = Path(args.path)
    target = PeriodName.parse(args.period)
    source = PeriodName.parse(args.source) if args.source else (newperiod.previous(target) if target else None)
    if target is None or source is None or not source_dir.is_dir():
        print("okr new-period: give a period such as 2027-Q1 (and --from 2026-Q4), and an OKR folder",
              file=sys.stderr)
        return EXIT_USAGE
    as_of = _as_of(args, "new-period")
    if as_of is None:
        return EXIT_USAGE
    shown = _shown(args.path)
    files = _readable(source_dir, "new-period")
    if files is None:
        return EXIT_PROBLEMS
    before = checked(read_files(files, shown), _parse_cache(args))
    if before.company is None:
        sys.stdout.write(report.render(before.errors, "text"))
        print("okr new-period: the OKR files have errors: fix them first (nothing was written)", file=sys.stderr)
        return EXIT_PROBLEMS
    schema = _schema_path(source_dir)
    written: list[newperiod.Draft] = []
    skipped: list[newperiod.Draft] = []
    finished: list[newperiod.Draft] = []
    for draft in newperiod.drafts(before.company, source, target, as_of, schema):
        (skipped if draft.path in files else finished if not draft.objectives else written).append(draft)
    after = checked(read_files({**files, **{d.path: d.text.encode() for d in written}}, shown), _parse_cache(args))
    if after.company is None:
        sys.stdout.write(report.render(after.errors, "text"))
        print("okr new-period: the drafts would not pass okr check; nothing was written (please report this)",
              file=sys.stderr)
        return EXIT_PROBLEMS
    for draft in written:
        write_file_atomically(source_dir / draft.path, draft.text.encode("utf-8"))
        behind = f"; left behind: {', '.join(draft.left_behind)}" if draft.left_behind else ""
        print(f"wrote {shown}/{draft.path}: {report.plural(draft.objectives, 'objective')}, "
              f"{report.plural(draft.key_results, 'key result')}{behind}")
    for draft in skipped:
        print(f"kept {shown}/{draft.path}: it exists already")
    for draft in finished:
        print(f"no {shown}/{draft.path}: nothing to carry over ({', '.join(draft.left_behind)})")
    if not written and not skipped and not finished:
        print(f"okr new-period: no team has OKRs for {source}")
    return EXIT_OK


def _schema_path(source_dir: Path) -> str:
    """The schema folder as seen from the OKR folder, when the repository has one (for the modeline)."""
    schemas = source_dir.resolve().parent / "docs" / "schema"
    return "../docs/schema/" if (schemas / "period.schema.json").is_file() else ""


def _init(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        print(f"okr init: '{args.folder}' exists and is not empty: choose a new folder", file=sys.stderr)
        return EXIT_USAGE
    if not ID_PATTERN.match(args.team) or args.team in RESERVED_IDS:
        print(f"okr init: '{args.team}' is not a team id: lowercase letters, digits and '-'", file=sys.stderr)
        return EXIT_USAGE
    today = resolve_as_of(None, os.environ.get("SOURCE_DATE_EPOCH"), dt.date.today())
    files = scaffold(args.name, args.team, args.team_name, args.language, today)
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomically(path, content)
    print(f"okr init: a new OKR repository in {args.folder} ({len(files)} files). Next:\n"
          f"  cd {args.folder} && git init && okr check okrs && okr build")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    sheet = Path(args.sheet)
    try:
        rows = _sheet_rows(sheet)
        today = resolve_as_of(args.date, os.environ.get("SOURCE_DATE_EPOCH"), dt.date.today())
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"okr import: {args.sheet}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    imported = spreadsheet.convert(rows, today, args.company)
    for skipped in imported.skipped:
        print(f"{args.sheet}:{skipped.row}: skipped: {skipped.reason}")
    out = Path(args.out)
    existing = _readable(out, "import") if out.is_dir() else {}
    if existing is None:
        return EXIT_PROBLEMS
    new = {path: text.encode("utf-8") for path, text in imported.files.items() if path not in existing}
    result = validate(read_files({**existing, **new}, _shown(args.out)))
    if result.company is None:
        sys.stdout.write(report.render(result.errors, "text"))
        print("okr import: the imported files would not pass okr check; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    for path, content in new.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomically(target, content)
    kept = len(imported.files) - len(new)
    print(f"okr import: {imported.rows - len([s for s in imported.skipped if s.row > 1])} of {imported.rows} rows "
          f"placed; {len(new)} files written to {args.out}" + (f", {kept} existing files kept" if kept else ""))
    return EXIT_PROBLEMS if any(s.row == 1 for s in imported.skipped) else EXIT_OK


def _sheet_rows(sheet: Path) -> list[list[object]]:
    if sheet.suffix.lower() == ".xlsx":
        try:  # optional: only .xlsx needs it
            openpyxl = importlib.import_module("openpyxl")
        except ImportError:
            raise ValueError("reading .xlsx needs openpyxl: python -m pip install openpyxl "
                             "(or save the sheet as CSV)") from None
        workbook = openpyxl.load_workbook(sheet, read_only=True, data_only=True)
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    text = sheet.read_bytes().decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
