"""The typed, immutable model of a company's OKRs: what the validator builds and every later stage reads."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from generator.errors import Location
from generator.periods import PeriodName


class ObjectiveType(enum.Enum):
    COMMITTED = "committed"
    ASPIRATIONAL = "aspirational"


class ProgressSource(enum.Enum):
    """Where an objective's progress comes from."""

    KEY_RESULTS = "key_results"
    ALIGNED = "aligned"
    BOTH = "both"


class ReportedStatus(enum.Enum):
    """A status a check-in may state explicitly; the engine computes the others."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    ACHIEVED = "achieved"


class InitiativeStatus(enum.Enum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class KeyResultKind(enum.Enum):
    METRIC = "metric"
    """Moves a number from ``start`` to ``target``, in either direction."""
    GUARDRAIL = "guardrail"
    """Keeps a number above and/or below a threshold."""
    MILESTONE = "milestone"
    """Percent complete, 0 to 100."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A fully resolved address of an objective, or of one of its key results."""

    team: str
    period: PeriodName
    objective: str
    key_result: str | None = None

    @property
    def objective_ref(self) -> Reference:
        return Reference(self.team, self.period, self.objective)

    def __str__(self) -> str:
        text = f"{self.team}/{self.period}/{self.objective}"
        return f"{text}/{self.key_result}" if self.key_result else text


@dataclass(frozen=True, slots=True)
class Alignment:
    """One ``aligned_to`` entry: as written, and what it resolved to."""

    written: str
    target: Reference
    location: Location = field(compare=False)
    restricted: bool = False
    """The target is private and was removed: only "a restricted objective" may be shown, nothing of it."""


class CheckIn(NamedTuple):
    """Immutable like the rest of the model, but a named tuple: a large company holds hundreds of
    thousands of check-ins, and a frozen dataclass took five times as long to make (each field set
    through ``object.__setattr__``), most of what reading a cached company cost."""

    date: dt.date
    value: float
    confidence: float | None
    """0.0-1.0: how sure the owner is that the key result will be met."""
    status: ReportedStatus | None
    """An explicit status that overrides the computed one while the check-in is fresh."""
    note: str
    by: str | None
    # No position: a company holds millions of check-ins and nothing after validation points at one.


@dataclass(frozen=True, slots=True)
class Initiative:
    title: str
    status: InitiativeStatus
    owner: str | None
    link: str | None
    due: dt.date | None
    location: Location = field(compare=False)


@dataclass(frozen=True, slots=True)
class KeyResult:
    id: str
    title: str
    description: str
    owner: str | None
    weight: float
    dropped: str | None
    """Why the key result was abandoned; a dropped key result is shown but left out of every average."""
    kind: KeyResultKind
    start: float | None
    target: float | None
    unit: str
    stay_above: float | None
    stay_below: float | None
    score: float | None
    """A grade given by hand at the period's end, 0.0-1.0."""
    checkins: tuple[CheckIn, ...]
    """In the order written; the engine picks the latest by date."""
    location: Location = field(compare=False)


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    title: str
    description: str
    owner: str | None
    type: ObjectiveType
    tags: tuple[str, ...]
    private: bool
    """True when the objective itself or its whole period file is private."""
    progress_from: ProgressSource
    score: float | None
    aligned_to: tuple[Alignment, ...]
    key_results: tuple[KeyResult, ...]
    initiatives: tuple[Initiative, ...]
    team: str
    period: PeriodName
    location: Location = field(compare=False)

    @property
    def ref(self) -> Reference:
        return Reference(self.team, self.period, self.id)

    def owners(self) -> tuple[str, ...]:
        """Who owns it or one of its key results, each once: whose page lists it."""
        return tuple(dict.fromkeys(owner for owner in (self.owner, *(kr.owner for kr in self.key_results))
                                   if owner is not None))


@dataclass(frozen=True, slots=True)
class Period:
    """One team's OKRs for one period: the contents of one period file."""

    name: PeriodName
    team: str
    private: bool
    objectives: tuple[Objective, ...]
    file: str


@dataclass(frozen=True, slots=True)
class Link:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    description: str
    lead: str | None
    members: tuple[str, ...]
    links: tuple[Link, ...]
    parent: str | None
    """The parent team's id; ``None`` for the company."""
    children: tuple[str, ...]
    depth: int
    folder: str
    """Posix path of the team's folder inside the OKR tree; ``""`` for the company."""
    periods: tuple[Period, ...]
    """Chronological."""
    location: Location = field(compare=False)

    def has_period(self, name: PeriodName) -> bool:
        """Whether the team has a file (and so a page) for this period."""
        return any(period.name == name for period in self.periods)


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    email: str | None
    team: str | None
    location: Location = field(compare=False)


@dataclass(frozen=True, slots=True)
class StatusRules:
    """Thresholds of the progress engine, from the root ``team.yaml``."""

    on_track_gap: float = 0.10
    at_risk_gap: float = 0.25
    stale_after_days: int = 14


@dataclass(frozen=True, slots=True)
class Grading:
    """Score bands that turn a final score into a grade."""

    aspirational_success: float = 0.7
    aspirational_progress: float = 0.4
    committed_success: float = 1.0


@dataclass(frozen=True, slots=True)
class Company:
    id: str
    name: str
    fiscal_year_start: int
    """Month (1-12) in which the fiscal year starts."""
    status_rules: StatusRules
    grading: Grading
    teams: tuple[Team, ...]
    """In org order: the company first, then depth first."""
    people: tuple[Person, ...]
    source: str
    """The input folder as shown to the user."""
    _teams_by_id: Mapping[str, Team] = field(compare=False, repr=False)
    _objectives: Mapping[Reference, Objective] = field(compare=False, repr=False)

    @classmethod
    def create(cls, *, id: str, name: str, fiscal_year_start: int, status_rules: StatusRules,
               grading: Grading, teams: tuple[Team, ...], people: tuple[Person, ...],
               source: str) -> Company:
        objectives = {o.ref: o for t in teams for p in t.periods for o in p.objectives}
        return cls(id, name, fiscal_year_start, status_rules, grading, teams, people, source,
                   MappingProxyType({t.id: t for t in teams}), MappingProxyType(objectives))

    @property
    def root(self) -> Team:
        return self.teams[0]

    def team(self, team_id: str) -> Team:
        return self._teams_by_id[team_id]

    def has_team(self, team_id: str) -> bool:
        return team_id in self._teams_by_id

    def objective(self, ref: Reference) -> Objective | None:
        return self._objectives.get(ref.objective_ref)

    def objectives(self) -> tuple[Objective, ...]:
        """Every objective, in org order then period order."""
        return tuple(o for t in self.teams for p in t.periods for o in p.objectives)

    def period_names(self) -> tuple[PeriodName, ...]:
        names = {p.name for t in self.teams for p in t.periods}
        return tuple(sorted(names, key=lambda name: name.sort_key))


def same_objects(new: Sequence[object], old: Sequence[object]) -> bool:
    """The very same objects in the same order: a pass that copies only what it changes changed nothing."""
    return len(new) == len(old) and all(a is b for a, b in zip(new, old, strict=True))


def subtree(company: Company, team_id: str) -> tuple[str, ...]:
    """The team and every team below it, in org order."""
    found: list[str] = []
    stack = [team_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(company.team(current).children))
    return tuple(found)
