"""The progress engine: every number the site, the diffs and the exports show.

Pure functions over the immutable model; nothing here reads a clock or a file. ``as_of`` is the day
the numbers are computed for: check-ins after it are ignored, so a past ``as_of`` shows the company
as it stood that day. The formulas are documented, with worked examples, in docs/progress.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from generator.alignment import AlignmentGraph, build_graph, supporters_first
from generator.model import (
    CheckIn,
    Company,
    Grading,
    KeyResult,
    KeyResultKind,
    Objective,
    ObjectiveType,
    ProgressSource,
    Reference,
    ReportedStatus,
    StatusRules,
)
from generator.periods import PeriodName


class Status(enum.Enum):
    """The status shown for a key result or an objective."""

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_CHECKIN = "no_checkin"
    UPCOMING = "upcoming"
    HEALTHY = "healthy"
    """A guardrail within its threshold."""
    BREACHED = "breached"
    """A guardrail past its threshold."""
    DROPPED = "dropped"

    @property
    def rank(self) -> int:
        """Lower is weaker; an objective takes the weakest status of its key results."""
        return _RANKS[self]


_RANKS = {Status.OFF_TRACK: 0, Status.BREACHED: 0, Status.AT_RISK: 1, Status.NO_CHECKIN: 2, Status.ON_TRACK: 3,
          Status.HEALTHY: 3, Status.ACHIEVED: 4, Status.UPCOMING: 5, Status.DROPPED: 6}
_REPORTED = {ReportedStatus.ON_TRACK: Status.ON_TRACK, ReportedStatus.AT_RISK: Status.AT_RISK,
             ReportedStatus.OFF_TRACK: Status.OFF_TRACK, ReportedStatus.ACHIEVED: Status.ACHIEVED}
_AS_OBJECTIVE_STATUS = {Status.HEALTHY: Status.ON_TRACK, Status.BREACHED: Status.OFF_TRACK}


class Grade(enum.Enum):
    SUCCESS = "success"
    PROGRESS = "progress"
    MISS = "miss"


@dataclass(frozen=True, slots=True)
class Forecast:
    """Where a straight-line trend through the check-ins lands on the period's last day."""

    value: float
    day: dt.date
    meets_target: bool


@dataclass(frozen=True, slots=True)
class KeyResultProgress:
    ref: Reference
    key_result: KeyResult
    checkins: tuple[CheckIn, ...]
    """Check-ins dated up to ``as_of``, oldest first (same-day ones in file order)."""
    current: float | None
    """The latest check-in's value; before any, the start (a metric) or 0 (a milestone)."""
    progress: float | None
    """As measured: 1.2 for an overshoot, negative for a move the wrong way; ``None`` for a guardrail."""
    counted: float | None
    """``progress`` clamped to 0-1: what every average uses; ``None`` when it counts in none (dropped, guardrail)."""
    expected: float
    status: Status
    stale: bool
    confidence: float | None
    forecast: Forecast | None
    score: float | None
    """Final score once the period is over: the ``score:`` given by hand, else the progress at the end."""
    supporters: tuple[Reference, ...] = ()
    """Objectives aligned directly to this key result (a team objective cascading from it)."""

    @property
    def last_checkin(self) -> CheckIn | None:
        return self.checkins[-1] if self.checkins else None


@dataclass(frozen=True, slots=True)
class ObjectiveProgress:
    objective: Objective
    key_results: tuple[KeyResultProgress, ...]
    supporters: tuple[Reference, ...]
    """Objectives aligned directly to this one or to one of its key results."""
    progress: float | None
    """0-1, or ``None`` when nothing measurable feeds it (only guardrails, nothing aligned yet)."""
    expected: float
    status: Status
    score: float | None
    grade: Grade | None

    @property
    def ref(self) -> Reference:
        return self.objective.ref


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The computed numbers of every objective of a company on ``as_of``."""

    as_of: dt.date
    objectives: Mapping[Reference, ObjectiveProgress]
    graph: AlignmentGraph
    rules: tuple[int, StatusRules, Grading]
    """The company's settings the numbers follow: fiscal year start, status rules, grading."""

    def of(self, ref: Reference) -> ObjectiveProgress:
        return self.objectives[ref.objective_ref]

    def key_result(self, ref: Reference) -> KeyResultProgress | None:
        for key_result in self.of(ref).key_results:
            if key_result.key_result.id == ref.key_result:
                return key_result
        return None


# --- the formulas ------------------------------------------------------------------------------------

def metric_progress(start: float, target: float, value: float) -> float:
    """(value - start) / (target - start): 100 -> 50 tickets at 72 is 0.56; works in either direction."""
    return (value - start) / (target - start)


def clamp(progress: float) -> float:
    """What averages count: an overshoot counts as 1, a move the wrong way as 0."""
    return min(1.0, max(0.0, progress))


