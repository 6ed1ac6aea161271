"""The cache of validated period files: the same periods, problems and mentions as validating again,
keyed by everything a period depends on and by the validator's own code; damaged, foreign or
refusable entries are ignored, never trusted."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

from benchmarks import synth
from generator import modelcache
from generator import validate as validate_module
from generator.build import checked
from generator.load import read_files, read_tree
from generator.model import Alignment
from generator.modelcache import ModelCache, decode, encode, entry_key
from generator.parsecache import ParseCache, checksum_of
from generator.periods import PeriodKind, PeriodName
from generator.validate import PeriodKey, Reuse, Validated, validate

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "broken"


class _Recording(Reuse):
    def __init__(self) -> None:
        super().__init__()
        self.added: list[tuple[PeriodKey, Validated]] = []

    def store(self, key: PeriodKey, validated: Validated) -> None:
        self.added.append((key, validated))


def _trees(tmp_path: Path) -> list[Path]:
    synth.generate(6, 2, 3, tmp_path / "synth")
    return [REPO / "okrs", tmp_path / "synth", *sorted(case / "tree" for case in CORPUS.iterdir())]


def _files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*.yaml"))}


def test_every_validated_period_file_comes_back_exactly(tmp_path: Path) -> None:
    seen_problems = seen_nothing = 0
    for root in _trees(tmp_path):
        recording = _Recording()
        checked(read_tree(root, "okrs"), ParseCache(None), reuse=recording)
        assert recording.added, root
        for key, validated in recording.added:
            text = encode(validated, key.path)
            assert text is not None, key
            # repr, not ==: locations are left out of the model's equality, and they must come back too
            assert repr(decode(text, key)) == repr(validated), key
            seen_problems += bool(validated.problems)
            seen_nothing += validated.period is None
    assert seen_problems and seen_nothing, "the trees must include files with problems and unreadable ones"


@pytest.mark.parametrize("case", ["example", "synth", *sorted(p.name for p in CORPUS.iterdir())])
def test_a_check_from_the_cache_is_the_same_check(case: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    synth.generate(6, 2, 3, tmp_path / "synth")
    root = {"example": REPO / "okrs", "synth": tmp_path / "synth"}.get(case, CORPUS / case / "tree")
    tree = read_tree(root, "okrs")
    expected = validate(tree)
    assert checked(tree, ParseCache(tmp_path / "cache")) == expected
    assert list((tmp_path / "cache" / "validated").rglob("*.json"))

    def refuse(*args: object) -> None:
        raise AssertionError("a period file was validated again")

    monkeypatch.setattr(validate_module, "_period", refuse)
    assert checked(read_tree(root, "okrs"), ParseCache(tmp_path / "cache")) == expected


def test_after_an_edit_only_the_edited_file_is_validated_again(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files(REPO / "okrs")
    edited_path = "customer-experience/support/2026-Q4.yaml"
    edited = {**files, edited_path: files[edited_path].replace(b"title: ", b"title: Renamed ", 1)}
    checked(read_files(files, "okrs"), ParseCache(tmp_path))
    expected = validate(read_files(edited, "okrs"))
    validated: list[str] = []
    original = validate_module._period

    def counted(team_id: str, name: PeriodName, document: object, context: object) -> object:
        validated.append(document.path)
        return original(team_id, name, document, context)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_module, "_period", counted)
    assert checked(read_files(edited, "okrs"), ParseCache(tmp_path)) == expected
    assert validated == [f"okrs/{edited_path}"]


def _one_entry(tmp_path: Path) -> tuple[Path, Validated, PeriodKey]:
    recording = _Recording()
    checked(read_tree(REPO / "okrs", "okrs"), ParseCache(None), reuse=recording)
    key, validated = next((k, v) for k, v in recording.added
                          if v.period is not None and any(o.initiatives for o in v.period.objectives))
    cache = ModelCache(tmp_path)
    cache.store(key, validated)
    entry = next((tmp_path / "validated").rglob("*.json"))
    return entry, validated, key


def test_a_damaged_entry_is_ignored(tmp_path: Path) -> None:
    entry, validated, key = _one_entry(tmp_path)
    assert repr(ModelCache(tmp_path).stored(key)) == repr(validated)
    whole = entry.read_text(encoding="utf-8")
    for damaged in (whole[:-10], whole.replace('"', "'", 3), "", "\n[]"):
        entry.write_text(damaged, encoding="utf-8")
        assert ModelCache(tmp_path).stored(key) is None
    entry.write_bytes(b"\xff" + whole.encode())
    assert ModelCache(tmp_path).stored(key) is None


def _forged(entry: Path, change: str, into: str) -> None:
    """An entry rewritten with a valid checksum, as someone who can write the cache could."""
    text = entry.read_text(encoding="utf-8").partition("\n")[2]
    assert change in text
    forged = text.replace(change, into, 1)
    entry.write_text(f"{checksum_of(entry.stem, forged)}\n{forged}", encoding="utf-8")


@pytest.mark.parametrize(("change", "into"), [
    ('"https://', '"javascript:alert(1)//'),  # a link the validator refuses
    ('"in_progress"', '"finished"'), ('"committed"', '"maybe"'), ('"key_results"', '"guess"'),
    ('"2026-', '"2026-13-'), ("],9,9]", '],"9",9]'), ('"oleg-p",1.0,', '"oleg-p","1.0",'),
    ('"oleg-p",1.0,', '"oleg-p",true,'), (',[],false,', ',[],"no",'), ("[1,", "[2,"),
    # values of the right type that the validator refuses, and that later stages rely on being refused
    ('"one-view"', '"One View"'), ('"oleg-p",1.0,', '"oleg-p",NaN,'), ('"oleg-p",1.0,', '"oleg-p",0,'),
    ('"milestone",null,null', '"metric",null,null'), ('"milestone",null,null', '"metric",5,5'),
    ('"milestone",null,null,"",null,null', '"guardrail",null,null,"",null,null'),
    ('"key_results",null,', '"key_results",2,'), ('"One view', '"One\\u0007view'), ('"One view', '"One\u202eview'),
    ('"One view', '"One\\u202eview'), ('"One view', '"One\\u0085view'),  # escaped, as encode never writes them
    ('["2026-10-10",20.0,', '["2026-10-10",120.0,'), ('20.0,null,', '20.0,1.5,'),
])
def test_an_entry_the_validator_would_refuse_is_ignored(tmp_path: Path, change: str, into: str) -> None:
    entry, _, key = _one_entry(tmp_path)
    _forged(entry, change, into)
    assert ModelCache(tmp_path).stored(key) is None


@pytest.mark.parametrize("damaged", [
    "", "{", "null", "[]", "[2, null, [], []]", "[1, null, [], [[1, 1, 1]]]",
    '[1, null, [[1, 1, "fatal", "c", "m"]], []]', '[1, [true, [["o"]]], [], []]', '[1, ["yes", []], [], []]',
    '[1, null, [], [["x", "1", 1]]]', "[" * 100_000,
])
def test_text_that_is_not_an_entry_is_not_one(damaged: str) -> None:
    assert decode(damaged, PeriodKey("c", "okrs/2026.yaml", "company", PeriodName(2026, PeriodKind.YEAR), 1)) is None


def test_the_key_holds_everything_a_period_depends_on() -> None:
    period = PeriodName.parse("2026-Q1")
    assert period is not None
    base = PeriodKey("content", "okrs/sales/2026-Q1.yaml", "sales", period, 1)
    others = [base._replace(content="other"), base._replace(path="okrs/x/2026-Q1.yaml"), base._replace(team="x"),
              base._replace(period=PeriodName.parse("2026-Q2")), base._replace(fiscal_year_start=4)]
    keys = {entry_key(k) for k in [base, *others]}
    assert len(keys) == 6


def test_the_key_covers_all_the_code_a_period_validation_runs() -> None:
    """An edit to the validator or anything it imports gives every entry a new key."""
    package = REPO / "generator"
    needed, todo = set(), ["validate"]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        for node in ast.walk(ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator."):
                todo.append(node.module.removeprefix("generator."))
    assert needed <= set(modelcache.VALIDATOR_MODULES)


def test_memory_keeps_only_the_files_of_the_latest_tree() -> None:
    files = _files(REPO / "okrs")
    edited_path = "customer-experience/support/2026-Q4.yaml"
    reuse = Reuse()
    checked(read_files(files, "okrs"), ParseCache(None), reuse=reuse)
    count = len(reuse._validated)
    for word in (b"One ", b"Two ", b"Three "):
        edited = {**files, edited_path: files[edited_path].replace(b"title: ", b"title: " + word, 1)}
        checked(read_files(edited, "okrs"), ParseCache(None), reuse=reuse)
        assert len(reuse._validated) == count


def test_a_file_whose_findings_point_elsewhere_is_not_stored() -> None:
    """Everything kept is placed in its own file when read back: anything else must not be kept."""
    recording = _Recording()
    checked(read_tree(CORPUS / "typo-and-types" / "tree", "okrs"), ParseCache(None), reuse=recording)
    key, validated = next((k, v) for k, v in recording.added if v.problems)
    assert encode(validated, key.path) is not None
    assert encode(validated, "okrs/elsewhere.yaml") is None


def _counting_resolutions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    resolved: list[str] = []
    original = validate_module._resolve

    def counted(alignment: Alignment, *args: object) -> object:
        resolved.append(alignment.written)
        return original(alignment, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_module, "_resolve", counted)
    return resolved


def test_alignments_resolved_for_one_tree_are_not_resolved_again_for_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files(REPO / "okrs")
    resolved = _counting_resolutions(monkeypatch)
    reuse = Reuse()
    first = checked(read_files(files, "okrs"), ParseCache(None), reuse=reuse).company
    assert first is not None and len(resolved) > 10
    resolved.clear()
    edited_path = "marketing/content/2026-Q4.yaml"  # nothing aligns to it
    edited = {**files, edited_path: files[edited_path].replace(b"title: ", b"title: Edited ", 1)}
    second = checked(read_files(edited, "okrs"), ParseCache(None), reuse=reuse).company
    assert second is not None
    assert 0 < len(resolved) < 5  # only the edited file's own references
    assert second == validate(read_files(edited, "okrs")).company
    support = next(p for p in second.team("support").periods if str(p.name) == "2026-Q4")
    assert support is next(p for p in first.team("support").periods if str(p.name) == "2026-Q4")


@pytest.mark.parametrize("target, into", [
    (b"  - id: one-view\n", b"  - id: one-view-renamed\n"),  # what support aligns to is gone
    (b"title: One view of every customer", b"title: One view of each customer"),  # only its title changes
])
def test_an_edit_to_what_others_align_to_resolves_their_references_again(target: bytes, into: bytes) -> None:
    files = _files(REPO / "okrs")
    reuse = Reuse()
    checked(read_files(files, "okrs"), ParseCache(None), reuse=reuse)
    path = "customer-experience/2026-Q4.yaml"
    edited = {**files, path: files[path].replace(target, into, 1)}
    assert edited != files
    again = checked(read_files(edited, "okrs"), ParseCache(None), reuse=reuse)
    assert again == validate(read_files(edited, "okrs"))
    back = checked(read_files(files, "okrs"), ParseCache(None), reuse=reuse)  # and the fix is seen too
    assert back == validate(read_files(files, "okrs"))


def test_check_ins_share_one_object_per_number_made_here_or_read_from_the_cache(tmp_path: Path) -> None:
    """Millions of check-ins hold a few thousand numbers: one 24-byte object each, not one per check-in."""
    checked(read_tree(REPO / "okrs", "okrs"), ParseCache(tmp_path))  # validated, and stored
    for company in (checked(read_tree(REPO / "okrs", "okrs"), ParseCache(None), reuse=ModelCache(None)).company,
                    checked(read_tree(REPO / "okrs", "okrs"), ParseCache(tmp_path)).company):  # read back
        assert company is not None
        checkins = [c for team in company.teams for period in team.periods
                    for objective in period.objectives for kr in objective.key_results for c in kr.checkins]
        by_value: dict[tuple[type, float], set[int]] = {}
        for number in [c.value for c in checkins] + [c.confidence for c in checkins if c.confidence is not None]:
            by_value.setdefault((type(number), number), set()).add(id(number))
        assert len(checkins) > 50 and len(by_value) < len(checkins)
        assert [value for value, objects in by_value.items() if len(objects) > 1 and value[1]] == []


def test_a_shared_number_keeps_its_type_and_sign_and_the_table_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import fields

    monkeypatch.setattr(fields, "_NUMBERS", {})
    first, second = float("2.5"), float("2.5")
    assert first is not second and fields.shared_number(first) is fields.shared_number(second) is first
    assert type(fields.shared_number(7)) is int and type(fields.shared_number(7.0)) is float
    assert math.copysign(1, fields.shared_number(-0.0)) == -1 and math.copysign(1, fields.shared_number(0.0)) == 1
    monkeypatch.setattr(fields, "NUMBERS_SHARED", len(fields._NUMBERS))
    third, fourth = float("3.5"), float("3.5")
    assert fields.shared_number(third) is third and fields.shared_number(fourth) is fourth
