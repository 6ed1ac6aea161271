"""The parse cache and the parallel parse: the same documents as a plain parse, from JSON that can
only describe YAML nodes; damaged entries are ignored, never trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import load, parsecache
from generator.build import checked
from generator.load import SourceFile, parse_yaml, read_files, read_tree
from generator.parsecache import ParseCache, decode, encode, parsing
from generator.validate import Reuse, validate

REPO = Path(__file__).resolve().parent.parent
AWKWARD = {
    "plain.yaml": b"name: Caf\xc3\xa9 \xe2\x80\x94 \"quoted\"\nlist: [1, 2.5, true, null, 2026-01-02, '7']\n"
                  b"nested:\n  - a: {b: ~}\n  - |\n    block\n    text\n",
    "duplicate.yaml": b"a: 1\na: 2\n",
    "syntax.yaml": b"a: [1, 2\n",
    "alias.yaml": b"a: &x 1\nb: *x\n",
    "keys.yaml": b"1: one\n? [a]\n: b\n<<: {c: 1}\n",
    "empty.yaml": b"",
    "bad-utf8.yaml": b"a: \xff\n",
}


def _example_files() -> dict[str, bytes]:
    root = REPO / "okrs"
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*.yaml"))}


@pytest.mark.parametrize("name", sorted(AWKWARD))
def test_a_document_comes_back_from_json_exactly_as_parsed(name: str) -> None:
    document = parse_yaml(AWKWARD[name], f"okrs/{name}")
    text = encode(parse_yaml(AWKWARD[name], ""))
    assert decode(text, f"okrs/{name}") == document


def test_every_file_of_the_example_company_comes_back_exactly() -> None:
    for path, data in _example_files().items():
        assert decode(encode(parse_yaml(data, "")), path) == parse_yaml(data, path), path


@pytest.mark.parametrize("damaged", [
    "", "{", "null", "[]", "[2, null, []]", '[1, [1, 1, "x"], []]', '[1, [1, 1, 5, 2], []]',
    '[1, [1, 1, [[1, 1, "k", 2]], -1], []]', '[1, [1, 1, [[1, 1, [], -2], [1, 1, "v", 2]], -1], []]',
    '[1, [1, 1, "x", 99], []]', '[1, [1, 1, [], -7], []]', '[1, ["1", 1, "x", 2], []]',
    '[1, null, [[1, 1, "error", "c"]]]', '[1, null, [[1, 1, "fatal", "c", "m"]]]',
    '[1, null, [[1, 1, "error", 5, "m"]]]', "[1, " * 5000 + "]" * 5000,
])
def test_a_damaged_or_foreign_entry_is_not_a_document(damaged: str) -> None:
    assert decode(damaged, "okrs/team.yaml") is None


def test_a_second_run_reads_parsed_files_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _example_files()
    first = checked(read_files(files, "okrs"), ParseCache(tmp_path))
    entries = list((tmp_path / "parsed").rglob("*.json"))
    assert len(entries) == len(set(files.values()))

    def explode(data: bytes, path: str) -> load.Document:
        raise AssertionError(f"{path} was parsed again")

    monkeypatch.setattr(parsecache, "parse_yaml", explode)
    monkeypatch.setattr(load, "parse_yaml", explode)
    second = checked(read_files(files, "okrs"), ParseCache(tmp_path))
    assert second == first and first.company is not None

    monkeypatch.undo()
    changed = {**files, "team.yaml": files["team.yaml"] + b"nmae: typo\n"}
    third = checked(read_files(changed, "okrs"), ParseCache(tmp_path))
    assert any(p.code == "unknown-key" and p.location.file == "okrs/team.yaml" for p in third.problems)
    assert len(list((tmp_path / "parsed").rglob("*.json"))) == len(entries) + 1


def test_a_damaged_entry_is_parsed_again_and_replaced(tmp_path: Path) -> None:
    files = _example_files()
    expected = validate(read_files(files, "okrs"))
    checked(read_files(files, "okrs"), ParseCache(tmp_path))
    entries = sorted((tmp_path / "parsed").rglob("*.json"))
    first, second, third = (entry.read_text(encoding="utf-8") for entry in entries[:3])
    entries[0].write_text(first[:-10], encoding="utf-8")  # cut short
    checksum = second.partition("\n")[0]
    entries[1].write_text(checksum + "\n" + json.dumps([1, [1, 1, "forged", 2], []]), encoding="utf-8")
    entries[2].write_bytes(b"\xff" + third.encode())
    # validated files are kept too: a fresh Reuse makes this run parse every file again
    assert checked(read_files(files, "okrs"), ParseCache(tmp_path), reuse=Reuse()) == expected
    assert [entry.read_text(encoding="utf-8") for entry in entries[:3]] == [first, second, third]


def test_the_same_content_is_one_entry_whatever_its_path(tmp_path: Path) -> None:
    data = b"objectives:\n  - id: one\n    title: One\n"
    cache = ParseCache(tmp_path)
    files = [SourceFile("a/2026.yaml", lambda: data), SourceFile("b/2026.yaml", lambda: data)]
    with parsing(files, cache) as parse:
        documents = [parse(file) for file in files]
    assert [d.path for d in documents] == ["a/2026.yaml", "b/2026.yaml"]
    assert documents[0].root is not None and documents[0].root.file == "a/2026.yaml"
    assert len(list((tmp_path / "parsed").rglob("*.json"))) == 1


def test_worker_processes_parse_the_same_as_this_one(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parsecache.can_fork(), "the test process must be able to start workers for this test to mean anything"
    monkeypatch.setattr(parsecache, "PARALLEL_FROM", 1)
    tree = read_files({**_example_files(), "sales/2026-Q4.yaml": b"objectives:\n  - id: x\n    title: [\n"}, "okrs")
    serial = validate(tree)
    assert any(p.code == "yaml-syntax" for p in serial.problems)
    assert checked(tree, ParseCache(None)) == serial
    assert checked(read_tree(REPO / "okrs", "okrs"), ParseCache(None)) == validate(read_tree(REPO / "okrs", "okrs"))


def test_files_are_listed_in_the_order_the_validator_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = read_tree(REPO / "okrs", "okrs")
    read: list[str] = []
    validate(tree, parse=lambda file: read.append(file.path) or file.parse())
    assert read == [file.path for file in tree.files()]


def test_a_file_edited_while_it_is_checked_is_kept_under_its_new_content(tmp_path: Path) -> None:
    versions = iter([b"name: Before\n", b"name: After\n"])
    last = [b""]

    def read() -> bytes:
        last[0] = next(versions, last[0])
        return last[0]

    cache = ParseCache(tmp_path)
    with parsing([SourceFile("okrs/team.yaml", read)], cache) as parse:
        document = parse(SourceFile("okrs/team.yaml", read))
    assert isinstance(document.root, load.YamlMapping) and document.root.get("name") is not None
    assert not cache.has(parsecache.key(b"name: Before\n"))
    assert cache.load(parsecache.key(b"name: After\n"), "x") == parse_yaml(b"name: After\n", "x")


def test_workers_start_before_a_progress_bar_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the check draws a progress bar from a thread; the workers must be forked before it."""
    import io

    from generator import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    forkable: list[bool] = []
    can_fork = parsecache.can_fork
    monkeypatch.setattr(parsecache, "can_fork", lambda: forkable.append(can_fork()) or forkable[-1])
    monkeypatch.setattr(parsecache, "PARALLEL_FROM", 1)
    monkeypatch.setattr(cli.sys, "stderr", Terminal())
    assert cli.main(["check", "--no-cache", str(REPO / "okrs")]) == 0
    assert forkable == [True]


