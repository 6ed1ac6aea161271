"""A build that remembers the one before renders again only what an edit can change, and the result
is the very site a build from scratch makes."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import export
from generator.build import Generated, generate
from generator.model import Reference
from generator.pages import DATA_PATH, DEFAULT_OPTIONS, SiteOptions, team_period_path
from generator.periods import PeriodKind, PeriodName
from generator.progress import ObjectiveProgress, evaluate
from generator.reads import ANYTHING, owner_key
from generator.rerender import Remembered
from tests.sitekit import REPO

AS_OF = dt.date(2026, 11, 28)
EXAMPLE = REPO / "okrs"
Q4 = PeriodName(2026, PeriodKind.QUARTER, 4)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the example company's OKR folder, to edit."""
    shutil.copytree(EXAMPLE, tmp_path / "okrs")
    return tmp_path / "okrs"


def _custom_templates(tmp_path: Path) -> tuple[Path, SiteOptions]:
    """An empty ``templates_dir``, and the options that use it."""
    templates = tmp_path / "templates"
    templates.mkdir()
    return templates, SiteOptions(templates_dir=templates)


def _built(root: Path, before: Remembered | None = None, *, as_of: dt.date = AS_OF,
           options: SiteOptions = DEFAULT_OPTIONS) -> tuple[dict[str, str], Remembered, int]:
    generated = generate(root, "okrs", as_of=as_of, options=options, remember=True, before=before)
    assert not generated.failed, generated.problems
    assert generated.rerendering is not None
    pages = {page.path: page.render() for page in generated.pages}
    return pages, generated.rerendering.remembered(), generated.rerendering.kept


def _from_scratch(root: Path, *, as_of: dt.date = AS_OF, options: SiteOptions = DEFAULT_OPTIONS) -> dict[str, str]:
    generated = generate(root, "okrs", as_of=as_of, options=options)
    assert not generated.failed, generated.problems
    try:
        return {page.path: page.render() for page in generated.pages}
    finally:
        generated.close()


