"""Stage 1: read the OKR folder tree into YAML documents that remember where every value came from.

Only what the format needs is accepted: plain YAML mappings, sequences and scalars in UTF-8. Anchors,
aliases, merge keys, tags, non-string and duplicate keys and multiple documents are refused with a
position, because each of them lets a file say something other than what a reviewer reads.
Nothing here raises for bad input: every problem is returned as a value.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from generator.errors import Location, Problem, error
from generator.periods import PeriodName

try:  # PyYAML's libyaml binding; the pure-Python one is six times slower but reads the same.
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

YAML_LOADER = SafeLoader
"""The loader every stage composes YAML with: libyaml's where PyYAML was built with it."""


class _UntypedLoader(SafeLoader):
    """Composes without resolving tags: libyaml would call PyYAML's Python resolver for every node,
    a third of the parse time, while most nodes are quoted, keys or collections whose type is known.
    Plain scalars are typed by ``_plain_tag`` with the same YAML 1.1 rules."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return ""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 24
ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]*\Z")
TEAM_FILE = "team.yaml"
PEOPLE_FILE = "people.yaml"

_TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "timestamp",
    "tag:yaml.org,2002:merge": "merge",
    "tag:yaml.org,2002:value": "value",
}
_IMPLICIT_TAGS = {first: tuple((_TAGS.get(tag, "str"), pattern) for tag, pattern in resolvers)
                  for first, resolvers in SafeLoader.yaml_implicit_resolvers.items()}
_TAG_WORDS = {"int": "a number", "float": "a number", "bool": "true/false", "null": "an empty value",
              "timestamp": "a date"}


# The nodes are named tuples, not frozen data classes: a large tree has millions of them, and a tuple
# is made three times faster (the validator and the parse cache make them as fast as they are read).
class YamlScalar(NamedTuple):
    """A scalar exactly as written (quotes removed), and the YAML 1.1 type a plain one resolves to."""

    text: str
    tag: str
    """``str``, ``int``, ``float``, ``bool``, ``null`` or ``timestamp``; always ``str`` when quoted."""
    plain: bool
    file: str
    line: int
    column: int

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)


class YamlMapping(NamedTuple):
    entries: tuple[tuple[YamlScalar, YamlNode], ...]
    file: str
    line: int
    column: int

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def get(self, key: str) -> YamlNode | None:
        for name, value in self.entries:
            if name.text == key:
                return value
        return None


class YamlSequence(NamedTuple):
    items: tuple[YamlNode, ...]
    file: str
    line: int
    column: int

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)


YamlNode = YamlScalar | YamlMapping | YamlSequence


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed file; ``root`` is ``None`` when the file could not be read or is empty."""

    path: str
    """Path as shown to the user (the input folder as given, then the path inside it)."""
    root: YamlNode | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file of the tree, read and parsed only when asked: the validator parses one file at a time
    and keeps only what it builds from it, so memory does not hold every file's syntax tree at once."""

    path: str
    """Path as shown to the user (the input folder as given, then the path inside it)."""
    read: Callable[[], bytes]
    """The file's bytes; raises ``OSError`` when they cannot be read."""

    def parse(self) -> Document:
        try:
            data = self.read()
        except OSError as exc:
            return Document(self.path, None, (error(Location(self.path), "unreadable",
                                                    f"cannot read the file: {exc.strerror}"),))
        return parse_yaml(data, self.path)


@dataclass(frozen=True, slots=True)
class TeamFolder:
    """A folder of the tree: a team, the root being the company."""

    relative_path: str
    """Posix path inside the input folder; ``""`` for the root."""
    folder_id: str
    team_file: SourceFile | None
    period_files: tuple[tuple[PeriodName, SourceFile], ...]
    parent: str | None
    """``relative_path`` of the parent folder; ``None`` for the root."""


