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