def status_for(progress: float, expected: float, rules: StatusRules) -> Status:
    """On track when p >= e - on_track_gap, at risk when p >= e - at_risk_gap, else off track; achieved at 1."""
    if progress >= 1:
        return Status.ACHIEVED
    if progress >= expected - rules.on_track_gap - 1e-9:
        return Status.ON_TRACK
    if progress >= expected - rules.at_risk_gap - 1e-9:
        return Status.AT_RISK
    return Status.OFF_TRACK


def guardrail_status(key_result: KeyResult, value: float) -> Status:
    above, below = key_result.stay_above, key_result.stay_below
    healthy = (above is None or value >= above) and (below is None or value <= below)
    return Status.HEALTHY if healthy else Status.BREACHED


def weakest(statuses: Iterable[Status]) -> Status | None:
    """The weakest status (Perdoo's rule), guardrails read as objective statuses; ``None`` if there is none."""
    considered = [s for s in statuses if s not in (Status.DROPPED, Status.UPCOMING)]
    if not considered:
        return None
    found = min(considered, key=lambda s: s.rank)
    return _AS_OBJECTIVE_STATUS.get(found, found)


def grade(score: float, objective_type: ObjectiveType, grading: Grading) -> Grade:
    if objective_type is ObjectiveType.COMMITTED:
        return Grade.SUCCESS if score >= grading.committed_success - 1e-9 else Grade.MISS
    if score >= grading.aspirational_success - 1e-9:
        return Grade.SUCCESS
    if score >= grading.aspirational_progress - 1e-9:
        return Grade.PROGRESS
    return Grade.MISS


def checkins_until(key_result: KeyResult, day: dt.date) -> tuple[CheckIn, ...]:
    """Check-ins dated up to ``day``, by date; a stable sort keeps same-day ones in file order (last one wins)."""
    return tuple(sorted((c for c in key_result.checkins if c.date <= day), key=lambda c: c.date))


def value_progress(key_result: KeyResult, value: float) -> float | None:
    if key_result.kind is KeyResultKind.METRIC:
        assert key_result.start is not None and key_result.target is not None
        return metric_progress(key_result.start, key_result.target, value)
    if key_result.kind is KeyResultKind.MILESTONE:
        return value / 100
    return None


def trend(points: list[tuple[float, float]], at: float) -> float | None:
    """Least-squares straight line through ``(day, value)`` points, read at day ``at``."""
    n = len(points)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y + slope * (at - mean_x)


def forecast(key_result: KeyResult, checkins: tuple[CheckIn, ...], start: dt.date, end: dt.date) -> Forecast | None:
    """The trend through the start of the period and every check-in so far, read on the period's last day."""
    if key_result.kind is KeyResultKind.GUARDRAIL or not checkins:
        return None
    origin = key_result.start if key_result.kind is KeyResultKind.METRIC else 0.0
    assert origin is not None
    points = [(0.0, origin)] + [(float((c.date - start).days), c.value) for c in checkins]
    value = trend(points, float((end - start).days))
    if value is None:
        return None
    if key_result.kind is KeyResultKind.MILESTONE:
        value = min(100.0, max(0.0, value))  # a milestone cannot be more than done
    progress = value_progress(key_result, value)
    return Forecast(value, end, progress is not None and progress >= 1 - 1e-9)


# --- evaluation --------------------------------------------------------------------------------------

def evaluate_key_result(key_result: KeyResult, ref: Reference, period: PeriodName, as_of: dt.date,
                        fiscal_year_start: int, rules: StatusRules) -> KeyResultProgress:
    start, end = period.start(fiscal_year_start), period.end(fiscal_year_start)
    expected = period.elapsed_share(as_of, fiscal_year_start)
    checkins = checkins_until(key_result, as_of)
    latest = checkins[-1] if checkins else None
    if latest is not None:
        current: float | None = latest.value
    elif key_result.kind is KeyResultKind.METRIC:
        current = key_result.start
    else:
        current = 0.0 if key_result.kind is KeyResultKind.MILESTONE else None
    progress = value_progress(key_result, current) if current is not None else None
    dropped = key_result.dropped is not None
    counted = None if dropped or progress is None else clamp(progress)
    is_open = start <= as_of <= end
    last_day = latest.date if latest is not None else start
    stale = is_open and not dropped and (as_of - last_day).days > rules.stale_after_days
    fresh = latest is not None and (as_of - latest.date).days <= rules.stale_after_days
    if dropped:
        status = Status.DROPPED
    elif as_of < start:
        status = Status.UPCOMING
    elif latest is None:
        status = Status.NO_CHECKIN
    elif fresh and latest.status is not None:
        status = _REPORTED[latest.status]
    elif key_result.kind is KeyResultKind.GUARDRAIL:
        status = guardrail_status(key_result, latest.value)
    else:
        assert progress is not None
        status = status_for(progress, expected, rules)
    return KeyResultProgress(
        ref=ref,
        key_result=key_result,
        checkins=checkins,
        current=current,
        progress=progress,
        counted=counted,
        expected=expected,
        status=status,
        stale=stale,
        confidence=next((c.confidence for c in reversed(checkins) if c.confidence is not None), None),
        forecast=forecast(key_result, checkins, start, end) if is_open and not dropped else None,
        score=_final_score(key_result, end, as_of),
    )