@dataclass(frozen=True, slots=True)
class SourceTree:
    root: str
    """The input folder as shown to the user."""
    folders: tuple[TeamFolder, ...]
    """In org order: depth first, sub-folders sorted by name."""
    people_file: SourceFile | None
    problems: tuple[Problem, ...]
    """Problems of the tree itself (folders, file names); each file's own come when it is parsed."""

    @property
    def file_count(self) -> int:
        people = 0 if self.people_file is None else 1
        return people + sum(len(f.period_files) + (f.team_file is not None) for f in self.folders)

    def files(self) -> list[SourceFile]:
        """Every file, in the order the validator reads them: the company's team file, the people,
        then folder by folder its team file and its periods."""
        ordered = [self.folders[0].team_file] if self.folders and self.folders[0].team_file else []
        if self.people_file is not None:
            ordered.append(self.people_file)
        for position, folder in enumerate(self.folders):
            if position and folder.team_file is not None:
                ordered.append(folder.team_file)
            ordered.extend(file for _, file in folder.period_files)
        return ordered


def display_path(root: str, relative: str) -> str:
    root = root.rstrip("/") or "/"
    relative = printable(relative)
    if root in (".", ""):
        return relative
    return f"{root}/{relative}" if relative else root


def printable(name: str) -> str:
    """A path as it can be shown and written: a name that is not UTF-8 comes from the disk and from git as
    surrogate escapes, which no text output takes; such bytes show as U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def inside_path(root: str, shown: str) -> str:
    """The path inside the tree of a file shown as ``shown`` (the inverse of ``display_path``)."""
    root = root.rstrip("/")
    return shown[len(root) + 1:] if root not in ("", ".") and shown.startswith(root + "/") else shown


def parse_yaml(data: bytes, path: str) -> Document:
    """Decode and parse one file; every problem comes back with its position."""
    if len(data) > MAX_FILE_BYTES:
        return Document(path, None, (error(Location(path), "file-too-large",
                        f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}: split it"),))
    text, problem = _decode(data, path)
    if problem is not None:
        return Document(path, None, (problem,))
    if any(marker in text for marker in "&*!"):
        refused = _refused_constructs(text, path)
        if refused:
            return Document(path, None, tuple(refused))
    try:
        node = yaml.compose(text, Loader=_UntypedLoader)
    except yaml.MarkedYAMLError as exc:
        return Document(path, None, (_syntax_problem(exc, text, path),))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, with an offset instead of a mark
        before = text[: exc.position]
        location = Location(path, before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        code_point = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return Document(path, None, (error(location, "control-character",
                                           f"the control character U+{code_point:04X} is not allowed in YAML: "
                                           "remove it"),))
    except yaml.YAMLError as exc:  # pragma: no cover - every other error of PyYAML carries a mark
        return Document(path, None, (error(Location(path), "yaml-syntax", _one_line(str(exc))),))
    if node is None:
        return Document(path, None, ())
    problems: list[Problem] = []
    root = _convert(node, path, problems, 0)
    if any(p.code == "too-deep" for p in problems):
        return Document(path, None, tuple(problems))  # the file is refused whole: no cascade of type errors
    return Document(path, root, tuple(problems))


def _decode(data: bytes, path: str) -> tuple[str, Problem | None]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        byte = data[exc.start]
        return "", error(Location(path, line, column), "encoding",
                         f"byte 0x{byte:02x} is not valid UTF-8: save the file as UTF-8")


def _refused_constructs(text: str, path: str) -> list[Problem]:
    """Anchors, aliases and explicit tags, found in the event stream where they are written."""
    problems: list[Problem] = []
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            location = _location(event.start_mark, path)
            if isinstance(event, yaml.AliasEvent):
                problems.append(error(location, "yaml-alias",
                                      f"alias '*{event.anchor}' is not allowed: write the value out"))
                continue
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                problems.append(error(location, "yaml-anchor",
                                      f"anchor '&{anchor}' is not allowed: write each value out in full"))
            tag = getattr(event, "tag", None)
            implicit = getattr(event, "implicit", True)
            explicit = tag is not None and (implicit is False or implicit == (False, False))
            if explicit and tag is not None:
                problems.append(error(location, "yaml-tag",
                                      f"tag '{tag}' is not allowed: remove it (quote the value if it must be text)"))
    except yaml.YAMLError:
        return problems  # the compose step reports the syntax error with its position
    return problems


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, path: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    location = _location(mark, path) if mark is not None else Location(path)
    message = " ".join(part for part in (exc.context, exc.problem) if part)
    if "expected a single document" in message:
        return error(location, "multiple-documents",
                     "a file holds one YAML document: remove the '---' separator and what follows, "
                     "or move it to a file of its own")
    if "exceeded maximum nesting depth" in message:
        return error(location, "too-deep", f"values are nested too deeply (at most {MAX_DEPTH} levels)")
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
        message += " (a tab: indent with spaces)"
    return error(location, "yaml-syntax", _one_line(message or str(exc)))


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _location(mark: Any, path: str) -> Location:  # libyaml's and PyYAML's marks are different classes
    return Location(path, mark.line + 1, mark.column + 1)


_new = tuple.__new__
"""Makes a node from its fields in order, without the keyword handling of a named tuple's constructor."""


