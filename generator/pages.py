"""Stage: the site's pages as Markdown, in memory: ``{path: markdown}`` plus where each came from.

Python decides what goes on each page and computes every number and picture geometry; the
templates in ``templates/site`` lay it out. Nothing here writes a file or knows MkDocs, so the same
pages serve ``mkdocs build``, ``okr generate`` and any other Markdown site builder.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import operator
import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import jinja2
import yaml
from markupsafe import Markup

from generator.alignment import coverage, coverage_of, unaligned
from generator.health import Health, checkin_discipline, health
from generator.i18n import Language, language
from generator.load import inside_path
from generator.model import CheckIn, Company, KeyResultKind, Reference, Team, subtree
from generator.periods import PeriodName, current_period
from generator.progress import Evaluation, KeyResultProgress, ObjectiveProgress, Status
from generator.reads import Reads, RecordingCompany, RecordingEvaluation, objectives_key, owner_key
from generator.render import BUNDLED, attribute, identifier, site_environment, templates_state

SPARK_WIDTH, SPARK_HEIGHT = 96, 24
ATTENTION = frozenset({Status.AT_RISK, Status.OFF_TRACK, Status.BREACHED})
LATEST_ON_HOME = 10


@dataclass(frozen=True, slots=True)
class SitePage:
    path: str
    """Path of the Markdown file inside the docs folder, e.g. ``2026-Q4/support.md``."""
    markdown: str
    source: str | None = None
    """The YAML file the page shows, relative to the OKR folder: the target of "Edit this page"."""


@dataclass(frozen=True, slots=True)
class PlannedPage:
    """A page of the site before it is rendered: where it goes and what it shows are known first."""

    path: str
    source: str | None
    render: Callable[[], str] = field(compare=False, repr=False)

    def rendered(self) -> SitePage:
        return SitePage(self.path, self.render(), self.source)


TEMPLATES = tuple(sorted(p.name for p in (BUNDLED / "site").glob("*.md.j2") if not p.name.startswith("_")))
"""The page templates (``_macros`` is only imported by them), all loaded before any page is rendered."""


@dataclass(frozen=True, slots=True)
class SiteOptions:
    language: str = "en"
    templates_dir: Path | None = None
    search_past_periods: bool = True
    """Team pages of periods that have ended are in the search index; off, they are still built and linked.
    A browser loads the whole index before it answers the first search: at 2,000 teams and four quarters,
    three of them ended, leaving them out takes it from 11.1 MB to 4.1 MB."""


DEFAULT_OPTIONS = SiteOptions()


# --- where pages live ------------------------------------------------------------------------------

def home_path() -> str:
    return "index.md"


def period_path(period: PeriodName) -> str:
    return f"{period}/index.md"


def team_period_path(team_id: str, period: PeriodName) -> str:
    return f"{period}/{team_id}.md"


def alignment_path(period: PeriodName) -> str:
    return f"{period}/alignment.md"


def risks_path(period: PeriodName) -> str:
    return f"{period}/risks.md"


def team_profile_path(team_id: str) -> str:
    return f"teams/{team_id}.md"


def person_path(person_id: str) -> str:
    return f"people/{person_id}.md"


PERIODS_PATH, TEAMS_PATH, PEOPLE_PATH, UPDATES_PATH, PROGRESS_PATH, DATA_PATH = (
    "periods.md", "teams/index.md", "people/index.md", "updates.md", "progress.md", "okrs.json")


HOME_PATHS = (("home", "index.md"), ("periods", PERIODS_PATH), ("teams", TEAMS_PATH), ("people", PEOPLE_PATH),
              ("updates", UPDATES_PATH))
"""The generated pages a navigation links to, with their label keys."""


def objective_anchor(objective_id: str, key_result_id: str | None = None) -> str:
    """``engagement`` or ``engagement__academy``: ids never hold ``_``, so the two cannot collide."""
    return f"{objective_id}__{key_result_id}" if key_result_id else objective_id


def reference_path(ref: Reference) -> tuple[str, str]:
    return team_period_path(ref.team, ref.period), objective_anchor(ref.objective, ref.key_result)


# --- pictures ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Sparkline:
    """An SVG sparkline's geometry: the readings, and the line they were expected to follow."""

    points: tuple[tuple[float, float], ...]
    expected: tuple[tuple[float, float], ...]
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def sparkline(progress: KeyResultProgress, period: PeriodName, fiscal_year_start: int) -> Sparkline | None:
    """Progress over the period, from 0 at its start; a guardrail's values scaled to their range."""
    kr, readings = progress.key_result, progress.checkins
    if not readings:
        return None
    start = period.start(fiscal_year_start)
    days = period.days(fiscal_year_start)
    pad = 2.0

    def x(day: dt.date) -> float:
        return round(pad + (SPARK_WIDTH - 2 * pad) * min(max((day - start).days, 0), days) / days, 1)

    def y(share: float) -> float:
        return round(SPARK_HEIGHT - pad - (SPARK_HEIGHT - 2 * pad) * min(max(share, 0.0), 1.0), 1)

    if kr.kind is KeyResultKind.GUARDRAIL:
        thresholds = [t for t in (kr.stay_above, kr.stay_below) if t is not None]
        values = [c.value for c in readings] + thresholds
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        points = tuple((x(c.date), y((c.value - low) / span)) for c in readings)
        level = tuple((x(start), y((t - low) / span)) for t in thresholds[:1])
        expected = (level[0], (x(period.end(fiscal_year_start)), level[0][1])) if level else ()
        return Sparkline(points, expected)
    origin = (kr.start if kr.kind is KeyResultKind.METRIC else 0.0) or 0.0
    shares = [_share(progress, origin)] + [_share(progress, c.value) for c in readings]
    days_of = [start] + [c.date for c in readings]
    points = tuple((x(day), y(share)) for day, share in zip(days_of, shares, strict=True))
    expected = ((x(start), y(0.0)), (x(period.end(fiscal_year_start)), y(1.0)))
    return Sparkline(points, expected)


