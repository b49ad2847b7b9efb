"""The shared document rendered through HTML/CSS by producers unlike reportlab.

``render_variants.py`` and ``fixtures/make_pdfs.py`` place every glyph
themselves with reportlab.  This renderer writes the document as HTML and
lets a layout engine set it, the way a word processor or an HTML-to-PDF tool
would: WeasyPrint 70 (pango shaping, its own line breaking, CSS multi-column
layout) or LibreOffice Writer (``soffice --convert-to pdf`` importing the
same HTML).

Every non-blank source line becomes one paragraph (Markdown markers such as
``**``, ``#`` and ``- `` are kept as text, as the source has them), so a long
line wraps as the engine decides.  A run of tab-separated source lines
becomes one ``<table>``, one row per line, ruled or unruled.  A chapter
heading (``5. Society 5.0を…``, ``6．科学技術…``; a numbered line with no
amount) is set larger and bold and, in columns, can span all of them.  Blank
source lines draw nothing.

Options (``HtmlVariant``): producer, font (IPAex Mincho/Gothic: TrueType;
Noto Serif/Sans CJK JP: OpenType/CFF), size, page (A4, JIS B5, A5, Letter),
columns (1-3, CSS ``columns``), line height, text-align (left or justify),
ruled or unruled tables, headings spanning the columns, space after each
paragraph, page numbers at the bottom.

What LibreOffice 7.4 does with the HTML (found by trying; ``fixtures/layouts/README.md`` has
the whole list): it is imported with the ``HTML (StarWriter)`` filter (the default Writer/Web
import dropped a heading and left page 1 blank before a short multi-column section).  It
honours ``@page`` size and margins, fonts, sizes, line height and text-align, and cell borders
only in each cell's ``style``.  It reads ``column-count`` only from a ``<div style>``, and such a
section runs past its ``</div>`` to the end of the document; Netscape's ``<multicol>`` ends where
it closes, so LibreOffice gets ``<multicol>``.  It ignores ``column-span``, so for it a
``<multicol>`` is closed before each chapter heading and another opened after it (the same
layout: CSS balances the columns before a spanning heading too).  It reads a margin of 0 as none
given (and keeps 0.49 cm under a ``<p>``): it gets one twip.  ``@page`` margin boxes are not
read: its page numbers come from a ``<div title="footer">`` with a page field, which WeasyPrint
hides.  So the HTML is the same for both producers but for the column container and those
zero margins.  A conversion that runs past ``LO_TIMEOUT`` is killed: a multi-column section
holding a table without a page size made soffice loop forever once.

Usage::

    from render_html import HtmlVariant, render
    pdf = render(SOURCE, tmp_path / "x.pdf", HtmlVariant("b5-2col", page="b5", columns=2))
    pdf = render(SOURCE, tmp_path / "y.pdf", HtmlVariant(producer="libreoffice"), lines=(1078, 1160))

    python tests/render_html.py OUT.pdf [--producer ...] [--font ...] [--columns N] ...
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "fixtures" / "mext-r2-science-points.txt"

# CSS family name (as fontconfig knows it) and the font's outline format.
FONTS = {
    "ipaex-mincho": ("IPAexMincho", "TrueType"),
    "ipaex-gothic": ("IPAexGothic", "TrueType"),
    "noto-serif": ("Noto Serif CJK JP", "CFF"),
    "noto-sans": ("Noto Sans CJK JP", "CFF"),
}
# Characters the IPAex fonts lack (¹⁸, ⁻⁹, ₄, ➢) come from here; Noto has most of them.
FALLBACK_FAMILY = "DejaVu Sans"
# Page sizes in millimetres, portrait.  B5 is JIS B5, the size of Japanese office documents.
PAGES = {"a4": (210.0, 297.0), "b5": (182.0, 257.0), "a5": (148.0, 210.0), "letter": (215.9, 279.4)}
PRODUCERS = ("weasyprint", "libreoffice", "chromium")
REWRITERS = ("", "ghostscript")  # what may rewrite a producer's PDF after it (as a scanner suite or a print server does)
GS_TIMEOUT = 300.0  # seconds for one Ghostscript rewrite
LO_TIMEOUT = 300.0  # seconds for one soffice conversion
CHROMIUM_TIMEOUT = 300.0  # seconds for one headless Chromium print

# A chapter heading: a number, a point, a title; a numbered line stating an amount is an item.
HEADING_RE = re.compile(r"^\s*\d{1,2}\s?[.．]\s?(?!\d)\S")


@dataclass(frozen=True)
class HtmlVariant:
    """How the document is set.  Lengths are in points unless named otherwise."""

    name: str = "html"
    producer: str = "weasyprint"  # or "libreoffice"
    font: str = "ipaex-mincho"  # a key of FONTS
    size: float = 9.0  # body font size
    page: str = "a4"  # a key of PAGES
    landscape: bool = False
    columns: int = 1  # 1, 2 or 3
    column_gap_mm: float = 7.0
    line_height: float = 1.5  # times the font size
    align: str = "left"  # or "justify"
    ruled: bool = True  # tables with cell borders
    span_headings: bool = True  # chapter headings across all columns
    gap: float = 0.0  # space after a paragraph, in lines (whole numbers keep the baseline grid)
    margin_mm: float = 15.0
    page_numbers: bool = True  # "- 3 -" at the bottom centre
    title: str = "令和2年度予算(案) 主要事項 (yosan-extract rendering)"
    extra_css: str = field(default="", compare=False)
    rewrite: str = ""  # "ghostscript": the producer's PDF rewritten by `gs -sDEVICE=pdfwrite`

    def __post_init__(self) -> None:
        if self.producer not in PRODUCERS:
            raise ValueError(f"producer {self.producer!r} is not one of {PRODUCERS}")
        if self.rewrite not in REWRITERS:
            raise ValueError(f"rewrite {self.rewrite!r} is not one of {REWRITERS}")
        if self.font not in FONTS:
            raise ValueError(f"font {self.font!r} is not one of {tuple(FONTS)}")
        if self.page not in PAGES:
            raise ValueError(f"page {self.page!r} is not one of {tuple(PAGES)}")
        if self.columns not in (1, 2, 3):
            raise ValueError("columns must be 1, 2 or 3")
        if self.align not in ("left", "justify"):
            raise ValueError("align must be 'left' or 'justify'")


# --- the document as blocks ------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A paragraph (``p``), a chapter heading (``h``) or a table (``table``, one row per line)."""

    kind: str
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (source line number, cells); one row unless a table

    @property
    def numbers(self) -> list[int]:
        return [n for n, _ in self.rows]


