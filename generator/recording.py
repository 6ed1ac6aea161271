"""Finding where a check-in goes, writing it into the file's text, and saying what it changed."""

from __future__ import annotations

import datetime as dt
import difflib
import math

from generator.checkin import NewCheckIn, add_checkin
from generator.load import ID_PATTERN
from generator.model import Company, KeyResult, Objective, Reference
from generator.periods import PeriodName, periods_of
from generator.privacy import public_view
from generator.progress import evaluate
from generator.render import number as number_text
from generator.render import percent


class NotFoundError(Exception):
    """The reference names nothing; the message says what exists instead."""


def number(text: str, what: str) -> float:
    try:
        value = float(text.replace(",", ".").replace("_", ""))
    except ValueError:
        raise ValueError(f"{what} must be a number, not '{text}'") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, not '{text}'")
    return value


def _nearest(text: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(text, candidates, n=3, cutoff=0.5)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def locate(company: Company, ref: str, period_text: str | None, day: dt.date) -> tuple[Objective, KeyResult]:
    """The objective and key result ``team/objective/kr`` names in ``--period``, or in the period of ``day``."""
    parts = ref.strip("/").split("/")
    if len(parts) == 4 and PeriodName.parse(parts[1]) is not None and period_text is None:
        period_text, parts = parts[1], [parts[0], *parts[2:]]
    if len(parts) != 3 or not all(ID_PATTERN.match(part) for part in parts):
        raise NotFoundError(f"'{ref}' is not team/objective/key-result")
    team_id, objective_id, key_result_id = parts
    if not company.has_team(team_id):
        raise NotFoundError(f"there is no team '{team_id}'{_nearest(team_id, [t.id for t in company.teams])}")
    team = company.team(team_id)
    if period_text is not None:
        period = PeriodName.parse(period_text)
        if period is None:
            raise NotFoundError(f"'{period_text}' is not a period (2026, 2026-H1, 2026-Q4)")
        candidates = [period]
    else:
        candidates = list(periods_of(day, company.fiscal_year_start))
    for candidate in candidates:
        objective = company.objective(Reference(team_id, candidate, objective_id))
        if objective is not None:
            break
    else:
        elsewhere = [str(p.name) for p in team.periods if any(o.id == objective_id for o in p.objectives)]
        searched = ", ".join(str(p) for p in candidates)
        hint = f"; it has one in {', '.join(elsewhere)}: use --period" if elsewhere else _nearest(
            objective_id, sorted({o.id for p in team.periods for o in p.objectives}))
        raise NotFoundError(f"'{team_id}' has no objective '{objective_id}' in {searched}{hint}")
    for key_result in objective.key_results:
        if key_result.id == key_result_id:
            return objective, key_result
    ids = [kr.id for kr in objective.key_results]
    raise NotFoundError(f"objective '{team_id}/{objective.period}/{objective_id}' has no key result "
                   f"'{key_result_id}'{_nearest(key_result_id, ids)} (its key results: {', '.join(ids)})")


def with_checkin(data: bytes, objective: Objective, key_result: KeyResult, reading: NewCheckIn) -> bytes:
    """The file's bytes with the check-in added; a byte-order mark and line endings are kept."""
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    index = [kr.id for kr in objective.key_results].index(key_result.id)
    edited = add_checkin(text, objective.id, index, reading)
    return (b"\xef\xbb\xbf" if bom else b"") + edited.encode("utf-8")


def summary(before: Company, after: Company, objective: Objective, key_result: KeyResult, day: dt.date,
            file: str) -> str:
    ref = Reference(objective.team, objective.period, objective.id, key_result.id)
    old = evaluate(public_view(before, include_private=True), day).key_result(ref)
    new = evaluate(public_view(after, include_private=True), day).key_result(ref)
    assert old is not None and new is not None
    return (f"{ref}: {number_text(old.current)} → {number_text(new.current)} "
            f"({percent(old.progress)} → {percent(new.progress)}), {new.status.value.replace('_', ' ')}; "
            f"written to {file}")
