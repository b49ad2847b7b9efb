"""Accuracy of the extractor on the whole document laid out by other producers.

    python bench/bench_layouts.py [--producers weasyprint libreoffice chromium] [--rewrite ghostscript]
                                  [--fonts ...]
                                  [--columns 1 2 3] [--tables ruled unruled] [--page a4]
                                  [--size 9] [--align left] [--scans] [--jobs 2] [--keep DIR]

Renders the shared document (``fixtures/mext-r2-science-points.txt``) through HTML/CSS
(``tests/render_html.py``) in every combination of producer (WeasyPrint, LibreOffice; Chromium's
print to PDF when asked; with ``--rewrite ghostscript`` each PDF then rewritten by Ghostscript's
pdfwrite, as many municipal PDFs were),
font (IPAex Mincho/Gothic: TrueType; Noto Serif/Sans CJK JP: CFF), 1, 2 or 3 columns and
ruled or unruled tables; with ``--scans`` also a scan of the whole document in two columns
(WeasyPrint, IPAex Mincho, ruled tables) degraded as ``fixtures/make_scans.py`` degrades
(300 dpi grey, skew within ±0.9°, blur, noise, dust, JPEG 70; seeded).  Each rendering is read
with ``extract.extract_file(path)`` and its budget, previous and supplementary records are
compared with the hand-checked text golden (``golden/mext-r2-science-points.csv``) on
(kind, fiscal year, amount, programme without spaces), as multisets:

- ``found``: golden records reported right, of the golden records of the lines drawn;
- ``reported right``: the same, of all records reported;
- ``x1000``: reported amounts that are not in the golden but are 1,000 times or a 1,000th of
  one that is.

A source line the rendering did not draw (its text is not in the PDF's text layer, see
``render_html.drawn_lines``) is listed under ``dropped`` and its records leave the
denominator.  The script only calls ``extract_file(path)`` and reads the records' ``kind``,
``fiscal_year``, ``amount_yen``, ``program`` and ``page``.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import itertools
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "fixtures"))
sys.path.insert(0, str(ROOT))

import render_html  # noqa: E402

SOURCE = ROOT / "fixtures" / "mext-r2-science-points.txt"
GOLDEN = ROOT / "golden" / "mext-r2-science-points.csv"
KINDS = ("budget", "previous", "supplementary")
FONTS = tuple(render_html.FONTS)
SCAN_SEED = 7

Key = tuple[str, str, str, str]


def key(kind: str, year: object, amount: object, program: str) -> Key:
    return kind, str(year or ""), str(amount), program.replace(" ", "")


@dataclass(frozen=True)
class Job:
    variant: render_html.HtmlVariant
    scan: bool = False

    @property
    def name(self) -> str:
        return self.variant.name + ("-scan" if self.scan else "")


@dataclass
class Result:
    name: str
    pages: int = 0
    dropped: tuple[int, ...] = ()  # source lines not drawn
    dropped_records: int = 0  # golden records on those lines
    gold: int = 0
    reported: int = 0
    right: int = 0
    x1000: int = 0
    render_s: float = 0.0
    extract_s: float = 0.0
    error: str = ""
    missed: tuple[Key, ...] = ()


def golden_rows() -> list[dict[str, str]]:
    with GOLDEN.open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["kind"] in KINDS]


def scan_pdf(pdf: Path, out: Path, seed: int) -> Path:
    """Every page of ``pdf`` scanned as fixtures/make_scans.py scans (skew drawn in ±0.9°)."""
    import make_scans
    import numpy as np
    import pypdfium2 as pdfium

    rng = np.random.default_rng(seed)
    doc = pdfium.PdfDocument(str(pdf))
    pages = []
    for i in range(len(doc)):
        skew = float(rng.uniform(-0.9, 0.9))
        pages.append(make_scans.degrade(make_scans.render(doc[i]), skew, rng))
    doc.close()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=make_scans.DPI, quality=70)
    return out


def run(job: Job, tmp: Path) -> Result:
    """Render, extract and score one rendering."""
    from yosan import extract_file

    result = Result(job.name)
    try:
        start = time.perf_counter()
        # the scan's rendering has a file of its own: the text rendering of the same variant may be
        # written at the same time by another worker
        rendered = tmp / f"{job.variant.name}{'-for-scan' if job.scan else ''}.pdf"
        # what was drawn is read off the producer's own text layer: a rewrite may garble it
        pdf = render_html.render(SOURCE, rendered, dataclasses.replace(job.variant, rewrite=""))
        found, missing = render_html.drawn_lines(pdf, SOURCE)
        if job.variant.rewrite:
            pdf = render_html.rewrite_pdf(pdf, job.variant.rewrite)
        if job.scan:
            pdf = scan_pdf(pdf, tmp / f"{job.name}.pdf", SCAN_SEED)
        result.render_s = time.perf_counter() - start
        result.dropped = tuple(missing)
        start = time.perf_counter()
        records = extract_file(pdf)
        result.extract_s = time.perf_counter() - start
    except Exception as exc:  # a rendering or an extraction that fails is a row, not the end
        result.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
        traceback.print_exc(file=sys.stderr)
        return result
    rows = golden_rows()
    drawn = set(found)
    gold = Counter(
        key(r["kind"], r["fiscal_year"], r["amount_yen"], r["program"])
        for r in rows
        if int(r["line"]) in drawn
    )
    result.dropped_records = sum(1 for r in rows if int(r["line"]) not in drawn)
    got = Counter(key(r.kind, r.fiscal_year, r.amount_yen, r.program) for r in records if r.kind in KINDS)
    result.pages = max((r.page or 0 for r in records), default=0)
    result.gold, result.reported = sum(gold.values()), sum(got.values())
    result.right = sum((gold & got).values())
    amounts = {int(a) for _, _, a, _ in gold}
    result.x1000 = sum(
        n
        for (_, _, a, _), n in got.items()
        if int(a) not in amounts and (int(a) * 1000 in amounts or int(a) / 1000 in amounts)
    )
    result.missed = tuple(sorted((gold - got).elements()))
    return result


def _pct(x: int, y: int) -> str:
    return f"{x:>4}/{y:<4} ({x / y:6.1%})" if y else f"{x:>4}/{y:<4} (   n/a)"


def line(result: Result) -> str:
    if result.error:
        return f"{result.name:<44} ERROR {result.error}"
    dropped = "-" if not result.dropped else f"{len(result.dropped)} ({result.dropped_records} rec)"
    return (
        f"{result.name:<44} {result.pages:>5} {dropped:>12}  found {_pct(result.right, result.gold)}  "
        f"reported right {_pct(result.right, result.reported)}  x1000 {result.x1000:>2}  "
        f"{result.render_s:5.1f}s {result.extract_s:5.1f}s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--producers",
        nargs="+",
        default=["weasyprint", "libreoffice"],
        choices=render_html.PRODUCERS,
        help="chromium (headless print to PDF) only when asked: Debian's package is large",
    )
    parser.add_argument(
        "--rewrite",
        default="",
        choices=render_html.REWRITERS,
        help="ghostscript: each rendering rewritten by gs -sDEVICE=pdfwrite after its producer",
    )
    parser.add_argument("--fonts", nargs="+", default=list(FONTS), choices=FONTS)
    parser.add_argument("--columns", nargs="+", type=int, default=[1, 2, 3], choices=[1, 2, 3])
    parser.add_argument("--tables", nargs="+", default=["ruled", "unruled"], choices=["ruled", "unruled"])
    parser.add_argument("--page", default="a4", choices=tuple(render_html.PAGES))
    parser.add_argument("--size", type=float, default=9.0)
    parser.add_argument("--align", default="left", choices=["left", "justify"])
    parser.add_argument("--scans", action="store_true", help="also a scan of a two-column rendering (OCR)")
    parser.add_argument("--jobs", type=int, default=2, help="renderings processed at once")
    parser.add_argument("--keep", type=Path, help="keep the renderings in this folder")
    parser.add_argument(
        "--missed", type=int, default=0, help="print up to N missed golden records per rendering"
    )
    args = parser.parse_args(argv)

    jobs = []
    for producer, font, columns, tables in itertools.product(
        args.producers, args.fonts, args.columns, args.tables
    ):
        name = f"{producer}-{font}-{columns}col-{tables}" + (f"-{args.rewrite}" if args.rewrite else "")
        variant = render_html.HtmlVariant(
            name,
            producer=producer,
            font=font,
            size=args.size,
            page=args.page,
            columns=columns,
            align=args.align,
            ruled=tables == "ruled",
            rewrite=args.rewrite,
        )
        jobs.append(Job(variant))
    if args.scans:
        scan = render_html.HtmlVariant(
            "weasyprint-ipaex-mincho-2col-ruled", font="ipaex-mincho", page=args.page, columns=2
        )
        jobs.append(Job(scan, scan=True))

    if args.producers and "libreoffice" in args.producers and render_html.soffice() is None:
        print("LibreOffice (soffice) is not installed: its renderings will fail", file=sys.stderr)
    if "chromium" in args.producers and render_html.chromium() is None:
        print(
            "Chromium is not installed (apt-get install chromium): its renderings will fail", file=sys.stderr
        )
    golden = GOLDEN.relative_to(ROOT)
    print(
        f"{args.page.upper()}, {args.size:g} pt, {args.align}; golden {golden}, budget/previous/supplementary"
    )
    header = (
        f"{'rendering':<44} {'pages':>5} {'dropped':>12}  {'found':<23}  {'reported right':<30}  "
        f"{'x1000':<8} render extract"
    )
    print(header)
    totals = Result("all")
    with tempfile.TemporaryDirectory(prefix="bench-layouts-") as tmp_name:
        tmp = args.keep or Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for result in pool.map(run, jobs, itertools.repeat(tmp)):
                print(line(result), flush=True)
                if result.dropped:
                    print(f"    not drawn: lines {', '.join(map(str, result.dropped[:30]))}")
                for fact in result.missed[: args.missed]:
                    print(f"    missed {fact}")
                for field in ("gold", "reported", "right", "x1000", "dropped_records"):
                    setattr(totals, field, getattr(totals, field) + getattr(result, field))
    print(
        f"{'all':<44} {'':>5} {totals.dropped_records:>6} rec dropped  "
        f"found {_pct(totals.right, totals.gold)}  "
        f"reported right {_pct(totals.right, totals.reported)}  x1000 {totals.x1000:>2}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
