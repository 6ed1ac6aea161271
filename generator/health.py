"""Roll-ups for teams, departments and the company: status counts, mean progress, the Net Confidence
Score, and check-in discipline."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from generator.model import Company, subtree
from generator.periods import PeriodName
from generator.progress import Evaluation, KeyResultProgress, ObjectiveProgress, Status

ON_TRACK_LIKE = frozenset({Status.ON_TRACK, Status.ACHIEVED, Status.HEALTHY})
OFF_TRACK_LIKE = frozenset({Status.OFF_TRACK, Status.BREACHED})
NOT_COUNTED = frozenset({Status.DROPPED, Status.UPCOMING})
DISCIPLINE_DAYS = 14


@dataclass(frozen=True, slots=True)
class Health:
    """The state of a set of objectives, counted over their key results."""

    objectives: int
    key_results: int
    """Key results that count: neither dropped nor upcoming."""
    counts: Mapping[Status, int]
    """Key results per status."""
    mean_progress: float | None
    """Mean progress of the objectives that have one."""
    net_confidence: float | None
    """Share on track (achieved and healthy included) minus share off track (breached included), -1 to 1."""
    stale: int

    def count(self, *statuses: Status) -> int:
        return sum(self.counts.get(s, 0) for s in statuses)

    @property
    def on_track(self) -> int:
        """On track, achieved, and guardrails that are healthy."""
        return self.count(*ON_TRACK_LIKE)

    @property
    def at_risk(self) -> int:
        return self.count(Status.AT_RISK)

    @property
    def off_track(self) -> int:
        """Off track, and guardrails that are breached."""
        return self.count(*OFF_TRACK_LIKE)

    @property
    def no_checkin(self) -> int:
        return self.count(Status.NO_CHECKIN)


def health(objectives: Iterable[ObjectiveProgress]) -> Health:
    chosen = list(objectives)
    key_results = [kr for o in chosen for kr in o.key_results if kr.status not in NOT_COUNTED]
    counts = Counter(kr.status for kr in key_results)
    progress = [o.progress for o in chosen if o.progress is not None]
    net = None
    if key_results:
        on = sum(counts[s] for s in ON_TRACK_LIKE)
        off = sum(counts[s] for s in OFF_TRACK_LIKE)
        net = (on - off) / len(key_results)
    return Health(
        objectives=len(chosen),
        key_results=len(key_results),
        counts=MappingProxyType(dict(sorted(counts.items(), key=lambda item: item[0].rank))),
        mean_progress=sum(progress) / len(progress) if progress else None,
        net_confidence=net,
        stale=sum(kr.stale for kr in key_results),
    )


def objectives_of(evaluation: Evaluation, team_ids: Iterable[str],
                  period: PeriodName | None = None) -> tuple[ObjectiveProgress, ...]:
    """The evaluated objectives of these teams (in org order), of one period or of all."""
    wanted = set(team_ids)
    return tuple(o for o in evaluation.objectives.values()
                 if o.objective.team in wanted and (period is None or o.objective.period == period))


def team_health(company: Company, evaluation: Evaluation, team_id: str, period: PeriodName, *,
                include_subteams: bool = True) -> Health:
    teams = subtree(company, team_id) if include_subteams else (team_id,)
    return health(objectives_of(evaluation, teams, period))


def checkin_discipline(key_results: Iterable[KeyResultProgress], as_of: dt.date,
                       days: int = DISCIPLINE_DAYS) -> float | None:
    """Share of the key results that count (open period, not dropped) checked in within the last ``days``."""
    counted = [kr for kr in key_results if kr.status not in NOT_COUNTED]
    if not counted:
        return None
    recent = sum(1 for kr in counted if kr.last_checkin is not None and (as_of - kr.last_checkin.date).days <= days)
    return recent / len(counted)
