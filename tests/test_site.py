"""The example company built for real: ``okr build`` (a strict MkDocs build) in a temporary folder,
with assertions on the HTML it produced."""

from __future__ import annotations

import datetime as dt
import gc
import json
import posixpath
import re
from pathlib import Path
from typing import Any

import pytest

from tests.sitekit import AS_OF, REPO, Page, build, copy_project, digest, every_text_file, okr, page

PRIVATE_CANARIES = ["rebrand-2027", "Prepare the 2027 rebrand in secret", "Agency shortlist",
                    "Merge the two delivery teams", "reorg", "reorganisation"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The example project, built, and what the build printed."""
    folder = copy_project(tmp_path_factory.mktemp("example"))
    (folder / "docs" / "hand-written.md").write_text("# Left out of the nav\n", encoding="utf-8")
    done = build(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder, done.stdout + done.stderr


@pytest.fixture(scope="module")
def project(built: tuple[Path, str]) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    return project / "site"


@pytest.fixture(scope="module")
def data(site: Path) -> dict[str, list[dict[str, object]]]:
    return json.loads((site / "okrs.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_every_kind_of_page_is_built(site: Path) -> None:
    for url in ["", "periods", "teams", "people", "updates", "2026-Q4", "2026-Q4/support", "2026-Q4/alignment",
                "2026-Q4/risks", "teams/support", "people/jenny-l", "2026", "2026-H2/operations", "format"]:
        assert (site / url / "index.html").is_file(), url
    assert (site / "okrs.json").is_file()
    assert (site / "assets/okrs/okrs.css").is_file()


def test_the_build_lists_only_hand_written_pages_as_left_out_of_the_nav(built: tuple[Path, str]) -> None:
    """Generated pages are reached from the index pages: listing them would print every team page (tens
    of thousands of lines in a large company) on every build."""
    log = built[1]
    omitted = re.search(r'not included in the "nav" configuration:\n((?:  - .*\n?)+)', log)
    assert omitted is not None, log
    assert omitted.group(1).split() == ["-", "hand-written.md"]


def test_exclude_docs_and_draft_docs_still_apply_to_generated_pages(tmp_path: Path) -> None:
    from mkdocs.config import load_config
    from mkdocs.structure.files import InclusionLevel, set_exclusions

    from generator.pages import PlannedPage
    from generator.plugin import _GeneratedPage

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nexclude_docs: people/ana-g.md\ndraft_docs: teams/draft.md\n",
                                         encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    config.plugins._current_plugin = "okrs"  # as during on_files, where MkDocs notes who made a file
    files = [_GeneratedPage.of(config, PlannedPage(path, None, lambda: "# page\n"), None, None)
             for path in ["people/ana-g.md", "teams/draft.md", "teams/support.md"]]
    set_exclusions(files, config)
    assert [file.inclusion for file in files] == [InclusionLevel.EXCLUDED, InclusionLevel.DRAFT,
                                                  InclusionLevel.NOT_IN_NAV]


def _page_of(ref: str) -> tuple[str, str]:
    team, period, objective, *kr = ref.split("/")
    return f"{period}/{team}", f"{objective}__{kr[0]}" if kr else objective


def test_aligned_to_links_resolve_and_parents_list_their_supporters(site: Path, data: dict) -> None:  # type: ignore[type-arg]
    checked = 0
    for objective in data["objectives"]:
        source_url, source_anchor = _page_of(objective["ref"])
        source = page(site, source_url)
        for target in objective["aligned_to"]:
            target_url, target_anchor = _page_of(target)
            link = posixpath.relpath(target_url, source_url) + "/#" + target_anchor
            link = link.removeprefix("./") if not link.startswith("./#") else link[2:]
            assert link in source.links, (objective["ref"], target, link)
            parent = page(site, target_url)
            assert target_anchor in parent.ids
            back = posixpath.relpath(source_url, target_url) + "/#" + source_anchor
            back = back[2:] if back.startswith("./#") else back
            assert back in parent.links, (target, objective["ref"])
            checked += 1
    assert checked >= 15


def test_numbers_on_team_pages_match_the_engine(site: Path, data: dict) -> None:  # type: ignore[type-arg]
    key_results = {kr["ref"]: kr for kr in data["key_results"]}
    for objective in data["objectives"]:
        url, anchor = _page_of(objective["ref"])
        section = page(site, url).section(anchor)
        if objective["progress"] is not None:
            assert f'aria-label="{round(objective["progress"] * 100)}%"' in section, objective["ref"]
        assert f'okr-status--{objective["status"]}' in section
        for kr_id in objective["key_results"]:
            kr = key_results[f'{objective["ref"]}/{kr_id}']
            assert f'id="{anchor}__{kr_id}"' in section
            if kr["progress"] is not None and kr["status"] != "dropped":
                assert f'aria-label="{round(kr["progress"] * 100)}%"' in section, kr["ref"]


def test_the_seed_numbers_as_shown(site: Path) -> None:
    support = page(site, "2026-Q4/support")
    engagement = Page(support.section("engagement")).text
    assert "AT RISK" not in engagement  # the word is styled upper case, written as text
    assert "at risk" in engagement
    assert "100 → 72 → 50 tickets/week" in engagement
    assert "20 → 26 → 30%" in engagement
    assert "53%" in engagement
    home = page(site, "")
    assert "day 59 of 92, expected 64%" in home.text


def test_private_content_appears_nowhere(site: Path) -> None:
    texts = every_text_file(site)
    assert "search/search_index.json" in texts and "sitemap.xml.gz" in texts
    found = {(name, canary) for name, text in texts.items() for canary in PRIVATE_CANARIES if canary in text}
    assert found == set()


def test_a_removed_team_leaves_no_page(project: Path, tmp_path: Path) -> None:
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    shutil.rmtree(copy / "okrs" / "stores-moscow")
    people = copy / "okrs" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace("  team: stores-moscow\n", ""), encoding="utf-8")
    done = build(copy)
    assert done.returncode == 0, done.stderr
    site = copy / "site"
    assert not (site / "2026-Q4" / "stores-moscow").exists()
    assert not (site / "teams" / "stores-moscow").exists()
    assert not [name for name, text in every_text_file(site).items()
                if "Обслуживание в магазинах" in text or "stores-moscow" in text]


def test_okr_build_parses_each_file_once(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check before the build hands its model to the plugin, so a large tree is not parsed twice."""
    from generator import cli, load, parsecache

    parsed: list[bytes] = []

    def counted(data: bytes, path: str) -> load.Document:
        parsed.append(data)
        return load.parse_yaml(data, path)

    monkeypatch.setattr(parsecache, "parse_yaml", counted)
    frozen: list[int] = []
    freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(len(parsed)) or freeze())
    monkeypatch.chdir(project)
    assert cli.main(["build", "--as-of", AS_OF, "--site-dir", str(tmp_path / "site")]) == 0
    assert frozen == [len(parsed)] and gc.get_freeze_count() == 0  # the model sat out MkDocs' collections, then left
    assert (project / "okrs/team.yaml").read_bytes() in parsed
    assert len(parsed) == sum(1 for _ in (project / "okrs").rglob("*.yaml"))
    assert (tmp_path / "site/2026-Q4/support/index.html").is_file()