def _edit(path: Path, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        file = root / path
        text = file.read_text(encoding="utf-8")
        assert old in text, (path, old)
        file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


SUPPORT_Q4 = Path("customer-experience/support/2026-Q4.yaml")


def _objectives_swapped(root: Path) -> None:
    """The period file's first two objectives in the other order: no number changes, an order does."""
    file = root / SUPPORT_Q4
    head, first, second, *rest = file.read_text(encoding="utf-8").split("\n  - id: ")
    assert not rest
    file.write_text("\n  - id: ".join([head, second.rstrip("\n") + "\n", first.rstrip("\n")]) + "\n",
                    encoding="utf-8")

EDITS = {
    "a check-in's value": _edit(SUPPORT_Q4, "{date: 2026-11-18, value: 26,", "{date: 2026-11-18, value: 29,"),
    "a key result's title": _edit(SUPPORT_Q4, "Resolve 30% of chats with the bot", "Resolve 40% of chats with the bot"),
    "an objective's owner": _edit(SUPPORT_Q4, "    owner: jenny-l\n    tags", "    owner: sam-o\n    tags"),
    "an alignment removed": _edit(SUPPORT_Q4, "      - customer-experience/one-view\n", ""),
    "a team's name": _edit(Path("customer-experience/support/team.yaml"), "name: Customer support",
                           "name: Customer care"),
    "a team's lead": _edit(Path("customer-experience/support/team.yaml"), "lead: jenny-l", "lead: sam-o"),
    "a new check-in": _edit(SUPPORT_Q4, "          - {date: 2026-11-24, value: 5,",
                            "          - {date: 2026-11-26, value: 6, by: jenny-l}\n"
                            "          - {date: 2026-11-24, value: 5,"),
    "objectives reordered": _objectives_swapped,
    "a person's name": _edit(Path("people.yaml"), "name: Sam Okafor", "name: Samuel Okafor"),
    "the company's name": _edit(Path("team.yaml"), "name: ", "name: The "),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_after_an_edit_the_site_is_the_one_a_build_from_scratch_makes(root: Path,
                                                                      edit: Callable[[Path], None]) -> None:
    first, remembered, _ = _built(root)
    edit(root)
    again, _, kept = _built(root, remembered)
    fresh = _from_scratch(root)
    assert again.keys() == fresh.keys()
    for path in fresh:
        assert again[path] == fresh[path], path
    assert again != first  # every edit shows somewhere
    assert kept < len(fresh)


def test_an_edit_to_one_team_renders_only_the_pages_that_show_it(root: Path) -> None:
    first, remembered, _ = _built(root)
    EDITS["a key result's title"](root)
    again, _, kept = _built(root, remembered)
    changed = {path for path in again if again[path] != first[path]}
    assert team_period_path("support", Q4) in changed
    assert 0 < kept < len(again) - len(changed)
    assert team_period_path("stores-moscow", Q4) not in changed


def test_settings_every_page_shows_render_every_page_again(root: Path) -> None:
    _, remembered, _ = _built(root)
    EDITS["a person's name"](root)
    assert _built(root, remembered)[2] == 0
    _, remembered, _ = _built(root)
    assert _built(root, remembered, as_of=AS_OF + dt.timedelta(days=1))[2] == 0


def test_nothing_changed_keeps_every_page(root: Path) -> None:
    first, remembered, _ = _built(root)
    again, _, kept = _built(root, remembered)
    assert again == first and kept == len(first)


def test_an_edited_template_renders_every_page_again(root: Path, tmp_path: Path) -> None:
    templates, options = _custom_templates(tmp_path)
    (templates / "team_profile.md.j2").write_text("# {{ team.name }}\n", encoding="utf-8")
    first, remembered, _ = _built(root, options=options)
    assert first["teams/support.md"].endswith("# Customer support\n")
    (templates / "team_profile.md.j2").write_text("# Team {{ team.name }}\n", encoding="utf-8")
    again, _, kept = _built(root, remembered, options=options)
    assert kept == 0
    assert again["teams/support.md"].endswith("# Team Customer support\n")
    assert again == _from_scratch(root, options=options)


def test_a_team_page_notes_the_teams_it_shows_and_an_index_notes_everything(root: Path) -> None:
    _, remembered, _ = _built(root)
    support = remembered.pages[team_period_path("support", Q4)][1]
    assert {"support", "customer-experience"} <= support  # itself, and the department above it
    assert ANYTHING not in support and "stores-moscow" not in support
    assert ANYTHING in remembered.pages["index.md"][1]
    assert owner_key("jenny-l") in remembered.pages["people/jenny-l.md"][1]


def test_an_unchanged_objective_keeps_its_numbers_and_a_changed_one_moves_up_its_alignment(root: Path) -> None:
    before = generate(root, "okrs", as_of=AS_OF, remember=True)
    assert before.rerendering is not None
    remembered = before.rerendering.remembered()
    EDITS["a check-in's value"](root)
    after = generate(root, "okrs", as_of=AS_OF, remember=True, before=remembered)
    assert after.rerendering is not None
    company = after.rerendering.remembered().company
    again = evaluate(company, AS_OF, remembered.evaluation)
    engagement = Reference("support", Q4, "engagement")
    assert again.of(engagement) is not remembered.evaluation.of(engagement)
    assert again.of(Reference("stores-moscow", Q4, "store-service")) is remembered.evaluation.of(
        Reference("stores-moscow", Q4, "store-service"))
    assert again.objectives == evaluate(company, AS_OF).objectives


def test_okrs_json_after_an_edit_is_the_one_a_build_from_scratch_writes(root: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def data(generated: Generated) -> bytes:
        return next(file.content() for file in generated.files if file.path == DATA_PATH)

    first = generate(root, "okrs", as_of=AS_OF, remember=True)
    assert first.rerendering is not None
    before = data(first)
    EDITS["a check-in's value"](root)
    encoded: set[int] = set()
    original = export._objective_text

    def counted(objective: ObjectiveProgress) -> str:
        encoded.add(id(objective))
        return original(objective)

    monkeypatch.setattr(export, "_objective_text", counted)
    again = generate(root, "okrs", as_of=AS_OF, remember=True, before=first.rerendering.remembered())
    after = data(again)
    objectives = len(again.rerendering.remembered().evaluation.objectives) if again.rerendering else 0
    assert 0 < len(encoded) < objectives / 2, "only the objectives whose numbers changed are encoded again"
    monkeypatch.undo()
    fresh = generate(root, "okrs", as_of=AS_OF)
    assert after == data(fresh) != before
    fresh.close()


def test_a_template_added_to_templates_dir_is_used_at_once(root: Path, tmp_path: Path) -> None:
    """Jinja would keep the bundled template it loaded before, and never look for the new override."""
    templates, options = _custom_templates(tmp_path)
    first, remembered, _ = _built(root, options=options)
    assert "# Added Customer support" not in first["teams/support.md"]
    (templates / "team_profile.md.j2").write_text("# Added {{ team.name }}\n", encoding="utf-8")
    again, _, kept = _built(root, remembered, options=options)
    assert kept == 0 and again["teams/support.md"].endswith("# Added Customer support\n")
