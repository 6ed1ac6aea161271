"""Stage 3, beside the site builder: pages rendered by a worker process while MkDocs builds.

MkDocs reads the generated pages one after the other and spends far longer on each (Markdown to
HTML, the theme, the search index) than rendering it takes. So a forked worker renders every page,
in the order MkDocs reads them, while MkDocs converts the ones before: the render stage is hidden
behind MkDocs' own work on a second core instead of coming before all of it. A process that cannot
fork (one with threads, such as ``mkdocs serve``) renders each page when it is asked for.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import jinja2

from generator.pages import PlannedPage
from generator.parsecache import can_fork

PARALLEL_FROM = 400
"""Fewer pages than this are rendered here: starting a worker would cost more than it saves."""

_planned: Sequence[PlannedPage] = ()
"""The worker's pages, inherited when it was forked (nothing is pickled but the Markdown sent back)."""


class RenderError(Exception):
    """A template failed on a page; the message says which and why."""


class RenderedAhead:
    """``markdown(i)`` is page ``i``'s Markdown, waiting for the worker when it has not got that far.
    ``close()`` stops the worker (at the end of a build, or when it failed)."""

    def __init__(self, planned: Sequence[PlannedPage]) -> None:
        self.planned = planned
        self._done: dict[int, tuple[str | None, str | None]] = {}
        """Pages the worker has sent and MkDocs has not asked for yet: each is let go once handed over."""
        self._received = 0
        self._pool: ProcessPoolExecutor | None = None
        self._results: Iterator[tuple[str | None, str | None]] | None = None
        if len(planned) >= PARALLEL_FROM and can_fork():
            self._pool = ProcessPoolExecutor(1, multiprocessing.get_context("fork"), _worker_started, (planned,))
            self._results = self._pool.map(_render, range(len(planned)), chunksize=16)

    def markdown(self, index: int) -> str:
        if index >= self._received and self._results is not None:
            try:
                while index >= self._received:
                    self._done[self._received] = next(self._results)
                    self._received += 1
            except BrokenProcessPool:  # the worker was killed (out of memory, say): the rest are made here
                self.close()
        # asked for again (it is not kept: a whole site's Markdown would be), or never sent: made here
        markdown, failure = self._done.pop(index) if index in self._done else _rendered(self.planned[index])
        if failure is not None:
            raise RenderError(f"{self.planned[index].path}: {failure}")
        assert markdown is not None
        return markdown

    def close(self) -> None:
        """Stops the worker once it has finished the pages in hand; those not started are dropped."""
        self._results = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _worker_started(planned: Sequence[PlannedPage]) -> None:
    global _planned
    _planned = planned
    gc.disable()  # millions of short-lived objects and no cycles; the worker ends with the build


def _render(index: int) -> tuple[str | None, str | None]:
    return _rendered(_planned[index])


def _rendered(page: PlannedPage) -> tuple[str | None, str | None]:
    """The page's Markdown, or what went wrong in its template (sent back as text: an exception may
    hold objects that do not travel between processes). Not only template errors: whatever fails on a
    page must be told with that page's name, not end the worker."""
    try:
        return page.render(), None
    except jinja2.TemplateError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a bug on one page: reported with that page
        return None, f"{type(exc).__name__}: {exc} (a bug: please report it)"