def test_a_generated_page_is_not_held_once_written_and_the_site_is_the_same(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MkDocs renders every page before it writes one: a large site held all their Markdown and HTML."""
    from generator import cli, plugin

    monkeypatch.chdir(project)
    written: list[tuple[bool, object, object, object]] = []
    post_page = plugin.OkrsPlugin.on_post_page
    waiting: list[int] = []

    def recorded(self: plugin.OkrsPlugin, output: str, /, **kwargs: Any) -> str:
        output = post_page(self, output, **kwargs)
        # the pages not written yet wait on disk: only where they are is held here
        assert all(type(offset) is int and type(length) is int for offset, length in self._held.values())
        waiting.append(len(self._held))
        page = kwargs["page"]
        generated = isinstance(page.file, plugin._GeneratedPage)
        written.append((generated, page.content, page.markdown, page.file._markdown if generated else None))
        return output

    monkeypatch.setattr(plugin.OkrsPlugin, "on_post_page", recorded)
    assert cli.main(["build", "--as-of", AS_OF, "--site-dir", str(tmp_path / "released")]) == 0
    assert [entry[1:] for entry in written if entry[0]] == [(None, "", None)] * sum(entry[0] for entry in written)
    assert all(content for generated, content, _, _ in written if not generated)  # hand-written: left alone
    assert sum(entry[0] for entry in written) > 20
    assert max(waiting) > 20

    monkeypatch.setattr(plugin.OkrsPlugin, "on_page_content", lambda self, html, /, **_: html)
    monkeypatch.setattr(plugin.OkrsPlugin, "on_post_page", lambda self, output, /, **_: output)
    assert cli.main(["build", "--as-of", AS_OF, "--site-dir", str(tmp_path / "held")]) == 0
    assert digest(tmp_path / "released") == digest(tmp_path / "held")


def test_a_validation_error_leaves_the_previous_site_as_it_was(project: Path, tmp_path: Path) -> None:
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    before = digest(copy / "site")
    team_file = copy / "okrs" / "marketing" / "2026-Q4.yaml"
    team_file.write_text(team_file.read_text(encoding="utf-8").replace("target: 1500", "tagret: 1500"))
    done = build(copy)
    assert done.returncode == 1
    assert "okrs/marketing/2026-Q4.yaml:12:9: error[unknown-key]: unknown key 'tagret'" in done.stdout
    assert "the site in 'site' was left as it was" in done.stderr
    assert digest(copy / "site") == before
    assert sorted(p.name for p in copy.iterdir()) == ["docs", "mkdocs.yml", "okrs", "site"]


def test_the_edit_button_opens_the_yaml_file(project: Path, tmp_path: Path) -> None:
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    config = copy / "mkdocs.yml"
    config.write_text(config.read_text().replace(
        "# repo_url: https://git.example.com/northwind/okrs", "repo_url: https://git.example.com/northwind/okrs/")
        .replace("# edit_uri: edit/main/docs/", "edit_uri: edit/main/docs/"))
    assert build(copy).returncode == 0
    html = page(copy / "site", "2026-Q4/support")
    edit = "https://git.example.com/northwind/okrs/edit/main/okrs/customer-experience/support/"
    assert edit + "2026-Q4.yaml" in html.links
    profile = page(copy / "site", "teams/support")
    assert edit + "team.yaml" in profile.links


def test_russian_labels_dates_and_numbers(project: Path, tmp_path: Path) -> None:
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    config = copy / "mkdocs.yml"
    config.write_text(config.read_text().replace("language: en", "language: ru"))
    assert build(copy).returncode == 0
    home = page(copy / "site", "")
    assert "день 59 из 92, ожидается 64 %" in home.text
    assert "28 нояб. 2026 г." in home.text
    support = page(copy / "site", "2026-Q4/support").text
    assert "под угрозой" in support and "по плану" in support
    assert "23,5 %" in support  # a decimal comma, and a space before the percent sign


def test_templates_dir_overrides_a_bundled_template(project: Path, tmp_path: Path) -> None:
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    (copy / "overrides").mkdir()
    (copy / "overrides" / "periods.md.j2").write_text("# Our periods\n\n{% for p in periods %}- {{ p|string }}\n"
                                                      "{% endfor %}\n")
    config = copy / "mkdocs.yml"
    config.write_text(config.read_text().replace("      include_private: false",
                                                 "      include_private: false\n      templates_dir: overrides"))
    assert build(copy).returncode == 0
    assert "Our periods" in page(copy / "site", "periods").text


def test_a_hand_written_page_may_not_replace_a_generated_one(project: Path, tmp_path: Path) -> None:
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    (copy / "docs" / "index.md").write_text("# Mine\n")
    done = build(copy)
    assert done.returncode == 1
    assert "index.md in docs would replace generated pages" in done.stdout + done.stderr


def test_generate_writes_the_same_markdown_the_site_is_built_from(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    done = okr("generate", "okrs", "--out", str(out), "--as-of", AS_OF, cwd=project)
    assert done.returncode == 0, done.stderr
    team_page = (out / "2026-Q4" / "support.md").read_text(encoding="utf-8")
    assert team_page.startswith("---\ntitle: Customer support · 2026-Q4\ntags:\n- customer\n- self-service\n---\n")
    assert (out / "okrs.json").read_bytes() == (project / "site" / "okrs.json").read_bytes()
    (out / "stale.md").write_text("left from before")
    assert okr("generate", "okrs", "--out", str(out), "--as-of", AS_OF, cwd=project).returncode == 0
    assert not (out / "stale.md").exists()  # the folder is replaced as a whole


def test_generate_refuses_to_replace_a_folder_it_did_not_write(project: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.md").write_text("precious")
    done = okr("generate", "okrs", "--out", str(tmp_path / "mine"), cwd=project)
    assert done.returncode == 2
    assert (tmp_path / "mine" / "notes.md").read_text() == "precious"


def test_a_broken_override_template_is_a_clear_error(project: Path, tmp_path: Path) -> None:
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    (copy / "overrides").mkdir()
    (copy / "overrides" / "periods.md.j2").write_text("# Periods\n{% for p in periods %}\n")
    config = copy / "mkdocs.yml"
    config.write_text(config.read_text().replace("      include_private: false",
                                                 "      include_private: false\n      templates_dir: overrides"))
    done = build(copy)
    assert done.returncode == 1
    assert "okrs: template" in done.stderr and "periods.md.j2:2:" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_search_finds_objectives_and_key_results_but_not_check_in_history(site: Path) -> None:
    """Check-in history is most of a team page's text (dates and numbers); in a large company it would
    make the search index too big for a browser to load, so it stays on the page but out of search."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = [doc for doc in index["docs"] if doc["location"].startswith("2026-Q4/marketing/")]
    text = " ".join(doc["title"] + " " + doc["text"] for doc in entries)
    page = (site / "2026-Q4" / "marketing" / "index.html").read_text(encoding="utf-8")
    assert "Paid social paused for two weeks." in page
    assert "Paid social paused for two weeks." not in text
    assert "Check-ins (" not in text
    objective_titles = re.findall(r'<h2 id="[^"]+">([^<]+)<', page)
    assert len(objective_titles) > 1 and objective_titles[0] == "Sub-teams"
    assert all(title.strip() in text for title in objective_titles[1:])
    assert "Increase trial sign-ups by 25%" in text  # a key result


def test_a_key_result_is_found_by_its_words_and_owner_not_its_numbers(site: Path) -> None:
    support = _search_text(site, "2026-Q4/support/")
    page = (site / "2026-Q4" / "support" / "index.html").read_text(encoding="utf-8")
    assert "Raise engagement through e-mails and in-app messages from 20% to 30% Sam Okafor" in support
    for number_or_heading in ["Confidence 80%", "20 → 26", "Start → Now → Target", "on track", "at risk", "NCS"]:
        assert re.sub(r"<[^>]+>|\*\*", "", number_or_heading) in re.sub(r"<[^>]+>", "", page), number_or_heading
        assert number_or_heading not in support, number_or_heading


def test_why_a_key_result_was_dropped_is_found_and_results_begin_with_words(site: Path) -> None:
    """A dropped key result's reason is its own text, not what another page holds; and what search
    leaves out takes its separators with it, or a result would begin with " · "."""
    assert "Vendor contract cancelled" in _search_text(site, "2026-Q4/support/")
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    objectives = [doc for doc in index["docs"] if re.match(r"2026-Q4/[a-z-]+/#", doc["location"])]
    assert len(objectives) > 10
    words = [re.sub(r"<[^>]+>", "", doc["text"]).lstrip() for doc in objectives]
    assert [text for text in words if text.startswith("·")] == []
    assert any(text.startswith("Owner: ") for text in words)


def test_ended_periods_can_be_left_out_of_search(site: Path, project: Path, tmp_path: Path) -> None:
    """A large company's index is mostly past quarters; off, their pages are still built and linked."""
    import shutil
    assert _search_text(site, "2026-Q3/support/") and _search_text(site, "2026-Q4/support/")
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    config = copy / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "      include_private: false", "      include_private: false\n      search_past_periods: false"))
    assert build(copy).returncode == 0
    built = copy / "site"
    assert _search_text(built, "2026-Q3/support/") == "" and _search_text(built, "2026-Q3/marketing/") == ""
    assert _search_text(built, "2026-Q4/support/") == _search_text(site, "2026-Q4/support/")  # as of 2026-11-28
    assert _search_text(built, "2026/company/")  # the year has not ended
    assert (built / "2026-Q3" / "support" / "index.html").is_file()
    assert 'href="../2026-Q3/"' in (built / "periods" / "index.html").read_text(encoding="utf-8")


