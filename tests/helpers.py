"""Build OKR trees in temporary folders and check them, for tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from generator.load import read_tree
from generator.validate import Validation, validate

ROOT_TEAM = "name: Acme\n"
PERIOD = """\
objectives:
  - id: grow
    title: Grow
    key_results:
      - title: Sign-ups
        start: 0
        target: 10
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (path inside the tree -> content) under ``root``; a root team.yaml is added if missing."""
    files = {"team.yaml": ROOT_TEAM, **files}
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def check(root: Path, files: dict[str, str | bytes]) -> Validation:
    write_tree(root, files)
    return validate(read_tree(root, "okrs"))


def lines(root: Path, files: dict[str, str | bytes]) -> list[str]:
    """Every problem as the CLI prints it, the tree shown as ``okrs``."""
    return [str(p) for p in check(root, files).problems]
