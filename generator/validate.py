"""Stage 2: turn the parsed files into the model, checking every rule of the format.

Per-file rules first (keys, types, ids, key-result kinds), then cross-file ones (unique team ids,
people, alignment references and cycles). Every problem is collected; none stops the others.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import gc
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from generator import schema
from generator.errors import Location, Problem, error, sorted_problems, warning
from generator.fields import TextItem, Values, bad_id_message, read, shared_number
from generator.load import (
    ID_PATTERN,
    Document,
    SourceFile,
    SourceTree,
    TeamFolder,
    YamlMapping,
    display_path,
    printable,
)
from generator.model import (
    Alignment,
    CheckIn,
    Company,
    Grading,
    Initiative,
    InitiativeStatus,
    KeyResult,
    KeyResultKind,
    Link,
    Objective,
    ObjectiveType,
    Period,
    Person,
    ProgressSource,
    Reference,
    ReportedStatus,
    StatusRules,
    Team,
    same_objects,
)
from generator.periods import PeriodKind, PeriodName

MAX_KEY_RESULTS = 5
RESERVED_IDS = frozenset({
    "alignment", "assets", "index", "javascripts", "okrs", "people", "risks", "search", "sitemap",
    "stylesheets", "teams", "updates",
})
"""Names the site uses for its own pages and folders; a team with such an id would collide with them."""


@dataclass(frozen=True, slots=True)
class Validation:
    """The outcome of a check: the model when there are no errors, and every problem found."""

    company: Company | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity.value == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity.value == "warning")


Progress = Callable[[str], None]
"""Told the path of every file as it is parsed: the command line draws a progress bar with it."""


def no_progress(path: str) -> None:
    pass


@dataclass(slots=True)
class _Context:
    problems: list[Problem] = field(default_factory=list)
    progress: Progress = no_progress
    fiscal_year_start: int = 1
    parse: Callable[[SourceFile], Document] = SourceFile.parse
    reuse: Reuse | None = None
    content_key: Callable[[SourceFile], str | None] | None = None
    person_mentions: list[TextItem] = field(default_factory=list)
    cross_file: bool = True

    def person(self, values: Values, name: str) -> str | None:
        text = values.text(name)
        if text is not None:
            text = sys.intern(text.strip())  # one object per person, not one per check-in
            self.person_mentions.append(TextItem(text, values.where(name)))
        return text or None


def validate(tree: SourceTree, progress: Progress = no_progress,
             parse: Callable[[SourceFile], Document] = SourceFile.parse, reuse: Reuse | None = None,
             content_key: Callable[[SourceFile], str | None] | None = None, cross_file: bool = True) -> Validation:
    """Check the whole tree, parsing one file at a time (with ``parse``, in the order of ``tree.files()``);
    the model is returned only when no error was found. Period files in ``reuse``, found by ``content_key``,
    are not validated again. Without ``cross_file``, each file is checked on its own: alignments are left
    unresolved (``UNRESOLVED``) and mentions of people unchecked."""
    context = _Context(problems=list(tree.problems), progress=progress, parse=parse, reuse=reuse,
                       content_key=content_key, cross_file=cross_file)
    try:
        with _collector_paused():
            company = _build(tree, context)
    finally:
        if reuse is not None:
            reuse.finish_tree()
    problems = tuple(sorted_problems(context.problems))
    has_errors = any(p.severity.value == "error" for p in problems)
    return Validation(None if has_errors else company, problems)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading a large tree makes millions of objects and no reference cycles: the cyclic garbage
    collector, which scans all of them again and again as they pile up, doubled the time of a check
    of 1,000 teams. Objects are still freed by reference counting; it runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parsed(file: SourceFile, context: _Context) -> Document:
    context.progress(file.path)
    document = context.parse(file)
    context.problems.extend(document.problems)
    return document


def _build(tree: SourceTree, context: _Context) -> Company | None:
    if not tree.folders:
        return None
    root_folder = tree.folders[0]
    root_values = _read_team_file(root_folder, context, at_root=True)
    company_id = (root_values.text("id") if root_values else None) or "company"
    if root_values is not None:
        fiscal_year_start = root_values.integer("fiscal_year_start")
        context.fiscal_year_start = fiscal_year_start or 1
    team_ids = _team_ids(tree, company_id, context)
    people = _people(None if tree.people_file is None else _parsed(tree.people_file, context), context)
    children: dict[str, list[str]] = {}
    for relative_path, team_id in team_ids.items():
        if relative_path:
            children.setdefault(relative_path.rpartition("/")[0], []).append(team_id)
    teams: list[Team] = []
    for folder in tree.folders:
        values = root_values if folder is root_folder else _read_team_file(folder, context, at_root=False)
        teams.append(_team(folder, team_ids, tuple(children.get(folder.relative_path, ())), values, context))
    if context.cross_file:
        teams = _resolve_alignment(teams, context)
        _check_people(people, {t.id for t in teams}, context)
    status_rules, grading = _settings(root_values, context)
    return Company.create(
        id=company_id,
        name=(root_values.text("name") if root_values else None) or company_id,
        fiscal_year_start=context.fiscal_year_start,
        status_rules=status_rules,
        grading=grading,
        teams=tuple(teams),
        people=people,
        source=tree.root,
    )


def _read_team_file(folder: TeamFolder, context: _Context, *, at_root: bool) -> Values | None:
    if folder.team_file is None:
        return None
    document = _parsed(folder.team_file, context)
    if document.root is None:
        if document is not None and not document.problems:
            context.problems.append(error(Location(document.path), "missing-key",
                                          "team file is empty: add at least 'name:'"))
        return None
    return read(document.root, schema.TEAM_FILE, context.problems, at_root=at_root)


def _team_ids(tree: SourceTree, company_id: str, context: _Context) -> dict[str, str]:
    """Team id of every folder (by relative path); reports bad, reserved and duplicate ids."""
    ids: dict[str, str] = {}
    seen: dict[str, str] = {}
    for folder in tree.folders:
        team_id = company_id if folder.parent is None else folder.folder_id
        where = Location(display_path(tree.root, folder.relative_path))
        if folder.parent is not None and (not ID_PATTERN.match(team_id) or len(team_id) > schema.MAX_ID):
            context.problems.append(error(where, "bad-id", bad_id_message(printable(team_id), "team folder")))
        elif team_id in RESERVED_IDS:
            context.problems.append(error(where, "reserved-id",
                                          f"'{team_id}' is a name the site uses for its own pages: rename the folder"))
        elif team_id in seen:
            context.problems.append(error(where, "duplicate-id",
                                          f"team id '{team_id}' is already used by '{seen[team_id]}': "
                                          "team ids are unique across the whole tree, rename one folder"))
        seen.setdefault(team_id, display_path(tree.root, folder.relative_path) or tree.root)
        ids[folder.relative_path] = team_id
    return ids


def _team(folder: TeamFolder, team_ids: dict[str, str], children: tuple[str, ...], values: Values | None,
          context: _Context) -> Team:
    team_id = team_ids[folder.relative_path]
    periods = tuple(period for name, file in folder.period_files
                    if (period := _period_once(team_id, name, file, context)) is not None)
    if values is None:  # already reported; the team still exists, so references to it do not cascade
        values = Values(Location(folder.team_file.path if folder.team_file else folder.relative_path))
    links = tuple(Link(name.text, url.text) for name, url in values.links("links"))
    members = tuple(_mention(item, context) for item in values.items("members"))
    return Team(
        id=team_id,
        name=values.text("name") or team_id,
        description=values.text("description") or "",
        lead=context.person(values, "lead"),
        members=members,
        links=links,
        parent=None if folder.parent is None else team_ids[folder.parent],
        children=children,
        depth=0 if not folder.relative_path else folder.relative_path.count("/") + 1,
        folder=folder.relative_path,
        periods=periods,
        location=values.location,
    )


def _mention(item: TextItem, context: _Context) -> str:
    context.person_mentions.append(item)
    return item.text


class PeriodKey(NamedTuple):
    """Everything the validation of one period file depends on."""

    content: str
    """The content key of the file's bytes."""
    path: str
    team: str
    period: PeriodName
    fiscal_year_start: int


