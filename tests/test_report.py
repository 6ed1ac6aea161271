"""Problem formats for CI: GitHub workflow commands, GitLab Code Quality, the job summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.errors import Location, Problem, Severity
from generator.report import github_annotation, job_summary, render
from tests.helpers import write_tree


def test_github_annotation_syntax() -> None:
    problem = Problem(Location("okrs/support/2026-Q4.yaml", 14, 9), Severity.ERROR, "unknown-key",
                      "unknown key 'tagret' in key result (did you mean 'target'?)")
    assert github_annotation(problem) == (
        "::error file=okrs/support/2026-Q4.yaml,line=14,col=9,title=okr check%3A unknown-key::"
        "unknown key 'tagret' in key result (did you mean 'target'?)")


def test_github_annotation_escapes_percent_newlines_colons_and_commas() -> None:
    problem = Problem(Location("okrs/a,b:c%d.yaml", 2, 3), Severity.WARNING, "checkin-outside-period",
                      "50% done\r\nnext line: ::error::fake")
    assert github_annotation(problem) == (
        "::warning file=okrs/a%2Cb%3Ac%25d.yaml,line=2,col=3,title=okr check%3A checkin-outside-period::"
        "50%25 done%0D%0Anext line: ::error::fake")


def test_gitlab_code_quality_report() -> None:
    problem = Problem(Location("okrs/team.yaml", 2, 1), Severity.ERROR, "duplicate-key", "duplicate key 'name'")
    (issue,) = json.loads(render((problem,), "gitlab"))
    assert issue["description"] == "duplicate-key: duplicate key 'name'"
    assert issue["check_name"] == "duplicate-key"
    assert issue["severity"] == "major"
    assert issue["location"] == {"path": "okrs/team.yaml", "positions": {"begin": {"line": 2, "column": 1}}}
    assert len(issue["fingerprint"]) == 64


def test_job_summary_lists_every_problem_safely() -> None:
    problems = tuple(Problem(Location(f"okrs/t{i}.yaml", i, 1), Severity.ERROR, "wrong-type", "a | b <i>x</i>")
                     for i in range(1, 13))
    summary = job_summary(problems)
    assert summary.startswith("### okr check: 12 errors, 0 warnings\n\n| where | severity | rule | message |\n")
    assert summary.count("\n| okrs/t") == 12  # beyond GitHub's ten annotations of a kind
    assert "| a &#124; b &#60;i&#62;x&#60;/i&#62; |" in summary


def test_check_writes_annotations_and_the_step_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path / "okrs", {"team.yaml": "name: Acme\nnmae: x\n"})
    summary = tmp_path / "summary.md"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["check", "okrs", "--format", "github"]) == 1
    assert capsys.readouterr().out == (
        "::error file=okrs/team.yaml,line=2,col=1,title=okr check%3A unknown-key::unknown key 'nmae' in team "
        "file (did you mean 'name'?)\n")
    assert summary.read_text().startswith("### okr check: 1 error, 0 warnings")
