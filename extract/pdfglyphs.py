"""Step 2 for text layers: a PDF page → glyphs with positions and ruling lines (PDFium).

PDFium reads a page's text about ten times faster than pdfminer; here it is
asked as little as possible per character (its code, one box and one angle;
whether its Unicode was guessed only for a sample), and rules are read from each path
object's bounds where the path is a line or a rectangle, the way budget
books and office suites draw them, so a 612-page ruled book stays fast.
Coordinates are turned into the model's convention (points, ``top`` down
from the top of the visible page, rotation applied).
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from .model import Glyph, Ruling
from .pdfchars import PageGeometry

_MAX_DEPTH = 8  # nested form XObjects followed when collecting ruling lines
THIN = 2.0  # points: a path no wider (or no taller) than this is a rule, not a box
SAMPLE_ALL_BELOW = 400  # characters: a page with fewer has every character's Unicode mapping checked
SAMPLE_STEP = 4  # otherwise every SAMPLE_STEP-th character's is (the test is a share, 5%)
_STROKED = {1, 2, 5, 6}  # text render modes that stroke the glyphs' outlines
_SUBSET = re.compile(rb"^[A-Z]{6}\+")  # the tag a PDF writer puts before a font subset's name
UPRIGHT = 5.0  # degrees: characters turned further than this are not read (sideways labels)


@dataclass(frozen=True)
class TextLayer:
    """What a page's text layer gave: its glyphs, and an estimate of how many lacked Unicode."""

    glyphs: list[Glyph]
    unmapped: int
    chars: int
    invisible: float = 0.0  # the share of characters drawn invisibly (render mode 3): a scanner's OCR


INVISIBLE = 3  # the text render mode that draws nothing: OCR text laid over a scanned image
INVISIBLE_SAMPLE = 64  # characters asked for their render mode, spread over the page


def _invisible_share(handle: object, count: int) -> float:
    """How much of a page's text is invisible, from a sample of its characters."""
    step = max(1, count // INVISIBLE_SAMPLE)
    asked = hidden = 0
    for i in range(0, count, step):
        obj = raw.FPDFText_GetTextObject(handle, i)
        if not obj:
            continue
        asked += 1
        hidden += raw.FPDFTextObj_GetTextRenderMode(obj) == INVISIBLE
    return hidden / asked if asked else 0.0


def _lean(function: object, restype: type | None = ctypes.c_int) -> Callable[..., Any]:
    """A PDFium function called without ctypes' per-argument conversion, which costs more than
    PDFium's own work for the per-character calls (about half the time of each call).  Its callers
    pass only what ctypes passes unconverted: Python ints (C int), ``c_void_p`` handles and
    ``byref`` pointers."""
    address = ctypes.cast(function, ctypes.c_void_p).value  # type: ignore[arg-type]
    assert address, "PDFium function without an address"
    return ctypes.CFUNCTYPE(restype)(address)  # no argtypes: the arguments go as they are


def _address(pointer: Any) -> ctypes.c_void_p:
    """A PDFium handle as a plain pointer, read from the handle's own memory (``ctypes.cast`` would
    make a reference cycle for each handle: garbage for the cyclic collector)."""
    return ctypes.c_void_p.from_buffer(pointer)


_UNICODE_OF = _lean(raw.FPDFText_GetUnicode, ctypes.c_uint)
_LOOSE_BOX = _lean(raw.FPDFText_GetLooseCharBox)
_ANGLE_OF = _lean(raw.FPDFText_GetCharAngle, ctypes.c_float)
_IS_GENERATED = _lean(raw.FPDFText_IsGenerated)
_MAP_ERROR = _lean(raw.FPDFText_HasUnicodeMapError)


def page_glyphs(page: pdfium.PdfPage, geo: PageGeometry) -> TextLayer:
    """The page's upright characters with loose boxes (the font's full height), whitespace left out."""
    textpage = page.get_textpage()
    handle = textpage.raw
    try:
        count = raw.FPDFText_CountChars(handle)
        if count <= 0:
            return TextLayer([], 0, 0)
        # one call per character: FPDFText_GetText skips characters without Unicode, so its
        # buffer does not line up with the character indices the boxes are asked by
        lean = _address(handle)  # the handle, for _lean calls
        unicode_of, angle_of, generated, map_error = _UNICODE_OF, _ANGLE_OF, _IS_GENERATED, _MAP_ERROR
        rect = raw.FS_RECTF()
        at_rect = ctypes.byref(rect)
        loose_box = _LOOSE_BOX
        step = 1 if count < SAMPLE_ALL_BELOW else SAMPLE_STEP
        glyphs: list[Glyph] = []
        unmapped = 0
        high = 0
        fonts = _Fonts(handle)
        at_break = True  # the next glyph starts a line of the text layer
        transform = geo.box
        upright = geo.rotation == 0  # the common case, transformed inline: a call per glyph costs
        dx, dy = -geo.left, geo.top
        for i in range(count):
            code = unicode_of(lean, i)
            if 0xD800 <= code <= 0xDBFF:  # a character outside the BMP comes as two halves
                high = code
                continue
            if 0xDC00 <= code <= 0xDFFF:  # a lone half (a damaged ToUnicode map) is no character
                code = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00) if high else 0xFFFD
            high = 0
            if code in (0xFFFE, 0x02):
                # PDFium's marks for a hyphen ending a line (`J-` / `PARC`; 0x02 where the producer
                # drew it in a line of its own, as LibreOffice does `JT-` / `60SA`): a hyphen
                code = 0x2D
            if code in (0xFFFF, 0):
                if code == 0:
                    glyphs.append(_nul(handle, i, rect, transform))
                continue
            ch = chr(code)
            if ch.isspace():
                # a space the producer drew is kept (the layout puts it back between its neighbours);
                # one PDFium made up from a gap, and line ends, are not
                if ch in "\r\n":
                    if glyphs and not at_break:
                        glyphs[-1].font = fonts.of(i - 1)
                    at_break = True
                    continue
                if generated(lean, i) == 1 or not loose_box(lean, i, at_rect):
                    continue
                ch = " "
            else:
                if i % step == 0 and map_error(lean, i) == 1:
                    unmapped += step
                angle = angle_of(lean, i)
                if angle > 0 and not _upright(angle, geo.rotation):
                    continue
                if not loose_box(lean, i, at_rect):
                    continue
            if upright:
                glyph = Glyph(ch, rect.left + dx, dy - rect.top, rect.right + dx, dy - rect.bottom)
            else:
                glyph = Glyph(ch, *transform(rect.left, rect.bottom, rect.right, rect.top))
            if at_break and ch != " ":
                glyph.font = fonts.of(i)
                at_break = False
            glyphs.append(glyph)
        if glyphs:
            glyphs[-1].font = fonts.of(count - 1)
        return TextLayer(glyphs, unmapped, count, _invisible_share(handle, count))
    finally:
        textpage.close()


