from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOLDEN = ROOT / "golden"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def mext_text() -> str:
    return (FIXTURES / "mext-r2-science-points.txt").read_text(encoding="utf-8")


# Lines the fuzz tests add (how many inputs, how long): printed at the end of every run.
FUZZ_SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FUZZ_SUMMARY:
        terminalreporter.write_sep("-", "fuzz")
        for line in FUZZ_SUMMARY:
            terminalreporter.write_line(line)
