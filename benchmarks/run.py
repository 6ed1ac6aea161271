"""Builds synthetic companies of several sizes and measures every stage side by side:
``python -m benchmarks.run --sizes 100 1000 [--periods 4] [--results benchmarks/RESULTS.md]``.

For each size: ``okr check`` cold (no cache), after an edit of three files (the others parsed and
validated before), and with nothing changed, against PyYAML's C loader reading the same files; ``okr diff`` of two
commits three files apart, warm; the generator's own stages in one process (load and validate cold
and warm, compute, render); the full ``okr build``, cold; the floor, a plain ``mkdocs build`` of the
very same generated Markdown written to disk with no plugin; their ratio and the generator's share;
peak memory of the check, the build and the floor (the largest process), and of the build's
processes together; the size of ``site/`` and of its search index;
the median bytes of a team page (which must not grow with N). ``--build-up-to N`` skips the two
site builds above N teams, where they take hours; ``--bracket`` builds the floor before and after the
build, since this machine's speed drifts within the hour; ``--warm-build`` builds a second time with
the cache of parsed and validated files kept, as CI does.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from benchmarks.synth import generate as synthesize

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"
STAGES = """
import datetime as dt, json, pathlib, sys, tempfile, time, yaml
from generator.build import checked
from generator.load import read_tree
from generator.parsecache import ParseCache
from generator.privacy import public_view
from generator.progress import evaluate
from generator.pages import site_pages
times = {}
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.yaml"))
t = time.perf_counter()
for file in files:
    yaml.load(file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
times["parse_floor"] = time.perf_counter() - t
t = time.perf_counter(); result = checked(read_tree(pathlib.Path(sys.argv[1]), "okrs"), ParseCache(None))
times["load"] = time.perf_counter() - t
with tempfile.TemporaryDirectory() as folder:
    cache = ParseCache(pathlib.Path(folder))
    checked(read_tree(pathlib.Path(sys.argv[1]), "okrs"), cache)
    t = time.perf_counter(); result = checked(read_tree(pathlib.Path(sys.argv[1]), "okrs"), cache)
    times["load_warm"] = time.perf_counter() - t
t = time.perf_counter(); company = public_view(result.company); evaluation = evaluate(company, dt.date(2026, 11, 28))
times["compute"] = time.perf_counter() - t
t = time.perf_counter(); pages = site_pages(company, evaluation); times["render"] = time.perf_counter() - t
print(json.dumps(times))
"""
MEASURE = """
import os, resource, subprocess, sys, time

def tree(pid):
    found, todo = [], [pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
        except OSError:
            pass
    return found

def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0

t = time.perf_counter()
process = subprocess.Popen(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
together = 0
while process.poll() is None:
    together = max(together, sum(pss(pid) for pid in tree(process.pid)))
    time.sleep(0.5)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, process.returncode, together)
"""


class Measured(NamedTuple):
    seconds: float
    peak_kib: int
    """The largest process's peak resident memory."""
    together_kib: int
    """The most its processes held at once, summed (proportional set size, sampled twice a second; 0
    where /proc does not tell)."""


def _measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Measured:
    """Wall time and peak memory (KiB) of a command and its children."""
    done = subprocess.run([sys.executable, "-c", MEASURE, str(cwd), *command], capture_output=True, text=True,
                          check=True, env=env)
    seconds, peak, code, together = done.stdout.split()
    if code != "0":
        raise RuntimeError(f"{' '.join(command)} failed in {cwd}")
    return Measured(float(seconds), int(peak), int(together))


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _diff_warm(project: Path, okr: list[str], env: dict[str, str]) -> tuple[float, float]:
    """``okr diff`` of two commits three period files apart, its files' caches filled by a run before: as CI
    runs it, after ``okr check`` of the checkout (only the changed files are read), and with no check of
    HEAD kept (both sides read whole)."""
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, env=env)

    git("init", "-q")
    git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "--allow-empty", "-m", "empty")
    git("add", "okrs")
    git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "base")
    for file in sorted((project / "okrs").rglob("2026-Q4.yaml"))[:3]:
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace("title: ", "title: Renamed ", 1), encoding="utf-8")
    git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-am", "head")
    diff = [*okr, "diff", "HEAD~1", "HEAD", "--format", "text"]
    _measure(diff, project, env)
    outcomes = Path(env["OKR_CACHE_DIR"]) / "check"
    shutil.rmtree(outcomes, ignore_errors=True)  # HEAD's check, which that run kept
    whole = _measure(diff, project, env).seconds
    shutil.rmtree(outcomes, ignore_errors=True)
    _measure([*okr, "check", "okrs"], project, env)  # as the pull-request workflow does before its diff
    after_check = _measure(diff, project, env).seconds
    return after_check, whole


