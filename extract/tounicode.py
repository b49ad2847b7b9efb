"""Step 2 repair for text layers: kanji that a font's ToUnicode map names wrongly, mended from the
font's own glyph order.

Some producers write ToUnicode maps by arithmetic: one ``bfrange`` line, or a run of lines
with one offset, per stretch of glyph ids, as if the font's glyphs stood in Unicode order with no
gaps.  The Japanese fonts they embed (MS Mincho, MS Gothic) order their kanji by code point but
skip those the font lacks, so after the first gap every kanji of the stretch is named as a
neighbour a few code points too low: Fuji City's R8 books (DocuWorks, then Ghostscript) print
運営費 and the text layer says 遀営費; 推進 is 推逭, 都市 邴市, 償還 償遯.

The glyph order can be read back: in such a font the kanji follow the order of JIS X 0213 (the
repertoire these fonts cover) by code point.  A run of glyph ids with one offset is mended only
when that order carries the run's first glyph, which the map names right, exactly onto the
first glyph after the run, which it names right again; then every glyph between gets the kanji
that order gives it.  A map that is right, or wrong in any other way, is left as it is.

The result is a table of wrong → right characters for the document; a common wrong character
that some font of the document also stands for rightly (or that two fonts would mend
differently) is left out, since which font drew it is not known where the table is applied
(``repair_pages``).
"""

from __future__ import annotations

import io
import itertools
import logging
import mmap
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .model import Page, Table, TextBlock, TextLine

log = logging.getLogger("yosan")

REPERTOIRE = "euc_jis_2004"  # JIS X 0213: the kanji such fonts hold, in code point order
IDEOGRAPHS = range(0x4E00, 0xA000)  # CJK Unified Ideographs
MIN_RUN = 2  # glyphs in one run of the map before it is worth checking
# The share of a font's kanji, in glyph order, that its map names in rising code point order for
# the font to be one that orders them so: 1.0 in every wrongly mapped MS Mincho of the Fuji R8
# books (the arithmetic map rises as the right one would); 0.80 in IPAex Mincho as Ghostscript
# rewrites it (the glyphs in Adobe-Japan1's order, and its maps right), where chance runs
# otherwise "mended" 百 into 犀.
ORDERED_SHARE = 0.98


@cache
def _order() -> tuple[list[int], dict[int, int]]:
    """The kanji of the repertoire in code point order, and each one's place in it."""
    chars = []
    for code in IDEOGRAPHS:
        try:
            chr(code).encode(REPERTOIRE)
        except UnicodeEncodeError:
            continue
        chars.append(code)
    return chars, {c: i for i, c in enumerate(chars)}


@dataclass(frozen=True)
class Mend:
    """What one font's map gets wrong: glyph id, the kanji the map names, the kanji it is."""

    glyph: int
    wrong: str
    right: str


def mend_map(entries: Sequence[tuple[int, str]]) -> list[Mend]:
    """The glyphs of one font's map (glyph id, character) that its glyph order names otherwise.

    Only a font whose kanji stand in code point order (``ORDERED_SHARE``) is read.  The map is
    cut into runs of one offset (character − glyph id).  A run is checked against the
    repertoire's order from a glyph the map names right: the one before the run, else the run's
    first; the order must carry that glyph exactly onto the first glyph after the run.
    """
    chars, place = _order()
    kanji = sorted((g, u) for g, u in entries if len(u) == 1 and ord(u) in IDEOGRAPHS)
    mends: list[Mend] = []
    rising = sum(1 for a, b in itertools.pairwise(kanji) if b[1] > a[1])
    if len(kanji) < 2 or rising < ORDERED_SHARE * (len(kanji) - 1):
        return mends  # the font's kanji do not stand in code point order: nothing to read back

    def carries(a: tuple[int, str], b: tuple[int, str]) -> bool:
        if ord(a[1]) not in place or ord(b[1]) not in place:
            return False
        return place[ord(b[1])] - place[ord(a[1])] == b[0] - a[0]

    start = 0
    while start < len(kanji):
        end = start + 1
        offset = ord(kanji[start][1]) - kanji[start][0]
        while end < len(kanji) and ord(kanji[end][1]) - kanji[end][0] == offset:
            end += 1
        run, before = kanji[start:end], kanji[start - 1] if start else None
        after = kanji[end] if end < len(kanji) else None
        start = end
        if after is None:
            continue
        if before is not None and carries(before, after):
            anchor = before
        elif len(run) >= MIN_RUN and carries(run[0], after):
            anchor = run[0]
        else:
            continue  # the repertoire's order does not carry a right glyph onto the one after
        base = place[ord(anchor[1])] - anchor[0]
        for glyph, char in run:
            k = base + glyph
            right = chr(chars[k]) if 0 <= k < len(chars) else char
            if right != char:
                mends.append(Mend(glyph, char, right))
    return mends


