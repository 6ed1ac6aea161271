"""What a change to the OKR tree changes, for reviewers: ``okr diff BASE [HEAD]``.

Compares two evaluated companies (both as the public would see them, unless private content is
asked for) and lists, per period and team in org order, the objectives and key results added,
removed and renamed, new check-ins with their effect, alignment and owner changes, and the changes a
reviewer must notice: goalposts moved after the period began, scores set by hand, back-dated
check-ins, private objectives made public.
"""

from __future__ import annotations

import datetime as dt
import enum
import html
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from generator.errors import Problem
from generator.i18n import language
from generator.model import CheckIn, Company, KeyResult, Objective, Reference
from generator.periods import PeriodName
from generator.progress import KeyResultProgress, evaluate_key_result
from generator.render import site_environment


class Kind(enum.Enum):
    OBJECTIVE_ADDED = "objective added"
    OBJECTIVE_REMOVED = "objective removed"
    OBJECTIVE_RENAMED = "objective renamed"
    KEY_RESULT_ADDED = "key result added"
    KEY_RESULT_REMOVED = "key result removed"
    KEY_RESULT_RENAMED = "key result renamed"
    CHECKIN_ADDED = "check-in"
    CHECKIN_REMOVED = "check-in removed"
    ALIGNMENT_ADDED = "alignment added"
    ALIGNMENT_REMOVED = "alignment removed"
    OWNER_CHANGED = "owner changed"
    TARGET_MOVED = "target moved"
    START_MOVED = "start moved"
    SCORE_SET = "score set by hand"
    MADE_PUBLIC = "private objective made public"
    BACKDATED = "back-dated check-in"


FLAGGED = frozenset({Kind.TARGET_MOVED, Kind.START_MOVED, Kind.SCORE_SET, Kind.MADE_PUBLIC, Kind.BACKDATED,
                     Kind.CHECKIN_REMOVED})
"""Changes a reviewer must look at twice."""
HEADLINE_WORDS = {
    Kind.CHECKIN_ADDED: ("check-in", "check-ins"), Kind.OBJECTIVE_ADDED: ("new objective", "new objectives"),
    Kind.OBJECTIVE_REMOVED: ("objective removed", "objectives removed"),
    Kind.OBJECTIVE_RENAMED: ("objective renamed", "objectives renamed"),
    Kind.KEY_RESULT_ADDED: ("new key result", "new key results"),
    Kind.KEY_RESULT_REMOVED: ("key result removed", "key results removed"),
    Kind.KEY_RESULT_RENAMED: ("key result renamed", "key results renamed"),
    Kind.CHECKIN_REMOVED: ("check-in removed", "check-ins removed"),
    Kind.ALIGNMENT_ADDED: ("alignment added", "alignments added"),
    Kind.ALIGNMENT_REMOVED: ("alignment removed", "alignments removed"),
    Kind.OWNER_CHANGED: ("owner changed", "owners changed"), Kind.TARGET_MOVED: ("target moved", "targets moved"),
    Kind.START_MOVED: ("start moved", "starts moved"), Kind.SCORE_SET: ("score set by hand", "scores set by hand"),
    Kind.MADE_PUBLIC: ("private objective made public", "private objectives made public"),
    Kind.BACKDATED: ("back-dated check-in", "back-dated check-ins"),
}


@dataclass(frozen=True, slots=True)
class Change:
    kind: Kind
    team: str
    team_name: str
    period: str
    objective: str
    """The objective's title (in HEAD when it exists there)."""
    ref: str
    key_result: str | None = None
    """The key result's title, for changes to one."""
    before: str | None = None
    after: str | None = None
    checkin: CheckIn | None = None
    progress_before: float | None = None
    progress_after: float | None = None
    status_before: str | None = None
    status_after: str | None = None

    @property
    def flagged(self) -> bool:
        return self.kind in FLAGGED


@dataclass(frozen=True, slots=True)
class Diff:
    base: str
    head: str
    as_of: dt.date
    changes: tuple[Change, ...]
    head_problems: tuple[Problem, ...] = ()
    """Errors in HEAD: when there are any, there is no diff, only them."""
    base_problems: tuple[Problem, ...] = ()
    groups: tuple[tuple[str, str, tuple[Change, ...]], ...] = field(default=())
    """(period, team name, changes) in period then org order."""

    @property
    def headline(self) -> str:
        counts = Counter(change.kind for change in self.changes)
        parts = [f"{count} {HEADLINE_WORDS[kind][count != 1]}" for kind, count in
                 sorted(counts.items(), key=lambda item: list(HEADLINE_WORDS).index(item[0]))]
        return ", ".join(parts)


