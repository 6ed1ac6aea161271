"""The machine-readable export: the whole (public) model with every computed number.

One structure serves the site's ``okrs.json`` and ``okr export --format json``. It is versioned:
``version`` changes only when a field is removed or changes meaning; new fields may appear at any time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from generator.model import Company, KeyResultKind
from generator.progress import Evaluation, KeyResultProgress, ObjectiveProgress

FORMAT_VERSION = 1
DIGITS = 6
"""Computed shares are rounded, so that float noise never shows up as a change in a diff."""


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def export_json(company: Company, evaluation: Evaluation, encoded: EncodedObjectives | None = None) -> bytes:
    """The export as compact UTF-8 JSON: without indentation Python's C encoder writes it, four times
    faster, and a large company's file is a third smaller (it is for programs, and ``jq`` shows it).
    With ``encoded`` (``mkdocs serve`` exports after every edit), only the objectives whose numbers
    are not the very ones of the export before are encoded again; the text is the same."""
    return b"".join(json_pieces(company, evaluation, encoded))


def json_pieces(company: Company, evaluation: Evaluation,
                encoded: EncodedObjectives | None = None) -> Iterator[bytes]:
    """``export_json`` in pieces of an objective or a key result each, the text the encoder makes of
    ``export()`` whole. The whole structure would take ten times the memory of its text (1.5 GiB for
    10,000 teams): only one objective's is made at a time."""
    objective_text: Callable[[ObjectiveProgress], str] = _objective_text
    key_results_text: Callable[[ObjectiveProgress], str] = _key_results_text
    if encoded is not None:
        objective_text, key_results_text = (lambda o: encoded.of(o)[0]), (lambda o: encoded.of(o)[1])
    head = _dumps(_head(company, evaluation))[:-1]  # its closing brace opened again for the two lists
    yield f'{head},"objectives":['.encode()
    for index, objective in enumerate(evaluation.objectives.values()):
        yield f'{"," if index else ""}{objective_text(objective)}'.encode()
    yield b'],"key_results":['
    written = False
    for objective in evaluation.objectives.values():
        key_results = key_results_text(objective)
        if key_results:
            yield f'{"," if written else ""}{key_results}'.encode()
            written = True
    yield b"]}\n"
    if encoded is not None:
        encoded.forget_the_export_before()


def _objective_text(objective: ObjectiveProgress) -> str:
    return _dumps(_objective(objective))


def _key_results_text(objective: ObjectiveProgress) -> str:
    """Its key results' entries, joined by commas."""
    return ",".join(_dumps(_key_result(kr)) for kr in objective.key_results)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class EncodedObjectives:
    """Each evaluated objective's JSON (its entry, and its key results' entries), kept by the very
    object it was made from, for the next export; only those of the latest export are kept."""

    def __init__(self, before: EncodedObjectives | None = None) -> None:
        self._before = before._made if before is not None else {}
        self._made: dict[int, tuple[ObjectiveProgress, str, str]] = {}

    def of(self, objective: ObjectiveProgress) -> tuple[str, str]:
        made = self._made.get(id(objective)) or self._before.get(id(objective))
        if made is None or made[0] is not objective:  # an id is only that object's while it is alive
            made = (objective, _objective_text(objective), _key_results_text(objective))
        self._made[id(objective)] = made
        return made[1], made[2]

    def forget_the_export_before(self) -> None:
        self._before = {}


def export(company: Company, evaluation: Evaluation) -> dict[str, Any]:
    """The export as one structure: what ``json_pieces`` encodes one objective at a time."""
    return {
        **_head(company, evaluation),
        "objectives": [_objective(o) for o in evaluation.objectives.values()],
        "key_results": [_key_result(kr) for o in evaluation.objectives.values() for kr in o.key_results],
    }


