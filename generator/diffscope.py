"""What of two trees ``okr diff`` needs to read: for commits a few period files apart, those files and
the periods they align to, not the whole company twice.

A diff shows the objectives that differ between the two sides. An objective in a file that did not
change can differ only through what its alignments resolve to, or whether their targets are private:
both depend only on which objective and key result ids, and which private flags, the periods it may
align to hold. So when every changed period file keeps its ids and private flags, the objectives
that differ are all in the changed files, and reading those gives the very diff reading both trees
whole would. With them go the periods their alignments may point to, and theirs in turn up to the
top, so that both sides validate as they would whole. Anything else (a file added, removed or moved,
an id or private flag changed, the company's settings or the people changed) leaves the diff to
read both trees whole.

It is sound only when HEAD has no errors, which the caller knows from a check of the very same
files before. The base side's errors, which make a diff "everything added", are all seen in what is
read here: in a changed file, in what its alignments reach (a cycle through a changed file's
alignment runs only through files they reach), or else in HEAD too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from generator.load import SourceFile, SourceTree, TeamFolder
from generator.model import Company, Period
from generator.periods import PeriodName
from generator.validate import Validation, written_reference

Check = Callable[[SourceTree, bool], Validation]
"""Validates a tree; the flag says whether the cross-file rules (alignment, people) run."""
PeriodAt = tuple[str, PeriodName]
"""A period file by its team folder (relative path) and period."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Changes:
    periods: frozenset[PeriodAt]
    team_files: frozenset[str]
    """Team folders whose team file changed (not the company's, which holds settings every number depends on)."""
    existing: frozenset[PeriodAt]


def narrowed(base: SourceTree, head: SourceTree, check: Check,
             same: Callable[[SourceFile, SourceFile], bool] = lambda old, new: old.read() == new.read(),
             ) -> tuple[SourceTree, SourceTree] | None:
    """``base`` and ``head`` with only the period files their diff must compare (see above); ``None``
    when it must read both whole. ``head`` must have no errors. ``same`` tells whether two files hold
    the same bytes (git knows it of its files without reading them)."""
    changes = _changes(base, head, same)
    if changes is None:
        return None
    alone = [check(_cut(tree, changes.periods, changes.team_files), False).company for tree in (base, head)]
    base_alone, head_alone = alone
    if base_alone is None or head_alone is None:
        return None
    changed = sorted(changes.periods, key=_order)
    before, after = [_period(base_alone, at) for at in changed], [_period(head_alone, at) for at in changed]
    if any(old is None or new is None or _shape(old) != _shape(new) for old, new in zip(before, after, strict=True)):
        return None
    folders = {team.id: team.folder for team in head_alone.teams}
    periods, looked_in = set(changes.periods), [period for period in [*before, *after] if period is not None]
    while added := _targets(looked_in, folders, changes.existing) - periods:  # up the alignments to the top
        periods |= added
        unchanged = check(_cut(head, added, ()), False).company
        if unchanged is None:
            return None
        looked_in = [period for at in added if (period := _period(unchanged, at)) is not None]
    team_files = changes.team_files | {folder for folder, _ in periods}
    return _cut(base, periods, team_files), _cut(head, periods, team_files)


def _targets(periods: Iterable[Period], folders: dict[str, str], existing: frozenset[PeriodAt]) -> set[PeriodAt]:
    """The period files the alignments of ``periods`` may point to (``folders``: team ids' folders)."""
    found: set[PeriodAt] = set()
    for period in periods:
        for objective in period.objectives:
            for alignment in objective.aligned_to:
                reference = written_reference(alignment.written, objective.period)
                if reference is not None and reference.team in folders:  # else an error, seen when reading
                    found.update((folders[reference.team], name) for name in reference.periods)
    return found & existing


def _changes(base: SourceTree, head: SourceTree, same: Callable[[SourceFile, SourceFile], bool]) -> _Changes | None:
    """The period and team files whose bytes differ; ``None`` when the trees differ in anything else."""
    if base.root != head.root or base.problems or head.problems or len(base.folders) != len(head.folders):
        return None
    periods: set[PeriodAt] = set()
    team_files: set[str] = set()
    try:
        if (base.people_file is None) != (head.people_file is None) or (
                base.people_file is not None and head.people_file is not None
                and not same(base.people_file, head.people_file)):
            return None
        for old, new in zip(base.folders, head.folders, strict=True):
            if _layout(old) != _layout(new):
                return None
            if old.team_file is not None and new.team_file is not None and not same(old.team_file, new.team_file):
                if not old.relative_path:
                    return None
                team_files.add(old.relative_path)
            periods.update((old.relative_path, name) for (name, was), (_, now)
                           in zip(old.period_files, new.period_files, strict=True) if not same(was, now))
    except OSError:  # an unreadable file: the whole read reports it
        return None
    existing = frozenset((folder.relative_path, name) for folder in head.folders for name, _ in folder.period_files)
    return _Changes(frozenset(periods), frozenset(team_files), existing)


def _layout(folder: TeamFolder) -> tuple[object, ...]:
    return (folder.relative_path, folder.folder_id, folder.parent, folder.team_file is None,
            [(name, file.path) for name, file in folder.period_files])


def _cut(tree: SourceTree, periods: Iterable[PeriodAt], team_files: Iterable[str]) -> SourceTree:
    """The tree with every team folder (team ids and org order stay), but only the company's team file,
    ``team_files`` and the period files ``periods``."""
    chosen, named = set(periods), {"", *team_files}
    return dataclasses.replace(tree, folders=tuple(
        TeamFolder(folder.relative_path, folder.folder_id, folder.team_file if folder.relative_path in named else None,
                   tuple((name, file) for name, file in folder.period_files if (folder.relative_path, name) in chosen)
                   if folder.period_files else (), folder.parent)
        for folder in tree.folders))


def _order(at: PeriodAt) -> tuple[str, tuple[int, int, int]]:
    return at[0], at[1].sort_key


def _period(company: Company, at: PeriodAt) -> Period | None:
    folder, name = at
    return next((period for team in company.teams if team.folder == folder and team.periods
                 for period in team.periods if period.name == name), None)


def _shape(period: Period) -> tuple[bool, dict[str, tuple[bool, frozenset[str]]]]:
    """What alignments elsewhere may depend on: its ids and private flags."""
    return period.private, {o.id: (o.private, frozenset(kr.id for kr in o.key_results)) for o in period.objectives}
