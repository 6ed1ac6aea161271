"""The broken-tree corpus: each folder of ``tests/broken`` holds a ``tree/`` and the exact lines
``okr check tree`` must print for it in ``expected.txt`` (lines starting with ``#`` describe the case)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main

CORPUS = Path(__file__).parent / "broken"
CASES = sorted(path.name for path in CORPUS.iterdir() if (path / "expected.txt").is_file())


def test_the_corpus_is_not_empty() -> None:
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES)
def test_broken_tree(case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = CORPUS / case
    expected = [line for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#")]
    monkeypatch.chdir(folder)
    exit_code = main(["check", "tree"])
    printed = capsys.readouterr().out.splitlines()
    assert printed == expected
    assert exit_code == (1 if any(": error[" in line for line in expected) else 0)
