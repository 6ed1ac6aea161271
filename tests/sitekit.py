"""Build the example site for tests, and read its HTML."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"


def digest(folder: Path) -> str:
    """One hash of every path and byte under a folder: equal digests, identical trees."""
    hashed = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        hashed.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            hashed.update(path.read_bytes())
    return hashed.hexdigest()


def copy_project(target: Path) -> Path:
    """A copy of the repository's site sources (mkdocs.yml, docs/, okrs/) to build in isolation."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("docs", "okrs"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target


def okr(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          check=False)


def build(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return okr("build", "--as-of", AS_OF, *extra, cwd=project)


class Page(HTMLParser):
    """The ids, links and text of one HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.text_parts: list[str] = []
        self.html = html
        self._skipping = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def section(self, anchor: str) -> str:
        """The HTML from the element with this id to the next heading of the same or a higher level."""
        match = re.search(rf'<h([1-6])[^>]*id="{re.escape(anchor)}"', self.html)
        assert match is not None, f"no heading #{anchor}"
        level = int(match.group(1))
        end = re.compile(rf"<h[1-{level}][ >]").search(self.html, match.end())
        return self.html[match.start(): end.start() if end else len(self.html)]


def page(site: Path, url_path: str) -> Page:
    return Page((site / url_path / "index.html").read_text(encoding="utf-8"))


def every_text_file(site: Path) -> dict[str, str]:
    """Every file of the built site as text, compressed sitemaps unpacked and JSON decoded to its strings."""
    texts: dict[str, str] = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if path.suffix == ".json":
            text += "\n" + "\n".join(_strings(json.loads(text)))
        texts[str(path.relative_to(site))] = text
    return texts


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []
