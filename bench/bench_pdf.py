"""Speed and memory of the PDF path against bare pdfplumber, measured in one run.

    python bench/bench_pdf.py [PDF ...]

For each PDF (default: the generated 43-page fixture and, when ../shared is
present, the 612-page Fuji City budget book) it runs, each in a fresh
process so peak memory is its own:

* ``yosan``: the full extraction (pages → lines → records), as `yosan extract`;
* ``pdfplumber``: bare ``page.extract_text()`` over every page, closing pages.

It prints pages per second for both, their ratio (yosan / pdfplumber, higher
is better, target ≥ 1.0) and each run's peak resident memory.  Times are the
best of ``--repeat`` runs, so a busy machine slows both sides alike.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = [
    ROOT / "fixtures" / "pdf" / "mext-r2-science-points.pdf",
    ROOT.parent / "shared" / "corpus" / "fuji_r6_yosansho.pdf",
]

# Each worker prints {"pages", "seconds", "peak_mb", "records"} as JSON.
WORKER = r"""
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if kind == "yosan":
    from extract.pipeline import extract_document
    doc = extract_document(path)
    pages, records = doc.pages, len(doc.records)
else:
    import pdfplumber
    records = 0
    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
        for page in pdf.pages:
            page.extract_text()
            page.close()
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"pages": pages, "seconds": seconds, "peak_mb": peak_mb, "records": records}))
"""


def run(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", WORKER, kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(kind: str, path: Path, repeat: int) -> dict[str, float]:
    runs = [run(kind, path) for _ in range(repeat)]
    fastest = min(runs, key=lambda r: r["seconds"])
    fastest["peak_mb"] = max(r["peak_mb"] for r in runs)
    return fastest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the fastest counts (default 3)")
    args = parser.parse_args(argv)
    pdfs = args.pdfs or [p for p in DEFAULTS if p.exists()]
    for missing in (p for p in DEFAULTS if not p.exists() and not args.pdfs):
        print(f"skipped {missing}: not present")
    header = ("document", "pages", "yosan p/s", "plumber p/s", "ratio", "yosan MB", "plumber MB")
    print("{:34} {:>5} {:>10} {:>12} {:>6} {:>9} {:>10}".format(*header))
    worst = None
    for pdf in pdfs:
        ours = best("yosan", pdf, args.repeat)
        theirs = best("pdfplumber", pdf, max(1, args.repeat - 1))
        ours_rate = ours["pages"] / ours["seconds"]
        theirs_rate = theirs["pages"] / theirs["seconds"]
        ratio = ours_rate / theirs_rate
        worst = ratio if worst is None else min(worst, ratio)
        print(
            f"{pdf.name[:34]:34} {int(ours['pages']):>5} {ours_rate:>10.1f} {theirs_rate:>12.1f} "
            f"{ratio:>6.2f} {ours['peak_mb']:>9.0f} {theirs['peak_mb']:>10.0f}"
        )
    if worst is not None:
        print(f"target ratio >= 1.0: {'met' if worst >= 1.0 else 'NOT met'} (worst {worst:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
