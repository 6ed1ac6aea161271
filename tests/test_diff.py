"""``okr diff`` on real git repositories: a sequence of commits, and the exact diff of each step."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator import gitread

AS_OF = "2026-11-28"
Q4 = """\
objectives:
  - id: engagement
    title: Improve customer engagement
    owner: Jenny
    key_results:
      - id: tickets
        title: Tier-1 tickets a week
        start: 100
        target: 50
        checkins:
          - {date: 2026-10-20, value: 90}
  - id: secret
    title: Quiet acquisition
    private: true
    key_results:
      - {id: signed, title: Signed, start: 0, target: 1}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def write(repo: Path, relative: str, text: str) -> None:
    path = repo / "okrs" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def okr_diff(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "diff", *args, "--as-of", AS_OF], cwd=repo,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "company"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "team.yaml", "name: Acme\n")
    write(repo, "support/team.yaml", "name: Support\n")
    write(repo, "support/2026-Q4.yaml", Q4)
    commit(repo, "base")
    return repo


def edit(repo: Path, old: str, new: str, relative: str = "support/2026-Q4.yaml") -> None:
    path = repo / "okrs" / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def text_of(repo: Path, *args: str) -> str:
    done = okr_diff(repo, *args, "--format", "text")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_no_change_is_one_line(repo: Path) -> None:
    assert text_of(repo, "HEAD") == "No changes to OKRs between HEAD and the working tree.\n"


def test_new_objective_and_checkins(repo: Path) -> None:
    edit(repo, "          - {date: 2026-10-20, value: 90}\n",
         "          - {date: 2026-10-20, value: 90}\n"
         "          - {date: 2026-11-20, value: 72, confidence: 0.8, note: Academy links everywhere.}\n")
    write(repo, "support/2026-Q4.yaml", (repo / "okrs/support/2026-Q4.yaml").read_text() + (
        "  - id: academy\n"
        "    title: Launch the self-service academy\n"
        "    key_results:\n"
        "      - {id: modules, title: Modules published, start: 0, target: 12,"
        " checkins: [{date: 2026-11-21, value: 5}]}\n"))
    head = commit(repo, "check-ins and a new objective")
    # tickets: 100 -> 50 at 90 is 20%, at 72 is 56%; expected on 28 Nov is 59/92 = 64%: at risk -> on track
    assert text_of(repo, "HEAD~1", head).splitlines() == [
        "OKR changes: 2 check-ins, 1 new objective",
        "",
        "2026-Q4 · Support",
        "",
        "- Check-in — Tier-1 tickets a week: 72 (20% → 56%) on 2026-11-20, off track → on track, confidence 80% "
        "— Academy links everywhere.",
        "- New objective: Launch the self-service academy",
        "- Check-in — Modules published: 5 (42%) on 2026-11-21, at risk",
        "",
        f"HEAD~1 → {head} · numbers as of 2026-11-28",
    ]


def test_moved_target_rename_owner_and_score(repo: Path) -> None:
    edit(repo, "        target: 50\n", "        target: 70\n")
    edit(repo, "    title: Improve customer engagement\n    owner: Jenny\n",
         "    title: Engage customers where they are\n    owner: Sam\n    score: 0.9\n")
    commit(repo, "goalposts")
    assert text_of(repo, "HEAD~1", "HEAD").split("\n\n")[:4] == [
        "OKR changes: 1 objective renamed, 1 owner changed, 1 target moved, 1 score set by hand",
        "Look twice: score set by hand in Support · 2026-Q4; target moved in Support · 2026-Q4",
        "2026-Q4 · Support",
        "- Objective renamed: Improve customer engagement → Engage customers where they are\n"
        "- Owner changed — Engage customers where they are: Jenny → Sam\n"
        "- ⚠ Score set by hand — Engage customers where they are: — → 0.9\n"
        "- ⚠ Target moved after the period began — Tier-1 tickets a week: 50 → 70",
    ]


