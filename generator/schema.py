"""The OKR file format, declared once: every key of every file, its type, limits and meaning.

The validator reads files through these declarations, and the reference documentation and the JSON
Schema for editors are generated from them, so the three can never disagree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from generator.model import InitiativeStatus, ObjectiveType, ProgressSource, ReportedStatus

MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_ID = 64
MAX_LIST = 1_000


class Kind(enum.Enum):
    TEXT = "text"
    ID = "id"
    PERSON = "person"
    """A person: an id from people.yaml where it exists, else a name."""
    NUMBER = "number"
    INTEGER = "integer"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    URL = "url"
    EMAIL = "email"
    TEXT_LIST = "text list"
    PERSON_LIST = "person list"
    REFERENCES = "references"
    """One alignment reference, or a list of them."""
    LINKS = "links"
    """A mapping of link name to URL."""
    OBJECT = "object"
    OBJECT_LIST = "object list"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: Kind
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None
    """An exclusive minimum."""
    max_length: int = MAX_TEXT
    shape: Shape | None = None
    """The shape of an ``OBJECT`` or of each item of an ``OBJECT_LIST``."""
    root_only: bool = False
    """Only the company's (root) ``team.yaml`` may set it."""
    default: str | None = None
    """The default, as documented."""


@dataclass(frozen=True, slots=True)
class Shape:
    """A kind of YAML mapping in the format: its name as shown in messages, and its keys."""

    name: str
    doc: str
    fields: tuple[Field, ...]
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False, hash=False)
    required: tuple[str, ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:  # looked up for every key of every file
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})
        object.__setattr__(self, "required", tuple(f.name for f in self.fields if f.required))

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _values(enumeration: type[enum.Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enumeration)



CHECKIN = Shape("check-in", "A dated reading of a key result's value.", (
    Field("date", Kind.DATE, "Day of the reading, YYYY-MM-DD.", required=True),
    Field("value", Kind.NUMBER, "The value on that day; for a milestone, percent complete (0-100).", required=True),
    Field("confidence", Kind.NUMBER, "How sure the owner is that the key result will be met, 0.0-1.0.",
          minimum=0.0, maximum=1.0),
    Field("status", Kind.CHOICE, "Overrides the computed status while this check-in is the latest and fresh.",
          choices=_values(ReportedStatus)),
    Field("note", Kind.TEXT, "What happened, in a sentence or two."),
    Field("by", Kind.PERSON, "Who checked in."),
))

INITIATIVE = Shape("initiative", "A piece of work expected to move the key results.", (
    Field("title", Kind.TEXT, "What will be done.", required=True, max_length=MAX_TITLE),
    Field("status", Kind.CHOICE, "Where the work stands.", choices=_values(InitiativeStatus), default="planned"),
    Field("owner", Kind.PERSON, "Who drives it."),
    Field("link", Kind.URL, "A ticket, plan or document: http, https, mailto or a relative link."),
    Field("due", Kind.DATE, "When it should be done, YYYY-MM-DD."),
))

KEY_RESULT = Shape("key result", "A measurable result: a metric from start to target, a guardrail, or a milestone.", (
    Field("id", Kind.ID, "Short id, unique in the objective; default kr1, kr2... by position."),
    Field("title", Kind.TEXT, "The result, as a sentence.", required=True, max_length=MAX_TITLE),
    Field("description", Kind.TEXT, "More context."),
    Field("owner", Kind.PERSON, "Who is accountable for it."),
    Field("weight", Kind.NUMBER, "Weight in the objective's progress.", above=0.0, default="1"),
    Field("dropped", Kind.TEXT, "Why the key result was abandoned; it stays visible but counts in no average."),
    Field("start", Kind.NUMBER, "Metric: the value at the start of the period."),
    Field("target", Kind.NUMBER, "Metric: the value to reach; below start for a decreasing metric."),
    Field("unit", Kind.TEXT, "Unit shown after values, e.g. %, tickets, ₽.", max_length=40),
    Field("stay_above", Kind.NUMBER, "Guardrail: the value must stay at or above this threshold."),
    Field("stay_below", Kind.NUMBER, "Guardrail: the value must stay at or below this threshold."),
    Field("score", Kind.NUMBER, "Final grade given by hand at the period's end, 0.0-1.0.", minimum=0.0, maximum=1.0),
    Field("checkins", Kind.OBJECT_LIST, "Dated readings of the value.", shape=CHECKIN),
))

OBJECTIVE = Shape("objective", "A qualitative goal for the period, measured by its key results.", (
    Field("id", Kind.ID, "Short id, unique in the file; used in links and alignment references.", required=True),
    Field("title", Kind.TEXT, "The goal, as a sentence.", required=True, max_length=MAX_TITLE),
    Field("description", Kind.TEXT, "Why it matters."),
    Field("owner", Kind.PERSON, "Who is accountable for it."),
    Field("type", Kind.CHOICE, "Committed (must be met in full) or aspirational (a stretch: 0.7 is a success).",
          choices=_values(ObjectiveType), default="aspirational"),
    Field("tags", Kind.TEXT_LIST, "Free labels, for search and tag pages."),
    Field("private", Kind.BOOLEAN, "Left out of the published site unless include_private is on.", default="false"),
    Field("progress_from", Kind.CHOICE,
          "key_results: the mean of its key results; aligned: the mean of the objectives aligned to it; both.",
          choices=_values(ProgressSource), default="key_results"),
    Field("score", Kind.NUMBER, "Final grade given by hand at the period's end, 0.0-1.0.", minimum=0.0, maximum=1.0),
    Field("aligned_to", Kind.REFERENCES,
          "The objective (or key result) this one supports: team/objective, team/PERIOD/objective, "
          "or either followed by /key-result; one reference or a list."),
    Field("key_results", Kind.OBJECT_LIST, "One to five measurable results.", shape=KEY_RESULT),
    Field("initiatives", Kind.OBJECT_LIST, "The work planned to move the key results.", shape=INITIATIVE),
))

PERIOD_FILE = Shape("period file", "A team's OKRs for one period: YYYY.yaml, YYYY-H1.yaml or YYYY-Q1.yaml.", (
    Field("objectives", Kind.OBJECT_LIST, "The team's objectives for the period.", required=True, shape=OBJECTIVE),
    Field("private", Kind.BOOLEAN, "Makes every objective in the file private.", default="false"),
))

STATUS_RULES = Shape("status_rules", "Thresholds of the progress engine.", (
    Field("on_track_gap", Kind.NUMBER, "On track while progress >= expected - this gap.", default="0.10",
          minimum=0.0, maximum=1.0),
    Field("at_risk_gap", Kind.NUMBER, "At risk while progress >= expected - this gap; off track below.",
          default="0.25", minimum=0.0, maximum=1.0),
    Field("stale_after_days", Kind.INTEGER, "A key result with no check-in for this many days is stale.",
          minimum=1, maximum=366, default="14"),
))

GRADING = Shape("grading", "Score bands that turn a final score into a grade.", (
    Field("aspirational_success", Kind.NUMBER, "An aspirational objective scoring at least this succeeded.",
          default="0.7", minimum=0.0, maximum=1.0),
    Field("aspirational_progress", Kind.NUMBER, "...and at least this made progress; below it, a miss.",
          default="0.4", minimum=0.0, maximum=1.0),
    Field("committed_success", Kind.NUMBER, "A committed objective scoring at least this succeeded.",
          default="1.0", minimum=0.0, maximum=1.0),
))

TEAM_FILE = Shape("team file", "A team: its name and people. The root one describes the company.", (
    Field("id", Kind.ID, "The company's id (root only; other teams take their folder name).",
          root_only=True, default="company"),
    Field("name", Kind.TEXT, "Display name; any language.", required=True, max_length=MAX_TITLE),
    Field("description", Kind.TEXT, "What the team does."),
    Field("lead", Kind.PERSON, "Who leads the team."),
    Field("members", Kind.PERSON_LIST, "Who is in the team."),
    Field("links", Kind.LINKS, "Named links: name: URL (http, https, mailto or relative)."),
    Field("fiscal_year_start", Kind.INTEGER,
          "Month (1-12) in which the fiscal year starts; the year is named by the year in which it ends.",
          minimum=1, maximum=12, root_only=True, default="1"),
    Field("status_rules", Kind.OBJECT, "Thresholds of the progress engine.", shape=STATUS_RULES, root_only=True),
    Field("grading", Kind.OBJECT, "Score bands for grades.", shape=GRADING, root_only=True),
))

PERSON = Shape("person", "Someone who owns, leads or checks in.", (
    Field("name", Kind.TEXT, "Full name.", required=True, max_length=MAX_TITLE),
    Field("email", Kind.EMAIL, "E-mail address.", max_length=320),
    Field("team", Kind.ID, "The id of the team the person belongs to."),
))
