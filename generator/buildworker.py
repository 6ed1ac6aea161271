"""The generator in a process of its own, beside MkDocs: it reads, validates and computes the
company, writes ``okrs.json``, then renders every page, in the order MkDocs reads them, into a spool
file (and where each page is into an index file) that MkDocs' process reads each page back from when
it gets to it. The pipe between them carries only the check's problems, the request, the list of pages
and the last word ("done", or what went wrong).

Why a process of its own, forked before anything is read: the model is the largest thing a build
holds (1.3 GiB for 10,000 teams and four quarters), and MkDocs' own pages are the next. Made in
MkDocs' process, the model stayed there after it was let go (freed memory is kept by the process), and
a worker forked from it had a copy of every page of it: 3.3 GiB for the two. Here, MkDocs' process
never holds it, and this worker ends as soon as it has rendered the last page, which it does several
times faster than MkDocs converts them: rendering is hidden behind MkDocs' work on a second core, and
the two processes' memory together peaks in the first minutes of the build, while the worker lives.

The spool is compressed and on disk beside the site (about 4 KB a page), not in the temporary folder
(often memory) nor in MkDocs' process. The worker and its files go when the build ends, when the
process ends without closing it, and the worker when that process is killed."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import multiprocessing
import os
import shutil
import signal
import struct
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.util import Finalize
from pathlib import Path
from types import FrameType
from typing import IO, Any

import jinja2

from generator.build import Generated, RenderError, checked, failure_of, site_files, told
from generator.errors import Problem
from generator.export import json_pieces
from generator.load import SourceTree
from generator.modelcache import ModelCache
from generator.pages import PlannedPage, SiteOptions, planned_pages
from generator.parsecache import ParseCache, can_fork, ends_with_parent
from generator.privacy import UnknownTeamError, part_view, public_view
from generator.progress import evaluate
from generator.validate import Progress, Validation, no_progress

WORKER_FROM = 100
"""Trees of fewer files are generated in MkDocs' own process: a worker would cost more than it saves."""
CHUNK = 16
"""Pages rendered before their places in the spool are written."""
PATIENCE = 1.0
"""Seconds between two looks at whether the worker is still alive while waiting for it."""
SPOOL, INDEX, DATA = "pages", "index", "okrs.json"
PLACE = struct.Struct("<QIi")
"""A page's entry in the index: where it is in the spool, how long, and whether it is the page (0) or
what went wrong in its template (1). The index is a file, not messages: a pipe holds a few thousand
pages' worth, and the worker would wait for MkDocs to read them instead of ending."""
PAGE, FAILURE = 0, 1


class GenerationError(Exception):
    """The worker could not make the pages (an unknown team, a broken template): the message says why."""


class PageUnavailableError(RenderError):
    """The worker stopped (it was killed) before it rendered a page."""


ProgressOf = Callable[[int], AbstractContextManager[Progress]]
"""A progress display for a check of that many files."""


@dataclass(frozen=True, slots=True)
class Checked:
    problems: tuple[Problem, ...]
    valid: bool
    """The tree has no error: the site can be made."""


@dataclass(frozen=True, slots=True)
class _Request:
    as_of: dt.date
    include_private: bool
    options: SiteOptions
    teams: tuple[str, ...]


def worth_a_worker(tree: SourceTree) -> bool:
    return tree.file_count >= WORKER_FROM and can_fork()


