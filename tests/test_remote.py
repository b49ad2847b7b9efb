"""Issue 15: inputs named by fsspec URLs (``s3://bucket/prefix/``), read where they are.

A real S3 API on loopback (moto's server) holds a folder of inputs, bad ones
among them; ``yosan batch s3://…`` lists the prefix, hashes and fetches each
object on the worker, and writes what a batch of the same files on a local
disk writes.  A re-run skips what is current and redoes a changed object
only; a bucket that cannot be listed, a missing object and a protocol whose
package is not installed are one-line errors.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES
from hostile import yosan

from yosan.remote import is_url, list_url, suffixes_wanted

moto_server = pytest.importorskip(
    "moto.server", reason="moto[server] is a dev dependency (pip install -e '.[dev]')"
)
s3fs = pytest.importorskip("s3fs", reason="s3fs is a dev dependency (pip install -e '.[dev]')")

BUCKET = "budget"
# Each input: its key below the prefix and its bytes.
INPUTS = {
    "mext/mext-r2-science-points.txt": (FIXTURES / "mext-r2-science-points.txt").read_bytes(),
    "mext/pdf/pr-sheet.pdf": (FIXTURES / "pdf" / "pr-sheet.pdf").read_bytes(),
    "mext/pdf/two-column.pdf": (FIXTURES / "pdf" / "two-column.pdf").read_bytes(),
    "mext/pdf/download.pdf": b"<html><body>Session expired</body></html>\n",
    "mext/empty.txt": b"",
}
IGNORED = {"mext/notes.docx": b"not an input", "mext/.hidden.txt": b"hidden"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, object]]:
    """An S3 endpoint on loopback with the inputs in it, the environment that reaches it set for
    every child process, and the same inputs as a local folder."""
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = dict(os.environ)
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
    )
    try:
        fs = s3fs.S3FileSystem()
        fs.mkdir(BUCKET)
        folder = tmp_path_factory.mktemp("remote") / "local"
        for key, data in {**INPUTS, **IGNORED}.items():
            fs.pipe(f"{BUCKET}/{key}", data)
            (folder / key).parent.mkdir(parents=True, exist_ok=True)
            (folder / key).write_bytes(data)
        yield folder / "mext", fs
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


def _report(out: Path) -> list[dict[str, object]]:
    files = json.loads((out / "report.json").read_text(encoding="utf-8"))["files"]
    return sorted(
        ({k: v for k, v in f.items() if k != "seconds"} for f in files), key=lambda f: str(f["output"])
    )


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in {"report.json", ".yosan-state.json"}
    }


def _errors(stderr: bytes) -> list[str]:
    return sorted(line for line in stderr.decode().splitlines() if line.startswith("yosan: error:"))


def test_what_is_a_url() -> None:
    assert is_url("s3://budget/r7/") and is_url("file:///srv/a.pdf") and is_url("simplecache::s3://b/a.pdf")
    assert not is_url("C:\\budget\\a.pdf") and not is_url("budget/a.pdf") and not is_url("/srv/s3:/a.pdf")


def test_a_prefix_is_listed_like_a_folder(s3: tuple[Path, object]) -> None:
    listed, reason = list_url(f"s3://{BUCKET}/mext/", suffixes_wanted((".pdf", ".txt")))
    assert reason is None
    assert [label for _, label in listed] == sorted(k.removeprefix("mext/") for k in INPUTS)
    assert all(url.startswith(f"s3://{BUCKET}/mext/") for url, _ in listed)
    globbed, _ = list_url(f"s3://{BUCKET}/mext/pdf/*.pdf", suffixes_wanted((".pdf",)))
    assert [label for _, label in globbed] == ["download.pdf", "pr-sheet.pdf", "two-column.pdf"]


def test_a_bucket_gives_what_the_same_folder_on_disk_gives(s3: tuple[Path, object], tmp_path: Path) -> None:
    folder, fs = s3
    local, remote = tmp_path / "local", tmp_path / "remote"
    done_local = yosan("batch", folder, "-o", local, "--jobs", "2")
    done = yosan("batch", f"s3://{BUCKET}/mext/", "-o", remote, "--jobs", "2")
    assert done.returncode == done_local.returncode == 1, done.stderr  # download.pdf and empty.txt fail
    assert _outputs(remote) == _outputs(local)  # per-file outputs, all.csv, the Parquet dataset
    inputs = {str(f["output"]): f for f in _report(remote)}
    for entry in _report(local):
        mine = inputs[str(entry["output"])]
        assert str(mine["input"]).startswith(f"s3://{BUCKET}/mext/")
        assert {k: v for k, v in mine.items() if k not in {"input", "error"}} == {
            k: v for k, v in entry.items() if k not in {"input", "error"}
        }
    # The same one-line errors, naming the objects by URL.
    errors = _errors(done.stderr)
    assert errors == [e.replace(f"{folder}/", f"s3://{BUCKET}/mext/") for e in _errors(done_local.stderr)]
    assert f"yosan: error: s3://{BUCKET}/mext/pdf/download.pdf: not a PDF (looks like HTML)" in errors

    # On a dask worker: only the URL travels, the worker fetches the object itself.
    on_dask = tmp_path / "dask"
    yosan("batch", f"s3://{BUCKET}/mext/", "-o", on_dask, "--executor", "dask", "--jobs", "1", timeout=300)
    assert _outputs(on_dask) == _outputs(local)
    assert _report(on_dask) == _report(remote)

    # A re-run skips every current object; a changed object is redone, and only it.
    again = yosan("batch", f"s3://{BUCKET}/mext/", "-o", remote, "--jobs", "2")
    assert {f["status"] for f in _report(remote) if f["error"] is None} == {"skipped"}, again.stderr
    fs.pipe(f"{BUCKET}/mext/pdf/pr-sheet.pdf", INPUTS["mext/pdf/two-column.pdf"])  # type: ignore[attr-defined]
    try:
        yosan("batch", f"s3://{BUCKET}/mext/", "-o", remote, "--jobs", "2")
        status = {str(f["output"]): f["status"] for f in _report(remote)}
        assert status["pdf/pr-sheet.pdf.csv"] == "ok"
        assert status["pdf/two-column.pdf.csv"] == status["mext-r2-science-points.txt.csv"] == "skipped"
        assert (remote / "pdf" / "pr-sheet.pdf.csv").read_bytes() != (
            local / "pdf" / "pr-sheet.pdf.csv"
        ).read_bytes()
    finally:
        fs.pipe(f"{BUCKET}/mext/pdf/pr-sheet.pdf", INPUTS["mext/pdf/pr-sheet.pdf"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "env", "message"),
    [
        ("s3://budget/mext/missing.pdf", {}, "s3://budget/mext/missing.pdf: no such file"),
        ("s3://no-such-bucket/", {}, "s3://no-such-bucket/: no inputs found"),
        (
            "s3://budget/mext/",
            {"AWS_ACCESS_KEY_ID": ""},
            "s3://budget/mext/: cannot list: Unable to locate credentials",
        ),
        (
            "nosuchprotocol://x/a.pdf",
            {},
            "nosuchprotocol://x/a.pdf: cannot open this URL: Protocol not known: nosuchprotocol",
        ),
    ],
)
def test_what_cannot_be_read_is_one_line(
    s3: tuple[Path, object], tmp_path: Path, url: str, env: dict[str, str], message: str
) -> None:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        done = yosan("batch", url, "-o", tmp_path / "out")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert done.returncode != 0
    assert _errors(done.stderr) == [f"yosan: error: {message}"], done.stderr
    assert "Traceback" not in done.stderr.decode()
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