def compare(base: Company | None, head: Company, *, as_of: dt.date, base_raw: Company | None = None,
            base_name: str = "base", head_name: str = "head", base_problems: Iterable[Problem] = ()) -> Diff:
    """The changes from ``base`` to ``head``; ``base_raw`` (with private content) tells what was private.
    ``base_problems``: the errors that left ``base`` unread (``None``), said with the diff, since against
    an empty base every objective is new."""
    base_objectives = {o.ref: o for o in base.objectives()} if base is not None else {}
    was_private = {o.ref for o in base_raw.objectives() if o.private} if base_raw is not None else set()
    changes: list[Change] = []
    for objective in head.objectives():
        old = base_objectives.pop(objective.ref, None)
        if old == objective:  # most of a tree; cheap, as the two sides share the objects of unchanged files
            continue
        context = _Context(head, objective, as_of, base)
        if old is None:
            kind = Kind.MADE_PUBLIC if objective.ref in was_private else Kind.OBJECTIVE_ADDED
            changes.append(context.change(kind, after=objective.title))
            changes += [context.change(Kind.CHECKIN_ADDED, kr, checkin=c, **context.effect(kr, c))
                        for kr in objective.key_results for c in kr.checkins]
            continue
        changes += _objective_changes(old, objective, context)
    for old in base_objectives.values():  # removed, in base's org order
        assert base is not None
        changes.append(_Context(base, old, as_of, None).change(Kind.OBJECTIVE_REMOVED, before=old.title))
    groups = _groups(changes, head, base)
    ordered = tuple(change for _, _, group in groups for change in group)
    return Diff(base_name, head_name, as_of, ordered, base_problems=tuple(base_problems), groups=groups)


@dataclass(slots=True)
class _Context:
    company: Company
    objective: Objective
    as_of: dt.date
    base: Company | None
    """The company before, for the numbers of a key result before a check-in."""

    def change(self, kind: Kind, key_result: KeyResult | None = None, **values: Any) -> Change:
        team = self.company.team(self.objective.team)
        return Change(kind, team.id, team.name, str(self.objective.period), self.objective.title,
                      str(self.objective.ref), key_result.title if key_result else None, **values)

    def effect(self, key_result: KeyResult, checkin: CheckIn) -> dict[str, Any]:
        """A key result's numbers before and after: only the key results a diff shows are evaluated
        (a key result's numbers depend on nothing else), not the whole company twice."""
        after = self._evaluated(self.company, key_result)
        old_objective = None if self.base is None else self.base.objective(self.objective.ref)
        old = None if old_objective is None else next(
            (kr for kr in old_objective.key_results if kr.id == key_result.id), None)
        before = None if old is None or self.base is None else self._evaluated(self.base, old)
        return {"progress_before": before.progress if before else None,
                "progress_after": after.progress if after else None,
                "status_before": before.status.value if before else None,
                "status_after": after.status.value if after else None}

    def _evaluated(self, company: Company, key_result: KeyResult) -> KeyResultProgress:
        ref = Reference(self.objective.team, self.objective.period, self.objective.id, key_result.id)
        return evaluate_key_result(key_result, ref, self.objective.period, self.as_of, company.fiscal_year_start,
                                   company.status_rules)


def _objective_changes(old: Objective, new: Objective, context: _Context) -> list[Change]:
    changes: list[Change] = []
    if old.title != new.title:
        changes.append(context.change(Kind.OBJECTIVE_RENAMED, before=old.title, after=new.title))
    if old.owner != new.owner:
        changes.append(context.change(Kind.OWNER_CHANGED, before=old.owner, after=new.owner))
    if old.score != new.score and new.score is not None:
        changes.append(context.change(Kind.SCORE_SET, before=_number(old.score), after=_number(new.score)))
    old_links = {_alignment_text(a.target, a.restricted) for a in old.aligned_to}
    new_links = {_alignment_text(a.target, a.restricted) for a in new.aligned_to}
    changes += [context.change(Kind.ALIGNMENT_ADDED, after=link) for link in sorted(new_links - old_links)]
    changes += [context.change(Kind.ALIGNMENT_REMOVED, before=link) for link in sorted(old_links - new_links)]
    old_krs = {kr.id: kr for kr in old.key_results}
    started = new.period.start(context.company.fiscal_year_start) <= context.as_of
    for kr in new.key_results:
        before = old_krs.pop(kr.id, None)
        if before is None:
            changes.append(context.change(Kind.KEY_RESULT_ADDED, kr, after=kr.title))
            changes += [context.change(Kind.CHECKIN_ADDED, kr, checkin=c, **context.effect(kr, c))
                        for c in kr.checkins]
            continue
        changes += _key_result_changes(before, kr, context, started)
    changes += [context.change(Kind.KEY_RESULT_REMOVED, kr, before=kr.title) for kr in old_krs.values()]
    return changes


