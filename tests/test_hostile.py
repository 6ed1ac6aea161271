"""The hostile-input corpus (tests/hostile): inputs that must be refused with a precise position, and
strings that must be shown exactly and stay inert in a real build; private canaries that must never
reach the site; builds that are killed or flip privacy. The figures print at the end of the run."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import main
from tests.figures import add
from tests.safety import active_content
from tests.sitekit import AS_OF, REPO, Page, digest, every_text_file, page

HOSTILE = Path(__file__).parent / "hostile"
ERRORS: list[dict[str, Any]] = yaml.safe_load((HOSTILE / "errors.yaml").read_text(encoding="utf-8"))
DISPLAY: list[dict[str, Any]] = yaml.safe_load((HOSTILE / "display.yaml").read_text(encoding="utf-8"))
POSITIONED = re.compile(r"^\S.*:\d+:\d+: (error|warning)\[[a-z0-9-]+\]: .+")
CANARY = re.compile(r"canary", re.IGNORECASE)


def test_the_corpus_is_large_and_covers_every_category() -> None:
    assert len(ERRORS) + len(DISPLAY) >= 50
    assert {c["category"] for c in ERRORS} == {"yaml", "schema", "ids", "size", "encoding", "git"}


def _materialize(root: Path, files: dict[str, Any]) -> None:
    files = {"team.yaml": "name: Acme\n", **files}
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif "hex" in content:
            path.write_bytes(bytes.fromhex(content["hex"]))
        elif "symlink" in content:
            path.symlink_to(content["symlink"])
        else:
            text, times = content["repeat"]
            body = text * times + "".join(piece * count for piece, count in content.get("then", []))
            path.write_text(body, encoding="utf-8")


def _count_output(out: str, err: str) -> list[str]:
    if "Traceback" in out + err or "internal error" in err:
        add("tracebacks")
    lines = out.splitlines()
    add("errors without a position", sum(1 for line in lines if not POSITIONED.match(line)))
    return lines


@pytest.mark.parametrize("case", ERRORS, ids=[c["name"] for c in ERRORS])
def test_refused_with_a_precise_position(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    add("inputs tried")
    _materialize(tmp_path / "okrs", case["files"])
    monkeypatch.chdir(tmp_path)
    code = main(["check", "okrs"])
    captured = capsys.readouterr()
    lines = _count_output(captured.out, captured.err)
    assert code == 1
    assert all(POSITIONED.match(line) for line in lines)
    assert len(lines) == len(case["expect"]), lines
    for line, prefix in zip(lines, case["expect"], strict=True):
        assert line.startswith(prefix), (line, prefix)


# --- strings shown exactly, and inert --------------------------------------------------------------

def _folded(text: str) -> str:
    return " ".join(text.split())


def _display_tree(root: Path) -> dict[str, str]:
    """One team per display case, plus private canaries; returns case name -> page to look at."""
    root.mkdir(parents=True)
    (root / "team.yaml").write_text("name: Acme\n", encoding="utf-8")
    people: dict[str, dict[str, str]] = {"owner": {"name": "Olga Owner"}}
    where: dict[str, str] = {}
    company = {"objectives": [{"id": "goal", "title": "Company goal", "key_results": [
        {"id": "k", "title": "Public KR", "start": 0, "target": 10,
         "checkins": [{"date": "2026-11-01", "value": 5}]}]}]}
    for number, case in enumerate(DISPLAY, start=1):
        team, text, field = f"d{number:02d}", case["text"], case["field"]
        team_file: dict[str, Any] = {"name": f"Team {number}"}
        objective: dict[str, Any] = {"id": "o", "title": f"Objective {number}", "owner": "owner",
                                     "aligned_to": "company/goal"}
        key_result: dict[str, Any] = {"id": "k", "title": f"KR {number}", "start": 0, "target": 10,
                                      "checkins": [{"date": "2026-11-01", "value": 4, "note": "steady"}]}
        objective["key_results"] = [key_result]
        where[case["name"]] = f"2026-Q4/{team}"
        if field == "team.name":
            team_file["name"] = text
        elif field == "team.description":
            team_file["description"], where[case["name"]] = text, f"teams/{team}"
        elif field == "team.link_name":
            team_file["links"], where[case["name"]] = {text: "https://example.com/"}, f"teams/{team}"
        elif field == "objective.tag":
            objective["tags"] = [text]
        elif field == "kr.dropped":
            objective["key_results"].append({"id": "gone", "title": "Dropped KR", "start": 0, "target": 1,
                                             "dropped": text})
        elif field == "checkin.note":
            key_result["checkins"][0]["note"] = text
        elif field == "initiative.title":
            objective["initiatives"] = [{"title": text, "status": "planned"}]
        elif field == "initiative.link":
            objective["initiatives"] = [{"title": "Initiative", "link": text}]
        elif field == "team.link_url":
            team_file["links"], where[case["name"]] = {"Handbook": text}, f"teams/{team}"
        elif field == "person.name":
            people[f"p{number:02d}"] = {"name": text}
            objective["owner"], where[case["name"]] = f"p{number:02d}", f"people/p{number:02d}"
        else:
            kind, key = field.split(".")
            (objective if kind == "objective" else key_result)[key] = text
        (root / team).mkdir()
        (root / team / "team.yaml").write_text(yaml.safe_dump(team_file, allow_unicode=True), encoding="utf-8")
        (root / team / "2026-Q4.yaml").write_text(yaml.safe_dump({"objectives": [objective]}, allow_unicode=True),
                                                  encoding="utf-8")
    (root / "people.yaml").write_text(yaml.safe_dump(people, allow_unicode=True), encoding="utf-8")
    _canaries(root, company)
    (root / "2026-Q4.yaml").write_text(yaml.safe_dump(company, allow_unicode=True), encoding="utf-8")
    return where


def _canaries(root: Path, company: dict[str, Any]) -> None:
    """Private objectives in every shape: in a public file, a private file, aligned from and to public ones."""
    company["objectives"].append({
        "id": "canary-merger", "title": "CANARY merger plan", "private": True, "tags": ["canary-tag"],
        "aligned_to": "company/goal", "owner": "owner",
        "key_results": [{"id": "canary-kr", "title": "CANARY signed", "start": 0, "target": 1, "unit": "canary",
                         "checkins": [{"date": "2026-11-02", "value": 0.5, "note": "CANARY note"}]}],
        "initiatives": [{"title": "CANARY due diligence", "link": "https://example.com/canary"}]})
    (root / "secret-team").mkdir()
    (root / "secret-team" / "team.yaml").write_text("name: Strategy\n", encoding="utf-8")
    (root / "secret-team" / "2026-Q4.yaml").write_text(yaml.safe_dump({"private": True, "objectives": [{
        "id": "canary-layoffs", "title": "CANARY restructuring", "aligned_to": "company/goal",
        "key_results": [{"title": "CANARY headcount", "start": 100, "target": 80}]}]}), encoding="utf-8")
    (root / "secret-team" / "2026-Q3.yaml").write_text(yaml.safe_dump({"objectives": [{
        "id": "public-one", "title": "Prepare quietly", "aligned_to": "company/2026-Q4/canary-merger",
        "key_results": [{"title": "Data room ready", "start": 0, "target": 1}]}]}), encoding="utf-8")


@pytest.fixture(scope="module")
def display_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    project = tmp_path_factory.mktemp("hostile")
    where = _display_tree(project / "okrs")
    shutil.copytree(REPO / "docs", project / "docs")
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--as-of", AS_OF], cwd=project,
                          capture_output=True, text=True, check=False)
    _count_output(done.stdout if done.returncode else "", done.stderr)
    assert done.returncode == 0, done.stdout + done.stderr
    return project / "site", where


@pytest.mark.parametrize("case", DISPLAY, ids=[c["name"] for c in DISPLAY])
def test_shown_exactly_as_written(case: dict[str, Any], display_site: tuple[Path, dict[str, str]]) -> None:
    add("inputs tried")
    site, where = display_site
    shown = page(site, where[case["name"]])
    if case["field"] in ("initiative.link", "team.link_url"):  # a link: its target, exactly
        exact = case["text"] in shown.links
    else:
        exact = _folded(case["text"]) in shown.text
    if not exact:
        add("strings not displayed exactly")
    assert exact, (case["text"], shown.text[:2000])
    if case["field"] == "team.name":
        title = re.search(r"<title>(.*?)</title>", shown.html, flags=re.S)
        assert title is not None
        assert Page(title.group(1)).text.startswith(_folded(case["text"]))


def test_nothing_from_content_is_active(display_site: tuple[Path, dict[str, str]]) -> None:
    site, _ = display_site
    found = active_content(site)
    add("active elements from content", sum(len(v) for v in found.values()))
    assert found == {}


def test_no_private_canary_reaches_the_site(display_site: tuple[Path, dict[str, str]]) -> None:
    site, _ = display_site
    leaks = {name: CANARY.findall(text) for name, text in every_text_file(site).items() if CANARY.search(text)}
    add("private canaries found", sum(len(v) for v in leaks.values()))
    assert leaks == {}
    profile = page(site, "2026-Q3/secret-team")
    assert "a restricted objective" in profile.text
    assert not (site / "2026-Q4" / "secret-team").exists()


# --- publishing ------------------------------------------------------------------------------------

def _project(tmp: Path) -> Path:
    for name in ("docs", "okrs"):
        shutil.copytree(REPO / name, tmp / name)
    shutil.copy(REPO / "mkdocs.yml", tmp / "mkdocs.yml")
    return tmp


def _okr_build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "build", "--as-of", AS_OF], cwd=project,
                          capture_output=True, text=True, check=False)


def test_a_killed_build_never_leaves_a_half_published_site(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    assert _okr_build(project).returncode == 0
    old = digest(project / "site")
    title = project / "okrs" / "marketing" / "2026-Q4.yaml"
    title.write_text(title.read_text(encoding="utf-8").replace("Increase brand awareness", "Grow brand awareness"))
    started = time.monotonic()
    assert _okr_build(project).returncode == 0
    duration = time.monotonic() - started
    new = digest(project / "site")
    title.write_text(title.read_text(encoding="utf-8").replace("Grow brand awareness", "Lift brand awareness"))
    for fraction in (0.15, 0.35, 0.55, 0.75, 0.9, 0.97):
        add("inputs tried")
        before = digest(project / "site")
        process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--as-of", AS_OF], cwd=project,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(duration * fraction)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        site = project / "site"
        after = digest(site) if site.exists() else "missing"
        if after not in (before, old, new) and not _complete(site):
            add("partial publishes")
        assert after == before or _complete(site)
    assert _okr_build(project).returncode == 0  # the next build cleans up and succeeds
    assert "Lift brand awareness" in page(project / "site", "2026-Q4/marketing").text
    assert not list(project.glob(".site.*"))


def _complete(site: Path) -> bool:
    """A finished build of the example: every page and the search index are there."""
    return all((site / p).is_file() for p in ("index.html", "search/search_index.json", "sitemap.xml",
                                               "2026-Q4/marketing/index.html", "okrs.json"))


def test_private_then_public_then_private_leaves_no_trace(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    plan = project / "okrs" / "operations" / "2026-Q4.yaml"
    original = plan.read_text(encoding="utf-8")
    for step, private in enumerate((True, False, True)):
        add("inputs tried")
        plan.write_text(original if private else original.replace("private: true\n", ""), encoding="utf-8")
        assert _okr_build(project).returncode == 0
        texts = every_text_file(project / "site")
        leaks = [name for name, text in texts.items() if "Merge the two delivery teams" in text]
        if private:
            add("private canaries found", len(leaks))
            assert leaks == [], step
        else:
            assert "2026-Q4/operations/index.html" in leaks


def test_a_deleted_team_leaves_no_stale_page(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    assert _okr_build(project).returncode == 0
    add("inputs tried")
    shutil.rmtree(project / "okrs" / "marketing")
    people = project / "okrs" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace("  team: marketing\n", "").replace(
        "  team: content\n", ""), encoding="utf-8")
    assert _okr_build(project).returncode == 0
    traces = ("Brand marketing", "Increase brand awareness", "Content studio", "2026-Q4/marketing", "teams/marketing")
    stale = [name for name, text in every_text_file(project / "site").items()
             if any(trace in text for trace in traces) or name.startswith(("2026-Q4/marketing", "teams/marketing"))]
    add("stale pages", len(stale))
    assert stale == []


# --- fuzz: random text in every text field of a real build ------------------------------------------

FUZZ_FIELDS = ("team", "description", "objective", "objective_description", "tag", "kr", "unit", "note",
               "initiative", "person", "link", "dropped")


def _fuzz_tree(root: Path, texts: dict[str, str]) -> None:
    root.mkdir(parents=True)
    (root / "team.yaml").write_text("name: Acme\n", encoding="utf-8")
    (root / "people.yaml").write_text(yaml.safe_dump({"fuzz": {"name": texts["person"]}}, allow_unicode=True),
                                      encoding="utf-8")
    (root / "fuzz").mkdir()
    (root / "fuzz" / "team.yaml").write_text(yaml.safe_dump(
        {"name": texts["team"], "description": texts["description"], "links": {texts["link"]: "https://a.example/"}},
        allow_unicode=True), encoding="utf-8")
    objective = {"id": "o", "title": texts["objective"], "description": texts["objective_description"],
                 "owner": "fuzz", "tags": [texts["tag"]],
                 "key_results": [{"id": "k", "title": texts["kr"], "start": 0, "target": 10, "unit": texts["unit"],
                                  "checkins": [{"date": "2026-11-01", "value": 3, "note": texts["note"]}]},
                                 {"id": "d", "title": "Dropped", "start": 0, "target": 1, "dropped": texts["dropped"]}],
                 "initiatives": [{"title": texts["initiative"]}]}
    (root / "fuzz" / "2026-Q4.yaml").write_text(yaml.safe_dump({"objectives": [objective]}, allow_unicode=True),
                                                encoding="utf-8")


def test_random_text_in_every_field_is_shown_exactly_and_stays_inert(tmp_path: Path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    refused = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=refused),
                   min_size=1, max_size=40).filter(lambda s: s.strip() != "")
    runs = iter(range(1_000))

    @settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries(dict.fromkeys(FUZZ_FIELDS, text)))
    def build_one(texts: dict[str, str]) -> None:
        add("inputs tried")
        project = tmp_path / f"run{next(runs)}"
        _fuzz_tree(project / "okrs", texts)
        shutil.copytree(REPO / "docs", project / "docs")
        shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
        done = _okr_build(project)
        _count_output("", done.stderr)
        assert done.returncode == 0, done.stdout + done.stderr
        site = project / "site"
        found = active_content(site)
        add("active elements from content", sum(len(v) for v in found.values()))
        assert found == {}
        team_page, profile = page(site, "2026-Q4/fuzz").text, page(site, "teams/fuzz").text
        person = page(site, "people/fuzz").text
        expected = {"team": team_page, "objective": team_page, "objective_description": team_page,
                    "tag": team_page, "kr": team_page, "unit": team_page, "note": team_page,
                    "initiative": team_page, "dropped": team_page, "description": profile, "link": profile,
                    "person": person}
        missing = [field for field, shown in expected.items() if _folded(texts[field]) not in shown]
        add("strings not displayed exactly", len(missing))
        assert missing == [], {field: texts[field] for field in missing}

    build_one()
