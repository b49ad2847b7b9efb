"""Peak memory of an extraction, against the number of pages and of files (issue 5: < 500 MB).

    python bench/bench_memory.py [--limit-mb 500] [--ocr auto|always|never] [--skip-batch]

Each measurement runs in a fresh child process and reads that child's peak
resident set size from the kernel (``os.wait4``: the child's
``ru_maxrss``, the same figure ``getrusage(RUSAGE_CHILDREN)`` gives after it,
but per run rather than the maximum over all runs so far):

* the library (``extract_document``, as ``yosan extract`` runs it) on the
  generated 43-page fixture, on the first 150 and 300 pages of the 612-page
  ``../shared/corpus/fuji_r6_yosansho.pdf`` (cut with pypdfium2) and on the
  whole of it: flat memory means the peak does not grow with the pages;
* ``yosan batch`` over 1 and 8 copies of the 43-page fixture (two workers):
  the peak of the batch and its workers must not grow with the files.

It prints a table and whether the 612-page run stayed under the limit, and
exits 1 when any run went over it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "pdf" / "mext-r2-science-points.pdf"
CORPUS = ROOT.parent / "shared" / "corpus" / "fuji_r6_yosansho.pdf"

# Prints {"pages", "records", "seconds"} for one document.
EXTRACT = r"""
import json, sys, time
from yosan.pipeline import Options, extract_document
start = time.perf_counter()
doc = extract_document(sys.argv[1], Options(ocr=sys.argv[2]))
print(json.dumps({"pages": doc.pages, "records": len(doc.records), "seconds": time.perf_counter() - start}))
"""


def peak_of(argv: list[str]) -> tuple[str, float, int]:
    """Run ``argv``; return its stdout, wall seconds and peak RSS in MB (itself and its children)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)}: exit status {proc.returncode}")
    return out, time.perf_counter() - start, usage.ru_maxrss // 1024  # Linux: KB


def first_pages(src: Path, count: int, dest: Path) -> Path:
    import pypdfium2 as pdfium

    whole = pdfium.PdfDocument(str(src))
    part = pdfium.PdfDocument.new()
    part.import_pages(whole, list(range(min(count, len(whole)))))
    part.save(str(dest))
    part.close()
    whole.close()
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit-mb", type=int, default=500)
    parser.add_argument("--ocr", default="auto", choices=("auto", "always", "never"))
    parser.add_argument("--skip-batch", action="store_true", help="only the page-count runs")
    args = parser.parse_args()

    rows: list[tuple[str, str, int | None, int | None, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="yosan-bench-") as tmp:
        docs = [("43-page fixture", FIXTURE)]
        if CORPUS.exists():
            for count in (150, 300):
                part = first_pages(CORPUS, count, Path(tmp) / f"fuji-{count}.pdf")
                docs.append((f"fuji_r6 first {count}", part))
            docs.append(("fuji_r6_yosansho.pdf", CORPUS))
        else:
            print(f"note: {CORPUS} is absent: only the fixture is measured", file=sys.stderr)
        for name, path in docs:
            out, seconds, peak = peak_of([sys.executable, "-c", EXTRACT, str(path), args.ocr])
            facts = json.loads(out)
            rows.append(("extract", name, facts["pages"], facts["records"], seconds, peak))
            print(f"  {name}: {facts['pages']} pages, {peak} MB", file=sys.stderr)

        if not args.skip_batch:
            for copies in (1, 8):
                folder = Path(tmp) / f"batch-{copies}"
                folder.mkdir()
                for k in range(copies):
                    shutil.copy(FIXTURE, folder / f"doc{k}.pdf")
                out_dir = Path(tmp) / f"out-{copies}"
                argv = [sys.executable, "cli.py", "batch", str(folder), "-o", str(out_dir), "--jobs", "2"]
                _, seconds, peak = peak_of([*argv, "--ocr", args.ocr])
                summary = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))["summary"]
                name = f"{copies} x 43-page fixture"
                rows.append(("batch", name, 43 * copies, summary["records"], seconds, peak))
                print(f"  batch of {copies}: {peak} MB", file=sys.stderr)

    print(f"{'run':8} {'input':26} {'pages':>6} {'records':>8} {'seconds':>8} {'peak MB':>8}")
    for kind, name, pages, records, seconds, peak in rows:
        print(f"{kind:8} {name:26} {pages or 0:>6} {records or 0:>8} {seconds:>8.1f} {peak:>8}")
    over = [r for r in rows if r[5] >= args.limit_mb]
    big = [r for r in rows if r[1] == "fuji_r6_yosansho.pdf"]
    if big:
        verdict = "under" if big[0][5] < args.limit_mb else "OVER"
        print(f"612-page document: peak {big[0][5]} MB, {verdict} the {args.limit_mb} MB limit")
    extract = [r for r in rows if r[0] == "extract"]
    if len(extract) > 1:
        low, high = min(r[5] for r in extract), max(r[5] for r in extract)
        pages = ", ".join(f"{r[2]} pages {r[5]} MB" for r in extract)
        print(f"peak against pages: {pages} (spread {high - low} MB)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
