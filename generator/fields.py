"""Reads one YAML mapping through its ``Shape``: unknown and missing keys, types, ranges and limits.

Typing is strict where YAML 1.1 is surprising: ``no`` is not text, ``010`` is not ten, ``12:30`` is
not a number, and ``2026-02-30`` is not a date. Every refusal says where and what to write instead.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
from dataclasses import dataclass, field

from generator.errors import Location, Problem, error
from generator.load import ID_PATTERN, YamlMapping, YamlNode, YamlScalar, YamlSequence
from generator.schema import MAX_ID, MAX_LIST, MAX_TITLE, Field, Kind, Shape

NUMBER_PATTERN = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = ("http", "https", "mailto")
MAX_NUMBER_TEXT = 40
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters (a double-quoted YAML string can write them as escapes) and bidi overrides,
which can hide or reorder what a reviewer reads; tabs and line breaks stay allowed."""
YAML_BOOLEANS = {"y", "yes", "n", "no", "true", "false", "on", "off"}
KEY_ALIASES = {
    "krs": "key_results", "keyresults": "key_results", "results": "key_results",
    "objective": "objectives", "goals": "objectives", "okrs": "objectives",
    "check_ins": "checkins", "checkin": "checkins", "updates": "checkins",
    "aligned": "aligned_to", "aligns_to": "aligned_to", "parent": "aligned_to",
    "confidence_level": "confidence", "current": "checkins",
}


LINK_NAME = Field("link name", Kind.TEXT, "The name a link is shown with.", max_length=MAX_TITLE)


@dataclass(frozen=True, slots=True)
class TextItem:
    text: str
    location: Location


@dataclass(slots=True)
class Values:
    """The converted values of one mapping, by key; a key that failed to convert is absent."""

    location: Location
    values: dict[str, object] = field(default_factory=dict)
    nodes: dict[str, YamlNode] = field(default_factory=dict)
    """Where each converted value was written; its Location is made only when a problem needs it."""
    written: set[str] = field(default_factory=set)
    """Keys written with a value, including those whose value was refused (and reported)."""

    def has(self, name: str) -> bool:
        return name in self.values

    def is_written(self, name: str) -> bool:
        return name in self.written

    def where(self, name: str) -> Location:
        """The position of a key's value, or of the mapping when the key is absent."""
        node = self.nodes.get(name)
        return node.location if node is not None else self.location

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) else None

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        return value if isinstance(value, float) else None

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def boolean(self, name: str) -> bool | None:
        value = self.values.get(name)
        return value if isinstance(value, bool) else None

    def date(self, name: str) -> dt.date | None:
        value = self.values.get(name)
        return value if isinstance(value, dt.date) else None

    def items(self, name: str) -> tuple[TextItem, ...]:
        value = self.values.get(name, ())
        assert isinstance(value, tuple)
        return tuple(item for item in value if isinstance(item, TextItem))

    def links(self, name: str) -> tuple[tuple[TextItem, TextItem], ...]:
        value = self.values.get(name, ())
        assert isinstance(value, tuple)
        return tuple(pair for pair in value if isinstance(pair, tuple))

    def mapping(self, name: str) -> YamlMapping | None:
        value = self.values.get(name)
        return value if isinstance(value, YamlMapping) else None

    def mappings(self, name: str) -> tuple[YamlMapping, ...]:
        value = self.values.get(name, ())
        assert isinstance(value, tuple)
        return tuple(item for item in value if isinstance(item, YamlMapping))


def read(node: YamlNode, shape: Shape, problems: list[Problem], *, at_root: bool = True) -> Values | None:
    """Convert a mapping by its shape; ``None`` (with a problem) when the node is not a mapping."""
    if not isinstance(node, YamlMapping):
        problems.append(error(node.location, "wrong-type",
                              f"expected a {shape.name} (a mapping of keys and values), found {_describe(node)}"))
        return None
    values = Values(node.location)
    converted_values, nodes, written = values.values, values.nodes, values.written
    by_name = shape.by_name
    for key, value in node.entries:
        spec = by_name.get(key.text)
        if spec is None or (spec.root_only and not at_root):
            problems.append(_unknown_key(key, shape, at_root, spec))
            continue
        name = spec.name
        if not isinstance(value, YamlScalar):
            written.add(name)
        elif value.tag != "null":
            written.add(name)
            if (common := _common_value(value, spec)) is not None:
                converted_values[name] = common
                nodes[name] = value
                continue
        converted = _convert(value, spec, problems)
        if converted is not None:
            converted_values[name] = converted
            nodes[name] = value
    for name in shape.required:
        if name not in written:
            spec = by_name[name]
            problems.append(error(node.location, "missing-key",
                                  f"{shape.name} has no '{name}': add '{name}:' ({spec.doc.rstrip('.')})"))
    return values


