"""OCR accuracy and speed on whole documents it was not tuned on.

    python bench/bench_ocr.py [--seed N ...] [--jobs N]

Scans the generated 43-page document (``fixtures/pdf/mext-r2-science-points.pdf``)
the way ``fixtures/make_scans.py`` scans its fixtures (300 dpi grey, skew
drawn in ±0.9°, blur, noise, dust, JPEG quality 70) with each seed, runs
``yosan extract`` on the image-only PDF and scores its budget, previous and
supplementary records against the hand-checked golden of the PDF
(``golden/pdf/mext-r2-science-points.csv``): found with the right kind, amount
and programme; reported right; kind and amount alone; amounts off by a
factor of 1,000; seconds per page.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures"))
sys.path.insert(0, str(ROOT))

import make_scans  # noqa: E402

from yosan.output import read_csv_rows  # noqa: E402
from yosan.pipeline import Options, extract_document  # noqa: E402

SOURCE = ROOT / "fixtures" / "pdf" / "mext-r2-science-points.pdf"
GOLDEN = ROOT / "golden" / "pdf" / "mext-r2-science-points.csv"
KINDS = ("budget", "previous", "supplementary")


def scan(seed: int, out: Path) -> Path:
    rng = np.random.default_rng(seed)
    pdf = pdfium.PdfDocument(str(SOURCE))
    pages = []
    for i in range(len(pdf)):
        skew = float(rng.uniform(-0.9, 0.9))
        pages.append(make_scans.degrade(make_scans.render(pdf[i]), skew, rng))
    pdf.close()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=300, quality=70)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, nargs="+", default=[7, 99, 123])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    gold = Counter(
        (r["kind"], int(r["amount_yen"]), r["program"].replace(" ", ""))
        for r in read_csv_rows(GOLDEN)
        if r["kind"] in KINDS
    )
    amounts = Counter((k, a) for k, a, _ in gold.elements())
    header = ("seed", "pages", "found", "reported right", "kind+amount", "x1000", "s/page")
    print("{:>5} {:>5} {:>12} {:>15} {:>12} {:>5} {:>7}".format(*header))
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seed:
            pdf = scan(seed, Path(tmp) / f"scan-{seed}.pdf")
            start = time.perf_counter()
            doc = extract_document(pdf, Options(jobs=args.jobs))
            seconds = time.perf_counter() - start
            got = Counter(
                (r.kind, r.amount_yen, r.program.replace(" ", "")) for r in doc.records if r.kind in KINDS
            )
            right = sum((gold & got).values())
            kind_amount = sum((amounts & Counter((k, a) for k, a, _ in got.elements())).values())
            true = {a for _, a, _ in gold}
            x1000 = sum(1 for _, a, _ in got if a not in true and (a * 1000 in true or a / 1000 in true))
            total, reported = sum(gold.values()), sum(got.values())
            print(
                f"{seed:>5} {doc.pages:>5} {right:>4}/{total} {right / total:>5.1%} "
                f"{right:>4}/{reported} {right / reported:>5.1%} {kind_amount / total:>12.1%} {x1000:>5} "
                f"{seconds / (doc.pages or 1):>7.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