class GenerationWorker:
    """Forked when made; ``checked()`` is the check's outcome, ``generate()`` the site's pages (each
    rendered by the worker, read back when asked for); ``close()`` stops it and removes its files."""

    def __init__(self, tree: SourceTree, cache: Path | None, beside: Path | None,
                 progress: ProgressOf | None = None) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix=".okrs-build-", dir=beside))
        """The spool, its index and okrs.json: beside the site (the temporary folder is often memory)."""
        self._checked: Checked | None = None
        self._paths: tuple[str, ...] = ()
        self._spool: int | None = None
        self._index: int | None = None
        self._failure: str | None = None
        """Why the worker stopped before it rendered every page, when it could tell."""
        self._ended = False
        """The worker said its last word (or died): it is waited for, not stopped."""
        context = multiprocessing.get_context("fork")
        here, there = context.Pipe()
        self._connection: Connection | None = here
        # Nothing is pickled on the way in: the worker is forked with these.
        self._process = context.Process(target=_work, name="okrs-generator",
                                        args=(there, here, os.getpid(), tree, cache, self._folder, progress))
        try:
            self._process.start()
        except BaseException:
            here.close()
            self._connection = None
            shutil.rmtree(self._folder, ignore_errors=True)
            raise
        finally:
            there.close()  # else this process would never see the worker's end of the pipe close
        # When this process ends without closing it (an interrupt, say), the worker is stopped and its files
        # removed, before multiprocessing waits for its children to end (a priority of 0 or more runs first).
        self._cleanup = Finalize(self, _cleanup, args=(self._process, self._folder), exitpriority=10)

    def checked(self) -> Checked:
        """The problems of the tree; waits for the worker's check."""
        if self._checked is None:
            message = self._next("it checked the files")
            self._checked = Checked(message[1], message[2])
            self._ended = not self._checked.valid
        return self._checked

    def generate(self, *, as_of: dt.date, include_private: bool, options: SiteOptions,
                 teams: Sequence[str]) -> Generated:
        """The site's pages and files, or only the problems when the tree has errors; raises
        ``GenerationError`` when the pages cannot be made."""
        checked = self.checked()
        if not checked.valid:
            self.close()
            return Generated(checked.problems, (), ())
        assert self._connection is not None
        with contextlib.suppress(OSError):  # it stopped: told by the next message not coming
            self._connection.send(_Request(as_of, include_private, options, tuple(teams)))
        message = self._next("it made the pages")
        assert message[0] == "planned"
        planned: list[tuple[str, str | None]] = message[1]
        self._paths = tuple(path for path, _ in planned)
        self._spool = os.open(self._folder / SPOOL, os.O_RDONLY)
        self._index = os.open(self._folder / INDEX, os.O_RDONLY)
        pages = tuple(PlannedPage(path, source, _Reading(self, index)) for index, (path, source) in enumerate(planned))
        data = self._folder / DATA
        return Generated(checked.problems, pages, site_files(lambda: _pieces(data)), closing=self.close)

    def markdown(self, index: int) -> str:
        """Page ``index``'s Markdown, waiting for the worker when it has not got that far."""
        assert self._spool is not None and self._index is not None
        while len(place := os.pread(self._index, PLACE.size, index * PLACE.size)) < PLACE.size:
            if self._connection is None:
                raise PageUnavailableError(f"{self._paths[index]}: the process rendering the pages stopped before "
                                           f"it rendered this page ({self._why()})")
            self._listen(PATIENCE / 50)
        offset, length, kind = PLACE.unpack(place)
        text = zlib.decompress(os.pread(self._spool, length, offset)).decode("utf-8", "surrogatepass")
        if kind == FAILURE:
            raise RenderError(f"{self._paths[index]}: {text}")
        return text

    def _why(self) -> str:
        if self._failure is not None:
            return self._failure
        code = self._process.exitcode
        if code is not None and code < 0:
            return f"it was killed by signal {-code}: was the machine out of memory?"
        return "was the machine out of memory?"

    def _listen(self, seconds: float) -> None:
        """Takes the worker's next word, if it says one within ``seconds``: the last ("done"), what went
        wrong, or nothing when it ended."""
        assert self._connection is not None
        if not self._connection.poll(seconds) and self._process.is_alive():
            return
        message = self._receive() or ("ended",)
        if message[0] == "failed":
            self._failure = message[1]
        self._ended = True
        self._end_process()  # it has ended, or ends now: its memory is given back at once

    def _next(self, what: str) -> tuple[Any, ...]:
        """The worker's next message; raises ``GenerationError`` when it failed (a bug, an unknown team,
        a file it could not write) or stopped without one."""
        message = self._receive()
        if message is not None and message[0] != "failed":
            return message
        if message is None:
            failure = f"the process making the pages stopped before {what} ({self._why()})"
        else:
            failure = message[1]
        self._ended = True
        self.close()
        raise GenerationError(failure)

    def _receive(self) -> tuple[Any, ...] | None:
        """The next message, or ``None`` once the worker has ended: its end of the pipe closed, or it
        died while a process it forked (for parsing) still holds that end."""
        connection = self._connection
        if connection is None:
            return None
        try:
            while not connection.poll(PATIENCE):
                if not self._process.is_alive() and not connection.poll():
                    self._end_process()
                    return None
            message: tuple[Any, ...] = connection.recv()
            return message
        except (EOFError, OSError):
            self._end_process()
            return None

    def _end_process(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._process.pid is None:
            return
        self._process.join(timeout=PATIENCE)
        if self._process.is_alive():  # still at work: not needed any more
            _stop(self._process)

    def close(self) -> None:
        """Stops the worker (the pages it has not rendered are left) and removes its files."""
        if not self._ended and self._process.is_alive():
            self._process.terminate()
        self._end_process()
        for handle in (self._spool, self._index):
            if handle is not None:
                os.close(handle)
        self._spool = self._index = None
        self._cleanup()


def _stop(process: BaseProcess) -> None:
    """Terminates it, then kills it if it does not end within a few seconds."""
    process.terminate()
    process.join(timeout=5 * PATIENCE)
    if process.is_alive():
        process.kill()
        process.join()


def _cleanup(process: BaseProcess, folder: Path) -> None:
    if process.pid is not None and process.is_alive():
        _stop(process)
    shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class _Reading:
    """A page's ``render``: read back from the worker's spool."""

    worker: GenerationWorker
    index: int

    def __call__(self) -> str:
        return self.worker.markdown(self.index)


def _pieces(path: Path) -> Iterator[bytes]:
    """The worker's okrs.json, a mebibyte at a time, through a handle of its own for each reading."""
    with path.open("rb") as data:
        while piece := data.read(1 << 20):
            yield piece


# --- in the worker --------------------------------------------------------------------------------

def _work(connection: Connection, others: Connection, parent: int, tree: SourceTree, cache: Path | None,
          folder: Path, progress: ProgressOf | None) -> None:
    others.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is MkDocs' process's to handle: it stops this one
    # as an exception: the parsing processes it started are stopped too
    signal.signal(signal.SIGTERM, functools.partial(_exit, parent, os.getpid(), folder))
    ends_with_parent(parent)
    gc.disable()  # millions of new objects and no cycles while the model is made (as in the check)
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # MkDocs' process went away: nothing to do
        try:
            _generate(connection, tree, cache, folder, progress)
        except (BrokenPipeError, ConnectionResetError):
            raise
        except OSError as exc:  # no room left beside the site, say
            connection.send(("failed", f"{exc.strerror or exc}: {exc.filename or folder}"))
        except Exception as exc:  # a bug: told, not left for a traceback and a guess at the memory
            connection.send(("failed", f"{type(exc).__name__}: {exc} (a bug: please report it)"))


def _generate(connection: Connection, tree: SourceTree, cache: Path | None, folder: Path,
              progress: ProgressOf | None) -> None:
    outcome = _checked(tree, cache, progress)
    del tree
    connection.send(("checked", outcome.problems, outcome.company is not None))
    if outcome.company is None:
        return
    try:
        request = connection.recv()
    except EOFError:  # the build stopped
        return
    try:
        planned = _planned(outcome, request, folder / DATA)
    except GenerationError as exc:
        connection.send(("failed", str(exc)))
        return
    del outcome
    # What the model holds is never collected: frozen, collections do not walk it again. They are on
    # for rendering, which makes cycles (Jinja's contexts): left alone, they doubled this process.
    gc.freeze()
    gc.enable()
    with (folder / SPOOL).open("wb") as spool, (folder / INDEX).open("wb") as index:
        connection.send(("planned", [(page.path, page.source) for page in planned]))  # both opened at once
        for start in range(0, len(planned), CHUNK):
            places = [_spooled(page, spool) for page in planned[start:start + CHUNK]]
            spool.flush()  # before the places are written: a page is read as soon as its place is
            index.write(b"".join(places))
            index.flush()
    connection.send(("done",))


def _exit(parent: int, worker: int, folder: Path, signal_number: int, frame: FrameType | None) -> None:
    # Only the worker itself, when MkDocs' process was killed (no one else removes the spool then): the
    # processes it parses with inherit this handler, and are stopped with SIGTERM when the parsing is done.
    if os.getpid() == worker and os.getppid() != parent:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1)