def _key_result_changes(old: KeyResult, new: KeyResult, context: _Context, started: bool) -> list[Change]:
    changes: list[Change] = []
    if old.title != new.title:
        changes.append(context.change(Kind.KEY_RESULT_RENAMED, new, before=old.title, after=new.title))
    if old.owner != new.owner:
        changes.append(context.change(Kind.OWNER_CHANGED, new, before=old.owner, after=new.owner))
    for kind, before, after in ((Kind.TARGET_MOVED, old.target, new.target), (Kind.START_MOVED, old.start, new.start),
                                (Kind.TARGET_MOVED, old.stay_above, new.stay_above),
                                (Kind.TARGET_MOVED, old.stay_below, new.stay_below)):
        if before != after and started:
            changes.append(context.change(kind, new, before=_number(before), after=_number(after)))
    if old.score != new.score and new.score is not None:
        changes.append(context.change(Kind.SCORE_SET, new, before=_number(old.score), after=_number(new.score)))
    remaining = Counter(_checkin_key(c) for c in old.checkins)
    latest = max((c.date for c in old.checkins), default=None)
    for checkin in new.checkins:
        key = _checkin_key(checkin)
        if remaining[key]:
            remaining[key] -= 1
            continue
        changes.append(context.change(Kind.CHECKIN_ADDED, new, checkin=checkin, **context.effect(new, checkin)))
        if latest is not None and checkin.date < latest:
            changes.append(context.change(Kind.BACKDATED, new, checkin=checkin, before=latest.isoformat(),
                                          after=checkin.date.isoformat()))
    for checkin in old.checkins:  # what is left unmatched was removed (or edited, which removes and adds)
        key = _checkin_key(checkin)
        if remaining[key] > 0:
            remaining[key] -= 1
            changes.append(context.change(Kind.CHECKIN_REMOVED, new, checkin=checkin))
    return changes


def _checkin_key(checkin: CheckIn) -> tuple[Any, ...]:
    return (checkin.date, checkin.value, checkin.confidence, checkin.status, checkin.note, checkin.by)


def _alignment_text(target: Reference, restricted: bool) -> str:
    return "a restricted objective" if restricted else str(target)


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


def _groups(changes: list[Change], head: Company, base: Company | None) -> tuple[
        tuple[str, str, tuple[Change, ...]], ...]:
    order = {team.id: index for index, team in enumerate(head.teams)}
    if base is not None:
        for old_team in base.teams:
            order.setdefault(old_team.id, len(order))

    def period_key(name: str) -> tuple[int, int, int]:
        parsed = PeriodName.parse(name)
        return parsed.sort_key if parsed else (0, 0, 0)

    keys = sorted({(c.period, c.team) for c in changes}, key=lambda k: (period_key(k[0]), order.get(k[1], 0)))
    grouped = []
    for period, team in keys:
        members = tuple(c for c in changes if c.period == period and c.team == team)
        grouped.append((period, members[0].team_name, members))
    return tuple(grouped)


def as_json(diff: Diff) -> dict[str, Any]:
    return {
        "base": diff.base, "head": diff.head, "as_of": diff.as_of.isoformat(), "headline": diff.headline,
        "errors": [_problem_json(p) for p in diff.head_problems],
        "base_errors": [_problem_json(p) for p in diff.base_problems],
        "changes": [_change_json(c) for c in diff.changes],
    }


def _problem_json(problem: Problem) -> dict[str, Any]:
    location = problem.location
    return {"file": location.file, "line": location.line, "column": location.column, "code": problem.code,
            "message": problem.message}


def _change_json(change: Change) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": change.kind.value, "flagged": change.flagged, "team": change.team, "period": change.period,
        "objective": change.objective, "ref": change.ref, "key_result": change.key_result,
        "before": change.before, "after": change.after}
    if change.checkin is not None:
        c = change.checkin
        data["checkin"] = {"date": c.date.isoformat(), "value": c.value, "confidence": c.confidence,
                           "status": c.status.value if c.status else None, "note": c.note, "by": c.by}
        data.update(progress_before=change.progress_before, progress_after=change.progress_after,
                    status_before=change.status_before, status_after=change.status_after)
    return data


def problems_only(base: str, head: str, as_of: dt.date, problems: Iterable[Problem]) -> Diff:
    return Diff(base, head, as_of, (), head_problems=tuple(problems))


def render(diff: Diff, output_format: str) -> str:
    """The diff as a pull-request comment (``markdown``), plain ``text`` or ``json``."""
    if output_format == "json":
        return json.dumps(as_json(diff), ensure_ascii=False, indent=2) + "\n"
    lang = language("en")
    env = site_environment(folder="review")
    env.filters.update(number=lang.number, percent=lang.percent, label=lambda value: lang(value))
    markdown = env.get_template("diff.md.j2").render(diff=diff)
    return markdown if output_format == "markdown" else _plain(markdown)


def _plain(markdown: str) -> str:
    """The Markdown comment read as text: markup and escapes removed, entities decoded."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("<!--"):
            continue
        line = re.sub(r"^#+ ", "", line)
        line = re.sub(r"</?sub>", "", line)
        line = line.replace("**", "").replace("> ", "", 1) if line.startswith("> ") else line.replace("**", "")
        line = re.sub(r"(?<!\\)\*", "", line)
        line = re.sub(r"\\(.)", r"\1", line)
        lines.append(html.unescape(line))
    return "\n".join(lines).strip() + "\n"
