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
