"""Period names (``2026``, ``2026-H2``, ``2026-Q4``) and the fiscal calendar behind them.

A fiscal year is named by the calendar year in which it ends, as GitLab and Microsoft name theirs:
with a February start, fiscal 2026 runs from February 2025 to January 2026.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

PERIOD_PATTERN = re.compile(r"^(?P<year>[0-9]{4})(?:-(?P<kind>[HQ])(?P<index>[1-4]))?\Z")


class PeriodKind(enum.Enum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"

    # Every Reference hashes a PeriodName, which hashes its kind: Enum's own hash is Python code,
    # the object's is not, and a member is only ever equal to itself.
    __hash__ = object.__hash__

    @property
    def months(self) -> int:
        return _MONTHS[self._value_]


_MONTHS = {"year": 12, "half": 6, "quarter": 3}


@dataclass(frozen=True, slots=True)
class PeriodName:
    """A fiscal period: a year, one of its two halves or one of its four quarters."""

    year: int
    kind: PeriodKind
    index: int = 1
    """1-based half or quarter number; 1 for a year."""

    @classmethod
    def parse(cls, text: str) -> PeriodName | None:
        """``2026``, ``2026-H1``, ``2026-Q4``; ``None`` for anything else."""
        match = PERIOD_PATTERN.match(text)
        if match is None:
            return None
        year = int(match["year"])
        if year < 1900 or year > 2999:
            return None
        if match["kind"] is None:
            return cls(year, PeriodKind.YEAR)
        index = int(match["index"])
        if match["kind"] == "H":
            return cls(year, PeriodKind.HALF, index) if index <= 2 else None
        return cls(year, PeriodKind.QUARTER, index)

    def __str__(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"{self.year}"
        letter = "H" if self.kind is PeriodKind.HALF else "Q"
        return f"{self.year}-{letter}{self.index}"

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Chronological by start, the longer period first: 2026, 2026-H1, 2026-Q1, 2026-Q2, 2026-H2..."""
        first_month = (self.index - 1) * self.kind.months
        return (self.year, first_month, -self.kind.months)

    def containing(self) -> tuple[PeriodName, ...]:
        """The periods that contain this one, the nearest first: a quarter's half, then its year."""
        if self.kind is PeriodKind.QUARTER:
            half = PeriodName(self.year, PeriodKind.HALF, 1 if self.index <= 2 else 2)
            return (half, PeriodName(self.year, PeriodKind.YEAR))
        if self.kind is PeriodKind.HALF:
            return (PeriodName(self.year, PeriodKind.YEAR),)
        return ()

    def contains(self, other: PeriodName) -> bool:
        return other == self or self in other.containing()

    def start(self, fiscal_year_start: int) -> dt.date:
        """The first day of the period."""
        months_before = (self.index - 1) * self.kind.months
        first_year = self.year if fiscal_year_start == 1 else self.year - 1
        month_number = first_year * 12 + (fiscal_year_start - 1) + months_before
        return dt.date(month_number // 12, month_number % 12 + 1, 1)

    def end(self, fiscal_year_start: int) -> dt.date:
        """The last day of the period."""
        start = self.start(fiscal_year_start)
        month_number = start.year * 12 + start.month - 1 + self.kind.months
        next_start = dt.date(month_number // 12, month_number % 12 + 1, 1)
        return next_start - dt.timedelta(days=1)

    def days(self, fiscal_year_start: int) -> int:
        return (self.end(fiscal_year_start) - self.start(fiscal_year_start)).days + 1

    def includes(self, day: dt.date, fiscal_year_start: int) -> bool:
        return self.start(fiscal_year_start) <= day <= self.end(fiscal_year_start)

    def elapsed_share(self, as_of: dt.date, fiscal_year_start: int) -> float:
        """Share of the period that has passed by the end of ``as_of``: 0 before it, 1 after it."""
        start = self.start(fiscal_year_start)
        total = self.days(fiscal_year_start)
        elapsed = (as_of - start).days + 1
        return min(1.0, max(0.0, elapsed / total))


def fiscal_year_of(day: dt.date, fiscal_year_start: int) -> int:
    """The fiscal year a day belongs to, named by the calendar year in which that fiscal year ends."""
    if fiscal_year_start == 1 or day.month < fiscal_year_start:
        return day.year
    return day.year + 1


def periods_of(day: dt.date, fiscal_year_start: int) -> tuple[PeriodName, PeriodName, PeriodName]:
    """The quarter, half and year that a day falls in."""
    year = fiscal_year_of(day, fiscal_year_start)
    month_in_year = (day.month - fiscal_year_start) % 12
    quarter = PeriodName(year, PeriodKind.QUARTER, month_in_year // 3 + 1)
    half = PeriodName(year, PeriodKind.HALF, month_in_year // 6 + 1)
    return quarter, half, PeriodName(year, PeriodKind.YEAR)


def resolve_as_of(option: str | None, source_date_epoch: str | None, today: dt.date) -> dt.date:
    """The day numbers are computed for: the ``--as-of`` option, else ``SOURCE_DATE_EPOCH`` (the
    reproducible-builds convention, read as a UTC day), else today. Raises ``ValueError`` with a
    message for the user when a given value is malformed."""
    if option:
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", option):
                raise ValueError
            return dt.date.fromisoformat(option)
        except ValueError:
            raise ValueError(f"--as-of takes a day written YYYY-MM-DD, not '{option}'") from None
    if source_date_epoch:
        try:
            seconds = int(source_date_epoch)
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, "
                             f"not '{source_date_epoch}'") from None
    return today


def current_period(with_okrs: tuple[PeriodName, ...], as_of: dt.date, fiscal_year_start: int) -> PeriodName | None:
    """The period a reader most likely means on ``as_of``: its quarter, half or year if any team has OKRs
    for it, else the latest period that has started, else the first one."""
    available = set(with_okrs)
    for candidate in periods_of(as_of, fiscal_year_start):
        if candidate in available:
            return candidate
    started = [p for p in with_okrs if p.start(fiscal_year_start) <= as_of]
    if started:
        return max(started, key=lambda p: (p.end(fiscal_year_start), -p.kind.months))
    return min(with_okrs, key=lambda p: p.sort_key) if with_okrs else None