def test_the_period_the_site_opens_on_stays_in_search_though_it_has_ended() -> None:
    """In the first days of a quarter nobody has written OKRs for, the site opens on the one before."""
    from generator.build import generate
    from generator.pages import SiteOptions

    def excluded(as_of: dt.date) -> set[str]:
        generated = generate(REPO / "okrs", "okrs", as_of=as_of, options=SiteOptions(search_past_periods=False))
        return {page.path.split("/")[0] for page in generated.pages if page.path.count("/") == 1
                and "search:\n  exclude: true" in page.render().split("---")[1]}

    assert excluded(dt.date(2026, 11, 28)) == {"2026-Q3"}
    assert excluded(dt.date(2026, 9, 30)) == set()  # its last day: 2026-Q3 has not ended
    # Every period of the example has ended; the site opens on the shortest of the latest: 2026-Q4.
    assert excluded(dt.date(2027, 1, 10)) == {"2026-Q3", "2026-H2", "2026"}


def _search_text(site: Path, location: str) -> str:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return " ".join(doc["title"] + " " + doc["text"] for doc in index["docs"] if doc["location"].startswith(location))


def test_what_other_pages_hold_is_found_there_and_not_again(site: Path) -> None:
    """An objective's title is in search once, on its team's page: not again where others link to it
    (alignment, sub-teams, a person's or a team's list), which made most of a large company's index."""
    marketing = _search_text(site, "2026-Q4/marketing/")
    page = (site / "2026-Q4" / "marketing" / "index.html").read_text(encoding="utf-8")
    for shown_elsewhere in ["Sub-teams", "Aligned to", "Supported by", "At the current pace"]:
        assert shown_elsewhere in page, shown_elsewhere
        assert shown_elsewhere not in marketing, shown_elsewhere
    person = _search_text(site, "people/jenny-l/")
    assert person.startswith("Jenny Lindstein") and "Key results" not in person
    assert "Customer support" in person  # the team, a way to find someone
    team = _search_text(site, "teams/support/")
    assert "Jenny Lindstein" in team and "2026-Q4" not in team
    objective = "Improve the customer engagement programme"  # Jenny's, aligned to customer experience's
    assert objective in _search_text(site, "2026-Q4/support/")
    for where in ["2026-Q4/customer-experience", "people/jenny-l", "teams/support"]:
        assert objective in (site / where / "index.html").read_text(encoding="utf-8"), where
    assert objective not in person + team + _search_text(site, "2026-Q4/customer-experience/")


def test_a_preview_of_some_teams_builds_only_their_part_of_the_tree(project: Path, tmp_path: Path) -> None:
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    config = copy / "mkdocs.yml"
    original = config.read_text()
    config.write_text(original.replace("      include_private: false",
                                       "      include_private: false\n      teams: support"))
    assert build(copy).returncode == 0
    site = copy / "site"
    assert (site / "2026-Q4" / "support" / "index.html").exists()
    assert (site / "2026-Q4" / "customer-experience" / "index.html").exists()  # the team above it
    assert not (site / "2026-Q4" / "marketing").exists()
    config.write_text(original.replace("      include_private: false",
                                       "      include_private: false\n      teams: suport"))
    done = build(copy)
    assert done.returncode == 1
    assert "okrs: teams: no team 'suport' (did you mean 'support'?) in this company" in done.stdout + done.stderr