# Half a million check-ins at a thousand teams: the values almost everyone writes (a plain number,
# a date, a line of text) are read here in one step, with exactly the outcome of the full path below;
# anything else, and every value that needs a problem reported, goes the full path (None here).
def _common_value(node: YamlScalar, spec: Field) -> object | None:
    kind = spec.kind
    text = node.text
    if kind is Kind.NUMBER:
        if not (node.plain and SIMPLE_NUMBER.fullmatch(text)):
            return None
        number = float(text)
        low, high, above = spec.minimum, spec.maximum, spec.above
        if (low is not None and number < low) or (high is not None and number > high) or \
                (above is not None and number <= above):
            return None
        return number
    if kind is Kind.TEXT or kind is Kind.PERSON:
        if node.tag != "str" or len(text) > spec.max_length or CONTROL_CHARACTER.search(text) is not None:
            return None
        return text if text.strip() or not spec.required else None
    if kind is Kind.DATE:
        day = text.strip()
        if not DATE_PATTERN.match(day):
            return None
        try:
            return shared_day(day)
        except ValueError:
            return None
    return None


def _unknown_key(key: YamlScalar, shape: Shape, at_root: bool, spec: Field | None) -> Problem:
    if spec is not None:
        return error(key.location, "root-only-key",
                     f"'{key.text}' is a company setting: set it in the root team.yaml, not here")
    allowed = [f.name for f in shape.fields if at_root or not f.root_only]
    normal = key.text.strip().lower().replace("-", "_").replace(" ", "_")
    guess = normal if normal in allowed else KEY_ALIASES.get(normal)
    if guess not in allowed:
        close = difflib.get_close_matches(normal, allowed, n=1, cutoff=0.6)
        guess = close[0] if close else None
    hint = f" (did you mean '{guess}'?)" if guess else f" (allowed: {', '.join(allowed)})"
    return error(key.location, "unknown-key", f"unknown key '{key.text}' in {shape.name}{hint}")


def _describe(node: YamlNode) -> str:
    if isinstance(node, YamlMapping):
        return "a mapping"
    if isinstance(node, YamlSequence):
        return "a list"
    if node.tag == "null":
        return "nothing"
    return f"'{_clip(node.text)}'"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _convert(node: YamlNode, spec: Field, problems: list[Problem]) -> object | None:
    kind = spec.kind
    if kind in (Kind.OBJECT_LIST, Kind.TEXT_LIST, Kind.PERSON_LIST, Kind.REFERENCES):
        return _list(node, spec, problems)
    if kind is Kind.OBJECT:
        if isinstance(node, YamlMapping):
            return node
        if isinstance(node, YamlScalar) and node.tag == "null":
            return None
        problems.append(error(node.location, "wrong-type",
                              f"'{spec.name}' is a mapping of keys, not {_describe(node)}"))
        return None
    if kind is Kind.LINKS:
        return _links(node, spec, problems)
    if not isinstance(node, YamlScalar):
        problems.append(error(node.location, "wrong-type",
                              f"'{spec.name}' takes a single {_kind_word(kind)}, not {_describe(node)}"))
        return None
    if node.tag == "null":
        return None
    return _scalar(node, spec, problems)


def _kind_word(kind: Kind) -> str:
    return {Kind.NUMBER: "number", Kind.INTEGER: "whole number", Kind.DATE: "date (YYYY-MM-DD)",
            Kind.BOOLEAN: "true or false", Kind.ID: "id", Kind.URL: "link"}.get(kind, "text")