@functools.lru_cache(maxsize=8192)
def _plain_tag(text: str) -> str:
    """The YAML 1.1 type of a plain scalar, by PyYAML's own implicit resolvers."""
    for tag, pattern in _IMPLICIT_TAGS.get(text[:1], ()):
        if pattern.match(text):
            return tag
    return "str"


# The hottest code of a cold check (millions of nodes): positions read once, no Location made.
def _convert(node: yaml.Node, path: str, problems: list[Problem], depth: int) -> YamlNode:
    mark = node.start_mark
    line, column = mark.line + 1, mark.column + 1
    if depth > MAX_DEPTH:
        problems.append(error(Location(path, line, column), "too-deep",
                              f"values are nested too deeply (at most {MAX_DEPTH} levels)"))
        return YamlScalar("", "null", True, path, line, column)
    if isinstance(node, yaml.ScalarNode):
        value = node.value
        if node.style:
            return _new(YamlScalar, (value, "str", False, path, line, column))
        return _new(YamlScalar, (value, _plain_tag(value), True, path, line, column))
    if isinstance(node, yaml.SequenceNode):
        depth += 1
        items = tuple([_convert(item, path, problems, depth) for item in node.value])
        return _new(YamlSequence, (items, path, line, column))
    entries: list[tuple[YamlScalar, YamlNode]] = []
    seen: dict[str, YamlScalar] = {}
    depth += 1
    for key_node, value_node in node.value:
        key = _key(key_node, path, problems)
        if key is None:
            continue
        text = key.text
        first = seen.get(text)
        if first is not None:
            problems.append(error(key.location, "duplicate-key",
                                  f"duplicate key '{text}' (first at line {first.line}): "
                                  "YAML would silently keep only one; remove one of them"))
            continue
        seen[text] = key
        entries.append((key, _convert(value_node, path, problems, depth)))
    return _new(YamlMapping, (tuple(entries), path, line, column))


def _key(node: yaml.Node, path: str, problems: list[Problem]) -> YamlScalar | None:
    mark = node.start_mark
    line, column = mark.line + 1, mark.column + 1
    if not isinstance(node, yaml.ScalarNode):
        problems.append(error(Location(path, line, column), "non-string-key",
                              "a key must be a plain name, not a list or mapping"))
        return None
    text = node.value
    if node.style:
        return _new(YamlScalar, (text, "str", False, path, line, column))
    tag = _plain_tag(text)
    if tag == "merge":
        problems.append(error(Location(path, line, column), "merge-key",
                              "merge keys ('<<') are not allowed: write the keys out"))
        return None
    if tag != "str":
        problems.append(error(Location(path, line, column), "non-string-key",
                              f"key '{text}' is read by YAML as {_TAG_WORDS.get(tag, tag)}, not a name: "
                              "quote it or rename it"))
        return None
    return _new(YamlScalar, (text, "str", True, path, line, column))