class _Fonts:
    """Which font a character is set in, as a small number per page, asked only where a line of
    the text layer starts or ends (a bold heading flush with the column edge is not wrapped text)."""

    def __init__(self, handle: object) -> None:
        self.handle = handle
        self.by_handle: dict[tuple[int | None, bool], int] = {}
        self.by_name: dict[tuple[bytes, bool], int] = {}
        self.buffer = ctypes.create_string_buffer(256)

    def of(self, i: int) -> int:
        obj = raw.FPDFText_GetTextObject(self.handle, i)
        if not obj:
            return -1
        font = raw.FPDFTextObj_GetFont(obj)
        # a font stroked as well as filled (render mode 2) is the writer's bold
        stroked = raw.FPDFTextObj_GetTextRenderMode(obj) in _STROKED
        key = (_address(font).value, stroked)
        if key not in self.by_handle:
            # subsets of one font (ABCDEF+IPAexGothic, a new subset every 256 glyphs) are one font
            raw.FPDFFont_GetBaseFontName(font, self.buffer, len(self.buffer))
            name = (_SUBSET.sub(b"", self.buffer.value), stroked)
            self.by_handle[key] = self.by_name.setdefault(name, len(self.by_name))
        return self.by_handle[key]


def _nul(handle: object, i: int, rect: raw.FS_RECTF, transform: object) -> Glyph:
    """A NUL character (a glyph missing from the font): kept, so the broken-layer test sees it."""
    raw.FPDFText_GetLooseCharBox(handle, i, rect)
    x0, top, x1, bottom = transform(rect.left, rect.bottom, rect.right, rect.top)  # type: ignore[operator]
    return Glyph("\x00", x0, top, x1, bottom)


def _upright(angle: float, rotation: int) -> bool:
    """Whether a character reads left to right on the visible page."""
    degrees = (math.degrees(angle) + rotation) % 360
    return min(degrees, 360 - degrees) < UPRIGHT


