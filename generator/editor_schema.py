"""JSON Schema (draft-07, which the YAML language server reads) of the OKR files, generated from the
declarations in ``schema.py`` that the validator reads too: the two cannot drift apart.

The schema catches what an editor can show while typing: unknown and missing keys, types, choices,
ranges, id patterns, lengths. Rules across files (references, unique ids, people) stay with
``okr check``.
"""

from __future__ import annotations

from typing import Any

from generator import schema
from generator.fields import DATE_PATTERN, SAFE_SCHEMES
from generator.load import ID_PATTERN
from generator.model import ProgressSource
from generator.schema import Field, Kind, Shape

DRAFT = "http://json-schema.org/draft-07/schema#"
KINDS = ("period", "team", "people")
REFERENCE_PATTERN = r"^[a-z][a-z0-9-]*(/[0-9]{4}(-(H[12]|Q[1-4]))?)?/[a-z][a-z0-9-]*(/[a-z][a-z0-9-]*)?$"
URL_PATTERN = ("^(?:" + "|".join("".join(f"[{c.upper()}{c}]" for c in scheme) + ":" for scheme in SAFE_SCHEMES)
               + r"|(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//))[^\s\\]*$")
TEXT = {"type": ["string", "number"]}
"""YAML reads ``title: 2026`` as a number; the validator accepts it as the text written, and so does this."""


def json_schema(kind: str) -> dict[str, Any]:
    """The schema of a ``period`` file, a ``team`` file or ``people.yaml``."""
    if kind == "people":
        body: dict[str, Any] = {
            "type": "object",
            "propertyNames": {"pattern": ID_PATTERN.pattern, "maxLength": schema.MAX_ID},
            "additionalProperties": _object(schema.PERSON),
        }
    else:
        body = _object(schema.PERIOD_FILE if kind == "period" else schema.TEAM_FILE)
    title = {"period": "OKR period file (YYYY.yaml, YYYY-H1.yaml, YYYY-Q1.yaml)", "team": "OKR team.yaml",
             "people": "OKR people.yaml"}[kind]
    return {"$schema": DRAFT, "$id": f"{kind}.schema.json", "title": title, **body}


def _object(shape: Shape) -> dict[str, Any]:
    result: dict[str, Any] = {
        "type": "object",
        "description": shape.doc,
        "properties": {f.name: _field(f) for f in shape.fields},
        "additionalProperties": False,
    }
    required = [f.name for f in shape.fields if f.required]
    if required:
        result["required"] = required
    if shape is schema.KEY_RESULT:  # a metric needs both ends
        result["dependencies"] = {"start": ["target"], "target": ["start"]}
    if shape is schema.OBJECTIVE:  # only an objective measured by its supporters may have no key results
        result["if"] = {"not": {"properties": {"progress_from": {"const": ProgressSource.ALIGNED.value}},
                                "required": ["progress_from"]}}
        result["then"] = {"required": ["key_results"], "properties": {"key_results": {"minItems": 1}}}
    return result


def _field(spec: Field) -> dict[str, Any]:
    described: dict[str, Any] = {"description": spec.doc + (f" Default: {spec.default}." if spec.default else "")}
    return {**described, **_type(spec)}


def _type(spec: Field) -> dict[str, Any]:
    kind = spec.kind
    if kind in (Kind.TEXT, Kind.PERSON):
        return {**TEXT, "maxLength": spec.max_length}
    if kind == Kind.ID:
        return {"type": "string", "pattern": ID_PATTERN.pattern, "maxLength": schema.MAX_ID}
    if kind in (Kind.NUMBER, Kind.INTEGER):
        bounds: dict[str, Any] = {"type": "number" if kind == Kind.NUMBER else "integer"}
        if spec.minimum is not None:
            bounds["minimum"] = spec.minimum
        if spec.maximum is not None:
            bounds["maximum"] = spec.maximum
        if spec.above is not None:
            bounds["exclusiveMinimum"] = spec.above
        return bounds
    if kind == Kind.DATE:
        return {"type": "string", "pattern": DATE_PATTERN.pattern, "format": "date"}
    if kind == Kind.BOOLEAN:
        return {"type": "boolean"}
    if kind == Kind.CHOICE:
        return {"type": "string", "enum": list(spec.choices)}
    if kind == Kind.URL:
        return {"type": "string", "pattern": URL_PATTERN}
    if kind == Kind.EMAIL:
        return {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "maxLength": spec.max_length}
    if kind in (Kind.TEXT_LIST, Kind.PERSON_LIST):
        item = {**TEXT, "maxLength": spec.max_length}
        return {"oneOf": [item, {"type": "array", "items": item, "maxItems": schema.MAX_LIST}]}
    if kind == Kind.REFERENCES:
        reference = {"type": "string", "pattern": REFERENCE_PATTERN}
        return {"oneOf": [reference, {"type": "array", "items": reference, "maxItems": schema.MAX_LIST}]}
    if kind == Kind.LINKS:
        return {"type": "object", "additionalProperties": {"type": "string", "pattern": URL_PATTERN},
                "propertyNames": {"maxLength": schema.MAX_TITLE}}
    assert spec.shape is not None
    if kind == Kind.OBJECT:
        return _object(spec.shape)
    return {"type": "array", "items": _object(spec.shape), "maxItems": schema.MAX_LIST}
