"""Step 1 for PDFs: pages become lines with positions, in reading order.

Characters (pdfplumber, after ``dedupe_chars`` for overprinted bold) are
grouped into visual rows by vertical overlap, so a label and its amount drawn
as separate objects stay on one line; wide horizontal gaps become tabs, which
the text core reads as table cells.  A two-column body is detected by its
gutter (rows whose left part wraps at the same x) and read column by column.
Ruled tables come from pdfplumber's table finder, one tab-separated line per
row.  Running headers and page numbers (text repeated in the top or bottom
band of many pages) are dropped.  Pages whose text layer is broken are
reported and skipped, never turned into garbage records.
"""

from __future__ import annotations

import itertools
import logging
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import regex

from .errors import InputError
from .sources import Box, Line

log = logging.getLogger("yosan")

HEADER_BAND = 0.07  # top and bottom share of the page where running heads live
_PageLine = tuple[float, str, list[Box | None]]  # (top, text, a box per character)
_DIGITS = regex.compile(r"\d+")
_PAGE_NUMBER = regex.compile(r"^[\s\-–—−ー(（]*\d{1,4}[\s\-–—−ー)）/]*(?:\d{1,4})?[\s\-–—−ー)）]*$")


@dataclass
class _Row:
    top: float
    bottom: float
    chars: list[dict]