def _checked(tree: SourceTree, cache: Path | None, progress: ProgressOf | None) -> Validation:
    shown: Callable[[], AbstractContextManager[Progress]] = (
        (lambda: progress(tree.file_count)) if progress is not None else lambda: contextlib.nullcontext(no_progress))
    return checked(tree, ParseCache(cache), shown, reuse=ModelCache(cache))


def _planned(outcome: Validation, request: _Request, data: Path) -> Sequence[PlannedPage]:
    """The pages, each still to be rendered, with ``okrs.json`` written; raises ``GenerationError``
    with the message MkDocs shows."""
    assert outcome.company is not None
    try:
        company = part_view(public_view(outcome.company, include_private=request.include_private), request.teams)
        evaluation = evaluate(company, request.as_of)
        planned = planned_pages(company, evaluation, request.options)
        with data.open("wb") as output:
            output.writelines(json_pieces(company, evaluation))
    except (UnknownTeamError, jinja2.TemplateError) as exc:
        raise GenerationError(told(exc)) from None
    except OSError as exc:  # no space left for okrs.json, say
        raise GenerationError(str(exc)) from None
    return planned


def _spooled(page: PlannedPage, spool: IO[bytes]) -> bytes:
    """Renders the page into the spool, and says where it is. Not only template errors: whatever fails
    on a page is told with that page's name."""
    try:
        text, kind = page.render(), PAGE
    except Exception as exc:  # a bug on one page too: reported with that page
        text, kind = failure_of(exc), FAILURE
    offset = spool.tell()
    return PLACE.pack(offset, spool.write(zlib.compress(text.encode("utf-8", "surrogatepass"), 1)), kind)


def started(tree: SourceTree, cache: Path | None, beside: Path | None,
            progress: ProgressOf | None = None) -> GenerationWorker | None:
    """A worker for a tree worth one, from a process that can fork; ``None`` otherwise."""
    if not worth_a_worker(tree):
        return None
    with contextlib.suppress(OSError):  # cannot fork (no memory), or no room for the spool: generated here
        return GenerationWorker(tree, cache, beside if beside is not None and beside.is_dir() else None, progress)
    return None
