"""The generator in a process of its own beside MkDocs: the same pages and the same site as made in
MkDocs' process, clear errors from it, and nothing of the model in MkDocs' process."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from generator import buildworker, cli, parsecache
from generator.build import generate
from generator.buildworker import GenerationError, GenerationWorker, PageUnavailableError, RenderError
from generator.load import read_tree
from generator.model import Objective
from generator.pages import DEFAULT_OPTIONS, PlannedPage, SiteOptions
from tests.sitekit import AS_OF, REPO, copy_project, digest

AS_OF_DATE = dt.date.fromisoformat(AS_OF)


@pytest.fixture(autouse=True)
def forkable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker for every tree, and forked only from a process with one thread: the test before may
    still be ending its own threads."""
    monkeypatch.setattr(buildworker, "WORKER_FROM", 1)
    deadline = time.monotonic() + 10
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[[], GenerationWorker]]:
    """Forks a worker for the example (after the test's own patches: the worker is forked with them)."""
    workers: list[GenerationWorker] = []

    def started() -> GenerationWorker:
        worker = buildworker.started(read_tree(REPO / "okrs", "okrs"), None, tmp_path)
        assert worker is not None, "the test process must be able to fork for these tests to mean anything"
        workers.append(worker)
        return worker

    yield started
    for worker in workers:
        worker.close()


def _here(options: SiteOptions = DEFAULT_OPTIONS) -> tuple[PlannedPage, ...]:
    return generate(REPO / "okrs", "okrs", as_of=AS_OF_DATE, options=options).pages


def _ended(worker: GenerationWorker, seconds: float = 20) -> bool:
    """It ended of itself (not stopped by this process) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while worker._process.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    return worker._process.exitcode == 0


def test_the_worker_makes_the_pages_this_process_would(start: Callable[[], GenerationWorker]) -> None:
    here = _here()
    worker = start()
    generated = worker.generate(as_of=AS_OF_DATE, include_private=False, options=DEFAULT_OPTIONS, teams=())
    assert [(page.path, page.source) for page in generated.pages] == [(page.path, page.source) for page in here]
    order = [5, 0, len(here) - 1, *range(1, 5), *range(6, len(here) - 1), 5]  # ahead, back, and one again
    assert [generated.pages[index].render() for index in order] == [here[index].render() for index in order]
    assert [file.content() for file in generated.files] == [file.content() for file in
                                                            generate(REPO / "okrs", "okrs", as_of=AS_OF_DATE).files]


def test_the_worker_ends_once_it_has_rendered_the_last_page(start: Callable[[], GenerationWorker],
                                                            tmp_path: Path) -> None:
    """Its memory (the model) is given back long before MkDocs has read the pages; they wait on disk,
    beside the site, and are removed with it."""
    worker = start()
    generated = worker.generate(as_of=AS_OF_DATE, include_private=False, options=DEFAULT_OPTIONS, teams=())
    assert _ended(worker), "the worker went on after it had rendered every page"
    [folder] = tmp_path.glob(".okrs-build-*")
    assert (folder / buildworker.SPOOL).stat().st_size > 0
    assert [page.render() for page in generated.pages] == [page.render() for page in _here()]
    generated.close()
    assert not folder.exists()


def test_the_worker_ends_however_many_pages_wait_to_be_read(start: Callable[[], GenerationWorker],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the pages are is written to a file, not sent: a pipe holds a few thousand pages' worth, and
    the worker would wait for MkDocs to read them, holding the model, instead of ending."""
    monkeypatch.setattr(buildworker, "planned_pages", lambda *args, **kwargs: tuple(
        PlannedPage(f"{index}.md", None, functools.partial(str, index)) for index in range(20_000)))
    worker = start()
    generated = worker.generate(as_of=AS_OF_DATE, include_private=False, options=DEFAULT_OPTIONS, teams=())
    assert _ended(worker, 60), "the worker waited for its pages to be read"
    assert [generated.pages[index].render() for index in (19_999, 0, 12_345)] == ["19999", "0", "12345"]


def test_this_process_never_holds_the_model(tmp_path: Path) -> None:
    def objectives() -> int:
        return sum(isinstance(thing, Objective) for thing in gc.get_objects())

    before = objectives()
    worker = buildworker.started(read_tree(REPO / "okrs", "okrs"), None, tmp_path)
    assert worker is not None
    try:
        generated = worker.generate(as_of=AS_OF_DATE, include_private=False, options=DEFAULT_OPTIONS, teams=())
        assert generated.pages[0].render().startswith("---")
        assert objectives() == before
    finally:
        worker.close()
    with_model_here = generate(REPO / "okrs", "okrs", as_of=AS_OF_DATE)
    assert objectives() > before, "the count sees a model made in this process"
    del with_model_here


