"""The benchmark harness keeps working: a small synthetic company, measured end to end."""

from __future__ import annotations

from pathlib import Path

from benchmarks.run import measure, table
from benchmarks.synth import generate
from generator.load import read_tree
from generator.validate import validate


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_synthetic_company_is_valid_and_the_same_for_a_seed(tmp_path: Path) -> None:
    generate(40, 2, 7, tmp_path / "a")
    generate(40, 2, 7, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    result = validate(read_tree(tmp_path / "a", "okrs"))
    assert result.errors == ()
    assert result.company is not None
    assert len(result.company.teams) == 40
    assert max(team.depth for team in result.company.teams) >= 3
    objectives = result.company.objectives()
    assert any(o.private for o in objectives)
    assert sum(bool(o.aligned_to) for o in objectives) > len(objectives) / 2


def test_a_small_run_measures_every_stage(tmp_path: Path) -> None:
    row = measure(100, 2, tmp_path, bracket=True, warm_build=True)
    for key in ("check_s", "check_warm_s", "check_edited_s", "diff_warm_s", "diff_whole_s", "parse_floor_s", "load_s",
                "load_warm_s", "compute_s", "render_s", "build_s", "floor_s", "ratio", "floor_peak_kib",
                "check_peak_kib", "floor_before_s", "floor_after_s", "build_warm_s", "ratio_warm",
                "build_together_kib"):
        assert float(row[key]) > 0, key
    assert row["floor_s"] == (row["floor_before_s"] + row["floor_after_s"]) / 2
    assert int(row["team_page_bytes"]) > 1000
    assert int(row["search_index_bytes"]) < int(row["site_bytes"])
    shown = table([row])
    assert shown.count("\n") == 3 and "—" not in shown


def test_sizes_above_the_build_limit_are_measured_without_the_site(tmp_path: Path) -> None:
    row = measure(30, 1, tmp_path, build=False)
    assert "build_s" not in row and float(row["diff_warm_s"]) > 0
    assert table([row]).splitlines()[-1].count("—") == 15
