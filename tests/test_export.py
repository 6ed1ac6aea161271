"""``okr export``: JSON is the site's okrs.json, CSV one row per key result; both match the engine."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.export import EncodedObjectives, export, export_json, json_pieces
from generator.load import read_tree
from generator.privacy import public_view
from generator.progress import evaluate
from generator.validate import validate
from tests.helpers import write_tree

REPO = Path(__file__).resolve().parent.parent


def exported(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> bytes:
    assert main(["export", str(REPO / "okrs"), "--as-of", "2026-11-28", *args]) == 0
    return capsysbinary.readouterr().out


def test_json_is_versioned_and_matches_the_engine(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    data = json.loads(exported(capsysbinary, "--format", "json"))
    assert (data["version"], data["as_of"]) == (1, "2026-11-28")
    company = validate(read_tree(REPO / "okrs", "okrs")).company
    assert company is not None
    evaluation = evaluate(public_view(company), dt.date(2026, 11, 28))
    assert [o["ref"] for o in data["objectives"]] == [str(r) for r in evaluation.objectives]
    for objective in data["objectives"]:
        engine = next(o for r, o in evaluation.objectives.items() if str(r) == objective["ref"])
        assert objective["progress"] == pytest.approx(engine.progress, abs=1e-6)  # rounded to 6 places
        assert objective["status"] == engine.status.value
        assert set(objective) >= {"team", "period", "id", "title", "progress", "status", "aligned_to", "supported_by"}
    for kr in data["key_results"]:
        assert set(kr) >= {"team", "period", "objective", "id", "title", "current", "progress", "status"}
    assert "rebrand-2027" not in json.dumps(data)


def test_csv_for_excel(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    data = exported(capsysbinary, "--format", "csv", "--bom")
    assert data.startswith(b"\xef\xbb\xbfteam,team_name,period,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    tickets = next(r for r in rows if r["key_result"] == "tier1-tickets")
    assert (tickets["start"], tickets["target"], tickets["current"]) == ("100.0", "50.0", "72.0")
    assert float(tickets["progress"]) == pytest.approx(0.56)
    assert tickets["status"] == "on_track"
    assert any(r["team_name"] == "Магазины Москвы" for r in rows)
    assert len(rows) == 27  # public key results only


def test_csv_neutralises_formulas(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    write_tree(tmp_path, {"2026.yaml": "objectives:\n  - id: a\n    title: '=HYPERLINK(\"http://evil\",\"x\")'\n"
                                       "    key_results: [{title: '@SUM(1)', start: 0, target: -5}]\n"})
    assert main(["export", str(tmp_path), "--format", "csv", "--as-of", "2026-11-28"]) == 0
    (row,) = csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode()))
    assert row["objective_title"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert row["title"] == "'@SUM(1)"
    assert row["target"] == "-5.0"  # numbers stay numbers


def test_export_to_a_file_is_atomic(tmp_path: Path) -> None:
    out = tmp_path / "okrs.json"
    assert main(["export", str(REPO / "okrs"), "--out", str(out), "--as-of", "2026-11-28"]) == 0
    assert json.loads(out.read_text())["version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["okrs.json"]


@pytest.mark.parametrize("files", [
    {},  # the example company
    {"team.yaml": "name: Empty\n"},  # no objective at all
    {"2026-Q4.yaml": "objectives:\n  - id: a\n    title: \"Ünïcode 🚀 \\\"quoted\\\"\"\n"
                     "    key_results: [{title: x, start: 0, target: 5}, {title: y, start: 1, target: 0}]\n"
                     "  - id: b\n    title: B\n    key_results: [{title: z, start: 0, target: 1, dropped: gone}]\n"},
], ids=["example", "empty", "unicode"])
def test_the_export_written_in_pieces_is_the_whole_encoded_at_once(tmp_path: Path, files: dict[str, str]) -> None:
    """A large company's export is written one objective at a time; the text must be what the encoder
    makes of the whole structure, with a cache of encoded objectives (``mkdocs serve``) or without."""
    root = write_tree(tmp_path, files) if files else REPO / "okrs"
    company = validate(read_tree(root, "okrs")).company
    assert company is not None
    evaluation = evaluate(public_view(company), dt.date(2026, 11, 28))
    whole = (json.dumps(export(company, evaluation), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    pieces = list(json_pieces(company, evaluation))
    assert b"".join(pieces) == export_json(company, evaluation) == whole
    assert len(pieces) > 3 or not evaluation.objectives
    first = EncodedObjectives()
    assert export_json(company, evaluation, first) == whole
    assert export_json(company, evaluation, EncodedObjectives(first)) == whole  # every objective from the cache