def read_source(path: Path = SOURCE) -> list[str]:
    """Source lines as grep -n numbers them (split on newlines only)."""
    return path.read_text(encoding="utf-8").removesuffix("\n").split("\n")


def is_heading(line: str) -> bool:
    """A chapter heading such as ``5. Society 5.0を…`` or ``6．科学技術…`` (no amount, no tab)."""
    return bool(HEADING_RE.match(line)) and "円" not in line and "\t" not in line


def blocks(lines: Sequence[str], span: tuple[int, int] | None = None) -> list[Block]:
    """The blocks of source lines ``span`` (1-based, inclusive; default: all)."""
    first, last = span or (1, len(lines))
    out: list[Block] = []
    table: list[tuple[int, tuple[str, ...]]] = []
    for number in range(first, last + 1):
        line = lines[number - 1]
        if "\t" in line:
            table.append((number, tuple(line.split("\t"))))
            continue
        if table:
            out.append(Block("table", tuple(table)))
            table = []
        if not line.strip():
            continue
        out.append(Block("h" if is_heading(line) else "p", ((number, (line,)),)))
    if table:
        out.append(Block("table", tuple(table)))
    return out


def drawn_text(blocks_: Sequence[Block]) -> list[tuple[int, str]]:
    """(source line, text) of every paragraph and table row, in reading order (cells joined by tabs)."""
    return [(n, "\t".join(cells)) for block in blocks_ for n, cells in block.rows]


# --- HTML ------------------------------------------------------------------------------------


def _pt(length: float, v: HtmlVariant) -> str:
    # LibreOffice reads a margin under one twip as no margin given and keeps its own (0.49 cm
    # under a <p>): it gets one twip.
    return f"{max(length, 0.05 if v.producer == 'libreoffice' else 0.0):.2f}pt"