def _scalar(node: YamlScalar, spec: Field, problems: list[Problem]) -> object | None:
    kind = spec.kind
    if kind in (Kind.NUMBER, Kind.INTEGER):
        return _number(node, spec, problems)
    if kind is Kind.DATE:
        return _date(node, spec.name, problems)
    if kind is Kind.BOOLEAN:
        return _boolean(node, spec.name, problems)
    text = _text(node, spec, problems)
    if text is None:
        return None
    if kind is Kind.ID:
        return text if _valid_id(text, spec.name, node.location, problems) else None
    if kind is Kind.CHOICE:
        return _choice(text, spec, node.location, problems)
    if kind is Kind.URL:
        return text if valid_url(text, spec.name, node.location, problems) else None
    if kind is Kind.EMAIL:
        return text if valid_email(text.strip(), spec.name, node.location, problems) else None
    if spec.required and not text.strip():
        problems.append(error(node.location, "blank", f"'{spec.name}' is blank: write the text, or remove the key"))
        return None
    return text


def _text(node: YamlScalar, spec: Field, problems: list[Problem]) -> str | None:
    if node.tag == "bool":
        problems.append(error(node.location, "wrong-type",
                              f"'{spec.name}' is text, but YAML reads {node.text} as true/false: "
                              f"quote it: \"{node.text}\""))
        return None
    control = CONTROL_CHARACTER.search(node.text)
    if control is not None:
        problems.append(error(node.location, "control-character",
                              f"'{spec.name}' contains the invisible control character "
                              f"U+{ord(control.group()):04X}: remove it"))
        return None
    if len(node.text) > spec.max_length:
        problems.append(error(node.location, "too-long",
                              f"'{spec.name}' is {len(node.text):,} characters; the limit is {spec.max_length:,}"))
        return None
    return node.text


SIMPLE_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,29})(?:\.[0-9]{1,8})?")
"""Numbers as people and spreadsheets write them (7, -12, 0.25, 1500.5): read without the checks below."""


def _number(node: YamlScalar, spec: Field, problems: list[Problem]) -> float | int | None:
    if node.plain and SIMPLE_NUMBER.fullmatch(node.text) and (spec.kind is Kind.NUMBER or "." not in node.text):
        value = float(node.text)
        bounded = spec.minimum is not None or spec.maximum is not None or spec.above is not None
        if bounded and not _in_range(value, spec, node.location, problems):
            return None
        return value if spec.kind is Kind.NUMBER else int(node.text)
    text = node.text.strip()
    name = spec.name
    wanted = "a whole number" if spec.kind is Kind.INTEGER else "a number"
    problem: str | None = None
    if not node.plain:
        problem = f"'{name}' is {wanted}: remove the quotes around {text}" if NUMBER_PATTERN.match(text) else \
            f"'{name}' must be {wanted}, not the text '{_clip(text)}'"
    elif node.tag == "bool":
        problem = f"'{name}' must be {wanted}, not {text}"
    elif text.endswith("%") and NUMBER_PATTERN.match(text[:-1].strip()):
        problem = f"'{name}' must be a plain number: write {text[:-1].strip()} and put the '%' in 'unit'"
    elif "_" in text and NUMBER_PATTERN.match(text.replace("_", "")):
        problem = f"write {text.replace('_', '')} without digit separators"
    elif text.lower().lstrip("+-") in (".inf", ".nan"):
        problem = f"'{name}' must be a finite number, not {text}"
    elif not NUMBER_PATTERN.match(text):
        problem = f"'{name}' must be {wanted}, not '{_clip(text)}'"
    elif re.match(r"^[-+]?0[0-9]", text):
        problem = (f"'{text}' has a leading zero, which YAML 1.1 reads as an octal number: "
                   f"write {text.lstrip('+-').lstrip('0') or '0'}")
    elif len(text) > MAX_NUMBER_TEXT:
        problem = f"'{name}' has {len(text)} characters; numbers are limited to {MAX_NUMBER_TEXT}"
    elif spec.kind is Kind.INTEGER and not re.match(r"^[-+]?[0-9]+\Z", text):
        problem = f"'{name}' must be a whole number, not {text}"
    if problem is not None:
        problems.append(error(node.location, "wrong-type", problem))
        return None
    value = float(text)
    if not math.isfinite(value):
        problems.append(error(node.location, "wrong-type", f"'{name}' is too large: {_clip(text)}"))
        return None
    if not _in_range(value, spec, node.location, problems):
        return None
    return int(text) if spec.kind is Kind.INTEGER else value


