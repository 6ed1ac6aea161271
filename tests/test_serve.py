"""``mkdocs serve`` rebuilds the OKR pages when a YAML file changes."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from generator import plugin, validate
from tests.sitekit import copy_project


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_an_edited_yaml_file_is_rebuilt_by_serve(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "serve")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "SOURCE_DATE_EPOCH": "1795824000"})
    try:
        url = f"http://127.0.0.1:{port}/2026-Q4/support/"
        assert "Improve the customer engagement programme" in _fetch(url, time.monotonic() + 60)
        team_file = project / "okrs" / "customer-experience" / "support" / "2026-Q4.yaml"
        team_file.write_text(team_file.read_text(encoding="utf-8").replace(
            "title: Improve the customer engagement programme", "title: Engage customers where they are"),
            encoding="utf-8")
        deadline = time.monotonic() + 60
        while "Engage customers where they are" not in _fetch(url, deadline):
            assert time.monotonic() < deadline, "the page was not rebuilt within a minute"
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_rebuild_validates_only_the_edited_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``mkdocs serve`` does on a change: build again in the same process, which keeps the period
    files it validated before."""
    project = copy_project(tmp_path / "serve")
    monkeypatch.chdir(project)
    validated: list[str] = []
    original = validate._period

    def counted(team_id: str, name: object, document: validate.Document, context: object) -> object:
        validated.append(document.path)
        return original(team_id, name, document, context)  # type: ignore[arg-type]

    monkeypatch.setattr(validate, "_period", counted)
    monkeypatch.setattr(plugin, "_validated", {})  # what other tests' builds in this process validated

    def served() -> MkDocsConfig:
        config = load_config(str(project / "mkdocs.yml"))
        config.plugins.on_startup(command="serve", dirty=False)
        return config

    build(load_config(str(project / "mkdocs.yml")))  # a single build keeps nothing for the next one
    assert plugin._validated == {}
    build(served())
    assert len(validated) > 10
    team_file = project / "okrs" / "customer-experience" / "support" / "2026-Q4.yaml"
    team_file.write_text(team_file.read_text(encoding="utf-8").replace(
        "title: Improve the customer engagement programme", "title: Engage customers where they are"),
        encoding="utf-8")
    validated.clear()
    build(served())
    assert validated == ["okrs/customer-experience/support/2026-Q4.yaml"]
    assert "Engage customers where they are" in (project / "site" / "2026-Q4" / "support" / "index.html").read_text(
        encoding="utf-8")


def test_a_dirty_rebuild_builds_again_only_the_pages_that_changed(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """``mkdocs serve --dirty``: MkDocs skips a page whose file is not modified, and every page made in
    memory counts as modified unless the plugin says it is the same as the build before."""
    project = copy_project(tmp_path / "serve")
    monkeypatch.chdir(project)
    config = load_config(str(project / "mkdocs.yml"), strict=False)  # MkDocs warns of every dirty build
    config.plugins.on_startup(command="serve", dirty=True)
    try:
        build(config, dirty=True)
        site = project / "site"
        pages = {path: path.read_bytes() for path in site.rglob("*.html")}
        assert len(pages) > 20
        for path in pages:
            os.utime(path, (1_000_000_000, 1_000_000_000))  # long ago: a page written again is newer
        team_file = project / "okrs" / "customer-experience" / "support" / "2026-Q4.yaml"
        team_file.write_text(team_file.read_text(encoding="utf-8").replace(
            "title: Improve the customer engagement programme", "title: Engage customers where they are"),
            encoding="utf-8")
        build(load_config(str(project / "mkdocs.yml"), strict=False), dirty=True)
        rewritten = {path.relative_to(site).as_posix() for path in pages if path.stat().st_mtime > 1_000_000_000}
        assert "2026-Q4/support/index.html" in rewritten
        assert "Engage customers where they are" in (site / "2026-Q4" / "support" / "index.html").read_text(
            encoding="utf-8")
        assert "2026-Q3/support/index.html" not in rewritten  # the same Markdown: not built again
        assert len(rewritten) < len(pages) / 2
    finally:
        config.plugins.on_startup(command="build", dirty=False)


def test_a_serve_rebuild_renders_only_what_the_edit_can_change_and_builds_the_same_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """``mkdocs serve`` remembers what each page read: a page that showed nothing of the edited team
    keeps its Markdown without being rendered, and the site is the one a build from scratch makes."""
    project = copy_project(tmp_path / "serve")
    monkeypatch.chdir(project)
    settings = project / "mkdocs.yml"  # Material's tags plugin links only the tags of pages a dirty build built
    settings.write_text(settings.read_text(encoding="utf-8").replace("  - tags\n", ""), encoding="utf-8")
    config = load_config(str(project / "mkdocs.yml"), strict=False)
    config.plugins.on_startup(command="serve", dirty=True)
    try:
        build(config, dirty=True)
        team_file = project / "okrs" / "customer-experience" / "support" / "2026-Q4.yaml"
        team_file.write_text(team_file.read_text(encoding="utf-8").replace(
            "{date: 2026-11-18, value: 26,", "{date: 2026-11-18, value: 29,"), encoding="utf-8")
        with caplog.at_level(logging.INFO, logger="mkdocs.plugins.okrs"):
            build(load_config(str(project / "mkdocs.yml"), strict=False), dirty=True)
        kept = [r.getMessage() for r in caplog.records if "unchanged by the edit" in r.getMessage()]
        assert len(kept) == 1 and int(kept[0].split()[1]) > 10, kept
    finally:
        config.plugins.on_startup(command="build", dirty=False)
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "fresh")))
    served, fresh = project / "site", tmp_path / "fresh"
    pages = sorted(p.relative_to(fresh) for p in fresh.rglob("*.html"))
    assert pages == sorted(p.relative_to(served) for p in served.rglob("*.html"))
    for page in pages:
        assert (served / page).read_text(encoding="utf-8") == (fresh / page).read_text(encoding="utf-8"), page
