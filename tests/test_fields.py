"""Typing rules of single values, each asserted with its exact position and message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import fields, load, schema
from generator.errors import Problem
from generator.load import YamlScalar
from generator.schema import Field
from tests.helpers import lines


def kr_problems(tmp_path: Path, kr_lines: str) -> list[str]:
    """Problems of a key result made of ``kr_lines`` (YAML at the key result's indentation, 8 spaces)."""
    text = ("objectives:\n  - id: grow\n    title: Grow\n    key_results:\n      - title: Sign-ups\n"
            + "".join(f"        {line}\n" for line in kr_lines.splitlines()))
    return lines(tmp_path, {"2026-Q4.yaml": text})


P = "okrs/2026-Q4.yaml"


@pytest.mark.parametrize(("kr", "expected"), [
    ("start: '0'\ntarget: 10", f"{P}:6:16: error[wrong-type]: 'start' is a number: remove the quotes around 0"),
    ("start: 0\ntarget: 30%", f"{P}:7:17: error[wrong-type]: 'target' must be a plain number: write 30 and put "
                              "the '%' in 'unit'"),
    ("start: 010\ntarget: 20", f"{P}:6:16: error[wrong-type]: '010' has a leading zero, which YAML 1.1 reads as an "
                               "octal number: write 10"),
    ("start: 12:30:00\ntarget: 1", f"{P}:6:16: error[wrong-type]: 'start' must be a number, not '12:30:00'"),
    ("start: .nan\ntarget: 1", f"{P}:6:16: error[wrong-type]: 'start' must be a finite number, not .nan"),
    ("start: -.inf\ntarget: 1", f"{P}:6:16: error[wrong-type]: 'start' must be a finite number, not -.inf"),
    ("start: 1_000\ntarget: 1", f"{P}:6:16: error[wrong-type]: write 1000 without digit separators"),
    ("start: 1e999\ntarget: 1", f"{P}:6:16: error[wrong-type]: 'start' is too large: 1e999"),
    ("start: " + "9" * 5000 + "\ntarget: 1", f"{P}:6:16: error[wrong-type]: 'start' has 5000 characters; numbers "
                                             "are limited to 40"),
    ("start: yes\ntarget: 1", f"{P}:6:16: error[wrong-type]: 'start' must be a number, not yes"),
    ("start: [1]\ntarget: 1", f"{P}:6:16: error[wrong-type]: 'start' takes a single number, not a list"),
    ("start: 0\ntarget: 1\nweight: 0", f"{P}:8:17: error[out-of-range]: 'weight' must be above 0, not 0"),
    ("start: 0\ntarget: 1\nscore: 1.5", f"{P}:8:16: error[out-of-range]: 'score' must be from 0 to 1, not 1.5"),
    ("start: 0\ntarget: 1\nunit: no", f"{P}:8:15: error[wrong-type]: 'unit' is text, but YAML reads no as "
                                      "true/false: quote it: \"no\""),
    ("start: 0\ntarget: 1\ntagret: 2", f"{P}:8:9: error[unknown-key]: unknown key 'tagret' in key result (did you "
                                       "mean 'target'?)"),
    ("start: 0\ntarget: 1\ncheck-ins: []", f"{P}:8:9: error[unknown-key]: unknown key 'check-ins' in key result "
                                           "(did you mean 'checkins'?)"),
    ("start: 0\ntarget: 1\nid: Tier1", f"{P}:8:13: error[bad-id]: 'id' 'Tier1' is not a valid id: use lowercase "
                                       "ASCII letters, digits and '-', starting with a letter: try 'tier1'"),
    ("start: 0\ntarget: 1\ncheckins: {date: 2026-10-01}", f"{P}:8:19: error[wrong-type]: 'checkins' is a list: "
                                                           "start each item with '- ', not a mapping"),
    ("start: 0\ntarget: 1\ncheckins:\n  - {date: 2026-02-30, value: 1}",
     f"{P}:9:20: error[bad-date]: 2026-02-30 is not a day of the calendar"),
    ("start: 0\ntarget: 1\ncheckins:\n  - {date: 1.10.2026, value: 1}",
     f"{P}:9:20: error[bad-date]: 'date' must be a date written YYYY-MM-DD, not '1.10.2026'"),
    ("start: 0\ntarget: 1\ncheckins:\n  - {date: 2026-10-01, value: 1, confidence: 8}",
     f"{P}:9:54: error[out-of-range]: 'confidence' must be from 0 to 1, not 8"),
    ("start: 0\ntarget: 1\ncheckins:\n  - {date: 2026-10-01, value: 1, status: on-track}",
     f"{P}:9:50: error[bad-value]: 'status' cannot be 'on-track': did you mean 'on_track'?"),
    ("start: \u0663\ntarget: 1", f"{P}:6:16: error[wrong-type]: 'start' must be a number, not '\u0663'"),
    ("start: 0\ntarget: \uff17", f"{P}:7:17: error[wrong-type]: 'target' must be a number, not '\uff17'"),
    ("start: 0\ntarget: 1\nid: \"kr\\n\"", f"{P}:8:13: error[bad-id]: 'id' 'kr\n' is not a valid id: use "
                                          "lowercase ASCII letters, digits and '-', starting with a letter: try 'kr'"),
    ("start: 0\ntarget: 1\ncheckins:\n  - {date: '\uff12\uff10\uff12\uff16-10-01', value: 1}",
     f"{P}:9:20: error[bad-date]: 'date' must be a date written YYYY-MM-DD, not '\uff12\uff10\uff12\uff16-10-01'"),
    ("start: 0\ntarget: 1\ncheckins:\n  - {date: 2026-10-01}",
     f"{P}:9:13: error[missing-key]: check-in has no 'value': add 'value:' (The value on that day; for a "
     "milestone, percent complete (0-100))"),
])
def test_value_rules(tmp_path: Path, kr: str, expected: str) -> None:
    assert kr_problems(tmp_path, kr) == [expected]


def test_a_quoted_date_is_a_date(tmp_path: Path) -> None:
    assert kr_problems(tmp_path, "start: 0\ntarget: 1\ncheckins:\n  - {date: '2026-10-01', value: 1}") == []


def test_numbers_in_text_fields_keep_their_written_text(tmp_path: Path) -> None:
    from generator.load import read_tree
    from generator.validate import validate
    from tests.helpers import write_tree
    write_tree(tmp_path, {"2026-Q4.yaml": "objectives:\n  - id: y\n    title: 1.10\n    key_results:\n"
                                          "      - {title: 2026, start: 1, target: 2, unit: 010}\n"})
    company = validate(read_tree(tmp_path, "okrs")).company
    assert company is not None
    objective = company.objectives()[0]
    assert (objective.title, objective.key_results[0].title, objective.key_results[0].unit) == ("1.10", "2026", "010")


@pytest.mark.parametrize(("line", "expected"), [
    ("private: yes", f"{P}:4:14: error[wrong-type]: 'private' takes true or false: write true"),
    ("private: 'false'", f"{P}:4:14: error[wrong-type]: 'private' takes true or false: write false"),
    ("type: stretch", f"{P}:4:11: error[bad-value]: 'type' cannot be 'stretch': one of: committed, aspirational"),
    ("progress_from: aligned_to", f"{P}:4:20: error[bad-value]: 'progress_from' cannot be 'aligned_to': did you "
                                  "mean 'aligned'?"),
    ("tags: [a, {b: c}]", f"{P}:4:15: error[wrong-type]: each item of 'tags' is a piece of text, not a mapping"),
    ("krs: []", f"{P}:4:5: error[unknown-key]: unknown key 'krs' in objective (did you mean 'key_results'?)"),
    ("fiscal_year_start: 2", f"{P}:4:5: error[unknown-key]: unknown key 'fiscal_year_start' in objective "
                             "(allowed: id, title, description, owner, type, tags, private, progress_from, score, "
                             "aligned_to, key_results, initiatives)"),
])
def test_objective_value_rules(tmp_path: Path, line: str, expected: str) -> None:
    text = ("objectives:\n  - id: grow\n    title: Grow\n    " + line + "\n"
            "    key_results:\n      - {title: x, start: 0, target: 1}\n")
    assert lines(tmp_path, {"2026-Q4.yaml": text}) == [expected]


@pytest.mark.parametrize(("url", "ok"), [
    ("https://example.com/a?b=c", True),
    ("http://example.com", True),
    ("mailto:team@example.com", True),
    ("/about/", True),
    ("../handbook/", True),
    ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(1)", False),
    ("data:text/html;base64,PHNjcmlwdD4=", False),
    ("vbscript:msgbox", False),
    ("//evil.example.com/x", False),
    ("java\tscript:alert(1)", False),
    ("https://exa mple.com", False),
])
def test_links_accept_only_safe_schemes(tmp_path: Path, url: str, ok: bool) -> None:
    quoted = url.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    found = lines(tmp_path, {"x/team.yaml": f'name: X\nlinks:\n  Docs: "{quoted}"\n'})
    assert found == [] if ok else [p.split(": error[")[1].split("]")[0] for p in found] == ["bad-url"]


def test_company_settings_are_refused_outside_the_root(tmp_path: Path) -> None:
    assert lines(tmp_path, {"x/team.yaml": "name: X\nfiscal_year_start: 2\n"}) == [
        "okrs/x/team.yaml:2:1: error[root-only-key]: 'fiscal_year_start' is a company setting: set it in the root "
        "team.yaml, not here"]


def test_root_settings_are_range_checked(tmp_path: Path) -> None:
    assert lines(tmp_path, {"team.yaml": "name: Acme\nfiscal_year_start: 13\nstatus_rules:\n  on_track_gap: 0.3\n"
                                         "  at_risk_gap: 0.2\n  stale_after_days: 0\n"}) == [
        "okrs/team.yaml:2:20: error[out-of-range]: 'fiscal_year_start' must be from 1 to 12, not 13",
        "okrs/team.yaml:5:16: error[out-of-range]: 'at_risk_gap' must be at least 'on_track_gap'",
        "okrs/team.yaml:6:21: error[out-of-range]: 'stale_after_days' must be from 1 to 366, not 0",
    ]


def test_text_length_is_limited(tmp_path: Path) -> None:
    assert lines(tmp_path, {"x/team.yaml": "name: " + "x" * 301 + "\n"}) == [
        "okrs/x/team.yaml:1:7: error[too-long]: 'name' is 301 characters; the limit is 300"]


@pytest.mark.parametrize(("escaped", "code_point"), [("\\e[2J", "001B"), ("a\\u202Eb", "202E"), ("\\x07", "0007")])
def test_control_and_bidi_characters_are_refused(tmp_path: Path, escaped: str, code_point: str) -> None:
    assert lines(tmp_path, {"x/team.yaml": f'name: "X {escaped}"\n'}) == [
        f"okrs/x/team.yaml:1:7: error[control-character]: 'name' contains the invisible control character "
        f"U+{code_point}: remove it"]


def test_tabs_and_line_breaks_stay_allowed_in_text(tmp_path: Path) -> None:
    assert lines(tmp_path, {"x/team.yaml": 'name: X\ndescription: "a\\tb\\nc"\n'}) == []


_SCALAR_FIELDS = [spec for shape in (schema.CHECKIN, schema.INITIATIVE, schema.KEY_RESULT, schema.OBJECTIVE,
                                     schema.STATUS_RULES, schema.GRADING, schema.TEAM_FILE, schema.PERSON)
                  for spec in shape.fields]
_SCALAR_TEXT = st.one_of(st.text(max_size=12), st.from_regex(r"-?\d{1,4}(\.\d{1,3})?", fullmatch=True),
                         st.from_regex(r" ?20\d\d-[01]\d-[0-3]\d ?", fullmatch=True),
                         st.sampled_from(["", " ", "0", "1.0", "1.5", "-0", "010", "1e3", "yes", "x" * 300, "a\x07"]))


@settings(max_examples=3000, deadline=None)
@given(text=_SCALAR_TEXT, spec=st.sampled_from(_SCALAR_FIELDS), quoted=st.booleans())
def test_the_common_path_reads_a_value_exactly_as_the_full_one(text: str, spec: Field, quoted: bool) -> None:
    """Check-ins are read through a shortcut for the common values; it must never disagree."""
    node = YamlScalar(text, "str" if quoted else load._plain_tag(text), not quoted, "f.yaml", 1, 1)
    common = fields._common_value(node, spec)
    if common is None:
        return
    problems: list[Problem] = []
    assert fields._convert(node, spec, problems) == common and type(fields._convert(node, spec, [])) is type(common)
    assert problems == []


def test_the_common_path_is_taken_for_the_values_most_people_write() -> None:
    def value(text: str, spec: Field, tag: str = "str") -> object:
        return fields._common_value(YamlScalar(text, tag, True, "f.yaml", 1, 1), spec)

    by_name = schema.CHECKIN.by_name
    assert value("12.5", by_name["value"], "float") == 12.5
    assert value("0.7", by_name["confidence"], "float") == 0.7
    assert value("1.7", by_name["confidence"], "float") is None  # out of range: the full path reports it
    assert value("2026-11-02", by_name["date"], "timestamp") == dt.date(2026, 11, 2)
    assert value("2026-02-30", by_name["date"], "timestamp") is None
    assert value("Shipped the beta", by_name["note"]) == "Shipped the beta"
    assert value("yes", by_name["note"], "bool") is None
