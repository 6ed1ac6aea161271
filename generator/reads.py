"""What a page read while it was rendered: which teams, and which of their objectives.

``mkdocs serve`` builds again after every edit. Rendering every page again to learn which ones
changed costs most of a rebuild on a large company, yet an edit to one team's file changes a few
dozen pages. A page can only reach another team's data by asking the company or the evaluation for
it (model objects name other teams by id, never hold them), so the page builders and templates are
handed recording views of both: each lookup notes what it answered with. A team's own fields
(``team_key``) and its objectives in a period (``objectives_key``) are noted apart, since most pages
that name a team show nothing of its objectives. A page that read the whole company (an index, the
updates) notes ``ANYTHING``. Settings that every page may print (the company's name, the day, the
people) are not noted: when they change, every page is rendered again. Positions in the files are
not followed (no page shows them): a line moved, and nothing else, re-renders nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from generator.model import Company, Objective, Reference, Team
from generator.periods import PeriodName
from generator.progress import Evaluation, KeyResultProgress, ObjectiveProgress

ANYTHING = "*"
"""Noted by a page that read the whole company: no team id can be ``*``."""

COMPANY_SETTINGS = frozenset({"id", "name", "fiscal_year_start", "status_rules", "grading", "people", "source"})
"""Company fields not noted; a change to any of them means every page is rendered again."""
EVALUATION_SETTINGS = frozenset({"as_of", "rules"})
Seen = TypeVar("Seen")


def team_key(team_id: str) -> str:
    """A team's own fields (name, lead, parent, sub-teams, the periods it has files for)."""
    return team_id


def objectives_key(team_id: str, period: PeriodName | None) -> str:
    """A team's objectives and their numbers in a period, or (``None``) in any: ``@`` is in no id."""
    return f"{team_id}@{'*' if period is None else period}"


def owner_key(person: str) -> str:
    """Noted by a page that lists what a person owns: ``@`` cannot start a team id."""
    return f"@{person}"


class Reads:
    """The teams (and owners) each page read, by page path, noted while it was rendered."""

    def __init__(self) -> None:
        self.by_page: dict[str, frozenset[str]] = {}
        self._current: set[str] | None = None

    def note(self, key: str) -> None:
        if self._current is not None:
            self._current.add(key)

    def record(self, path: str, render: Callable[[], str]) -> str:
        """``render()``, noting what it reads under ``path``."""
        outer, self._current = self._current, set()
        try:
            markdown = render()
            self.by_page[path] = frozenset(self._current)
            return markdown
        finally:
            self._current = outer


class _RecordingView(Generic[Seen]):
    """What the views share: any attribute not handled by the view itself is the seen object's, noted
    under ``_noted_for`` (nothing for ``None``)."""

    __slots__ = ("_reads", "_seen")

    def __init__(self, seen: Seen, reads: Reads) -> None:
        self._seen = seen
        self._reads = reads

    def _noted_for(self, name: str) -> str | None:
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # a protocol probe (``__html__``, say), not a read
            raise AttributeError(name)
        key = self._noted_for(name)
        if key is not None:
            self._reads.note(key)
        return getattr(self._seen, name)


class RecordingCompany(_RecordingView[Company]):
    """A company that notes, for the page being rendered, which team each lookup was for."""

    __slots__ = ()

    def team(self, team_id: str) -> Team:
        self._reads.note(team_key(team_id))
        return cast(Team, RecordingTeam(self._seen.team(team_id), self._reads))

    def has_team(self, team_id: str) -> bool:
        self._reads.note(team_key(team_id))
        return self._seen.has_team(team_id)

    def objective(self, ref: Reference) -> Objective | None:
        self._reads.note(objectives_key(ref.team, ref.period))
        return self._seen.objective(ref)

    @property
    def root(self) -> Team:
        return self.team(self._seen.id)

    def _noted_for(self, name: str) -> str | None:
        # every team at once: ``teams``, ``objectives()``, ``period_names()``
        return None if name in COMPANY_SETTINGS else ANYTHING


class RecordingTeam(_RecordingView[Team]):
    """A team whose own fields are read freely (its lookup noted them) and whose periods, which hold
    its objectives, are noted when read."""

    __slots__ = ()

    def _noted_for(self, name: str) -> str | None:
        return objectives_key(self._seen.id, None) if name == "periods" else None


class RecordingEvaluation(_RecordingView[Evaluation]):
    """An evaluation that notes, for the page being rendered, whose numbers were looked up."""

    __slots__ = ()

    def of(self, ref: Reference) -> ObjectiveProgress:
        self._reads.note(objectives_key(ref.team, ref.period))
        return self._seen.of(ref)

    def key_result(self, ref: Reference) -> KeyResultProgress | None:
        self._reads.note(objectives_key(ref.team, ref.period))
        return self._seen.key_result(ref)

    def _noted_for(self, name: str) -> str | None:
        # ``objectives``, ``graph``: the whole company
        return None if name in EVALUATION_SETTINGS else ANYTHING
