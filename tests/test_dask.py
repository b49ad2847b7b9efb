"""Issue 15: ``yosan batch --executor dask`` gives what the local executor gives.

On the same inputs, hostile ones included (``hostile.py``), a LocalCluster
and a ``dask scheduler`` plus ``dask worker`` pair on loopback write the
same per-file outputs, all.csv, report.json (times and the executor's own
options aside), state and Parquet dataset as ``--executor local``.  A worker
killed while it runs a file costs that attempt: the file runs again, and is
reported as failed once the retries are spent; the other files complete.  A
re-run after one input's content changed redoes that input only.

Each dask run starts a cluster (about 5 s), so the runs are few and shared.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from hostile import content_stream, flate_bomb_pdf, page_listed, page_object, reportlab_pdf, yosan

GOOD = FIXTURES / "mext-r2-science-points.txt"
PR_SHEET, TWO_COLUMN = FIXTURES / "pdf" / "pr-sheet.pdf", FIXTURES / "pdf" / "two-column.pdf"
ONE_LINE = "令和2年度予算額(案) 5,975百万円 (前年度予算額 5,671百万円)\n"
# The flate bomb meets the memory limit well within the time limit, which the FIFO runs into.
LIMITS = ("--max-memory", "700", "--timeout", "10")
DASK_ONE_RETRY = ("--executor", "dask", "--jobs", "1", "--retries", "1")
RUN_TIMEOUT = 180  # seconds for one batch command, a cluster's start and stop included


def hostile_folder(root: Path) -> Path:
    """Good inputs beside the hostile cases of issue 11 that end without OCR."""
    folder = root / "in"
    (folder / "pdf").mkdir(parents=True)
    shutil.copy(GOOD, folder / GOOD.name)
    shutil.copy(PR_SHEET, folder / "pdf" / PR_SHEET.name)
    shutil.copy(TWO_COLUMN, folder / "pdf" / TWO_COLUMN.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "pdf" / "download.pdf").write_bytes(b"<html><body>Session expired</body></html>\n")
    (folder / os.fsdecode("予算".encode("cp932") + b".txt")).write_text(ONE_LINE, encoding="utf-8")
    data = reportlab_pdf(root / "page.pdf").read_bytes()
    repeated = page_listed(data, lambda page: b" ".join([b"%d 0 R" % page] * 10_000), 10_000)
    (folder / "pdf" / "repeated.pdf").write_bytes(repeated)
    sheet = PR_SHEET.read_bytes()
    _, start, end = content_stream(sheet)
    middle, after = (start + end) // 2, sheet.index(b"endobj", end)
    (folder / "pdf" / "damaged.pdf").write_bytes(
        sheet[:middle] + sheet[middle + 1 : after] + b" " + sheet[after:]
    )
    flate_bomb_pdf(folder / "pdf" / "bomb.pdf", gigabytes=4)
    os.mkfifo(folder / "hangs.txt")  # a hung network mount: timed out
    assert page_object(repeated)
    return folder


def batch(folder: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    return yosan("batch", folder, "-o", out, "--jobs", "2", *LIMITS, *extra, timeout=RUN_TIMEOUT)


def normal_report(out: Path) -> dict:
    """report.json less what differs between two runs of the same batch: times, the folder, and
    the options that choose the executor."""
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for key in ("started", "finished", "output_folder"):
        report.pop(key)
    for key in ("executor", "scheduler"):
        report["options"].pop(key)
    for entry in report["files"]:
        entry["seconds"] = None
    return report


def files_of(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "report.json"
    }


def assert_same(local: Path, other: Path) -> None:
    """Every output byte for byte (the Parquet files too: the same tables, the same metadata),
    and the same report."""
    mine, theirs = files_of(local), files_of(other)
    assert sorted(mine) == sorted(theirs)
    for name in mine:
        assert mine[name] == theirs[name], name
    assert normal_report(local) == normal_report(other)


def statuses(out: Path) -> dict[str, str]:
    return {
        Path(f["input"]).name: f["status"] for f in json.loads((out / "report.json").read_text())["files"]
    }


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """The inputs, what the local executor made of them, and its error lines."""
    root = tmp_path_factory.mktemp("dask")
    folder = hostile_folder(root)
    out = root / "local"
    done = batch(folder, out)
    assert done.returncode == 1, done.stderr
    return folder, out, errors_of(done)


def errors_of(done: subprocess.CompletedProcess[bytes]) -> list[str]:
    return sorted(line for line in done.stderr.decode().splitlines() if line.startswith("yosan: error:"))


def test_local_cluster_gives_what_the_local_executor_gives(
    local_run: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    folder, local, local_errors = local_run
    assert statuses(local) == {
        "empty.txt": "failed",
        "hangs.txt": "timeout",
        "mext-r2-science-points.txt": "ok",
        "bomb.pdf": "failed",
        "damaged.pdf": "ok",
        "download.pdf": "failed",
        "pr-sheet.pdf": "ok",
        "repeated.pdf": "ok",
        "two-column.pdf": "ok",
        os.fsencode("予算".encode("cp932") + b".txt").decode("utf-8", "backslashreplace"): "ok",
    }
    out = tmp_path / "dask"
    done = batch(folder, out, "--executor", "dask")
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    assert_same(local, out)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["options"]["executor"] == "dask"
    assert errors_of(done) == local_errors  # the same lines, as each file ends

    # the dataset: pandas, DuckDB and Dask read it as it is, with the records of all.csv
    import dask.dataframe as dd
    import duckdb
    import pandas as pd

    rows = pd.read_csv(out / "all.csv", dtype=str, keep_default_na=False)
    frame = pd.read_parquet(out / "all.parquet")
    assert len(frame) == len(rows) > 0
    assert sorted(frame["source"].astype(str).unique()) == sorted(rows["source"].unique())
    assert frame["amount_yen"].sum() == rows["amount_yen"].astype(int).sum()
    total = duckdb.sql(
        f"select count(*), sum(amount_yen) from read_parquet('{out}/all.parquet/*/*.parquet', hive_partitioning=true)"
    ).fetchall()[0]
    assert total == (len(rows), rows["amount_yen"].astype(int).sum())
    assert len(dd.read_parquet(out / "all.parquet").compute()) == len(rows)

    # a re-run after one input's content changed redoes that input only, wherever the inputs now
    # are (a copy: another machine; less the FIFO and the bomb, failed files are always redone)
    parts = {p: p.stat().st_mtime_ns for p in (out / "all.parquet").rglob("*.parquet")}
    moved = shutil.copytree(
        folder, tmp_path / "moved", ignore=shutil.ignore_patterns("hangs.txt", "bomb.pdf")
    )
    shutil.copy(TWO_COLUMN, moved / "pdf" / "pr-sheet.pdf")
    done = batch(moved, out, "--executor", "dask")
    assert done.returncode == 1, done.stderr
    again = statuses(out)
    assert {name for name, status in again.items() if status == "ok"} == {"pr-sheet.pdf"}
    assert {name for name, status in again.items() if status == "skipped"} == {
        name for name, status in statuses(local).items() if status == "ok" and name != "pr-sheet.pdf"
    }
    sheet = out / "all.parquet" / "source=pdf%2Fpr-sheet.pdf" / "part-0.parquet"
    changed = {p for p, mtime in parts.items() if p.stat().st_mtime_ns != mtime}
    assert changed == {sheet}  # one partition rewritten, the others left as they were
    assert len(pd.read_parquet(sheet)) == 18  # two-column.pdf's records, under pr-sheet.pdf's source


def _reader_of(fifo: Path) -> int | None:
    """The process that has ``fifo`` open (the file's isolated child), if any."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():  # this test holds the writing end
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == str(fifo):
                        return int(proc.name)
    return None


def _stat(pid: int) -> list[str]:
    """``/proc/PID/stat`` after the command name: state, parent, …"""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _parent(pid: int) -> int:
    return int(_stat(pid)[1])


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs: a zombie has closed its files, and under a PID 1 that never
    reaps orphans (some CI containers) its /proc entry stays until the end."""
    try:
        return _stat(pid)[0] not in ("Z", "X")
    except OSError:
        return False


def _kill_the_worker_running(fifo: Path, deadline: float) -> None:
    """Wait until a file's child reads ``fifo``, then SIGKILL the dask worker it runs under (its
    parent is the worker's forkserver, whose parent is the worker)."""
    writer = None
    while writer is None:
        assert time.monotonic() < deadline, "the file never started"
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # succeeds once a reader waits
        except OSError:
            time.sleep(0.05)
    try:
        reader = None
        while reader is None:
            assert time.monotonic() < deadline, "no process holds the file open"
            reader = _reader_of(fifo)
        worker = _parent(_parent(reader))
        os.kill(worker, signal.SIGKILL)
        while _running(reader):
            assert time.monotonic() < deadline, "the killed worker's child never ended"
            time.sleep(0.05)  # the child dies with its forkserver, and it with the worker
    finally:
        os.close(writer)


def test_a_killed_worker_is_retried_and_then_the_file_fails(tmp_path: Path) -> None:
    fifo, good, out = tmp_path / "slow.txt", tmp_path / "good.txt", tmp_path / "out"
    os.mkfifo(fifo)  # the file that is running when its worker is killed: it never ends by itself
    good.write_bytes(GOOD.read_bytes())
    command = [sys.executable, "cli.py", "batch", str(fifo), str(good), "-o", str(out), *DASK_ONE_RETRY]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        for _ in range(2):  # the first attempt and its one retry
            _kill_the_worker_running(fifo, deadline)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = err.decode()
    assert proc.returncode == 1, text
    assert "Traceback" not in text
    lost = "its dask worker died"
    assert f"yosan: warning: {fifo}: {lost}; running it again (1 of --retries 1)" in text.splitlines()
    assert [line for line in text.splitlines() if line.startswith("yosan: error:")] == [
        f"yosan: error: {fifo}: {lost} (tried 2 times, --retries 1)"
    ]
    files = {Path(f["input"]).name: f for f in json.loads((out / "report.json").read_text())["files"]}
    assert files["slow.txt"]["status"] == "failed" and files["slow.txt"]["retries"] == 1
    assert files["good.txt"]["status"] == "ok" and files["good.txt"]["retries"] == 0
    assert files["good.txt"]["records"] == 197


def test_a_scheduler_and_a_worker_on_loopback(
    local_run: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    folder, local, local_errors = local_run
    address_file = tmp_path / "scheduler.json"
    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
    dask = [sys.executable, "-m", "dask"]
    scheduler = subprocess.Popen(
        [
            *dask,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(address_file),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        address = json.loads(address_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        worker = subprocess.Popen(
            [*dask, "worker", address, "--nthreads", "2", "--host", "127.0.0.1", "--no-dashboard"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        out = tmp_path / "out"
        done = batch(folder, out, "--scheduler", address)
        assert done.returncode == 1, done.stderr
        assert b"Traceback" not in done.stderr
        assert_same(local, out)
        assert errors_of(done) == local_errors
        assert json.loads((out / "report.json").read_text())["options"]["scheduler"] == address
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                proc.terminate()
        for proc in (worker, scheduler):
            if proc is not None:
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
