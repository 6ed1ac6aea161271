"""Adding a check-in to a period file as text, so that nothing but the new lines changes.

Round-trip YAML libraries re-emit the whole document (quoting, flow style, line endings and odd
indentation can change), so the new check-in is inserted at positions the YAML parser itself
reports, in the style of the check-ins around it; the caller validates the result before writing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from generator.load import ID_PATTERN, YAML_LOADER


class EditError(Exception):
    """The file's shape does not allow the edit; the message says why."""


@dataclass(frozen=True, slots=True)
class NewCheckIn:
    date: dt.date
    value: float
    confidence: float | None = None
    status: str | None = None
    note: str | None = None
    by: str | None = None

    def pairs(self) -> list[tuple[str, str]]:
        """``key, YAML text`` in the order the format documents."""
        pairs = [("date", self.date.isoformat()), ("value", _number(self.value))]
        if self.confidence is not None:
            pairs.append(("confidence", _number(self.confidence)))
        if self.status is not None:
            pairs.append(("status", self.status))
        if self.note:
            pairs.append(("note", json.dumps(self.note, ensure_ascii=False)))
        if self.by:
            pairs.append(("by", self.by if ID_PATTERN.match(self.by) else json.dumps(self.by, ensure_ascii=False)))
        return pairs

    def flow(self) -> str:
        return "{" + ", ".join(f"{key}: {value}" for key, value in self.pairs()) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def add_checkin(text: str, objective_id: str, key_result_index: int, checkin: NewCheckIn) -> str:
    """``text`` with the check-in appended to the key result at ``key_result_index`` of the objective."""
    newline = "\r\n" if "\r\n" in text else "\n"
    root = yaml.compose(text, Loader=YAML_LOADER)
    objective = _find_objective(root, objective_id)
    key_results = _value(objective, "key_results")
    if not isinstance(key_results, yaml.SequenceNode) or key_result_index >= len(key_results.value):
        raise EditError("the key result was not found where the file was read")
    key_result = key_results.value[key_result_index]
    if not isinstance(key_result, yaml.MappingNode):
        raise EditError("the key result is not a mapping")
    checkins = _value(key_result, "checkins")
    if isinstance(checkins, yaml.SequenceNode) and checkins.value:
        return _after_last_item(text, checkins, checkin, newline)
    if isinstance(checkins, yaml.SequenceNode):  # checkins: []
        end = checkins.end_mark.index
        closing = text.rindex("]", checkins.start_mark.index, end)
        return text[:closing] + checkin.flow() + text[closing:]
    if checkins is not None:  # `checkins:` with nothing after it
        value_end = _end_of_line(text, _key_node(key_result, "checkins").end_mark.index)
        return text[:value_end] + " [" + checkin.flow() + "]" + text[value_end:]
    return _new_key(text, key_result, checkin, newline)


def _find_objective(root: Any, objective_id: str) -> yaml.MappingNode:
    if isinstance(root, yaml.MappingNode):
        objectives = _value(root, "objectives")
        if isinstance(objectives, yaml.SequenceNode):
            for item in objectives.value:
                ident = _value(item, "id") if isinstance(item, yaml.MappingNode) else None
                if isinstance(ident, yaml.ScalarNode) and ident.value == objective_id:
                    found: yaml.MappingNode = item
                    return found
    raise EditError(f"objective '{objective_id}' was not found where the file was read")


def _key_node(mapping: yaml.MappingNode, key: str) -> yaml.Node:
    for name, _ in mapping.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            return name
    raise EditError(f"no '{key}'")


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for name, value in mapping.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            node: yaml.Node = value
            return node
    return None


def _end_of_line(text: str, end: int) -> int:
    """Where to insert after a node that ends at ``end``: the end of the line of its last character
    (after any comment on that line), before the line break."""
    last = end - 1
    while last > 0 and text[last] in "\r\n":  # a block scalar ends after its line break
        last -= 1
    return _line_end(text, last)


def _line_end(text: str, index: int) -> int:
    """The index of the line break that ends the line holding ``index`` (or the text's end)."""
    found = text.find("\n", index)
    if found == -1:
        return len(text)
    return found - 1 if found > 0 and text[found - 1] == "\r" else found


def _last_scalar_end(node: yaml.Node) -> int:
    """Where the last scalar written inside a node ends: a block node's own end runs on to the next token."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end: int = node.end_mark.index
    return end


def _after_last_item(text: str, checkins: yaml.SequenceNode, checkin: NewCheckIn, newline: str) -> str:
    if checkins.flow_style:  # checkins: [{...}, {...}]
        closing = text.rindex("]", checkins.start_mark.index, checkins.end_mark.index)
        return text[:closing] + ", " + checkin.flow() + text[closing:]
    last = checkins.value[-1]
    line_start = text.rfind("\n", 0, last.start_mark.index) + 1
    prefix = text[line_start: last.start_mark.index]
    dash = prefix.rfind("-")
    if dash == -1 or prefix[:dash].strip():
        raise EditError("the check-ins are laid out in a way this command does not edit: add it by hand")
    indent, item_indent = prefix[:dash], prefix.replace("-", " ")
    end = _end_of_line(text, _last_scalar_end(last))
    if isinstance(last, yaml.MappingNode) and not last.flow_style:
        pairs = checkin.pairs()
        lines = [f"{indent}{prefix[dash:]}{pairs[0][0]}: {pairs[0][1]}"]
        lines += [f"{item_indent}{key}: {value}" for key, value in pairs[1:]]
    else:
        lines = [f"{indent}{prefix[dash:]}{checkin.flow()}"]
    return text[:end] + "".join(newline + line for line in lines) + text[end:]


def _new_key(text: str, key_result: yaml.MappingNode, checkin: NewCheckIn, newline: str) -> str:
    if key_result.flow_style:  # {title: K, start: 0, target: 1}
        closing = text.rindex("}", key_result.start_mark.index, key_result.end_mark.index)
        return text[:closing] + ", checkins: [" + checkin.flow() + "]" + text[closing:]
    first_key = key_result.value[0][0]
    line_start = text.rfind("\n", 0, first_key.start_mark.index) + 1
    indent = re.sub(r"[^ ]", " ", text[line_start: first_key.start_mark.index])
    end = _end_of_line(text, _last_scalar_end(key_result))
    lines = [f"{indent}checkins:", f"{indent}  - {checkin.flow()}"]
    return text[:end] + "".join(newline + line for line in lines) + text[end:]
