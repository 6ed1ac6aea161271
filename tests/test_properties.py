"""Property tests: no document, however random, makes the loader or validator raise."""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import schema
from generator.errors import Problem
from generator.load import SourceTree, parse_yaml, read_files
from generator.validate import validate

KEYS = sorted({f.name for shape in (schema.TEAM_FILE, schema.PERIOD_FILE, schema.OBJECTIVE, schema.KEY_RESULT,
                                    schema.CHECKIN, schema.INITIATIVE, schema.STATUS_RULES) for f in shape.fields})
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
    st.sampled_from(["no", "yes", "010", "12:30:00", ".inf", "2026-02-30", "company/x", "on_track", "30%", "~"]),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=12))
documents = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)), max_leaves=40)


def _tree(team: bytes, period: bytes) -> SourceTree:
    return read_files({"team.yaml": team, "2026-Q4.yaml": period}, "okrs")


def _assert_positioned(problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        assert problem.location.line >= 1 and problem.location.column >= 1
        assert problem.code and problem.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(team=documents, period=documents)
def test_random_documents_never_raise(team: object, period: object) -> None:
    as_period = {"objectives": [period]} if isinstance(period, dict) else period
    result = validate(_tree(yaml.safe_dump(team).encode(), yaml.safe_dump(as_period).encode()))
    _assert_positioned(result.problems)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_raises(text: str) -> None:
    result = validate(_tree(b"name: Acme\n", text.encode("utf-8", "surrogatepass")))
    _assert_positioned(result.problems)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_raise(data: bytes) -> None:
    _assert_positioned(parse_yaml(data, "f.yaml").problems)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a:", " b", "- c", ": d", "&x", "*x", "!t", "[", "]", "{", "}", "'", '"', "\n",
                                 "  ", "\t", "#", "---", "<<:", "? ", "|", ">", "%YAML 1.1", "\\", "\ufeff"]),
                max_size=40))
def test_yaml_punctuation_soup_never_raises(tokens: list[str]) -> None:
    _assert_positioned(parse_yaml("".join(tokens).encode("utf-8"), "f.yaml").problems)
