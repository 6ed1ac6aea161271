"""``okr diff`` reads only the files that changed and those they align to, when a check before found
HEAD without errors, and says exactly what reading both trees whole says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import checkcache, diffscope, gitread
from generator.build import checked
from generator.gitread import read_revision
from generator.load import SourceTree, printable, read_files
from generator.modelcache import ModelCache
from generator.parsecache import ParseCache
from generator.validate import Validation
from tests.test_diff import AS_OF, commit, git

EXAMPLE = Path(__file__).parent.parent / "okrs"
SUPPORT_Q4 = "okrs/customer-experience/support/2026-Q4.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example company in a git repository of its own."""
    repo = tmp_path / "company"
    shutil.copytree(EXAMPLE, repo / "okrs")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "base")
    return repo


def _edit(repo: Path, relative: str, old: str, new: str) -> None:
    path = repo / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


Edit = Callable[[Path], None]
CHECKIN: Edit = lambda r: _edit(r, SUPPORT_Q4, "          - {date: 2026-11-18, value: 26,",  # noqa: E731
                                "          - {date: 2026-11-25, value: 27, confidence: 0.9}\n"
                                "          - {date: 2026-11-18, value: 26,")
NARROWED: dict[str, Edit] = {
    "check-in": CHECKIN,
    "title": lambda r: _edit(r, SUPPORT_Q4, "title: Upsell to VIP customers", "title: Sell more to VIP customers"),
    "target moved": lambda r: _edit(r, SUPPORT_Q4, "        target: 30\n", "        target: 28\n"),
    "team renamed": lambda r: _edit(r, "okrs/customer-experience/support/team.yaml", "name:", "name: Renamed"),
    "private target": lambda r: _edit(r, "okrs/marketing/content/2026-Q4.yaml", "value: 50}", "value: 60}"),
}
WHOLE: dict[str, Edit] = {
    "objective added": lambda r: _edit(r, SUPPORT_Q4, "  - id: vip-sales\n",
                                       "  - id: new-one\n    title: New\n    key_results:\n"
                                       "      - {id: k, title: K, start: 0, target: 1}\n  - id: vip-sales\n"),
    "key result id": lambda r: _edit(r, SUPPORT_Q4, "id: vip-upsell", "id: vip-upsell-2"),
    "made public": lambda r: _edit(r, "okrs/marketing/content/2026-Q4.yaml", "    private: true\n", ""),
    "file added": lambda r: (r / "okrs/customer-experience/support/2027-Q1.yaml").write_text(
        "objectives:\n  - id: later\n    title: Later\n    key_results:\n"
        "      - {id: k, title: K, start: 0, target: 1}\n",
        encoding="utf-8"),
    "company settings": lambda r: _edit(r, "okrs/team.yaml", "name:", "name: Renamed"),
    "people": lambda r: (r / "okrs/people.yaml").write_text(
        (r / "okrs/people.yaml").read_text(encoding="utf-8") + "new-person: {name: New Person}\n", encoding="utf-8"),
}
ALIGNMENT: Edit = lambda r: _edit(r, SUPPORT_Q4, "      - customer-experience/one-view\n", "")  # noqa: E731
"""Its only link to that team: the base side's reaches a period the head side's does not."""


def _committed(repo: Path, edit: Edit) -> None:
    edit(repo)
    commit(repo, "edit")


def _diff(repo: Path, cache: str, *args: str, exit_code: int = 0) -> str:
    done = subprocess.run([sys.executable, "-m", "generator", "diff", "HEAD~1", "HEAD", "--as-of", AS_OF,
                           "--format", "json", *args], cwd=repo, capture_output=True, text=True, check=False,
                          env={**os.environ, "OKR_CACHE_DIR": cache})
    assert done.returncode == exit_code, done.stderr
    return done.stdout


def _validated_entries(cache: Path) -> int:
    return sum(1 for _ in (cache / "validated").rglob("*.json"))


def _narrowed_run(repo: Path, cache: Path, *args: str) -> tuple[str, int]:
    """A diff with HEAD's check kept from a run before, its files' caches emptied: what it writes in them
    again is what it read."""
    shutil.rmtree(cache / "validated")
    shutil.rmtree(cache / "parsed")
    return _diff(repo, str(cache), *args), _validated_entries(cache)


PERIOD_FILES = sum(1 for path in EXAMPLE.rglob("20*.yaml"))