class Validated(NamedTuple):
    """What validating one period file adds to a check: the period (``None`` when it could not be
    read), its problems, and its mentions of people (checked against people.yaml with all the others)."""

    period: Period | None
    problems: tuple[Problem, ...]
    mentions: tuple[TextItem, ...]


class Resolution(NamedTuple):
    """A period whose alignments all resolved, and what resolving them read: the periods (by team and
    name; ``None`` for none) looked in. The same period in a tree with the very same periods there
    resolves the same."""

    period: Period
    consulted: tuple[tuple[tuple[str, PeriodName], Period | None], ...]
    resolved: Period


class Reuse:
    """Period files validated before, by ``PeriodKey``: another tree that shares most of its files (the
    two sides of ``okr diff``, the next rebuild of ``mkdocs serve``) validates only the others. Kept in
    memory; ``stored`` and ``store`` are where a subclass keeps them longer. Only the files of the
    latest tree are kept, so a long-running server does not pile up every version of every file."""

    def __init__(self) -> None:
        self._validated: dict[PeriodKey, Validated] = {}
        self._used: dict[PeriodKey, Validated] = {}
        self._resolved: dict[int, Resolution] = {}
        self._resolving: dict[int, Resolution] = {}

    def find(self, key: PeriodKey) -> Validated | None:
        found = self._validated.get(key) or self._used.get(key) or self.stored(key)
        if found is not None:
            self._used[key] = found
        return found

    def add(self, key: PeriodKey, validated: Validated) -> None:
        self._used[key] = validated
        self.store(key, validated)

    def finish_tree(self) -> None:
        """Called after each tree: keeps what it used, for the next one."""
        self._validated, self._used = self._used, {}
        self._resolved, self._resolving = self._resolving, {}

    def resolution(self, period: Period) -> Resolution | None:
        """How this very period's alignments were resolved before (in this tree or the one before)."""
        found = self._resolving.get(id(period)) or self._resolved.get(id(period))
        return found if found is not None and found.period is period else None

    def keep_resolution(self, resolution: Resolution) -> None:
        self._resolving[id(resolution.period)] = resolution

    def stored(self, key: PeriodKey) -> Validated | None:
        return None

    def store(self, key: PeriodKey, validated: Validated) -> None:
        pass


