"""Problem reports in the formats tools read, and the one-line summary of a clean check."""

from __future__ import annotations

import hashlib
import json

from generator.errors import Problem, Severity
from generator.model import Company

FORMATS = ("text", "json", "github", "gitlab")


def promote_warnings(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
    """``--strict``: every warning counts as an error."""
    return tuple(Problem(p.location, Severity.ERROR, p.code, p.message) for p in problems)


def render(problems: tuple[Problem, ...], output_format: str) -> str:
    if output_format == "json":
        return json.dumps([_as_dict(p) for p in problems], ensure_ascii=False, indent=2) + "\n"
    if output_format == "github":
        return "".join(github_annotation(p) + "\n" for p in problems)
    if output_format == "gitlab":
        return json.dumps([_code_quality(p) for p in problems], ensure_ascii=False, indent=2) + "\n"
    return "".join(f"{p}\n" for p in problems)


def _escape_data(text: str) -> str:
    """GitHub workflow-command escaping of a message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """GitHub workflow-command escaping of a property value (file, title)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem) -> str:
    """``::error file=...,line=...,col=...,title=...::message``: shown on the pull request's changed line."""
    loc = problem.location
    level = "error" if problem.severity is Severity.ERROR else "warning"
    properties = ",".join([f"file={_escape_property(loc.file)}", f"line={loc.line}", f"col={loc.column}",
                           f"title={_escape_property(f'okr check: {problem.code}')}"])
    return f"::{level} {properties}::{_escape_data(problem.message)}"


def _code_quality(problem: Problem) -> dict[str, object]:
    """One issue of a GitLab Code Quality report, shown in the merge request's diff."""
    loc = problem.location
    fingerprint = hashlib.sha256(f"{loc.file}:{problem.code}:{problem.message}".encode()).hexdigest()
    return {
        "description": f"{problem.code}: {problem.message}",
        "check_name": problem.code,
        "fingerprint": fingerprint,
        "severity": "major" if problem.severity is Severity.ERROR else "minor",
        "location": {"path": loc.file, "positions": {"begin": {"line": loc.line, "column": loc.column}}},
    }


def job_summary(problems: tuple[Problem, ...]) -> str:
    """Every problem as Markdown for a CI job summary, beyond GitHub's ten annotations per kind."""
    if not problems:
        return "### okr check: no problems\n"
    rows = "".join(f"| {_cell(str(p.location))} | {p.severity.value} | {p.code} | {_cell(p.message)} |\n"
                   for p in problems)
    return (f"### okr check: {summary_counts(problems)}\n\n| where | severity | rule | message |\n"
            f"|---|---|---|---|\n{rows}")


def _cell(text: str) -> str:
    """Text for a GitHub Markdown table cell: nothing in it can become markup or end the cell."""
    special = set("\\`*_{}[]()#+-.!|<>&\"'~:")
    return "".join(f"&#{ord(c)};" if c in special else c for c in " ".join(text.split()))


def summary_counts(problems: tuple[Problem, ...]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    return f"{plural(errors, 'error')}, {plural(len(problems) - errors, 'warning')}"


def _as_dict(problem: Problem) -> dict[str, object]:
    loc = problem.location
    return {"file": loc.file, "line": loc.line, "column": loc.column, "severity": problem.severity.value,
            "code": problem.code, "message": problem.message}


def contents(company: Company | None) -> str:
    """What a valid tree holds, for the summary line; empty for an invalid one."""
    if company is None:
        return ""
    objectives = company.objectives()
    key_results = sum(len(o.key_results) for o in objectives)
    periods = sum(len(t.periods) for t in company.teams)
    return (f"{plural(len(company.teams), 'team')}, {plural(periods, 'period file')}, "
            f"{plural(len(objectives), 'objective')}, {plural(key_results, 'key result')}")


def summary(source: str, company: Company | str | None, problems: tuple[Problem, ...]) -> str:
    """``okrs: 8 teams, ...; no problems``; ``company`` may be given as its ``contents`` already."""
    counted = summary_counts(problems)
    held = company if isinstance(company, str) else contents(company)
    if not held:
        return f"{source}: {counted}"
    return f"{source}: {held}; {counted}" if problems else f"{source}: {held}; no problems"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"