@pytest.mark.parametrize("name", [*NARROWED, *WHOLE])
def test_the_diff_is_the_same_read_whole_or_narrowed(repo: Path, tmp_path: Path, name: str) -> None:
    _committed(repo, {**NARROWED, **WHOLE}[name])
    whole = _diff(repo, "off")
    cache = tmp_path / "cache"
    assert _diff(repo, str(cache)) == whole  # reads both whole, keeps HEAD's check
    again, read = _narrowed_run(repo, cache)
    assert again == whole
    if name in NARROWED:
        assert read < PERIOD_FILES / 2 and (read == 0) == (name == "team renamed")  # its period files are alike
    else:
        assert read >= PERIOD_FILES


def test_a_second_file_for_one_period_is_refused_read_whole_or_narrowed(repo: Path, tmp_path: Path) -> None:
    # Digits of another script once named a period a second time, and the narrowed diff saw only one file.
    twin = "okrs/customer-experience/support/\uff12\uff10\uff12\uff16-Q4.yaml"
    (repo / twin).write_text((repo / SUPPORT_Q4).read_text(encoding="utf-8").replace("target: 30", "target: 31"),
                             encoding="utf-8")
    commit(repo, "twin")
    _edit(repo, SUPPORT_Q4, "        target: 30\n", "        target: 28\n")
    commit(repo, "edit")
    whole = _diff(repo, "off", exit_code=1)
    assert f'"file": "{twin}"' in whole and '"code": "unknown-file"' in whole
    cache = tmp_path / "cache"
    assert _diff(repo, str(cache), exit_code=1) == whole
    assert _diff(repo, str(cache), exit_code=1) == whole


def test_private_content_is_narrowed_alike(repo: Path, tmp_path: Path) -> None:
    _committed(repo, NARROWED["private target"])
    whole = _diff(repo, "off", "--include-private")
    cache = tmp_path / "cache"
    _diff(repo, str(cache), "--include-private")
    again, read = _narrowed_run(repo, cache, "--include-private")
    assert again == whole
    assert "2026-11-10" in whole and read < PERIOD_FILES / 2


def test_changed_alignments_are_narrowed(repo: Path, tmp_path: Path) -> None:
    _committed(repo, ALIGNMENT)
    whole = _diff(repo, "off")
    cache = tmp_path / "cache"
    assert _diff(repo, str(cache)) == whole
    again, read = _narrowed_run(repo, cache)
    assert again == whole and "alignment removed" in whole
    assert read < PERIOD_FILES / 2


def test_the_narrowed_trees_hold_the_changed_file_and_the_periods_it_may_align_to(repo: Path) -> None:
    _committed(repo, CHECKIN)
    base, head = _trees(repo)
    narrowed = _narrowed(base, head)
    assert narrowed is not None
    kept = [[file.path for folder in tree.folders for _, file in folder.period_files] for tree in narrowed]
    # its alignments: company/delight-holidays and company/basket-size (looked for in 2026-Q4, then in
    # 2026-H2 and 2026, which the company has), customer-experience/one-view; theirs in turn point to the company
    expected = ["okrs/2026.yaml", "okrs/2026-Q4.yaml", "okrs/customer-experience/2026-Q4.yaml", SUPPORT_Q4]
    assert kept == [expected, expected]
    team_files = [folder.team_file.path for folder in narrowed[1].folders if folder.team_file is not None]
    assert team_files == ["okrs/team.yaml", "okrs/customer-experience/team.yaml",
                          "okrs/customer-experience/support/team.yaml"]
    assert [folder.relative_path for folder in narrowed[1].folders] == [folder.relative_path for folder in head.folders]


def test_a_base_side_with_errors_in_a_changed_file_is_read_whole(repo: Path) -> None:
    _edit(repo, SUPPORT_Q4, "        target: 30\n", "        target: thirty\n")
    commit(repo, "broken")
    _committed(repo, lambda r: _edit(r, SUPPORT_Q4, "        target: thirty\n", "        target: 30\n"))
    base, head = _trees(repo)
    assert _narrowed(base, head) is None


def _trees(repo: Path) -> tuple[SourceTree, SourceTree]:
    blobs = gitread.BlobStore(repo)
    return read_revision(repo, "HEAD~1", "okrs", blobs), read_revision(repo, "HEAD", "okrs", blobs)


def _narrowed(base: SourceTree, head: SourceTree) -> tuple[SourceTree, SourceTree] | None:
    cache, reuse = ParseCache(None), ModelCache(None)
    return diffscope.narrowed(base, head, lambda tree, cross_file: checked(tree, cache, reuse=reuse,
                                                                            cross_file=cross_file))


