"""Opening PDFs with PDFium (pypdfium2): clear reasons for files that are not PDFs, damaged
ones, encrypted ones; and each page's geometry (crop box and rotation).

Coordinates are turned into pdfplumber's convention (points, ``top``
measured down from the top of the visible page, page rotation applied), so
boxes in records mean the same whichever library produced them.
"""

from __future__ import annotations

import itertools
import warnings
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
    return notes


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


def open_pdf(path: Path, password: str | None = None, max_pages: int | None = None) -> pdfium.PdfDocument:
    """Open a PDF or raise InputError with a reason a user can act on."""
    reason = sniff_reason(read_bytes(path, 4096))
    if reason:
        raise InputError(path, reason)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = pdfium.PdfDocument(str(path), password=password)
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
