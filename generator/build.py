"""The whole pipeline in one function: read, validate, hide what is private, compute, render."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.errors import Problem
from generator.export import json_pieces
from generator.load import SourceTree, read_tree
from generator.model import Company
from generator.modelcache import ModelCache
from generator.pages import DATA_PATH, DEFAULT_OPTIONS, PlannedPage, SiteOptions, planned_pages
from generator.parsecache import ParseCache, parsing
from generator.privacy import UnknownTeamError, part_view, public_view
from generator.progress import evaluate
from generator.reads import Reads
from generator.render import templates_state
from generator.rerender import Remembered, Rerendering
from generator.validate import Progress, Reuse, Validation, no_progress, validate

ASSETS = Path(__file__).parent / "assets"
STYLESHEET = "assets/okrs/okrs.css"


@dataclass(frozen=True, slots=True)
class SiteFile:
    """A file of the site besides its pages, read in pieces as it is written: ``okrs.json`` (160 MB
    for 10,000 teams) is never held whole."""

    path: str
    pieces: Callable[[], Iterable[bytes]]

    def content(self) -> bytes:
        return b"".join(self.pieces())


@dataclass(frozen=True, slots=True)
class Generated:
    """The outcome of one generation: every problem, and the pages when there was no error."""

    problems: tuple[Problem, ...]
    pages: tuple[PlannedPage, ...]
    """Rendered when asked for (``render()``, which raises ``RenderError`` naming the page), in this order by a
    worker process where there is one."""
    files: tuple[SiteFile, ...]
    """Other files of the site: the stylesheet and ``okrs.json``."""
    rerendering: Rerendering | None = None
    """When asked to remember: which pages were kept from the build before, and what to remember of this one."""
    closing: Callable[[], None] | None = None
    """Stops the process rendering the pages, and removes its files (see ``generator.buildworker``)."""

    @property
    def failed(self) -> bool:
        return any(p.severity.value == "error" for p in self.problems)

    def close(self) -> None:
        """Lets go of whatever the pages are rendered by, once they are no longer asked for."""
        if self.closing is not None:
            self.closing()


class RenderError(Exception):
    """A page failed to render: the message names the page and says why."""


def failure_of(exc: Exception) -> str:
    """Why a page failed, as told: a template's error, or a bug."""
    if isinstance(exc, jinja2.TemplateError):
        return f"{type(exc).__name__}: {exc}"
    return f"{type(exc).__name__}: {exc} (a bug: please report it)"


def telling(page: PlannedPage) -> PlannedPage:
    """The page, whose ``render`` raises ``RenderError`` naming it for whatever fails."""
    return PlannedPage(page.path, page.source, functools.partial(_render_telling, page))


def _render_telling(page: PlannedPage) -> str:
    try:
        return page.render()
    except Exception as exc:
        raise RenderError(f"{page.path}: {failure_of(exc)}") from None


def told(exc: UnknownTeamError | jinja2.TemplateError) -> str:
    """Why the pages could not be made, as the build says it."""
    if isinstance(exc, UnknownTeamError):
        return f"teams: {exc}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template {exc.filename or exc.name}:{exc.lineno}: {exc.message}"
    return f"a page template failed: {exc}"


def checked(tree: SourceTree, cache: ParseCache,
            progress: Callable[[], AbstractContextManager[Progress]] = lambda: nullcontext(no_progress),
            reuse: Reuse | None = None, cross_file: bool = True) -> Validation:
    """``validate``, with the files parsed on every core, or read back from ``cache`` when a run before parsed them;
    period files validated before (in ``reuse``, else in the cache's folder) are neither parsed nor validated again.
    ``progress`` is entered once the parsing workers have started: a progress bar's drawing thread would
    otherwise keep them from starting (a process with threads is not forked)."""
    with parsing(tree.files(), cache) as parser, progress() as told:
        return validate(tree, told, parser, reuse if reuse is not None else ModelCache(cache.root),
                        parser.content_key, cross_file)


def generate(source: Path, shown: str, *, as_of: dt.date, include_private: bool = False,
             options: SiteOptions = DEFAULT_OPTIONS, teams: Sequence[str] = (),
             validation: Validation | None = None, cache: ParseCache | None = None,
             reuse: Reuse | None = None, remember: bool = False, before: Remembered | None = None) -> Generated:
    """Read ``source`` and produce the site's pages; nothing is rendered when the tree has errors.
    ``teams`` limits the site to those teams (see ``part_view``); it raises ``UnknownTeamError`` for an unknown one.
    ``validation`` is the validation of ``source`` when the caller has just made it (it is not read again);
    ``cache`` keeps parsed and validated files for the next run; ``reuse`` is where validated ones are looked for.
    ``remember`` notes what each page reads, for the next build in this process, which passes this one's
    ``rerendering.remembered()`` as ``before``: then only the pages an edit can have changed are rendered."""
    result = validation if validation is not None else checked(read_tree(source, shown), cache or ParseCache(None),
                                                               reuse=reuse)
    if result.company is None:
        return Generated(result.problems, (), ())
    company = part_view(public_view(result.company, include_private=include_private), teams)
    if remember:
        return _generated_again(result.problems, company, as_of, options, (include_private, tuple(teams)), before)
    evaluation = evaluate(company, as_of)
    planned = planned_pages(company, evaluation, options)
    return Generated(result.problems, tuple(telling(page) for page in planned),
                     site_files(functools.partial(json_pieces, company, evaluation)))


def _generated_again(problems: tuple[Problem, ...], company: Company, as_of: dt.date, options: SiteOptions,
                     choices: tuple[bool, tuple[str, ...]], before: Remembered | None) -> Generated:
    """``generate`` for a build that remembers: pages rendered here, as asked for, each noting its reads
    (a rendering worker would note them in its own memory); those an edit cannot have changed kept."""
    evaluation = evaluate(company, as_of, before.evaluation if before is not None else None)
    reads = Reads()
    planned = planned_pages(company, evaluation, options, reads)
    setting = (options, choices, templates_state(options.templates_dir))
    rerendering = Rerendering(planned, reads, before, company, evaluation, setting)
    return Generated(problems, tuple(telling(page) for page in rerendering.pages), site_files(rerendering.exported),
                     rerendering=rerendering)


def site_files(data: Callable[[], Iterable[bytes]]) -> tuple[SiteFile, ...]:
    """The site's files besides its pages: the stylesheet, and ``okrs.json`` written by ``data``."""
    stylesheet = (ASSETS / "okrs.css").read_bytes()
    return SiteFile(STYLESHEET, lambda: (stylesheet,)), SiteFile(DATA_PATH, data)