def _share(progress: KeyResultProgress, value: float) -> float:
    kr = progress.key_result
    if kr.kind is KeyResultKind.MILESTONE:
        return value / 100
    assert kr.start is not None and kr.target is not None
    return (value - kr.start) / (kr.target - kr.start)


# --- what the templates receive -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TeamRow:
    team: Team
    health: Health
    coverage: float | None
    depth: int


@dataclass(frozen=True, slots=True)
class CheckInRow:
    checkin: CheckIn
    key_result: KeyResultProgress
    objective: ObjectiveProgress


@dataclass(frozen=True, slots=True)
class TreeNode:
    objective: ObjectiveProgress
    children: tuple[TreeNode, ...]
    via_key_result: str | None = None
    """The title of the key result this objective is aligned to, when it is aligned to one."""
    more: int = 0
    """Objectives aligned to this one below the tree's depth: its team page lists them."""


@dataclass(slots=True)
class _Site:
    """Everything the page builders share for one build."""

    company: Company
    evaluation: Evaluation
    lang: Language
    env: jinja2.Environment
    periods: tuple[PeriodName, ...]
    current: PeriodName | None
    people: dict[str, str] = field(default_factory=dict)
    """Person id -> display name, when people.yaml exists."""
    search_past_periods: bool = True
    by_team: dict[tuple[str, PeriodName | None], list[ObjectiveProgress]] = field(default_factory=dict)
    """The evaluated objectives of each team, per period and (under ``None``) for all periods, in order:
    built once, so that no page scans the whole company (which would make a build quadratic)."""
    by_owner: dict[str, list[ObjectiveProgress]] = field(default_factory=dict)
    """Objectives that a person owns, or owns a key result of, newest period first."""
    reads: Reads | None = None
    """Where the page being rendered notes whose data it read, when someone wants to know."""

    def note(self, key: str) -> None:
        if self.reads is not None:
            self.reads.note(key)

    def index(self, evaluation: Evaluation) -> None:
        for objective in evaluation.objectives.values():
            team, period = objective.objective.team, objective.objective.period
            self.by_team.setdefault((team, period), []).append(objective)
            self.by_team.setdefault((team, None), []).append(objective)
        newest = sorted(evaluation.objectives.values(), key=lambda o: o.objective.period.sort_key, reverse=True)
        for objective in newest:
            for owner in objective.objective.owners():
                self.by_owner.setdefault(owner, []).append(objective)

    def render(self, template: str, here: str, title: str, tags: Iterable[str] = (), searchable: bool = True,
               **context: Any) -> str:
        # Front matter is data that Material prints into its own templates without escaping: so it is
        # written HTML-escaped (and by a serializer, never by formatting strings).
        meta: dict[str, Any] = {"title": str(attribute(title))}
        # Material prints tag names without escaping, and slugs them: only tags that need no escaping go
        # to its tags plugin (every tag is still shown on the page itself).
        plain = [tag for tag in dict.fromkeys(tags) if str(attribute(tag)) == tag]
        if plain:
            meta["tags"] = plain
        if not searchable:
            meta["search"] = {"exclude": True}  # Material's search leaves the page out of its index
        front_matter = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        context.setdefault("period", None)
        body = self.env.get_template(template).render(
            here=here, title=title, company=self.company, evaluation=self.evaluation, t=self.lang,
            as_of=self.evaluation.as_of, periods=self.periods, current=self.current,
            href=_linker(here), ref_href=_ref_linker(here), person=self.person, Status=Status, **context)
        return f"---\n{front_matter}---\n\n{body}"

    def person(self, name: str | None) -> tuple[str, str | None]:
        """Display name and page path of an owner, lead or author."""
        if name is None:
            return "", None
        if name in self.people:
            return self.people[name], person_path(name)
        return name, None


