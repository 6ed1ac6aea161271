"""Writing a built site or generated Markdown so that readers never see a half-written one.

The new tree is written into a hidden folder beside the target and swapped in by two renames only
once it is complete; a failed, crashed or killed build leaves the previous tree as it was, and the
next run cleans up whatever a killed one left behind.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

MARKER = ".okr-generated"
"""Marks a folder written by ``okr generate``, the only kind it will replace."""


def _building(target: Path) -> Path:
    return target.with_name(f".{target.name}.building-{os.getpid()}")


def _previous(target: Path) -> Path:
    return target.with_name(f".{target.name}.previous")


def recover(target: Path) -> None:
    """Undo what a killed run left: restore the previous tree if the swap stopped halfway, drop leftovers."""
    previous = _previous(target)
    if previous.exists():
        if target.exists():
            shutil.rmtree(previous)
        else:
            previous.rename(target)
    for leftover in target.parent.glob(f".{target.name}.building-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def replace_atomically(target: Path, build: Callable[[Path], bool]) -> bool:
    """Run ``build`` into a fresh folder; swap it in for ``target`` only when it returns True."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    building = _building(target)
    building.mkdir()
    try:
        if not build(building):
            return False
        previous = _previous(target)
        if target.exists():
            target.rename(previous)
        building.rename(target)
        shutil.rmtree(previous, ignore_errors=True)
        return True
    finally:
        shutil.rmtree(building, ignore_errors=True)


def write_tree(folder: Path, files: Iterable[tuple[str, bytes]]) -> None:
    """Write files (posix path inside ``folder`` -> content), refusing any path that would leave it."""
    root = folder.resolve()
    for relative, content in files:
        path = (root / relative).resolve()
        if root not in path.parents:
            raise ValueError(f"refusing to write outside {folder}: {relative}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (root / MARKER).write_text("Written by `okr generate`; it replaces this folder on every run.\n")


def replaceable(folder: Path) -> bool:
    """True when ``folder`` is absent, empty, or an earlier ``okr generate`` output."""
    return not folder.exists() or (folder.is_dir() and (not any(folder.iterdir()) or (folder / MARKER).exists()))


def write_file_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` so that a crash leaves either the old file or the new one, never half."""
    temporary = path.with_name(f".{path.name}.writing-{os.getpid()}")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