def test_an_objective_made_public_changes_the_files_that_align_to_it(repo: Path, tmp_path: Path) -> None:
    """Their alignments stop being restricted: the diff must read them too, so it reads everything."""
    _committed(repo, lambda r: _edit(r, "okrs/stores-moscow/2026-Q4.yaml", "    aligned_to: company/delight-holidays\n",
                                     "    aligned_to: [company/delight-holidays, content/rebrand-2027]\n"))
    _committed(repo, WHOLE["made public"])
    whole = _diff(repo, "off")
    assert '"a restricted objective"' in whole  # the moscow store's alignment, before
    cache = tmp_path / "cache"
    _diff(repo, str(cache))
    again, read = _narrowed_run(repo, cache)
    assert again == whole and read >= PERIOD_FILES


def test_a_base_side_with_a_cycle_through_unchanged_files_is_read_whole(repo: Path, tmp_path: Path) -> None:
    """HEAD breaks the circle in the one file it changes: what the changed file aligns to leads round it."""
    _committed(repo, lambda r: _edit(r, "okrs/customer-experience/2026-Q4.yaml",
                                     "    aligned_to: company/delight-holidays\n",
                                     "    aligned_to: [company/delight-holidays, support/engagement]\n"))
    _committed(repo, ALIGNMENT)
    whole = _diff(repo, "off")
    assert "objective added" in whole  # the base side does not validate: everything in HEAD is new
    cache = tmp_path / "cache"
    _diff(repo, str(cache))
    again, read = _narrowed_run(repo, cache)
    assert again == whole and read >= PERIOD_FILES


def test_a_check_of_the_working_tree_first_narrows_the_diff_as_in_ci(repo: Path, tmp_path: Path) -> None:
    """The pull-request workflow checks the checked-out HEAD, then diffs the base against it."""
    _committed(repo, CHECKIN)
    cache = tmp_path / "cache"
    checked_first = subprocess.run([sys.executable, "-m", "generator", "check", "okrs"], cwd=repo, capture_output=True,
                                   text=True, check=False, env={**os.environ, "OKR_CACHE_DIR": str(cache)})
    assert checked_first.returncode == 0, checked_first.stderr
    again, read = _narrowed_run(repo, cache)
    assert again == _diff(repo, "off") and "2026-11-25" in again
    assert 0 < read < PERIOD_FILES / 2


def test_a_diff_after_another_of_the_same_head_knows_it_by_gits_id_of_the_folder(repo: Path, tmp_path: Path) -> None:
    """The check's outcome is found by the bytes of every file once; then by the folder's tree id, unread."""
    _committed(repo, CHECKIN)
    cache = tmp_path / "cache"
    _diff(repo, str(cache))
    tree = git(repo, "rev-parse", "HEAD:okrs").strip()
    by_tree = cache / "check" / f"{checkcache.tree_key('okrs', tree)}.json"
    assert by_tree.is_file()
    for entry in (cache / "check").iterdir():
        if entry != by_tree:
            entry.unlink()
    again, read = _narrowed_run(repo, cache)
    assert again == _diff(repo, "off")
    assert 0 < read < PERIOD_FILES / 2