def _css(v: HtmlVariant) -> str:
    width, height = PAGES[v.page]
    if v.landscape:
        width, height = height, width
    family, _ = FONTS[v.font]
    lh = v.size * v.line_height
    numbers = (
        f'@bottom-center {{ content: "- " counter(page) " -"; font-size: {v.size * 0.8:.2f}pt; '
        f'font-family: "{family}"; }}'
        if v.page_numbers
        else ""
    )
    fonts = f'font-family: "{family}", "{FALLBACK_FAMILY}"'
    return f"""
@page {{ size: {width}mm {height}mm; margin: {v.margin_mm}mm; {numbers} }}
html {{ {fonts}; font-size: {v.size}pt; }}
body {{ {fonts}; margin: 0; line-height: {lh:.3f}pt; text-align: {v.align}; font-size: {v.size}pt; }}
div[title="footer"] {{ display: none; }}
p {{ {fonts}; font-size: {v.size}pt; line-height: {lh:.3f}pt; margin-top: {_pt(0, v)}; margin-bottom: {_pt(v.gap * lh, v)};
     orphans: 1; widows: 1; overflow-wrap: anywhere; }}
h2 {{ {fonts}; font-size: {v.size * 1.3:.2f}pt; font-weight: bold; line-height: {2 * lh:.3f}pt;
      margin-top: {_pt(0, v)}; margin-bottom: {_pt(v.gap * lh, v)}; text-align: left;
      column-span: {"all" if v.span_headings else "none"}; break-after: avoid; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; margin-top: {_pt(0, v)}; margin-bottom: {_pt(lh, v)}; }}
td {{ {fonts}; font-size: {v.size}pt; line-height: {lh:.3f}pt; vertical-align: top; text-align: left;
      overflow-wrap: anywhere; }}
{v.extra_css}
"""


def _multicol(v: HtmlVariant) -> tuple[str, str]:
    """The opening and closing tags of a multi-column container."""
    if v.producer == "libreoffice":
        # Netscape's <multicol> (gutter in pixels at 96 dpi): LibreOffice ends its section at
        # </multicol>, while a <div style="column-count: N"> section runs past its </div> to
        # the end of the document.
        gutter = round(v.column_gap_mm / 25.4 * 96)
        return f'<multicol cols="{v.columns}" gutter="{gutter}">', "</multicol>"
    return f'<div class="cols" style="column-count: {v.columns}; column-gap: {v.column_gap_mm}mm">', "</div>"


def _cell_style(v: HtmlVariant) -> str:
    if v.ruled:
        return ' style="border: 0.5pt solid #000000; padding: 1pt 3pt"'
    return ' style="padding: 1pt 3pt"'


def _table(block: Block, v: HtmlVariant) -> str:
    width = max(len(cells) for _, cells in block.rows)
    style = _cell_style(v)
    rows = []
    for number, cells in block.rows:
        padded = list(cells) + [""] * (width - len(cells))
        tds = "".join(f"<td{style}>{html.escape(c.strip())}</td>" for c in padded)
        rows.append(f'<tr data-line="{number}">{tds}</tr>')
    return '<table width="100%" cellspacing="0">' + "".join(rows) + "</table>"


def to_html(lines: Sequence[str], v: HtmlVariant, span: tuple[int, int] | None = None) -> str:
    """The HTML of source lines ``span`` as ``v`` sets them."""
    body: list[str] = []
    if v.page_numbers:  # LibreOffice's page numbers; WeasyPrint hides this and uses @page
        body.append(
            '<div title="footer"><p style="text-align: center">- '
            "<sdfield type=PAGE subtype=RANDOM format=PAGE>1</sdfield> -</p></div>"
        )
    split = v.columns > 1 and v.span_headings and v.producer == "libreoffice"
    opening, closing = _multicol(v)
    open_cols = False
    if v.columns > 1:
        body.append(opening)
        open_cols = True
    for block in blocks(lines, span):
        if split and open_cols == (block.kind == "h"):  # close before a heading, reopen after
            body.append(closing if open_cols else opening)
            open_cols = not open_cols
        number, cells = block.rows[0]
        text = cells[0]
        if block.kind == "table":
            body.append(_table(block, v))
        elif block.kind == "h":
            body.append(f'<h2 data-line="{number}">{html.escape(text.strip())}</h2>')
        else:
            body.append(f'<p data-line="{number}">{html.escape(text.strip())}</p>')
    if open_cols:
        body.append(closing)
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f"<title>{html.escape(v.title)}</title><style>{_css(v)}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


# --- producers -------------------------------------------------------------------------------


def _weasyprint(document: str, out: Path) -> None:
    import weasyprint  # imported here: the LibreOffice path and the rest of the suite need none of it

    weasyprint.HTML(string=document, base_url=str(ROOT)).write_pdf(out)