# --- the folder tree -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Entry:
    """A file or folder of the tree, wherever it is stored (the disk, or git objects)."""

    name: str
    kind: str
    """``file``, ``folder``, ``symlink`` or ``other``."""
    read: Callable[[], bytes]
    """A file's bytes; raises ``OSError`` when they cannot be read."""
    listing: Callable[[], list[Entry]]
    """A folder's entries, sorted by name; raises ``OSError`` when it cannot be listed."""


def _nothing() -> list[Entry]:
    return []


def _no_bytes() -> bytes:
    return b""


def _disk_entry(entry: os.DirEntry[str]) -> Entry:
    path = Path(entry.path)
    if entry.is_symlink():
        kind = "symlink"
    elif entry.is_dir():
        kind = "folder"
    else:
        kind = "file" if entry.is_file() else "other"
    return Entry(entry.name, kind, path.read_bytes, lambda: _disk_listing(path))


def _disk_listing(folder: Path) -> list[Entry]:
    with os.scandir(folder) as scan:
        return [_disk_entry(entry) for entry in sorted(scan, key=lambda entry: entry.name)]


def read_tree(root: Path, shown_as: str | None = None) -> SourceTree:
    """List the OKR tree under ``root``; its files are read when parsed. Never raises for bad input."""
    shown = shown_as if shown_as is not None else str(root)
    if not root.is_dir():
        problem = error(Location(shown), "no-such-folder", f"'{shown}' is not a folder of OKRs")
        return SourceTree(shown, (), None, (problem,))
    return _read(lambda: _disk_listing(root), shown)


def read_files(files: Mapping[str, bytes | Callable[[], bytes] | None], shown: str) -> SourceTree:
    """Read an OKR tree held in memory (posix path inside the tree -> bytes, or what reads them when
    asked; ``None`` for a symbolic link), such as one taken from git objects."""
    folders: dict[str, list[Entry]] = {"": []}
    for path in sorted(files):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in folders:
                folders[folder] = []
                parent = "/".join(parts[: depth - 1])
                folders[parent].append(Entry(parts[depth - 1], "folder", _no_bytes,
                                             functools.partial(_sorted, folders, folder)))
        content = files[path]
        kind = "symlink" if content is None else "file"
        reader = content if callable(content) else functools.partial(bytes, content or b"")
        folders["/".join(parts[:-1])].append(Entry(parts[-1], kind, reader, _nothing))
    return _read(functools.partial(_sorted, folders, ""), shown)


def _sorted(folders: dict[str, list[Entry]], folder: str) -> list[Entry]:
    return sorted(folders[folder], key=lambda entry: entry.name)


def _read(root_listing: Callable[[], list[Entry]], shown: str) -> SourceTree:
    problems: list[Problem] = []
    folders: list[TeamFolder] = []
    people: list[SourceFile | None] = [None]
    shown = printable(shown)
    _walk(root_listing, "", None, shown, folders, people, problems)
    return SourceTree(shown, tuple(folders), people[0], tuple(problems))


_period_named = functools.lru_cache(maxsize=1024)(PeriodName.parse)
"""A large tree names the same few periods in tens of thousands of files."""


