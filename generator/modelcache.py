"""Stage 2, faster: period files validated before, kept by their content for the next run.

After an edit, a check of a large company spent most of its time validating again the thousands of
files that did not change. What validating one period file gives (``Validated``: the period, its
problems, its mentions of people) depends only on its ``PeriodKey``, so it is kept on disk under a
hash of that key and of the validator's own source: a changed file, or a changed validator, is
simply a different entry. Entries are plain JSON with a checksum (never pickle, as for parsed
files); one that is damaged, foreign or holds something the validator would have refused is ignored
and the file validated again. The cross-file rules (alignment, people, team ids) run every time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from generator import __version__
from generator.errors import Location, Problem, Severity
from generator.fields import CONTROL_CHARACTER, TextItem, shared_day, shared_number, valid_url
from generator.load import ID_PATTERN
from generator.model import (
    Alignment,
    CheckIn,
    Initiative,
    InitiativeStatus,
    KeyResult,
    KeyResultKind,
    Objective,
    ObjectiveType,
    Period,
    ProgressSource,
    ReportedStatus,
)
from generator.parsecache import entry_path, read_checked_entry, write_checked_entry
from generator.schema import MAX_ID
from generator.validate import UNRESOLVED, PeriodKey, Reuse, Validated

FORMAT = 1
VALIDATOR_MODULES = ("errors", "periods", "load", "parsecache", "schema", "fields", "model", "validate", "modelcache")
"""The code a period's validation runs: an edit to any of them makes every entry a different one."""


@functools.cache
def validator_version() -> str:
    """The release and the code a check runs: caches of what a check found are keyed by it."""
    # PyYAML's release too: its scanner decides what a file says, and where
    digest = hashlib.sha256(f"{__version__} {yaml.__version__} {yaml.__with_libyaml__}".encode())
    for name in VALIDATOR_MODULES:
        digest.update((Path(__file__).parent / f"{name}.py").read_bytes())
    return digest.hexdigest()


def entry_key(key: PeriodKey) -> str:
    text = "\n".join((str(FORMAT), validator_version(), key.content, key.path, key.team, str(key.period),
                      str(key.fiscal_year_start)))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


class ModelCache(Reuse):
    """``Reuse`` that also keeps every validated period file in ``root/validated``; ``None`` keeps
    them in memory only."""

    def __init__(self, root: Path | None) -> None:
        super().__init__()
        self.folder = None if root is None else root / "validated"

    def _entry(self, key: PeriodKey) -> Path | None:
        return None if self.folder is None else entry_path(self.folder, entry_key(key))

    def stored(self, key: PeriodKey) -> Validated | None:
        entry = self._entry(key)
        text = None if entry is None else read_checked_entry(entry, entry.stem)
        return None if text is None else decode(text, key)

    def store(self, key: PeriodKey, validated: Validated) -> None:
        entry = self._entry(key)
        text = None if entry is None else encode(validated, key.path)
        if entry is not None and text is not None:
            write_checked_entry(entry, entry.stem, text)


# --- encoding ----------------------------------------------------------------------------------------

def encode(validated: Validated, path: str) -> str | None:
    """The validated file as compact JSON, without what its key holds (path, team, period);
    ``None`` when something in it points outside the file (it is then not kept)."""
    period, problems, mentions = validated
    if any(p.location.file != path for p in problems) or any(m.location.file != path for m in mentions):
        return None
    if period is not None and any(a.target != UNRESOLVED or a.location.file != path
                                  for o in period.objectives for a in o.aligned_to):
        return None
    body = None if period is None else [period.private, [_objective(o) for o in period.objectives]]
    return json.dumps([FORMAT, body,
                       [[p.location.line, p.location.column, p.severity.value, p.code, p.message] for p in problems],
                       [[m.text, m.location.line, m.location.column] for m in mentions]],
                      ensure_ascii=False, separators=(",", ":"))


def _objective(o: Objective) -> list[Any]:
    return [o.id, o.title, o.description, o.owner, o.type.value, list(o.tags), o.private, o.progress_from.value,
            o.score, [[a.written, a.location.line, a.location.column] for a in o.aligned_to],
            [_key_result(kr) for kr in o.key_results], [_initiative(i) for i in o.initiatives],
            o.location.line, o.location.column]


def _key_result(kr: KeyResult) -> list[Any]:
    return [kr.id, kr.title, kr.description, kr.owner, kr.weight, kr.dropped, kr.kind.value, kr.start, kr.target,
            kr.unit, kr.stay_above, kr.stay_below, kr.score,
            [[c.date.isoformat(), c.value, c.confidence, None if c.status is None else c.status.value, c.note, c.by]
             for c in kr.checkins],
            kr.location.line, kr.location.column]


def _initiative(i: Initiative) -> list[Any]:
    return [i.title, i.status.value, i.owner, i.link, None if i.due is None else i.due.isoformat(),
            i.location.line, i.location.column]


# --- decoding -------------------------------------------------------------------------------------
# Every value is checked for its type, and for what later stages rely on: ids, links, finite numbers
# in their ranges, the fields of each kind of key result, no control characters. Anything else the
# validator checks (lengths, unique ids) only changes what a page shows, never whether it can be built.

_ESCAPED_CONTROL = re.compile(r"\\[ubfr]")
"""Control characters as JSON escapes them. ``encode`` writes every other character as itself, so any
``\\u`` escape is refused (a text holding a backslash before one of these letters only costs a check again).
Searched apart from ``CONTROL_CHARACTER``: one pattern with both took three times as long."""


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number the validator accepts")