def test_deletion_backdating_and_removed_checkins(repo: Path) -> None:
    edit(repo, "          - {date: 2026-10-20, value: 90}\n",
         "          - {date: 2026-10-20, value: 90}\n          - {date: 2026-10-10, value: 95}\n")
    commit(repo, "late check-in")
    assert "- ⚠ Back-dated check-in — Tier-1 tickets a week: dated 2026-10-10, before the latest one (2026-10-20)" \
        in text_of(repo, "HEAD~1", "HEAD")
    (repo / "okrs" / "support" / "2026-Q4.yaml").write_text("objectives:\n  - {id: other, title: Other, "
                                                             "progress_from: aligned}\n")
    commit(repo, "rewrite")
    out = text_of(repo, "HEAD~1", "HEAD")
    assert out.startswith("OKR changes: 1 new objective, 1 objective removed\n")
    assert "- Objective removed: Improve customer engagement" in out
    assert "Quiet acquisition" not in out and "secret" not in out


def test_a_private_objective_made_public_is_flagged(repo: Path) -> None:
    edit(repo, "    private: true\n", "")
    commit(repo, "announce")
    out = text_of(repo, "HEAD~1", "HEAD")
    assert out.startswith("OKR changes: 1 private objective made public\n")
    assert "- ⚠ Private objective made public: Quiet acquisition" in out


def test_private_changes_never_show(repo: Path) -> None:
    edit(repo, "      - {id: signed, title: Signed, start: 0, target: 1}\n",
         "      - {id: signed, title: Signed, start: 0, target: 1, checkins: [{date: 2026-11-20, value: 1}]}\n")
    commit(repo, "private progress")
    assert text_of(repo, "HEAD~1", "HEAD").startswith("No changes to OKRs")
    private = okr_diff(repo, "HEAD~1", "HEAD", "--include-private", "--format", "json")
    assert json.loads(private.stdout)["headline"] == "1 check-in"


def test_errors_in_head_come_first(repo: Path) -> None:
    edit(repo, "        target: 50\n", "        tagret: 50\n")
    done = okr_diff(repo, "HEAD", "--format", "markdown")
    assert done.returncode == 1
    assert done.stdout.splitlines()[:4] == [
        "<!-- okr-diff -->",
        "### OKR check failed: 2 errors in the working tree",
        "",
        "- okrs/support/2026\\-Q4\\.yaml&#58;6&#58;9 **missing\\-key**: key result has &apos;start&apos; but no "
        "&apos;target&apos;: add the value to reach",
    ]


def test_a_base_with_errors_is_said_before_a_diff_against_nothing(repo: Path) -> None:
    edit(repo, "        target: 50\n", "        tagret: 50\n")
    commit(repo, "broken")
    edit(repo, "        tagret: 50\n", "        target: 50\n")
    commit(repo, "mended")
    lines = text_of(repo, "HEAD~1", "HEAD").splitlines()
    assert lines[:5] == [
        "HEAD~1 has 2 errors, so it is read as an empty tree: everything in HEAD shows as new.",
        "- okrs/support/2026-Q4.yaml:6:9 missing-key: key result has 'start' but no 'target': add the value to reach",
        "- okrs/support/2026-Q4.yaml:9:9 unknown-key: unknown key 'tagret' in key result (did you mean 'target'?)",
        "",
        "OKR changes: 1 check-in, 1 new objective"]
    data = json.loads(okr_diff(repo, "HEAD~1", "HEAD", "--format", "json").stdout)
    assert [(e["file"], e["line"], e["code"]) for e in data["base_errors"]] == [
        ("okrs/support/2026-Q4.yaml", 6, "missing-key"), ("okrs/support/2026-Q4.yaml", 9, "unknown-key")]


def test_a_first_change_that_adds_the_okr_folder_is_all_new_without_a_warning(tmp_path: Path) -> None:
    repo = tmp_path / "company"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("OKRs to come\n", encoding="utf-8")
    commit(repo, "start")
    write(repo, "team.yaml", "name: Acme\n")
    write(repo, "support/team.yaml", "name: Support\n")
    write(repo, "support/2026-Q4.yaml", Q4)
    commit(repo, "okrs")
    assert text_of(repo, "HEAD~1", "HEAD").startswith("OKR changes: 1 check-in, 1 new objective\n")


