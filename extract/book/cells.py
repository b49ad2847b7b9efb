"""Figures in table cells: one well-formed number per visual row, in the column's unit.

A budget table's cell holds a figure (``132,209``, ``△72,993``), sometimes
with the column's unit printed on its row (``千円88``), sometimes nothing or a
dash.  A row that is not one well-formed number is read again without its
spaces (a text layer splits ``2,21 9``); a row still malformed is refused with a
warning, never read as a smaller number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import regex

from ..model import Cell, TextLine
from ..normalize import normalize_map
from ..numbers import AmountError, parse_amount
from .columns import header_unit

log = logging.getLogger("yosan")
YEN_CACHE = 8192  # figures whose value in yen is kept (a 612-page book states about 10,000, many twice)
_NUMBER_CELL = regex.compile(r"^(?P<sign>[△▲-])?\s?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<decimal>\.\d+)?$")
_DIGIT = regex.compile(r"\d")
_WORDS = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}%％]")
_DASH = regex.compile(r"^[-‐－―—ー−]+$")


@dataclass(frozen=True)
class Figure:
    value: Decimal  # in the column's unit, signed
    line: TextLine
    start: int  # span in line.text
    end: int


_LEAD_UNIT = regex.compile(r"^[(（]?(?:単位[:：]?)?(?P<unit>[千百万億]?円)[)）]?\s?")


def cell_figures(cell: Cell | None, source: str, page: int | None) -> tuple[list[Figure], str]:
    """The figures of a money cell, one per visual row, and a unit it states on its own (``千円``)."""
    if cell is None or not cell.lines:
        return [], ""
    figures: list[Figure] = []
    unit = ""
    for line in cell.line().visual():
        text = normalize_map(line.text).text.strip()
        if not text or _DASH.match(text):
            continue
        stated = header_unit(text)
        if stated:
            unit = stated
            continue
        lead = _LEAD_UNIT.match(text)
        if lead and len(text) > lead.end():  # 千円88: the unit's glyphs stand on the figure's row
            unit = lead["unit"]
            text = text[lead.end() :]
        m = _NUMBER_CELL.match(text) or _NUMBER_CELL.match(text.replace(" ", ""))
        if not m:
            if _DIGIT.search(text) and not _WORDS.search(text):
                where = f"page {page}: " if page is not None else ""
                log.warning("%s: %sfigure %r not read: not one number", source, where, text)
            continue
        value = Decimal(m["digits"].replace(",", "") + (m["decimal"] or ""))
        figures.append(Figure(-value if m["sign"] else value, line, 0, len(line.text)))
    return figures, unit


def to_yen(value: Decimal, unit: str) -> int | None:
    """The figure in yen, or None when it is no whole number of yen (a rate in a money column)."""
    yen = _yen_of(f"{abs(value)}{unit}")
    if yen is None:
        return None
    return -yen if value < 0 else yen


@lru_cache(maxsize=YEN_CACHE)
def _yen_of(text: str) -> int | None:
    """An unsigned figure and its unit in yen (kept: a book states its figures again and again,
    in its summaries, its 款・項・目 totals and its 前年度 columns)."""
    try:
        amount = parse_amount(text)
    except AmountError:
        return None
    if amount.yen != amount.yen.to_integral_value():
        return None
    return int(amount.yen)
