"""What a page read while it was rendered: the teams whose data it used.

``mkdocs serve`` builds again after every edit. Rendering every page again to learn which ones
changed costs most of a rebuild on a large company, yet an edit to one team's file changes a few
dozen pages. A page can only reach another team's data by asking the company or the evaluation for
it (model objects name other teams by id, never hold them), so the page builders and templates are
handed recording views of both: each lookup notes the team it answered for. A page that read the
whole company (an index, the updates) notes ``ANYTHING``. Settings that every page may print (the
company's name, the day, the people) are not noted: when they change, every page is rendered again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.model import Company, Objective, Reference, Team
from generator.progress import Evaluation, KeyResultProgress, ObjectiveProgress

ANYTHING = "*"
"""Noted by a page that read the whole company: no team id can be ``*``."""

COMPANY_SETTINGS = frozenset({"id", "name", "fiscal_year_start", "status_rules", "grading", "people", "source"})
"""Company fields not noted; a change to any of them means every page is rendered again."""
EVALUATION_SETTINGS = frozenset({"as_of", "rules"})


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


class RecordingCompany:
    """A company that notes, for the page being rendered, which team each lookup was for."""

    __slots__ = ("_company", "_reads")

    def __init__(self, company: Company, reads: Reads) -> None:
        self._company = company
        self._reads = reads

    def team(self, team_id: str) -> Team:
        self._reads.note(team_id)
        return self._company.team(team_id)

    def has_team(self, team_id: str) -> bool:
        self._reads.note(team_id)
        return self._company.has_team(team_id)

    def objective(self, ref: Reference) -> Objective | None:
        self._reads.note(ref.team)
        return self._company.objective(ref)

    @property
    def root(self) -> Team:
        return self.team(self._company.id)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # a protocol probe (``__html__``, say), not a read
            raise AttributeError(name)
        if name not in COMPANY_SETTINGS:  # every team at once: ``teams``, ``objectives()``, ``period_names()``
            self._reads.note(ANYTHING)
        return getattr(self._company, name)


class RecordingEvaluation:
    """An evaluation that notes, for the page being rendered, whose numbers were looked up."""

    __slots__ = ("_evaluation", "_reads")

    def __init__(self, evaluation: Evaluation, reads: Reads) -> None:
        self._evaluation = evaluation
        self._reads = reads

    def of(self, ref: Reference) -> ObjectiveProgress:
        self._reads.note(ref.team)
        return self._evaluation.of(ref)

    def key_result(self, ref: Reference) -> KeyResultProgress | None:
        self._reads.note(ref.team)
        return self._evaluation.key_result(ref)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in EVALUATION_SETTINGS:  # ``objectives``, ``graph``: the whole company
            self._reads.note(ANYTHING)
        return getattr(self._evaluation, name)