def _in_range(value: float, spec: Field, location: Location, problems: list[Problem]) -> bool:
    low, high, above = spec.minimum, spec.maximum, spec.above
    if (low is not None and value < low) or (high is not None and value > high) or \
            (above is not None and value <= above):
        if above is not None:
            bound = f"above {above:g}"
        elif high is None:
            bound = f"at least {low:g}"
        else:
            bound = f"from {low:g} to {high:g}"
        problems.append(error(location, "out-of-range", f"'{spec.name}' must be {bound}, not {value:g}"))
        return False
    return True


def _date(node: YamlScalar, name: str, problems: list[Problem]) -> dt.date | None:
    text = node.text.strip()
    if not DATE_PATTERN.match(text):
        problems.append(error(node.location, "bad-date",
                              f"'{name}' must be a date written YYYY-MM-DD, not '{_clip(text)}'"))
        return None
    try:
        return shared_day(text)
    except ValueError:
        problems.append(error(node.location, "bad-date", f"{text} is not a day of the calendar"))
        return None


_NUMBERS: dict[tuple[type, float], float] = {}
NUMBERS_SHARED = 1 << 16
"""A bound: a company whose check-ins are all different numbers shares none, and the table stops growing."""


def shared_number(value: float) -> float:
    """One shared object per number, as ``shared_day`` per day: a large company's millions of check-ins
    hold a few thousand values and ten confidences (each a 24-byte object: 0.2 GiB at 10,000 teams).
    Keyed by type too, so 1 and 1.0 stay what they were; zero is left alone, so -0.0 does."""
    if not value:
        return value
    shared = _NUMBERS.get((type(value), value))
    if shared is not None:
        return shared
    if len(_NUMBERS) < NUMBERS_SHARED:
        _NUMBERS[type(value), value] = value
    return value


@functools.lru_cache(maxsize=4096)
def shared_day(text: str) -> dt.date:
    """One shared object per day: a company's check-ins fall on a few hundred days."""
    return dt.date.fromisoformat(text)


def _boolean(node: YamlScalar, name: str, problems: list[Problem]) -> bool | None:
    if node.plain and node.text in ("true", "false"):
        return node.text == "true"
    if node.text.lower() in YAML_BOOLEANS:
        meant = "true" if node.text.lower() in {"y", "yes", "on", "true"} else "false"
        problems.append(error(node.location, "wrong-type", f"'{name}' takes true or false: write {meant}"))
    else:
        problems.append(error(node.location, "wrong-type", f"'{name}' takes true or false, not '{_clip(node.text)}'"))
    return None


def _choice(text: str, spec: Field, location: Location, problems: list[Problem]) -> str | None:
    if text in spec.choices:
        return text
    normal = text.strip().lower().replace("-", "_").replace(" ", "_")
    close = [normal] if normal in spec.choices else difflib.get_close_matches(normal, spec.choices, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(spec.choices)}"
    problems.append(error(location, "bad-value", f"'{spec.name}' cannot be '{_clip(text)}': {hint}"))
    return None


def _valid_id(text: str, name: str, location: Location, problems: list[Problem]) -> bool:
    if ID_PATTERN.match(text) and len(text) <= MAX_ID:
        return True
    problems.append(error(location, "bad-id", bad_id_message(text, f"'{name}'")))
    return False


def suggest_id(text: str) -> str | None:
    """An id made from any text (``Team A`` -> ``team-a``), or ``None`` when nothing of it is ASCII."""
    candidate = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")
    candidate = re.sub(r"^[^a-z]+", "", candidate)[:MAX_ID].strip("-")
    return candidate if candidate and ID_PATTERN.match(candidate) else None


