"""PDF documents → pages of the model: text layers through the layout engine, scans through OCR.

Each page's glyphs and rules (``pdfglyphs``) go through ``layout.analyse_page``;
pages without a usable text layer (none at all but something drawn, or a
broken one) are read by OCR, which ends in the same layout engine.  Pages
are read and released one at a time.  Running heads and page numbers are
then marked across the document (``layout.mark_furniture``).  Page-level
problems are warnings, never fatal; a broken text layer is reported and its
page read by OCR or skipped, never turned into garbage records.
"""

from __future__ import annotations

import itertools
import logging
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import regex

from . import tounicode
from .errors import InputError, OcrUnavailable
from .layout import TEXT_LAYER, analyse_page, finish_document
from .model import Layer, Page
from .pdfchars import damage_notes, distinct_pages, geometry, open_pdf
from .pdfglyphs import page_glyphs, page_rulings
from .pipeline import Options, collector_paused, collector_spared

log = logging.getLogger("yosan")


def broken_text_reason(text: str, unmapped: int = 0) -> str | None:
    """Why a page's text layer cannot be trusted, or None."""
    if not text.strip():
        return None
    n = len(text)
    if unmapped > max(3, n // 20):
        return f"{unmapped} glyphs without Unicode"
    cid = text.count("(cid:")
    nul = text.count("\x00")
    pua = len(_PRIVATE_USE.findall(text))
    radicals = len(_RADICAL.findall(text))
    if cid and cid * 5 >= n / 20:
        return f"{cid} unmapped (cid:NNN) glyphs"
    if nul > max(3, n // 50):
        return f"{nul} NUL characters"
    if pua > max(3, n // 50):
        return f"{pua} private-use characters"
    if radicals > max(5, n // 10):
        return f"{radicals} radical characters in place of kanji"
    marks = len(_MARK_AMONG_KANA.findall(text))
    if marks > max(5, n // 100):
        return f"{marks} Latin-1 letters or ASCII marks between kana and kanji"
    return None


_PRIVATE_USE = regex.compile("[\ue000-\uf8ff]")
_RADICAL = regex.compile("[\u2f00-\u2fdf\u2e80-\u2eff]")  # Kangxi radicals and their supplement
# A Latin-1 character or one of ~{}|^` between two of kana and kanji: what a font whose ToUnicode
# map a rewriter lost prints for kana and kanji (Ghostscript's pdfwrite over Chromium's fonts:
# `ð和2度Î算Ý` for 令和2年度予算額, `分野~研究` for 分野の研究; 4-8 % of such a page's characters).
# None in any corpus or fixture PDF with a text layer; a scanner's OCR layer has a few `~`
# (Kodaira: 7 of 1,221).
_MARK_AMONG_KANA = regex.compile(
    r"""
    (?<=[\p{Han}\p{Hiragana}\p{Katakana}])   # after kana or kanji
    [~{}|^`\u00a1-\u00ff]                      # a mark or a Latin-1 character
    (?=[\p{Han}\p{Hiragana}\p{Katakana}])    # before kana or kanji
    """,
    regex.VERBOSE,
)


_FIGURE_LIKE = regex.compile(r"[△▲-]?[\d,.()\s]+")
_FIGURE = regex.compile(r"[△▲-]?\s?(?:\d{1,3}(?:,\d{3})+|\d+)")
_DIGITS = regex.compile(r"\d")
SCAN_LAYER = 0.9  # a page whose text is this much invisible carries a scanner's OCR, not the writer's text


def suspect_figures(model: Page) -> str:
    """The first amount on a page that fails the number format check (``l,085,094``), or ''."""
    from .model import Table
    from .repair import suspect_numbers

    texts = [line.text for line in model.lines()]
    for block in model.blocks:
        if isinstance(block, Table):
            texts += ["\t".join(c.text if c else "" for c in row) for row in block.grid()]
            for cell in block.cells:
                text = unicodedata.normalize("NFKC", cell.text).strip()
                # a cell of digits and number punctuation that is no well-formed number: 69,086, ()0(）
                if (
                    _FIGURE_LIKE.fullmatch(text)
                    and len(_DIGITS.findall(text)) >= 4
                    and not _FIGURE.fullmatch(text)
                ):
                    return text
    for text in texts:
        spans = suspect_numbers(text)
        if spans:
            start, end = spans[0]
            return text[start:end]
    return ""


def read_pdf(path: Path, options: Options | None = None) -> tuple[list[Page], int]:
    """All pages in reading order and the page count.

    Pages without a usable text layer are read by OCR when ``options.ocr`` is
    auto; with always, every page is.  OCR runs after the text pages,
    ``options.jobs`` pages at a time in worker processes that render their own pages.
    """
    options = options or Options()
    doc = open_pdf(path, options.password, options.max_pages)
    try:
        count = len(doc)
        numbers = list(_page_numbers(path, count, options))
        if options.pages is not None:
            numbers = [n for n in numbers if n in options.pages]
        jobs = min(options.jobs, len(numbers) // PAGES_PER_JOB)
        if jobs <= 1:
            _log_damage(path, damage_notes(path))
            read = _read_all(path, doc, numbers, options.ocr)
    finally:
        doc.close()
    if jobs > 1:
        read = _read_in_parallel(path, numbers, jobs, options)
    pages = [page for page, _ in read]
    wanted = [page.number for page, wants_ocr in read if wants_ocr and page.number is not None]
    _mend_font_maps(path, pages, options)
    if wanted:
        _ocr_pages(path, pages, wanted, options, everything=len(wanted) == len(pages))
    finish_document(pages, TEXT_LAYER)
    return pages, count


def _log_damage(path: Path, notes: Sequence[str]) -> None:
    for note in notes:
        log.warning("%s: %s; read what could be recovered", path, note)


def _mend_font_maps(path: Path, pages: list[Page], options: Options) -> None:
    """Kanji a font's ToUnicode map names wrongly, mended from its glyph order (``tounicode``)."""
    if not tounicode.suspect(pages):
        return
    table = tounicode.repairs(path, options.password)
    changed = tounicode.repair_pages(pages, table)
    if changed:
        sample = "、".join(f"{wrong}→{right}" for (wrong, right), _ in changed.most_common(4))
        log.warning(
            "%s: %d characters of the text layer are named wrongly by its fonts' ToUnicode maps "
            "(%s); mended from the fonts' glyph order",
            path,
            changed.total(),
            sample,
        )


PAGES_PER_JOB = 8  # fewer pages than this per process are read in this one (a process costs ~50 ms)
RUNS_PER_JOB = 4  # a process reads about this many runs of pages, the next when one is done, so that
# a run of slow pages (dense tables) does not keep the others waiting; each run opens the file (~1 ms)
PAGES_PER_RUN = 4  # a run has at least this many pages (with 43 pages and two processes: 8 runs, so
# that each process reads 4 and neither waits for the other's third)


def _read_in_parallel(path: Path, numbers: list[int], jobs: int, options: Options) -> list[tuple[Page, bool]]:
    """Pages read in ``jobs`` processes, each opening the file and reading a run of pages; the
    warnings they raise are logged here, in page order."""
    import multiprocessing

    runs = max(jobs, min(jobs * RUNS_PER_JOB, len(numbers) // PAGES_PER_RUN))
    bounds = [round(k * len(numbers) / runs) for k in range(runs + 1)]
    work = [(str(path), options.password, options.ocr, numbers[a:b]) for a, b in itertools.pairwise(bounds)]
    # each worker starts with no document of its own open (a fork copies this process's table)
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_OPEN.clear) as pool, collector_paused():
        pending = pool.map_async(_read_run, work, chunksize=1)
        notes = _while_workers_read(path)
        results = pending.get()
    _log_damage(path, notes)  # first, as the serial path does
    out: list[tuple[Page, bool]] = []
    for read, warnings in results:
        for message in warnings:
            log.warning("%s", message)
        out.extend(read)
    return out


def _while_workers_read(path: Path) -> list[str]:
    """What this process does while it waits for its page workers: look for damaged streams
    (``damage_notes`` reads the whole file: 15 ms for the 43-page fixture), and import the record
    builder and the budget-book reader, whose patterns take about a quarter of a second to
    compile (0.14 s and 0.13 s here).  The next step needs both for every document, and the
    workers were forked before, so none of them pays for it."""
    notes = damage_notes(path)
    from . import book, records  # noqa: F401

    return notes


def _read_run(args: tuple[str, str | None, str, list[int]]) -> tuple[list[tuple[Page, bool]], list[str]]:
    """Some pages of a PDF (in a worker process), and the warnings they raised."""
    path, password, ocr, numbers = args
    caught: list[str] = []
    handler = _Collect(caught)
    log.addHandler(handler)
    propagate, log.propagate = log.propagate, False
    try:
        return _read_all(Path(path), _worker_document(path, password), numbers, ocr), caught
    finally:
        log.removeHandler(handler)
        log.propagate = propagate


def _read_all(
    path: Path, doc: pdfium.PdfDocument, numbers: Sequence[int], ocr: str
) -> list[tuple[Page, bool]]:
    """Pages read one after another, each left out of the garbage collector's passes once read."""
    read: list[tuple[Page, bool]] = []
    with collector_spared() as keep:
        for number in numbers:
            read.append(_read_page(path, doc, number, ocr))
            keep()
    return read


_OPEN: dict[tuple[str, str | None], pdfium.PdfDocument] = {}  # a page worker's document


def _worker_document(path: str, password: str | None) -> pdfium.PdfDocument:
    """The document a page worker reads its runs from, opened at its first run and kept for the
    next (reopened, PDFium parses the fonts again: a run's first page cost twice the others).
    The worker's pool is one document's, and its process ends with it."""
    key = (path, password)
    if key not in _OPEN:
        _OPEN[key] = open_pdf(Path(path), password)
    return _OPEN[key]


class _Collect(logging.Handler):
    """Keeps a worker's warnings, so that the parent logs them where its own go."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record.getMessage())


def _page_numbers(path: Path, count: int, options: Options) -> range | list[int]:
    """The pages to read: each page object once, when the page tree lists one again."""
    distinct = distinct_pages(path, count, options.password)
    if distinct is None:
        return range(1, count + 1)
    numbers, repeats = distinct
    log.warning(
        "%s: the page tree lists %d pages again (the same page object as an earlier page); each read once",
        path,
        repeats,
    )
    return numbers


def _ocr_pages(path: Path, pages: list[Page], wanted: list[int], options: Options, everything: bool) -> None:
    """Replace the pages that want OCR by their OCR reading (a missing tesseract fails only a scan)."""
    from .ocr import ocr_pdf_pages

    try:
        found = ocr_pdf_pages(path, wanted, jobs=options.jobs, password=options.password)
    except OcrUnavailable as exc:
        if everything:
            raise InputError(path, f"no text layer, and {exc}") from None
        log.warning("%s: %d pages without a usable text layer skipped: %s", path, len(wanted), exc)
        return
    where = {page.number: k for k, page in enumerate(pages)}
    for number, page in found.items():
        pages[where[number]] = page


def _read_page(path: Path, doc: pdfium.PdfDocument, number: int, ocr: str = "auto") -> tuple[Page, bool]:
    """One page's model from its text layer, and whether it wants OCR (the page is released after)."""
    try:
        page = doc[number - 1]
    except Exception as exc:
        log.warning("%s: page %d: unreadable (%s); page skipped", path, number, exc)
        return Page(number), False
    try:
        geo = geometry(page)
        empty = Page(number, geo.width, geo.height, geo.rotation)
        if ocr == "always":
            return empty, True
        layer = page_glyphs(page, geo)
        text = "".join(g.text for g in layer.glyphs)
        reason = broken_text_reason(text, layer.unmapped)
        if reason:
            then = "page skipped" if ocr == "never" else "reading it by OCR"
            log.warning("%s: page %d: broken text layer (%s); %s", path, number, reason, then)
            return empty, ocr != "never"
        if not layer.glyphs:  # a scan, or glyphs drawn as shapes; a blank page has nothing to read
            drawn = raw.FPDFPage_CountObjects(page.raw) > 0
            return empty, drawn and ocr == "auto"
        scan = layer.invisible >= SCAN_LAYER
        rulings = page_rulings(page, geo, TEXT_LAYER.max_rules)
        if scan and not rulings:
            from .ocr import scan_rulings

            rulings = scan_rulings(page)[: TEXT_LAYER.max_rules]
        model = analyse_page(
            layer.glyphs,
            rulings,
            number=number,
            width=geo.width,
            height=geo.height,
            rotation=geo.rotation,
            layer=Layer.TEXT,
        )
        if scan:
            # a scanner's OCR layer gets the repairs of our own OCR's output (l,085,094 is 1,085,094)
            from .ocr import repair_page

            model.layer = Layer.OCR
            for note in repair_page(model, number):
                log.warning("%s: %s", path, note)
        if scan and ocr == "auto":
            bad = suspect_figures(model)
            if bad:
                log.warning(
                    "%s: page %d: the scan's own text layer fails the number format check (%r); "
                    "reading it by OCR",
                    path, number, bad,
                )  # fmt: skip
                return empty, True
        return model, False
    except Exception as exc:
        log.warning("%s: page %d: unreadable (%s); page skipped", path, number, type(exc).__name__)
        log.debug("%s: page %d", path, number, exc_info=True)
        return Page(number), False
    finally:
        page.close()