class _Handle(ctypes.c_void_p):
    """A PDFium object handle as a ``_lean`` call returns it: kept a pointer (a plain ``c_void_p``
    result would come back as an int, which a call without argtypes would pass truncated)."""


# the calls made for every page object and path segment when rules are collected
_GET_OBJECT = _lean(raw.FPDFPage_GetObject, _Handle)
_FORM_OBJECT = _lean(raw.FPDFFormObj_GetObject, _Handle)
_FORM_COUNT = _lean(raw.FPDFFormObj_CountObjects)
_OBJECT_TYPE = _lean(raw.FPDFPageObj_GetType)
_BOUNDS = _lean(raw.FPDFPageObj_GetBounds)
_GET_MATRIX = _lean(raw.FPDFPageObj_GetMatrix)
_DRAW_MODE = _lean(raw.FPDFPath_GetDrawMode)
_FILL_COLOR = _lean(raw.FPDFPageObj_GetFillColor)
_SEGMENTS = _lean(raw.FPDFPath_CountSegments)
_SEGMENT = _lean(raw.FPDFPath_GetPathSegment, _Handle)
_SEGMENT_TYPE = _lean(raw.FPDFPathSegment_GetType)
_SEGMENT_POINT = _lean(raw.FPDFPathSegment_GetPoint)


def _matrix(obj: _Handle) -> tuple[float, ...] | None:
    m = raw.FS_MATRIX()
    if not _GET_MATRIX(obj, ctypes.byref(m)):
        return None
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    """``inner`` applied first, then ``outer`` (PDF matrices a b c d e f)."""
    a, b, c, d, e, f = outer
    return (
        inner[0] * a + inner[1] * c,
        inner[0] * b + inner[1] * d,
        inner[2] * a + inner[3] * c,
        inner[2] * b + inner[3] * d,
        inner[4] * a + inner[5] * c + e,
        inner[4] * b + inner[5] * d + f,
    )


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _paths(
    handle: ctypes.c_void_p, count: int, get: Callable[..., _Handle], ctm: tuple[float, ...], depth: int
) -> Iterator[tuple[_Handle, tuple[float, ...]]]:
    """(path object, the matrix of the form around it) for every path, inside forms too."""
    path, form = raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM
    for i in range(count):
        obj = get(handle, i)
        kind = _OBJECT_TYPE(obj)
        if kind == path:
            yield obj, ctm
        elif kind == form and depth < _MAX_DEPTH:
            own = _matrix(obj)
            if own is None:
                continue
            yield from _paths(obj, _FORM_COUNT(obj), _FORM_OBJECT, _compose(own, ctm), depth + 1)


LIGHT = 200  # 0-255: a fill this light on every channel (or transparent) is paper, not ink


def page_rulings(page: pdfium.PdfPage, geo: PageGeometry, limit: int = 20000) -> list[Ruling]:
    """Horizontal and vertical strokes of the page's paths, as they show on the page.

    A line, a thin filled rectangle or a rectangle's side is a rule.  A
    filled shape of many segments is a glyph drawn as outlines, never a
    rule.  A light filled rectangle drawn later hides what it covers (office
    and scanning software erase parts of a grid that way), so it cuts the
    rules drawn before it.
    """
    out: list[Ruling] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    x, y = ctypes.c_float(), ctypes.c_float()
    fill_mode, stroked = ctypes.c_int(), ctypes.c_int()
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    bounds = [ctypes.byref(v) for v in (left, bottom, right, top)]
    mode = ctypes.byref(fill_mode), ctypes.byref(stroked)
    colour = [ctypes.byref(v) for v in (red, green, blue, alpha)]
    paths = _paths(_address(page.raw), raw.FPDFPage_CountObjects(page.raw), _GET_OBJECT, _IDENTITY, 0)
    for obj, ctm in paths:
        if len(out) > limit:  # a drawing, not a table: stop before it costs time
            break
        if not _BOUNDS(obj, *bounds):
            continue
        corners = [_apply(ctm, px, py) for px, py in ((left.value, bottom.value), (right.value, top.value))]
        (ax, ay), (bx, by) = corners
        x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        _DRAW_MODE(obj, *mode)
        filled_only = fill_mode.value != 0 and not stroked.value
        coloured = filled_only and _FILL_COLOR(obj, *colour)
        if coloured and (alpha.value == 0 or min(red.value, green.value, blue.value) > LIGHT):
            _erase(out, *geo.box(x0, y0, x1, y1))
            continue
        segments = _SEGMENTS(obj)
        if (x1 - x0 <= THIN or y1 - y0 <= THIN) and not (filled_only and segments > 5):
            _add(out, geo, x0, y0, x1, y1)  # a rule drawn as a line or a thin filled rectangle
            continue
        subpaths, curved = _subpaths(obj, segments, x, y, ctm)
        if curved and filled_only:
            continue  # a glyph drawn as outlines, a logo
        for points in subpaths:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            if max(xs) - min(xs) <= THIN or max(ys) - min(ys) <= THIN:
                _add(out, geo, min(xs), min(ys), max(xs), max(ys))  # one border of several
            elif _is_rectangle(points):
                for (px, py), (qx, qy) in zip(points, points[1:] + points[:1], strict=True):
                    _add(out, geo, min(px, qx), min(py, qy), max(px, qx), max(py, qy))
            elif not filled_only:
                for (px, py), (qx, qy) in itertools.pairwise(points):
                    if abs(px - qx) <= THIN / 4 or abs(py - qy) <= THIN / 4:
                        _add(out, geo, min(px, qx), min(py, qy), max(px, qx), max(py, qy))
    return out