def bad_id_message(text: str, what: str) -> str:
    if len(text) > MAX_ID:
        return f"{what} '{_clip(text)}' is longer than {MAX_ID} characters"
    suggestion = suggest_id(text)
    hint = f": try '{suggestion}'" if suggestion else ""
    return (f"{what} '{_clip(text)}' is not a valid id: use lowercase ASCII letters, digits and '-', "
            f"starting with a letter{hint}")


def valid_url(text: str, name: str, location: Location, problems: list[Problem]) -> bool:
    """Only http, https, mailto and relative links: no script, data or other scheme can come from content."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        problems.append(error(location, "bad-url", f"'{name}' must not contain spaces or control characters"))
        return False
    scheme = URL_SCHEME.match(text)
    if scheme is not None and scheme[1].lower() not in SAFE_SCHEMES:
        problems.append(error(location, "bad-url",
                              f"'{name}' uses the scheme '{scheme[1]}:'; links may be http, https, mailto or relative"))
        return False
    if "\\" in text:  # browsers read a backslash as a slash: /\\host would leave the site
        problems.append(error(location, "bad-url", f"'{name}' must not contain a backslash: use /"))
        return False
    if scheme is None and text.startswith("//"):
        problems.append(error(location, "bad-url", f"'{name}' must start with https:// (or be a relative link)"))
        return False
    return True


EMAIL = re.compile(r"^[^@\s<>()\[\]\\,;:\"`]+@[^@\s<>()\[\]\\,;:\"`]+\.[^@\s<>()\[\]\\,;:\"`.]+\Z")


def valid_email(text: str, name: str, location: Location, problems: list[Problem]) -> bool:
    if EMAIL.match(text):
        return True
    problems.append(error(location, "bad-email", f"'{name}' must be an e-mail address such as name@example.com"))
    return False


def _list(node: YamlNode, spec: Field, problems: list[Problem]) -> tuple[object, ...] | None:
    if isinstance(node, YamlScalar) and node.tag == "null":
        return ()
    if isinstance(node, YamlSequence):
        items = node.items
    elif spec.kind is Kind.OBJECT_LIST:
        problems.append(error(node.location, "wrong-type",
                              f"'{spec.name}' is a list: start each item with '- ', not {_describe(node)}"))
        return None
    else:
        items = (node,)  # a single tag, person or reference may be written without a list
    if len(items) > MAX_LIST:
        problems.append(error(node.location, "too-long",
                              f"'{spec.name}' has {len(items):,} items; the limit is {MAX_LIST:,}"))
        return None
    converted: list[object] = []
    for item in items:
        if spec.kind is Kind.OBJECT_LIST:
            if isinstance(item, YamlMapping):
                converted.append(item)
            else:
                problems.append(error(item.location, "wrong-type",
                                      f"each item of '{spec.name}' is a mapping of keys, not {_describe(item)}"))
            continue
        if not isinstance(item, YamlScalar) or item.tag == "null":
            problems.append(error(item.location, "wrong-type",
                                  f"each item of '{spec.name}' is a piece of text, not {_describe(item)}"))
            continue
        text = _text(item, spec, problems)
        if text is not None and not text.strip():
            problems.append(error(item.location, "blank", f"an item of '{spec.name}' is blank: remove it"))
        elif text is not None:
            converted.append(TextItem(text.strip(), item.location))
    return tuple(converted)


def _links(node: YamlNode, spec: Field, problems: list[Problem]) -> tuple[object, ...] | None:
    if isinstance(node, YamlScalar) and node.tag == "null":
        return ()
    if not isinstance(node, YamlMapping):
        problems.append(error(node.location, "wrong-type",
                              f"'{spec.name}' maps names to links (Runbook: https://...), not {_describe(node)}"))
        return None
    links: list[object] = []
    for key, value in node.entries:
        if not isinstance(value, YamlScalar) or value.tag == "null":
            problems.append(error(value.location, "wrong-type", f"link '{_clip(key.text)}' needs a URL"))
            continue
        label = _text(key, LINK_NAME, problems)
        if label is not None and not label.strip():
            problems.append(error(key.location, "blank", "a link's name is blank: write what the link opens"))
        elif label is not None and valid_url(value.text, spec.name, value.location, problems):
            links.append((TextItem(label, key.location), TextItem(value.text, value.location)))
    return tuple(links)