def _walk(listing: Callable[[], list[Entry]], relative: str, parent: str | None, shown: str,
          folders: list[TeamFolder], people: list[SourceFile | None], problems: list[Problem]) -> None:
    team_file: SourceFile | None = None
    periods: list[tuple[PeriodName, SourceFile]] = []
    subfolders: list[tuple[Callable[[], list[Entry]], str]] = []
    folder_shown = display_path(shown, relative)
    try:
        entries = listing()
    except OSError as exc:
        problems.append(error(Location(folder_shown), "unreadable", f"cannot list the folder: {exc.strerror}"))
        entries = []
    for entry in entries:
        name = entry.name
        child_relative = f"{relative}/{name}" if relative else name
        child_shown = display_path(shown, child_relative)
        location = Location(child_shown)
        if name.startswith("."):
            continue  # editor and VCS files (.git, .DS_Store, .gitkeep) are not part of the tree
        if entry.kind == "symlink":
            problems.append(error(location, "symlink",
                                  "symbolic links are not followed (they could publish files from outside "
                                  "the tree): replace it with a real file or folder"))
        elif entry.kind == "folder":
            subfolders.append((entry.listing, child_relative))
        elif entry.kind != "file":
            problems.append(error(location, "unknown-file", "not a regular file: remove it"))
        elif name == TEAM_FILE:
            team_file = SourceFile(child_shown, entry.read)
        elif name == PEOPLE_FILE and parent is None:
            people[0] = SourceFile(child_shown, entry.read)
        elif name.endswith(".yaml") and (period := _period_named(name[: -len(".yaml")])) is not None:
            periods.append((period, SourceFile(child_shown, entry.read)))
        else:
            problems.append(error(location, "unknown-file", _unknown_file_message(printable(name), parent is None)))
    if team_file is None:
        problems.append(error(Location(display_path(shown, f"{relative}/{TEAM_FILE}" if relative else TEAM_FILE)),
                              "missing-team-file",
                              f"folder '{folder_shown}' has no {TEAM_FILE}: every team folder needs one "
                              "with at least 'name:'"))
    periods.sort(key=lambda pair: pair[0].sort_key)
    folder_id = relative.rsplit("/", 1)[-1]
    folders.append(TeamFolder(relative, folder_id, team_file, tuple(periods), parent))
    for child_listing, child_relative in subfolders:
        _walk(child_listing, child_relative, relative, shown, folders, people, problems)


def _unknown_file_message(name: str, at_root: bool) -> str:
    stem, _, extension = name.rpartition(".")
    if extension == "yml":
        return f"'{name}' is not read: OKR files end in '.yaml'; rename it to '{stem}.yaml'"
    if extension == "yaml":
        guess = _period_guess(stem)
        if guess is not None:
            return f"'{name}' is not a period file name: did you mean '{guess}.yaml'?"
        known = [TEAM_FILE, PEOPLE_FILE] if at_root else [TEAM_FILE]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else \
            "period files are named YYYY.yaml, YYYY-H1.yaml or YYYY-Q1.yaml"
        if name == PEOPLE_FILE:
            return f"'{PEOPLE_FILE}' belongs in the root folder only"
        return f"'{name}' is not part of the OKR format: {hint}"
    return (f"'{name}' is not part of the OKR format: a team folder holds {TEAM_FILE}, period files "
            "(YYYY.yaml, YYYY-H1.yaml, YYYY-Q4.yaml) and sub-team folders")


def _period_guess(stem: str) -> str | None:
    """A likely intended period name for a misspelt one: ``2026-q4``, ``Q4-2026``, ``2026Q4``, ``FY2026``."""
    compact = re.sub(r"[^0-9A-Za-z]", "", stem).upper().replace("FY", "")
    match = re.fullmatch(r"([0-9]{4})([HQ][1-4])?|([HQ][1-4])([0-9]{4})", compact)
    if match is None:
        return None
    year = match[1] or match[4]
    part = match[2] or match[3]
    guess = f"{year}-{part}" if part else year
    return guess if PeriodName.parse(guess) is not None else None


class _PlainDumper(yaml.SafeDumper):
    """Writes every value out in full: the loader refuses anchors and aliases, so they are never written."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(document: Any) -> str:
    """YAML for files the tools write: block style, keys in the given order, Unicode as it is."""
    return yaml.dump(document, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=110)
