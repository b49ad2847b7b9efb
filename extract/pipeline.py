"""The whole pipeline for one document: source → lines → records."""

from __future__ import annotations

from pathlib import Path

from .records import Record, build_records
from .sources import Line, read_bytes, read_text_lines, split_lines

PDF_MAGIC = b"%PDF-"


def read_lines(path: Path) -> list[Line]:
    """Lines of any supported document, chosen by content (not only by name)."""
    head = read_bytes(path, 1024)
    if head.lstrip()[:5] == PDF_MAGIC or path.suffix.lower() == ".pdf":
        from .pdf import read_pdf_lines

        return read_pdf_lines(path)
    return read_text_lines(path)


def extract_file(path: str | Path, fiscal_year: int | None = None) -> list[Record]:
    """Every amount stated in the document at ``path``, as records."""
    path = Path(path)
    return build_records(read_lines(path), source=path.name, fiscal_year=fiscal_year)


def extract_text(text: str, source: str = "<text>", fiscal_year: int | None = None) -> list[Record]:
    """Records from a document already in memory (one string)."""
    lines = [Line(number=i, text=t) for i, t in enumerate(split_lines(text), start=1)]
    return build_records(lines, source=source, fiscal_year=fiscal_year)
