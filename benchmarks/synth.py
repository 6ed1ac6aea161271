"""A synthetic company for benchmarks: ``python -m benchmarks.synth --teams N --periods P --seed S --out DIR``.

Departments and teams several levels deep, 2-5 objectives per team and period, 3-5 key results each
with 4-12 check-ins, alignment to parents across teams, some private objectives, people, Unicode
titles. The same arguments always write the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

import yaml

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml writes ten times faster

WORDS = ["grow", "reduce", "launch", "improve", "automate", "simplify", "expand", "retain", "delight", "secure"]
THINGS = ["checkout", "onboarding", "support", "catalogue", "delivery", "pricing", "search", "returns", "loyalty",
          "analytics"]
UNICODE = ["Рост выручки", "Снижение оттока", "Качество сервиса", "Скорость доставки", "Café crème", "Über-Qualität",
           "顧客満足", "Netto-Promoter 📈"]


def periods(count: int) -> list[str]:
    """The last ``count`` quarters up to 2026-Q4."""
    quarters = [f"{year}-Q{q}" for year in range(2020, 2027) for q in range(1, 5)]
    return quarters[-count:]


def generate(teams: int, period_count: int, seed: int, out: Path) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    chosen = periods(period_count)
    people = {f"person-{i}": {"name": f"{rng.choice(['Anna', 'Boris', 'Chen', 'Dana', 'Ефим', 'Zoë'])} {i}"}
              for i in range(max(10, teams // 2))}
    names = list(people)
    (out / "team.yaml").write_text(yaml.safe_dump({"name": "Synthetic Corp", "lead": names[0]}), encoding="utf-8")
    (out / "people.yaml").write_text(yaml.dump(people, Dumper=DUMPER, allow_unicode=True), encoding="utf-8")
    folders: list[tuple[str, str]] = [("", "company")]  # (folder, team id)
    for number in range(1, teams):
        parent_folder, _ = folders[rng.randrange(0, min(len(folders), 1 + number // 3))] if number > 6 else folders[0]
        team_id = f"team-{number}"
        folder = f"{parent_folder}/{team_id}" if parent_folder else team_id
        folders.append((folder, team_id))
        (out / folder).mkdir(parents=True)
        (out / folder / "team.yaml").write_text(yaml.safe_dump(
            {"name": f"{rng.choice(UNICODE)} {number}", "lead": rng.choice(names),
             "members": rng.sample(names, 3)}, allow_unicode=True), encoding="utf-8")
    parents: dict[str, str] = {}
    for folder, team_id in folders:
        parent_id = folder.rsplit("/", 2)[-2] if folder.count("/") >= 1 else "company"
        parents[team_id] = parent_id if team_id != "company" else ""
    for period in chosen:
        year, quarter = int(period[:4]), int(period[-1])
        start = dt.date(year, 3 * quarter - 2, 1)
        ids: dict[str, list[str]] = {}
        for folder, team_id in folders:
            objectives = []
            for o in range(rng.randint(2, 5)):
                objective_id = f"o{o}"
                objective: dict[str, object] = {
                    "id": objective_id,
                    "title": f"{rng.choice(WORDS).title()} {rng.choice(THINGS)} — {rng.choice(UNICODE)}",
                    "owner": rng.choice(names),
                }
                parent = parents.get(team_id)
                if parent and ids.get(parent):
                    objective["aligned_to"] = f"{parent}/{rng.choice(ids[parent])}"
                if rng.random() < 0.05:
                    objective["private"] = True
                key_results = []
                for k in range(rng.randint(3, 5)):
                    begin = rng.randint(0, 100)
                    target = begin + rng.choice([-1, 1]) * rng.randint(10, 100)
                    checkins = []
                    for c in range(rng.randint(4, 12)):
                        day = start + dt.timedelta(days=min(89, 7 * c + rng.randint(0, 6)))
                        value = begin + (target - begin) * (c + 1) / 14 * rng.uniform(0.5, 1.3)
                        checkins.append({"date": day, "value": round(value, 1),
                                         "confidence": round(rng.uniform(0.3, 0.9), 1)})
                    key_results.append({"id": f"kr{k}", "title": f"{rng.choice(THINGS).title()} metric {k}",
                                        "start": begin, "target": target, "unit": rng.choice(["%", "", "₽", "ms"]),
                                        "owner": rng.choice(names), "checkins": checkins})
                objective["key_results"] = key_results
                objectives.append(objective)
            ids[team_id] = [str(o["id"]) for o in objectives if not o.get("private")]
            path = out / folder / f"{period}.yaml"
            path.write_text(yaml.dump({"objectives": objectives}, Dumper=DUMPER, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--periods", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="benchmarks/out/okrs")
    args = parser.parse_args()
    generate(args.teams, args.periods, args.seed, Path(args.out))


if __name__ == "__main__":
    main()
