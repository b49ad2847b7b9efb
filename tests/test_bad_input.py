"""Every kind of bad input from issue 5, through ``yosan batch`` as a user runs it.

Each case runs the command in a subprocess beside a good document and checks
what the user sees: exactly one ``yosan: error:`` line naming the bad file (a
warning for a PDF that can be repaired), no traceback, the exit status, the
file's entry in report.json, and that the good document still got its output.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

GOOD = FIXTURES / "mext-r2-science-points.txt"
GOOD_RECORDS = 197
PR_SHEET = FIXTURES / "pdf" / "pr-sheet.pdf"
PR_SHEET_RECORDS = 12
WHOLE_PDF = FIXTURES / "pdf" / "mext-r2-science-points.pdf"
FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")


@dataclass
class Run:
    code: int
    stderr: str
    out: Path

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("yosan: error:")]

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("yosan: warning:")]

    def report(self) -> dict:
        return json.loads((self.out / "report.json").read_text(encoding="utf-8"))

    def entry(self, path: Path | str) -> dict:
        return next(f for f in self.report()["files"] if f["input"] == str(path))


def yosan_batch(*args: str | Path, out: Path, timeout: float = 120) -> Run:
    """``yosan batch ARGS -o OUT`` from a checkout, as a user would run it."""
    done = subprocess.run(
        [sys.executable, "cli.py", "batch", *map(str, args), "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stderr, out)


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def assert_good_output(run: Run) -> None:
    """The good document beside the bad one was still extracted, whole."""
    rows = csv_rows(run.out / f"{GOOD.name}.csv")
    assert len(rows) == GOOD_RECORDS
    assert run.entry(GOOD)["status"] == "ok"
    assert not list(run.out.rglob("*.tmp"))


# --- makers of bad files -----------------------------------------------------------------


def startxref_offset_wrong(data: bytes) -> bytes:
    """The offset after ``startxref`` points into the middle of an object."""
    m = re.search(rb"startxref\s+(\d+)", data)
    assert m
    return data[: m.start(1)] + str(int(m[1]) - 37).encode() + data[m.end(1) :]


def xref_entries_garbled(data: bytes) -> bytes:
    """Every offset in the cross-reference table is wrong (the table's shape is kept)."""
    start = data.rindex(b"\nxref\n") + 6
    end = data.index(b"trailer", start)
    header, _, entries = data[start:end].partition(b"\n")
    return data[:start] + header + b"\n" + re.sub(rb"\d{10}", b"0000000042", entries) + data[end:]


def encrypted_pdf(path: Path, password: str) -> Path:
    """A one-page PDF (a budget box) encrypted with a user password, made with reportlab."""
    if not FONT.exists():
        pytest.skip(f"{FONT} missing (apt-get install fonts-ipaexfont-gothic)")
    from reportlab.lib import pdfencrypt
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("IPAexGothic", str(FONT)))
    canvas = Canvas(
        str(path),
        encrypt=pdfencrypt.StandardEncryption(password, ownerPassword="owner-" + password, canPrint=1),
        invariant=1,
    )
    canvas.setFont("IPAexGothic", 10)
    canvas.drawString(72, 700, "官民地域パートナーシップによる次世代放射光施設の推進")
    canvas.drawString(72, 680, "令和2年度予算額(案) 1,732百万円 (前年度予算額 1,326百万円)")
    canvas.showPage()
    canvas.save()
    return path


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("予算.txt", "令和2年度予算額 1,000百万円\n")
    return buf.getvalue()


def write(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data() if callable(data) else data)
        return path

    return make


@dataclass
class Case:
    make: Callable[[Path], Path]
    needles: tuple[str, ...]  # stable parts of the reason
    args: tuple[str, ...] = ()
    status: str = "failed"