def _linker(here: str) -> Callable[..., Markup]:
    folder = posixpath.dirname(here) or "."

    def href(target: str, anchor: str | None = None) -> Markup:
        relative = _relative(target, folder)
        return identifier(f"{relative}#{anchor}" if anchor else relative)
    return href


@functools.lru_cache(maxsize=65536)
def _relative(target: str, folder: str) -> str:
    """Cached: a page links to the same few pages again and again (every check-in names its author)."""
    return posixpath.relpath(target, folder)


def _ref_linker(here: str) -> Callable[[Reference], Markup]:
    link = _linker(here)

    def ref_href(ref: Reference) -> Markup:
        path, anchor = reference_path(ref)
        return link(path, anchor)
    return ref_href


def planned_pages(company: Company, evaluation: Evaluation, options: SiteOptions = DEFAULT_OPTIONS,
                  reads: Reads | None = None) -> tuple[PlannedPage, ...]:
    """Every page of the site for a company already stripped of what must not be published, in the
    order they are listed, each still to be rendered. Every template is loaded (and so checked) here.
    With ``reads``, rendering a page notes there which teams' data it used (see ``generator.reads``)."""
    lang = language(options.language)
    env = _environment(options, templates_state(options.templates_dir))
    for name in TEMPLATES:
        env.get_template(name)
    periods = company.period_names()
    # The builders and templates see the company and its numbers only through these views, when reads are noted.
    seen_company = company if reads is None else cast(Company, RecordingCompany(company, reads))
    seen_evaluation = evaluation if reads is None else cast(Evaluation, RecordingEvaluation(evaluation, reads))
    site = _Site(seen_company, seen_evaluation, lang, env, periods,
                 current_period(periods, evaluation.as_of, company.fiscal_year_start),
                 {p.id: p.name for p in company.people}, options.search_past_periods, reads=reads)
    site.index(evaluation)

    def page(path: str, source: str | None, render: Callable[[], str]) -> PlannedPage:
        return PlannedPage(path, source, render if reads is None else functools.partial(reads.record, path, render))

    source = company.source
    pages = [page(home_path(), None, functools.partial(_home, site)),
             page(PERIODS_PATH, None, functools.partial(_periods, site)),
             page(TEAMS_PATH, None, functools.partial(_teams, site)),
             page(UPDATES_PATH, None, functools.partial(_updates, site)),
             page(PROGRESS_PATH, None, _explanation)]
    for period in periods:
        pages += [page(period_path(period), None, functools.partial(_period, site, period)),
                  page(alignment_path(period), None, functools.partial(_alignment, site, period)),
                  page(risks_path(period), None, functools.partial(_risks, site, period))]
        pages += [page(team_period_path(team.id, period), inside_path(source, team_period.file),
                       functools.partial(_team_period, site, team.id, period))
                  for team in company.teams for team_period in team.periods if team_period.name == period]
    pages += [page(team_profile_path(team.id), inside_path(source, team.location.file),
                   functools.partial(_team_profile, site, team.id)) for team in company.teams]
    pages += [page(PEOPLE_PATH, None, functools.partial(_people, site))]
    pages += [page(person_path(p.id), None, functools.partial(_person, site, p.id)) for p in company.people]
    return tuple(pages)