def _fonts(path: Path, password: str | None) -> Iterator[tuple[str, dict[int, str]]]:
    """(name, glyph id → character) of each Type0 font whose CIDs are glyph ids and that has a
    ToUnicode map, read with pdfminer (PDFium reads the maps but does not show them)."""
    from pdfminer.cmapdb import CMapParser, FileUnicodeMap
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    def name_of(value: Any) -> str:
        return str(getattr(value, "name", value))

    with path.open("rb") as fh:
        document = PDFDocument(PDFParser(fh), password=password or "")
        seen: set[object] = set()
        for page in PDFPage.create_pages(document):
            fonts = resolve1((resolve1(page.resources) or {}).get("Font")) or {}
            for ref in fonts.values() if isinstance(fonts, dict) else ():
                key = getattr(ref, "objid", id(ref))
                if key in seen:
                    continue
                seen.add(key)
                font = resolve1(ref)
                if not isinstance(font, dict) or "ToUnicode" not in font:
                    continue
                if name_of(font.get("Subtype")) != "Type0":
                    continue
                descendants = resolve1(font.get("DescendantFonts")) or []
                cid_font = resolve1(descendants[0]) if descendants else {}
                if not isinstance(cid_font, dict):
                    continue
                to_gid = cid_font.get("CIDToGIDMap")
                if to_gid is not None and name_of(to_gid) != "Identity":
                    continue  # CIDs are not glyph ids: the glyph order says nothing of them
                unicode_map = FileUnicodeMap()
                CMapParser(unicode_map, io.BytesIO(resolve1(font["ToUnicode"]).get_data())).run()
                yield name_of(font.get("BaseFont")), dict(unicode_map.cid2unichr)


def repairs(path: Path, password: str | None = None) -> dict[str, str]:
    """Wrong → right characters for the document at ``path`` (empty when its maps are right or
    cannot be read: a damaged file is read as PDFium reads it)."""
    if not _may_hold_type0(path):
        return {}
    try:
        fonts = list(_fonts(path, password))
    except Exception as exc:  # pdfminer's own errors: a file PDFium reads may defeat it
        log.debug("%s: font maps not read (%s)", path, exc)
        return {}
    table: dict[str, str] = {}
    clashes: set[str] = set()
    used_rightly: set[str] = set()
    for name, entries in fonts:
        mends = {m.glyph: m for m in mend_map(list(entries.items()))}
        for glyph, char in entries.items():
            mend = mends.get(glyph)
            used_rightly.add(mend.right if mend else char)
        for mend in mends.values():
            if table.setdefault(mend.wrong, mend.right) != mend.right:
                clashes.add(mend.wrong)
        if mends:
            log.debug("%s: font %s: %d kanji of its ToUnicode map mended", path, name, len(mends))
    # a wrong character some glyph also stands for rightly is ambiguous, unless it is a rare one
    # (邴, which the map gives 都; a font that holds a glyph for 邴 itself is not using it)
    return {w: r for w, r in table.items() if w not in clashes and (w not in used_rightly or not _common(w))}


# names that tell, in a file's raw bytes, that a Type0 font may be in it: the name itself, or an
# object stream (which may hold the font's dictionary compressed) or a name escaped with ``#``
_TYPE0_HINTS = (b"/Type0", b"/ObjStm", b"/Type#")


def _may_hold_type0(path: Path) -> bool:
    """Whether the file may hold a Type0 font: a look at its raw bytes that spares importing
    pdfminer and walking every page's resources where it cannot (a reportlab document with one
    rare kanji: 0.1 s of its 0.8 s)."""
    try:
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return any(data.find(hint) >= 0 for hint in _TYPE0_HINTS)
    except (OSError, ValueError):  # an empty file, or one mmap cannot map: let pdfminer look
        return True


COMMON = "cp932"  # the kanji Japanese documents are written in (JIS X 0208 and its vendor extensions)


def suspect(pages: Sequence[Page]) -> bool:
    """Whether the pages' text holds a kanji outside the common repertoire: what a wrongly named
    glyph turns into (遀, 逭, 邴), and rare in a budget document otherwise.  Only then are the
    font maps read (pdfminer walks every page's resources: about a second for 600 pages)."""
    for page in pages:
        for line in _lines(page):
            for ch in line.text:
                if ord(ch) in IDEOGRAPHS and not _common(ch):
                    return True
    return False


@cache
def _common(ch: str) -> bool:
    try:
        ch.encode(COMMON)
    except UnicodeEncodeError:
        return False
    return True


def _lines(page: Page) -> Iterator[TextLine]:
    for block in page.blocks:
        if isinstance(block, TextBlock):
            yield from block.lines
        elif isinstance(block, Table):
            for cell in block.cells:
                yield from cell.lines
    for furniture in page.furniture:
        yield furniture.line


def repair_pages(pages: Sequence[Page], table: dict[str, str]) -> Counter[tuple[str, str]]:
    """Mend the text of the pages in place (one character for one: boxes stay); what changed."""
    changed: Counter[tuple[str, str]] = Counter()
    if not table:
        return changed
    trans = str.maketrans(table)
    for page in pages:
        for line in _lines(page):
            mended = line.text.translate(trans)
            if mended != line.text:
                changed.update((a, b) for a, b in zip(line.text, mended, strict=True) if a != b)
                line.text = mended
        for block in page.blocks:
            if isinstance(block, Table) and block.caption:
                block.caption = block.caption.translate(trans)
    return changed
