"""The reference docs cover the whole format and every rule id the code can report."""

from __future__ import annotations

import re
from pathlib import Path

from generator import schema

REPO = Path(__file__).resolve().parent.parent
SHAPES = [schema.TEAM_FILE, schema.PERIOD_FILE, schema.OBJECTIVE, schema.KEY_RESULT, schema.CHECKIN,
          schema.INITIATIVE, schema.STATUS_RULES, schema.GRADING, schema.PERSON]


def test_every_key_has_a_row_in_the_format_reference() -> None:
    text = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))
    assert {f.name for shape in SHAPES for f in shape.fields} - documented == set()


def test_every_rule_id_is_documented() -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in (REPO / "generator").glob("*.py"))
    codes = set(re.findall(r'(?:error|warning)\([^,]+,\s*"([a-z0-9-]+)"', source))
    assert len(codes) > 25
    documented = set(re.findall(r"`([a-z0-9-]+)`", (REPO / "docs" / "commands.md").read_text(encoding="utf-8")))
    assert codes - documented == set()


def test_the_worked_examples_match_the_engine() -> None:
    import datetime as dt

    from generator.load import read_tree
    from generator.privacy import public_view
    from generator.progress import evaluate
    from generator.validate import validate

    company = validate(read_tree(REPO / "okrs", "okrs")).company
    assert company is not None
    evaluation = evaluate(public_view(company), dt.date(2026, 11, 28))
    engagement = next(o for o in evaluation.objectives.values() if o.objective.id == "engagement")
    by_id = {kr.key_result.id: kr for kr in engagement.key_results}
    text = (REPO / "generator" / "templates" / "site" / "progress.md").read_text(encoding="utf-8")
    assert f"(1 + 1 + 2) = {round(engagement.progress * 100)}%" in text  # type: ignore[operator]
    assert f"= **{round(by_id['academy'].progress * 100)}%**" in text  # type: ignore[operator]
    assert f"= **{round(by_id['tier1-tickets'].progress * 100)}%**" in text  # type: ignore[operator]
    forecast = by_id["tier1-tickets"].forecast
    assert forecast is not None
    assert f"reaches **{forecast.value:.1f}** on 31 December" in text
    assert f"expected = 59 / 92 = **{round(engagement.expected * 100)}%**" in text
