"""Pages rendered by a worker process while MkDocs builds: the same pages, in any order asked for;
a template that fails in the worker is a clear error; the worker is stopped when the build ends."""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from generator import renderahead
from generator.load import read_tree
from generator.pages import DEFAULT_OPTIONS, SiteOptions, planned_pages
from generator.privacy import public_view
from generator.progress import evaluate
from generator.renderahead import PageUnavailableError, RenderedAhead, RenderError
from generator.validate import validate
from tests.sitekit import REPO, copy_project, digest


def _planned(options: SiteOptions = DEFAULT_OPTIONS) -> tuple[renderahead.PlannedPage, ...]:
    company = validate(read_tree(REPO / "okrs", "okrs")).company
    assert company is not None
    public = public_view(company)
    return planned_pages(public, evaluate(public, dt.date(2026, 11, 28)), options)


@pytest.fixture(autouse=True)
def forkable() -> None:
    """A worker is forked only from a process with one thread: the executor of the test before may
    still be ending its own."""
    deadline = time.monotonic() + 10
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.01)


def test_the_worker_renders_every_page_as_this_process_would(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(renderahead, "PARALLEL_FROM", 1)
    planned = _planned()
    expected = [page.render() for page in planned]
    rendering = RenderedAhead(planned)
    try:
        assert rendering._pool is not None, "the test process must be able to fork for this test to mean anything"
        order = [5, 0, len(planned) - 1, *range(1, 5), *range(6, len(planned) - 1)]  # ahead, then back
        assert [rendering.markdown(index) for index in order] == [expected[index] for index in order]
        assert rendering._done == {}  # each page let go once handed over: a site's Markdown is not held
    finally:
        rendering.close()
    assert rendering._pool is None


def test_this_process_lets_go_of_the_pages_once_the_worker_has_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model they are made from is the worker's alone: a page asked for twice is an error, not a
    second rendering here."""
    monkeypatch.setattr(renderahead, "PARALLEL_FROM", 1)
    planned = _planned()
    rendering = RenderedAhead(planned)
    try:
        assert rendering._here is None and renderahead._planned == ()
        assert rendering.markdown(2) == planned[2].render()
        with pytest.raises(PageUnavailableError, match=rf"^{planned[2].path}: the page was asked for a second time"):
            rendering.markdown(2)
    finally:
        rendering.close()


def test_the_worker_keeps_only_a_few_pages_ahead_of_those_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page it has sent waits in this process until MkDocs asks for it: unbounded, a large
    site's whole Markdown would."""
    monkeypatch.setattr(renderahead, "PARALLEL_FROM", 1)
    monkeypatch.setattr(renderahead, "AHEAD", 5)
    monkeypatch.setattr(renderahead, "CHUNK", 2)
    planned = _planned()
    assert len(planned) > 20
    rendering = RenderedAhead(planned)
    try:
        assert rendering._pool is not None
        for index in range(len(planned)):
            assert rendering.markdown(index) == planned[index].render()
            assert (rendering._pool is None) == (rendering._received == len(planned))
            assert rendering._submitted <= index + 1 + 5 + 1  # rounded up to whole chunks
            assert len(rendering._done) <= 1 + 1
        assert rendering._submitted == len(planned)
        assert rendering._pool is None, "the worker is stopped once it has sent every page"
    finally:
        rendering.close()


def test_few_pages_are_rendered_here_when_asked_for() -> None:
    planned = _planned()
    assert len(planned) < renderahead.PARALLEL_FROM
    rendering = RenderedAhead(planned)
    assert rendering._pool is None
    assert rendering.markdown(3) == planned[3].render()


@pytest.mark.parametrize("parallel_from", [1, 10**6])
def test_a_template_failing_on_a_page_names_the_page(parallel_from: int, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(renderahead, "PARALLEL_FROM", parallel_from)
    (tmp_path / "person.md.j2").write_text("# {{ someone.name }}\n{{ no_such_value }}\n", encoding="utf-8")
    planned = _planned(SiteOptions(templates_dir=tmp_path))
    rendering = RenderedAhead(planned)
    try:
        person = next(index for index, page in enumerate(planned) if page.path.startswith("people/") and
                      page.path != "people/index.md")
        assert rendering.markdown(0).startswith("---")
        failure = rf"^{planned[person].path}: UndefinedError: 'no_such_value' is undefined$"
        with pytest.raises(RenderError, match=failure):
            rendering.markdown(person)
    finally:
        rendering.close()


def _built(project: Path, site: str) -> Path:
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / site))
    build(config)
    return project / site


def test_a_site_built_with_the_worker_is_the_same_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795824000")
    alone = _built(project, "alone")
    started: list[tuple[RenderedAhead, bool]] = []
    original = RenderedAhead.__init__

    def recorded(self: RenderedAhead, planned: tuple[renderahead.PlannedPage, ...]) -> None:
        original(self, planned)
        started.append((self, self._pool is not None))

    monkeypatch.setattr(renderahead, "PARALLEL_FROM", 1)
    monkeypatch.setattr(RenderedAhead, "__init__", recorded)
    with_worker = _built(project, "with-worker")
    assert [with_pool for _, with_pool in started] == [True]
    assert started[0][0]._pool is None, "the worker is stopped when the build ends"
    assert digest(with_worker) == digest(alone)