def _head(company: Company, evaluation: Evaluation) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "as_of": evaluation.as_of.isoformat(),
        "company": {"id": company.id, "name": company.name, "fiscal_year_start": company.fiscal_year_start},
        "teams": [{"id": t.id, "name": t.name, "parent": t.parent, "lead": t.lead, "members": list(t.members),
                   "periods": [str(p.name) for p in t.periods]} for t in company.teams],
    }


def _objective(o: ObjectiveProgress) -> dict[str, Any]:
    objective = o.objective
    return {
        "team": objective.team,
        "period": str(objective.period),
        "id": objective.id,
        "ref": str(o.ref),
        "title": objective.title,
        "description": objective.description,
        "owner": objective.owner,
        "type": objective.type.value,
        "tags": list(objective.tags),
        "progress_from": objective.progress_from.value,
        "progress": _round(o.progress),
        "expected": _round(o.expected),
        "status": o.status.value,
        "score": _round(o.score),
        "grade": o.grade.value if o.grade else None,
        "aligned_to": ["restricted" if a.restricted else str(a.target) for a in objective.aligned_to],
        "supported_by": [str(r) for r in o.supporters],
        "key_results": [kr.key_result.id for kr in o.key_results],
    }


def _key_result(kr: KeyResultProgress) -> dict[str, Any]:
    k = kr.key_result
    return {
        "team": kr.ref.team,
        "period": str(kr.ref.period),
        "objective": kr.ref.objective,
        "id": k.id,
        "ref": str(kr.ref),
        "title": k.title,
        "description": k.description,
        "owner": k.owner,
        "kind": k.kind.value,
        "start": k.start,
        "target": k.target,
        "stay_above": k.stay_above,
        "stay_below": k.stay_below,
        "unit": k.unit,
        "weight": k.weight,
        "dropped": k.dropped,
        "current": kr.current,
        "progress": _round(kr.progress),
        "status": kr.status.value,
        "stale": kr.stale,
        "confidence": kr.confidence,
        "forecast": None if kr.forecast is None else {
            "value": _round(kr.forecast.value), "date": kr.forecast.day.isoformat(),
            "meets_target": kr.forecast.meets_target},
        "score": _round(kr.score),
        "supported_by": [str(r) for r in kr.supporters],
        "checkins": [{"date": c.date.isoformat(), "value": c.value, "confidence": c.confidence,
                      "status": c.status.value if c.status else None, "note": c.note, "by": c.by}
                     for c in kr.checkins],
        "milestone": k.kind is KeyResultKind.MILESTONE,
    }


CSV_COLUMNS = ("team", "team_name", "period", "objective", "objective_title", "objective_progress",
               "objective_status", "objective_score", "aligned_to", "key_result", "title", "kind", "owner", "start",
               "target", "unit", "current", "progress", "status", "stale", "confidence", "score", "dropped")


def csv_rows(company: Company, evaluation: Evaluation) -> list[dict[str, Any]]:
    """One row per key result, with its objective, for spreadsheets and BI tools."""
    rows = []
    for o in evaluation.objectives.values():
        objective = o.objective
        for kr in o.key_results:
            k = kr.key_result
            rows.append({
                "team": objective.team, "team_name": company.team(objective.team).name,
                "period": str(objective.period), "objective": objective.id, "objective_title": objective.title,
                "objective_progress": _round(o.progress), "objective_status": o.status.value,
                "objective_score": _round(o.score),
                "aligned_to": " ".join("restricted" if a.restricted else str(a.target) for a in objective.aligned_to),
                "key_result": k.id, "title": k.title, "kind": k.kind.value, "owner": k.owner or "",
                "start": k.start, "target": k.target if k.target is not None else (k.stay_above or k.stay_below),
                "unit": k.unit, "current": kr.current, "progress": _round(kr.progress), "status": kr.status.value,
                "stale": kr.stale, "confidence": kr.confidence, "score": _round(kr.score), "dropped": k.dropped or "",
            })
    return [{key: _cell(value) for key, value in row.items()} for row in rows]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe,
    as OWASP advises for CSV: titles are written by anyone who can open a pull request."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
