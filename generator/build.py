"""The whole pipeline in one function: read, validate, hide what is private, compute, render."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Problem
from generator.export import export
from generator.load import read_tree
from generator.model import Company
from generator.pages import DATA_PATH, DEFAULT_OPTIONS, SiteOptions, SitePage, site_pages
from generator.privacy import part_view, public_view
from generator.progress import evaluate
from generator.validate import Validation, validate

ASSETS = Path(__file__).parent / "assets"
STYLESHEET = "assets/okrs/okrs.css"


@dataclass(frozen=True, slots=True)
class Generated:
    """The outcome of one generation: every problem, and the pages when there was no error."""

    problems: tuple[Problem, ...]
    company: Company | None
    pages: tuple[SitePage, ...]
    files: tuple[tuple[str, bytes], ...]
    """Other files of the site: the stylesheet and ``okrs.json``."""

    @property
    def failed(self) -> bool:
        return any(p.severity.value == "error" for p in self.problems)


def generate(source: Path, shown: str, *, as_of: dt.date, include_private: bool = False,
             options: SiteOptions = DEFAULT_OPTIONS, teams: Sequence[str] = (),
             checked: Validation | None = None) -> Generated:
    """Read ``source`` and produce the site's pages; nothing is rendered when the tree has errors.
    ``teams`` limits the site to those teams (see ``part_view``); it raises ``UnknownTeamError`` for an unknown one.
    ``checked`` is the validation of ``source`` when the caller has just made it (it is not read again)."""
    result = checked if checked is not None else validate(read_tree(source, shown))
    if result.company is None:
        return Generated(result.problems, None, (), ())
    company = part_view(public_view(result.company, include_private=include_private), teams)
    evaluation = evaluate(company, as_of)
    pages = site_pages(company, evaluation, options)
    data = json.dumps(export(company, evaluation), ensure_ascii=False, indent=1) + "\n"
    files = ((STYLESHEET, (ASSETS / "okrs.css").read_bytes()), (DATA_PATH, data.encode("utf-8")))
    return Generated(result.problems, company, pages, files)