def test_a_template_failing_in_the_worker_stops_the_build_with_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    project = copy_project(tmp_path / "project")
    (project / "overrides").mkdir()
    (project / "overrides" / "person.md.j2").write_text("{{ no_such_value }}\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    settings = config.read_text(encoding="utf-8").replace(
        "      include_private: false", "      include_private: false\n      templates_dir: overrides")
    config.write_text(settings, encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setattr(renderahead, "PARALLEL_FROM", 1)
    with pytest.raises(Abort, match="BuildError"):
        _built(project, "site")
    assert any(re.match(r"okrs: a page template failed: people/[a-z-]+\.md: UndefinedError: 'no_such_value' is "
                        "undefined$", record.getMessage()) for record in caplog.records)


def test_a_killed_worker_stops_at_the_first_page_it_did_not_send(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(renderahead, "PARALLEL_FROM", 1)
    monkeypatch.setattr(renderahead, "AHEAD", 2)
    monkeypatch.setattr(renderahead, "CHUNK", 1)

    def slowly(render: Callable[[], str]) -> Callable[[], str]:
        def slow() -> str:
            time.sleep(0.05)  # the worker is still at work when it is killed
            return render()
        return slow

    planned = [renderahead.PlannedPage(p.path, p.source, slowly(p.render)) for p in _planned()]
    rendering = RenderedAhead(planned)
    try:
        assert rendering._pool is not None
        assert rendering.markdown(0) == _planned()[0].render()
        for process in list(rendering._pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
        made = 1
        with pytest.raises(PageUnavailableError, match="the process rendering the pages stopped before it sent "
                                                       r"this page \(was the machine out of memory\?\)$"):
            for index in range(1, len(planned)):
                rendering.markdown(index)
                made += 1
        assert made <= 1 + 2, "no more than the pages it had sent before it was killed"
        assert rendering._pool is None
    finally:
        rendering.close()


def test_a_build_whose_worker_is_killed_fails_and_names_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    monkeypatch.setattr(renderahead, "PARALLEL_FROM", 1)
    original = RenderedAhead._start_worker

    def killed_at_once(self: RenderedAhead, planned: tuple[renderahead.PlannedPage, ...]) -> None:
        original(self, planned)
        assert self._pool is not None
        for process in list(self._pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)

    monkeypatch.setattr(RenderedAhead, "_start_worker", killed_at_once)
    with pytest.raises(Abort, match="BuildError"):
        _built(project, "site")
    assert any(re.match(r"okrs: \S+\.md: the process rendering the pages stopped before it sent this page",
                        record.getMessage()) for record in caplog.records)


def test_a_bug_on_one_page_is_reported_with_that_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(renderahead, "PARALLEL_FROM", 1)
    planned = list(_planned())

    def broken() -> str:
        raise ZeroDivisionError("division by zero")

    planned[7] = renderahead.PlannedPage(planned[7].path, planned[7].source, broken)
    rendering = RenderedAhead(planned)
    try:
        assert rendering.markdown(9) == planned[9].render()  # the worker went on past the broken page
        with pytest.raises(RenderError, match=rf"^{planned[7].path}: ZeroDivisionError: division by zero"):
            rendering.markdown(7)
        assert rendering.markdown(8) == planned[8].render()
    finally:
        rendering.close()


def test_a_chunk_that_never_came_back_stops_the_pages_instead_of_shifting_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every later page would otherwise be handed over under the path of the page before it."""
    monkeypatch.setattr(renderahead, "PARALLEL_FROM", 1)
    monkeypatch.setattr(renderahead, "CHUNK", 2)
    planned = list(_planned())

    def unsendable() -> str:
        return threading.Lock()  # type: ignore[return-value]  # the worker cannot send it back

    planned[4] = renderahead.PlannedPage(planned[4].path, planned[4].source, unsendable)
    rendering = RenderedAhead(planned)
    try:
        assert rendering.markdown(3) == planned[3].render()
        with pytest.raises(PageUnavailableError, match=rf"^{planned[4].path}: the process rendering the pages could "
                                                       r"not send it \(TypeError: .*pickle"):
            rendering.markdown(4)
        with pytest.raises(PageUnavailableError, match=rf"^{planned[6].path}: the process rendering the pages stopped"):
            rendering.markdown(6)
        assert rendering._pool is None
    finally:
        rendering.close()


def test_the_worker_collects_cycles_though_forked_with_the_collector_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """The build forks it while the collector is off; rendering makes reference cycles (Jinja's
    contexts), which would never be freed."""
    monkeypatch.setattr(renderahead, "PARALLEL_FROM", 1)
    planned = [renderahead.PlannedPage(f"{index}.md", None, lambda: str(gc.isenabled())) for index in range(3)]
    gc.disable()
    try:
        rendering = RenderedAhead(planned)
    finally:
        gc.enable()
    try:
        assert rendering._pool is not None
        assert rendering.markdown(0) == "True"
    finally:
        rendering.close()