def decode(text: str, key: PeriodKey) -> Validated | None:
    """What ``encode`` wrote, for the file of ``key``; ``None`` when the text is not such an entry."""
    if CONTROL_CHARACTER.search(text) or _ESCAPED_CONTROL.search(text):
        return None
    try:
        version, body, problems, mentions = json.loads(text, parse_constant=_refuse_constant)
        if version != FORMAT:
            return None
        path = key.path
        period = None
        if body is not None:
            private, objectives = body
            period = Period(key.period, key.team, _bool(private),
                            tuple([_decoded_objective(o, key) for o in objectives]), path)
        return Validated(
            period,
            tuple([Problem(_location(path, line, column), Severity(severity), _str(code), _str(message))
                   for line, column, severity, code, message in problems]),
            tuple([TextItem(_str(name), _location(path, line, column)) for name, line, column in mentions]))
    except (ValueError, TypeError, KeyError, RecursionError):
        return None


def _decoded_objective(item: list[Any], key: PeriodKey) -> Objective:
    (id_, title, description, owner, type_, tags, private, progress_from, score, aligned, key_results,
     initiatives, line, column) = item
    path = key.path
    return Objective(
        id=_id(id_), title=_str(title), description=_str(description), owner=_optional_str(owner),
        type=ObjectiveType(type_), tags=tuple([_str(tag) for tag in tags]), private=_bool(private),
        progress_from=ProgressSource(progress_from), score=_optional_share(score),
        aligned_to=tuple([Alignment(_str(written), UNRESOLVED, _location(path, at_line, at_column))
                          for written, at_line, at_column in aligned]),
        key_results=tuple([_decoded_key_result(kr, path) for kr in key_results]),
        initiatives=tuple([_decoded_initiative(i, path) for i in initiatives]),
        team=key.team, period=key.period, location=_location(path, line, column))


def _decoded_key_result(item: list[Any], path: str) -> KeyResult:
    (id_, title, description, owner, weight, dropped, kind, start, target, unit, stay_above, stay_below, score,
     checkins, line, column) = item
    key_result = KeyResult(  # by position, and the kind from a dict: a large company has tens of thousands
        _id(id_), _str(title), _str(description), _optional_str(owner), _number(weight), _optional_str(dropped),
        _KINDS[kind], _optional_number(start), _optional_number(target), _str(unit), _optional_number(stay_above),
        _optional_number(stay_below), _optional_share(score), _decoded_checkins(checkins),
        _location(path, line, column))
    if not _is_whole(key_result):
        raise ValueError("a key result the validator would not have made")
    return key_result


_KINDS = {kind.value: kind for kind in KeyResultKind}
_NUMBER_TYPES = (int, float)
_REPORTED = {status.value: status for status in ReportedStatus}


def _decoded_checkins(items: list[Any]) -> tuple[CheckIn, ...]:
    """The checks of ``_number``, ``_optional_share``, ``_str`` and ``_optional_str``, written out: a large
    company has hundreds of thousands of check-ins, and a call for each check of each one doubled the time."""
    checkins = []
    for day, value, confidence, status, note, by in items:
        if (type(value) not in _NUMBER_TYPES or type(note) is not str or (by is not None and type(by) is not str)
                or (confidence is not None and (type(confidence) not in _NUMBER_TYPES or not 0 <= confidence <= 1))):
            raise TypeError("not a check-in")
        # one object per day, per person and per number, as validation makes them: the same few hundred of each
        checkins.append(CheckIn(shared_day(day), shared_number(value),
                                None if confidence is None else shared_number(confidence),
                                None if status is None else _REPORTED[status], note,
                                None if by is None else sys.intern(by)))
    return tuple(checkins)


def _is_whole(kr: KeyResult) -> bool:
    """The fields of its kind, as the validator sets them, and a weight above zero."""
    if kr.weight <= 0:
        return False
    if kr.kind is KeyResultKind.METRIC:
        return kr.start is not None and kr.target is not None and kr.start != kr.target and (
            kr.stay_above is None and kr.stay_below is None)
    if kr.start is not None or kr.target is not None:
        return False
    if kr.kind is KeyResultKind.GUARDRAIL:
        above, below = kr.stay_above, kr.stay_below
        return (above is not None or below is not None) and (above is None or below is None or above <= below)
    return kr.stay_above is None and kr.stay_below is None and all(0 <= c.value <= 100 for c in kr.checkins)


def _decoded_initiative(item: list[Any], path: str) -> Initiative:
    title, status, owner, link, due, line, column = item
    location = _location(path, line, column)
    if link is not None and not valid_url(_str(link), "link", location, []):
        raise ValueError("a link the validator refuses")
    return Initiative(_str(title), InitiativeStatus(status), _optional_str(owner), link,
                      None if due is None else shared_day(due), location)


def _id(value: object) -> str:
    text = _str(value)
    if len(text) > MAX_ID or not ID_PATTERN.match(text):
        raise ValueError("not an id")
    return text


def _optional_share(value: object) -> float | None:
    share = _optional_number(value)
    if share is not None and not 0 <= share <= 1:
        raise ValueError("not between 0 and 1")
    return share


def _location(path: str, line: object, column: object) -> Location:
    if type(line) is not int or type(column) is not int:
        raise TypeError("a position is not a number")
    return Location(path, line, column)


def _str(value: object) -> str:
    if type(value) is not str:
        raise TypeError("not text")
    return value


def _optional_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _bool(value: object) -> bool:
    if type(value) is not bool:
        raise TypeError("not true or false")
    return value


def _number(value: object) -> float:
    if type(value) is not float and type(value) is not int:
        raise TypeError("not a number")
    return value


def _optional_number(value: object) -> float | None:
    return None if value is None else _number(value)


