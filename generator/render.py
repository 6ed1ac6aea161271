"""Stage: turn the model and its numbers into text through Jinja2 templates. Never writes files.

Python computes and groups; templates only format. A folder given as ``templates_dir`` overrides
the bundled templates file by file, as Material's ``custom_dir`` does.

Escaping in site templates is on by default. Every string a template prints is first escaped for
Markdown (a backslash before each character Python-Markdown treats as syntax, whitespace folded)
and then for HTML (Jinja's autoescape), so text from YAML can never become a heading, a link, an
attribute list, a macro, an include directive or an element. Contexts that Markdown does not
process (HTML attributes, raw HTML) opt out explicitly with ``|attr``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup

from generator.health import Health, team_health
from generator.model import Company, Team
from generator.periods import PeriodName
from generator.progress import Evaluation, ObjectiveProgress, Status

BUNDLED = Path(__file__).parent / "templates"
BAR_WIDTH = 10
STATUS_LABELS = {
    Status.ACHIEVED: "achieved", Status.ON_TRACK: "on track", Status.AT_RISK: "at risk",
    Status.OFF_TRACK: "off track", Status.NO_CHECKIN: "no check-in", Status.UPCOMING: "upcoming",
    Status.HEALTHY: "healthy", Status.BREACHED: "breached", Status.DROPPED: "dropped",
}


def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    search = [str(templates_dir)] if templates_dir is not None else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*search, str(BUNDLED)]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # plain-text templates only; the site's templates escape for Markdown and HTML
    )
    env.filters.update(percent=percent, signed_percent=signed_percent, bar=text_bar, label=label, number=number,
                       fit=fit)
    return env


HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
MARKDOWN_ESCAPABLE = frozenset("\\`*_{}[]()#+-.!|")
"""Python-Markdown's escapable characters (``|`` from the tables extension): a backslash makes them text."""
EXTENSION_SYNTAX = frozenset("?=~^$")
"""Characters some Markdown extensions give meaning that no backslash escape removes (``???`` details,
``===`` tabs, ``~~~`` fences, ``==mark==``, ``^sup^``, ``$math$``): written as character references,
which display the same. A colon is one too when a word follows it (``:emoji:`` shortcodes)."""
_NEEDS_ESCAPING = re.compile("[" + re.escape("".join(sorted({*HTML_SPECIAL, *MARKDOWN_ESCAPABLE, *EXTENSION_SYNTAX,
                                                               ":"}))) + "]")
ATTRIBUTE_SYNTAX = frozenset("`[]()!\\|{}*_")
"""Characters Python-Markdown acts on before it protects raw HTML tags (code spans, links, images,
escapes) or that end a table cell: inside an attribute they become character references, which the
browser decodes back, so a URL keeps its meaning and no element can be built from it."""


@functools.lru_cache(maxsize=65536)
def markdown_text(text: str) -> Markup:
    """Plain text for a Markdown inline context, escaped for both Markdown and HTML; whitespace folded.
    Cached: the same names, titles and labels are printed again and again across thousands of pages."""
    folded = " ".join(text.split())
    if _NEEDS_ESCAPING.search(folded) is None:  # most titles, names and numbers: nothing to escape
        return Markup(folded)
    out = []
    for position, character in enumerate(folded):
        if character in HTML_SPECIAL:
            out.append(HTML_SPECIAL[character])
        elif character in MARKDOWN_ESCAPABLE:
            out.append("\\" + character)
        elif character in EXTENSION_SYNTAX or (character == ":" and folded[position + 1: position + 2].strip()):
            out.append(f"&#{ord(character)};")
        else:
            out.append(character)
    return Markup("".join(out))


_NOTHING = Markup("")


def _finalize(value: object) -> Markup:
    """Runs on every ``{{ }}``: strings are escaped for Markdown and HTML, None prints nothing. What it
    returns is always safe to print as it is (see ``_PrintingFinalized``)."""
    kind = value.__class__
    if kind is str:  # the most common case first: this runs for every value of every page
        return markdown_text(value)
    if kind is Markup:
        return value  # type: ignore[return-value]
    if value is None:
        return _NOTHING
    if isinstance(value, Markup):
        return value
    if isinstance(value, int | float):
        return Markup(value)  # digits, a sign, a point, "inf" or "nan": nothing to escape
    if isinstance(value, str):
        return markdown_text(value)
    if isinstance(value, jinja2.Undefined):
        str(value)  # a strict undefined raises its own error, which names the missing value
    raise jinja2.TemplateRuntimeError(
        f"templates print text and numbers, not {type(value).__name__}: format it with a filter")