def _period_once(team_id: str, name: PeriodName, file: SourceFile, context: _Context) -> Period | None:
    reuse = context.reuse
    content = None if reuse is None or context.content_key is None else context.content_key(file)
    if reuse is None or content is None:
        return _period(team_id, name, _parsed(file, context), context)
    key = PeriodKey(content, file.path, team_id, name, context.fiscal_year_start)
    seen = reuse.find(key)
    if seen is not None:
        period, problems, mentions = seen
        context.progress(file.path)
        context.problems.extend(problems)
        context.person_mentions.extend(mentions)
        return period
    problems_before, mentions_before = len(context.problems), len(context.person_mentions)
    period = _period(team_id, name, _parsed(file, context), context)
    reuse.add(key, Validated(period, tuple(context.problems[problems_before:]),
                             tuple(context.person_mentions[mentions_before:])))
    return period


def _period(team_id: str, name: PeriodName, document: Document, context: _Context) -> Period | None:
    if document.root is None:
        if not document.problems:
            context.problems.append(error(Location(document.path), "missing-key",
                                          "period file is empty: add 'objectives:' with at least one objective"))
        return None
    values = read(document.root, schema.PERIOD_FILE, context.problems)
    if values is None:
        return None
    private = values.boolean("private") or False
    bounds = _Bounds(name, name.start(context.fiscal_year_start), name.end(context.fiscal_year_start))
    objectives = _unique((_objective(m, team_id, bounds, private, context) for m in values.mappings("objectives")),
                         "objective id", "ids are unique within a file", context)
    if values.has("objectives") and not values.mappings("objectives") and not _has_errors_in(document, context):
        context.problems.append(error(values.where("objectives"), "missing-key",
                                      "'objectives' is empty: add at least one objective, or delete the file"))
    return Period(name, team_id, private, tuple(objectives), document.path)


