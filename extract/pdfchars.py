"""Opening PDFs with PDFium (pypdfium2): clear reasons for files that are not PDFs, damaged
ones, encrypted ones; and each page's geometry (crop box and rotation).

Coordinates are turned into pdfplumber's convention (points, ``top``
measured down from the top of the visible page, page rotation applied), so
boxes in records mean the same whichever library produced them.
"""

from __future__ import annotations

import itertools
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import regex

from .errors import InputError
from .sources import read_bytes


@dataclass(frozen=True)
class PageGeometry:
    """Maps PDF user space to the visible page (rotation and crop box applied)."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int  # 0, 90, 180, 270 (clockwise, as /Rotate)

    @property
    def width(self) -> float:
        return self.right - self.left if self.rotation in (0, 180) else self.top - self.bottom

    @property
    def height(self) -> float:
        return self.top - self.bottom if self.rotation in (0, 180) else self.right - self.left

    def point(self, x: float, y: float) -> tuple[float, float]:
        """(x, top) on the visible page for a point in user space."""
        if self.rotation == 90:
            return y - self.bottom, x - self.left
        if self.rotation == 180:
            return self.right - x, y - self.bottom
        if self.rotation == 270:
            return self.top - y, self.right - x
        return x - self.left, self.top - y

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        (ax, ay), (bx, by) = self.point(left, bottom), self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def sniff_reason(head: bytes) -> str | None:
    """Why bytes that should be a PDF are not one, or None when they look like a PDF."""
    if not head:
        return "empty file"
    if b"%PDF-" in head[:1024]:
        return None
    start = head.lstrip()[:64].lower()
    if start.startswith(b"pk\x03\x04"):
        return "not a PDF (looks like a ZIP archive)"
    if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        return (
            "not a PDF (looks like HTML)" if b"html" in head[:2048].lower() else "not a PDF (looks like XML)"
        )
    if start.startswith(b"\x89png") or start.startswith(b"\xff\xd8\xff"):
        return "not a PDF (looks like an image)"
    return "not a PDF (no %PDF- header)"


def damage_notes(path: Path) -> list[str]:
    """What is wrong with the file's structure that PDFium silently repairs."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - 2048))
        tail = fh.read()
        notes = []
        if b"%%EOF" not in tail:
            notes.append("the file is truncated (no %%EOF)")
        at = tail.rfind(b"startxref")
        offset = tail[at + 9 :].split()[0] if at >= 0 and tail[at + 9 :].split() else b""
        if not offset.isdigit() or int(offset) >= size:
            notes.append("the cross-reference table is damaged")
        else:
            fh.seek(int(offset))
            table = fh.read(4096)
            start = table.lstrip()
            if start.startswith(b"xref"):
                if not _entries_point_at_objects(fh, table, size):
                    notes.append("the cross-reference table is damaged")
            elif not (start[:1].isdigit() and b"obj" in start[:32]):
                notes.append("the cross-reference table is damaged")
    return notes + stream_notes(path)


# --- streams that do not decode ------------------------------------------------------

_STREAM_KEYWORD = regex.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_OBJ_HEADER = regex.compile(rb"(\d+)\s+\d+\s+obj\b")
_DIRECT_LENGTH = regex.compile(rb"/Length\s+(\d++)(?!\s+\d+\s+R)")
_FIRST_FILTER = regex.compile(rb"/Filter\s*\[?\s*/(\w+)")
CHECK_BYTES = 256 * 2**20  # decoded bytes checked in all, at most (a flate bomb is not inflated here)
CHECK_FILE_BYTES = 256 * 2**20  # a larger file's streams are not checked


@dataclass
class _BadStream:
    number: int | None  # object number
    reason: str


def _stream_damage(data: bytes, start: int, close: int, head: bytes, budget: list[int]) -> str | None:
    """Why the stream data from ``start`` to ``endstream`` at ``close`` (``head``: its dictionary) is
    damaged, or None."""
    end = close  # bytes after the compressed data's end (an end of line) are left unread
    length = _DIRECT_LENGTH.search(head)
    if length:
        declared = start + int(length[1])
        if declared > close:
            return f"{declared - close} bytes shorter than its /Length"
        if data[declared:close].strip():
            return f"{len(data[declared:close].strip())} bytes after its /Length"
        end = declared  # the data may end in a byte that looks like an end of line
    first = _FIRST_FILTER.search(head)
    if not first or first[1] not in (b"FlateDecode", b"Fl"):
        return None
    inflate = zlib.decompressobj()
    rest = data[start:end]
    try:
        while rest and budget[0] > 0 and not inflate.eof:
            budget[0] -= len(inflate.decompress(rest, 1 << 20))
            rest = inflate.unconsumed_tail
    except zlib.error as exc:
        return f"does not decompress: {exc}"
    if budget[0] > 0 and not inflate.eof:
        return "its compressed data ends early"
    return None


