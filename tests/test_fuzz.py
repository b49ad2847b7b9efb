"""Damaged copies of the fixture PDFs: each ends in records or a clean error, in bounded time.

The mutations are seeded, so every run tries the same files: truncations at
many offsets, flipped bytes, deleted ``obj`` blocks and damaged xref tables and
trailers.  They run through the batch runner (a worker process each, two at a
time) so that a hang or a crash of the PDF library is caught as such, and the
test stays well under a minute.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Iterator
from pathlib import Path

from conftest import FIXTURES

from extract.batch import BatchOptions, Progress, find_inputs, run_batch
from extract.model import ALL_COLUMNS
from extract.pipeline import Options

SEED = 20200
PER_FILE_BOUND = 20.0  # seconds; the batch kills a worker after this
SMALL = [FIXTURES / "pdf" / "pr-sheet.pdf", FIXTURES / "pdf" / "two-column.pdf"]
WHOLE = FIXTURES / "pdf" / "mext-r2-science-points.pdf"
# What a worker reports when the library let something other than InputError escape.
UNCLEAN = ("internal error", "worker crashed", "worker exited", "out of memory")


def truncations(data: bytes, cuts: int, tail: tuple[int, ...]) -> Iterator[tuple[str, bytes]]:
    """Cuts spread over the file, and near its end (inside the xref table and trailer)."""
    size = len(data)
    offsets = {size * k // cuts for k in range(1, cuts)} | {size - d for d in tail}
    for at in sorted(offsets):
        yield f"cut{at}", data[:at]


def byte_flips(data: bytes, rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    for k in range(count):
        damaged = bytearray(data)
        for _ in range(rng.choice((1, 2, 4, 16, 64))):
            at = rng.randrange(len(damaged))
            damaged[at] ^= rng.randrange(1, 256)
        yield f"flip{k}", bytes(damaged)


OBJECT = re.compile(rb"(?m)^\d+ 0 obj\b.*?\bendobj\s*", re.DOTALL)


def deleted_objects(data: bytes, rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    spans = [m.span() for m in OBJECT.finditer(data)]
    for k, (a, b) in enumerate(spans[:count]):
        yield f"noobj{k}", data[:a] + data[b:]
    for k in range(count - len(spans)):  # several objects at once
        gone = sorted(rng.sample(spans, min(3, len(spans))), reverse=True)
        damaged = data
        for a, b in gone:
            damaged = damaged[:a] + damaged[b:]
        yield f"noobjs{k}", damaged


def xref_damage(data: bytes) -> Iterator[tuple[str, bytes]]:
    m = re.search(rb"startxref\s+(\d+)", data)
    assert m, "the fixtures have a classic xref table"
    offset = int(m[1])

    def startxref(value: bytes) -> bytes:
        return data[: m.start(1)] + value + data[m.end(1) :]

    yield "startxref-minus", startxref(str(offset - 37).encode())
    yield "startxref-zero", startxref(b"0")
    yield "startxref-huge", startxref(b"99999999999")
    yield "startxref-text", startxref(b"oops")
    yield "no-startxref", data[: m.start()] + data[m.end() :]
    table = data.rindex(b"\nxref\n") + 1
    trailer = data.index(b"trailer", table)
    yield (
        "xref-garbled",
        data[:table] + re.sub(rb"\d{10}", b"0000000042", data[table:trailer]) + data[trailer:],
    )
    yield "xref-zeroed", data[:table] + re.sub(rb"\d", b"0", data[table:trailer]) + data[trailer:]
    yield "xref-gone", data[:table] + data[trailer:]
    yield "xref-keyword", data[:table] + b"xrfe" + data[table + 4 :]
    yield "trailer-gone", data[:trailer] + data[data.index(b"startxref", trailer) :]
    yield "root-missing", re.sub(rb"/Root \d+ 0 R", b"/Root 999 0 R", data)
    yield "size-zero", re.sub(rb"/Size \d+", b"/Size 0", data)
    yield "no-eof", data.replace(b"%%EOF", b"")
    yield "junk-before-header", b"\x00garbage\n" * 40 + data
    yield "header-only", data[:20]
    yield "pages-loop", re.sub(rb"/Parent \d+ 0 R", b"/Parent 2 0 R", data)


def cases(folder: Path) -> list[Path]:
    rng = random.Random(SEED)
    made = []
    tail = (1, 2, 6, 20, 60, 200, 700)
    # The one-page fixtures take ~0.1 s each; the 43-page one ~1 s, so it gets a few.
    plan = [(path, 40, tail, 30, 16, True) for path in SMALL] + [(WHOLE, 4, (1, 60, 700), 3, 1, False)]
    for path, cuts, ends, flips, objects, xref in plan:
        data = path.read_bytes()
        for kind, damaged in [
            *truncations(data, cuts, ends),
            *byte_flips(data, rng, flips),
            *deleted_objects(data, rng, objects),
            *(xref_damage(data) if xref else []),
        ]:
            target = folder / f"{path.stem}-{kind}.pdf"
            target.write_bytes(damaged)
            made.append(target)
    return made


def test_damaged_pdfs_end_in_records_or_a_clean_error(tmp_path: Path) -> None:
    folder = tmp_path / "damaged"
    folder.mkdir()
    made = cases(folder)
    assert len(made) >= 200
    assert len({p.read_bytes() for p in made}) >= 190  # really different files
    out = tmp_path / "out"
    inputs, problems = find_inputs([str(folder)], "csv")
    assert len(inputs) == len(made) and not problems
    opts = BatchOptions(out_dir=out, jobs=2, timeout=PER_FILE_BOUND, extract=Options(ocr="never"))
    log = io.StringIO()
    run = run_batch(inputs, opts, progress=Progress(len(inputs), log))

    bad = [r for r in run.results if r.status not in ("ok", "failed")]
    assert not bad, [(r.input, r.status, r.error) for r in bad]
    unclean = [(r.input, r.error) for r in run.results if r.error and r.error.startswith(UNCLEAN)]
    assert not unclean
    assert "Traceback" not in log.getvalue()
    assert all(r.seconds is not None and r.seconds < PER_FILE_BOUND for r in run.results)
    failed = [r for r in run.results if r.status == "failed"]
    ok = [r for r in run.results if r.status == "ok"]
    assert all(r.error and r.output is None for r in failed)
    assert ok and failed  # the mutations reach both ends
    # every output is whole, and all.csv holds exactly their records
    total = 0
    for r in ok:
        assert r.output and r.records is not None
        lines = (out / r.output).read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(ALL_COLUMNS) or (r.records == 0 and lines[0].startswith("source,"))
        total += r.records
    with (out / "all.csv").open(encoding="utf-8", newline="") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == total
    assert not list(out.rglob("*.tmp"))
