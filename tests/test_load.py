"""YAML-level rules: each refused construct is reported at its exact position."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.load import MAX_FILE_BYTES, YamlMapping, YamlScalar, parse_yaml
from tests.helpers import lines


def problems(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [str(p) for p in parse_yaml(data, "f.yaml").problems]


@pytest.mark.parametrize(("text", "expected"), [
    ("a: &x 1\nb: *x\n", ["f.yaml:1:4: error[yaml-anchor]: anchor '&x' is not allowed: write each value out in full",
                          "f.yaml:2:4: error[yaml-alias]: alias '*x' is not allowed: write the value out"]),
    ("a: !foo bar\n", ["f.yaml:1:4: error[yaml-tag]: tag '!foo' is not allowed: remove it (quote the value if it "
                       "must be text)"]),
    ("a: !!python/object:os.system x\n", ["f.yaml:1:4: error[yaml-tag]: tag 'tag:yaml.org,2002:python/object:"
                                          "os.system' is not allowed: remove it (quote the value if it must be text)"]),
    ("title: a\ntitle: b\n", ["f.yaml:2:1: error[duplicate-key]: duplicate key 'title' (first at line 1): YAML "
                              "would silently keep only one; remove one of them"]),
    ("1: x\n", ["f.yaml:1:1: error[non-string-key]: key '1' is read by YAML as a number, not a name: quote it or "
                "rename it"]),
    ("true: x\n", ["f.yaml:1:1: error[non-string-key]: key 'true' is read by YAML as true/false, not a name: quote "
                   "it or rename it"]),
    ("a:\n  <<: {private: false}\n", ["f.yaml:2:3: error[merge-key]: merge keys ('<<') are not allowed: write the "
                                      "keys out"]),
    ("? [a, b]\n: c\n", ["f.yaml:1:3: error[non-string-key]: a key must be a plain name, not a list or mapping"]),
    ("a: 1\n---\nb: 2\n", ["f.yaml:2:1: error[multiple-documents]: a file holds one YAML document: remove the '---' "
                           "separator and what follows, or move it to a file of its own"]),
    ("a: [1,\n", ["f.yaml:2:1: error[yaml-syntax]: while parsing a flow node did not find expected node content"]),
    ("a:\n\t- b\n", ["f.yaml:2:1: error[yaml-syntax]: while scanning for the next token found character that "
                     "cannot start any token (a tab: indent with spaces)"]),
    (b"title: caf\xe9\n", ["f.yaml:1:11: error[encoding]: byte 0xe9 is not valid UTF-8: save the file as UTF-8"]),
    (b"a: 1\nb: \xff\n", ["f.yaml:2:4: error[encoding]: byte 0xff is not valid UTF-8: save the file as UTF-8"]),
])
def test_refused_constructs_are_reported_where_written(text: str | bytes, expected: list[str]) -> None:
    assert problems(text) == expected


def test_a_byte_order_mark_is_accepted() -> None:
    document = parse_yaml(b"\xef\xbb\xbfname: Acme\n", "f.yaml")
    assert document.problems == ()
    assert isinstance(document.root, YamlMapping)
    assert document.root.entries[0][0].text == "name"


def test_scalars_keep_their_text_and_yaml_type() -> None:
    document = parse_yaml(b"a: no\nb: 'no'\nc: 010\nd: 2026-10-01\ne:\n", "f.yaml")
    assert isinstance(document.root, YamlMapping)
    values = [v for _, v in document.root.entries]
    assert all(isinstance(v, YamlScalar) for v in values)
    assert [(v.text, v.tag, v.plain) for v in values if isinstance(v, YamlScalar)] == [
        ("no", "bool", True), ("no", "str", False), ("010", "int", True), ("2026-10-01", "timestamp", True),
        ("", "null", True)]
    assert [v.location.line for v in values] == [1, 2, 3, 4, 5]


def test_nesting_is_limited() -> None:
    deep = "a: " + "[" * 40 + "]" * 40 + "\n"
    assert problems(deep) == ["f.yaml:1:28: error[too-deep]: values are nested too deeply (at most 24 levels)"]


def test_extreme_nesting_is_a_reported_error_not_a_crash() -> None:
    assert problems("[" * 100_000) == [
        "f.yaml:1:1001: error[too-deep]: values are nested too deeply (at most 24 levels)"]


def test_file_size_is_limited() -> None:
    found = parse_yaml(b"#" * (MAX_FILE_BYTES + 1), "f.yaml").problems
    assert [p.code for p in found] == ["file-too-large"]


def test_an_empty_file_has_no_document_and_no_yaml_problem() -> None:
    document = parse_yaml(b"# only a comment\n", "f.yaml")
    assert document.root is None
    assert document.problems == ()


def test_problems_of_every_file_are_reported_in_one_run(tmp_path: Path) -> None:
    found = lines(tmp_path, {
        "a/team.yaml": "name: A\nname: B\n",
        "b/team.yaml": "name: &x B\n",
        "b/2026-Q4.yaml": b"objectives: \xff\n",
    })
    assert [line.split(": ")[0] for line in found] == [
        "okrs/a/team.yaml:2:1", "okrs/b/2026-Q4.yaml:1:13", "okrs/b/team.yaml:1:7"]
