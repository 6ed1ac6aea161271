"""Where something came from, and what went wrong there."""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A position in an input file; line and column are 1-based, as editors count them."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of the loader or the validator, with a stable rule id in ``code``."""

    location: Location
    severity: Severity
    code: str
    message: str

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.code, self.message)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}[{self.code}]: {self.message}"


def error(location: Location, code: str, message: str) -> Problem:
    return Problem(location, Severity.ERROR, code, message)


def warning(location: Location, code: str, message: str) -> Problem:
    return Problem(location, Severity.WARNING, code, message)


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Sorted by position, duplicates removed: the order every report uses."""
    return sorted(set(problems), key=lambda p: p.sort_key)
