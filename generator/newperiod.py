"""Next period's files from this one: ``okr new-period 2027-Q1``.

Objectives are copied as drafts; each unfinished key result is carried over with its current value
as the new start; achieved and abandoned ones stay behind, and so do check-ins, scores and finished
initiatives; alignment to an objective that is carried over too is re-pointed to the new period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from generator.load import dump
from generator.model import Company, InitiativeStatus, KeyResult, KeyResultKind, Objective, ProgressSource
from generator.periods import PeriodKind, PeriodName
from generator.progress import checkins_until, value_progress


@dataclass(frozen=True, slots=True)
class Draft:
    path: str
    """The new file, relative to the OKR folder."""
    text: str
    objectives: int
    key_results: int
    left_behind: tuple[str, ...]
    """Objectives not carried over, with why."""


def previous(period: PeriodName) -> PeriodName:
    """The period of the same kind just before: 2027-Q1 -> 2026-Q4, 2027-H1 -> 2026-H2, 2027 -> 2026."""
    count = {PeriodKind.YEAR: 1, PeriodKind.HALF: 2, PeriodKind.QUARTER: 4}[period.kind]
    if period.index > 1:
        return PeriodName(period.year, period.kind, period.index - 1)
    return PeriodName(period.year - 1, period.kind, count)


def drafts(company: Company, source: PeriodName, target: PeriodName, as_of: dt.date,
           schema_path: str = "") -> list[Draft]:
    """The new period files, one for each team that had OKRs in ``source`` (nothing is written here)."""
    carried: set[tuple[str, str]] = set()
    plans: list[tuple[str, Any, list[tuple[Objective, list[KeyResult]]], list[str]]] = []
    for team in company.teams:
        period = next((p for p in team.periods if p.name == source), None)
        if period is None:
            continue
        kept, behind = [], []
        for objective in period.objectives:
            open_results = [kr for kr in objective.key_results if _unfinished(kr, as_of)]
            if open_results or objective.progress_from is ProgressSource.ALIGNED:
                kept.append((objective, open_results))
                carried.add((objective.team, objective.id))
            else:
                behind.append(f"{objective.id} (every key result achieved or dropped)")
        folder = team.folder
        plans.append((f"{folder}/{target}.yaml" if folder else f"{target}.yaml", period, kept, behind))
    result = []
    for path, period, kept, behind in plans:
        document: dict[str, Any] = {}
        if period.private:
            document["private"] = True
        document["objectives"] = [_objective(o, krs, source, target, carried, as_of) for o, krs in kept]
        depth = path.count("/")
        modeline = f"# yaml-language-server: $schema={'../' * depth}{schema_path}period.schema.json\n" \
            if schema_path else ""
        header = (f"{modeline}# Drafted by `okr new-period` from {source}: review the targets before the "
                  "period starts.\n")
        text = header + dump(document)
        result.append(Draft(path, text, len(kept), sum(len(krs) for _, krs in kept), tuple(behind)))
    return result


def _unfinished(kr: KeyResult, as_of: dt.date) -> bool:
    if kr.dropped is not None:
        return False
    if kr.kind is KeyResultKind.GUARDRAIL:
        return True  # a threshold to hold goes on
    readings = checkins_until(kr, as_of)
    progress = value_progress(kr, readings[-1].value) if readings else 0.0
    return progress is None or progress < 1


def _objective(objective: Objective, key_results: list[KeyResult], source: PeriodName, target: PeriodName,
               carried: set[tuple[str, str]], as_of: dt.date) -> dict[str, Any]:
    data: dict[str, Any] = {"id": objective.id, "title": objective.title}
    if objective.description:
        data["description"] = objective.description
    if objective.owner:
        data["owner"] = objective.owner
    if objective.type.value != "aspirational":
        data["type"] = objective.type.value
    if objective.tags:
        data["tags"] = list(objective.tags)
    if objective.private:
        data["private"] = True
    if objective.progress_from is not ProgressSource.KEY_RESULTS:
        data["progress_from"] = objective.progress_from.value
    references = [_reference(a.target.team, a.target.period, a.target.objective, a.target.key_result, source,
                             target, carried) for a in objective.aligned_to if not a.restricted]
    if references:
        data["aligned_to"] = references[0] if len(references) == 1 else references
    if key_results:
        data["key_results"] = [_key_result(kr, as_of) for kr in key_results]
    initiatives = [i for i in objective.initiatives if i.status in (InitiativeStatus.PLANNED,
                                                                     InitiativeStatus.IN_PROGRESS)]
    if initiatives:
        data["initiatives"] = [{k: v for k, v in (("title", i.title), ("status", i.status.value), ("owner", i.owner),
                                                  ("link", i.link)) if v} for i in initiatives]
    return data


def _reference(team: str, period: PeriodName, objective: str, key_result: str | None, source: PeriodName,
               target: PeriodName, carried: set[tuple[str, str]]) -> str:
    if period == source and (team, objective) in carried:
        text = f"{team}/{objective}"  # resolved in the new period, where the parent is carried over too
    elif period.contains(target):
        text = f"{team}/{objective}"  # a year or half that holds the new period as well
    else:
        text = f"{team}/{period}/{objective}"  # stays with the parent where it is
    return f"{text}/{key_result}" if key_result else text


def _key_result(kr: KeyResult, as_of: dt.date) -> dict[str, Any]:
    data: dict[str, Any] = {"id": kr.id, "title": kr.title}
    if kr.description:
        data["description"] = kr.description
    if kr.owner:
        data["owner"] = kr.owner
    if kr.weight != 1:
        data["weight"] = _plain(kr.weight)
    readings = checkins_until(kr, as_of)
    if kr.kind is KeyResultKind.METRIC:
        assert kr.start is not None and kr.target is not None
        data["start"] = _plain(readings[-1].value if readings else kr.start)
        data["target"] = _plain(kr.target)
    if kr.unit and kr.kind is not KeyResultKind.MILESTONE:
        data["unit"] = kr.unit
    if kr.stay_above is not None:
        data["stay_above"] = _plain(kr.stay_above)
    if kr.stay_below is not None:
        data["stay_below"] = _plain(kr.stay_below)
    return data


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value
