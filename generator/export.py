"""The machine-readable export: the whole (public) model with every computed number.

One structure serves the site's ``okrs.json`` and ``okr export --format json``. It is versioned:
``version`` changes only when a field is removed or changes meaning; new fields may appear at any time.
"""

from __future__ import annotations

from typing import Any

from generator.model import Company, KeyResultKind
from generator.progress import Evaluation, KeyResultProgress, ObjectiveProgress

FORMAT_VERSION = 1
DIGITS = 6
"""Computed shares are rounded, so that float noise never shows up as a change in a diff."""


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def export(company: Company, evaluation: Evaluation) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "as_of": evaluation.as_of.isoformat(),
        "company": {"id": company.id, "name": company.name, "fiscal_year_start": company.fiscal_year_start},
        "teams": [{"id": t.id, "name": t.name, "parent": t.parent, "lead": t.lead, "members": list(t.members),
                   "periods": [str(p.name) for p in t.periods]} for t in company.teams],
        "objectives": [_objective(o) for o in evaluation.objectives.values()],
        "key_results": [_key_result(kr) for o in evaluation.objectives.values() for kr in o.key_results],
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
