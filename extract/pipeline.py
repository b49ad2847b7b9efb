"""The whole pipeline for one document: source → pages (the page model) → records.

``Options`` carries everything a caller may choose per run; ``Document`` is
what one input gave (pages, records, page count), so the CLI and the batch
runner report the same facts.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, display_path
from .model import Page, Record
from .sources import is_stream, read_bytes, read_text, split_lines, spool

PDF_MAGIC = b"%PDF-"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
OCR_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class Options:
    fiscal_year: int | None = None  # the document's fiscal year when it does not say
    ocr: str = "auto"  # auto: pages without a usable text layer; always; never
    password: str | None = None  # for encrypted PDFs
    max_pages: int | None = None  # refuse PDFs with more pages than this
    jobs: int = 1  # OCR processes for one document
    pages: frozenset[int] | None = None  # read only these pages of a PDF (1-based); None: all


@dataclass
class Document:
    path: Path
    records: list[Record] = field(default_factory=list)
    pages: int | None = None  # None for plain text
    model: list[Page] = field(default_factory=list)  # the page model the records were read from


def read_pages(path: Path, options: Options = Options()) -> tuple[list[Page], int | None]:
    """The page model of any supported document, chosen by content (not only by name), and its page count."""
    head = read_bytes(path, 1024)
    suffix = path.suffix.lower()
    if head.lstrip()[:5] == PDF_MAGIC or suffix == ".pdf":
        from .pdf import read_pdf

        return read_pdf(path, options)
    if suffix in IMAGE_SUFFIXES or (suffix != ".txt" and head.startswith(IMAGE_MAGIC)):
        from .ocr import read_image

        return read_image(path, options)
    from .layout.text import text_page

    return [text_page(split_lines(read_text(path)))], None


class _Renamed(logging.Filter):
    """Warnings about a spooled copy name the input as given."""

    def __init__(self, copy: Path, original: Path) -> None:
        super().__init__()
        self.copy, self.original = str(copy), display_path(original)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.copy in message:
            record.msg, record.args = message.replace(self.copy, self.original), ()
        return True


@contextlib.contextmanager
def _readable(path: Path) -> Iterator[Path]:
    """``path``, or a regular copy of it when it is a pipe (``<(curl …)``, ``/dev/stdin``).

    A pipe can be read once: sniffing its format and then reading it (or PDFium
    and the OCR workers each opening it) would lose its start.  So it is copied
    to a temporary file first, and errors and warnings still name ``path``.
    """
    if not is_stream(path):
        yield path
        return
    logger = logging.getLogger("yosan")
    with tempfile.TemporaryDirectory(prefix="yosan-") as folder:
        copy = Path(folder) / (path.name or "input")
        spool(path, copy)
        renamed = _Renamed(copy, path)
        logger.addFilter(renamed)
        try:
            yield copy
        except InputError as exc:
            raise InputError(path, exc.reason) from None
        finally:
            logger.removeFilter(renamed)


_SPARING = [False]  # whether a collector_spared block of this process froze the heap


def _nothing() -> None:
    return None


@contextlib.contextmanager
def collector_spared() -> Iterator[Callable[[], None]]:
    """The objects alive now left out of the cyclic garbage collector's passes until the block
    ends; it gives a function that leaves out those alive then too (call it after each page).

    A page model (millions of glyphs' lines, boxes and cells) holds no reference cycles, so the
    collector never frees any of it, but each full pass walks all of it: that was an eighth of
    the time a 612-page book's records took, and a fourteenth of reading its pages.  Nothing is
    frozen when the caller has frozen objects itself (``gc.freeze``), so its state is left as it
    was; what is frozen here is unfrozen at the end (any garbage among it is collected then).
    """
    if _SPARING[0]:  # inside another such block (or a worker forked inside one)
        yield gc.freeze
        return
    if gc.get_freeze_count():
        yield _nothing
        return
    _SPARING[0] = True
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        _SPARING[0] = False
        gc.unfreeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the block runs (unpickling the page models that worker
    processes send: each pass would walk the pages received so far, six times the unpickling)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def extract_document(path: str | Path, options: Options = Options()) -> Document:
    """Every amount stated in the document at ``path``, with what the run learned about it."""
    path = Path(path)
    with collector_spared():
        with _readable(path) as readable:
            pages, count = read_pages(readable, options)
        # imported once the pages are read: a PDF's page workers are forked without it, and this
        # process imports it while they read (``pdf._while_workers_read``)
        from .records import build_records

        records = build_records(
            pages, source=display_path(path.name), fiscal_year=options.fiscal_year, path=str(path)
        )
    return Document(path=path, records=records, pages=count, model=pages)


def extract_file(path: str | Path, fiscal_year: int | None = None, **options: object) -> list[Record]:
    """Every amount stated in the document at ``path``, as records."""
    return extract_document(path, Options(fiscal_year=fiscal_year, **options)).records  # type: ignore[arg-type]


def extract_text(text: str, source: str = "<text>", fiscal_year: int | None = None) -> list[Record]:
    """Records from a document already in memory (one string)."""
    from .layout.text import text_page
    from .records import build_records

    return build_records([text_page(split_lines(text))], source=source, fiscal_year=fiscal_year)
