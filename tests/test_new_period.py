"""``okr new-period`` on the example company, then ``okr check``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def okrs(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "okrs", tmp_path / "okrs")
    shutil.copytree(REPO / "docs" / "schema", tmp_path / "docs" / "schema")
    return tmp_path / "okrs"


def test_next_quarter_from_the_example(okrs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new-period", "2027-Q1", "--path", str(okrs), "--as-of", "2026-12-31"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {okrs}/customer-experience/support/2027-Q1.yaml: 2 objectives, 4 key results" in out
    assert main(["check", str(okrs)]) == 0
    support = yaml.safe_load((okrs / "customer-experience" / "support" / "2027-Q1.yaml").read_text())
    engagement = support["objectives"][0]
    tickets = next(kr for kr in engagement["key_results"] if kr["id"] == "tier1-tickets")
    assert (tickets["start"], tickets["target"], tickets["weight"]) == (72, 50, 2)  # current value is the new start
    assert "checkins" not in tickets and "score" not in engagement
    assert [kr["id"] for kr in engagement["key_results"]] == ["engagement-rate", "academy", "tier1-tickets"]
    assert engagement["aligned_to"] == ["company/delight-holidays", "customer-experience/one-view"]
    assert [i["title"] for i in engagement["initiatives"]] == ["Build the customer community platform"]
    ecommerce = yaml.safe_load((okrs / "customer-experience" / "ecommerce" / "2027-Q1.yaml").read_text())
    baskets = ecommerce["objectives"][0]
    assert "bundles-live" not in [kr["id"] for kr in baskets["key_results"]]  # achieved: left behind
    assert baskets["aligned_to"] == "company/basket-size"  # the parent was carried over too
    operations = yaml.safe_load((okrs / "operations" / "2027-Q1.yaml").read_text())
    assert operations["private"] is True
    text = (okrs / "customer-experience" / "support" / "2027-Q1.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../../docs/schema/period.schema.json\n")


def test_alignment_to_a_parent_left_behind_keeps_its_period(okrs: Path) -> None:
    assert main(["new-period", "2026-Q4", "--from", "2026-Q3", "--path", str(okrs), "--as-of", "2026-09-30"]) == 0
    vip = yaml.safe_load((okrs / "customer-experience" / "support" / "2026-Q4.yaml").read_text())
    assert vip["objectives"][0]["id"] == "engagement"  # the existing file is kept as it was


def test_existing_files_are_never_overwritten(okrs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (okrs / "customer-experience" / "support" / "2026-Q4.yaml").read_bytes()
    assert main(["new-period", "2026-Q4", "--from", "2026-Q3", "--path", str(okrs), "--as-of", "2026-09-30"]) == 0
    out = capsys.readouterr().out
    assert f"kept {okrs}/customer-experience/support/2026-Q4.yaml: it exists already" in out
    assert (okrs / "customer-experience" / "support" / "2026-Q4.yaml").read_bytes() == before
    marketing = yaml.safe_load((okrs / "marketing" / "2026-Q4.yaml").read_text())
    assert marketing["objectives"][0]["id"] == "brand-engagement"


def test_a_parent_that_stays_behind_is_referenced_with_its_period(tmp_path: Path) -> None:
    okrs = tmp_path / "okrs"
    (okrs / "t").mkdir(parents=True)
    (okrs / "team.yaml").write_text("name: Acme\n")
    (okrs / "2026-Q4.yaml").write_text("objectives:\n  - id: done\n    title: Done\n    key_results:\n"
                                       "      - {title: K, start: 0, target: 1,"
                                       " checkins: [{date: 2026-11-01, value: 1}]}\n")
    (okrs / "t" / "team.yaml").write_text("name: T\n")
    (okrs / "t" / "2026-Q4.yaml").write_text("objectives:\n  - id: child\n    title: Child\n"
                                             "    aligned_to: company/done\n"
                                             "    key_results: [{title: K, start: 0, target: 10}]\n")
    assert main(["new-period", "2027-Q1", "--path", str(okrs), "--as-of", "2026-12-31"]) == 0
    child = yaml.safe_load((okrs / "t" / "2027-Q1.yaml").read_text())
    assert child["objectives"][0]["aligned_to"] == "company/2026-Q4/done"
    assert not (okrs / "2027-Q1.yaml").exists()  # its only objective was achieved: nothing to carry over
