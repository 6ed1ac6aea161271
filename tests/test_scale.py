"""A large company's index pages stay a bounded size, and every team stays reachable from them.

The thresholds are lowered so a synthetic company of 60 teams counts as large.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from pathlib import Path

import pytest

from benchmarks.synth import generate
from generator import pages
from generator.load import read_tree
from generator.model import Company, subtree
from generator.pages import SitePage, site_pages
from generator.privacy import UnknownTeamError, part_view, public_view
from generator.progress import evaluate
from generator.validate import validate

PERIOD = "2026-Q4"
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    folder = tmp_path_factory.mktemp("large") / "okrs"
    generate(60, 2, 3, folder)
    result = validate(read_tree(folder, "okrs"))
    assert result.company is not None
    return public_view(result.company)


@pytest.fixture()
def site(company: Company, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(pages, "FULL_TREE_TEAMS", 10)
    monkeypatch.setattr(pages, "RISKS_SHOWN", 4)
    monkeypatch.setattr(pages, "UNALIGNED_SHOWN", 3)
    built: tuple[SitePage, ...] = site_pages(company, evaluate(company, dt.date(2026, 11, 28)))
    return {page.path: page.markdown for page in built}


def _table_links(site: dict[str, str], path: str) -> set[str]:
    """Links in a page's tables: the period index's teams and a team page's sub-teams."""
    folder = posixpath.dirname(path)
    rows = "\n".join(line for line in site[path].splitlines() if line.startswith("|"))
    return {posixpath.normpath(posixpath.join(folder, target)) for target in LINK.findall(rows)}


def test_index_pages_list_two_levels_and_say_how_many_teams_are_deeper(company: Company,
                                                                        site: dict[str, str]) -> None:
    deeper = [team for team in company.teams if team.depth > pages.LISTED_DEPTH]
    assert deeper, "the synthetic company must be deeper than two levels for this test to mean anything"
    index = site[f"{PERIOD}/index.md"]
    teams = site["teams/index.md"]
    for team in deeper:
        assert f"({team.id}.md)" not in index
        assert f"({team.id}.md)" not in teams
    assert f"{len(deeper)} more teams sit deeper in the tree" in index
    assert f"{len(deeper)} more teams sit deeper in the tree" in teams


def test_every_team_page_of_a_period_is_reachable_down_the_tables_from_its_index(company: Company,
                                                                                  site: dict[str, str]) -> None:
    start = f"{PERIOD}/index.md"
    seen, frontier = {start}, [start]
    while frontier:
        path = frontier.pop()
        for target in _table_links(site, path):
            if target.startswith(f"{PERIOD}/") and target in site and target not in seen:
                seen.add(target)
                frontier.append(target)
    with_okrs = {f"{PERIOD}/{team.id}.md" for team in company.teams if any(str(p.name) == PERIOD for p in team.periods)}
    assert with_okrs - seen == set()


def test_team_pages_list_their_sub_teams(company: Company, site: dict[str, str]) -> None:
    parent = next(team for team in company.teams if team.depth == pages.LISTED_DEPTH and team.children)
    page = site[f"{PERIOD}/{parent.id}.md"]
    assert "## Sub\\-teams" in page
    for child in parent.children:
        assert f"({child}.md)" in page


def test_risks_list_the_furthest_behind_first_and_count_the_rest(site: dict[str, str]) -> None:
    risks = site[f"{PERIOD}/risks.md"]
    sections = risks.split("\n## ")[1:]
    assert sections
    statuses = ("off track", "breached", "at risk")
    for section in sections:
        rows = [line for line in section.splitlines() if line.startswith("| [")]
        assert 0 < len(rows) <= 4
        ranks = [next((i for i, s in enumerate(statuses) if f">{s}<" in row), 3) for row in rows]
        assert ranks == sorted(ranks)
        more = re.search(r"(\d+) more key results need attention in", section)
        if len(rows) < 4:
            assert more is None
    assert re.search(r"\d+ more key results need attention in \[", risks)


def test_the_goal_tree_stops_at_three_levels_and_counts_what_is_below(site: dict[str, str]) -> None:
    alignment = site[f"{PERIOD}/alignment.md"]
    tree = alignment.split("## Not aligned")[0]
    depths = {len(m.group(1)) // 4 for m in re.finditer(r"^( *)- ", tree, re.MULTILINE)}
    assert max(depths) <= pages.ALIGNMENT_DEPTH
    assert re.search(r"^ +- \d+ more aligned to \[", tree, re.MULTILINE)
    unaligned = alignment.split("## Not aligned")[1]
    assert len(re.findall(r"^- \[", unaligned, re.MULTILINE)) <= 3


def test_a_small_company_keeps_every_team_and_the_whole_tree(tmp_path: Path) -> None:
    generate(12, 1, 3, tmp_path / "okrs")
    result = validate(read_tree(tmp_path / "okrs", "okrs"))
    assert result.company is not None
    company = public_view(result.company)
    built = {p.path: p.markdown for p in site_pages(company, evaluate(company, dt.date(2026, 11, 28)))}
    for team in company.teams[1:]:
        assert f"({team.id}.md)" in built[f"{PERIOD}/index.md"]
    assert "sit deeper in the tree" not in built[f"{PERIOD}/index.md"]
    assert "more aligned to" not in built[f"{PERIOD}/alignment.md"]


def test_a_part_of_the_company_keeps_the_chosen_teams_below_and_above(company: Company) -> None:
    chosen = next(team for team in company.teams if team.depth == 2 and team.children)
    part = part_view(company, [chosen.id])
    kept = {team.id for team in part.teams}
    below = set(subtree(company, chosen.id))
    above = {company.id, chosen.parent}
    assert kept == below | above
    for team in part.teams:
        assert set(team.children) <= kept
    for objective in part.objectives():
        original = company.objective(objective.ref)
        assert original is not None
        for before, after in zip(original.aligned_to, objective.aligned_to, strict=True):
            target = company.objective(before.target)
            left_out = target is not None and target.team not in kept
            assert after.restricted == (left_out or before.restricted)
    pages_of_part = site_pages(part, evaluate(part, dt.date(2026, 11, 28)))
    assert {page.path for page in pages_of_part} >= {f"{PERIOD}/{chosen.id}.md", "index.md"}


def test_a_part_naming_an_unknown_team_is_refused_with_a_suggestion(company: Company) -> None:
    with pytest.raises(UnknownTeamError, match=r"no team 'team-1x' \(did you mean 'team-1'\?\)"):
        part_view(company, ["team-1x"])
    assert part_view(company, []) is company


def test_the_public_view_copies_only_what_it_redacts(tmp_path: Path) -> None:
    """A large company is not copied whole to hide a few private objectives, nor at all without any."""
    generate(30, 2, 3, tmp_path / "okrs")
    company = validate(read_tree(tmp_path / "okrs", "okrs")).company
    assert company is not None
    public = public_view(company)
    private_files = {p.file for t in company.teams for p in t.periods if any(o.private for o in p.objectives)}
    assert private_files, "the synthetic company must have private objectives"
    kept_periods = {id(p) for t in public.teams for p in t.periods}
    assert {id(p) for t in company.teams for p in t.periods if p.file not in private_files} <= kept_periods
    assert not any(o.private for o in public.objectives())
    assert public_view(public) is public
