"""Labels in English and Russian from one message catalog, and locale-correct numbers and dates.

The language is MkDocs' ``theme.language``; a language without labels here falls back to English
labels, but still gets its own number and date formats from Babel's CLDR data.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "achieved": "achieved", "on_track": "on track", "at_risk": "at risk", "off_track": "off track",
        "no_checkin": "no check-in", "upcoming": "upcoming", "healthy": "healthy", "breached": "breached",
        "dropped": "dropped", "stale": "stale",
        "success": "success", "progress": "progress", "miss": "miss",
        "planned": "planned", "in_progress": "in progress", "done": "done",
        "committed": "committed", "aspirational": "aspirational",
        "okrs": "OKRs", "home": "Home", "periods": "Periods", "teams": "Teams", "people": "People",
        "updates": "Updates", "alignment": "Alignment", "risks": "Risks", "overview": "Overview",
        "day_of": "day {day} of {days}", "expected": "expected {value}",
        "company_objectives": "Company objectives", "health_by_department": "Health by department",
        "team": "Team", "objectives": "Objectives", "key_results": "Key results", "key_result": "Key result",
        "start": "Start", "now": "Now", "target": "Target", "status": "Status", "trend": "Trend",
        "confidence": "Confidence", "owner": "Owner", "lead": "Lead", "members": "Members", "links": "Links",
        "part_of": "part of", "sub_teams": "Sub-teams", "description": "Description",
        "aligned_to": "Aligned to", "supported_by": "Supported by", "supports_nothing": "Supports nothing yet.",
        "nothing_supports": "Nothing is aligned to it yet.", "restricted": "a restricted objective",
        "initiatives": "Initiatives", "checkins": "Check-ins", "date": "Date", "value": "Value", "note": "Note",
        "by": "By", "due": "due {date}", "tags": "Tags", "weight": "weight {value}",
        "forecast_meets": "At the current pace it reaches {value} by {date}: the target is met.",
        "forecast_misses": "At the current pace it reaches {value} by {date}: the target is missed.",
        "progress_col": "Progress", "mean_progress": "Progress", "ncs": "NCS", "coverage": "Alignment coverage",
        "discipline": "Check-ins in the last 14 days", "latest_checkins": "Latest check-ins",
        "no_okrs": "No OKRs for this period.", "unaligned": "Not aligned to anything",
        "needs_attention": "Needs attention", "score": "Score", "grade": "Grade",
        "stay_above": "stays above {value}", "stay_below": "stays below {value}",
        "milestone": "percent complete", "team_profile": "Team profile", "okrs_of_every_period": "OKRs by period",
        "how_computed": "How progress is computed", "all_periods": "All periods", "owns": "Owns",
        "no_updates": "No check-ins yet.", "objectives_count": "Objectives", "edit": "Edit",
        "final": "final", "company_goal_tree": "From each company objective down through everything aligned to it.",
        "nothing_at_risk": "Nothing is at risk, off track or stale.", "department": "Department",
        "owned_objectives": "Objectives", "owned_key_results": "Key results", "person": "Person",
        "dropped_because": "dropped: {reason}", "current_period": "Current period", "period": "Period",
        "no_people": "This company keeps no registry of people: add people.yaml to give everyone a page.",
        "newest_updates": "The newest {count} check-ins; every team page keeps its whole history.",
        "deeper_teams": "{count} more teams sit deeper in the tree: each team's page lists its sub-teams.",
        "more_at_risk": "{count} more key results need attention in", "more_aligned": "{count} more aligned to",
        "more_unaligned": "{count} more: each team's page shows what its objectives support.",
    },
    "ru": {
        "achieved": "достигнут", "on_track": "по плану", "at_risk": "под угрозой", "off_track": "отстаёт",
        "no_checkin": "нет отметок", "upcoming": "впереди", "healthy": "в норме", "breached": "нарушен",
        "dropped": "снят", "stale": "давно без отметок",
        "success": "успех", "progress": "прогресс", "miss": "не достигнут",
        "planned": "запланирована", "in_progress": "в работе", "done": "готова",
        "committed": "обязательная", "aspirational": "амбициозная",
        "okrs": "OKR", "home": "Главная", "periods": "Периоды", "teams": "Команды", "people": "Люди",
        "updates": "Обновления", "alignment": "Согласование", "risks": "Риски", "overview": "Обзор",
        "day_of": "день {day} из {days}", "expected": "ожидается {value}",
        "company_objectives": "Цели компании", "health_by_department": "Состояние по отделам",
        "team": "Команда", "objectives": "Цели", "key_results": "Ключевые результаты",
        "key_result": "Ключевой результат", "start": "Старт", "now": "Сейчас", "target": "Цель",
        "status": "Статус", "trend": "Динамика", "confidence": "Уверенность", "owner": "Ответственный",
        "lead": "Руководитель", "members": "Участники", "links": "Ссылки", "part_of": "входит в",
        "sub_teams": "Подкоманды", "description": "Описание", "aligned_to": "Поддерживает",
        "supported_by": "Поддерживают", "supports_nothing": "Пока ничего не поддерживает.",
        "nothing_supports": "Пока ничто её не поддерживает.", "restricted": "закрытая цель",
        "initiatives": "Ключевые инициативы", "checkins": "Отметки", "date": "Дата", "value": "Значение",
        "note": "Комментарий", "by": "Автор", "due": "срок {date}", "tags": "Метки", "weight": "вес {value}",
        "forecast_meets": "При текущем темпе к {date} будет {value}: цель достигается.",
        "forecast_misses": "При текущем темпе к {date} будет {value}: цель не достигается.",
        "progress_col": "Прогресс", "mean_progress": "Прогресс", "ncs": "NCS", "coverage": "Охват согласования",
        "discipline": "Отметки за 14 дней", "latest_checkins": "Последние отметки",
        "no_okrs": "В этом периоде нет OKR.", "unaligned": "Ни с чем не согласованы",
        "needs_attention": "Требуют внимания", "score": "Оценка", "grade": "Итог",
        "stay_above": "не ниже {value}", "stay_below": "не выше {value}",
        "milestone": "процент выполнения", "team_profile": "Профиль команды", "okrs_of_every_period": "OKR по периодам",
        "how_computed": "Как считается прогресс", "all_periods": "Все периоды", "owns": "Отвечает за",
        "no_updates": "Отметок пока нет.", "objectives_count": "Цели", "edit": "Изменить",
        "final": "итог", "company_goal_tree": "От каждой цели компании вниз ко всем целям, которые её поддерживают.",
        "nothing_at_risk": "Нет целей под угрозой, отстающих или давно без отметок.", "department": "Отдел",
        "owned_objectives": "Цели", "owned_key_results": "Ключевые результаты", "person": "Сотрудник",
        "dropped_because": "снят: {reason}", "current_period": "Текущий период", "period": "Период",
        "no_people": "Реестра сотрудников нет: добавьте people.yaml, и у каждого появится своя страница.",
        "newest_updates": "Последние {count} отметок; полная история — на странице каждой команды.",
        "deeper_teams": "Ещё команд глубже в структуре: {count}; у каждой команды на странице есть её подкоманды.",
        "more_at_risk": "Ещё требуют внимания ({count}) в отделе",
        "more_aligned": "Ещё поддерживающих целей ({count}), см.",
        "more_unaligned": "Ещё: {count}; что поддерживают цели команды, видно на её странице.",
    },
}


@dataclass(frozen=True, slots=True)
class Language:
    """Labels and number and date formats for one ``theme.language``."""

    code: str
    locale: Locale
    messages: dict[str, str]

    def __call__(self, key: str, **values: object) -> str:
        return self.messages.get(key, MESSAGES["en"][key]).format(**values)

    def number(self, value: float | None) -> str:
        return "—" if value is None else _decimal(value, self.locale)

    def percent(self, value: float | None) -> str:
        return "—" if value is None else _percent(value, self.locale)

    def percent_value(self, value: float) -> str:
        """A value already in percent (``unit: "%"``), with its decimals and the locale's percent sign."""
        pattern = self.locale.percent_formats[None].pattern
        sign = pattern[pattern.rfind("0") + 1:] if "%" in pattern[pattern.rfind("0"):] else "%"
        return f"{self.number(value)}{sign}"

    def signed_percent(self, value: float | None) -> str:
        if value is None:
            return "—"
        text = self.percent(abs(value))
        return text if round(value * 100) == 0 else ("+" if value > 0 else "−") + text

    def date(self, value: dt.date | None) -> str:
        return "—" if value is None else _date(value, "medium", self.locale)

    def short_date(self, value: dt.date) -> str:
        return _date(value, "d MMM", self.locale)


# A site prints the same few thousand numbers hundreds of thousands of times (confidence 70%, progress
# 45%): Babel's formatting was the largest single cost of rendering a large company.
@functools.lru_cache(maxsize=65536)
def _decimal(value: float, locale: Locale) -> str:
    return format_decimal(value, format="#,##0.##", locale=locale)


@functools.lru_cache(maxsize=65536)
def _percent(value: float, locale: Locale) -> str:
    return format_percent(value, locale=locale)


@functools.lru_cache(maxsize=8192)
def _date(value: dt.date, pattern: str, locale: Locale) -> str:
    return format_date(value, format=pattern, locale=locale)


def language(code: str | None) -> Language:
    """The language for MkDocs' ``theme.language`` (``en`` when unset or unknown)."""
    code = (code or "en").replace("-", "_")
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        locale, code = Locale.parse("en"), "en"
    messages = MESSAGES.get(locale.language, MESSAGES["en"])
    return Language(locale.language, locale, messages)