def _has_errors_in(document: Document, context: _Context) -> bool:
    return any(p.location.file == document.path and p.severity.value == "error" for p in context.problems)


def _objective(mapping: YamlMapping, team_id: str, period: _Bounds, file_private: bool,
               context: _Context) -> Objective | None:
    values = read(mapping, schema.OBJECTIVE, context.problems)
    if values is None:
        return None
    objective_id = values.text("id")
    progress_from = ProgressSource(values.text("progress_from") or "key_results")
    key_results = _key_results(values, period, context)
    written_key_results = values.mappings("key_results")
    if not written_key_results and progress_from is not ProgressSource.ALIGNED:
        context.problems.append(error(values.where("key_results"), "missing-key",
                                      "objective has no key results: add 'key_results:' with at least one, "
                                      "or set 'progress_from: aligned' to measure it by the objectives aligned to it"))
    if len(written_key_results) > MAX_KEY_RESULTS:
        context.problems.append(warning(values.where("key_results"), "too-many-key-results",
                                        f"{len(written_key_results)} key results: more than {MAX_KEY_RESULTS} "
                                        "dilutes focus; keep the ones that matter most"))
    alignments = tuple(Alignment(item.text, UNRESOLVED, item.location) for item in values.items("aligned_to"))
    tags = tuple(item.text for item in values.items("tags"))
    initiatives = tuple(i for m in values.mappings("initiatives") if (i := _initiative(m, context)) is not None)
    if objective_id is None or values.text("title") is None:
        return None
    return Objective(
        id=objective_id,
        title=values.text("title") or "",
        description=values.text("description") or "",
        owner=context.person(values, "owner"),
        type=ObjectiveType(values.text("type") or "aspirational"),
        tags=tags,
        private=file_private or bool(values.boolean("private")),
        progress_from=progress_from,
        score=values.number("score"),
        aligned_to=alignments,
        key_results=key_results,
        initiatives=initiatives,
        team=team_id,
        period=period.name,
        location=values.location,
    )


UNRESOLVED = Reference("", PeriodName(1900, PeriodKind.YEAR), "")
"""Placeholder target of an alignment until the cross-file pass resolves it."""


def _key_results(values: Values, period: _Bounds, context: _Context) -> tuple[KeyResult, ...]:
    return tuple(_unique((_key_result(m, position, period, context)
                          for position, m in enumerate(values.mappings("key_results"), start=1)),
                         "key result id", "ids are unique within an objective", context))


_Identified = TypeVar("_Identified", Objective, KeyResult)


def _unique(items: Iterable[_Identified | None], what: str, rule: str, context: _Context) -> list[_Identified]:
    """The items that were read, the second of two with the same id reported and left out."""
    kept: list[_Identified] = []
    seen: dict[str, Location] = {}
    for item in items:
        if item is None:
            continue
        if item.id in seen:
            context.problems.append(error(item.location, "duplicate-id", f"{what} '{item.id}' is already used at "
                                                                         f"line {seen[item.id].line}: {rule}"))
            continue
        seen[item.id] = item.location
        kept.append(item)
    return kept


@dataclass(frozen=True, slots=True)
class _Bounds:
    """A period and its first and last days, computed once per file rather than once per check-in."""

    name: PeriodName
    start: dt.date
    end: dt.date


def _key_result(mapping: YamlMapping, position: int, period: _Bounds, context: _Context) -> KeyResult | None:
    values = read(mapping, schema.KEY_RESULT, context.problems)
    if values is None:
        return None
    kind = _kind(values, context)
    checkins = tuple(c for m in values.mappings("checkins") if (c := _checkin(m, kind, period, context)) is not None)
    title = values.text("title")
    if title is None or kind is None:
        return None
    return KeyResult(
        id=values.text("id") or f"kr{position}",
        title=title,
        description=values.text("description") or "",
        owner=context.person(values, "owner"),
        weight=values.number("weight") or 1.0,
        dropped=values.text("dropped"),
        kind=kind,
        start=values.number("start") if kind is KeyResultKind.METRIC else None,
        target=values.number("target") if kind is KeyResultKind.METRIC else None,
        unit=values.text("unit") or "",
        stay_above=values.number("stay_above") if kind is KeyResultKind.GUARDRAIL else None,
        stay_below=values.number("stay_below") if kind is KeyResultKind.GUARDRAIL else None,
        score=values.number("score"),
        checkins=checkins,
        location=values.location,
    )