def test_markdown_for_a_pull_request_comment(repo: Path) -> None:
    edit(repo, "    title: Improve customer engagement\n", "    title: Improve <b>engagement</b> | *now*\n")
    commit(repo, "rename")
    done = okr_diff(repo, "HEAD~1", "HEAD")
    assert done.returncode == 0
    assert done.stdout.startswith("<!-- okr-diff -->\n### OKR changes: 1 objective renamed\n")
    assert ("- **Objective renamed:** Improve customer engagement → Improve &lt;b&gt;engagement&lt;/b&gt; \\| "
            "\\*now\\*") in done.stdout


def test_json_structure(repo: Path) -> None:
    edit(repo, "          - {date: 2026-10-20, value: 90}\n",
         "          - {date: 2026-10-20, value: 90}\n          - {date: 2026-11-20, value: 72}\n")
    data = json.loads(okr_diff(repo, "HEAD", "--format", "json").stdout)
    assert data["headline"] == "1 check-in"
    (change,) = data["changes"]
    assert change == {
        "kind": "check-in", "flagged": False, "team": "support", "period": "2026-Q4",
        "objective": "Improve customer engagement", "ref": "support/2026-Q4/engagement",
        "key_result": "Tier-1 tickets a week", "before": None, "after": None,
        "checkin": {"date": "2026-11-20", "value": 72.0, "confidence": None, "status": None, "note": "", "by": None},
        "progress_before": 0.2, "progress_after": pytest.approx(0.56), "status_before": "off_track",
        "status_after": "on_track"}


def test_a_bad_revision_is_a_usage_error(repo: Path) -> None:
    done = okr_diff(repo, "no-such-branch")
    assert done.returncode == 2
    assert done.stderr.startswith("okr diff: 'no-such-branch' is not a commit")
    assert "Traceback" not in done.stderr


def test_trees_are_read_from_git_objects_not_the_checkout(repo: Path) -> None:
    edit(repo, "    title: Improve customer engagement\n", "    title: Committed title\n")
    commit(repo, "committed")
    edit(repo, "    title: Committed title\n", "    title: Uncommitted title\n")
    assert "Committed title" in text_of(repo, "HEAD~1", "HEAD")
    assert "Uncommitted title" not in text_of(repo, "HEAD~1", "HEAD")


def test_a_second_revision_reads_only_the_files_the_first_did_not_have(repo: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    edit(repo, "    title: Improve customer engagement\n", "    title: Renamed\n")
    commit(repo, "renamed")
    asked: list[list[str]] = []
    original = gitread._blobs

    def counted(where: Path, shas: list[str]) -> dict[str, bytes]:
        asked.append(shas)
        return original(where, shas)

    monkeypatch.setattr(gitread, "_blobs", counted)
    blobs = gitread.BlobStore(repo)
    base = gitread.read_revision(repo, "HEAD~1", "okrs", blobs)
    head = gitread.read_revision(repo, "HEAD", "okrs", blobs)
    assert [len(shas) for shas in asked] == [3, 1]  # three files; one of them changed
    assert [f.path for f in head.files()] == [f.path for f in base.files()]
    assert b"Renamed" in next(f.read() for f in head.files() if f.path.endswith("2026-Q4.yaml"))


def test_an_okr_folder_at_the_top_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "okrs-only"
    (repo / "support").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "team.yaml").write_text("name: Acme\n", encoding="utf-8")
    (repo / "support" / "team.yaml").write_text("name: Support\n", encoding="utf-8")
    (repo / "support" / "2026-Q4.yaml").write_text(textwrap.dedent(Q4), encoding="utf-8")
    commit(repo, "base")
    (repo / "support" / "2026-Q4.yaml").write_text(textwrap.dedent(Q4).replace("value: 90", "value: 80"),
                                                   encoding="utf-8")
    commit(repo, "check-in")
    for where, path in ((repo, "."), (repo / "support", "..")):
        done = subprocess.run([sys.executable, "-m", "generator", "diff", "HEAD~1", "HEAD", "--path", path,
                               "--as-of", AS_OF, "--format", "text"], cwd=where, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith("OKR changes: 1 check-in, 1 check-in removed")
