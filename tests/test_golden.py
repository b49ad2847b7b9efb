"""Every fixture with a golden file must reproduce it exactly (a new pair is a new test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, GOLDEN

from yosan import extract_file
from yosan.golden import compare, default_golden, format_diff, load_golden
from yosan.output import to_rows

SUFFIXES = {".txt", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
# Scans and the layout fixtures are scored against their goldens (`tests/test_ocr.py`,
# `tests/test_layout_reading.py`): their goldens hold the facts of the source pages
# (page, kind, fiscal year, amount, programme), not a record-for-record output.
FACTS = (FIXTURES / "scans", FIXTURES / "layouts")
ALL_PAIRS = sorted(
    p for p in FIXTURES.rglob("*") if p.suffix.lower() in SUFFIXES and default_golden(p).exists()
)
PAIRS = [p for p in ALL_PAIRS if not any(folder in p.parents for folder in FACTS)]


def test_every_golden_has_a_fixture() -> None:
    goldens = {g.resolve() for g in GOLDEN.rglob("*.csv")}
    assert goldens == {default_golden(p) for p in ALL_PAIRS}
    assert PAIRS, "no fixtures with goldens found"


@pytest.mark.parametrize("fixture", PAIRS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_matches_golden(fixture: Path) -> None:
    golden = default_golden(fixture)
    diff = compare(load_golden(golden), to_rows(extract_file(fixture)))
    assert not diff, format_diff(diff, golden)
