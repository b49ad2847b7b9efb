"""The whole pipeline for one document: source → pages (the page model) → records.

``Options`` carries everything a caller may choose per run; ``Document`` is
what one input gave (pages, records, page count), so the CLI and the batch
runner report the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .model import Page, Record
from .sources import read_bytes, read_text, split_lines

PDF_MAGIC = b"%PDF-"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
OCR_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class Options:
    fiscal_year: int | None = None  # the document's fiscal year when it does not say
    ocr: str = "auto"  # auto: pages without a usable text layer; always; never
    password: str | None = None  # for encrypted PDFs
    max_pages: int | None = None  # refuse PDFs with more pages than this
    jobs: int = 1  # OCR processes for one document


@dataclass
class Document:
    path: Path
    records: list[Record] = field(default_factory=list)
    pages: int | None = None  # None for plain text
    model: list[Page] = field(default_factory=list)  # the page model the records were read from


def read_pages(path: Path, options: Options = Options()) -> tuple[list[Page], int | None]:
    """The page model of any supported document, chosen by content (not only by name), and its page count."""
    head = read_bytes(path, 1024)
    if head.lstrip()[:5] == PDF_MAGIC or path.suffix.lower() == ".pdf":
        from .pdf import read_pdf

        return read_pdf(path, options)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        from .ocr import read_image

        return read_image(path, options)
    from .layout.text import text_page

    return [text_page(split_lines(read_text(path)))], None


def extract_document(path: str | Path, options: Options = Options()) -> Document:
    """Every amount stated in the document at ``path``, with what the run learned about it."""
    from .records import build_records

    path = Path(path)
    pages, count = read_pages(path, options)
    records = build_records(pages, source=path.name, fiscal_year=options.fiscal_year)
    return Document(path=path, records=records, pages=count, model=pages)


def extract_file(path: str | Path, fiscal_year: int | None = None, **options: object) -> list[Record]:
    """Every amount stated in the document at ``path``, as records."""
    return extract_document(path, Options(fiscal_year=fiscal_year, **options)).records  # type: ignore[arg-type]


def extract_text(text: str, source: str = "<text>", fiscal_year: int | None = None) -> list[Record]:
    """Records from a document already in memory (one string)."""
    from .layout.text import text_page
    from .records import build_records

    return build_records([text_page(split_lines(text))], source=source, fiscal_year=fiscal_year)