def _bad_streams(data: bytes) -> list[_BadStream]:
    """Every stream of the file whose data is cut, padded or does not inflate (a linear scan)."""
    bad: list[_BadStream] = []
    budget = [CHECK_BYTES]
    pos = 0
    while budget[0] > 0:
        m = _STREAM_KEYWORD.search(data, pos)
        if not m:
            break
        start = m.end()
        close = data.find(b"endstream", start)
        if close < 0:
            close = len(data)
        window = data[max(0, m.start() - 4096) : m.start()]
        headers = list(_OBJ_HEADER.finditer(window))
        head = window[headers[-1].end() :] if headers else window
        reason = _stream_damage(data, start, close, head, budget)
        if reason:
            bad.append(_BadStream(int(headers[-1][1]) if headers else None, reason))
        pos = close + 9
    return bad


def _pages_using(path: Path, numbers: set[int]) -> dict[int, list[int]]:
    """The pages (1-based, in order) that use each object of ``numbers`` (pdfminer; {} if it cannot)."""
    found: dict[int, list[int]] = {}
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import PDFObjRef, PDFStream

        with path.open("rb") as fh:
            document = PDFDocument(PDFParser(fh))
            for number, page in enumerate(PDFPage.create_pages(document), start=1):
                seen: set[int] = set()
                todo: list[object] = [page.attrs]
                while todo and len(seen) < 20000:
                    obj = todo.pop()
                    if isinstance(obj, PDFObjRef):
                        if obj.objid in seen:
                            continue
                        seen.add(obj.objid)
                        if obj.objid in numbers:
                            found.setdefault(obj.objid, []).append(number)
                        try:
                            obj = obj.resolve()
                        except Exception:
                            continue
                    if isinstance(obj, PDFStream):
                        obj = obj.attrs
                    if isinstance(obj, dict):
                        todo.extend(v for k, v in obj.items() if k != "Parent")
                    elif isinstance(obj, list):
                        todo.extend(obj)
    except Exception:  # pdfminer could not follow the file: the objects are named without their pages
        return found
    return found


def stream_notes(path: Path) -> list[str]:
    """A note for each page that uses a damaged stream (a deleted byte in a content stream reads half
    the page, silently in PDFium), or for each damaged stream no page could be found for."""
    if path.stat().st_size > CHECK_FILE_BYTES:  # read whole here, beside what PDFium holds
        return []
    data = path.read_bytes()
    if b"/Encrypt" in data:  # encrypted streams do not inflate as they are
        return []
    bad = _bad_streams(data)
    if not bad:
        return []
    numbers = {b.number for b in bad if b.number is not None}
    pages = _pages_using(path, numbers) if numbers else {}
    notes: dict[str, None] = {}
    by_page: dict[int, list[_BadStream]] = {}
    for stream in bad:
        for page in pages.get(stream.number, []) if stream.number is not None else []:
            by_page.setdefault(page, []).append(stream)
        if stream.number not in pages:
            what = f"object {stream.number}" if stream.number is not None else "an object"
            notes[f"a stream is damaged ({what}: {stream.reason})"] = None
    for page in sorted(by_page):
        streams = by_page[page]
        named = "; ".join(f"object {b.number}: {b.reason}" for b in streams[:3])
        more = f"; {len(streams) - 3} more" if len(streams) > 3 else ""
        notes[f"page {page}: a stream the page uses is damaged ({named}{more})"] = None
    return list(notes)


_XREF_ENTRY = regex.compile(rb"(\d{10}) (\d{5}) n")
_OBJECT_START = regex.compile(rb"\s*\d+\s+\d+\s+obj")


def _entries_point_at_objects(fh: BinaryIO, table: bytes, size: int, sample: int = 5) -> bool:
    """Whether the first in-use entries of a classic xref table point at `N G obj`."""
    for m in itertools.islice(_XREF_ENTRY.finditer(table), sample):
        offset = int(m[1])
        if offset >= size:
            return False
        fh.seek(offset)
        if not _OBJECT_START.match(fh.read(32)):
            return False
    return True


