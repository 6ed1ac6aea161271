"""Prints the hostile-input figures at the end of the run, and fails the run if one that must be zero is not."""

from __future__ import annotations

import os

import pytest

from tests.figures import FIGURES, MUST_BE_ZERO

os.environ["OKR_CACHE_DIR"] = "off"  # every test checks for real; the cache has tests of its own


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES["inputs tried"]:
        return
    terminalreporter.section("hostile input summary")
    for name, value in FIGURES.items():
        flag = "" if name not in MUST_BE_ZERO or value == 0 else "   <-- must be 0"
        terminalreporter.write_line(f"{name:>32}: {value}{flag}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if any(FIGURES[name] for name in MUST_BE_ZERO):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
