"""``okr check`` as a user runs it: exit codes, formats, strictness, and never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from tests.helpers import write_tree

REPO = Path(__file__).resolve().parent.parent
WARNING_TREE = {"2026.yaml": "objectives:\n  - id: a\n    title: A\n    key_results:\n"
                             "      - {title: K, start: 0, target: 1, checkins: [{date: 2025-05-01, value: 1}]}\n"}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_clean_tree_prints_a_summary_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", str(REPO / "okrs")], capsys)
    assert (code, err) == (0, "")
    assert out == f"{REPO / 'okrs'}: 8 teams, 13 period files, 19 objectives, 29 key results; no problems\n"


def test_errors_exit_1_with_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"team.yaml": "name: A\nnmae: B\n", "x/team.yaml": "name: [\n"})
    code, out, err = run(["check", str(tmp_path)], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"{tmp_path}/team.yaml:2:1: error[unknown-key]: unknown key 'nmae' in team file (did you mean 'name'?)",
        f"{tmp_path}/x/team.yaml:2:1: error[yaml-syntax]: while parsing a flow node did not find expected node "
        "content"]
    assert err == f"{tmp_path}: 2 errors, 0 warnings\n"


def test_warnings_pass_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, WARNING_TREE)
    code, out, err = run(["check", str(tmp_path)], capsys)
    assert code == 0
    assert ": warning[checkin-outside-period]:" in out
    assert "1 warning" in err
    code, out, _ = run(["check", str(tmp_path), "--strict"], capsys)
    assert code == 1
    assert ": error[checkin-outside-period]:" in out


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, WARNING_TREE)
    code, out, err = run(["check", str(tmp_path), "--format", "json"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out) == [{
        "file": f"{tmp_path}/2026.yaml", "line": 5, "column": 59, "severity": "warning",
        "code": "checkin-outside-period",
        "message": "check-in dated 2025-05-01 is outside 2026 (2026-01-01 to 2026-12-31)"}]


def test_json_of_a_clean_tree_is_an_empty_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(REPO / "okrs"), "--format", "json"], capsys)
    assert (code, json.loads(out)) == (0, [])


@pytest.mark.parametrize("output_format", ["text", "json", "github", "gitlab"])
def test_names_that_are_not_utf8_are_shown_not_a_crash(tmp_path: Path, output_format: str) -> None:
    """Such bytes come from the disk as surrogate escapes, which no output takes; they show as U+FFFD."""
    root = tmp_path / os.fsdecode(b"okr\xff")
    write_tree(root, {"team.yaml": "name: A\n", os.fsdecode(b"caf\xe9/team.yaml"): "name: B\n"})
    done = subprocess.run([sys.executable, "-m", "generator", "check", os.fsdecode(b"okr\xff"), "--format",
                           output_format], cwd=tmp_path, capture_output=True, check=False,
                          env={**os.environ, "OKR_CACHE_DIR": str(tmp_path / "cache"), "PYTHONIOENCODING": "utf-8"})
    assert (done.returncode, b"internal error" in done.stderr) == (1, False), done.stderr
    assert "okr\ufffd/caf\ufffd".encode() in done.stdout
    assert "team folder 'caf\ufffd' is not a valid id".encode() in done.stdout


@pytest.mark.parametrize("args", [["check", "/no/such/folder"], ["check", "--format", "xml"], ["frobnicate"], []])
def test_bad_usage_exits_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        raise SystemExit(main(args))
    assert exited.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_the_console_script_and_module_run(tmp_path: Path) -> None:
    write_tree(tmp_path, {"team.yaml": "name: &a A\n"})
    for command in ([str(Path(sys.executable).parent / "okr")], [sys.executable, "-m", "generator"]):
        done = subprocess.run([*command, "check", str(tmp_path)], capture_output=True, text=True, check=False)
        assert done.returncode == 1
        assert done.stdout == f"{tmp_path}/team.yaml:1:7: error[yaml-anchor]: anchor '&a' is not allowed: write " \
                              "each value out in full\n"
        assert "Traceback" not in done.stderr


def test_an_internal_error_is_one_line_without_traceback(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    def explode(*_: object) -> None:
        raise RuntimeError("boom")
    monkeypatch.setattr("generator.cli.checked", explode)
    monkeypatch.delenv("OKR_DEBUG", raising=False)
    code, _, err = run(["check", str(REPO / "okrs")], capsys)
    assert code == 3
    assert err == "okr: internal error: RuntimeError: boom (run with OKR_DEBUG=1 for details, and please report it)\n"
    assert os.environ.get("OKR_DEBUG") is None


def test_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    import shutil
    if shutil.which("script") is None:
        pytest.fail("util-linux's script is needed to run a command on a terminal")
    command = f"{sys.executable} -m generator check {REPO / 'okrs'}"
    on_terminal = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True, text=True,
                                 check=False, env={**os.environ, "TERM": "xterm", "COLUMNS": "120"})
    assert on_terminal.returncode == 0
    assert "okr check" in on_terminal.stdout  # the bar, drawn and then cleared
    piped = subprocess.run(command.split(), capture_output=True, text=True, check=False)
    assert "okr check" not in piped.stdout + piped.stderr
