"""``yosan_golden``: a pytest fixture that checks your own documents against golden files.

Installed with the toolkit (entry point ``pytest11``), so any test suite can use it::

    def test_budget_book(yosan_golden):
        yosan_golden("docs/r7-budget.pdf")                    # golden: docs/golden/r7-budget.csv
        yosan_golden("docs/r6.pdf", golden="tests/r6.csv")   # or say where

A mismatch fails the test with the diff of ``yosan check`` (missing, unexpected
and changed records, changes as golden → output).  ``pytest --yosan-update``
writes the goldens from the output instead and reports what it wrote; check
them by hand before committing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .golden import compare, default_golden, format_diff, load_golden
from .output import render, to_rows, write_atomic
from .pipeline import Options, extract_document


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("yosan").addoption(
        "--yosan-update",
        action="store_true",
        default=False,
        help="yosan_golden: write the golden files from the output instead of comparing",
    )


GoldenCheck = Callable[..., list[dict[str, str]]]


@pytest.fixture
def yosan_golden(request: pytest.FixtureRequest) -> GoldenCheck:
    """``yosan_golden(document, golden=None, fiscal_year=None, ocr="auto")``: extract ``document``
    and compare its records with ``golden`` (default: ``golden/<stem>.csv`` beside the document's
    ``fixtures/`` folder, else ``golden/`` beside the document).  Returns the output rows."""
    update = bool(request.config.getoption("--yosan-update"))

    def check(
        document: str | Path,
        golden: str | Path | None = None,
        fiscal_year: int | None = None,
        ocr: str = "auto",
    ) -> list[dict[str, str]]:
        document = Path(document)
        target = Path(golden) if golden is not None else default_golden(document)
        records = extract_document(document, Options(fiscal_year=fiscal_year, ocr=ocr)).records
        actual = to_rows(records)
        if update:
            old = load_golden(target) if target.exists() else []
            write_atomic(target, render(records, "csv"))
            print(format_diff(compare(old, actual), target, written=len(actual)))
            return actual
        if not target.exists():
            pytest.fail(
                f"{target}: no golden file: run pytest --yosan-update to write it, then check it by hand",
                pytrace=False,
            )
        diff = compare(load_golden(target), actual)
        if diff:
            pytest.fail(format_diff(diff, target), pytrace=False)
        return actual

    return check
