"""Fiscal calendars, period names and ``as_of``."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.periods import PeriodKind, PeriodName, current_period, periods_of, resolve_as_of

D = dt.date


def p(text: str) -> PeriodName:
    name = PeriodName.parse(text)
    assert name is not None
    return name


@pytest.mark.parametrize(("text", "fys", "start", "end"), [
    ("2026", 1, D(2026, 1, 1), D(2026, 12, 31)),
    ("2026-Q4", 1, D(2026, 10, 1), D(2026, 12, 31)),
    ("2026-H1", 1, D(2026, 1, 1), D(2026, 6, 30)),
    ("2026", 2, D(2025, 2, 1), D(2026, 1, 31)),          # fiscal 2026 runs Feb 2025 - Jan 2026
    ("2026-Q4", 2, D(2025, 11, 1), D(2026, 1, 31)),
    ("2020-Q4", 2, D(2019, 11, 1), D(2020, 1, 31)),      # GitLab's FY20-Q4: Nov 2019 - Jan 2020
    ("2026-Q1", 7, D(2025, 7, 1), D(2025, 9, 30)),       # Microsoft: FY26 starts 1 July 2025
    ("2026-H2", 7, D(2026, 1, 1), D(2026, 6, 30)),
    ("2026-Q3", 12, D(2026, 6, 1), D(2026, 8, 31)),     # fiscal 2026 starts 1 December 2025
    ("2024-Q1", 1, D(2024, 1, 1), D(2024, 3, 31)),
])
def test_period_calendar(text: str, fys: int, start: dt.date, end: dt.date) -> None:
    assert (p(text).start(fys), p(text).end(fys)) == (start, end)


@pytest.mark.parametrize("fys", range(1, 13))
@pytest.mark.parametrize("year", [2023, 2024, 2025, 2100])
def test_years_halves_and_quarters_nest_and_tile(fys: int, year: int) -> None:
    quarters = [PeriodName(year, PeriodKind.QUARTER, q) for q in range(1, 5)]
    halves = [PeriodName(year, PeriodKind.HALF, h) for h in range(1, 3)]
    whole = PeriodName(year, PeriodKind.YEAR)
    for earlier, later in itertools.pairwise(quarters):
        assert earlier.end(fys) + dt.timedelta(days=1) == later.start(fys)
    assert quarters[0].start(fys) == halves[0].start(fys) == whole.start(fys)
    assert quarters[1].end(fys) == halves[0].end(fys)
    assert quarters[3].end(fys) == halves[1].end(fys) == whole.end(fys)
    assert sum(q.days(fys) for q in quarters) == whole.days(fys)
    assert whole.end(fys).year == year  # named by the calendar year in which it ends
    assert all(whole.contains(q) and not q.contains(whole) for q in quarters)


def test_leap_years() -> None:
    assert p("2024").days(1) == 366
    assert p("2024-Q1").days(1) == 91
    assert p("2025-Q1").days(1) == 90
    assert p("2024").days(3) == 366      # Mar 2023 - Feb 2024 holds 29 February 2024
    assert p("2025").days(3) == 365      # Mar 2024 - Feb 2025 does not
    assert p("2025").days(2) == 366      # Feb 2024 - Jan 2025 does
    assert p("2024-Q4").end(3) == D(2024, 2, 29)


@given(st.dates(min_value=D(1901, 1, 1), max_value=D(2998, 1, 1)), st.integers(1, 12))
def test_every_day_maps_to_the_quarter_half_and_year_that_contain_it(day: dt.date, fys: int) -> None:
    quarter, half, year = periods_of(day, fys)
    assert all(period.includes(day, fys) for period in (quarter, half, year))
    assert year.contains(half) and half.contains(quarter)


def test_containing_periods_nearest_first() -> None:
    assert p("2026-Q3").containing() == (p("2026-H2"), p("2026"))
    assert p("2026-H1").containing() == (p("2026"),)
    assert p("2026").containing() == ()


def test_period_names() -> None:
    assert [PeriodName.parse(t) for t in ("2026-Q5", "2026-H3", "26", "2026-q4", "1899")] == [None] * 5
    assert sorted([p("2026-Q3"), p("2026"), p("2026-H2"), p("2025-Q4"), p("2026-Q1")], key=lambda x: x.sort_key) == [
        p("2025-Q4"), p("2026"), p("2026-Q1"), p("2026-H2"), p("2026-Q3")]


@given(st.from_regex("[12][0-9\u0660-\u0669\uff10-\uff19]{3}(-[HQ][0-9\u0660-\u0669])?\n?", fullmatch=True))
def test_a_period_has_one_name(text: str) -> None:
    # Two files of one folder must never hold the same period: the diff reads a period by its name.
    name = PeriodName.parse(text)
    assert name is None or str(name) == text


@pytest.mark.parametrize("text", ["\uff12\uff10\uff12\uff16-Q4", "\u0662\u0660\u0662\u0666", "2026-Q4\n", "2026\n",
                                  "2026-Q\u0664"])
def test_period_names_are_ascii_and_whole(text: str) -> None:
    assert PeriodName.parse(text) is None


@pytest.mark.parametrize(("as_of", "share"), [
    (D(2026, 9, 30), 0.0), (D(2026, 10, 1), 1 / 92), (D(2026, 11, 28), 59 / 92), (D(2026, 12, 31), 1.0),
    (D(2027, 3, 1), 1.0)])
def test_expected_progress_is_the_elapsed_share(as_of: dt.date, share: float) -> None:
    assert p("2026-Q4").elapsed_share(as_of, 1) == pytest.approx(share)


def test_as_of_precedence() -> None:
    today = D(2026, 11, 28)
    assert resolve_as_of("2026-10-05", "1700000000", today) == D(2026, 10, 5)
    assert resolve_as_of(None, "1700000000", today) == D(2023, 11, 14)
    assert resolve_as_of(None, None, today) == today
    with pytest.raises(ValueError, match=re.escape("--as-of takes a day written YYYY-MM-DD, not '5.10.2026'")):
        resolve_as_of("5.10.2026", None, today)
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH must be a whole number"):
        resolve_as_of(None, "yesterday", today)


def test_current_period() -> None:
    have = (p("2026"), p("2026-Q3"), p("2026-Q4"))
    assert current_period(have, D(2026, 11, 28), 1) == p("2026-Q4")
    assert current_period((p("2026"), p("2026-Q3")), D(2026, 11, 28), 1) == p("2026")
    assert current_period((p("2026-Q2"), p("2026-Q3")), D(2027, 2, 1), 1) == p("2026-Q3")
    assert current_period((p("2027-Q2"), p("2027-Q1")), D(2026, 2, 1), 1) == p("2027-Q1")
    assert current_period((), D(2026, 2, 1), 1) is None