def test_a_tree_with_errors_gives_its_problems_and_no_pages(tmp_path: Path) -> None:
    broken = tmp_path / "okrs"
    shutil.copytree(REPO / "okrs", broken)
    period = next(broken.rglob("2026-Q4.yaml"))
    period.write_text(period.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    worker = buildworker.started(read_tree(broken, "okrs"), None, tmp_path)
    assert worker is not None
    try:
        checked = worker.checked()
        assert not checked.valid
        here = generate(broken, "okrs", as_of=AS_OF_DATE)
        assert checked.problems == here.problems and here.failed
        generated = worker.generate(as_of=AS_OF_DATE, include_private=False, options=DEFAULT_OPTIONS, teams=())
        assert generated.failed and generated.pages == ()
        assert _ended(worker)
    finally:
        worker.close()


def test_an_unknown_team_is_a_clear_error(start: Callable[[], GenerationWorker]) -> None:
    worker = start()
    with pytest.raises(GenerationError, match=r"^teams: .*no-such-team"):
        worker.generate(as_of=AS_OF_DATE, include_private=False, options=DEFAULT_OPTIONS, teams=("no-such-team",))
    assert _ended(worker, 1)


@pytest.mark.parametrize("broken_step", ["_checked", "evaluate"])  # during the check, and after it
def test_a_bug_in_the_worker_is_told_as_one(broken_step: str, start: Callable[[], GenerationWorker],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(buildworker, broken_step, broken)
    worker = start()
    with pytest.raises(GenerationError, match=r"^ZeroDivisionError: division by zero \(a bug: please report it\)$"):
        worker.generate(as_of=AS_OF_DATE, include_private=False, options=DEFAULT_OPTIONS, teams=())


def test_a_template_failing_on_a_page_names_the_page(start: Callable[[], GenerationWorker], tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "person.md.j2").write_text("# {{ someone.name }}\n{{ no_such_value }}\n", encoding="utf-8")
    worker = start()
    generated = worker.generate(as_of=AS_OF_DATE, include_private=False, options=SiteOptions(templates_dir=templates),
                                teams=())
    person = next(index for index, page in enumerate(generated.pages)
                  if page.path.startswith("people/") and page.path != "people/index.md")
    assert generated.pages[0].render().startswith("---")
    with pytest.raises(RenderError, match=rf"^{generated.pages[person].path}: UndefinedError: 'no_such_value' is "
                                          "undefined$"):
        generated.pages[person].render()


def test_a_template_that_does_not_parse_is_a_clear_error(start: Callable[[], GenerationWorker],
                                                         tmp_path: Path) -> None:
    (tmp_path / "person.md.j2").write_text("{% if %}\n", encoding="utf-8")
    worker = start()
    with pytest.raises(GenerationError, match=r"^template .*person\.md\.j2:1: "):
        worker.generate(as_of=AS_OF_DATE, include_private=False, options=SiteOptions(templates_dir=tmp_path), teams=())


def test_a_bug_on_one_page_is_reported_with_that_page(start: Callable[[], GenerationWorker],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    original = buildworker.planned_pages

    def with_a_broken_page(*args: object, **kwargs: object) -> tuple[PlannedPage, ...]:
        planned = list(original(*args, **kwargs))  # type: ignore[arg-type]

        def broken() -> str:
            raise ZeroDivisionError("division by zero")

        planned[7] = PlannedPage(planned[7].path, planned[7].source, broken)
        return tuple(planned)

    monkeypatch.setattr(buildworker, "planned_pages", with_a_broken_page)  # the worker is forked with it
    worker = start()
    generated = worker.generate(as_of=AS_OF_DATE, include_private=False, options=DEFAULT_OPTIONS, teams=())
    here = _here()
    assert generated.pages[9].render() == here[9].render()  # it went on past the broken page
    with pytest.raises(RenderError, match=rf"^{here[7].path}: ZeroDivisionError: division by zero \(a bug"):
        generated.pages[7].render()
    assert generated.pages[8].render() == here[8].render()


def _slowly(render: Callable[[], str]) -> Callable[[], str]:
    def slow() -> str:
        time.sleep(0.05)  # the worker is still at work when it is killed
        return render()
    return slow


def test_a_killed_worker_stops_at_the_first_page_it_did_not_render(start: Callable[[], GenerationWorker],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    original = buildworker.planned_pages
    monkeypatch.setattr(buildworker, "CHUNK", 1)
    monkeypatch.setattr(buildworker, "planned_pages", lambda *args, **kwargs: tuple(
        PlannedPage(p.path, p.source, _slowly(p.render)) for p in original(*args, **kwargs)))
    worker = start()
    generated = worker.generate(as_of=AS_OF_DATE, include_private=False, options=DEFAULT_OPTIONS, teams=())
    assert generated.pages[0].render().startswith("---")
    assert worker._process.pid is not None
    os.kill(worker._process.pid, signal.SIGKILL)
    made = 1
    with pytest.raises(PageUnavailableError, match="the process rendering the pages stopped before it rendered "
                                                   r"this page \(it was killed by signal 9: was the machine out of "
                                                   r"memory\?\)$"):
        for page in generated.pages[1:]:
            page.render()
            made += 1
    assert made < len(generated.pages) // 2
    assert generated.pages[0].render().startswith("---"), "what it rendered before is still there"


def test_a_worker_killed_during_the_check_is_a_clear_error_and_its_parsers_end_too(
        start: Callable[[], GenerationWorker], monkeypatch: pytest.MonkeyPatch) -> None:
    """The processes it parses with hold its end of the pipe: its death is seen all the same, and they
    end with it."""
    def checking_for_ever(tree: Any, cache: Any, progress: Any) -> None:
        with parsecache.parsing(tree.files(), parsecache.ParseCache(None)):
            time.sleep(120)

    monkeypatch.setattr(parsecache, "PARALLEL_FROM", 1)
    monkeypatch.setattr(buildworker, "_checked", checking_for_ever)
    worker = start()
    assert worker._process.pid is not None
    parsers: list[int] = []
    deadline = time.monotonic() + 20
    while not parsers and time.monotonic() < deadline:
        time.sleep(0.05)
        parsers = _children(worker._process.pid)
    assert parsers, "the worker started parsing processes"
    os.kill(worker._process.pid, signal.SIGKILL)
    began = time.monotonic()
    with pytest.raises(GenerationError, match=r"stopped before it checked the files \(it was killed by signal 9"):
        worker.checked()
    assert time.monotonic() - began < 10
    deadline = time.monotonic() + 10
    while any(_exists(pid) for pid in parsers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_exists(pid) for pid in parsers), "the parsing processes outlived the worker"


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()]
    return []


def _exists(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended: only its exit status is left for its parent


def test_the_worker_collects_cycles_while_it_renders(start: Callable[[], GenerationWorker],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Made with the collector off, like the check; rendering makes reference cycles (Jinja's
    contexts), which would never be freed."""
    monkeypatch.setattr(buildworker, "planned_pages", lambda *args, **kwargs: tuple(
        PlannedPage(f"{index}.md", None, lambda: str(gc.isenabled())) for index in range(3)))
    worker = start()
    generated = worker.generate(as_of=AS_OF_DATE, include_private=False, options=DEFAULT_OPTIONS, teams=())
    assert generated.pages[0].render() == "True"


def _recording_workers(monkeypatch: pytest.MonkeyPatch) -> list[GenerationWorker]:
    workers: list[GenerationWorker] = []
    original = GenerationWorker.__init__

    def recorded(self: GenerationWorker, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        workers.append(self)

    monkeypatch.setattr(GenerationWorker, "__init__", recorded)
    return workers


def _built(project: Path, site: str) -> Path:
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / site))
    build(config)
    return project / site


def test_a_site_built_with_the_worker_is_the_same_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795824000")
    monkeypatch.setattr(buildworker, "WORKER_FROM", 10**6)
    alone = _built(project, "alone")
    monkeypatch.setattr(buildworker, "WORKER_FROM", 1)
    workers = _recording_workers(monkeypatch)
    with_worker = _built(project, "with-worker")
    assert len(workers) == 1
    assert not workers[0]._process.is_alive(), "the worker is stopped when the build ends"
    assert digest(with_worker) == digest(alone)
    assert not list(project.glob(".okrs-build-*")), "the spool is removed"


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
    workers = _recording_workers(monkeypatch)
    with pytest.raises(Abort, match="BuildError"):
        _built(project, "site")
    assert len(workers) == 1
    assert any(re.match(r"okrs: a page template failed: people/[a-z-]+\.md: UndefinedError: 'no_such_value' is "
                        "undefined$", record.getMessage()) for record in caplog.records)
    assert not list(project.glob(".okrs-build-*")), "the spool is removed"


def test_a_build_whose_worker_is_killed_fails_and_names_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    original = GenerationWorker.generate

    def killed_at_once(self: GenerationWorker, **kwargs: object) -> object:
        generated = original(self, **kwargs)  # type: ignore[arg-type]
        assert self._process.pid is not None
        os.kill(self._process.pid, signal.SIGKILL)
        return generated

    monkeypatch.setattr(buildworker, "CHUNK", 1)
    monkeypatch.setattr(buildworker, "planned_pages", lambda *args, **kwargs: tuple(
        PlannedPage(p.path, p.source, _slowly(p.render)) for p in original_planned(*args, **kwargs)))
    monkeypatch.setattr(GenerationWorker, "generate", killed_at_once)
    with pytest.raises(Abort, match="BuildError"):
        _built(project, "site")
    assert any(re.match(r"okrs: \S+\.md: the process rendering the pages stopped before it rendered this page",
                        record.getMessage()) for record in caplog.records)


original_planned = buildworker.planned_pages


def test_okr_build_checks_in_the_worker_and_builds_the_same_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    monkeypatch.setenv("OKR_CACHE_DIR", "off")
    monkeypatch.setattr(buildworker, "WORKER_FROM", 10**6)
    assert cli.main(["build", "--as-of", AS_OF, "--site-dir", "alone"]) == 0
    checks = tmp_path / "checked-by"  # a file: the worker's process is another
    original = buildworker._checked

    def noted(*args: Any) -> Any:
        with checks.open("a") as note:
            note.write(f"{os.getpid()}\n")
        return original(*args)

    monkeypatch.setattr(buildworker, "_checked", noted)
    monkeypatch.setattr(cli, "_checked_showing_progress", lambda *args: pytest.fail("checked in this process"))
    monkeypatch.setattr(buildworker, "WORKER_FROM", 1)
    workers = _recording_workers(monkeypatch)
    assert cli.main(["build", "--as-of", AS_OF, "--site-dir", "with-worker"]) == 0
    assert len(workers) == 1
    [checked_by] = checks.read_text().split()
    assert checked_by != str(os.getpid()), "checked once, in the worker"
    assert digest(project / "with-worker") == digest(project / "alone")
    assert not list(project.glob(".okrs-build-*"))


def test_okr_build_of_a_tree_with_errors_reports_them_as_without_a_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(tmp_path / "project")
    period = next((project / "okrs").rglob("2026-Q4.yaml"))
    period.write_text(period.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("OKR_CACHE_DIR", "off")
    outputs = []
    workers = _recording_workers(monkeypatch)
    for worker_from in (10**6, 1):
        monkeypatch.setattr(buildworker, "WORKER_FROM", worker_from)
        assert cli.main(["build", "--as-of", AS_OF]) == cli.EXIT_PROBLEMS
        outputs.append(capsys.readouterr())
    assert len(workers) == 1 and not workers[0]._process.is_alive()
    assert outputs[0] == outputs[1]
    assert "titel" in outputs[1].out and "left as it was" in outputs[1].err
    assert not (project / "site").exists()
    assert not list(project.glob(".okrs-build-*"))


def test_a_process_that_ends_without_closing_its_worker_does_not_wait_for_it(tmp_path: Path) -> None:
    """An interrupted build ends at once: the worker ignores interrupts, and multiprocessing waits at exit
    for every worker to end, which this one would only after rendering every page."""
    script = f"""
import datetime as dt, os, sys, time
from pathlib import Path
from generator import buildworker
from generator.load import read_tree
from generator.pages import DEFAULT_OPTIONS, PlannedPage
original = buildworker.planned_pages
def slow(render):
    def page():
        time.sleep(1)
        return render()
    return page
buildworker.planned_pages = lambda *a, **k: tuple(PlannedPage(p.path, p.source, slow(p.render))
                                                  for p in original(*a, **k))
buildworker.WORKER_FROM, buildworker.CHUNK = 1, 1
worker = buildworker.started(read_tree(Path({str(REPO / "okrs")!r}), "okrs"), None, Path({str(tmp_path)!r}))
generated = worker.generate(as_of=dt.date(2026, 11, 28), include_private=False, options=DEFAULT_OPTIONS, teams=())
generated.pages[0].render()
print(worker._process.pid, flush=True)
raise KeyboardInterrupt
"""
    started = time.monotonic()
    ended = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert "KeyboardInterrupt" in ended.stderr
    assert time.monotonic() - started < 20, "it waited for the worker to render every page (a minute)"
    pid = int(ended.stdout.split()[0])
    assert not _exists(pid)
    assert not list(tmp_path.glob(".okrs-build-*")), "its files are removed"


def test_a_worker_whose_build_was_killed_ends_too(tmp_path: Path) -> None:
    """Killed (out of memory, say), MkDocs' process cannot stop it: it is told by the system instead of
    working on for no one."""
    script = f"""
import time
from pathlib import Path
from generator import buildworker
from generator.load import read_tree
buildworker.WORKER_FROM = 1
buildworker._checked = lambda *args: time.sleep(120)
worker = buildworker.started(read_tree(Path({str(REPO / "okrs")!r}), "okrs"), None, Path({str(tmp_path)!r}))
print(worker._process.pid, flush=True)
time.sleep(120)
"""
    build = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert build.stdout is not None
        pid = int(build.stdout.readline())
        assert _exists(pid)
        build.kill()
        build.wait()
        deadline = time.monotonic() + 10
        while _exists(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _exists(pid), "the worker outlived the build"
        assert not list(tmp_path.glob(".okrs-build-*")), "no one else removes its files"
    finally:
        build.kill()
