"""``okr init``: a new repository on which ``okr check`` and a strict MkDocs build pass at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_a_new_repository_checks_and_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "acme-okrs"
    assert main(["init", str(folder), "--name", "Acme: \"Corp\"", "--team", "support",
                 "--team-name", "Поддержка"]) == 0
    assert "a new OKR repository" in capsys.readouterr().out
    assert main(["check", str(folder / "okrs")]) == 0
    assert capsys.readouterr().out.endswith("2 teams, 2 period files, 2 objectives, 3 key results; no problems\n")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=folder, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    home = (folder / "site" / "index.html").read_text(encoding="utf-8")
    assert "Acme: &quot;Corp&quot;" in home or "Acme: \"Corp\"" in home
    assert (folder / "site" / "support" / "index.html").exists() is False  # team pages live under the period
    workflow = (folder / ".github" / "workflows" / "okrs.yml").read_text()
    assert "python -m pip install okr-site" in workflow and "pip install .\n" not in workflow


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 2
    assert "exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("workflow", ["okrs.yml", "okrs-comment.yml"])
def test_the_workflows_init_writes_are_this_repositorys(workflow: str) -> None:
    template = (REPO / "generator" / "templates" / "init" / workflow).read_text()
    assert template == (REPO / ".github" / "workflows" / workflow).read_text()