def _final_score(key_result: KeyResult, end: dt.date, as_of: dt.date) -> float | None:
    if as_of <= end or key_result.dropped is not None or key_result.kind is KeyResultKind.GUARDRAIL:
        return None
    if key_result.score is not None:
        return key_result.score
    at_end = checkins_until(key_result, end)
    value = at_end[-1].value if at_end else (key_result.start or 0.0)
    progress = value_progress(key_result, value)
    return None if progress is None else clamp(progress)


def _weighted_mean(items: list[tuple[float, float]]) -> float | None:
    """Mean of ``(value, weight)`` pairs; ``None`` for no pairs."""
    total = sum(weight for _, weight in items)
    return sum(value * weight for value, weight in items) / total if total else None


def evaluate(company: Company, as_of: dt.date, before: Evaluation | None = None) -> Evaluation:
    """Every objective's numbers on ``as_of``, supporters before the objectives they roll up into.

    ``before`` is an evaluation of an earlier version of the company (``mkdocs serve`` evaluates again
    after every edit). An objective that is equal to its earlier self, on the same day under the same
    rules, with the same supporters whose numbers were themselves kept, keeps its earlier numbers: the
    very same object, so that what an edit changed is found by identity. So does one evaluated again
    to the same numbers."""
    graph = build_graph(company)
    rules = (company.fiscal_year_start, company.status_rules, company.grading)
    earlier = before.objectives if before is not None and before.as_of == as_of and before.rules == rules else {}
    done: dict[Reference, ObjectiveProgress] = {}
    for ref in supporters_first(company, graph):
        objective = company.objective(ref)
        assert objective is not None
        kept = earlier.get(ref)
        if kept is None or not _unchanged(kept, objective, graph, done, earlier):
            fresh = _evaluate_objective(objective, graph, done, as_of, company)
            kept = kept if fresh == kept else fresh  # a supporter changed, but not this one's numbers
        done[ref] = kept
    ordered = {o.ref: done[o.ref] for o in company.objectives()}
    return Evaluation(as_of, MappingProxyType(ordered), graph, rules)


def _unchanged(kept: ObjectiveProgress, objective: Objective, graph: AlignmentGraph,
               done: Mapping[Reference, ObjectiveProgress], earlier: Mapping[Reference, ObjectiveProgress]) -> bool:
    supporters = graph.direct_supporters(objective.ref)
    return (kept.objective == objective and kept.supporters == supporters
            and all(done[s] is earlier.get(s) for s in supporters)
            and all(kr.supporters == graph.supporters_of.get(kr.ref, ()) for kr in kept.key_results))


def _evaluate_objective(objective: Objective, graph: AlignmentGraph, done: Mapping[Reference, ObjectiveProgress],
                        as_of: dt.date, company: Company) -> ObjectiveProgress:
    ref, period, fiscal_year_start = objective.ref, objective.period, company.fiscal_year_start
    key_results = tuple(
        dataclasses.replace(evaluate_key_result(kr, kr_ref, period, as_of, fiscal_year_start, company.status_rules),
                            supporters=graph.supporters_of.get(kr_ref, ()))
        for kr in objective.key_results
        for kr_ref in (Reference(ref.team, ref.period, ref.objective, kr.id),))
    supporters = graph.direct_supporters(ref)
    children = [done[s] for s in supporters if done[s].status is not Status.UPCOMING]
    own = objective.progress_from is not ProgressSource.ALIGNED
    aligned = objective.progress_from is not ProgressSource.KEY_RESULTS
    progress_items = [(kr.counted, kr.key_result.weight) for kr in key_results if own and kr.counted is not None]
    progress_items += [(c.progress, 1.0) for c in children if aligned and c.progress is not None]
    statuses = [kr.status for kr in key_results if own] + [c.status for c in children if aligned]
    upcoming = as_of < period.start(fiscal_year_start)
    score = _objective_score(objective, key_results, children, own, aligned, as_of, company)
    return ObjectiveProgress(
        objective=objective,
        key_results=key_results,
        supporters=supporters,
        progress=_weighted_mean(progress_items),
        expected=period.elapsed_share(as_of, fiscal_year_start),
        status=Status.UPCOMING if upcoming else weakest(statuses) or Status.NO_CHECKIN,
        score=score,
        grade=None if score is None else grade(score, objective.type, company.grading),
    )


def _objective_score(objective: Objective, key_results: tuple[KeyResultProgress, ...],
                     children: list[ObjectiveProgress], own: bool, aligned: bool, as_of: dt.date,
                     company: Company) -> float | None:
    """Once the period is over: the ``score:`` given by hand, else the same roll-up over final scores."""
    if as_of <= objective.period.end(company.fiscal_year_start):
        return None
    if objective.score is not None:
        return objective.score
    items = [(kr.score, kr.key_result.weight) for kr in key_results if kr.score is not None] if own else []
    if aligned:
        items += [(c.score if c.score is not None else c.progress or 0.0, 1.0) for c in children
                  if c.score is not None or c.progress is not None]
    return _weighted_mean(items)
