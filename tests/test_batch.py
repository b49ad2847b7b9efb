"""``yosan batch``: outputs, all.csv, report.json, exit status, re-runs, interruptions."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, ROOT
from test_bad_input import GOOD, GOOD_RECORDS, WHOLE_PDF, encrypted_pdf

from yosan import __version__
from yosan.batch import FileResult, Progress, find_inputs
from yosan.cli import main
from yosan.model import ALL_COLUMNS, COLUMNS

PDFS = FIXTURES / "pdf"
PR_SHEET, TWO_COLUMN = PDFS / "pr-sheet.pdf", PDFS / "two-column.pdf"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def statuses(out: Path) -> dict[str, str]:
    return {Path(f["input"]).name: f["status"] for f in report(out)["files"]}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A folder as users have them: good documents in subfolders, two bad files, a file that is no input."""
    root = tmp_path / "docs"
    (root / "pdf").mkdir(parents=True)
    shutil.copy(GOOD, root / GOOD.name)
    shutil.copy(PR_SHEET, root / "pdf" / PR_SHEET.name)
    shutil.copy(TWO_COLUMN, root / "pdf" / "TWO-COLUMN.PDF")
    (root / "pdf" / "download.pdf").write_bytes(b"<html><body>Session expired</body></html>\n")
    (root / "empty.txt").write_bytes(b"")
    (root / "notes.md").write_text("# not an input\n", encoding="utf-8")
    (root / ".hidden.txt").write_text("令和2年度予算額 1百万円\n", encoding="utf-8")
    return root


