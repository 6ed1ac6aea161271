"""The ``okr check`` cache: used only when nothing changed, and never trusted when damaged."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator import checkcache
from generator.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def okrs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "okrs", tmp_path / "okrs")
    monkeypatch.setenv("OKR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "okrs"


def _explode(*_: object) -> None:
    raise AssertionError("the tree was read again")


def test_an_unchanged_tree_is_answered_from_the_cache(okrs: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "okrs"]) == 0
    first = capsys.readouterr().out
    assert len(list((okrs.parent / "cache" / "check").glob("*.json"))) == 1
    monkeypatch.setattr("generator.cli.read_tree", _explode)
    assert main(["check", "okrs"]) == 0
    assert capsys.readouterr().out == first
    assert main(["check", "okrs", "--strict", "--format", "json"]) == 0
    assert capsys.readouterr().out == "[]\n"


def test_a_changed_file_is_checked_again(okrs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "okrs"]) == 0
    team = okrs / "marketing" / "team.yaml"
    team.write_text(team.read_text() + "nmae: typo\n")
    assert main(["check", "okrs"]) == 1
    assert "unknown key 'nmae' in team file (did you mean 'name'?)" in capsys.readouterr().out
    assert main(["check", "okrs"]) == 1  # the failing outcome is cached too, with its problems
    assert "unknown key 'nmae'" in capsys.readouterr().out


@pytest.mark.parametrize("inside", [[], [".gitkeep"]])
def test_a_new_folder_without_files_is_checked_again(okrs: Path, capsys: pytest.CaptureFixture[str],
                                                     inside: list[str]) -> None:
    """A folder is a team even with no file git or the check would read in it: it needs a team file."""
    assert main(["check", "okrs"]) == 0
    (okrs / "marketing" / "events").mkdir()
    for name in inside:
        (okrs / "marketing" / "events" / name).write_text("", encoding="utf-8")
    assert main(["check", "okrs"]) == 1
    assert "okrs/marketing/events/team.yaml:1:1: error[missing-team-file]" in capsys.readouterr().out


def test_an_entry_that_is_neither_file_nor_folder_is_checked_again(okrs: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "okrs"]) == 0
    os.mkfifo(okrs / "pipe")
    assert main(["check", "okrs"]) == 1
    assert "okrs/pipe:1:1: error[unknown-file]: not a regular file: remove it" in capsys.readouterr().out
    (okrs / "pipe").unlink()
    assert main(["check", "okrs"]) == 0


def test_a_damaged_cache_entry_is_ignored(okrs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "okrs"]) == 0
    expected = capsys.readouterr().out
    (entry,) = (okrs.parent / "cache" / "check").glob("*.json")
    entry.write_text('{"format": 1, "key": "not this one", "problems": [], "summary": "forged"}')
    assert main(["check", "okrs"]) == 0
    assert capsys.readouterr().out == expected
    entry.write_text("{broken")
    assert main(["check", "okrs"]) == 0
    assert capsys.readouterr().out == expected


def test_the_cache_can_be_turned_off(okrs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKR_CACHE_DIR", "off")
    assert main(["check", "okrs"]) == 0
    assert not (okrs.parent / "cache").exists()
    assert main(["check", "okrs", "--no-cache"]) == 0


def _unreadable(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make one file unreadable (tests run as root, who can read a file whatever its mode)."""
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == name:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_an_unreadable_file_is_reported_as_with_no_cache(okrs: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    _unreadable(monkeypatch, "2026-Q3.yaml")
    assert main(["check", "okrs"]) == 1
    out = capsys.readouterr().out
    assert "okrs/2026-Q3.yaml:1:1: error[unreadable]: cannot read the file: Permission denied" in out
    assert not (okrs.parent / "cache" / "check").exists()  # parsed files may be kept; the outcome is not


def test_an_unreadable_file_stops_an_edit_cleanly(okrs: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _unreadable(monkeypatch, "2026-Q3.yaml")
    assert main(["checkin", "support/engagement/academy", "6", "--path", "okrs", "--date", "2026-11-28"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("okr checkin: cannot read ") and "2026-Q3.yaml: Permission denied; nothing was written" in err


def test_the_key_holds_the_checkers_code_and_every_name() -> None:
    """Another checker's outcome is not this one's; a name that is not UTF-8 (as a disk or git may give) is kept."""
    files: dict[str, bytes | None] = {"team.yaml": b"name: Acme\n", "caf\udce9/team.yaml": b"name: Cafe\n"}
    mine = checkcache.key("okrs", files)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checkcache, "validator_version", lambda: "another checker")
        assert checkcache.key("okrs", files) != mine
    assert checkcache.key("okrs", {**files, "caf\udce9/team.yaml": b"name: Caf\n"}) != mine
    assert checkcache.key("caf\udce9", files) != checkcache.key("caf\udce8", files)
    assert checkcache.tree_key("caf\udce9", "a" * 40) != checkcache.tree_key("caf\udce8", "a" * 40)