def _erase(out: list[Ruling], x0: float, top: float, x1: float, bottom: float) -> None:
    """Cut the parts of the rules drawn so far that a paper-coloured rectangle covers."""
    if x1 - x0 <= THIN or bottom - top <= THIN:
        return
    kept: list[Ruling] = []
    for r in out:
        if r.horizontal and top <= (r.top + r.bottom) / 2 <= bottom and r.x0 < x1 and r.x1 > x0:
            if r.x0 < x0:
                kept.append(Ruling(r.x0, r.top, x0, r.bottom))
            if r.x1 > x1:
                kept.append(Ruling(x1, r.top, r.x1, r.bottom))
        elif not r.horizontal and x0 <= (r.x0 + r.x1) / 2 <= x1 and r.top < bottom and r.bottom > top:
            if r.top < top:
                kept.append(Ruling(r.x0, r.top, r.x1, top))
            if r.bottom > bottom:
                kept.append(Ruling(r.x0, bottom, r.x1, r.bottom))
        else:
            kept.append(r)
    out[:] = kept


def _apply(m: tuple[float, ...], px: float, py: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * px + c * py + e, b * px + d * py + f


def _subpaths(
    obj: _Handle, segments: int, x: ctypes.c_float, y: ctypes.c_float, ctm: tuple[float, ...]
) -> tuple[list[list[tuple[float, float]]], bool]:
    """The path's subpaths as points in user space (its own matrix and the forms' applied), and
    whether any segment is a curve.  Producers draw several borders as one path: WeasyPrint a
    border as the ring between two rectangles (even-odd fill), office software a grid's cells."""
    own = _matrix(obj) or _IDENTITY
    full = _compose(own, ctm)
    subpaths: list[list[tuple[float, float]]] = []
    curved = False
    at_x, at_y = ctypes.byref(x), ctypes.byref(y)
    for i in range(segments):
        seg = _SEGMENT(obj, i)
        kind = _SEGMENT_TYPE(seg)
        curved = curved or kind == raw.FPDF_SEGMENT_BEZIERTO
        if not _SEGMENT_POINT(seg, at_x, at_y):
            continue
        if kind == raw.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([])
        subpaths[-1].append(_apply(full, x.value, y.value))
    return [s for s in subpaths if len(s) > 1], curved


def _is_rectangle(points: list[tuple[float, float]]) -> bool:
    """Four corners (a fifth repeating the first) joined by horizontal and vertical sides."""
    if len(points) == 5 and math.dist(points[0], points[4]) < 0.5:
        points = points[:4]
    if len(points) != 4:
        return False
    pairs = zip(points, points[1:] + points[:1], strict=True)
    return all(abs(p[0] - q[0]) < 0.5 or abs(p[1] - q[1]) < 0.5 for p, q in pairs)


def _add(out: list[Ruling], geo: PageGeometry, x0: float, y0: float, x1: float, y1: float) -> None:
    bx0, btop, bx1, bbottom = geo.box(x0, y0, x1, y1)
    out.append(Ruling(bx0, btop, bx1, bbottom))
