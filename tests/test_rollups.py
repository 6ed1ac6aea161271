"""Health, the Net Confidence Score, check-in discipline, alignment coverage and the public view."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import synth
from generator.alignment import build_graph, coverage, supporters_first, unaligned
from generator.health import checkin_discipline, health, team_health
from generator.load import read_tree
from generator.model import Company, Reference, subtree
from generator.periods import PeriodName
from generator.privacy import public_view
from generator.progress import Status, evaluate
from generator.validate import validate
from tests.helpers import check

D = dt.date
Q4 = PeriodName.parse("2026-Q4")
assert Q4 is not None
REPO = Path(__file__).resolve().parent.parent


def kr_line(title: str, value: float | None, day: str = "2026-11-20") -> str:
    checkins = f", checkins: [{{date: {day}, value: {value}}}]" if value is not None else ""
    return f"      - {{title: {title}, start: 0, target: 100{checkins}}}\n"


TREE = {
    "2026-Q4.yaml": "objectives:\n  - id: cx\n    title: CX\n    progress_from: aligned\n",
    "dept/team.yaml": "name: Department\n",
    "dept/2026-Q4.yaml": "objectives:\n  - id: d\n    title: D\n    aligned_to: company/cx\n    key_results:\n"
                         + kr_line("good", 70) + kr_line("risk", 45) + kr_line("bad", 10),
    "dept/team-a/team.yaml": "name: Team A\n",
    "dept/team-a/2026-Q4.yaml": "objectives:\n  - id: a\n    title: A\n    aligned_to: dept/d\n    key_results:\n"
                                + kr_line("good2", 80) + kr_line("none", None) + kr_line("old", 60, "2026-10-02"),
    "other/team.yaml": "name: Other\n",
    "other/2026-Q4.yaml": "objectives:\n  - id: lonely\n    title: Lonely\n    key_results:\n" + kr_line("x", 90)
                          + "  - id: secret\n    title: Secret\n    private: true\n    aligned_to: company/cx\n"
                            "    key_results:\n" + kr_line("s", 5),
}


@pytest.fixture
def company(tmp_path: Path) -> Company:
    result = check(tmp_path, TREE)
    assert result.errors == () and result.company is not None
    return result.company


def test_health_counts_key_results_over_the_subtree(company: Company) -> None:
    evaluation = evaluate(public_view(company), D(2026, 11, 28))  # expected 0.641
    dept = team_health(company, evaluation, "dept", Q4)  # type: ignore[arg-type]
    # dept: good (0.70) on track, risk (0.45) at risk, bad (0.10) off track;
    # team-a: good2 (0.80) on track, none: no check-in, old (0.60, 57 days ago) on track but stale
    assert (dept.objectives, dept.key_results) == (2, 6)
    assert (dept.on_track, dept.at_risk, dept.off_track, dept.no_checkin) == (3, 1, 1, 1)
    assert dept.net_confidence == pytest.approx((3 - 1) / 6)
    assert dept.stale == 2  # 'none' since the period started, 'old' since 2 October
    # objective d = (0.7 + 0.45 + 0.1) / 3 = 0.4167; a = (0.8 + 0 + 0.6) / 3 = 0.4667
    assert dept.mean_progress == pytest.approx(((0.7 + 0.45 + 0.1) / 3 + (0.8 + 0.6) / 3) / 2)
    own = team_health(company, evaluation, "dept", Q4, include_subteams=False)  # type: ignore[arg-type]
    assert (own.objectives, own.key_results) == (1, 3)


def test_net_confidence_and_discipline_of_nothing_is_unknown() -> None:
    empty = health([])
    assert (empty.net_confidence, empty.mean_progress, empty.key_results) == (None, None, 0)
    assert checkin_discipline([], D(2026, 11, 28)) is None


def test_checkin_discipline(company: Company) -> None:
    evaluation = evaluate(public_view(company), D(2026, 11, 28))
    key_results = [kr for o in evaluation.objectives.values() for kr in o.key_results]
    # 7 key results count (the private one is gone); checked in within 14 days: good, risk, bad, good2, x
    assert checkin_discipline(key_results, D(2026, 11, 28)) == pytest.approx(5 / 7)


def test_subtree_in_org_order(company: Company) -> None:
    assert subtree(company, "company") == ("company", "dept", "team-a", "other")
    assert subtree(company, "dept") == ("dept", "team-a")


def test_coverage_supporters_and_unaligned(company: Company) -> None:
    public = public_view(company)
    assert coverage(public, Q4) == pytest.approx(2 / 3)  # d and a are aligned, lonely is not
    assert [o.id for o in unaligned(public, Q4)] == ["lonely"]
    assert coverage(company, Q4) == pytest.approx(3 / 4)  # with the private one, aligned
    graph = build_graph(public)
    cx = Reference("company", Q4, "cx")  # type: ignore[arg-type]
    assert [str(r) for r in graph.direct_supporters(cx)] == ["dept/2026-Q4/d"]
    assert [str(r) for r in graph.all_supporters(cx)] == ["dept/2026-Q4/d", "team-a/2026-Q4/a"]


def test_private_objectives_count_nowhere_in_public(company: Company) -> None:
    private_too = evaluate(company, D(2026, 11, 28))
    public = evaluate(public_view(company), D(2026, 11, 28))
    cx = Reference("company", Q4, "cx")  # type: ignore[arg-type]
    assert [str(r) for r in private_too.of(cx).supporters] == ["dept/2026-Q4/d", "other/2026-Q4/secret"]
    assert [str(r) for r in public.of(cx).supporters] == ["dept/2026-Q4/d"]
    assert public.of(cx).progress == pytest.approx(public.of(Reference("dept", Q4, "d")).progress)  # type: ignore[arg-type]
    assert "secret" not in {o.objective.id for o in public.objectives.values()}


def test_alignment_to_a_private_objective_becomes_restricted(tmp_path: Path) -> None:
    result = check(tmp_path, {
        "2026.yaml": "private: true\nobjectives:\n  - id: acquire\n    title: Buy a competitor\n"
                     "    key_results: [{title: Signed, start: 0, target: 1}]\n",
        "t/team.yaml": "name: T\n",
        "t/2026.yaml": "objectives:\n  - id: prepare\n    title: Prepare\n    aligned_to: company/acquire\n"
                       "    key_results: [{title: K, start: 0, target: 1}]\n"})
    assert result.company is not None
    public = public_view(result.company)
    (objective,) = public.objectives()
    (alignment,) = objective.aligned_to
    assert alignment.restricted is True
    assert "acquire" not in repr(alignment)
    assert public.team("company").periods == ()  # the private file leaves no empty period behind


def test_include_private_keeps_everything(company: Company) -> None:
    assert public_view(company, include_private=True) is company


def test_status_is_the_same_bytes_for_the_same_day(tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795824000"}  # 2026-11-28 00:00 UTC
    outputs = [subprocess.run([sys.executable, "-m", "generator", "status", str(REPO / "okrs")], env=env,
                              capture_output=True, check=True).stdout for _ in range(2)]
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith("Northwind Retail · 2026-Q4 · as of 2026-11-28 (day 59 of 92, expected 64%)".encode())
    as_option = subprocess.run([sys.executable, "-m", "generator", "status", str(REPO / "okrs"), "--as-of",
                                "2026-11-28"], capture_output=True, check=True).stdout
    assert as_option == outputs[0]


def test_status_of_a_team_and_a_past_day(capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main
    assert main(["status", str(REPO / "okrs"), "--team", "support", "--as-of", "2026-10-15"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:6] == [
        "Northwind Retail · 2026-Q4 · as of 2026-10-15 (day 15 of 92, expected 16%)",
        "",
        "Customer support",
        # (21-20)/10 = 0.10, 2/12 = 0.167, (100-96)/50 = 0.08 weighing 2: (0.10 + 0.167 + 0.16) / 4 = 0.107
        "  Improve the customer engagement programme            █░░░░░░░░░ 11%  on track",
        # forecasts: the line through (day 0, 20) and (day 6, 21) reaches 20 + 91/6 = 35.17 on day 91;
        # through (0, 0) and (13, 2) it reaches 91 * 2/13 = 14 modules
        "    Raise engagement through e-mails and in-app messa… █░░░░░░░░░ 10%  on track; forecast 35.17 meets the "
        "target",
        "    Build a self-service academy with 12 modules of v… ██░░░░░░░░ 17%  on track; forecast 14 meets the target",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "tomorrow"], "okr status: --as-of takes a day written YYYY-MM-DD, not 'tomorrow'\n"),
    (["--team", "nobody"], "okr status: there is no team 'nobody'\n"),
    (["--period", "Q4"], "okr status: 'Q4' is not a period (2026, 2026-H1, 2026-Q4)\n"),
])
def test_status_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main
    assert main(["status", str(REPO / "okrs"), *args]) == 2
    assert capsys.readouterr().err == message


def test_status_of_a_broken_tree_lists_its_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main
    check(tmp_path, {"team.yaml": "name: [\n"})
    assert main(["status", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{tmp_path}/team.yaml:2:1: error[yaml-syntax]")
    assert Status.ON_TRACK.value not in captured.out


def test_every_objective_is_evaluated_once_and_after_all_that_support_it(tmp_path: Path) -> None:
    synth.generate(40, 2, 7, tmp_path / "okrs")
    company = validate(read_tree(tmp_path / "okrs", "okrs")).company
    assert company is not None
    graph = build_graph(company)
    order = supporters_first(company, graph)
    assert sorted(order, key=str) == sorted((o.ref for o in company.objectives()), key=str)
    position = {ref: index for index, ref in enumerate(order)}
    pairs = [(ref, s) for ref in order for s in graph.direct_supporters(ref)]
    assert len(pairs) > 50
    assert all(position[supporter] < position[ref] for ref, supporter in pairs)
