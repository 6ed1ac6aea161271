"""Stage 1, faster: files parsed on every core, and kept by their content for the next run.

Parsing YAML is most of the time of a check. A file whose bytes were parsed before is read back
from a cache of plain JSON (never pickle: a cache shared between CI runs must not be able to run
code), keyed by a hash of the bytes and of this parser's version, so a changed file is simply a new
entry. An entry that is damaged or foreign is ignored and the file parsed again: it is never trusted.
Files not in the cache are parsed by worker processes, ahead of the validator that works through
the ones before them; what they send back is the same JSON, and it fills the cache.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__
from generator.errors import Location, Problem, Severity
from generator.load import Document, SourceFile, YamlMapping, YamlNode, YamlScalar, YamlSequence, parse_yaml

FORMAT = 1
PARALLEL_FROM = 200
"""Fewer files than this to parse are parsed here: starting workers would cost more than it saves."""
IN_FLIGHT = 256
"""Files the workers may parse ahead of the validator."""

Parse = Callable[[SourceFile], Document]
"""What the validator calls for each file, in its reading order."""

_TAGS = ("str", "int", "float", "bool", "null", "timestamp", "merge", "value")
_TAG_CODES = {tag: code for code, tag in enumerate(_TAGS)}
_MAPPING, _SEQUENCE = -1, -2
_new = tuple.__new__


def key(data: bytes) -> str:
    return hashlib.sha256(b"okr-site parse %d %s\n%s" % (FORMAT, __version__.encode(), data)).hexdigest()


def encode(document: Document) -> str:
    """A parsed file as compact JSON, without its path (the same bytes parse the same anywhere).
    A node is ``[line, column, body, kind]``: a scalar's kind is its tag code times two, plus one
    when it was written plain; a mapping's body lists keys and values in turn."""
    problems = [[p.location.line, p.location.column, p.severity.value, p.code, p.message]
                for p in document.problems]
    root = None if document.root is None else _encoded(document.root)
    return json.dumps([FORMAT, root, problems], ensure_ascii=False, separators=(",", ":"))


def _encoded(node: YamlNode) -> list[Any]:
    if isinstance(node, YamlScalar):
        return [node.line, node.column, node.text, _TAG_CODES[node.tag] * 2 + node.plain]
    if isinstance(node, YamlMapping):
        body: list[Any] = []
        for name, value in node.entries:
            body.append(_encoded(name))
            body.append(_encoded(value))
        return [node.line, node.column, body, _MAPPING]
    return [node.line, node.column, [_encoded(item) for item in node.items], _SEQUENCE]


def decode(text: str, path: str) -> Document | None:
    """The document ``encode`` wrote, now at ``path``; ``None`` when the text is not such a document."""
    try:
        version, root, problems = json.loads(text)
        if version != FORMAT:
            return None
        found = tuple(Problem(Location(path, _int(line), _int(column)), Severity(severity), _str(code), _str(message))
                      for line, column, severity, code, message in problems)
        return Document(path, None if root is None else _decoded(root, path), found)
    except (ValueError, TypeError, IndexError, KeyError, RecursionError):
        return None


def _decoded(item: list[Any], path: str) -> YamlNode:
    line, column, body, kind = item
    if type(line) is not int or type(column) is not int:
        raise TypeError("a position is not a number")
    if kind >= 0:
        if type(body) is not str:
            raise TypeError("a scalar is not text")
        return _new(YamlScalar, (body, _TAGS[kind >> 1], bool(kind & 1), path, line, column))
    if kind == _MAPPING:
        entries = zip(body[0::2], body[1::2], strict=True)  # a key without a value is a ValueError
        return _new(YamlMapping, (tuple([(_scalar(name, path), _decoded(value, path)) for name, value in entries]),
                                  path, line, column))
    if kind == _SEQUENCE:
        return _new(YamlSequence, (tuple([_decoded(value, path) for value in body]), path, line, column))
    raise ValueError("not a node")