@functools.lru_cache(maxsize=4)
def _environment(options: SiteOptions, templates: tuple[tuple[str, bytes], ...]) -> jinja2.Environment:
    """The page templates' environment, kept for the next build in this process (``mkdocs serve``) while
    ``templates`` (``templates_state``) is the same: compiling them again took a second of every rebuild.
    A template added to ``templates_dir`` or changed makes a new one (Jinja itself would neither look
    for a new file that overrides one it has loaded, nor see an edit that kept the file's time)."""
    lang = language(options.language)
    env = site_environment(options.templates_dir)
    env.filters.update(percent=lang.percent, signed_percent=lang.signed_percent, number=lang.number,
                       date=lang.date, short_date=lang.short_date, width=_bar_width, coord=_coordinate,
                       polyline=_polyline, quantity=_quantity(lang))
    return env


def site_pages(company: Company, evaluation: Evaluation,
               options: SiteOptions = DEFAULT_OPTIONS) -> tuple[SitePage, ...]:
    """Every page of the site, rendered."""
    return tuple(page.rendered() for page in planned_pages(company, evaluation, options))


def _bar_width(value: float | None) -> int:
    return 0 if value is None else round(min(1.0, max(0.0, value)) * 100)


def _coordinate(value: float) -> Markup:
    return Markup(f"{value:.1f}")


def _polyline(points: Sequence[tuple[float, float]]) -> Markup:
    """A polyline's ``points`` attribute: numbers only, one filter call instead of two per point."""
    return Markup(" ".join(f"{x:.1f},{y:.1f}" for x, y in points))


def _quantity(lang: Language) -> Callable[[float | None, str], str]:
    def quantity(value: float | None, unit: str) -> str:
        if value is None:
            return "—"
        if not unit:
            return lang.number(value)
        return lang.percent_value(value) if unit == "%" else f"{lang.number(value)} {unit}"
    return quantity


def _objectives(site: _Site, teams: Iterable[str], period: PeriodName | None) -> tuple[ObjectiveProgress, ...]:
    found: list[ObjectiveProgress] = []
    for team in teams:
        site.note(objectives_key(team, period))
        found += site.by_team.get((team, period), ())
    return tuple(found)


def _team_rows(site: _Site, period: PeriodName, teams: Iterable[Team]) -> list[TeamRow]:
    rows = []
    for team in teams:
        members = subtree(site.company, team.id)
        chosen = _objectives(site, members, period)
        if chosen:
            share = coverage_of((o.objective for o in chosen), site.company.id)
            rows.append(TeamRow(team, health(chosen), share, team.depth))
    return rows


def _recent_checkins(site: _Site, objectives: Iterable[ObjectiveProgress], count: int) -> list[CheckInRow]:
    """The newest ``count`` check-ins, newest first (a row is made only for those: a large company has
    hundreds of thousands)."""
    newest = heapq.nlargest(count, ((c.date, o.objective.team, kr.key_result.id, c, kr, o)
                                    for o in objectives for kr in o.key_results for c in kr.checkins),
                            key=operator.itemgetter(0, 1, 2))
    return [CheckInRow(checkin, key_result, objective) for *_, checkin, key_result, objective in newest]


def _home(site: _Site) -> str:
    period = site.current
    company = site.company
    if period is None:
        return site.render("home.md.j2", home_path(), company.name, period=None)
    company_objectives = _objectives(site, [company.id], None)
    shown = [o for o in company_objectives if o.objective.period.contains(period) or period.contains(
        o.objective.period)]
    in_period = _objectives(site, [t.id for t in company.teams], period)
    key_results = [kr for o in in_period for kr in o.key_results]
    departments = [company.root] + [company.team(c) for c in company.root.children]
    return site.render(
        "home.md.j2", home_path(), company.name, period=period,
        day=min(max((site.evaluation.as_of - period.start(company.fiscal_year_start)).days + 1, 0),
                period.days(company.fiscal_year_start)),
        days=period.days(company.fiscal_year_start),
        expected=period.elapsed_share(site.evaluation.as_of, company.fiscal_year_start),
        company_objectives=shown, rows=_team_rows(site, period, departments),
        coverage=coverage(company, period), discipline=checkin_discipline(key_results, site.evaluation.as_of),
        attention=sum(kr.status in ATTENTION for kr in key_results), stale=sum(kr.stale for kr in key_results),
        latest=_recent_checkins(site, in_period, LATEST_ON_HOME))


