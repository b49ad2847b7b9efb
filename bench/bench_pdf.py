"""Speed and memory of the PDF path against bare pdfplumber, measured in one run.

    python bench/bench_pdf.py [PDF ...]

For each PDF (default: the generated 43-page fixture and, when ../shared is
present, the 612-page Fuji City budget book) it runs, each in a fresh
process so peak memory is its own:

* ``yosan``: the text-layer path end to end, as ``yosan extract --ocr never``
  does it (pages → page model → records → CSV written), with ``--jobs`` of
  the machine's cores (the command's default) and with one process;
* ``pdfplumber``: bare ``page.extract_text()`` over every page, closing pages.

Both import compiled bytecode: the package's modules are compiled first, as an install does.

It prints pages per second, the ratios yosan / pdfplumber (higher is better,
target ≥ 5 with the default jobs), and each run's peak resident memory (the
largest of the process and its page workers).  Times are the best of
``--repeat`` runs, so a busy machine slows both sides alike.  The last column is
pdfplumber's CPU seconds over yosan's (its page workers included, default jobs, in
the fastest runs): on a machine that other work keeps busy it moves less than the
wall-clock ratios, which are the target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = [
    ROOT / "fixtures" / "pdf" / "mext-r2-science-points.pdf",
    ROOT.parent / "shared" / "corpus" / "fuji_r6_yosansho.pdf",
]

TARGET = 5.0  # the bar: the text-layer path at least 5x bare pdfplumber

# Each worker prints {"pages", "seconds", "peak_mb", "records"} as JSON.
WORKER = r"""
import json, os, resource, sys, time
kind, path, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
cpu0 = sum(getattr(resource.getrusage(resource.RUSAGE_SELF), f) for f in ("ru_utime", "ru_stime"))
if kind == "yosan":
    from yosan.output import render
    from yosan.pipeline import Options, extract_document
    doc = extract_document(path, Options(ocr="never", jobs=jobs))
    with open(os.devnull, "w", encoding="utf-8") as out:
        out.write(render(doc.records, "csv"))
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
usage = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)  # page workers count too
peak_mb = max(resource.getrusage(who).ru_maxrss for who in usage) / 1024
cpu = sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime for who in usage) - cpu0
print(json.dumps({"pages": pages, "seconds": seconds, "peak_mb": peak_mb, "records": records, "cpu": cpu}))
"""


def compile_package() -> None:
    """The package's modules compiled to bytecode once, as a regular install does (pip compiles what
    it installs, pdfplumber included).  An editable checkout run with PYTHONDONTWRITEBYTECODE (set
    on this machine) would otherwise compile them from source in every run: about 0.25 s of the
    43-page fixture's 1.4 s, which pdfplumber never pays."""
    import compileall

    compileall.compile_dir(ROOT / "extract", quiet=1)


def run(kind: str, path: Path, jobs: int = 1) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", WORKER, kind, str(path), str(jobs)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(kind: str, path: Path, repeat: int, jobs: int = 1) -> dict[str, float]:
    runs = [run(kind, path, jobs) for _ in range(repeat)]
    fastest = min(runs, key=lambda r: r["seconds"])
    fastest["peak_mb"] = max(r["peak_mb"] for r in runs)
    fastest["cpu"] = min(r["cpu"] for r in runs)  # the least CPU any run took
    return fastest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the fastest counts (default 3)")
    args = parser.parse_args(argv)
    pdfs = args.pdfs or [p for p in DEFAULTS if p.exists()]
    for missing in (p for p in DEFAULTS if not p.exists() and not args.pdfs):
        print(f"skipped {missing}: not present")
    cores = os.cpu_count() or 1
    compile_package()
    header = (
        "document",
        "pages",
        "plumber p/s",
        f"yosan p/s (jobs {cores})",
        "ratio",
        "yosan p/s (jobs 1)",
        "ratio",
        "MB yosan",
        "MB plumber",
        "CPU ratio",
    )
    print("{:30} {:>5} {:>11} {:>19} {:>6} {:>18} {:>6} {:>8} {:>10} {:>9}".format(*header))
    worst = None
    for pdf in pdfs:
        theirs = best("pdfplumber", pdf, max(1, args.repeat - 1))
        ours = best("yosan", pdf, args.repeat, cores)
        single = best("yosan", pdf, args.repeat, 1)
        theirs_rate = theirs["pages"] / theirs["seconds"]
        ours_rate = ours["pages"] / ours["seconds"]
        single_rate = single["pages"] / single["seconds"]
        ratio = ours_rate / theirs_rate
        worst = ratio if worst is None else min(worst, ratio)
        print(
            f"{pdf.name[:30]:30} {int(ours['pages']):>5} {theirs_rate:>11.1f} "
            f"{ours_rate:>19.1f} {ratio:>6.2f} "
            f"{single_rate:>18.1f} {single_rate / theirs_rate:>6.2f} "
            f"{ours['peak_mb']:>8.0f} {theirs['peak_mb']:>10.0f} {theirs['cpu'] / ours['cpu']:>9.2f}"
        )
    if worst is not None:
        verdict = "met" if worst >= TARGET else "NOT met"
        print(f"target ratio >= {TARGET:g} with the default jobs: {verdict} (worst {worst:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