def _kind(values: Values, context: _Context) -> KeyResultKind | None:
    """Which kind the key result is; ``None`` when its fields make no valid one (reported)."""
    has_start, has_target = values.is_written("start"), values.is_written("target")
    guardrail_keys = ("stay_above", "stay_below")
    guardrail = any(values.is_written(name) for name in guardrail_keys)
    if has_start or has_target:
        if guardrail:
            context.problems.append(warning(values.location, "mixed-key-result",
                                            "key result has both start/target and stay_above/stay_below: "
                                            "it is read as a metric; remove the fields of the other kind"))
        if not has_target:
            context.problems.append(error(values.location, "missing-key",
                                          "key result has 'start' but no 'target': add the value to reach"))
            return None
        if not has_start:
            context.problems.append(error(values.location, "missing-key",
                                          "key result has 'target' but no 'start': add the value at the "
                                          "start of the period"))
            return None
        start, target = values.number("start"), values.number("target")
        if start is None or target is None:
            return None  # a refused value, already reported
        if start == target:
            context.problems.append(error(values.where("target"), "target-equals-start",
                                          "'target' equals 'start', so no progress can be measured: "
                                          "use stay_above or stay_below for a value to hold"))
            return None
        return KeyResultKind.METRIC
    if guardrail:
        if any(values.is_written(name) and not values.has(name) for name in guardrail_keys):
            return None  # a refused value, already reported
        above, below = values.number("stay_above"), values.number("stay_below")
        if above is not None and below is not None and above > below:
            context.problems.append(error(values.where("stay_below"), "out-of-range",
                                          f"'stay_below' ({below:g}) is lower than 'stay_above' ({above:g}): "
                                          "no value can satisfy both"))
            return None
        return KeyResultKind.GUARDRAIL
    if values.is_written("unit"):
        context.problems.append(warning(values.where("unit"), "mixed-key-result",
                                        "a key result with no start/target or stay_above/stay_below is a "
                                        "milestone measured in percent: 'unit' is ignored"))
    return KeyResultKind.MILESTONE


def _checkin(mapping: YamlMapping, kind: KeyResultKind | None, period: _Bounds, context: _Context) -> CheckIn | None:
    values = read(mapping, schema.CHECKIN, context.problems)
    if values is None:
        return None
    date, value = values.date("date"), values.number("value")
    if kind is KeyResultKind.MILESTONE and value is not None and not 0 <= value <= 100:
        context.problems.append(error(values.where("value"), "out-of-range",
                                      f"a milestone's check-in value is percent complete, 0 to 100, not {value:g}"))
        return None
    if date is not None and not period.start <= date <= period.end:
        context.problems.append(warning(values.where("date"), "checkin-outside-period",
                                        f"check-in dated {date.isoformat()} is outside {period.name} "
                                        f"({period.start.isoformat()} to {period.end.isoformat()})"))
    by = context.person(values, "by")
    if date is None or value is None:
        return None
    status = values.text("status")
    confidence = values.number("confidence")
    return CheckIn(
        date=date,
        value=shared_number(value),
        confidence=None if confidence is None else shared_number(confidence),
        status=ReportedStatus(status) if status else None,
        note=values.text("note") or "",
        by=by,
    )


def _initiative(mapping: YamlMapping, context: _Context) -> Initiative | None:
    values = read(mapping, schema.INITIATIVE, context.problems)
    if values is None or values.text("title") is None:
        return None
    return Initiative(
        title=values.text("title") or "",
        status=InitiativeStatus(values.text("status") or "planned"),
        owner=context.person(values, "owner"),
        link=values.text("link"),
        due=values.date("due"),
        location=values.location,
    )


