"""Glyph shapes on a scanned page: bullets, and where a number's digits end.

Tesseract reads a bullet (◆ ◇ ○) as a kanji glued to a title and reads the
unit's kanji after a number as digits in English; both are told here from
the ink itself, as runs of inked columns and connected strokes.
"""

from __future__ import annotations

import numpy as np


def digit_span(band: np.ndarray, start: int, size: float) -> tuple[int, int] | None:
    """Where the digits opening a line lie in ``band`` (its rows), from x ``start`` on.

    Glyphs are runs of inked columns: digits are taller than wide, commas
    small, a kanji of the unit (百, 千, 円) as wide as tall; the span ends
    before it, so the English model reads no kanji as digits.
    """
    ink = band[:, start : start + int(12 * size)] < 128
    columns = np.count_nonzero(ink, axis=0) > 0
    edges = np.flatnonzero(np.diff(np.concatenate(([0], columns.astype(np.int8), [0]))))
    runs = list(zip(edges[::2], edges[1::2], strict=True))
    first = last = None
    for x0, x1 in runs:
        rows = np.flatnonzero(ink[:, x0:x1].any(axis=1))
        tall = int(rows[-1] - rows[0] + 1) if rows.size else 0
        if x1 - x0 >= 0.9 * tall and tall >= size / 2:  # as wide as tall: a kanji, the digits end
            break
        if first is None and tall < size / 3:
            continue  # dust before the number
        first = x0 if first is None else first
        last = x1
    if first is None or last is None:
        return None
    return start + int(first), start + int(last)


def bullet_shape(glyph: np.ndarray) -> str | None:
    """``◆`` or ``○`` when a glyph (ink as True, cropped to its box) is a bullet's geometric shape.

    Tesseract reads ◆ and ◇ as kanji glued to the title (殺戦略的…, 心地球規模…).
    A bullet is as wide as tall, and its outline is a diamond (a third of its
    width a sixth of the way down) or a circle (seven tenths), not a square
    (口) nor a kanji's strokes; it is solid (◆ ●) or an outline around an
    empty hole (◇ ○).  A circled number has ink in its hole and is left to the
    repair rules.
    """
    import cv2

    height, width = glyph.shape
    if height < 8 or not 0.9 <= width / height <= 1.12:
        return None
    contours, _ = cv2.findContours(glyph.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if len(contours) != 1:
        return None
    outer = np.zeros(glyph.shape, np.uint8)
    cv2.drawContours(outer, contours, -1, 1, thickness=-1)

    def across(fraction: float) -> float:  # the outline's width at a height, of the glyph's width
        return float(np.count_nonzero(outer[round(fraction * (height - 1))])) / width

    def symmetry(flipped: np.ndarray) -> float:  # ink with mirrored ink within a pixel
        near = cv2.dilate(flipped.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        return float(np.count_nonzero(glyph & near)) / max(1, int(np.count_nonzero(glyph)))

    # ◆ ◇ ○ ● are the same mirrored both ways; a kanji whose outline looks like one (a
    # blurred 長: a narrow top, a full-width stroke, a narrow foot) is not
    if min(symmetry(glyph[:, ::-1]), symmetry(glyph[::-1, :])) < 0.95:
        return None
    enclosed = np.count_nonzero(outer) / glyph.size
    ends = max(across(1 / 6), across(5 / 6))
    diamond = ends <= 0.45 and across(0.5) >= 0.85 and 0.4 <= enclosed <= 0.62
    circle = 0.55 <= ends <= 0.85 and across(0.5) >= 0.9 and 0.7 <= enclosed <= 0.85
    if not (diamond or circle):
        return None
    fill = np.count_nonzero(glyph) / glyph.size
    if fill >= 0.85 * enclosed:
        return "◆"  # solid: ◆ or ●
    # an outline (◇ ○): all its ink along the edge, none inside (① has its digit there,
    # 先 its strokes)
    inside = cv2.erode(outer, np.ones((3, 3), np.uint8), iterations=max(2, height // 6)).astype(bool)
    return "○" if np.count_nonzero(glyph & inside) <= 0.01 * np.count_nonzero(glyph) else None


def first_glyph(level: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, np.ndarray] | None:
    """The line's first glyph (its x0, x1 and ink) if it is one tall stroke, past dashes and dots."""
    import cv2

    x0, top, x1, bottom = box
    size = max(bottom - top - 16, 8)  # the box has a margin of 8 above and below
    band = level[top:bottom, x0 : min(x1, x0 + 3 * size)] < 128
    count, labels, stats, _ = cv2.connectedComponentsWithStats(band.astype(np.uint8), connectivity=8)
    tall = [i for i in range(1, count) if stats[i, cv2.CC_STAT_HEIGHT] >= 0.5 * size]
    if not tall:
        return None
    first = min(tall, key=lambda i: stats[i, cv2.CC_STAT_LEFT])
    x, y, w, h = (int(v) for v in stats[first, :4])
    for i in range(1, count):
        if i == first or stats[i, cv2.CC_STAT_LEFT] >= x + w:
            continue
        if i in tall or stats[i, cv2.CC_STAT_HEIGHT] >= 0.3 * size:
            return None  # part of a kanji (最's 日 and 取), not a glyph of its own before the text
    return x0 + x, x0 + x + w, labels[y : y + h, x : x + w] == first
