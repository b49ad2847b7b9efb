"""camelot against the layout engine's own table finder, on ruled and unruled tables, in one run.

    python bench/bench_tables.py [--repeat N]

Each case is one page and rows that a reader sees on it, written out by
hand from the rendered page (cells without spaces).  Every finder reads
the page; a row counts as found when some table it returned has a row
whose non-empty cells are exactly those.  The finders:

* ``yosan``: ``extract.layout.analyse_page`` (the shared lattice for ruled
  tables, gutters for unruled ones), through ``extract.pdf``;
* ``camelot-lattice``, ``camelot-stream``, ``camelot-network``,
  ``camelot-hybrid``: ``camelot.read_pdf(path, pages=N, flavor=…)``.

It prints rows found per case, and seconds per page (best of ``--repeat``).
Corpus cases run when ``../shared/corpus`` is present.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from yosan.model import Table  # noqa: E402
from yosan.pdf import _read_page  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
FLAVORS = ("lattice", "stream", "network", "hybrid")


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    page: int
    rows: tuple[tuple[str, ...], ...]  # as a reader sees them, spaces removed, empty cells left out


CASES = [
    Case(
        "PR sheet, ruled table",
        ROOT / "fixtures" / "pdf" / "pr-sheet.pdf",
        1,
        (
            ("事業名", "令和2年度予算額(案)", "前年度予算額", "令和元年度補正予算額(案)"),
            ("施設の整備費", "1,358", "952", "3,798"),
            ("業務実施費", "373", "373", "－"),
        ),
    ),
    Case(
        "PR sheet, box without inner rules",
        ROOT / "fixtures" / "pdf" / "pr-sheet.pdf",
        1,
        (
            ("令和2年度予算額(案)", "1,732百万円"),
            ("(前年度予算額)", "1,326百万円"),
            ("令和元年度補正予算額(案)", "3,798百万円"),
        ),
    ),
    Case(
        "table inside a column (WeasyPrint, ruled)",
        ROOT / "fixtures" / "layouts" / "table-in-column-weasyprint.pdf",
        1,
        (("地域", "分担率"), ("欧州", "45.5%"), ("日本", "9.1%"), ("インド", "9.1%")),
    ),
    Case(
        "list with amounts flush right (spread, reportlab, unruled)",
        ROOT / "fixtures" / "layouts" / "spread-reportlab.pdf",
        1,
        (
            ("IiPS細胞研究中核拠点", "2,700百万円"),
            ("II疾患・組織別実用化研究拠点", "3,000百万円"),
            ("III技術開発個別課題", "1,055百万円"),
        ),
    ),
    Case(
        "budget book 目 table (Fuji R8 議会費 p1, ruled)",
        CORPUS / "fuji_r8_saishutsu01_gikai.pdf",
        1,
        (
            ("目", "本年度予算額", "前年度予算額", "比較", "本年度予算額の財源内訳"),
            ("1議会費", "488,451", "499,446", "△10,995", "1,013", "487,438"),
        ),
    ),
    Case(
        "budget book 節 column (Fuji R8 労働費 p1, ruled, tall rows)",
        CORPUS / "fuji_r8_saishutsu05_rodo.pdf",
        1,
        (
            ("1報酬", "1,343"),
            ("2給料", "19,614"),
            ("3職員手当等", "12,860"),
            ("1労政費", "132,209", "114,424", "17,785", "6,546", "576", "125,087"),
        ),
    ),
]


def _clean(text: object) -> str:
    return "".join(str(text).split())


def yosan_rows(path: Path, page: int) -> list[tuple[str, ...]]:
    model, _ = _read_page(path, __import__("pypdfium2").PdfDocument(str(path)), page, "never")
    rows = []
    for block in model.blocks:
        if isinstance(block, Table):
            for row in block.grid():
                rows.append(tuple(c for c in (_clean(cell.text) if cell else "" for cell in row) if c))
    return rows


def camelot_rows(flavor: str) -> Callable[[Path, int], list[tuple[str, ...]]]:
    def read(path: Path, page: int) -> list[tuple[str, ...]]:
        import camelot

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = camelot.read_pdf(str(path), pages=str(page), flavor=flavor)
        rows = []
        for table in tables:
            for _, row in table.df.iterrows():
                rows.append(tuple(c for c in (_clean(v) for v in row) if c))
        return rows

    return read


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per finder and page; the fastest counts")
    args = parser.parse_args(argv)
    finders = {"yosan": yosan_rows} | {f"camelot-{f}": camelot_rows(f) for f in FLAVORS}
    cases = [c for c in CASES if c.path.exists()]
    for missing in (c for c in CASES if not c.path.exists()):
        print(f"skipped {missing.name}: {missing.path} not present")
    totals = {name: [0, 0, 0.0] for name in finders}
    print(f"{'case':58} " + " ".join(f"{n:>16}" for n in finders))
    for case in cases:
        cells = []
        for name, finder in finders.items():
            best = float("inf")
            found: list[tuple[str, ...]] = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                try:
                    found = finder(case.path, case.page)
                except Exception as exc:  # a finder that fails scores nothing on the case
                    found = []
                    print(f"  {name} failed on {case.name}: {type(exc).__name__}: {exc}")
                best = min(best, time.perf_counter() - start)
            right = sum(1 for row in case.rows if row in set(found))
            totals[name][0] += right
            totals[name][1] += len(case.rows)
            totals[name][2] += best
            cells.append(f"{right}/{len(case.rows)} {best:5.2f}s")
        print(f"{case.name[:58]:58} " + " ".join(f"{c:>16}" for c in cells))
    print(
        f"{'all (rows found, seconds)':58} "
        + " ".join(f"{f'{r}/{n} {s:5.2f}s':>16}" for r, n, s in totals.values())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