def _people(document: Document | None, context: _Context) -> tuple[Person, ...]:
    if document is None or document.root is None:
        return ()
    root = document.root
    if not isinstance(root, YamlMapping):
        context.problems.append(error(root.location, "wrong-type",
                                      "people.yaml maps each person's id to their details: "
                                      "jenny-l: {name: Jenny Lindstein}"))
        return ()
    people: list[Person] = []
    for key, value in root.entries:
        if not ID_PATTERN.match(key.text) or len(key.text) > schema.MAX_ID:
            context.problems.append(error(key.location, "bad-id", bad_id_message(key.text, "person id")))
            continue
        if key.text in RESERVED_IDS:
            context.problems.append(error(key.location, "reserved-id",
                                          f"'{key.text}' is a name the site uses for its own pages: choose "
                                          "another id for this person"))
            continue
        values = read(value, schema.PERSON, context.problems)
        if values is None or values.text("name") is None:
            continue
        people.append(Person(key.text, values.text("name") or key.text, values.text("email"),
                             values.text("team"), values.location))
    return tuple(people)


def _check_people(people: tuple[Person, ...], team_ids: set[str], context: _Context) -> None:
    for person in people:
        if person.team is not None and person.team not in team_ids:
            context.problems.append(error(person.location, "unknown-team",
                                          f"{person.id}'s team '{person.team}' is not a team id"
                                          f"{_nearest(person.team, team_ids)}"))
    if not people:
        return
    ids = {p.id for p in people}
    by_name = {p.name: p.id for p in people}
    for mention in context.person_mentions:
        if not mention.text or mention.text in ids:
            continue
        close = difflib.get_close_matches(mention.text, sorted(ids), n=1, cutoff=0.5)
        if mention.text in by_name:
            hint = f": write their id '{by_name[mention.text]}'"
        elif close:
            hint = f": did you mean '{close[0]}'?"
        else:
            hint = ": add them to people.yaml, or write the id of someone in it"
        context.problems.append(error(mention.location, "unknown-person",
                                      f"'{mention.text}' is not in people.yaml{hint}"))


def _nearest(text: str, candidates: set[str] | list[str]) -> str:
    close = difflib.get_close_matches(text, sorted(candidates), n=3, cutoff=0.5)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


def _settings(values: Values | None, context: _Context) -> tuple[StatusRules, Grading]:
    rules, grading = StatusRules(), Grading()
    if values is None:
        return rules, grading
    rules_node, grading_node = values.mapping("status_rules"), values.mapping("grading")
    if rules_node is not None and (rv := read(rules_node, schema.STATUS_RULES, context.problems)) is not None:
        rules = StatusRules(
            on_track_gap=_or(rv.number("on_track_gap"), rules.on_track_gap),
            at_risk_gap=_or(rv.number("at_risk_gap"), rules.at_risk_gap),
            stale_after_days=rv.integer("stale_after_days") or rules.stale_after_days,
        )
        if rules.at_risk_gap < rules.on_track_gap:
            context.problems.append(error(rv.where("at_risk_gap"), "out-of-range",
                                          "'at_risk_gap' must be at least 'on_track_gap'"))
    if grading_node is not None and (gv := read(grading_node, schema.GRADING, context.problems)) is not None:
        grading = Grading(
            aspirational_success=_or(gv.number("aspirational_success"), grading.aspirational_success),
            aspirational_progress=_or(gv.number("aspirational_progress"), grading.aspirational_progress),
            committed_success=_or(gv.number("committed_success"), grading.committed_success),
        )
        if grading.aspirational_progress > grading.aspirational_success:
            context.problems.append(error(gv.where("aspirational_progress"), "out-of-range",
                                          "'aspirational_progress' must not exceed 'aspirational_success'"))
    return rules, grading


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


# --- alignment --------------------------------------------------------------------------------------

