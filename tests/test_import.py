"""``okr import``: spreadsheets become a checked YAML tree; rows that cannot be placed are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main

CLEAN = """\
Team,Period,Objective,Key result,Start,Target,Current,Unit,Owner,Date,Confidence
support,2026-Q4,Improve the customer engagement programme,Engagement,20%,30%,26%,,Jenny,2026-11-18,80%
support,2026-Q4,Improve the customer engagement programme,Tier-1 tickets a week,100,50,72,tickets,,2026-11-23,
marketing,Q4 2026,Increase brand awareness,Media placements,5,10,8,,,2026-11-05,0.8
marketing,2026-Q4,Increase brand awareness,Launch the campaign,,,40,,,,
"""
RUSSIAN = """\
Команда;Период;Цель;Ключевой результат;Старт;Целевое значение;Текущее;Ед.
Поддержка;2026-Q4;Улучшить вовлечённость;Обращения первой линии;100;50;72,5;обращений
Поддержка;2026-Q4;Улучшить вовлечённость;Модули академии;0;12;5;модулей
"""
BROKEN = """\
team,period,objective,key result,start,target,current
support,2026-Q4,Faster answers,First response,10,4,6
,2026-Q4,No team,KR,1,2,
support,2026-Q9,Bad period,KR,1,2,
support,2026-Q4,Bad number,KR,lots,2,
support,2026-Q4,Nothing to measure,KR,5,5,
support,2026-Q4,Half a metric,KR,5,,
"""


def run(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, Path]:
    sheet = tmp_path / "okrs.csv"
    sheet.write_text(text, encoding="utf-8")
    out = tmp_path / "okrs"
    code = main(["import", str(sheet), "--out", str(out), "--date", "2026-11-28", "--company", "Acme"])
    return code, capsys.readouterr().out, out


def test_a_clean_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, okrs = run(tmp_path, CLEAN, capsys)
    assert code == 0
    assert out.endswith("okr import: 4 of 4 rows placed; 5 files written to " + str(okrs) + "\n")
    assert main(["check", str(okrs)]) == 0
    assert "3 teams, 2 period files, 2 objectives, 4 key results; no problems" in capsys.readouterr().out
    support = (okrs / "support" / "2026-Q4.yaml").read_text()
    assert "unit: '%'" in support and "confidence: 0.8" in support and "value: 26" in support


def test_russian_headers_and_decimal_commas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, okrs = run(tmp_path, RUSSIAN, capsys)
    assert code == 0
    assert main(["check", str(okrs)]) == 0
    text = (okrs / "team-1" / "2026-Q4.yaml").read_text(encoding="utf-8")
    assert "value: 72.5" in text and "unit: обращений" in text
    assert (okrs / "team-1" / "team.yaml").read_text(encoding="utf-8") == "name: Поддержка\n"


def test_rows_that_cannot_be_placed_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, okrs = run(tmp_path, BROKEN, capsys)
    assert code == 0
    assert out.splitlines() == [
        f"{tmp_path}/okrs.csv:3: skipped: no team",
        f"{tmp_path}/okrs.csv:4: skipped: '2026-Q9' is not a period such as 2026-Q4, 2026-H1 or 2026",
        f"{tmp_path}/okrs.csv:5: skipped: 'lots' is not a number",
        f"{tmp_path}/okrs.csv:6: skipped: start and target are both 5: nothing to measure",
        f"{tmp_path}/okrs.csv:7: skipped: a key result needs both start and target, or neither (a milestone)",
        f"okr import: 1 of 6 rows placed; 3 files written to {okrs}",
    ]
    assert main(["check", str(okrs)]) == 0


def test_a_sheet_without_the_needed_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, okrs = run(tmp_path, "Name,Value\nA,1\n", capsys)
    assert code == 1
    assert out.startswith(f"{tmp_path}/okrs.csv:1: skipped: no column for team: team / team id / department; ")
    assert not (okrs / "support").exists()


def test_existing_files_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "okrs").mkdir()
    (tmp_path / "okrs" / "team.yaml").write_text("name: Existing Inc\n")
    code, out, okrs = run(tmp_path, CLEAN, capsys)
    assert code == 0
    assert (okrs / "team.yaml").read_text() == "name: Existing Inc\n"
    assert "1 existing files kept" in out