class _PrintingFinalized(CodeGenerator):
    """Compiles ``{{ value }}`` to ``finalize(value)`` instead of Jinja's ``escape(finalize(value))``.
    ``_finalize`` escapes every string itself and returns only Markup, which ``escape`` would copy
    once more: millions of copies, a quarter of the time to render a large company. Where escaping
    is switched off or may change at run time, Jinja's own code is kept."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._finalized_only(frame, finalize):
            self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._finalized_only(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)

    def _finalized_only(self, frame: Frame, finalize: Any) -> bool:
        return bool(frame.eval_ctx.autoescape and not frame.eval_ctx.volatile
                    and self.environment.finalize is _finalize and finalize.src is not None)


def attribute(value: object) -> Markup:
    """For an HTML attribute value or raw HTML: HTML-escaped, and every character Markdown could act on
    inside a tag written as a character reference (so no link, code span, macro or cell break)."""
    out = []
    for character in " ".join(str(value).split()):
        if character in HTML_SPECIAL:
            out.append(HTML_SPECIAL[character])
        elif character in ATTRIBUTE_SYNTAX:
            out.append(f"&#{ord(character)};")
        else:
            out.append(character)
    return Markup("".join(out))


IDENTIFIER = re.compile(r"^[A-Za-z0-9_./#-]*\Z")


def identifier(value: object) -> Markup:
    """An id, anchor, class or path the generator made from validated ids: printed as it is, and
    refused (a bug, not bad input) if it ever holds anything else."""
    text = str(value)
    if not IDENTIFIER.match(text):
        raise ValueError(f"not an identifier: {text!r}")
    return Markup(text)


def paragraphs(text: str) -> Markup:
    """Multi-line text as Markdown paragraphs, each escaped (and unindented, so never code)."""
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text.strip())]
    return Markup("\n\n").join(markdown_text(block) for block in blocks if block)


def templates_state(templates_dir: Path | None) -> tuple[tuple[str, bytes], ...]:
    """Every template file a site's pages may use (custom, then bundled) and a digest of each: what the
    pages depend on besides the company."""
    files = [path for folder in (templates_dir, BUNDLED / "site") if folder is not None and folder.is_dir()
             for path in sorted(folder.rglob("*")) if path.is_file()]
    return tuple((path.as_posix(), hashlib.blake2b(path.read_bytes(), digest_size=16).digest()) for path in files)


def site_environment(templates_dir: Path | None = None, folder: str = "site") -> jinja2.Environment:
    """The environment of Markdown templates (the site's, or the review's in ``review``): escaping for
    Markdown and HTML on by default."""
    search = [str(templates_dir)] if templates_dir is not None else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*search, str(BUNDLED / folder)]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=True,
        finalize=_finalize,
        # A build renders every page from the templates as they were when it started: one edited
        # meanwhile is not half applied. (A new environment is made when they change: templates_state.)
        auto_reload=False,
    )
    env.code_generator_class = _PrintingFinalized
    env.filters.update(attr=attribute, ident=identifier, paragraphs=paragraphs)
    return env


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100):d}%"


def signed_percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100):+d}%"


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def text_bar(value: float | None, width: int = BAR_WIDTH) -> str:
    if value is None:
        return " " * width
    filled = round(min(1.0, max(0.0, value)) * width)
    return "█" * filled + "░" * (width - filled)


def label(status: Status) -> str:
    return STATUS_LABELS[status]


def fit(text: str, width: int) -> str:
    """Cut or pad to exactly ``width`` characters, for aligned terminal columns."""
    text = " ".join(text.split())
    return text[: width - 1] + "…" if len(text) > width else text.ljust(width)


@dataclass(frozen=True, slots=True)
class TeamSection:
    team: Team
    objectives: tuple[ObjectiveProgress, ...]
    health: Health


def status_text(company: Company, evaluation: Evaluation, period: PeriodName, team_id: str | None = None,
                templates_dir: Path | None = None) -> str:
    """The terminal view of one period: each team's objectives with bars, then health by team."""
    chosen = [company.team(team_id)] if team_id else list(company.teams)
    sections = []
    for team in chosen:
        objectives = tuple(o for o in evaluation.objectives.values()
                           if o.objective.team == team.id and o.objective.period == period)
        sections.append(TeamSection(team, objectives, team_health(company, evaluation, team.id, period)))
    fys = company.fiscal_year_start
    as_of = evaluation.as_of
    day = min(max((as_of - period.start(fys)).days + 1, 0), period.days(fys))
    return environment(templates_dir).get_template("status.txt.j2").render(
        company=company, period=period, as_of=as_of.isoformat(), day=day, days=period.days(fys),
        expected=period.elapsed_share(as_of, fys), sections=[s for s in sections if s.objectives or team_id],
        health_rows=[s for s in sections if s.health.objectives and s.team.depth <= 1])