def _resolve_alignment(teams: list[Team], context: _Context) -> list[Team]:
    """Resolve every ``aligned_to`` reference, then refuse cycles; returns the teams with references filled."""
    index: dict[tuple[str, PeriodName], dict[str, Objective]] = {}
    periods_of_team: dict[str, list[PeriodName]] = {}
    period_at: dict[tuple[str, PeriodName], Period] = {}
    for team in teams:
        periods_of_team[team.id] = [p.name for p in team.periods]
        for period in team.periods:
            index[(team.id, period.name)] = {o.id: o for o in period.objectives}
            period_at[(team.id, period.name)] = period
    resolved_teams: list[Team] = []
    for team in teams:
        periods = []
        for period in team.periods:
            if any(o.aligned_to for o in period.objectives):
                period = _resolved_period(period, index, periods_of_team, period_at, context)
            periods.append(period)
        # most periods align nothing: they and their teams are kept as they are, not copied
        unchanged = same_objects(periods, team.periods)
        resolved_teams.append(team if unchanged else dataclasses.replace(team, periods=tuple(periods)))
    _check_cycles(resolved_teams, context)
    return resolved_teams


def _resolved_period(period: Period, index: dict[tuple[str, PeriodName], dict[str, Objective]],
                     periods_of_team: dict[str, list[PeriodName]], period_at: dict[tuple[str, PeriodName], Period],
                     context: _Context) -> Period:
    """The period with its alignments resolved; as resolved before when it and the periods it looked in are
    the very same (the other side of a diff, the next rebuild of a server): no reference read twice."""
    reuse = context.reuse
    before = None if reuse is None else reuse.resolution(period)
    if before is not None and all(period_at.get(key) is seen for key, seen in before.consulted):
        assert reuse is not None
        reuse.keep_resolution(before)
        return before.resolved
    consulted: list[tuple[str, PeriodName]] = []
    problems = len(context.problems)
    objectives = tuple(_resolve_objective(o, index, periods_of_team, context, consulted) if o.aligned_to else o
                       for o in period.objectives)
    resolved = dataclasses.replace(period, objectives=objectives)
    if reuse is not None and len(context.problems) == problems:  # a problem is reported again each time
        reuse.keep_resolution(Resolution(period, tuple((key, period_at.get(key)) for key in dict.fromkeys(consulted)),
                                         resolved))
    return resolved


def _resolve_objective(objective: Objective, index: dict[tuple[str, PeriodName], dict[str, Objective]],
                       periods_of_team: dict[str, list[PeriodName]], context: _Context,
                       consulted: list[tuple[str, PeriodName]]) -> Objective:
    resolved: list[Alignment] = []
    for alignment in objective.aligned_to:
        target = _resolve(alignment, objective, index, periods_of_team, context, consulted)
        if target is None:
            continue
        if target.objective_ref == objective.ref:
            context.problems.append(error(alignment.location, "alignment-cycle",
                                          "an objective cannot be aligned to itself"))
            continue
        if any(r.target == target for r in resolved):
            context.problems.append(error(alignment.location, "duplicate-reference",
                                          f"'{alignment.written}' is listed twice"))
            continue
        resolved.append(Alignment(alignment.written, target, alignment.location))
    return dataclasses.replace(objective, aligned_to=tuple(resolved))


class WrittenReference(NamedTuple):
    """An ``aligned_to`` reference as written, read apart: where it points, and the periods it may be found in."""

    team: str
    objective: str
    key_result: str | None
    periods: tuple[PeriodName, ...]
    """The period it names, else its objective's period and the periods that contain it, in the order searched."""


def written_reference(written: str, source_period: PeriodName) -> WrittenReference | None:
    """``team/objective``, ``team/PERIOD/objective``, each optionally followed by ``/key-result``;
    ``None`` for anything else."""
    parts = written.split("/")
    period: PeriodName | None = None
    if len(parts) >= 3 and (period := PeriodName.parse(parts[1])) is not None:
        parts = [parts[0], *parts[2:]]
    if len(parts) not in (2, 3) or not all(ID_PATTERN.match(part) for part in parts):
        return None
    periods = (period,) if period is not None else (source_period, *source_period.containing())
    return WrittenReference(parts[0], parts[1], parts[2] if len(parts) == 3 else None, periods)


