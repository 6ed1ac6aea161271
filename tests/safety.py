"""Finds active content in a built site: what a hostile YAML string must never become."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

SAFE_SCHEMES = ("http", "https", "mailto")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset", "background")
ACTIVE_TAGS = ("iframe", "object", "embed", "base", "form", "frame", "frameset", "applet", "portal")
MATERIAL_SCRIPTS = re.compile(
    r"^(__md_scope=|var palette=__md_get|var target=document\.getElementById\(location\.hash)")
"""The inline scripts Material writes on every page."""
MATERIAL_FORMS = ("md-header__option", "md-search__form")
"""Material's palette toggle and search box."""


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value is not None and not _safe_url(value):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "form" and (values.get("class") or "") in MATERIAL_FORMS:
            return
        if tag in ACTIVE_TAGS or (tag == "meta" and "http-equiv" in values):
            self.found.append(f"<{tag}>")
        if tag == "script":
            src = values.get("src")
            if src is not None and not re.search(r"(^|/)assets/javascripts/|(^|/)search/", src):
                self.found.append(f"<script src={src!r}>")
            self._script = "" if src is None and values.get("type") != "application/json" else None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            if not MATERIAL_SCRIPTS.search(self._script.strip()):
                self.found.append(f"<script>{self._script[:40]!r}")
            self._script = None


def _safe_url(value: str) -> bool:
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value)).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


def active_content(site: Path) -> dict[str, list[str]]:
    """Active elements, handlers, dangerous links and broken titles, by file."""
    found: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        finder = _Finder()
        finder.feed(source)
        problems = list(finder.found)
        for title in re.findall(r"<title>(.*?)</title>", source, flags=re.S):
            if "<" in title:
                problems.append(f"<title> holds markup: {title[:60]!r}")
        if problems:
            found[str(path.relative_to(site))] = problems
    return found
