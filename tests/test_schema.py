"""The JSON Schema for editors: committed as generated, valid for every example file, and in
agreement with the validator on the broken-file corpora."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from generator.cli import main
from generator.editor_schema import KINDS, json_schema
from generator.load import YamlMapping, YamlNode, YamlScalar, YamlSequence, parse_yaml, read_files
from generator.validate import validate

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "docs" / "schema"
SCHEMA_CODES = {"unknown-key", "missing-key", "wrong-type", "bad-value", "out-of-range", "bad-id", "too-long",
                "bad-url", "bad-date"}
"""Rules a schema can express; the others (references, people, YAML 1.1 quirks, calendars) are okr check's."""
BEYOND_A_SCHEMA = re.compile(r"leading zero|digit separators|finite|too large|characters; numbers|is not a day|"
                             r"has 'start' but|has 'target' but|equals 'start'|lower than|at least 'on_track|"
                             r"must not exceed|is already used|team file is empty|period file is empty|"
                             r"'objectives' is empty|a milestone|YAML reads .* as true/false")


YAML12_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
YAML12_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def _instance(node: YamlNode | None) -> Any:
    """A parsed file as the values a YAML editor sees: YAML 1.2's core schema, where ``no`` and
    ``12:30`` are text and dates stay text."""
    if isinstance(node, YamlMapping):
        return {key.text: _instance(value) for key, value in node.entries}
    if isinstance(node, YamlSequence):
        return [_instance(item) for item in node.items]
    assert isinstance(node, YamlScalar)
    text = node.text
    if not node.plain:
        return text
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text.lower() == "true"
    if YAML12_INT.match(text):
        return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
    if YAML12_FLOAT.match(text):
        return float(text)
    return text


def _kind(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return "people" if name == "people.yaml" else "team" if name == "team.yaml" else "period"


def _schema_errors(kind: str, data: bytes) -> list[str]:
    document = parse_yaml(data, "f.yaml")
    if document.root is None:
        return ["unparsable"]
    validator = jsonschema.Draft7Validator(json_schema(kind))
    return [e.message for e in validator.iter_errors(_instance(document.root))]


def test_the_committed_schemas_are_the_generated_ones(tmp_path: Path) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    for kind in KINDS:
        assert (tmp_path / f"{kind}.schema.json").read_text() == (SCHEMAS / f"{kind}.schema.json").read_text(), \
            f"run `okr schema --out docs/schema` and commit the result ({kind})"
        jsonschema.Draft7Validator.check_schema(json.loads((SCHEMAS / f"{kind}.schema.json").read_text()))


@pytest.mark.parametrize("path", sorted(str(p.relative_to(REPO)) for p in (REPO / "okrs").rglob("*.yaml")))
def test_every_example_file_is_valid_and_names_its_schema(path: str) -> None:
    data = (REPO / path).read_bytes()
    assert _schema_errors(_kind(path), data) == []
    modeline = re.match(rb"# yaml-language-server: \$schema=(\S+)\n", data)
    assert modeline is not None, "the first line names the schema for editors"
    target = ((REPO / path).parent / modeline.group(1).decode()).resolve()
    assert target == (SCHEMAS / f"{_kind(path)}.schema.json").resolve()


def _corpus() -> list[tuple[str, dict[str, bytes]]]:
    cases = []
    for case in yaml.safe_load((REPO / "tests" / "hostile" / "errors.yaml").read_text(encoding="utf-8")):
        files = {path: content.encode() for path, content in case["files"].items() if isinstance(content, str)}
        cases.append((case["name"], {"team.yaml": b"name: Acme\n", **files}))
    for folder in sorted((REPO / "tests" / "broken").iterdir()):
        tree = folder / "tree"
        if tree.is_dir():
            cases.append((folder.name, {str(p.relative_to(tree)): p.read_bytes()
                                        for p in tree.rglob("*") if p.is_file() and p.suffix == ".yaml"}))
    return cases


def test_the_schema_and_the_validator_agree_on_the_corpora() -> None:
    refused_by_both, accepted_by_both, disagreements = 0, 0, []
    for name, files in _corpus():
        problems = validate(read_files(files, "okrs")).problems
        for path, data in files.items():
            base = path.rsplit("/", 1)[-1]
            if base not in ("team.yaml", "people.yaml") and not re.match(r"^\d{4}(-(H[12]|Q[1-4]))?\.yaml$", base):
                continue
            mine = [p for p in problems if p.location.file == f"okrs/{path}" and p.severity.value == "error"]
            if any(BEYOND_A_SCHEMA.search(p.message) or p.code not in SCHEMA_CODES for p in mine):
                continue  # not something a schema decides
            schema_errors = _schema_errors(_kind(path), data)
            if "unparsable" in schema_errors:
                continue
            if mine and not schema_errors:
                disagreements.append(f"{name}/{path}: only the validator refuses it ({mine[0]})")
            elif not mine and schema_errors:
                disagreements.append(f"{name}/{path}: only the schema refuses it ({schema_errors[0]})")
            elif mine:
                refused_by_both += 1
            else:
                accepted_by_both += 1
    assert disagreements == []
    assert refused_by_both >= 12 and accepted_by_both >= 10, (refused_by_both, accepted_by_both)