def _scalar(item: list[Any], path: str) -> YamlScalar:
    node = _decoded(item, path)
    if not isinstance(node, YamlScalar):
        raise TypeError("a key is not a scalar")
    return node


def _int(value: object) -> int:
    if type(value) is not int:
        raise TypeError("not a number")
    return value


def _str(value: object) -> str:
    if type(value) is not str:
        raise TypeError("not text")
    return value


def default_folder() -> Path | None:
    """``$OKR_CACHE_DIR`` (``off`` turns caching off), else the user's cache folder."""
    configured = os.environ.get("OKR_CACHE_DIR")
    if configured:
        return None if configured == "off" else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "okr-site"


class ParseCache:
    """Parsed files on disk, one small file per content hash: a checksum line, then the JSON (written
    atomically, so runs that share the folder never see half an entry). ``None`` as the folder keeps nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.root = folder
        """The cache's own folder, which other caches keyed by content share."""
        self.folder = None if folder is None else folder / "parsed"
        # The few files every validation reads (the company's team file, people.yaml) are read once when
        # a diff validates several small trees; a whole tree, read once, never fills memory with documents.
        self._recently_loaded = functools.lru_cache(maxsize=16)(self._load)

    def _entry(self, content_key: str) -> Path | None:
        return None if self.folder is None else entry_path(self.folder, content_key)

    def has(self, content_key: str) -> bool:
        entry = self._entry(content_key)
        return entry is not None and entry.is_file()

    def load(self, content_key: str, path: str) -> Document | None:
        return self._recently_loaded(content_key, path)

    def _load(self, content_key: str, path: str) -> Document | None:
        entry = self._entry(content_key)
        text = None if entry is None else read_checked_entry(entry, content_key)
        return None if text is None else decode(text, path)  # a damaged one is parsed again and rewritten

    def store(self, content_key: str, text: str) -> None:
        entry = self._entry(content_key)
        if entry is not None:
            write_checked_entry(entry, content_key, text)


def entry_path(folder: Path, name: str) -> Path:
    """Where the entry named by a hex digest lives: in one of 256 subfolders, so none grows huge."""
    return folder / name[:2] / f"{name[2:]}.json"