def test_mixed_good_and_bad_files(docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["batch", str(docs), "-o", str(out), "--jobs", "2"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert sorted(line for line in err if line.startswith("yosan: error:")) == [
        f"yosan: error: {docs / 'empty.txt'}: empty file",
        f"yosan: error: {docs / 'pdf' / 'download.pdf'}: not a PDF (looks like HTML)",
    ]
    assert err[-1].startswith("yosan: 5 files (3 ok, 2 failed); 227 records in ")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".yosan-state.json",
        "all.csv",
        "all.parquet/source=mext-r2-science-points.txt/part-0.parquet",
        "all.parquet/source=pdf%2FTWO-COLUMN.PDF/part-0.parquet",
        "all.parquet/source=pdf%2Fpr-sheet.pdf/part-0.parquet",
        "mext-r2-science-points.txt.csv",
        "pdf/TWO-COLUMN.PDF.csv",
        "pdf/pr-sheet.pdf.csv",
        "report.json",
    ]
    # per-file outputs: the format of `yosan extract`, sources named below the folder
    text_rows = read_csv(out / "mext-r2-science-points.txt.csv")
    assert tuple(text_rows[0]) == COLUMNS
    assert len(text_rows) == GOOD_RECORDS
    sheet = read_csv(out / "pdf" / "pr-sheet.pdf.csv")
    assert tuple(sheet[0]) == ALL_COLUMNS
    assert {r["source"] for r in sheet} == {"pdf/pr-sheet.pdf"}
    # all.csv: one fixed schema, every good record in input order
    rows = read_csv(out / "all.csv")
    assert tuple(rows[0]) == ALL_COLUMNS
    assert [r["source"] for r in rows] == (
        ["mext-r2-science-points.txt"] * GOOD_RECORDS
        + ["pdf/TWO-COLUMN.PDF"] * 18
        + ["pdf/pr-sheet.pdf"] * 12
    )
    assert rows[0]["amount_yen"] == "48514000000"
    assert rows[0]["x0"] == "" and rows[-1]["x0"] != ""
    # all.parquet: the same records, typed, one partition per source
    frame = pd.read_parquet(out / "all.parquet")
    assert len(frame) == len(rows)
    assert str(frame["amount_yen"].dtype) == "Int64" and str(frame["x0"].dtype) == "Float64"
    assert sorted(frame["source"].unique()) == ["mext-r2-science-points.txt", "pdf/TWO-COLUMN.PDF", "pdf/pr-sheet.pdf"]
    assert frame["amount_yen"].sum() == sum(int(r["amount_yen"]) for r in rows)
    # report.json
    rep = report(out)
    assert rep["version"] == __version__
    assert rep["interrupted"] is False
    assert rep["started"] <= rep["finished"]
    assert rep["options"]["format"] == "csv" and rep["options"]["jobs"] == 2
    assert rep["summary"] == {
        "files": 5,
        "ok": 3,
        "failed": 2,
        "skipped": 0,
        "timeout": 0,
        "interrupted": 0,
        "records": GOOD_RECORDS + 30,
    }
    files = {Path(f["input"]).name: f for f in rep["files"]}
    assert [Path(f["input"]).name for f in rep["files"]] == [
        "empty.txt",
        "mext-r2-science-points.txt",
        "TWO-COLUMN.PDF",
        "download.pdf",
        "pr-sheet.pdf",
    ]
    assert files["pr-sheet.pdf"] | {"seconds": 0} == {
        "input": str(docs / "pdf" / "pr-sheet.pdf"),
        "output": "pdf/pr-sheet.pdf.csv",
        "status": "ok",
        "pages": 1,
        "records": 12,
        "seconds": 0,
        "warnings": [],
        "error": None,
        "retries": 0,
    }
    assert files["mext-r2-science-points.txt"]["pages"] is None
    assert files["download.pdf"]["status"] == "failed"
    assert files["download.pdf"]["output"] is None
    assert "not a PDF" in files["download.pdf"]["error"]
    text = (out / "report.json").read_text(encoding="utf-8")
    assert text == json.dumps(rep, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_jsonl_outputs_keep_integers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["batch", str(GOOD), str(PR_SHEET), "-o", str(out), "--format", "jsonl"]) == 0
    items = [
        json.loads(line) for line in (out / "pr-sheet.pdf.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(items) == 12
    assert all(isinstance(item["amount_yen"], int) for item in items)
    rows = read_csv(out / "all.csv")
    assert len(rows) == GOOD_RECORDS + 12
    assert rows[-1]["approx"] in ("true", "false")  # the CSV spelling, not JSON's
    assert all(r["amount_yen"].lstrip("-").isdigit() for r in rows)


def test_rerun_skips_current_outputs_and_force_redoes_them(
    docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["batch", str(docs), "-o", str(out)]
    assert main(args) == 1
    first_all = (out / "all.csv").read_text(encoding="utf-8")
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.csv") if p.name != "all.csv"}
    capsys.readouterr()

    assert main(args) == 1  # the bad files are tried again
    err = capsys.readouterr().err
    assert f"{docs / 'pdf' / 'pr-sheet.pdf'}: skipped (up to date), 12 records" in err
    assert statuses(out) == {
        "empty.txt": "failed",
        "mext-r2-science-points.txt": "skipped",
        "TWO-COLUMN.PDF": "skipped",
        "download.pdf": "failed",
        "pr-sheet.pdf": "skipped",
    }
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert (out / "all.csv").read_text(encoding="utf-8") == first_all  # skipped files' records are kept
    assert report(out)["summary"]["records"] == GOOD_RECORDS + 30

    # an input touched (a new time, the same content) is current: outputs are keyed by content
    sheet = docs / "pdf" / "pr-sheet.pdf"
    touched = (out / "pdf" / "pr-sheet.pdf.csv").stat().st_mtime_ns + 10**9
    os.utime(sheet, ns=(touched, touched))
    assert main(args) == 1
    assert statuses(out)["pr-sheet.pdf"] == "skipped"
    # an input whose content changed: only it runs again
    shutil.copy(TWO_COLUMN, sheet)
    assert main(args) == 1
    assert statuses(out)["pr-sheet.pdf"] == "ok"
    assert statuses(out)["TWO-COLUMN.PDF"] == "skipped"
    assert report(out)["summary"]["records"] == GOOD_RECORDS + 36
    shutil.copy(PR_SHEET, sheet)
    assert main(args) == 1
    assert statuses(out)["pr-sheet.pdf"] == "ok"

    # an output cut short (or edited) is not trusted
    text_out = out / "mext-r2-science-points.txt.csv"
    text_out.write_text(text_out.read_text(encoding="utf-8")[:5000], encoding="utf-8")
    assert main(args) == 1
    assert statuses(out)["mext-r2-science-points.txt"] == "ok"
    assert len(read_csv(text_out)) == GOOD_RECORDS

    # --force, other options and another toolkit version redo everything
    assert main([*args, "--force"]) == 1
    assert set(statuses(out).values()) == {"ok", "failed"}
    assert main([*args, "--fiscal-year", "2020"]) == 1
    assert set(statuses(out).values()) == {"ok", "failed"}
    assert main([*args, "--fiscal-year", "2020"]) == 1
    assert "skipped" in statuses(out).values()
    # a run over something else in the same folder does not forget what was made
    assert main(["batch", str(GOOD), "-o", str(out)]) == 0
    assert main([*args, "--fiscal-year", "2020"]) == 1
    assert statuses(out)["pr-sheet.pdf"] == "skipped"
    state = json.loads((out / ".yosan-state.json").read_text(encoding="utf-8"))
    assert state["outputs"]["pdf/pr-sheet.pdf.csv"]["version"] == __version__
    state["outputs"]["pdf/pr-sheet.pdf.csv"]["key"] = "made by another version"
    (out / ".yosan-state.json").write_text(json.dumps(state), encoding="utf-8")
    assert main([*args, "--fiscal-year", "2020"]) == 1
    assert statuses(out)["pr-sheet.pdf"] == "ok"
    assert statuses(out)["TWO-COLUMN.PDF"] == "skipped"


def test_failed_input_removes_its_stale_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "doc.txt"
    shutil.copy(GOOD, doc)
    out = tmp_path / "out"
    assert main(["batch", str(doc), "-o", str(out)]) == 0
    doc.write_bytes(b"")
    later = time.time() + 5
    os.utime(doc, (later, later))
    assert main(["batch", str(doc), "-o", str(out)]) == 1
    assert not (out / "doc.txt.csv").exists()
    assert read_csv(out / "all.csv") == []


def test_same_name_in_two_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for year in ("r6", "r7"):
        (tmp_path / year).mkdir()
        shutil.copy(PR_SHEET, tmp_path / year / "yosan.pdf")
    out = tmp_path / "out"
    # as files: the second gets ~2 and its records name the path as given
    assert (
        main(
            ["batch", str(tmp_path / "r6" / "yosan.pdf"), str(tmp_path / "r7" / "yosan.pdf"), "-o", str(out)]
        )
        == 0
    )
    assert [f["output"] for f in report(out)["files"]] == ["yosan.pdf.csv", "yosan~2.pdf.csv"]
    sources = {r["source"] for r in read_csv(out / "all.csv")}
    assert sources == {str(tmp_path / "r6" / "yosan.pdf"), str(tmp_path / "r7" / "yosan.pdf")}
    # as a folder or a glob: paths below it tell them apart
    for spec in (str(tmp_path), str(tmp_path / "r*" / "*.pdf")):
        shutil.rmtree(out)
        assert main(["batch", spec, "-o", str(out)]) == 0
        assert [f["output"] for f in report(out)["files"]] == ["r6/yosan.pdf.csv", "r7/yosan.pdf.csv"]
        assert {r["source"] for r in read_csv(out / "all.csv")} == {"r6/yosan.pdf", "r7/yosan.pdf"}


def test_find_inputs_folders_globs_and_duplicates(docs: Path) -> None:
    inputs, problems = find_inputs(
        [str(docs), str(docs / "pdf" / "pr-sheet.pdf"), str(docs / "**" / "*.pdf")], "csv"
    )
    assert problems == []
    assert [i.label for i in inputs] == [
        "empty.txt",
        "mext-r2-science-points.txt",
        "pdf/TWO-COLUMN.PDF",  # suffixes in any case
        "pdf/download.pdf",
        "pdf/pr-sheet.pdf",
    ]  # each file once; notes.md and hidden files are no inputs
    assert inputs[2].output == "pdf/TWO-COLUMN.PDF.csv"
    inputs, problems = find_inputs([str(docs / "nothing*.pdf"), str(docs / "missing.txt")], "jsonl")
    assert [(p.input, p.error) for p in problems] == [(str(docs / "nothing*.pdf"), "no inputs match")]
    assert [(i.label, i.output) for i in inputs] == [("missing.txt", "missing.txt.jsonl")]


def test_interruption_leaves_complete_outputs_and_a_report(tmp_path: Path) -> None:
    """SIGINT (Ctrl-C) as soon as the first output appears; SIGTERM behaves the same (below)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        _interrupt(tmp_path / sig.name, sig)


def _interrupt(folder: Path, sig: signal.Signals) -> None:
    inputs = folder / "in"
    inputs.mkdir(parents=True)
    for k in range(8):
        # each copy its own content (a comment after %%EOF): the batch reads identical inputs
        # once, and eight copies of one file could all finish before the signal arrives
        (inputs / f"doc{k}.pdf").write_bytes(WHOLE_PDF.read_bytes() + f"\n% copy {k}\n".encode())
    out = folder / "out"
    proc = subprocess.Popen(
        [sys.executable, "cli.py", "batch", str(inputs), "-o", str(out), "--jobs", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_signals,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(out.glob("doc*.pdf.csv")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        # what the batch's signals looked like when it was sent one (if it fails, the message says)
        status = Path(f"/proc/{proc.pid}/status").read_text() if proc.poll() is None else "exited"
        seen = " ".join(line for line in status.splitlines() if line.startswith(("Sig", "Shd")))
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, f"{err}\nsignals when sent {sig.name}: {seen}"
    assert "Traceback" not in err
    assert "yosan: interrupted: 8 files" in err
    rep = report(out)
    assert rep["interrupted"] is True
    done = [f for f in rep["files"] if f["status"] == "ok"]
    assert done and len(done) < 8
    assert {f["status"] for f in rep["files"]} == {"ok", "interrupted"}
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    outputs = sorted(p.name for p in out.glob("doc*.pdf.csv"))
    assert outputs == sorted(f["output"] for f in done)
    for f in done:  # every output is whole
        rows = read_csv(out / f["output"])
        assert tuple(rows[0]) == ALL_COLUMNS
        assert len(rows) == f["records"] == GOOD_RECORDS
        assert (out / f["output"]).read_text(encoding="utf-8").endswith("\n")
    assert len(read_csv(out / "all.csv")) == GOOD_RECORDS * len(done)


def _default_signals() -> None:
    """Ctrl-C and SIGTERM as a terminal gives them to a new command: handled, not blocked.  A
    process started with SIGINT ignored (a background job) keeps it ignored, rightly; the test
    must not depend on what the test runner's process inherited."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_killed_worker_is_that_files_error(tmp_path: Path) -> None:
    """A worker that dies (here: SIGKILL while it hangs on a FIFO) fails its file; the batch goes on."""
    slow = tmp_path / "slow.txt"
    os.mkfifo(slow)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "cli.py", "batch", str(slow), str(GOOD), "-o", str(out), "--jobs", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (out / "mext-r2-science-points.txt.csv").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        workers = _children(proc.pid)
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    assert [line for line in err.splitlines() if line.startswith("yosan: error:")] == [
        f"yosan: error: {slow}: worker crashed: SIGKILL (out of memory?)"
    ]
    assert statuses(out) == {"slow.txt": "failed", "mext-r2-science-points.txt": "ok"}


def test_extract_passes_options_through(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(WHOLE_PDF), "--max-pages", "5"]) == 1
    assert capsys.readouterr().err == f"yosan: error: {WHOLE_PDF}: 43 pages, more than --max-pages 5\n"
    locked = encrypted_pdf(tmp_path / "locked.pdf", "secret")
    assert main(["extract", str(locked)]) == 1
    assert "password" in capsys.readouterr().err
    assert main(["extract", str(locked), "--password", "secret", "--ocr", "never", "--jobs", "2"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["amount_yen"] for r in rows] == ["1732000000", "1326000000"]
    for bad in (["--jobs", "0"], ["--max-pages", "x"], ["--ocr", "sometimes"]):
        with pytest.raises(SystemExit) as exc:
            main(["extract", str(GOOD), *bad])
        assert exc.value.code == 2
    for bad in (["--timeout", "-1"], ["--max-memory", "lots"], ["--format", "json"]):
        with pytest.raises(SystemExit) as exc:
            main(["batch", str(GOOD), "-o", str(tmp_path / "o"), *bad])
        assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["batch", "--help"])
    assert exc.value.code == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise() -> None:
    results = [
        FileResult(input="a.pdf", output="a.pdf.csv", status="ok", pages=3, records=42, seconds=1.23),
        FileResult(
            input="b.pdf", output=None, status="failed", seconds=0.1, error="not a PDF (looks like HTML)"
        ),
    ]
    plain = io.StringIO()
    progress = Progress(2, plain)
    for result in results:
        progress.done(result)
    progress.close()
    assert plain.getvalue().splitlines() == [
        "[1/2] a.pdf: ok, 42 records, 1.2 s",
        "[2/2] b.pdf: failed, 0.1 s",
        "yosan: error: b.pdf: not a PDF (looks like HTML)",
    ]
    terminal = _Terminal()
    progress = Progress(2, terminal)
    for result in results:
        progress.done(result)
    progress.close()
    shown = terminal.getvalue()
    assert "2/2" in shown and "100%" in shown
    assert "yosan: error: b.pdf: not a PDF (looks like HTML)\n" in shown
    assert "[1/2]" not in shown