CASES = {
    "empty text file": Case(write("empty.txt", b""), ("empty",)),
    "zero-byte pdf": Case(write("zero.pdf", b""), ("empty",)),
    "html named pdf": Case(
        write("page.pdf", b"<!DOCTYPE html>\n<html><body>404 Not Found</body></html>\n"), ("not a PDF",)
    ),
    "zip named pdf": Case(write("archive.pdf", zip_bytes), ("not a PDF",)),
    "truncated pdf": Case(
        write("truncated.pdf", lambda: PR_SHEET.read_bytes()[: PR_SHEET.stat().st_size // 10]), ("PDF",)
    ),
    "encrypted pdf without password": Case(
        lambda d: encrypted_pdf(d / "locked.pdf", "secret"), ("encrypted", "password")
    ),
    "encrypted pdf with a wrong password": Case(
        lambda d: encrypted_pdf(d / "locked.pdf", "secret"),
        ("encrypted", "password"),
        ("--password", "guess"),
    ),
    "pdf over --max-pages": Case(lambda d: WHOLE_PDF, ("max-pages",), ("--max-pages", "5")),
    "undecodable text": Case(write("latin.txt", bytes(range(0x80, 0x100)) * 8), ("decode",)),
    "binary text file": Case(write("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50), ("binary",)),
    "missing path": Case(lambda d: d / "missing.txt", ("no such file",)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_error_line_and_the_good_file_completes(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    bad = case.make(tmp_path)
    run = yosan_batch(GOOD, bad, *case.args, out=tmp_path / "out")
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.errors) == 1, run.stderr
    assert run.errors[0].startswith(f"yosan: error: {bad}: ")
    for needle in case.needles:
        assert needle in run.errors[0]
    entry = run.entry(bad)
    assert entry["status"] == case.status
    assert entry["output"] is None
    assert all(n in entry["error"] for n in case.needles)
    assert not any(p.name.startswith(bad.name) for p in run.out.iterdir())
    assert_good_output(run)


@pytest.mark.parametrize("damage", [startxref_offset_wrong, xref_entries_garbled])
def test_broken_xref_is_repaired_with_a_warning(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    broken = tmp_path / "broken-xref.pdf"
    broken.write_bytes(damage(PR_SHEET.read_bytes()))
    run = yosan_batch(GOOD, broken, out=tmp_path / "out")
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert run.errors == []
    entry = run.entry(broken)
    assert entry["status"] == "ok"
    assert entry["records"] == PR_SHEET_RECORDS
    assert entry["warnings"], "the repair must be reported"
    assert any(str(broken) in w for w in run.warnings)
    assert len(csv_rows(run.out / "broken-xref.pdf.csv")) == PR_SHEET_RECORDS
    assert_good_output(run)


def test_encrypted_pdf_with_its_password_gives_records(tmp_path: Path) -> None:
    locked = encrypted_pdf(tmp_path / "locked.pdf", "secret")
    run = yosan_batch(locked, "--password", "secret", out=tmp_path / "out")
    assert run.code == 0, run.stderr
    amounts = [(r["kind"], r["amount_yen"]) for r in csv_rows(run.out / "locked.pdf.csv")]
    assert amounts == [("budget", "1732000000"), ("previous", "1326000000")]
    assert "secret" not in (run.out / "report.json").read_text(encoding="utf-8")


def test_file_that_never_finishes_reading_times_out(tmp_path: Path) -> None:
    """A FIFO blocks its reader forever, like a hung network mount: the worker is killed."""
    slow = tmp_path / "slow.txt"
    os.mkfifo(slow)
    run = yosan_batch(slow, GOOD, "--timeout", "2", out=tmp_path / "out")
    assert run.code == 1, run.stderr
    assert run.errors == [f"yosan: error: {slow}: timed out after 2 s"]
    assert "Traceback" not in run.stderr
    entry = run.entry(slow)
    assert entry["status"] == "timeout"
    assert 2 <= entry["seconds"] < 10
    assert_good_output(run)


def test_pdf_slower_than_timeout_is_stopped(tmp_path: Path) -> None:
    """The 43-page fixture takes far longer than 10 ms: the batch reports it and ends at once."""
    run = yosan_batch(WHOLE_PDF, "--timeout", "0.01", out=tmp_path / "out")
    assert run.code == 1, run.stderr
    assert run.errors == [f"yosan: error: {WHOLE_PDF}: timed out after 0.01 s"]
    entry = run.entry(WHOLE_PDF)
    assert (entry["status"], entry["output"], entry["seconds"] < 5) == ("timeout", None, True)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_bytes(GOOD.read_bytes())
    locked.chmod(0)
    run = yosan_batch(GOOD, locked, out=tmp_path / "out")
    assert run.code == 1
    assert run.errors == [f"yosan: error: {locked}: permission denied"]
    assert_good_output(run)


def test_file_that_cannot_be_opened(tmp_path: Path) -> None:
    """Unreadable even for root: a socket named like a document (open() fails with ENXIO)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = tmp_path / "socket.txt"
    sock.bind(str(path))
    try:
        run = yosan_batch(GOOD, path, out=tmp_path / "out")
    finally:
        sock.close()
    assert run.code == 1, run.stderr
    assert len(run.errors) == 1
    assert run.errors[0].startswith(f"yosan: error: {path}: ")
    assert "Traceback" not in run.stderr
    assert_good_output(run)


def test_folder_with_no_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    (empty / "notes.csv").write_text("a,b\n", encoding="utf-8")
    run = yosan_batch(empty, GOOD, out=tmp_path / "out")
    assert run.code == 1, run.stderr
    assert len(run.errors) == 1
    assert run.errors[0].startswith(f"yosan: error: {empty}: no inputs found")
    assert run.entry(empty)["status"] == "failed"
    assert_good_output(run)
    # alone, it is a usage error: nothing to do, nothing written
    alone = yosan_batch(empty, out=tmp_path / "out2")
    assert alone.code == 2
    assert alone.errors == [run.errors[0]]
    assert not (tmp_path / "out2").exists()


def test_glob_that_matches_nothing(tmp_path: Path) -> None:
    pattern = str(tmp_path / "*.pdf")
    run = yosan_batch(pattern, out=tmp_path / "out")
    assert run.code == 2
    assert run.errors == [f"yosan: error: {pattern}: no inputs match"]


def test_output_folder_that_cannot_be_written(tmp_path: Path) -> None:
    """Root writes through any mode bits, so the folder's parent is a regular file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    out = blocker / "out"
    run = yosan_batch(GOOD, out=out)
    assert run.code == 2
    assert len(run.stderr.splitlines()) == 1
    assert run.errors[0].startswith(f"yosan: error: {out}: cannot write here")
    assert "Traceback" not in run.stderr
    # an existing file as the output folder
    run = yosan_batch(GOOD, out=blocker)
    assert run.code == 2
    assert run.errors[0].startswith(f"yosan: error: {blocker}: cannot write here")


def test_memory_blow_up_is_that_files_error(tmp_path: Path) -> None:
    """A 100 MB text document needs more than a 160 MB address space; the small one does not."""
    huge = tmp_path / "huge.txt"
    huge.write_bytes("令和2年度予算額 1,000百万円\n".encode() * 3_000_000)
    run = yosan_batch(huge, GOOD, "--max-memory", "160", "--timeout", "60", out=tmp_path / "out")
    assert run.code == 1, run.stderr
    assert len(run.errors) == 1
    assert run.errors[0].startswith(f"yosan: error: {huge}: ")
    assert "memory" in run.errors[0]
    assert "Traceback" not in run.stderr
    assert_good_output(run)