def test_a_narrowed_diff_reads_from_git_only_the_files_it_validates(repo: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _committed(repo, CHECKIN)
    read: list[str] = []
    original = gitread._blobs

    def counted(where: Path, shas: list[str]) -> dict[str, bytes]:
        read.extend(shas)
        return original(where, shas)

    monkeypatch.setattr(gitread, "_blobs", counted)
    blobs = gitread.BlobStore(repo)
    base, head = (read_files(blobs.files(gitread.list_revision(repo, revision, "okrs")), "okrs")
                  for revision in ("HEAD~1", "HEAD"))
    cache, reuse = ParseCache(None), ModelCache(None)

    def check(tree: SourceTree, cross_file: bool) -> Validation:
        blobs.fetch_tree(tree)
        return checked(tree, cache, reuse=reuse, cross_file=cross_file)

    narrowed = diffscope.narrowed(base, head, check, gitread.same_content)
    assert narrowed is not None
    assert all(check(tree, True).company is not None for tree in narrowed)
    files_kept = {file.read.sha for tree in narrowed for file in tree.files() if isinstance(file.read, gitread.Blob)}
    assert set(read) == files_kept and len(read) == len(files_kept)  # each once, and no other
    assert len(read) < len(list(head.files())) / 2


def _check(repo: Path, cache: Path) -> int:
    return subprocess.run([sys.executable, "-m", "generator", "check", "okrs"], cwd=repo, capture_output=True,
                          check=False, env={**os.environ, "OKR_CACHE_DIR": str(cache)}).returncode


def test_a_check_of_a_clean_checkout_is_kept_under_gits_id_of_the_folder(repo: Path, tmp_path: Path) -> None:
    """Only when the files are exactly HEAD's: an uncommitted edit, or a file git does not have, is not HEAD."""
    tree = git(repo, "rev-parse", "HEAD:okrs").strip()
    by_tree = tmp_path / "cache" / "check" / f"{checkcache.tree_key('okrs', tree)}.json"
    for change in (lambda: CHECKIN(repo), lambda: (repo / "okrs" / "notes.txt").write_text("x", encoding="utf-8")):
        change()
        _check(repo, tmp_path / "cache")
        assert not by_tree.exists()
        git(repo, "checkout", "-q", "--", ".")
        git(repo, "clean", "-qfd")
    (repo / "okrs" / ".editor-settings").write_text("hidden files are not part of a tree", encoding="utf-8")
    assert _check(repo, tmp_path / "cache") == 0
    assert by_tree.is_file()


def test_a_folder_git_holds_only_a_hidden_file_in_is_part_of_the_checkout(repo: Path, tmp_path: Path) -> None:
    """git's HEAD has a team folder with only ``.gitkeep`` (an error); the disk, without it, has none."""
    (repo / "okrs" / "marketing" / "events").mkdir()
    (repo / "okrs" / "marketing" / "events" / ".gitkeep").write_text("", encoding="utf-8")
    commit(repo, "a folder for a team to come")
    tree = git(repo, "rev-parse", "HEAD:okrs").strip()
    by_tree = tmp_path / "cache" / "check" / f"{checkcache.tree_key('okrs', tree)}.json"
    shutil.rmtree(repo / "okrs" / "marketing" / "events")
    assert _check(repo, tmp_path / "cache") == 0
    assert not by_tree.exists()
    git(repo, "checkout", "-q", "--", ".")
    assert _check(repo, tmp_path / "cache") == 1
    assert by_tree.is_file()


def test_a_folder_named_in_bytes_that_are_not_utf8_is_checked_and_compared(repo: Path, tmp_path: Path) -> None:
    folder = os.fsdecode(b"okr\xff")
    (repo / "okrs").rename(repo / folder)
    commit(repo, "moved")
    cache = {**os.environ, "OKR_CACHE_DIR": str(tmp_path / "cache")}
    checked_run = subprocess.run([sys.executable, "-m", "generator", "check", folder], cwd=repo, capture_output=True,
                                 check=False, env=cache)
    assert checked_run.returncode == 0, checked_run.stderr
    tree = git(repo, "rev-parse", f"HEAD:{folder}").strip()
    assert (tmp_path / "cache" / "check" / f"{checkcache.tree_key(printable(folder), tree)}.json").is_file()
    _edit(repo, f"{folder}/customer-experience/support/2026-Q4.yaml", "        target: 30\n", "        target: 28\n")
    commit(repo, "edit")
    for env in (cache, {**os.environ, "OKR_CACHE_DIR": "off"}):
        diffed = subprocess.run([sys.executable, "-m", "generator", "diff", "HEAD~1", "HEAD", "--path", folder,
                                 "--as-of", AS_OF, "--format", "json"], cwd=repo, capture_output=True, check=False,
                                env=env)
        assert diffed.returncode == 0, diffed.stderr
        assert b'"headline": "1 target moved"' in diffed.stdout and b'"after": "28"' in diffed.stdout


@pytest.mark.parametrize("cache", ["off", "kept"])
def test_a_file_git_does_not_have_is_reported_with_its_path(repo: Path, tmp_path: Path, cache: str) -> None:
    """As in a shallow clone: the object of BASE's version of a file is gone."""
    old = git(repo, "rev-parse", f"HEAD:{SUPPORT_Q4}").strip()
    _committed(repo, NARROWED["target moved"])
    if cache == "kept":
        _check(repo, tmp_path / "cache")
    (repo / ".git" / "objects" / old[:2] / old[2:]).unlink()
    done = subprocess.run([sys.executable, "-m", "generator", "diff", "HEAD~1", "HEAD", "--as-of", AS_OF,
                           "--format", "text"], cwd=repo, capture_output=True, text=True, check=False,
                          env={**os.environ, "OKR_CACHE_DIR": str(tmp_path / "cache") if cache == "kept" else "off"})
    assert "internal error" not in done.stderr
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("HEAD~1 has 2 errors, so it is read as an empty tree: everything in HEAD shows as "
                                  f"new.\n- {SUPPORT_Q4}:1:1 unreadable: cannot read the file: git could not read it: "
                                  f"git has no object {old}: in a shallow or partial clone, fetch the commits compared")
