"""Problem reports in the formats tools read, and the one-line summary of a clean check."""

from __future__ import annotations

import json

from generator.errors import Problem, Severity
from generator.model import Company

FORMATS = ("text", "json")


def promote_warnings(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
    """``--strict``: every warning counts as an error."""
    return tuple(Problem(p.location, Severity.ERROR, p.code, p.message) for p in problems)


def render(problems: tuple[Problem, ...], output_format: str) -> str:
    if output_format == "json":
        return json.dumps([_as_dict(p) for p in problems], ensure_ascii=False, indent=2) + "\n"
    return "".join(f"{p}\n" for p in problems)


def _as_dict(problem: Problem) -> dict[str, object]:
    loc = problem.location
    return {"file": loc.file, "line": loc.line, "column": loc.column, "severity": problem.severity.value,
            "code": problem.code, "message": problem.message}


def summary(source: str, company: Company | None, problems: tuple[Problem, ...]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    counted = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    if company is None:
        return f"{source}: {counted}"
    objectives = company.objectives()
    key_results = sum(len(o.key_results) for o in objectives)
    periods = sum(len(t.periods) for t in company.teams)
    contents = (f"{_plural(len(company.teams), 'team')}, {_plural(periods, 'period file')}, "
                f"{_plural(len(objectives), 'objective')}, {_plural(key_results, 'key result')}")
    return f"{source}: {contents}; {counted}" if problems else f"{source}: {contents}; no problems"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"
