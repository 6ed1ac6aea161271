"""Tree-level and cross-file rules: layout, ids, people, key-result kinds, alignment."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model import KeyResultKind, Reference
from generator.periods import PeriodName
from tests.helpers import PERIOD, check, lines


def objective_file(*objectives: str) -> str:
    return "objectives:\n" + "".join(objectives)


def objective(oid: str, aligned: str | None = None, extra: str = "") -> str:
    text = f"  - id: {oid}\n    title: {oid.title()}\n"
    if aligned is not None:
        text += f"    aligned_to: {aligned}\n"
    text += extra
    return text + "    key_results:\n      - {title: KR, start: 0, target: 10}\n"


# --- layout ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "message"), [
    ("2026-q4.yaml", "'2026-q4.yaml' is not a period file name: did you mean '2026-Q4.yaml'?"),
    ("Q4-2026.yaml", "'Q4-2026.yaml' is not a period file name: did you mean '2026-Q4.yaml'?"),
    ("FY2026.yaml", "'FY2026.yaml' is not a period file name: did you mean '2026.yaml'?"),
    ("2026-Q5.yaml", "'2026-Q5.yaml' is not part of the OKR format: period files are named YYYY.yaml, YYYY-H1.yaml "
                     "or YYYY-Q1.yaml"),
    ("teams.yaml", "'teams.yaml' is not part of the OKR format: did you mean 'team.yaml'?"),
    ("\uff12\uff10\uff12\uff16-Q4.yaml",
     "'\uff12\uff10\uff12\uff16-Q4.yaml' is not part of the OKR format: period files are named YYYY.yaml, YYYY-H1.yaml "
     "or YYYY-Q1.yaml"),
    ("2026-Q4\n.yaml", "'2026-Q4\n.yaml' is not a period file name: did you mean '2026-Q4.yaml'?"),
    ("2026-Q4.yml", "'2026-Q4.yml' is not read: OKR files end in '.yaml'; rename it to '2026-Q4.yaml'"),
    ("notes.txt", "'notes.txt' is not part of the OKR format: a team folder holds team.yaml, period files "
                  "(YYYY.yaml, YYYY-H1.yaml, YYYY-Q4.yaml) and sub-team folders"),
])
def test_files_outside_the_format_are_errors_with_a_hint(tmp_path: Path, name: str, message: str) -> None:
    assert lines(tmp_path, {f"x/{name}": PERIOD, "x/team.yaml": "name: X\n"}) == [
        f"okrs/x/{name}:1:1: error[unknown-file]: {message}"]


def test_hidden_files_are_ignored_and_symlinks_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.yaml").parent.mkdir(parents=True, exist_ok=True)
    secret = tmp_path.parent / "secret.txt"
    secret.write_text("secret")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.yaml").symlink_to(secret)
    assert lines(tree, {".gitkeep": "", ".github/x.yml": "a: 1"}) == [
        "okrs/link.yaml:1:1: error[symlink]: symbolic links are not followed (they could publish files from outside "
        "the tree): replace it with a real file or folder"]


def test_people_yaml_belongs_at_the_root(tmp_path: Path) -> None:
    assert lines(tmp_path, {"x/team.yaml": "name: X\n", "x/people.yaml": "a: {name: A}\n"}) == [
        "okrs/x/people.yaml:1:1: error[unknown-file]: 'people.yaml' belongs in the root folder only"]


def test_a_team_folder_needs_a_team_file(tmp_path: Path) -> None:
    assert lines(tmp_path, {"x/2026-Q4.yaml": PERIOD}) == [
        "okrs/x/team.yaml:1:1: error[missing-team-file]: folder 'okrs/x' has no team.yaml: every team folder needs "
        "one with at least 'name:'"]


@pytest.mark.parametrize(("folder", "message"), [
    ("Support", "error[bad-id]: team folder 'Support' is not a valid id: use lowercase ASCII letters, digits and "
                "'-', starting with a letter: try 'support'"),
    ("team_a", "error[bad-id]: team folder 'team_a' is not a valid id: use lowercase ASCII letters, digits and '-', "
               "starting with a letter: try 'team-a'"),
    ("teаm", "error[bad-id]: team folder 'teаm' is not a valid id: use lowercase ASCII letters, digits and '-', "
             "starting with a letter: try 'te-m'"),
    ("ops\n", "error[bad-id]: team folder 'ops\n' is not a valid id: use lowercase ASCII letters, digits and '-', "
              "starting with a letter: try 'ops'"),
    ("search", "error[reserved-id]: 'search' is a name the site uses for its own pages: rename the folder"),
])
def test_team_folder_names_are_ids(tmp_path: Path, folder: str, message: str) -> None:
    assert lines(tmp_path, {f"{folder}/team.yaml": "name: X\n"}) == [f"okrs/{folder}:1:1: {message}"]


def test_team_ids_are_unique_across_the_tree(tmp_path: Path) -> None:
    assert lines(tmp_path, {"a/team.yaml": "name: A\n", "a/ops/team.yaml": "name: Ops A\n",
                            "b/team.yaml": "name: B\n", "b/ops/team.yaml": "name: Ops B\n"}) == [
        "okrs/b/ops:1:1: error[duplicate-id]: team id 'ops' is already used by 'okrs/a/ops': team ids are unique "
        "across the whole tree, rename one folder"]


def test_a_team_may_not_reuse_the_company_id(tmp_path: Path) -> None:
    found = lines(tmp_path, {"company/team.yaml": "name: X\n"})
    assert found == ["okrs/company:1:1: error[duplicate-id]: team id 'company' is already used by 'okrs': team ids "
                     "are unique across the whole tree, rename one folder"]


def test_empty_files(tmp_path: Path) -> None:
    assert lines(tmp_path, {"x/team.yaml": "", "x/2026.yaml": "# nothing yet\n"}) == [
        "okrs/x/2026.yaml:1:1: error[missing-key]: period file is empty: add 'objectives:' with at least one "
        "objective",
        "okrs/x/team.yaml:1:1: error[missing-key]: team file is empty: add at least 'name:'"]


def test_a_period_file_must_be_a_mapping(tmp_path: Path) -> None:
    assert lines(tmp_path, {"2026.yaml": "- id: a\n"}) == [
        "okrs/2026.yaml:1:1: error[wrong-type]: expected a period file (a mapping of keys and values), found a list"]


# --- objectives and key results --------------------------------------------------------------------

def test_duplicate_objective_and_key_result_ids(tmp_path: Path) -> None:
    text = objective_file(objective("a"), objective("a"),
                          "  - id: b\n    title: B\n    key_results:\n"
                          "      - {title: One, start: 0, target: 1}\n"
                          "      - {id: kr1, title: Two, start: 0, target: 1}\n")
    assert lines(tmp_path, {"2026.yaml": text}) == [
        "okrs/2026.yaml:6:5: error[duplicate-id]: objective id 'a' is already used at line 2: ids are unique "
        "within a file",
        "okrs/2026.yaml:14:9: error[duplicate-id]: key result id 'kr1' is already used at line 13: ids are unique "
        "within an objective"]


def test_an_objective_needs_key_results_unless_measured_by_alignment(tmp_path: Path) -> None:
    text = objective_file("  - id: a\n    title: A\n", "  - id: b\n    title: B\n    progress_from: aligned\n")
    assert lines(tmp_path, {"2026.yaml": text}) == [
        "okrs/2026.yaml:2:5: error[missing-key]: objective has no key results: add 'key_results:' with at least one, "
        "or set 'progress_from: aligned' to measure it by the objectives aligned to it"]


def test_missing_title_and_id(tmp_path: Path) -> None:
    assert lines(tmp_path, {"2026.yaml": "objectives:\n  - key_results:\n      - {start: 0, target: 1}\n"}) == [
        "okrs/2026.yaml:2:5: error[missing-key]: objective has no 'id': add 'id:' (Short id, unique in the file; "
        "used in links and alignment references)",
        "okrs/2026.yaml:2:5: error[missing-key]: objective has no 'title': add 'title:' (The goal, as a sentence)",
        "okrs/2026.yaml:3:9: error[missing-key]: key result has no 'title': add 'title:' (The result, as a "
        "sentence)"]


def test_more_than_five_key_results_is_a_warning(tmp_path: Path) -> None:
    krs = "".join(f"      - {{title: K{i}, start: 0, target: 1}}\n" for i in range(6))
    result = check(tmp_path, {"2026.yaml": f"objectives:\n  - id: a\n    title: A\n    key_results:\n{krs}"})
    assert [str(p) for p in result.problems] == [
        "okrs/2026.yaml:5:7: warning[too-many-key-results]: 6 key results: more than 5 dilutes focus; keep the ones "
        "that matter most"]
    assert result.company is not None  # warnings do not stop the build


@pytest.mark.parametrize(("kr", "expected"), [
    ("{title: K, start: 5, target: 5}", "okrs/2026.yaml:5:38: error[target-equals-start]: 'target' equals 'start', "
                                        "so no progress can be measured: use stay_above or stay_below for a value to "
                                        "hold"),
    ("{title: K, start: 5}", "okrs/2026.yaml:5:9: error[missing-key]: key result has 'start' but no 'target': add "
                             "the value to reach"),
    ("{title: K, start: 1, target: 5, stay_above: 2}", "okrs/2026.yaml:5:9: warning[mixed-key-result]: key result "
                                                        "has both start/target and stay_above/stay_below: it is read "
                                                        "as a metric; remove the fields of the other kind"),
    ("{title: K, stay_above: 9, stay_below: 3}", "okrs/2026.yaml:5:47: error[out-of-range]: 'stay_below' (3) is "
                                                 "lower than 'stay_above' (9): no value can satisfy both"),
    ("{title: K, unit: '%'}", "okrs/2026.yaml:5:26: warning[mixed-key-result]: a key result with no start/target or "
                              "stay_above/stay_below is a milestone measured in percent: 'unit' is ignored"),
    ("{title: K, checkins: [{date: 2026-10-01, value: 120}]}",
     "okrs/2026.yaml:5:57: error[out-of-range]: a milestone's check-in value is percent complete, 0 to 100, not 120"),
])
def test_key_result_kinds(tmp_path: Path, kr: str, expected: str) -> None:
    text = f"objectives:\n  - id: a\n    title: A\n    key_results:\n      - {kr}\n"
    assert lines(tmp_path, {"2026.yaml": text}) == [expected]


def test_key_result_kinds_in_the_model(tmp_path: Path) -> None:
    text = ("objectives:\n  - id: a\n    title: A\n    key_results:\n"
            "      - {title: Metric, start: 100, target: 50, unit: tickets}\n"
            "      - {title: Guardrail, stay_above: 45}\n"
            "      - {title: Milestone}\n")
    company = check(tmp_path, {"2026.yaml": text}).company
    assert company is not None
    krs = company.objectives()[0].key_results
    assert [(k.id, k.kind, k.start, k.target, k.stay_above) for k in krs] == [
        ("kr1", KeyResultKind.METRIC, 100.0, 50.0, None),
        ("kr2", KeyResultKind.GUARDRAIL, None, None, 45.0),
        ("kr3", KeyResultKind.MILESTONE, None, None, None)]


def test_checkin_outside_its_period_is_a_warning(tmp_path: Path) -> None:
    text = ("objectives:\n  - id: a\n    title: A\n    key_results:\n"
            "      - title: K\n        start: 0\n        target: 1\n        checkins:\n"
            "          - {date: 2027-01-04, value: 1}\n")
    assert lines(tmp_path, {"team.yaml": "name: Acme\nfiscal_year_start: 2\n", "2026-Q4.yaml": text}) == [
        "okrs/2026-Q4.yaml:9:20: warning[checkin-outside-period]: check-in dated 2027-01-04 is outside 2026-Q4 "
        "(2025-11-01 to 2026-01-31)"]


def test_a_private_file_makes_every_objective_private(tmp_path: Path) -> None:
    company = check(tmp_path, {"2026.yaml": "private: true\n" + objective_file(objective("a"), objective("b")),
                               "2027.yaml": objective_file(objective("c", extra="    private: true\n"),
                                                           objective("d"))}).company
    assert company is not None
    assert [(o.id, o.private) for o in company.objectives()] == [("a", True), ("b", True), ("c", True),
                                                                 ("d", False)]


# --- people ----------------------------------------------------------------------------------------

def test_people_are_checked_when_people_yaml_exists(tmp_path: Path) -> None:
    text = objective_file(objective("a", extra="    owner: jeny-l\n"), objective("b", extra="    owner: Sam Okafor\n"))
    assert lines(tmp_path, {
        "people.yaml": "jenny-l: {name: Jenny Lindstein}\nsam-o: {name: Sam Okafor, team: suport}\n",
        "support/team.yaml": "name: Support\nlead: jenny-l\nmembers: [jenny-l, bob]\n",
        "support/2026.yaml": text,
    }) == [
        "okrs/people.yaml:2:8: error[unknown-team]: sam-o's team 'suport' is not a team id (did you mean 'support'?)",
        "okrs/support/2026.yaml:4:12: error[unknown-person]: 'jeny-l' is not in people.yaml: did you mean "
        "'jenny-l'?",
        "okrs/support/2026.yaml:9:12: error[unknown-person]: 'Sam Okafor' is not in people.yaml: write their id "
        "'sam-o'",
        "okrs/support/team.yaml:3:20: error[unknown-person]: 'bob' is not in people.yaml: add them to "
        "people.yaml, or write the id of someone in it"]


def test_without_people_yaml_any_name_is_accepted(tmp_path: Path) -> None:
    assert lines(tmp_path, {"2026.yaml": objective_file(objective("a", extra="    owner: Anyone At All\n"))}) == []


def test_person_ids_must_be_ids(tmp_path: Path) -> None:
    assert lines(tmp_path, {"people.yaml": "Jenny: {name: Jenny}\n"}) == [
        "okrs/people.yaml:1:1: error[bad-id]: person id 'Jenny' is not a valid id: use lowercase ASCII letters, "
        "digits and '-', starting with a letter: try 'jenny'"]


# --- alignment -------------------------------------------------------------------------------------

def test_references_resolve_in_the_period_then_its_half_then_its_year(tmp_path: Path) -> None:
    company = check(tmp_path, {
        "2026.yaml": objective_file(objective("yearly"), objective("everywhere")),
        "2026-H2.yaml": objective_file(objective("half"), objective("everywhere")),
        "2026-Q4.yaml": objective_file(objective("everywhere")),
        "x/team.yaml": "name: X\n",
        "x/2026-Q4.yaml": objective_file(
            objective("a", "company/yearly"), objective("b", "company/half"), objective("c", "company/everywhere"),
            objective("d", "company/2026/everywhere"), objective("e", "[company/yearly/kr1, company/half]")),
    }).company
    assert company is not None
    targets = {o.id: [str(a.target) for a in o.aligned_to] for o in company.objectives() if o.team == "x"}
    assert targets == {
        "a": ["company/2026/yearly"], "b": ["company/2026-H2/half"], "c": ["company/2026-Q4/everywhere"],
        "d": ["company/2026/everywhere"], "e": ["company/2026/yearly/kr1", "company/2026-H2/half"]}
    e = next(o for o in company.objectives() if o.id == "e")
    assert e.aligned_to[0].target == Reference("company", PeriodName.parse("2026"), "yearly", "kr1")  # type: ignore[arg-type]


@pytest.mark.parametrize(("ref", "message"), [
    ("compnay/grow", "error[dangling-reference]: 'compnay/grow': there is no team 'compnay' (did you mean "
                     "'company'?)"),
    ("company/gorw", "error[dangling-reference]: 'company/gorw': 'company' has no objective 'gorw' in 2026-Q4, "
                     "2026-H2, 2026 (did you mean 'grow'?)"),
    ("company/grow/kr9", "error[dangling-reference]: 'company/grow/kr9': objective 'company/2026/grow' has no key "
                         "result 'kr9' (did you mean 'kr1'?)"),
    ("company/q1goal", "error[dangling-reference]: 'company/q1goal': 'company' has no objective 'q1goal' in 2026-Q4, "
                       "2026-H2, 2026; it has one in 2026-Q1: write 'company/2026-Q1/q1goal'"),
    ("company/twice", "error[dangling-reference]: 'company/twice' is ambiguous: 'company' has no 'twice' in 2026-Q4, "
                      "2026-H2, 2026, but has one in several other periods: write 'company/2026-Q1/twice' or "
                      "'company/2026-Q2/twice'"),
    ("company/2025/grow", "error[dangling-reference]: 'company/2025/grow': 'company' has no objective 'grow' in "
                          "2025; it has one in 2026: write 'company/2026/grow'"),
    ("Company/Grow", "error[bad-reference]: 'Company/Grow' is not a reference: write team/objective, "
                     "team/PERIOD/objective, or either followed by /key-result"),
    ("company", "error[bad-reference]: 'company' is not a reference: write team/objective, team/PERIOD/objective, "
                "or either followed by /key-result"),
    ("x/a", "error[alignment-cycle]: an objective cannot be aligned to itself"),
])
def test_bad_references(tmp_path: Path, ref: str, message: str) -> None:
    found = lines(tmp_path, {
        "2026.yaml": objective_file(objective("grow")),
        "2026-Q1.yaml": objective_file(objective("q1goal"), objective("twice")),
        "2026-Q2.yaml": objective_file(objective("twice")),
        "x/team.yaml": "name: X\n",
        "x/2026-Q4.yaml": objective_file(objective("a", ref)),
    })
    assert found == [f"okrs/x/2026-Q4.yaml:4:17: {message}"]


def test_a_reference_listed_twice(tmp_path: Path) -> None:
    assert lines(tmp_path, {"2026.yaml": objective_file(objective("grow"), objective(
        "a", "[company/grow, company/2026/grow]"))}) == [
        "okrs/2026.yaml:8:32: error[duplicate-reference]: 'company/2026/grow' is listed twice"]


def test_alignment_cycles_are_reported_once(tmp_path: Path) -> None:
    found = lines(tmp_path, {
        "2026.yaml": objective_file(objective("a", "x/b"), objective("c", "company/a")),
        "x/team.yaml": "name: X\n",
        "x/2026.yaml": objective_file(objective("b", "company/c")),
    })
    assert found == ["okrs/2026.yaml:9:17: error[alignment-cycle]: alignment goes round in a circle: "
                     "company/2026/a → x/2026/b → company/2026/c → company/2026/a"]


def test_a_long_alignment_chain_is_fine(tmp_path: Path) -> None:
    chain = [objective("o0")] + [objective(f"o{i}", f"company/o{i - 1}") for i in range(1, 400)]
    assert lines(tmp_path, {"2026.yaml": objective_file(*chain)}) == []


def test_a_broken_team_file_does_not_cascade_into_reference_errors(tmp_path: Path) -> None:
    assert lines(tmp_path, {"x/team.yaml": "name: [\n", "2026.yaml": objective_file(objective("a", "x/b")),
                            "x/2026.yaml": objective_file(objective("b"))}) == [
        "okrs/x/team.yaml:2:1: error[yaml-syntax]: while parsing a flow node did not find expected node content"]