def _resolve(alignment: Alignment, source: Objective, index: dict[tuple[str, PeriodName], dict[str, Objective]],
             periods_of_team: dict[str, list[PeriodName]], context: _Context,
             consulted: list[tuple[str, PeriodName]]) -> Reference | None:
    """The objective or key result ``alignment`` names; notes in ``consulted`` every period it looked in."""
    written, where = alignment.written, alignment.location
    reference = written_reference(written, source.period)
    if reference is None:
        context.problems.append(error(where, "bad-reference",
                                      f"'{written}' is not a reference: write team/objective, "
                                      "team/PERIOD/objective, or either followed by /key-result"))
        return None
    team_id, objective_id, key_result_id, candidates = reference
    if team_id not in periods_of_team:
        context.problems.append(error(where, "dangling-reference", f"'{written}': there is no team '{team_id}'"
                                      f"{_nearest(team_id, list(periods_of_team))}"))
        return None
    for candidate in candidates:
        consulted.append((team_id, candidate))
        found = index.get((team_id, candidate), {}).get(objective_id)
        if found is not None:
            break
    else:
        context.problems.append(error(where, "dangling-reference",
                                      _dangling_message(written, team_id, objective_id, list(candidates), index,
                                                        periods_of_team[team_id])))
        return None
    if key_result_id is not None and all(kr.id != key_result_id for kr in found.key_results):
        ids = [kr.id for kr in found.key_results]
        context.problems.append(error(where, "dangling-reference",
                                      f"'{written}': objective '{team_id}/{found.period}/{objective_id}' has no "
                                      f"key result '{key_result_id}'{_nearest(key_result_id, ids)}"))
        return None
    return Reference(team_id, found.period, objective_id, key_result_id)


def _dangling_message(written: str, team_id: str, objective_id: str, searched: list[PeriodName],
                      index: dict[tuple[str, PeriodName], dict[str, Objective]], team_periods: list[PeriodName]) -> str:
    searched_text = ", ".join(str(p) for p in searched)
    elsewhere = [p for p in team_periods if objective_id in index.get((team_id, p), {}) and p not in searched]
    if len(elsewhere) > 1:
        options = " or ".join(f"'{team_id}/{p}/{objective_id}'" for p in elsewhere)
        return (f"'{written}' is ambiguous: '{team_id}' has no '{objective_id}' in {searched_text}, "
                f"but has one in several other periods: write {options}")
    if elsewhere:
        return (f"'{written}': '{team_id}' has no objective '{objective_id}' in {searched_text}; "
                f"it has one in {elsewhere[0]}: write '{team_id}/{elsewhere[0]}/{objective_id}'")
    ids = sorted({o for p in searched for o in index.get((team_id, p), {})})
    return f"'{written}': '{team_id}' has no objective '{objective_id}' in {searched_text}{_nearest(objective_id, ids)}"


def _check_cycles(teams: list[Team], context: _Context) -> None:
    parents: dict[Reference, list[Alignment]] = {}
    for team in teams:
        for period in team.periods:
            for objective in period.objectives:
                parents[objective.ref] = list(objective.aligned_to)
    done: set[Reference] = set()
    reported: set[frozenset[Reference]] = set()
    for start in sorted(parents, key=str):
        stack: list[tuple[Reference, int]] = [(start, 0)]
        path: list[Reference] = []
        on_path: set[Reference] = set()
        while stack:
            node, next_index = stack.pop()
            if next_index == 0:
                if node in done:
                    continue
                path.append(node)
                on_path.add(node)
            edges = parents.get(node, [])
            if next_index < len(edges):
                stack.append((node, next_index + 1))
                target = edges[next_index].target.objective_ref
                if target in on_path:
                    cycle = path[path.index(target):]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        chain = " → ".join(str(r) for r in [*cycle, target])
                        context.problems.append(error(edges[next_index].location, "alignment-cycle",
                                                      f"alignment goes round in a circle: {chain}"))
                elif target not in done:
                    stack.append((target, 0))
            else:
                path.pop()
                on_path.discard(node)
                done.add(node)