def _run(command: list[str], name: str, result: Path, timeout: float) -> None:
    """Run a converter in a session of its own, killed with everything it started (soffice.bin,
    Chromium's helpers) when it runs past ``timeout``; it must have written ``result``."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        raise RuntimeError(f"{name} did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0 or not result.exists():
        raise RuntimeError(f"{name} failed ({proc.returncode}): {err.decode(errors='replace')[-500:]}")


def chromium() -> str | None:
    """The Chromium executable, or None (Debian's package chromium; the bench's third producer)."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _chromium(document: str, out: Path, timeout: float = CHROMIUM_TIMEOUT) -> None:
    """Chromium's own print to PDF (Blink layout, Skia's PDF backend): the same HTML and CSS as
    WeasyPrint gets (``@page`` size, margins and margin boxes, CSS columns, ``column-span``)."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="yosan-chromium-") as tmp:
        source = Path(tmp) / "document.html"
        source.write_text(document, encoding="utf-8")
        result = Path(tmp) / "document.pdf"
        command = [
            exe,
            "--headless",
            "--no-sandbox",  # root in a container
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={result}",
            source.as_uri(),
        ]
        _run(command, "chromium", result, timeout)
        shutil.move(str(result), out)


def ghostscript() -> str | None:
    """The gs executable, or None (Debian's package ghostscript)."""
    return shutil.which("gs")


def _ghostscript(pdf: Path, timeout: float = GS_TIMEOUT) -> None:
    """``pdf`` rewritten in place by Ghostscript's pdfwrite, as many municipal PDFs were (Fuji
    City's R8 books: DocuWorks, then Ghostscript): its fonts re-embedded with maps of its own."""
    exe = ghostscript()
    if exe is None:
        raise RuntimeError("Ghostscript is not installed (apt-get install ghostscript)")
    with tempfile.TemporaryDirectory(prefix="yosan-gs-") as tmp:
        result = Path(tmp) / "rewritten.pdf"
        command = [exe, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", f"-o{result}", str(pdf)]
        _run(command, "gs", result, timeout)
        shutil.move(str(result), pdf)


def soffice() -> str | None:
    """The soffice executable, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@contextlib.contextmanager
def _lo_profile() -> Iterator[Path]:
    """A LibreOffice user profile of our own, one conversion at a time (soffice locks it)."""
    profile = Path(tempfile.gettempdir()) / f"yosan-lo-profile-{os.getuid()}"
    profile.mkdir(parents=True, exist_ok=True)
    with (profile.parent / f"{profile.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield profile
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _libreoffice(document: str, out: Path, timeout: float = LO_TIMEOUT) -> None:
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    with tempfile.TemporaryDirectory(prefix="yosan-lo-") as tmp, _lo_profile() as profile:
        source = Path(tmp) / "document.html"
        source.write_text(document, encoding="utf-8")
        command = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--infilter=HTML (StarWriter)",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            tmp,
            str(source),
        ]
        result = Path(tmp) / "document.pdf"
        _run(command, "soffice", result, timeout)
        shutil.move(str(result), out)


def render(
    source: Path,
    out: Path,
    variant: HtmlVariant | None = None,
    lines: tuple[int, int] | None = None,
) -> Path:
    """Write source lines ``lines`` (1-based, inclusive; default: all) as the PDF ``out``; returns it."""
    v = variant or HtmlVariant()
    document = to_html(read_source(source), v, lines)
    out.parent.mkdir(parents=True, exist_ok=True)
    if v.producer == "weasyprint":
        _weasyprint(document, out)
    elif v.producer == "chromium":
        _chromium(document, out)
    else:
        _libreoffice(document, out)
    rewrite_pdf(out, v.rewrite)
    return out


def rewrite_pdf(pdf: Path, how: str) -> Path:
    """``pdf`` rewritten in place by ``how`` (one of REWRITERS; "" leaves it as it is)."""
    if how == "ghostscript":
        _ghostscript(pdf)
    elif how:
        raise ValueError(f"rewrite {how!r} is not one of {REWRITERS}")
    return pdf


# --- what was drawn --------------------------------------------------------------------------


# LibreOffice, justifying a narrow column, can drop a 、 or 。 that falls at the end of a line
# (it is neither drawn nor in the text layer); such a line still counts as drawn.
_HANGING = str.maketrans("", "", "、。")


def squeeze(text: str) -> str:
    """Text without whitespace (and without a 、 or 。 a producer may drop at a line end)."""
    return "".join(text.split()).translate(_HANGING)


PAGE_NUMBER_RE = re.compile(r"^-\d{1,3}-|-\d{1,3}-$")


def page_texts(pdf: Path) -> list[str]:
    """Each page's text layer (pypdfium2), whitespace and the page number ``- 3 -`` removed."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        texts = []
        for page in doc:
            text_page = page.get_textpage()
            # PDFium gives a hyphen that ends a line (J-/PARC) as U+FFFE.
            text = squeeze(text_page.get_text_range()).replace("\ufffe", "-")
            texts.append(PAGE_NUMBER_RE.sub("", text))
            text_page.close()
            page.close()
        return texts
    finally:
        doc.close()


def drawn_lines(
    pdf: Path, source: Path = SOURCE, lines: tuple[int, int] | None = None
) -> tuple[dict[int, int], list[int]]:
    """Where each source line of a rendering ended up: ({line: page}, [lines not found]).

    A line counts as drawn when its text (whitespace removed; a table row: each cell) is found
    on a page, searching forward from where the previous line was found (a line may start on
    one page and end on the next: then it is on the page where it starts).
    """
    texts = page_texts(pdf)
    joined = "".join(texts)
    starts = [0]
    for text in texts:
        starts.append(starts[-1] + len(text))
    found: dict[int, int] = {}
    missing: list[int] = []
    pos = 0
    for number, text in drawn_text(blocks(read_source(source), lines)):
        parts = [p for p in (squeeze(cell) for cell in text.split("\t")) if p]
        if not parts:
            continue
        at = _locate(joined, parts, pos)
        if at is None and len(parts) > 1:
            at = _locate(joined, parts, 0)  # out of order (a table row split over two columns)
        if at is None:
            missing.append(number)
            continue
        pos = at
        found[number] = next(i for i in range(len(texts)) if starts[i + 1] > at) + 1
    return found, missing


def _locate(text: str, parts: list[str], start: int) -> int | None:
    """Where the first of ``parts`` is found from ``start`` with the others near it, or None.

    One part is a paragraph; several are the cells of a table row, which the text layer gives
    line by line (the lines of wrapped cells interleave), and not always in their order.
    """
    cells = len(parts) > 1
    at = find_text(text, parts[0], start, cell=cells)
    if at is None:
        return None
    near = max(0, at - 2000)
    if any(find_text(text[: at + 4000], part, near, cell=True) is None for part in parts[1:]):
        return None
    return at


_NUMBER_RE = re.compile(r"[0-9][0-9,.]*")


def find_text(text: str, part: str, start: int = 0, cell: bool = False) -> int | None:
    """Where ``part`` is first in ``text`` (both squeezed), or None.

    As it is, or (found earlier) all its characters within a window of its length (a glyph
    from a fallback font, ``10⁻⁹``, that the producer wrote after the run it sits in), or, for
    a table ``cell``, its characters in order within a window (a wrapped cell whose lines
    interleave with its neighbours').  Either way every number of ``part`` (``14,269``) must be in the
    window as it is, so an amount is never found in the digits of others.
    """
    at = text.find(part, start)
    if at == start:
        return at
    # the nearest of either kind: a wrapped cell's text found in order before a later exact copy
    # (Chromium, three columns: 令和2年度予算額 / 14,269百万円 / (案) before
    # 令和2年度予算額(案):1,078百万円 a page later)
    end = at if at >= 0 else len(text)
    wanted = Counter(part)
    numbers = _NUMBER_RE.findall(part)
    first = text.find(part[0], start, end)
    tries = 0
    while 0 <= first < end and tries < 500:
        near = text[first : first + len(part) + 8]
        if not wanted - Counter(near) and all(n in near for n in numbers):
            return first
        if cell:
            window = text[first : first + 6 * len(part) + 1000]
            chars = iter(window)
            if all(ch in chars for ch in part) and all(n in window for n in numbers):
                return first
        first = text.find(part[0], first + 1, end)
        tries += 1
    return at if at >= 0 else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--lines", type=int, nargs=2, metavar=("FIRST", "LAST"))
    parser.add_argument("--html", action="store_true", help="write the HTML next to the PDF too")
    defaults = HtmlVariant()
    for key, value in asdict(defaults).items():
        if key in ("name", "title", "extra_css"):
            continue
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(flag, type=lambda s: s.lower() in ("1", "yes", "true"), default=value)
        else:
            parser.add_argument(flag, type=type(value), default=value)
    args = parser.parse_args(argv)
    options = {k: getattr(args, k) for k in asdict(defaults) if k not in ("name", "title", "extra_css")}
    variant = HtmlVariant(args.out.stem, **options)
    span = tuple(args.lines) if args.lines else None
    if args.html:
        args.out.with_suffix(".html").write_text(
            to_html(read_source(args.source), variant, span), encoding="utf-8"
        )
    render(args.source, args.out, variant, span)
    found, missing = drawn_lines(args.out, args.source, span)
    print(f"{args.out}: {len(found)} lines drawn, {len(missing)} not found {missing[:20]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
