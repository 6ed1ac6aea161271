"""The bundled example company is valid, matches the seed's numbers, and exercises every feature."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import schema
from generator.load import YamlMapping, YamlNode, YamlSequence, read_tree
from generator.model import Company, InitiativeStatus, KeyResultKind, ObjectiveType, ProgressSource
from generator.validate import validate

OKRS = Path(__file__).resolve().parent.parent / "okrs"


@pytest.fixture(scope="module")
def company() -> Company:
    result = validate(read_tree(OKRS, "okrs"))
    assert result.problems == ()
    assert result.company is not None
    return result.company


def test_the_org_tree(company: Company) -> None:
    assert company.name == "Northwind Retail"
    assert [(t.id, t.parent, t.depth) for t in company.teams] == [
        ("company", None, 0), ("customer-experience", "company", 1), ("ecommerce", "customer-experience", 2),
        ("support", "customer-experience", 2), ("marketing", "company", 1), ("content", "marketing", 2),
        ("operations", "company", 1), ("stores-moscow", "company", 1)]
    assert company.team("customer-experience").children == ("ecommerce", "support")
    assert company.team("stores-moscow").name == "Магазины Москвы"


def test_the_seed_key_results(company: Company) -> None:
    support = {kr.id: kr for o in company.objectives() if o.team == "support" and str(o.period) == "2026-Q4"
               for kr in o.key_results}
    assert (support["engagement-rate"].start, support["engagement-rate"].target) == (20, 30)
    assert (support["academy"].start, support["academy"].target, support["academy"].unit) == (0, 12, "modules")
    assert (support["tier1-tickets"].start, support["tier1-tickets"].target) == (100, 50)
    assert support["tier1-tickets"].checkins[-1].value == 72
    marketing = {kr.id: kr for o in company.objectives() if o.team == "marketing" for kr in o.key_results}
    assert (marketing["placements"].start, marketing["placements"].target) == (5, 10)


def _keys(node: YamlNode | None, shape: schema.Shape, found: dict[str, set[str]]) -> None:
    """Collect, per shape, the keys the example writes."""
    if not isinstance(node, YamlMapping):
        return
    for key, value in node.entries:
        found.setdefault(shape.name, set()).add(key.text)
        spec = shape.field(key.text)
        if spec is not None and spec.shape is not None:
            items = value.items if isinstance(value, YamlSequence) else (value,)
            for item in items:
                _keys(item, spec.shape, found)


def test_every_key_of_the_format_is_used(company: Company) -> None:
    tree = read_tree(OKRS, "okrs")
    found: dict[str, set[str]] = {}
    for folder in tree.folders:
        if folder.team_file is not None:
            _keys(folder.team_file.parse().root, schema.TEAM_FILE, found)
        for _, file in folder.period_files:
            _keys(file.parse().root, schema.PERIOD_FILE, found)
    assert tree.people_file is not None
    people = tree.people_file.parse().root
    assert isinstance(people, YamlMapping)
    for _, person in people.entries:
        _keys(person, schema.PERSON, found)
    shapes = [schema.TEAM_FILE, schema.PERIOD_FILE, schema.OBJECTIVE, schema.KEY_RESULT, schema.CHECKIN,
              schema.INITIATIVE, schema.STATUS_RULES, schema.GRADING, schema.PERSON]
    missing = {s.name: sorted(set(s.names) - found.get(s.name, set())) for s in shapes}
    assert {name: keys for name, keys in missing.items() if keys} == {}


def test_every_kind_and_choice_is_used(company: Company) -> None:
    objectives = company.objectives()
    key_results = [kr for o in objectives for kr in o.key_results]
    assert {kr.kind for kr in key_results} == set(KeyResultKind)
    assert {o.type for o in objectives} == set(ObjectiveType)
    assert {o.progress_from for o in objectives} == set(ProgressSource)
    assert {i.status for o in objectives for i in o.initiatives} == set(InitiativeStatus)
    assert any(kr.stay_above is not None for kr in key_results)
    assert any(kr.stay_below is not None for kr in key_results)
    assert any(kr.start is not None and kr.target is not None and kr.target < kr.start for kr in key_results)
    assert any(kr.dropped for kr in key_results)
    assert any(kr.weight != 1 for kr in key_results)
    assert any(c.status is not None for kr in key_results for c in kr.checkins)
    aligned = [a for o in objectives for a in o.aligned_to]
    assert any(a.target.key_result is not None for a in aligned)
    assert any(a.written.count("/") >= 2 and a.target.key_result is None for a in aligned)  # explicit period
    assert any(len(o.aligned_to) > 1 for o in objectives)
    assert any(o.private for o in objectives)
    assert any(p.private for t in company.teams for p in t.periods)
    assert {str(name)[4:] for name in company.period_names()} >= {"", "-H2", "-Q3", "-Q4"}
