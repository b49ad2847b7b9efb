"""Scale (issue 15): one batch on the local executor and on a LocalCluster of 1 and 2 workers,
and the throughput per core that the README's plan for 50,000 PDFs is built on.

    python bench/bench_scale.py [--copies 12] [--scans 2] [--ocr-pages 4] [--skip-cores] [--skip-batch]

* **Per core**: each document read alone in a fresh process (``extract_document``,
  as one batch file is), wall time and peak resident memory (``ru_maxrss``):
  text-layer pages (the 43-page fixture, the 612-page budget book of
  ``../shared/corpus`` with ``--ocr never``, a 16-page corpus PDF) and OCR
  pages (the scanned fixtures, the first ``--ocr-pages`` pages of the corpus
  PDF that has no text layer), and bare ``tesseract -l jpn`` on one 300 dpi
  page, the floor an OCR page costs.
* **Batch**: ``--copies`` copies of the 43-page fixture and ``--scans``
  copies of the one-page scan, run by ``yosan batch`` with ``--executor local
  --jobs 1`` and ``--jobs 2``, then ``--executor dask --jobs 1`` and ``--jobs 2``
  (a LocalCluster of that many one-thread workers, started and stopped inside
  the timed command); then a re-run of each executor over the finished folder
  (every file skipped: what starting and hashing cost).  It prints wall times and
  the speed-ups against ``local --jobs 1``.

Not a test: the numbers depend on the machine (the README's are from a
2-core CI machine).
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
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
TEXT_DOCS = [
    FIXTURES / "pdf" / "mext-r2-science-points.pdf",
    CORPUS / "fuji_r8_sainyu15_kokko.pdf",
    CORPUS / "fuji_r6_yosansho.pdf",
]
SCAN_DOCS = [FIXTURES / "scans" / "pr-sheet-scan.pdf", FIXTURES / "scans" / "two-column-scan.pdf"]
NO_TEXT = CORPUS / "fuji_r7_saishutsu05-06_notext.pdf"
BATCH_TEXT = FIXTURES / "pdf" / "mext-r2-science-points.pdf"
BATCH_SCAN = FIXTURES / "scans" / "pr-sheet-scan.pdf"
DPI = 300  # what the OCR reader renders a page at

# Prints {"pages", "records", "seconds"} for one document, read as a batch file is.
EXTRACT = r"""
import json, sys, time
from yosan.pipeline import Options, extract_document
pages = frozenset(range(1, int(sys.argv[3]) + 1)) if sys.argv[3] != "0" else None
start = time.perf_counter()
doc = extract_document(sys.argv[1], Options(ocr=sys.argv[2], pages=pages))
read = len(pages) if pages else doc.pages
print(json.dumps({"pages": read, "records": len(doc.records), "seconds": time.perf_counter() - start}))
"""


def busy() -> tuple[int, int]:
    """(busy, all) clock ticks of the machine so far (/proc/stat), to tell how much of it other
    work took while a run was timed: on a shared machine wall times say little."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


class Run:
    """One command: its stdout, wall and CPU seconds (it and every process below it), peak RSS
    in MB (it or its largest child), and the share of the machine's busy CPU that was not its own."""

    def __init__(self, argv: list[str]) -> None:
        before, start = busy(), time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        self.out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.stdout.close()
        self.wall = time.perf_counter() - start
        after = busy()
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(argv)}: exit status {code}")
        self.cpu = usage.ru_utime + usage.ru_stime
        self.peak = usage.ru_maxrss // 1024  # Linux: KB
        machine = (after[0] - before[0]) / os.sysconf("SC_CLK_TCK")  # CPU seconds of all on the machine
        self.others = max(0.0, 1 - self.cpu / machine) if machine else 0.0


def per_core(ocr_pages: int) -> None:
    cases = [(doc, "never", 0) for doc in TEXT_DOCS] + [(doc, "auto", 0) for doc in SCAN_DOCS]
    if NO_TEXT.exists() and ocr_pages:
        cases.append((NO_TEXT, "auto", ocr_pages))
    for doc, ocr, pages in cases:
        if not doc.exists():
            continue
        run = Run([sys.executable, "-c", EXTRACT, str(doc), ocr, str(pages)])
        facts = json.loads(run.out)
        kind = "text" if ocr == "never" else "OCR"
        print(
            f"{doc.name:36} {kind:4} {facts['pages']:4} pages {facts['seconds']:6.1f} s wall"
            f" {run.cpu:6.1f} s CPU {run.cpu / max(1, facts['pages']):6.3f} CPU s/page {run.peak:4} MB peak"
            f" (others: {run.others:.0%} of the busy CPU)",
            flush=True,
        )


def bare_tesseract() -> None:
    """``tesseract -l jpn`` on page 1 of the scanned fixture at 300 dpi, one thread."""
    if not shutil.which("tesseract") or not shutil.which("pdftoppm"):
        return
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "page"
        render = ["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-gray", "-png", "-singlefile"]
        subprocess.run([*render, str(SCAN_DOCS[0]), str(image)], check=True)
        os.environ["OMP_THREAD_LIMIT"] = "1"  # as the OCR reader runs it
        run = Run(["tesseract", f"{image}.png", str(image), "-l", "jpn"])
    print(
        f"bare tesseract -l jpn, one {DPI} dpi page: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU", flush=True
    )


def batch(inputs: Path, out: Path, *options: str) -> Run:
    run = Run([sys.executable, "cli.py", "batch", str(inputs), "-o", str(out), "-q", *options])
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["failed"] == 0, report["summary"]
    return run


def scale(copies: int, scans: int) -> None:
    with tempfile.TemporaryDirectory(prefix="yosan-scale-") as folder:
        inputs = Path(folder) / "in"
        inputs.mkdir()
        for k in range(copies):
            shutil.copy(BATCH_TEXT, inputs / f"text{k:02}.pdf")
        for k in range(scans):
            shutil.copy(BATCH_SCAN, inputs / f"scan{k:02}.pdf")
        print(
            f"batch: {copies} x {BATCH_TEXT.name} (43 text pages) + {scans} x {BATCH_SCAN.name} (1 OCR page)"
        )
        print(f"  {'run':28} {'wall':>9}  {'speed-up':>8}  (a load above {os.cpu_count()}: a shared machine)")
        runs = [
            ("local --jobs 1", ["--jobs", "1"]),
            ("local --jobs 2", ["--jobs", "2"]),
            ("dask, 1 worker", ["--executor", "dask", "--jobs", "1"]),
            ("dask, 2 workers", ["--executor", "dask", "--jobs", "2"]),
        ]
        base = None
        for name, options in [*runs, *[(f"{n}, all skipped", o) for n, o in (runs[1], runs[3])]]:
            out = Path(folder) / name.removesuffix(", all skipped").replace(" ", "_").replace(",", "")
            run = batch(inputs, out, *options)
            base = base or run.wall
            speed = base / run.wall
            print(
                f"  {name:28} {run.wall:7.1f} s  {speed:7.2f}x  load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=12, help="copies of the 43-page text fixture")
    parser.add_argument("--scans", type=int, default=2, help="copies of the one-page scan")
    parser.add_argument("--ocr-pages", type=int, default=4, help="pages of the corpus PDF without text")
    parser.add_argument("--skip-cores", action="store_true", help="no per-core throughput")
    parser.add_argument("--skip-batch", action="store_true", help="no batch runs")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores")
    if not args.skip_cores:
        per_core(args.ocr_pages)
        bare_tesseract()
    if not args.skip_batch:
        scale(args.copies, args.scans)


if __name__ == "__main__":
    main()
