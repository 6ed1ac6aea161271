"""A cache of ``okr check`` outcomes, keyed by the content of every file of the tree.

When nothing changed since the last check, the outcome is read back instead of parsing everything
again. It holds plain JSON data only (a cache shared between CI runs must never run code), and a
damaged, foreign or stale entry is ignored, never trusted: the check then simply runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import parsecache
from generator.errors import Location, Problem, Severity
from generator.modelcache import validator_version

FORMAT = 1


@dataclass(frozen=True, slots=True)
class Outcome:
    problems: tuple[Problem, ...]
    summary: str
    """The summary line of a valid tree (teams, periods, objectives, key results); empty when invalid."""


def default_folder() -> Path | None:
    """``check`` in the cache folder (``$OKR_CACHE_DIR``, else the user's); ``None`` when caching is off."""
    folder = parsecache.default_folder()
    return None if folder is None else folder / "check"


def key(shown: str, files: Mapping[str, bytes | None], layout: Iterable[str] = ()) -> str:
    """One hash of the tree as shown, every path and every byte (``None``: a symbolic link), and every
    other path the check reports on (an empty folder is a team without a team file)."""
    # the checker's own code, not only its release: a tree checked by other code is checked again
    digest = hashlib.sha256(_bytes(f"okr-site {validator_version()} {FORMAT} {shown}\n"))
    for path in sorted(files):
        content = files[path]
        digest.update(_bytes(f"{path}\0{'link' if content is None else len(content)}\0"))
        digest.update(content or b"")
    for path in sorted(layout):
        digest.update(_bytes(f"{path}/\0layout\0"))
    return digest.hexdigest()


def tree_key(shown: str, tree: str) -> str:
    """The key of a folder git knows by ``tree`` (its tree id): the same id, the very same files, so
    its outcome is found without reading them."""
    return hashlib.sha256(_bytes(f"okr-site {validator_version()} {FORMAT} {shown}\ngit tree {tree}\n")).hexdigest()


def _bytes(text: str) -> bytes:
    # a name that is not UTF-8 comes as surrogate escapes, from the disk and from git alike
    return text.encode("utf-8", "surrogateescape")


def load(folder: Path, cache_key: str) -> Outcome | None:
    try:
        data = json.loads((folder / f"{cache_key}.json").read_text(encoding="utf-8"))
        if data["key"] != cache_key or data["format"] != FORMAT:
            return None
        problems = tuple(Problem(Location(str(p["file"]), int(p["line"]), int(p["column"])), Severity(p["severity"]),
                                 str(p["code"]), str(p["message"])) for p in data["problems"])
        return Outcome(problems, str(data["summary"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(folder: Path, cache_key: str, outcome: Outcome) -> None:
    data: dict[str, Any] = {
        "format": FORMAT, "key": cache_key, "summary": outcome.summary,
        "problems": [{"file": p.location.file, "line": p.location.line, "column": p.location.column,
                      "severity": p.severity.value, "code": p.code, "message": p.message} for p in outcome.problems],
    }
    parsecache.write_entry(folder / f"{cache_key}.json", json.dumps(data, ensure_ascii=False))