def _explanation() -> str:
    """How progress is computed: every number on the site links here, so every site carries it."""
    return (BUNDLED / "site" / "progress.md").read_text(encoding="utf-8")


def _periods(site: _Site) -> str:
    return site.render("periods.md.j2", PERIODS_PATH, site.lang("periods"))


def _period(site: _Site, period: PeriodName) -> str:
    path = period_path(period)
    shown, deeper = listed_teams(site.company)
    rows = _team_rows(site, period, shown)
    own = {t.id: len(_objectives(site, [t.id], period)) for t in shown}
    return site.render("period.md.j2", path, f"{site.lang('okrs')} {period}", period=period, rows=rows, own=own,
                       deeper=deeper, coverage=coverage(site.company, period))


def _team_period(site: _Site, team_id: str, period: PeriodName) -> str:
    team = site.company.team(team_id)
    path = team_period_path(team.id, period)
    objectives = _objectives(site, [team.id], period)
    sparks = {kr.ref: sparkline(kr, period, site.company.fiscal_year_start) for o in objectives for kr in o.key_results}
    parent = site.company.team(team.parent) if team.parent else None
    sub_teams = _team_rows(site, period, (site.company.team(c) for c in team.children))
    # the period the site opens on stays searchable, though it has ended when the next has no OKRs yet
    ended = period != site.current and period.end(site.company.fiscal_year_start) < site.evaluation.as_of
    return site.render("team_period.md.j2", path, f"{team.name} · {period}",
                       tags=[tag for o in objectives for tag in o.objective.tags],
                       searchable=site.search_past_periods or not ended, team=team, period=period,
                       parent=parent, objectives=objectives, sparks=sparks, sub_teams=sub_teams,
                       health=health(objectives), supporters=_supporter_progress(site, objectives))


def _supporter_progress(site: _Site, objectives: Iterable[ObjectiveProgress]) -> dict[Reference, ObjectiveProgress]:
    """The evaluated objectives on either side of these objectives' alignment links."""
    found: dict[Reference, ObjectiveProgress] = {}
    for objective in objectives:
        refs = [*objective.supporters, *[a.target for a in objective.objective.aligned_to if not a.restricted]]
        refs += [s for kr in objective.key_results for s in kr.supporters]
        for ref in refs:
            found[ref.objective_ref] = site.evaluation.of(ref)
    return found


def _alignment(site: _Site, period: PeriodName) -> str:
    path = alignment_path(period)
    roots = [o for o in _objectives(site, [site.company.id], None)
             if o.objective.period == period or o.objective.period.contains(period)]
    levels = ALIGNMENT_DEPTH if len(site.company.teams) > FULL_TREE_TEAMS else len(site.company.teams) + 1
    trees = [_tree(site, o, period, set(), levels) for o in roots]
    loose = unaligned(site.company, period)
    return site.render("alignment.md.j2", path, f"{site.lang('alignment')} · {period}", period=period, trees=trees,
                       unaligned=[site.evaluation.of(o.ref) for o in loose[:UNALIGNED_SHOWN]],
                       unaligned_more=max(0, len(loose) - UNALIGNED_SHOWN))


def _tree(site: _Site, objective: ObjectiveProgress, period: PeriodName, seen: set[Reference], levels: int,
          via: str | None = None) -> TreeNode:
    seen = seen | {objective.ref}
    children: list[TreeNode] = []
    more = 0
    titles = {kr.ref: kr.key_result.title for kr in objective.key_results}
    for ref in objective.supporters:
        child = site.evaluation.of(ref)
        if ref in seen or not (child.objective.period.contains(period) or period.contains(child.objective.period)):
            continue
        if levels <= 1:
            more += 1
            continue
        target = next((a.target for a in child.objective.aligned_to if a.target.objective_ref == objective.ref), None)
        kr_title = titles.get(target) if target is not None and target.key_result else None
        children.append(_tree(site, child, period, seen, levels - 1, kr_title))
    return TreeNode(objective, tuple(children), via, more)


