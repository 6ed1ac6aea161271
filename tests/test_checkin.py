"""``okr checkin``: the new check-in is the only change to the file, whatever its style."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from generator.cli import main
from tests.helpers import write_tree

OBJECTIVE = "objectives:\n  - id: grow\n    title: Рост\n    key_results:\n"


def run(tmp_path: Path, period_file: str | bytes, *args: str) -> tuple[int, bytes, bytes, str]:
    write_tree(tmp_path / "okrs", {"t/team.yaml": "name: T\n", "t/2026-Q4.yaml": period_file})
    path = tmp_path / "okrs" / "t" / "2026-Q4.yaml"
    before = path.read_bytes()
    code = main(["checkin", *args, "--path", str(tmp_path / "okrs")])
    return code, before, path.read_bytes(), str(path)


def only_added(before: bytes, after: bytes) -> list[str]:
    """The lines the edit added; fails if it changed or removed any."""
    old, new = before.decode("utf-8").splitlines(True), after.decode("utf-8").splitlines(True)
    changes = [line for line in difflib.ndiff(old, new) if line[:1] in "+-"]
    assert all(line.startswith("+ ") for line in changes), changes
    return [line[2:] for line in changes]


@pytest.mark.parametrize(("period_file", "added"), [
    (OBJECTIVE + "      # the one that matters\n      - id: k   # inline comment\n        title: 'Quoted: title'\n"
     "        start: 0\n        target: 10\n        checkins:\n          - {date: 2026-10-01, value: 2}  # first\n"
     "\n    initiatives: []\n",
     ["          - {date: 2026-11-28, value: 5, confidence: 0.7, note: \"Halfway: «отлично»\", by: ann}\n"]),
    (OBJECTIVE + "    - id: k\n      title: K\n      start: 0\n      target: 10\n      checkins:\n"
     "      -   date: 2026-10-01\n          value: 2\n          note: |\n            two\n            lines\n",
     ["      -   date: 2026-11-28\n", "          value: 5\n", "          confidence: 0.7\n",
      "          note: \"Halfway: «отлично»\"\n", "          by: ann\n"]),
])
def test_block_styles_gain_only_the_new_lines(tmp_path: Path, period_file: str, added: list[str]) -> None:
    code, before, after, _ = run(tmp_path, period_file, "t/grow/k", "5", "--date", "2026-11-28",
                                 "--confidence", "0.7", "--note", "Halfway: «отлично»", "--by", "ann")
    assert code == 0
    assert only_added(before, after) == added


def test_crlf_line_endings_are_kept(tmp_path: Path) -> None:
    text = (OBJECTIVE + "      - id: k\n        title: K\n        start: 0\n        target: 10\n        checkins:\n"
            "          - {date: 2026-10-01, value: 2}\n").replace("\n", "\r\n").encode()
    code, before, after, _ = run(tmp_path, text, "t/grow/k", "4", "--date", "2026-11-28")
    assert code == 0
    assert only_added(before, after) == ["          - {date: 2026-11-28, value: 4}\r\n"]
    assert after.count(b"\r\n") == after.count(b"\n")


def test_a_byte_order_mark_is_kept(tmp_path: Path) -> None:
    text = b"\xef\xbb\xbf" + (OBJECTIVE + "      - {id: k, title: K, start: 0, target: 10}\n").encode()
    code, _, after, _ = run(tmp_path, text, "t/grow/k", "4", "--date", "2026-11-28")
    assert code == 0
    assert after.startswith(b"\xef\xbb\xbf")
    assert after.decode("utf-8-sig").endswith(
        "      - {id: k, title: K, start: 0, target: 10, checkins: [{date: 2026-11-28, value: 4}]}\n")


def test_flow_style_check_ins_stay_flow(tmp_path: Path) -> None:
    text = OBJECTIVE + "      - {id: k, title: K, start: 0, target: 10, checkins: [{date: 2026-10-01, value: 2}]}\n"
    code, _, after, _ = run(tmp_path, text, "t/grow/k", "4.5", "--date", "2026-11-28")
    assert code == 0
    assert after.decode().endswith("checkins: [{date: 2026-10-01, value: 2}, {date: 2026-11-28, value: 4.5}]}\n")


def test_a_first_check_in_adds_the_key(tmp_path: Path) -> None:
    text = OBJECTIVE + "     - id: k\n       title: K\n       start: 0\n       target: 10   # odd indentation\n"
    code, before, after, _ = run(tmp_path, text, "t/grow/k", "1", "--date", "2026-11-28")
    assert code == 0
    assert only_added(before, after) == ["       checkins:\n", "         - {date: 2026-11-28, value: 1}\n"]


def test_the_result_is_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = OBJECTIVE + "      - {id: k, title: K, start: 100, target: 50, checkins: [{date: 2026-10-05, value: 96}]}\n"
    code, *_ = run(tmp_path, text, "t/grow/k", "72", "--date", "2026-11-23")
    assert code == 0
    assert capsys.readouterr().out == (f"t/2026-Q4/grow/k: 96 → 72 (8% → 56%), on track; written to "
                                       f"{tmp_path / 'okrs'}/t/2026-Q4.yaml\n")


@pytest.mark.parametrize(("args", "message"), [
    (["t/grw/k", "1"], "okr checkin: 't' has no objective 'grw' in 2026-Q4, 2026-H2, 2026 (did you mean 'grow'?)\n"),
    (["t/grow/kk", "1"], "okr checkin: objective 't/2026-Q4/grow' has no key result 'kk' (did you mean 'k'?) "
                         "(its key results: k)\n"),
    (["x/grow/k", "1"], "okr checkin: there is no team 'x'\n"),
    (["t/grow/k", "many"], "okr checkin: the value must be a number, not 'many'\n"),
    (["t/grow/k", "1", "--date", "2026-10-01"], "okr checkin: 2026-10-01 is before the latest check-in "
                                                "(2026-10-05); use --force to record it anyway\n"),
    (["t/grow/k", "1", "--confidence", "80"], "okr checkin: --confidence is from 0.0 to 1.0\n"),
])
def test_refusals_leave_the_file_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                           message: str) -> None:
    text = OBJECTIVE + "      - {id: k, title: K, start: 100, target: 50, checkins: [{date: 2026-10-05, value: 96}]}\n"
    code, before, after, _ = run(tmp_path, text, *args)
    assert code in (1, 2)
    assert capsys.readouterr().err == message
    assert after == before


def test_a_file_with_errors_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = OBJECTIVE + "      - {id: k, title: K, start: 0, tagret: 10}\n"
    code, before, after, _ = run(tmp_path, text, "t/grow/k", "1", "--date", "2026-11-28")
    assert code == 1
    assert "fix them first (nothing was written)" in capsys.readouterr().err
    assert after == before


def test_a_value_the_format_refuses_is_not_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = OBJECTIVE + "      - {id: k, title: Milestone}\n"
    code, before, after, _ = run(tmp_path, text, "t/grow/k", "140", "--date", "2026-11-28")
    assert code == 1
    captured = capsys.readouterr()
    assert "error[out-of-range]: a milestone's check-in value is percent complete, 0 to 100, not 140" in captured.out
    assert after == before