def broken_text_reason(chars: list[dict]) -> str | None:
    """Why a page's text layer cannot be trusted, or None."""
    text = "".join(c["text"] for c in chars)
    if not text.strip():
        return None
    n = len(text)
    cid = text.count("(cid:")
    nul = text.count("\x00")
    pua = sum(1 for ch in text if 0xE000 <= ord(ch) <= 0xF8FF)
    radicals = sum(1 for ch in text if 0x2F00 <= ord(ch) <= 0x2FDF or 0x2E80 <= ord(ch) <= 0x2EFF)
    if cid and cid * 5 >= n / 20:
        return f"{cid} unmapped (cid:NNN) glyphs"
    if nul > max(3, n // 50):
        return f"{nul} NUL characters"
    if pua > max(3, n // 50):
        return f"{pua} private-use characters"
    if radicals > max(5, n // 10):
        return f"{radicals} radical characters in place of kanji"
    return None


def _rows(chars: list[dict]) -> list[_Row]:
    """Group characters into visual rows by vertical overlap."""
    rows: list[_Row] = []
    for ch in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        height = max(ch["bottom"] - ch["top"], 0.1)
        for row in reversed(rows[-4:]):
            overlap = min(row.bottom, ch["bottom"]) - max(row.top, ch["top"])
            if overlap >= 0.5 * min(height, row.bottom - row.top):
                row.chars.append(ch)
                row.top, row.bottom = min(row.top, ch["top"]), max(row.bottom, ch["bottom"])
                break
        else:
            rows.append(_Row(ch["top"], ch["bottom"], [ch]))
    for row in rows:
        row.chars.sort(key=lambda c: c["x0"])
    rows.sort(key=lambda r: r.top)
    return rows


def _chunks(row: _Row, gap: float) -> list[list[dict]]:
    """Split a row where characters are further apart than ``gap``."""
    out: list[list[dict]] = [[row.chars[0]]]
    for prev, ch in itertools.pairwise(row.chars):
        if ch["x0"] - prev["x1"] > gap:
            out.append([ch])
        else:
            out[-1].append(ch)
    return out


def _char_width(chars: list[dict]) -> float:
    widths = [c["x1"] - c["x0"] for c in chars if c["text"].strip()]
    return statistics.median(widths) if widths else 5.0


def _gutter(rows: list[_Row], width: float, em: float) -> float | None:
    """The x of a two-column gutter, or None.

    Many rows must leave the same x empty, the left parts must wrap near it
    (text fills its column) and the right parts must start at one x.  A list
    of names with amounts in a column fails the wrap test, so it stays rows.
    """
    votes: Counter[int] = Counter()
    gaps: list[tuple[float, float]] = []
    for row in rows:
        chunks = _chunks(row, 1.5 * em)
        for left, right in itertools.pairwise(chunks):
            a, b = left[-1]["x1"], right[0]["x0"]
            gaps.append((a, b))
            for k in range(int(a // em) + 1, int(b // em) + 1):
                if 0.3 * width < k * em < 0.7 * width:
                    votes[k] += 1
    if not votes:
        return None
    k, count = votes.most_common(1)[0]
    if count < 6:
        return None
    x = k * em
    around = [(a, b) for a, b in gaps if a <= x <= b]
    lo, hi = max(a for a, _ in around), min(b for _, b in around)
    wraps = sum(1 for a, _ in around if a >= lo - 3 * em)
    aligned = sum(1 for _, b in around if b <= hi + 1.5 * em)
    if wraps < 0.4 * len(around) or aligned < 0.7 * len(around):
        return None
    return (lo + hi) / 2


def _line_of(chars: list[dict], em: float) -> tuple[str, list[Box | None]]:
    """Text of a run of characters, big gaps as tabs, with each character's box."""
    text: list[str] = []
    boxes: list[Box | None] = []
    prev = None
    for ch in chars:
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            if gap > 2.5 * em:
                text.append("\t")
                boxes.append(None)
            elif gap > 0.3 * em:
                text.append(" ")
                boxes.append(None)
        text.append(ch["text"])
        boxes.extend([(ch["x0"], ch["top"], ch["x1"], ch["bottom"])] * len(ch["text"]))
        prev = ch
    return "".join(text), boxes


def _reading_order(rows: list[_Row], width: float, em: float) -> Iterator[tuple[float, list[dict]]]:
    """Yield (top, chars) per output line: full-width rows in order, columns one after the other."""
    gutter = _gutter(rows, width, em)
    if gutter is None:
        for row in rows:
            yield row.top, row.chars
        return
    left: list[tuple[float, list[dict]]] = []
    right: list[tuple[float, list[dict]]] = []

    def flush() -> Iterator[tuple[float, list[dict]]]:
        yield from left
        yield from right
        left.clear()
        right.clear()

    def two_sided(row: _Row) -> bool:
        return any(c["x1"] <= gutter for c in row.chars) and any(c["x0"] >= gutter for c in row.chars)

    # Rows above the first row with text on both sides (a title, a box at the
    # top right) are read in order, before the columns.
    first = next((i for i, row in enumerate(rows) if two_sided(row)), len(rows))
    for row in rows[:first]:
        yield row.top, row.chars
    for row in rows[first:]:
        crossing = any(c["x0"] < gutter < c["x1"] for c in row.chars)
        if crossing:
            yield from flush()
            yield row.top, row.chars
            continue
        lpart = [c for c in row.chars if c["x1"] <= gutter]
        rpart = [c for c in row.chars if c["x0"] >= gutter]
        if lpart:
            left.append((row.top, lpart))
        if rpart:
            right.append((row.top, rpart))
    yield from flush()


def _table_lines(page: object) -> tuple[list[_PageLine], list[tuple]]:
    """Ruled tables as tab-separated lines (top, text, boxes), and their bounding boxes."""
    lines = []
    bboxes = []
    for table in page.find_tables():  # type: ignore[attr-defined]
        rows = table.extract()
        if not rows or len(rows[0]) < 2:
            continue
        bboxes.append(table.bbox)
        for row, cells in zip(table.rows, rows, strict=False):
            texts, boxes = [], []
            for cell, bbox in zip(cells, row.cells, strict=False):
                value = (cell or "").replace("\n", "")
                texts.append(value)
                boxes.extend([tuple(bbox) if bbox else None] * len(value))
                boxes.append(None)
            lines.append((row.bbox[1], "\t".join(texts), boxes[:-1]))
    return lines, bboxes


_NEW_ITEM = regex.compile(r"^[\s\-・*※①-⑳○◯●◆◇■□★☆✓➢▷<＜【\[(（]|^\d{1,2}[.．]|^[IVX]+\s")


def _extent(boxes: list[Box | None]) -> tuple[float, float]:
    real = [b for b in boxes if b]
    return min(b[0] for b in real), max(b[2] for b in real)


def _join_wrapped(lines: list[_PageLine], em: float) -> list[_PageLine]:
    """Rejoin lines that wrapped at the right edge of their block (an amount can wrap too).

    A line continues on the next when it reaches the right edge shared by the
    lines that start at the same left margin, and the next line starts no
    further left and does not open a new item (①, ○, -, ※, 【 …).
    """
    if not lines:
        return lines
    extents = [_extent(b) for _, _, b in lines]
    out = [lines[0]]
    for i in range(1, len(lines)):
        x0, x1 = extents[i - 1]
        right = max(e[1] for e in extents if abs(e[0] - x0) < 2 * em or e[0] <= x0)
        nx0, _ = extents[i]
        top, text, boxes = lines[i]
        wrapped = (
            x1 >= right - 1.5 * em
            and nx0 >= x0 - 2 * em
            and "\t" not in text
            and "\t" not in out[-1][1]
            and not _NEW_ITEM.match(text)
            and top - lines[i - 1][0] < 3 * em
        )
        if wrapped:
            ptop, ptext, pboxes = out[-1]
            out[-1] = (ptop, ptext + text, [*pboxes, *boxes])
            extents[i] = (x0, extents[i][1])
        else:
            out.append(lines[i])
    return out


def _inside(ch: dict, bbox: tuple) -> bool:
    x0, top, x1, bottom = bbox
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def page_lines(page: object) -> list[_PageLine]:
    """One page's lines in reading order, each (top, text, per-character boxes)."""
    chars = [c for c in page.chars if c.get("upright", True)]  # type: ignore[attr-defined]
    if not chars:
        return []
    em = _char_width(chars)
    tables, bboxes = _table_lines(page)
    if bboxes:
        chars = [c for c in chars if not any(_inside(c, b) for b in bboxes)]
    flow = _join_wrapped(
        [(top, *_line_of(run, em)) for top, run in _reading_order(_rows(chars), page.width, em)],  # type: ignore[attr-defined]
        em,
    )
    if not tables:
        return flow
    # place each table row among the flowing lines by its vertical position
    out: list[_PageLine] = []
    pending = sorted(tables, key=lambda t: t[0])
    for line in flow:
        while pending and pending[0][0] < line[0]:
            out.append(pending.pop(0))
        out.append(line)
    out.extend(pending)
    return out


def _in_band(top: float, height: float) -> bool:
    return top < HEADER_BAND * height or top > (1 - HEADER_BAND) * height


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", regex.sub(r"\s+", "", text))


def read_pdf(path: Path, options: object = None) -> tuple[list[Line], int]:
    lines = read_pdf_lines(path)
    return lines, max((line.page or 0 for line in lines), default=0)


def read_pdf_lines(path: Path) -> list[Line]:
    """All pages' lines; page-level problems are logged, never fatal."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(path)
    except PDFPasswordIncorrect:
        raise InputError(path, "encrypted PDF: a password is needed") from None
    except Exception as exc:
        detail = str(exc).strip() or type(exc).__name__
        raise InputError(path, f"not a readable PDF: {detail}") from None
    pages: list[tuple[int, float, list[_PageLine]]] = []
    bands: Counter[str] = Counter()
    with pdf:
        try:
            page_list = pdf.pages
        except Exception as exc:
            raise InputError(path, f"not a readable PDF ({type(exc).__name__})") from None
        for number, page in enumerate(page_list, start=1):
            try:
                page = page.dedupe_chars()
                reason = broken_text_reason(page.chars)
                if reason:
                    log.warning("%s: page %d: broken text layer (%s); page skipped", path, number, reason)
                    lines = []
                else:
                    lines = page_lines(page)
            except Exception as exc:
                log.warning("%s: page %d: unreadable (%s); page skipped", path, number, type(exc).__name__)
                lines = []
            height = float(page.height)
            for top, text, _ in lines:
                if _in_band(top, height):
                    bands[_furniture_key(text)] += 1
            pages.append((number, height, lines))
            page.close()
    repeated = {k for k, n in bands.items() if n >= max(2, len(pages) // 2)}
    out: list[Line] = []
    for number, height, lines in pages:
        n = 0
        for top, text, boxes in lines:
            if _in_band(top, height) and (_furniture_key(text) in repeated or _PAGE_NUMBER.match(text)):
                continue
            n += 1
            out.append(Line(number=n, text=text, page=number, boxes=tuple(boxes)))
    return out