def read_checked_entry(path: Path, binding: str) -> str | None:
    """The text of an entry ``write_checked_entry`` wrote for ``binding``; ``None`` when there is none,
    or it is damaged, cut short, edited or another's."""
    try:
        checksum, _, text = path.read_text(encoding="utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    return text if checksum == checksum_of(binding, text) else None


def write_checked_entry(path: Path, binding: str, text: str) -> None:
    """A checksum line, then ``text``: the checksum binds the text to what it is the entry of."""
    write_entry(path, f"{checksum_of(binding, text)}\n{text}")


def write_entry(path: Path, text: str) -> None:
    """A cache file, written whole or not at all (other runs sharing the folder never read half of
    one), and not synced to disk: a lost entry only costs the time to make it again. A cache that
    cannot be written is no reason to fail, so nothing here raises."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def checksum_of(binding: str, text: str) -> str:
    """Binds an entry's text to its key: a damaged or moved entry does not match."""
    return hashlib.sha256(f"{binding}\n{text}".encode()).hexdigest()


def _parse_to_json(data: bytes) -> tuple[str, str]:
    """One file's bytes to their key and the cache's JSON (its problems carry no path yet). The key
    is of the bytes parsed here: a file edited since it was first read is kept under its new
    content, never the old."""
    return key(data), encode(parse_yaml(data, ""))


def _worker_job(data: bytes | None) -> tuple[str, str] | None:
    """A worker's job; ``None`` for a file that could not be read."""
    return None if data is None else _parse_to_json(data)


def _contents(files: Sequence[SourceFile], window: threading.Semaphore, closing: threading.Event,
              ) -> Iterator[bytes | None]:
    """Read as the workers take them, and no further than ``IN_FLIGHT`` files ahead of the validator,
    so neither a large tree's bytes nor its parsed JSON are ever all in memory at once."""
    for file in files:
        window.acquire()
        if closing.is_set():
            return
        try:
            yield file.read()
        except OSError:
            yield None  # the validator's own parse reports it, with its path


def ends_with_parent(parent: int) -> None:
    """This process is sent SIGTERM when ``parent``, the process that forked it (its id taken before the
    fork), dies (killed, say), instead of working on for no one (Linux; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(ImportError, OSError, AttributeError):  # no ctypes, or no prctl: as elsewhere
            import ctypes

            prctl = ctypes.CDLL(None).prctl
            prctl.argtypes, prctl.restype = [ctypes.c_int, ctypes.c_ulong], ctypes.c_int
            prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
    if os.getppid() != parent:  # it died before that was set
        os.kill(os.getpid(), signal.SIGTERM)


PR_SET_PDEATHSIG = 1


def _worker_started() -> None:
    gc.disable()  # as in the validator: millions of new objects and no cycles; the worker ends anyway


def can_fork() -> bool:
    """Workers are forked (spawning would import the caller's main module again, which only works
    for a script written for it), and only from a process with one thread: a fork copies other
    threads' locks in whatever state they are, as in MkDocs' server, which then parses here alone."""
    return sys.platform == "linux" and threading.active_count() == 1


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)  # this process validates what the workers parse: it needs a core too


@dataclass(frozen=True, slots=True)
class Parser:
    """What ``parsing`` yields: the validator's parse function, and the content key of every file it
    was given (each file is read and hashed once, also for whatever else is keyed by content)."""

    parse: Parse
    keys: Mapping[str, str]

    def __call__(self, file: SourceFile) -> Document:
        return self.parse(file)

    def content_key(self, file: SourceFile) -> str | None:
        return self.keys.get(file.path)


def _close(window: threading.Semaphore, closing: threading.Event) -> None:
    """Lets the pool's reader thread finish when the validator stopped before the last file."""
    closing.set()
    window.release(IN_FLIGHT)


@contextlib.contextmanager
def parsing(files: Sequence[SourceFile], cache: ParseCache, workers: int | None = None) -> Iterator[Parser]:
    """A parse function for the validator: answers from the cache, and has worker processes parse
    the other files of ``files`` (in the order the validator asks for them) while it works."""
    keys: dict[str, str] = {}
    missing: list[SourceFile] = []
    for file in files:
        try:
            content_key = key(file.read())
        except OSError:
            continue  # the validator's own parse reports it, with its path
        keys[file.path] = content_key
        if not cache.has(content_key):
            missing.append(file)
    workers = _workers() if workers is None else workers
    window, closing = threading.Semaphore(IN_FLIGHT), threading.Event()
    with contextlib.ExitStack() as stack:
        parsed: Iterator[tuple[str, str] | None] = iter(())
        if len(missing) >= PARALLEL_FROM and workers > 0 and can_fork():
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers, _worker_started))
            stack.callback(_close, window, closing)  # runs first: the pool waits for its reader to stop
            # a task is a chunk of files, read whole before it is sent: never more than the window
            parsed = pool.imap(_worker_job, _contents(missing, window, closing), chunksize=min(8, IN_FLIGHT))
        ahead: dict[str, tuple[str, str] | None] = {}
        pending = iter([file.path for file in missing])
        to_parse = {file.path for file in missing}

        def parse(file: SourceFile) -> Document:
            content_key = keys.get(file.path)
            if content_key is None:
                return file.parse()
            if file.path not in to_parse and (document := cache.load(content_key, file.path)) is not None:
                return document
            while file.path not in ahead:
                path = next(pending, None)
                if path is None:
                    break
                ahead[path] = next(parsed, None)
                window.release()
            result = ahead.pop(file.path, None)
            if result is None:  # parsed here: few files, no workers, or an entry found damaged
                try:
                    result = _parse_to_json(file.read())
                except OSError:
                    return file.parse()
            seen_key, text = result
            cache.store(seen_key, text)
            decoded = decode(text, file.path)
            return decoded if decoded is not None else file.parse()

        yield Parser(parse, keys)
