"""OCR speed against bare tesseract, page by page, and OCR accuracy on whole documents.

    python bench/bench_ocr.py [--pages N] [--baseline DIR] [--backend pytesseract]
    python bench/bench_ocr.py --seed N [N ...] [--jobs N]

**Speed** (the default): every page of the scanned fixtures (``fixtures/scans``)
and, when ``../shared/corpus`` is there, pages of its scans (the Fuji City
book without a text layer, Kodaira's scanned 補正予算 pages, and two blank
pages of the Fuji R6 book), each read in the same run by bare
``tesseract PAGE.png - -l jpn`` (one 300 dpi PNG, ``OMP_THREAD_LIMIT=1``) and by
the toolkit's OCR of that page (``yosan.ocr``: the ink check, rendering,
cleaning, tesseract and the re-reads, the layout and the repairs), in a
worker process that stays warm as a page worker of ``yosan extract`` does.
It prints each page's CPU seconds and the ratio toolkit ÷ tesseract; CPU
time, because the machine may be shared (wall seconds are printed for the
totals).  ``--baseline DIR`` times a second toolkit, the source checkout in
DIR (e.g. ``git worktree add /tmp/base main``), in the same run.
``--pages N`` takes at most N pages of each corpus scan.

**Accuracy** (``--seed``): scans the generated 43-page document
(``fixtures/pdf/mext-r2-science-points.pdf``) the way ``fixtures/make_scans.py``
scans its fixtures (300 dpi grey, skew drawn in ±0.9°, blur, noise, dust,
JPEG quality 70) with each seed, runs ``yosan extract`` on the image-only PDF
and scores its budget, previous and supplementary records against the
hand-checked golden of the PDF (``golden/pdf/mext-r2-science-points.csv``):
found with the right kind, amount and programme; reported right; kind and
amount alone; amounts off by a factor of 1,000; seconds per page.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
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

SOURCE = ROOT / "fixtures" / "pdf" / "mext-r2-science-points.pdf"
GOLDEN = ROOT / "golden" / "pdf" / "mext-r2-science-points.csv"
SCANS = ROOT / "fixtures" / "scans"
CORPUS = ROOT.parent / "shared" / "corpus"
KINDS = ("budget", "previous", "supplementary")
DPI = 300


# --- speed -----------------------------------------------------------------------------


def _cpu() -> float:
    """CPU seconds of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _worker_loop() -> int:
    """Time the toolkit's OCR of the pages named on stdin (``path<TAB>page``), one JSON line each."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from PIL import Image

    from yosan import ocr

    ocr.check_tesseract()
    start, wall = _cpu(), time.perf_counter()
    if hasattr(ocr, "ENGINES") and ocr.backend() == "tesserocr":  # the models, loaded once per process
        tesserocr = ocr._tesserocr()
        ocr.ENGINES.api(tesserocr, ocr.LANG)
        ocr.ENGINES.api(tesserocr, ocr.NUMBER_LANG)
    print(json.dumps({"load_cpu": _cpu() - start, "load_wall": time.perf_counter() - wall}), flush=True)
    for line in sys.stdin:
        path, page = line.rstrip("\n").split("\t")
        cpu, wall = _cpu(), time.perf_counter()
        # the page alone decides whether its ink is light (``ocr.lightness``: None); a checkout
        # from before that decision takes one argument less
        if path.endswith(".pdf"):
            args: tuple = (path, int(page), DPI, None)
            worker = ocr._pdf_worker
        else:
            image = Image.open(path)
            dpi = image.info.get("dpi", (DPI, DPI))[0]
            args, worker = (image.convert("L"), 72 / dpi, int(page)), ocr._worker
        model, _ = worker((*args, None) if hasattr(ocr, "lightness") else args)
        lines = sum(1 for _ in model.lines())
        out = {"cpu": _cpu() - cpu, "wall": time.perf_counter() - wall, "lines": lines}
        print(json.dumps(out), flush=True)
    return 0


class _Toolkit:
    """A warm worker process timing one toolkit's OCR page by page."""

    def __init__(self, source: Path | None, backend: str | None, tmp: Path) -> None:
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        if backend:
            env["YOSAN_OCR_BACKEND"] = backend
        if source is not None:  # the checkout's extract/ imported as yosan
            link = tmp / f"baseline-{abs(hash(source))}"
            link.mkdir()
            (link / "yosan").symlink_to(source.resolve() / "extract")
            env["PYTHONPATH"] = str(link)
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp,
        )
        self.load = self._answer()

    def _answer(self) -> dict[str, float]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the toolkit worker died")
        return json.loads(line)

    def time(self, path: Path, page: int) -> dict[str, float]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{path}\t{page}\n")
        self.proc.stdin.flush()
        return self._answer()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def _bare(png: Path) -> dict[str, float]:
    """Bare tesseract on one page image: CPU and wall seconds (its model load included)."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cpu, wall = _cpu(), time.perf_counter()
    subprocess.run(["tesseract", str(png), "-", "-l", "jpn"], capture_output=True, check=True, env=env)
    return {"cpu": _cpu() - cpu, "wall": time.perf_counter() - wall}


def _pages(limit: int | None) -> list[tuple[str, Path, int]]:
    """(group, file, page) of every page to time."""
    out: list[tuple[str, Path, int]] = []
    for path in sorted(SCANS.iterdir()):
        if path.suffix == ".pdf":
            out += [("fixtures", path, n + 1) for n in range(len(pdfium.PdfDocument(path)))]
        elif path.suffix == ".png":
            out.append(("fixtures", path, 1))
    if CORPUS.is_dir():
        corpus = [
            ("Fuji no-text scan", "fuji_r7_saishutsu05-06_notext.pdf", list(range(1, 17))),
            ("Kodaira scan", "kodaira_r2_rinjikai_scan.pdf", [34, 35, 36, 48]),
            ("Fuji R6 blank pages", "fuji_r6_yosansho.pdf", [172, 173]),
        ]
        for group, name, numbers in corpus:
            if (CORPUS / name).is_file():
                out += [(group, CORPUS / name, n) for n in numbers[:limit]]
    return out


def _png(path: Path, page: int, tmp: Path) -> Path:
    """The page as the 300 dpi grey PNG that bare tesseract reads."""
    if path.suffix != ".pdf":
        return path
    pdf = pdfium.PdfDocument(path)
    try:
        image = pdf[page - 1].render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
    finally:
        pdf.close()
    out = tmp / f"{path.stem}-{page}.png"
    image.save(out, dpi=(DPI, DPI))
    return out


def speed(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        tools = {"toolkit": _Toolkit(None, args.backend, tmp)}
        if args.baseline:
            tools["baseline"] = _Toolkit(Path(args.baseline), args.backend, tmp)
        names = list(tools)
        print("model loads, once per worker process: " + ", ".join(
            f"{name} {tool.load['load_cpu']:.2f} CPU s" for name, tool in tools.items()
        ))  # fmt: skip
        head = f"{'page':44} {'tesseract':>9}" + "".join(f" {n:>9} {'ratio':>6}" for n in names)
        print(head)
        totals: dict[str, Counter[str]] = {}
        for group, path, page in _pages(args.pages):
            png = _png(path, page, tmp)
            times = {"tesseract": _bare(png)}
            for name in names:
                times[name] = tools[name].time(path, page)
            for key in ("", group):
                sums = totals.setdefault(key or "all", Counter())
                for name, t in times.items():
                    sums[f"{name} cpu"] += t["cpu"]
                    sums[f"{name} wall"] += t["wall"]
                sums["pages"] += 1
            bare = times["tesseract"]["cpu"]
            row = f"{path.name[:38] + f' p{page}':44} {bare:>9.2f}"
            row += "".join(f" {times[n]['cpu']:>9.2f} {times[n]['cpu'] / bare:>5.2f}×" for n in names)
            print(row, flush=True)
        print()
        head = f"{'CPU s per page':26} {'pages':>5} {'tesseract':>9}"
        head += "".join(f" {n:>9} {'ratio':>6}" for n in names)
        print(head + "   wall ratio" + ("s" if len(names) > 1 else ""))
        for key in [k for k in totals if k != "all"] + ["all"]:
            sums = totals[key]
            pages = sums["pages"]
            bare = sums["tesseract cpu"]
            row = f"{key:26} {pages:>5} {bare / pages:>9.2f}"
            for n in names:
                row += f" {sums[f'{n} cpu'] / pages:>9.2f} {sums[f'{n} cpu'] / bare:>5.2f}×"
            row += "  " + " ".join(f"{sums[f'{n} wall'] / sums['tesseract wall']:>5.2f}×" for n in names)
            print(row)
        for tool in tools.values():
            tool.close()
    return 0


# --- accuracy --------------------------------------------------------------------------


def scan(seed: int, out: Path) -> Path:
    import make_scans

    rng = np.random.default_rng(seed)
    pdf = pdfium.PdfDocument(str(SOURCE))
    pages = []
    for i in range(len(pdf)):
        skew = float(rng.uniform(-0.9, 0.9))
        pages.append(make_scans.degrade(make_scans.render(pdf[i]), skew, rng))
    pdf.close()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=300, quality=70)
    return out


def accuracy(args: argparse.Namespace) -> int:
    from yosan.output import read_csv_rows
    from yosan.pipeline import Options, extract_document

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, nargs="+", help="score whole scanned documents (accuracy)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pages", type=int, help="at most this many pages of each corpus scan")
    parser.add_argument("--baseline", help="a source checkout to time in the same run")
    parser.add_argument("--backend", choices=["pytesseract"], help="time the subprocess fallback")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker_loop()
    return accuracy(args) if args.seed else speed(args)


if __name__ == "__main__":
    sys.exit(main())
