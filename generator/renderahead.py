"""Stage 3, beside the site builder: pages rendered by a worker process while MkDocs builds.

MkDocs reads the generated pages one after the other and spends far longer on each (Markdown to
HTML, the theme, the search index) than rendering it takes. So a forked worker renders every page,
in the order MkDocs reads them, while MkDocs converts the ones before: the render stage is hidden
behind MkDocs' own work on a second core instead of coming before all of it. A process that cannot
fork (one with threads, such as ``mkdocs serve``) renders each page when it is asked for.

Once the worker is forked, this process lets go of the pages and the model they are made from: the
model is the worker's alone (1.6 GiB for 10,000 teams and four quarters), and MkDocs' own pages grow
here meanwhile. So a page the worker never sent (it was killed) cannot be made here: the build stops.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import jinja2

from generator.pages import PlannedPage
from generator.parsecache import can_fork

PARALLEL_FROM = 400
"""Fewer pages than this are rendered here: starting a worker would cost more than it saves."""
AHEAD = 256
"""How many pages the worker may render beyond the last one asked for. It renders several times
faster than MkDocs converts, and every page it has sent waits in this process until asked for: with
no limit, a whole site's Markdown did (about 1 GiB for 10,000 teams)."""
CHUNK = 16
"""Pages sent to the worker, and back, at a time."""

_planned: Sequence[PlannedPage] = ()
"""The worker's pages, inherited when it is forked (nothing is pickled but the Markdown sent back);
empty in this process again once it is."""

Rendered = tuple[str | None, str | None]
"""A page's Markdown, or what went wrong in its template."""


class RenderError(Exception):
    """A template failed on a page; the message says which and why."""


class PageUnavailableError(RenderError):
    """The worker stopped before it sent a page (it was killed), or a page was asked for a second time
    after the worker had sent it: either way the page cannot be made in this process."""


class RenderedAhead:
    """``markdown(i)`` is page ``i``'s Markdown, waiting for the worker when it has not got that far.
    ``close()`` stops the worker (at the end of a build, or when it failed)."""

    def __init__(self, planned: Sequence[PlannedPage]) -> None:
        self.paths = tuple(page.path for page in planned)
        self._here: Sequence[PlannedPage] | None = planned
        """The pages, rendered here when asked for; ``None`` once the worker has them."""
        self._done: dict[int, Rendered] = {}
        """Pages the worker has sent and MkDocs has not asked for yet: each is let go once handed over."""
        self._received = 0
        """Pages before this one have been sent back."""
        self._submitted = 0
        """Pages before this one have been given to the worker."""
        self._sending: deque[Future[list[Rendered]]] = deque()
        """The chunks given to the worker and not received yet, in order."""
        self._pool: ProcessPoolExecutor | None = None
        if len(planned) >= PARALLEL_FROM and can_fork():
            self._start_worker(planned)

    def _start_worker(self, planned: Sequence[PlannedPage]) -> None:
        global _planned
        _planned = planned  # the worker inherits them; no arguments are kept by the pool to spawn another
        try:
            self._pool = ProcessPoolExecutor(1, multiprocessing.get_context("fork"), _worker_started)
            self._submit_until(AHEAD)  # forks the worker (it is started when first given work)
            self._here = None
        except (OSError, BrokenProcessPool):  # no worker after all (no memory to fork, say): made here
            self.close()
        finally:
            _planned = ()

    def markdown(self, index: int) -> str:
        if index >= self._received and self._pool is not None:
            try:
                self._submit_until(index + 1 + AHEAD)  # before waiting: the worker goes on meanwhile
                while index >= self._received:
                    chunk = self._sending.popleft().result()
                    self._done.update(enumerate(chunk, self._received))
                    self._received += len(chunk)
                if self._received == len(self.paths):  # it has sent every page: its model is let go at once,
                    self.close()                       # not when MkDocs has written the site (half an hour)
            except BrokenProcessPool:  # the worker was killed (out of memory, say)
                self.close()
            except BaseException as exc:
                # A chunk that failed to come back (could not be sent, say) is gone from the queue:
                # going on would put every later page's Markdown under the wrong path.
                self.close()
                if not isinstance(exc, Exception):  # an interrupt stays one
                    raise
                raise PageUnavailableError(f"{self.paths[index]}: the process rendering the pages could not send "
                                           f"it ({type(exc).__name__}: {exc}; a bug: please report it)") from exc
        if index in self._done:
            markdown, failure = self._done.pop(index)
        elif self._here is not None:
            markdown, failure = _rendered(self._here[index])
        elif index < self._received:  # not kept once handed over: a whole site's Markdown would be
            raise PageUnavailableError(f"{self.paths[index]}: the page was asked for a second time, and it is "
                                       "not kept once MkDocs has read it")
        else:
            raise PageUnavailableError(f"{self.paths[index]}: the process rendering the pages stopped before "
                                       "it sent this page (was the machine out of memory?)")
        if failure is not None:
            raise RenderError(f"{self.paths[index]}: {failure}")
        assert markdown is not None
        return markdown

    def _submit_until(self, end: int) -> None:
        assert self._pool is not None
        while self._submitted < min(end, len(self.paths)):
            stop = min(self._submitted + CHUNK, len(self.paths))
            self._sending.append(self._pool.submit(_render, self._submitted, stop))
            self._submitted = stop

    def close(self) -> None:
        """Stops the worker once it has finished the pages in hand; those not started are dropped."""
        self._sending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _worker_started() -> None:
    # The model it inherited is never collected: frozen, collections do not walk it again. They are on
    # (the build forks it with the collector off), for rendering makes cycles (Jinja's contexts): left
    # alone, they took the worker from 1.7 to 3.2 GiB at 10,000 teams and four quarters.
    gc.freeze()
    gc.enable()


def _render(start: int, stop: int) -> list[Rendered]:
    return [_rendered(page) for page in _planned[start:stop]]


def _rendered(page: PlannedPage) -> Rendered:
    """The page's Markdown, or what went wrong in its template (sent back as text: an exception may
    hold objects that do not travel between processes). Not only template errors: whatever fails on a
    page must be told with that page's name, not end the worker."""
    try:
        return page.render(), None
    except jinja2.TemplateError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a bug on one page: reported with that page
        return None, f"{type(exc).__name__}: {exc} (a bug: please report it)"