def _risks(site: _Site, period: PeriodName) -> str:
    path = risks_path(period)
    company = site.company
    groups = []
    for department in [company.root.id, *company.root.children]:
        teams = [department] if department == company.id else list(subtree(company, department))
        rows = [(o, kr) for o in _objectives(site, teams, period) for kr in o.key_results
                if kr.status in ATTENTION or kr.stale]
        rows.sort(key=_furthest_behind)
        if rows:
            groups.append((company.team(department), rows[:RISKS_SHOWN], len(rows) - RISKS_SHOWN))
    return site.render("risks.md.j2", path, f"{site.lang('risks')} · {period}", period=period, groups=groups)


def _furthest_behind(row: tuple[ObjectiveProgress, KeyResultProgress]) -> tuple[int, float, str, str, str]:
    objective, key_result = row
    severity = [Status.OFF_TRACK, Status.BREACHED, Status.AT_RISK].index(key_result.status) \
        if key_result.status in ATTENTION else 3
    gap = (key_result.progress if key_result.progress is not None else 0.0) - key_result.expected
    return (severity, gap, objective.objective.team, objective.objective.id, key_result.key_result.id)


def _team_profile(site: _Site, team_id: str) -> str:
    team = site.company.team(team_id)
    path = team_profile_path(team.id)
    by_period = [(p.name, _objectives(site, [team.id], p.name)) for p in reversed(team.periods)]
    parent = site.company.team(team.parent) if team.parent else None
    children = [site.company.team(c) for c in team.children]
    return site.render("team_profile.md.j2", path, team.name, team=team, parent=parent, children=children,
                       by_period=by_period)


def _teams(site: _Site) -> str:
    shown, deeper = listed_teams(site.company)
    return site.render("teams.md.j2", TEAMS_PATH, site.lang("teams"), teams=shown, deeper=deeper)


FULL_TREE_TEAMS = 200
"""Up to this many teams, index pages list the whole tree. Above it they list two levels (departments
and their teams) and every team page lists its own sub-teams, so no page grows with the company."""
LISTED_DEPTH = 2
RISKS_SHOWN = 30
"""Key results listed per department on a risks page, the furthest behind first."""
ALIGNMENT_DEPTH = 3
"""Levels of the company's goal tree on the alignment page of a company above ``FULL_TREE_TEAMS``; each
objective's own section lists everything aligned to it."""
UNALIGNED_SHOWN = 100


def listed_teams(company: Company) -> tuple[list[Team], int]:
    """The teams an index page lists, and how many deeper ones it leaves to their departments' pages."""
    if len(company.teams) <= FULL_TREE_TEAMS:
        return list(company.teams), 0
    shown = [team for team in company.teams if team.depth <= LISTED_DEPTH]
    return shown, len(company.teams) - len(shown)


UPDATES_SHOWN = 500
"""The updates page shows the newest check-ins; every team page keeps its whole history."""


def _updates(site: _Site) -> str:
    rows = _recent_checkins(site, site.evaluation.objectives.values(), UPDATES_SHOWN)
    return site.render("updates.md.j2", UPDATES_PATH, site.lang("updates"), rows=rows, limit=UPDATES_SHOWN)


def _people(site: _Site) -> str:
    return site.render("people.md.j2", PEOPLE_PATH, site.lang("people"))


def _person(site: _Site, person_id: str) -> str:
    path = person_path(person_id)
    person = next(p for p in site.company.people if p.id == person_id)
    site.note(owner_key(person_id))
    owned = site.by_owner.get(person_id, [])
    objectives = [o for o in owned if o.objective.owner == person_id]
    key_results = [(o, kr) for o in owned for kr in o.key_results if kr.key_result.owner == person_id]
    team = site.company.team(person.team) if person.team and site.company.has_team(person.team) else None
    return site.render("person.md.j2", path, person.name, someone=person, team=team, objectives=objectives,
                       key_results=key_results)

