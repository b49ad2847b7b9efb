from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOLDEN = ROOT / "golden"
AMOUNT_KINDS = ("budget", "previous", "supplementary")  # the kinds the renderings are scored on


def golden_keys(lines: set[int]) -> Counter[tuple[str, str, str, str]]:
    """The text golden's budget, previous and supplementary records on source ``lines``, as
    (kind, fiscal year, amount, programme without spaces), the way the rendering tests compare."""
    with (GOLDEN / "mext-r2-science-points.csv").open(encoding="utf-8") as fh:
        return Counter(
            (r["kind"], r["fiscal_year"], r["amount_yen"], r["program"].replace(" ", ""))
            for r in csv.DictReader(fh)
            if r["kind"] in AMOUNT_KINDS and int(r["line"]) in lines
        )


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
