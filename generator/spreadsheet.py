"""``okr import``: the common OKR spreadsheet becomes a YAML tree.

Columns are matched by their header, in English or Russian, in any order; each row is one key result.
Rows that cannot be placed are reported with their number and the reason, and left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.fields import suggest_id
from generator.load import ID_PATTERN, dump
from generator.periods import PeriodName

HEADERS: dict[str, tuple[str, ...]] = {
    "team": ("team", "team id", "department", "команда", "отдел", "подразделение"),
    "period": ("period", "quarter", "период", "квартал"),
    "objective": ("objective", "goal", "цель"),
    "key_result": ("key result", "kr", "key results", "ключевой результат", "кр", "результат"),
    "start": ("start", "baseline", "from", "старт", "начало", "исходное значение", "было"),
    "target": ("target", "to", "целевое значение", "цель кр", "план", "стало"),
    "current": ("current", "now", "actual", "value", "текущее", "факт", "текущее значение", "сейчас"),
    "unit": ("unit", "units", "единица", "единицы", "ед."),
    "owner": ("owner", "responsible", "ответственный", "владелец"),
    "date": ("date", "as of", "updated", "дата", "обновлено"),
    "confidence": ("confidence", "уверенность"),
    "aligned_to": ("aligned to", "parent", "supports", "согласовано с", "поддерживает"),
}
REQUIRED = ("team", "period", "objective", "key_result")


@dataclass(frozen=True, slots=True)
class Skipped:
    row: int
    """1-based, the header being row 1."""
    reason: str


@dataclass(slots=True)
class Imported:
    files: dict[str, str] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    rows: int = 0


def columns(header: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """Which column holds what, and the headers that were not recognised."""
    found: dict[str, int] = {}
    unknown = []
    for index, name in enumerate(header):
        normal = " ".join(str(name or "").strip().lower().replace("_", " ").split())
        key = next((k for k, names in HEADERS.items() if normal in names), None)
        if key is not None and key not in found:
            found[key] = index
        elif normal:
            unknown.append(str(name))
    return found, unknown


def slug(text: str, fallback: str) -> str:
    return suggest_id(text) or fallback


def number(text: Any) -> tuple[float | None, str]:
    """A number as people type it in a spreadsheet (``1 234,5``, ``30%``) and the unit it carried."""
    if isinstance(text, int | float):
        return float(text), ""
    raw = str(text or "").strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not raw:
        return None, ""
    unit = "%" if raw.endswith("%") else ""
    raw = raw.rstrip("%").strip().replace(" ", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    raw = raw.replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"'{text}' is not a finite number")
    return value, unit


def convert(rows: Iterable[Sequence[Any]], today: dt.date, company: str = "Company") -> Imported:
    result = Imported()
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        result.skipped.append(Skipped(1, "the sheet is empty"))
        return result
    found, _ = columns(header)
    missing = [key for key in REQUIRED if key not in found]
    if missing:
        names = "; ".join(f"{key}: {' / '.join(HEADERS[key][:3])}" for key in missing)
        result.skipped.append(Skipped(1, f"no column for {names}"))
        return result
    teams: dict[str, dict[str, Any]] = {}
    for number_in_sheet, row in enumerate(iterator, start=2):
        if not any(str(cell or "").strip() for cell in row):
            continue
        result.rows += 1
        try:
            _place(row, found, teams, today)
        except ValueError as exc:
            result.skipped.append(Skipped(number_in_sheet, str(exc)))
    result.files["team.yaml"] = dump({"name": company})
    for team_id, team in teams.items():
        result.files[f"{team_id}/team.yaml"] = dump({"name": team["name"]})
        for period, objectives in team["periods"].items():
            document = {"objectives": list(objectives.values())}
            result.files[f"{team_id}/{period}.yaml"] = dump(document)
    return result


def _cell(row: Sequence[Any], found: dict[str, int], key: str) -> str:
    index = found.get(key)
    value = row[index] if index is not None and index < len(row) else None
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split()) if value is not None else ""


def _place(row: Sequence[Any], found: dict[str, int], teams: dict[str, dict[str, Any]], today: dt.date) -> None:
    team_text, period_text = _cell(row, found, "team"), _cell(row, found, "period").upper().replace(" ", "")
    objective_title, kr_title = _cell(row, found, "objective"), _cell(row, found, "key_result")
    for key, text in (("team", team_text), ("period", period_text), ("objective", objective_title),
                      ("key result", kr_title)):
        if not text:
            raise ValueError(f"no {key}")
    period = PeriodName.parse(re.sub(r"^(\d{4})(Q|H)", r"\1-\2", re.sub(r"^(Q|H)(\d)[-/ ]?(\d{4})$", r"\3-\1\2",
                                                                             period_text)))
    if period is None:
        raise ValueError(f"'{_cell(row, found, 'period')}' is not a period such as 2026-Q4, 2026-H1 or 2026")
    start, start_unit = number(_cell(row, found, "start"))
    target, target_unit = number(_cell(row, found, "target"))
    current, current_unit = number(_cell(row, found, "current"))
    key_result: dict[str, Any] = {"title": kr_title}
    owner = _cell(row, found, "owner")
    if owner:
        key_result["owner"] = owner
    if start is not None or target is not None:
        if start is None or target is None:
            raise ValueError("a key result needs both start and target, or neither (a milestone)")
        if start == target:
            raise ValueError(f"start and target are both {start:g}: nothing to measure")
        key_result.update(start=_plain(start), target=_plain(target))
        unit = _cell(row, found, "unit") or start_unit or target_unit or current_unit
        if unit:
            key_result["unit"] = unit
    if current is not None:
        day_text = _cell(row, found, "date")
        try:
            day = dt.date.fromisoformat(day_text) if day_text else today
        except ValueError:
            raise ValueError(f"'{day_text}' is not a date written YYYY-MM-DD") from None
        reading: dict[str, Any] = {"date": day, "value": _plain(current)}
        confidence, _ = number(_cell(row, found, "confidence"))
        if confidence is not None:
            reading["confidence"] = confidence / 100 if confidence > 1 else confidence
        key_result["checkins"] = [reading]
    team_id = next((i for i, t in teams.items() if t["name"] == team_text), None)
    if team_id is None:
        team_id = team_text if ID_PATTERN.match(team_text) else slug(team_text, f"team-{len(teams) + 1}")
    team = teams.setdefault(team_id, {"name": team_text, "periods": {}})
    objectives = team["periods"].setdefault(str(period), {})
    objective = objectives.get(objective_title)
    if objective is None:
        objective = {"id": slug(objective_title, f"objective-{len(objectives) + 1}"), "title": objective_title}
        if any(o["id"] == objective["id"] for o in objectives.values()):
            objective["id"] = f"{objective['id'][:55]}-{len(objectives) + 1}"
        objectives[objective_title] = objective
    aligned = _cell(row, found, "aligned_to")
    if aligned and "aligned_to" not in objective:
        objective["aligned_to"] = aligned
    objective.setdefault("key_results", []).append(key_result)


def _plain(value: float) -> float | int:
    return int(value) if value.is_integer() else value