def test_workers_stay_a_few_files_ahead_and_stop_with_the_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    monkeypatch.setattr(parsecache, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parsecache, "IN_FLIGHT", 2)
    files = [SourceFile(f"okrs/t{n}/2026.yaml", lambda n=n: b"objectives: []\n# %d\n" % n) for n in range(40)]
    taken: list[str] = []

    def hung(*_: object) -> None:
        raise AssertionError("the pool hung after the validator stopped early")

    assert parsecache.can_fork(), "the test process must be able to start workers for this test to mean anything"
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        with parsing(files, ParseCache(None)) as parse:
            taken.append(parse(files[0]).path)
            taken.append(parse(files[5]).path)  # out of order: the ones before it are held, not lost
            taken.append(parse(files[3]).path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert taken == ["okrs/t0/2026.yaml", "okrs/t5/2026.yaml", "okrs/t3/2026.yaml"]


def test_the_second_side_of_a_diff_validates_only_the_period_files_that_differ(
        monkeypatch: pytest.MonkeyPatch) -> None:
    files = _example_files()
    changed_path = "customer-experience/support/2026-Q4.yaml"
    changed = {**files, changed_path: files[changed_path].replace(b"title: ", b"title: Renamed ", 1)}
    head, base = read_files(changed, "okrs"), read_files(files, "okrs")
    expected_head, expected_base = validate(head), validate(base)
    assert expected_head != expected_base
    reuse = Reuse()
    assert checked(head, ParseCache(None), reuse=reuse) == expected_head
    parsed: list[bytes] = []

    def counted(data: bytes, path: str) -> load.Document:
        parsed.append(data)
        return parse_yaml(data, path)

    monkeypatch.setattr(parsecache, "parse_yaml", counted)
    assert checked(base, ParseCache(None), reuse=reuse) == expected_base
    period_files = [path for path in files if path.rsplit("/", 1)[-1] not in ("team.yaml", "people.yaml")]
    assert files[changed_path] in parsed
    assert len(parsed) == len(files) - len(period_files) + 1  # team files and people, and the one changed period
