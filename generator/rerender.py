"""Stage 3 for ``mkdocs serve``: render again only the pages an edit can have changed.

A build remembers each page's Markdown and what it read (``generator.reads``: teams' own fields,
their objectives in a period, what people own). The next build in the same process compares its
company and numbers with the remembered ones (``evaluate`` keeps the very objects of what an edit
did not touch, so this is mostly a comparison of identities). A page that read nothing that changed
keeps its Markdown, and ``okrs.json`` encodes again only the objectives whose numbers changed. A
change to what every page may show (the company's settings, its people, the list of teams or
periods, the day, the templates) renders every page again.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from generator.export import EncodedObjectives, json_pieces
from generator.model import Company, Reference, Team
from generator.pages import PlannedPage
from generator.progress import Evaluation, ObjectiveProgress
from generator.reads import ANYTHING, COMPANY_SETTINGS, Reads, objectives_key, owner_key, team_key


@dataclass(frozen=True, slots=True)
class Remembered:
    """One build's pages, with what each read, and what they were made from."""

    company: Company
    evaluation: Evaluation
    setting: Hashable
    """Everything else the pages depend on: options, the templates' state."""
    pages: Mapping[str, tuple[str, frozenset[str]]]
    """Markdown and reads, by page path."""
    encoded: EncodedObjectives
    """Each objective's JSON in ``okrs.json``."""


def what_changed(before: Remembered, company: Company, evaluation: Evaluation,
                 setting: Hashable) -> frozenset[str] | None:
    """The keys (``generator.reads``) of what differs from the remembered build; ``None`` when every page
    may have changed."""
    old = before.company
    if (before.setting != setting or before.evaluation.as_of != evaluation.as_of
            or any(getattr(old, name) != getattr(company, name) for name in sorted(COMPANY_SETTINGS))
            or [t.id for t in old.teams] != [t.id for t in company.teams]
            or old.period_names() != company.period_names()):
        return None
    changed: set[str] = set()
    for was, new in zip(old.teams, company.teams, strict=True):
        if was is not new:
            changed.update(_team_changes(was, new))
    earlier = before.evaluation.objectives
    for ref, progress in evaluation.objectives.items():
        kept = earlier.get(ref)
        if kept is not progress:  # evaluate kept every unchanged objective's very numbers
            changed.update(_objective_changes(ref, progress, kept))
    for ref in earlier.keys() - evaluation.objectives.keys():
        changed.update(_objective_changes(ref, earlier[ref]))
    return frozenset(changed)


def _team_changes(was: Team, new: Team) -> Iterable[str]:
    if _own_fields(was) != _own_fields(new):
        yield team_key(new.id)
    old_periods, new_periods = {p.name: p for p in was.periods}, {p.name: p for p in new.periods}
    for name in old_periods.keys() | new_periods.keys():
        before, after = old_periods.get(name), new_periods.get(name)
        if before != after:
            yield objectives_key(new.id, name)
            yield objectives_key(new.id, None)
            # a person's page lists what they own in file order: a reorder changes it, numbers or not
            yield from (owner_key(owner) for period in (before, after) if period is not None
                        for objective in period.objectives for owner in objective.owners())


def _own_fields(team: Team) -> tuple[object, ...]:
    """Everything of a team but its objectives: what ``team_key`` stands for."""
    return (team.name, team.description, team.lead, team.members, team.links, team.parent, team.children,
            team.depth, team.folder, tuple(p.name for p in team.periods))


def _objective_changes(ref: Reference, *versions: ObjectiveProgress | None) -> Iterable[str]:
    yield objectives_key(ref.team, ref.period)
    yield objectives_key(ref.team, None)
    for objective in versions:
        if objective is not None:
            yield from (owner_key(owner) for owner in objective.objective.owners())


class Rerendering:
    """The planned pages, each either kept from the remembered build or rendered (its reads noted);
    ``remembered()`` is this build, for the next one, once its pages have been read."""

    def __init__(self, planned: Sequence[PlannedPage], reads: Reads, before: Remembered | None,
                 company: Company, evaluation: Evaluation, setting: Hashable) -> None:
        self._reads = reads
        self._company, self._evaluation, self._setting = company, evaluation, setting
        changed = what_changed(before, company, evaluation, setting) if before is not None else None
        self._kept: dict[str, tuple[str, frozenset[str]]] = {}
        if before is not None and changed is not None:
            self._kept = {page.path: before.pages[page.path] for page in planned
                          if page.path in before.pages and _keeps(before.pages[page.path][1], changed)}
        self._markdown: dict[str, str] = {}
        self._encoded = EncodedObjectives(before.encoded if before is not None else None)
        self.pages = tuple(PlannedPage(page.path, page.source, functools.partial(self._rendered, page))
                           for page in planned)

    @property
    def kept(self) -> int:
        """How many pages keep their remembered Markdown."""
        return len(self._kept)

    def _rendered(self, page: PlannedPage) -> str:
        kept = self._kept.get(page.path)
        if kept is not None:
            self._reads.by_page[page.path] = kept[1]
            markdown = kept[0]
        else:
            markdown = page.render()  # notes its reads
        self._markdown[page.path] = markdown
        return markdown

    def exported(self) -> Iterator[bytes]:
        """``okrs.json`` in pieces, encoding again only the objectives whose numbers changed."""
        return json_pieces(self._company, self._evaluation, self._encoded)

    def remembered(self) -> Remembered:
        """This build's pages (those rendered so far) and what they were made from."""
        pages = {path: (text, self._reads.by_page[path]) for path, text in self._markdown.items()}
        return Remembered(self._company, self._evaluation, self._setting, pages, self._encoded)


def _keeps(reads: frozenset[str], changed: frozenset[str]) -> bool:
    return not changed or (ANYTHING not in reads and reads.isdisjoint(changed))