def open_document(path: str | Path, password: str | None = None) -> pdfium.PdfDocument:
    """PDFium's document, trying the empty user password before ``password``.

    Many government PDFs are encrypted with an owner password only (printing
    or copying restricted): they open without a password, and PDFium refuses
    them when given one that is not theirs.  Raises PdfiumError.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pdfium.PdfDocument(str(path), password=None)
        except pdfium.PdfiumError as exc:
            if exc.err_code != raw.FPDF_ERR_PASSWORD or not password:
                raise
        return pdfium.PdfDocument(str(path), password=password)


def open_pdf(path: Path, password: str | None = None, max_pages: int | None = None) -> pdfium.PdfDocument:
    """Open a PDF or raise InputError with a reason a user can act on."""
    reason = sniff_reason(read_bytes(path, 4096))
    if reason:
        raise InputError(path, reason)
    try:
        doc = open_document(path, password)
    except pdfium.PdfiumError as exc:
        if exc.err_code == raw.FPDF_ERR_PASSWORD:
            hint = "wrong password" if password else "give --password"
            raise InputError(path, f"encrypted PDF: {hint}") from None
        if exc.err_code == raw.FPDF_ERR_SECURITY:
            raise InputError(path, "encrypted PDF with an unsupported security handler") from None
        raise InputError(path, "not a readable PDF: damaged beyond repair") from None
    count = len(doc)
    if count == 0:
        doc.close()
        raise InputError(path, "not a readable PDF: no pages")
    if max_pages is not None and count > max_pages:
        doc.close()
        raise InputError(path, f"{count} pages, more than --max-pages {max_pages}")
    return doc


def geometry(page: pdfium.PdfPage) -> PageGeometry:
    left, bottom, right, top = page.get_cropbox()
    return PageGeometry(left, bottom, right, top, page.get_rotation() % 360)


# --- the page tree ---------------------------------------------------------------

BYTES_PER_PAGE = 2048  # fewer bytes a page than this, and the page tree is checked for repeats
_MAX_TREE_DEPTH = 64


def distinct_pages(path: Path, count: int, password: str | None = None) -> tuple[list[int], int] | None:
    """The page numbers to read when the page tree lists one page object more than once, and how many
    listed pages are such repeats; None to read every page.

    PDFium numbers every leaf of the page tree, so a tree whose Kids name one
    page 100,000 times (or one node of ten kids nested five deep) is 100,000
    pages of work from a file of a few kilobytes, and each repeat would give
    the page's records again.  A real page takes kilobytes of the file, so
    only a file with fewer than ``BYTES_PER_PAGE`` bytes a page is walked
    (with pdfminer, which reads the objects without their content).  Each
    page object is read once, at its first place; the numbers are PDFium's.
    When the walk does not end with PDFium's page count (a tree too damaged
    to follow), every page is read.
    """
    if count * BYTES_PER_PAGE <= path.stat().st_size:
        return None
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import PDFObjRef, resolve1

        with path.open("rb") as fh:
            document = PDFDocument(PDFParser(fh), password=password or "")
            root = document.catalog.get("Pages")
            leaves: dict[object, int] = {}
            walking: set[object] = set()

            def kids_of(ref: object) -> list | None:
                node = resolve1(ref)
                kids = resolve1(node.get("Kids")) if isinstance(node, dict) else None
                return kids if isinstance(kids, list) else None

            def key(ref: object) -> object:
                return ref.objid if isinstance(ref, PDFObjRef) else id(ref)

            def leaf_count(ref: object, depth: int) -> int:
                k = key(ref)
                if k in leaves:
                    return leaves[k]
                if k in walking or depth > _MAX_TREE_DEPTH:  # a loop: PDFium does not follow it either
                    return 0
                kids = kids_of(ref)
                if kids is None:
                    leaves[k] = 1
                    return 1
                walking.add(k)
                total = sum(leaf_count(kid, depth + 1) for kid in kids)
                walking.discard(k)
                leaves[k] = total
                return total

            seen: set[object] = set()
            first: list[int] = []
            index = 0

            def walk(ref: object, depth: int) -> None:
                nonlocal index
                k = key(ref)
                if k in seen:  # listed before: every page below it is a repeat
                    index += leaf_count(ref, depth)
                    return
                seen.add(k)
                kids = kids_of(ref)
                if kids is None:
                    index += 1
                    first.append(index)
                elif depth <= _MAX_TREE_DEPTH:
                    for kid in kids:
                        walk(kid, depth + 1)

            walk(root, 0)
    except Exception:  # pdfminer could not follow the file: PDFium's pages are read as they are
        return None
    if index != count or len(first) == count:
        return None
    return [n for n in first if n <= count], count - len(first)
