"""Golden Markdown: the pages generated from the example company, committed, so that a review shows
every change to what readers see. ``OKR_UPDATE_GOLDEN=1 make test`` accepts a deliberate change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.sitekit import AS_OF, REPO, okr

GOLDEN = Path(__file__).parent / "golden"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generated_markdown_matches_the_golden_copy(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    done = okr("generate", "okrs", "--out", str(out), "--as-of", AS_OF, cwd=REPO)
    assert done.returncode == 0, done.stderr
    if os.environ.get("OKR_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    expected, actual = _files(GOLDEN), _files(out)
    assert sorted(actual) == sorted(expected), "pages were added or removed: OKR_UPDATE_GOLDEN=1 to accept"
    changed = [name for name in expected if expected[name] != actual[name]]
    assert changed == [], f"pages changed: {changed}; review them, then OKR_UPDATE_GOLDEN=1 to accept"