def measure(teams: int, periods: int, work: Path, build: bool = True, bracket: bool = False,
            warm_build: bool = False) -> dict[str, float | int]:
    project = work / f"teams-{teams}"
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    synthesize(teams, periods, 1, project / "okrs")
    (project / "docs").mkdir()
    (project / "docs" / "about.md").write_text("# About\n")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    nav_start = config.index("\nnav:")
    config = config[:nav_start] + "\nnav:\n  - Home: index.md\n  - Periods: periods.md\n  - Teams: teams/index.md\n"
    (project / "mkdocs.yml").write_text(config.replace("  - tags\n", ""), encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795824000", "NO_MKDOCS_2_WARNING": "1"}
    okr = [sys.executable, "-m", "generator"]
    row: dict[str, float | int] = {"teams": teams}
    row["check_s"], row["check_peak_kib"], _ = _measure([*okr, "check", "okrs"], project,
                                                         {**env, "OKR_CACHE_DIR": "off"})
    cached = {**env, "OKR_CACHE_DIR": str(project / "cache")}
    _measure([*okr, "check", "okrs"], project, cached)  # fills the cache
    row["check_warm_s"] = _measure([*okr, "check", "okrs"], project, cached).seconds
    period_files = [f for f in sorted((project / "okrs").rglob("*.yaml")) if f.name not in ("team.yaml", "people.yaml")]
    for file in period_files[:3]:  # what a check after an edit finds
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")
    row["check_edited_s"] = _measure([*okr, "check", "okrs"], project, cached).seconds
    row["diff_warm_s"], row["diff_whole_s"] = _diff_warm(project, okr, cached)
    stages = subprocess.run([sys.executable, "-c", STAGES, str(project / "okrs")], capture_output=True, text=True,
                            check=True, cwd=REPO)
    for stage, seconds in json.loads(stages.stdout).items():
        row[f"{stage}_s"] = seconds
    if not build:
        return row
    env = {**env, "OKR_CACHE_DIR": "off"}  # the build parses every file: the cold case
    floor = _floor(project, config, okr, env)
    # This machine's speed drifts by a quarter within an hour; a floor on each side of the build
    # compares the build with the machine it ran on, not with the machine of ten minutes before.
    floors = [floor()] if bracket else []
    row["build_s"], row["build_peak_kib"], row["build_together_kib"] = _measure([*okr, "build", "--as-of", AS_OF],
                                                                                project, env)
    if warm_build:  # as CI builds with its cache kept: every file parsed and validated by the runs above
        row["build_warm_s"] = _measure([*okr, "build", "--as-of", AS_OF], project, cached).seconds
    site = project / "site"
    row["site_bytes"] = _size(site)
    row["search_index_bytes"] = (site / "search" / "search_index.json").stat().st_size
    # The median, not one chosen team: a department's page lists its sub-teams and grows with them.
    team_pages = sorted(page.stat().st_size for page in (site / "2026-Q4").glob("team-*/index.html"))
    row["team_page_bytes"] = team_pages[len(team_pages) // 2]
    floors.append(floor())
    row["floor_s"] = sum(floor.seconds for floor in floors) / len(floors)
    row["floor_peak_kib"] = max(floor.peak_kib for floor in floors)
    if bracket:
        row["floor_before_s"], row["floor_after_s"] = floors[0].seconds, floors[1].seconds
    row["ratio"] = row["build_s"] / row["floor_s"]
    if warm_build:
        row["ratio_warm"] = row["build_warm_s"] / row["floor_s"]
    return row


def _floor(project: Path, config: str, okr: list[str], env: dict[str, str]) -> Callable[[], Measured]:
    """The floor: the same pages on disk, built by MkDocs with no plugin at all; one build per call."""
    subprocess.run([*okr, "generate", "okrs", "--out", "floor-docs", "--as-of", AS_OF], cwd=project, check=True,
                   capture_output=True, env=env)
    shutil.copy(project / "docs" / "about.md", project / "floor-docs" / "about.md")
    plain = config.replace("  - okrs:\n      source: okrs\n      include_private: false\n", "").replace(
        "docs_dir: docs", "docs_dir: floor-docs").replace("  - tags\n", "")
    plain += "extra_css:\n  - assets/okrs/okrs.css\n"
    (project / "floor.yml").write_text(plain, encoding="utf-8")
    return lambda: _measure([sys.executable, "-m", "mkdocs", "build", "-f", "floor.yml", "-d", "floor-site"],
                            project, env)


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


COLUMNS = [
    ("teams", "teams", "{:,.0f}"), ("okr check", "check_s", "{:.1f} s"),
    ("C-loader parse", "parse_floor_s", "{:.1f} s"),
    ("check/parse", "check_ratio", "{:.2f}"), ("check after editing 3 files", "check_edited_s", "{:.1f} s"),
    ("check, nothing changed", "check_warm_s", "{:.1f} s"), ("check peak RSS", "check_peak_mib", "{:.0f} MiB"),
    ("diff, warm", "diff_warm_s", "{:.1f} s"), ("diff, read whole", "diff_whole_s", "{:.1f} s"),
    ("load + validate", "load_s", "{:.1f} s"),
    ("warm", "load_warm_s", "{:.1f} s"), ("compute", "compute_s", "{:.1f} s"), ("render", "render_s", "{:.1f} s"),
    ("okr build", "build_s", "{:.1f} s"), ("floor (mkdocs)", "floor_s", "{:.1f} s"),
    ("floor before", "floor_before_s", "{:.1f} s"), ("floor after", "floor_after_s", "{:.1f} s"),
    ("build/floor", "ratio", "{:.2f}"), ("okr build, warm cache", "build_warm_s", "{:.1f} s"),
    ("warm build/floor", "ratio_warm", "{:.2f}"),
    ("generator share, cold", "share_cold", "{:.0%}"), ("warm", "share_warm", "{:.0%}"),
    ("build peak RSS", "build_peak_mib", "{:.0f} MiB"),
    ("build, all processes at once", "build_together_mib", "{:.0f} MiB"),
    ("floor peak RSS", "floor_peak_mib", "{:.0f} MiB"),
    ("site", "site_mib", "{:.1f} MiB"), ("search index", "search_index_mib", "{:.1f} MiB"),
    ("median team page", "team_page_kib", "{:.0f} KiB"),
]


def _derived(row: dict[str, float | int]) -> dict[str, float]:
    values = {key: float(value) for key, value in row.items()}
    values["check_ratio"] = values["check_s"] / values["parse_floor_s"]
    values["check_peak_mib"] = values["check_peak_kib"] / 1024
    if "build_s" in values:
        stages = values["compute_s"] + values["render_s"]
        values["share_cold"] = (values["load_s"] + stages) / values["build_s"]
        values["share_warm"] = (values["load_warm_s"] + stages) / values["build_s"]
        for key in ("build_peak", "floor_peak", "build_together"):
            if f"{key}_kib" in values:
                values[f"{key}_mib"] = values[f"{key}_kib"] / 1024
        values["site_mib"] = values["site_bytes"] / 2**20
        values["search_index_mib"] = values["search_index_bytes"] / 2**20
        values["team_page_kib"] = values["team_page_bytes"] / 1024
    return values


def table(rows: list[dict[str, float | int]]) -> str:
    """A Markdown table, one row per size; a value not measured (no build at that size) is a dash."""
    header = "| " + " | ".join(title for title, _, _ in COLUMNS) + " |\n|" + "---|" * len(COLUMNS) + "\n"
    lines = []
    for row in rows:
        values = _derived(row)
        lines.append("| " + " | ".join(shape.format(values[key]) if key in values else "—"
                                        for _, key, shape in COLUMNS) + " |")
    return header + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--periods", type=int, default=4)
    parser.add_argument("--work", default="benchmarks/out")
    parser.add_argument("--results", help="append the table to this Markdown file")
    parser.add_argument("--build-up-to", type=int, default=10**9,
                        help="build the site only up to this many teams (larger sizes: check, diff and stages)")
    parser.add_argument("--warm-build", action="store_true",
                        help="build a second time with the cache of parsed and validated files kept, as CI does")
    parser.add_argument("--bracket", action="store_true",
                        help="build the floor before and after the build and compare with their mean")
    args = parser.parse_args()
    rows = []
    for teams in args.sizes:
        rows.append(measure(teams, args.periods, Path(args.work).resolve(), build=teams <= args.build_up_to,
                            bracket=args.bracket, warm_build=args.warm_build))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    text = (f"\n## {dt.date.today().isoformat()}: {', '.join(f'{s:,}' for s in args.sizes)} teams, "
            f"{args.periods} periods\n\n{machine()}\n\n{table(rows)}")
    print(text)
    if args.results:
        with Path(args.results).open("a", encoding="utf-8") as results:
            results.write(text)


if __name__ == "__main__":
    main()
