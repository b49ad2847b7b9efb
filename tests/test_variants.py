"""Other editions of the same kind of document: the shared document rewritten the
ways other years print it (full-width digits, the 平成 era, kanji years, 千円
amounts, a later year).  The records must follow the rewrite exactly."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import regex

from yosan import extract_text
from yosan.output import to_rows

FULL_WIDTH = str.maketrans("0123456789,()", "０１２３４５６７８９，（）")
KANJI = "〇一二三四五六七八九"


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def heisei(text: str) -> str:
    return text.replace("令和2年度", "平成32年度").replace("令和元年度", "平成31年度")


def kanji_years(text: str) -> str:
    return regex.sub(r"令和(\d)年度", lambda m: f"令和{KANJI[int(m[1])]}年度", text)


def thousands_of_yen(text: str) -> str:
    def convert(m: regex.Match[str]) -> str:
        return f"{int(m[1].replace(',', '')) * 1000:,}千円"

    return regex.sub(r"(?<![\d.,])(\d{1,3}(?:,\d{3})*)百万円", convert, text)


def three_years_later(text: str) -> str:
    text = regex.sub(r"令和(\d)年度", lambda m: f"令和{int(m[1]) + 3}年度", text)
    return text.replace("令和元年度", "令和4年度")


def _rows(text: str) -> list[dict[str, str]]:
    """Rows without the columns that quote the (rewritten) source."""
    return [{k: v for k, v in row.items() if k not in ("raw", "note")} for row in to_rows(extract_text(text))]


@pytest.fixture(scope="module")
def original(request: pytest.FixtureRequest) -> list[dict[str, str]]:
    from conftest import FIXTURES

    return _rows((FIXTURES / "mext-r2-science-points.txt").read_text(encoding="utf-8"))


def _expect(rows: list[dict[str, str]], change: Callable[[dict[str, str]], None]) -> list[dict[str, str]]:
    out = []
    for row in rows:
        row = dict(row)
        change(row)
        out.append(row)
    return out


def test_full_width_digits_and_brackets(original: list[dict[str, str]], mext_text: str) -> None:
    assert _rows(full_width(mext_text)) == original


def test_heisei_era(original: list[dict[str, str]], mext_text: str) -> None:
    eras = {"令和2年度": "平成32年度", "令和元年度": "平成31年度"}
    expected = _expect(original, lambda r: r.update(era=eras.get(r["era"], r["era"])))
    got = _rows(heisei(mext_text))
    assert [r for r in got if r["kind"] != "other"] == [r for r in expected if r["kind"] != "other"]


def test_kanji_years(original: list[dict[str, str]], mext_text: str) -> None:
    expected = _expect(original, lambda r: r.update(era=r["era"].replace("令和2年度", "令和二年度")))
    got = _rows(kanji_years(mext_text))
    assert [r for r in got if r["kind"] != "other"] == [r for r in expected if r["kind"] != "other"]


def test_thousands_of_yen(original: list[dict[str, str]], mext_text: str) -> None:
    def change(r: dict[str, str]) -> None:
        if r["unit"] == "百万円":
            r["unit"] = "千円"

    expected = _expect(original, change)
    got = _rows(thousands_of_yen(mext_text))
    key = ("line", "kind", "fiscal_year", "amount_yen", "unit", "program", "parent")
    assert [tuple(r[k] for k in key) for r in got] == [tuple(r[k] for k in key) for r in expected]


def test_a_later_year(original: list[dict[str, str]], mext_text: str) -> None:
    def change(r: dict[str, str]) -> None:
        if r["fiscal_year"]:
            r["fiscal_year"] = str(int(r["fiscal_year"]) + 3)
        r["era"] = {"令和2年度": "令和5年度", "令和元年度": "令和4年度"}.get(r["era"], r["era"])

    expected = _expect(original, change)
    got = _rows(three_years_later(mext_text))
    key = ("line", "kind", "fiscal_year", "era", "amount_yen", "program")
    assert [tuple(r[k] for k in key) for r in got] == [tuple(r[k] for k in key) for r in expected]
