"""The figures of the hostile-input suite, printed as one block when the run ends (see conftest.py).

Every figure but the first must be zero; the run fails otherwise, even if no single test noticed.
"""

from __future__ import annotations

FIGURES: dict[str, int] = {
    "inputs tried": 0,
    "tracebacks": 0,
    "errors without a position": 0,
    "active elements from content": 0,
    "private canaries found": 0,
    "strings not displayed exactly": 0,
    "partial publishes": 0,
    "stale pages": 0,
}
MUST_BE_ZERO = tuple(name for name in FIGURES if name != "inputs tried")


def add(name: str, count: int = 1) -> None:
    FIGURES[name] += count
