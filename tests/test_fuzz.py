"""Damaged inputs: each ends in records or a clean error, in bounded time.

The mutations are seeded, so every run tries the same files.  The first test
damages the fixture PDFs' structure: truncations at many offsets, flipped
bytes, deleted ``obj`` blocks and damaged xref tables and trailers.  The
second (issue 11) adds kinds those miss: random insertions, duplicated
chunks, splices of two files (a PDF and a text, a PNG and a PDF …), edits
inside decompressed streams (each content, font and CMap stream inflated,
mutated — flipped, cut, repeated, hostile operators and numbers — and
deflated again, the file kept valid by an incremental update), damaged text
documents (encodings mixed, control characters, hostile amounts) and damaged
images (PNG, JPEG, TIFF).  They run through the batch runner (a worker
process each, two at a time) so that a hang or a crash of a library is caught
as such, with a time bound per input; their size and time are printed at the
end of the run.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from conftest import FIXTURES, FUZZ_SUMMARY, ROOT
from hostile import incremental_update, text_image

from yosan.model import ALL_COLUMNS, COLUMNS

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


def run_damaged(folder: Path, out: Path, ocr: str) -> tuple[dict, float]:
    """``yosan batch FOLDER`` (a worker process each, two at a time, a time bound each) as a user
    runs it, and checks that every input ended in records or a clean error, in time; the report."""
    command = [sys.executable, "cli.py", "batch", str(folder), "-o", str(out), "--jobs", "2", "--ocr", ocr]
    command += ["--timeout", str(PER_FILE_BOUND)]
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    seconds = time.monotonic() - started
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    results = report["files"]
    assert len(results) == len(list(folder.iterdir())) and not report["errors"]
    bad = [r for r in results if r["status"] not in ("ok", "failed")]
    assert not bad, [(r["input"], r["status"], r["error"]) for r in bad]
    unclean = [(r["input"], r["error"]) for r in results if r["error"] and r["error"].startswith(UNCLEAN)]
    assert not unclean
    assert all(r["seconds"] is not None and r["seconds"] < PER_FILE_BOUND for r in results)
    assert all(r["error"] and r["output"] is None for r in results if r["status"] == "failed")
    errors = [line for line in done.stderr.splitlines() if line.startswith("yosan: error:")]
    assert len(errors) == sum(1 for r in results if r["status"] == "failed")
    # every output is whole, and all.csv holds exactly their records
    total = 0
    for r in results:
        if r["status"] != "ok":
            continue
        with (out / r["output"]).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == r["records"]
        assert not rows or tuple(rows[0]) in (ALL_COLUMNS, COLUMNS)
        total += r["records"]
    with (out / "all.csv").open(encoding="utf-8", newline="") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == total == report["summary"]["records"]
    assert not list(out.rglob("*.tmp"))
    return report, seconds


def summarize(name: str, report: dict, seconds: float) -> None:
    summary = report["summary"]
    slowest = max((r["seconds"] or 0.0 for r in report["files"]), default=0.0)
    FUZZ_SUMMARY.append(
        f"{name}: {summary['files']} damaged inputs ({summary['ok']} ok, {summary['failed']} failed) "
        f"in {seconds:.1f} s; slowest {slowest:.1f} s (bound {PER_FILE_BOUND:g} s)"
    )


def test_damaged_pdfs_end_in_records_or_a_clean_error(tmp_path: Path) -> None:
    folder = tmp_path / "damaged"
    folder.mkdir()
    made = cases(folder)
    assert len(made) >= 200
    assert len({p.read_bytes() for p in made}) >= 190  # really different files
    report, seconds = run_damaged(folder, tmp_path / "out", ocr="never")
    assert report["summary"]["ok"] and report["summary"]["failed"]  # the mutations reach both ends
    summarize("fuzz, PDF structure", report, seconds)


# --- issue 11: more kinds of damage ---------------------------------------------------------------

MORE_SEED = 20611
TEXT = FIXTURES / "mext-r2-science-points.txt"
_STREAM = re.compile(rb"(?ms)^(\d+) 0 obj\s*(<<.*?>>)\s*stream\r?\n")


def insertions(data: bytes, rng: random.Random, count: int) -> Iterator[bytes]:
    """Random bytes (1-64 of them, or a run of one byte) put in at random places."""
    for _ in range(count):
        damaged = bytearray(data)
        for _ in range(rng.choice((1, 1, 2, 5))):
            at = rng.randrange(len(damaged) + 1)
            size = rng.choice((1, 3, 16, 64))
            piece = (
                bytes(rng.randrange(256) for _ in range(size))
                if rng.random() < 0.7
                else bytes([rng.randrange(256)]) * size
            )
            damaged[at:at] = piece
        yield bytes(damaged)


def duplicated_chunks(data: bytes, rng: random.Random, count: int) -> Iterator[bytes]:
    """A chunk of the file copied somewhere else in it (or repeated where it is, many times)."""
    for _ in range(count):
        a = rng.randrange(len(data))
        b = min(len(data), a + rng.choice((4, 40, 400, 4000)))
        chunk = data[a:b]
        if rng.random() < 0.3:
            yield data[:b] + chunk * rng.choice((2, 10, 100)) + data[b:]
        else:
            at = rng.randrange(len(data) + 1)
            yield data[:at] + chunk + data[at:]


def splices(sources: list[bytes], rng: random.Random, count: int) -> Iterator[bytes]:
    """The start of one file and the end of another (any two of the sources, both ways)."""
    for _ in range(count):
        first, second = rng.sample(sources, 2)
        yield first[: rng.randrange(1, len(first))] + second[rng.randrange(len(second)) :]


HOSTILE_OPERATORS = [
    b" q" * 2000,
    b" Q" * 50,
    b" 1e38 0 0 1e38 0 0 cm",
    b" 0 0 0 0 0 0 cm",
    b" /F1+0 1e-6 Tf",
    b" /F1+0 99999 Tf",
    b" BT",
    b" ET ET",
    b" (unbalanced",
    b" <0041004200430044> Tj",
    b" [(a) -99999999 (b)] TJ",
    b" 1 0 0 1 -1e30 1e30 Tm",
    b" /NoSuchFont 12 Tf (x) Tj",
    b" /Im9 Do",
    b" 0 0 m 1e30 1e30 l S",
    b" 99999999999999999999999",
]


def stream_edits(data: bytes, rng: random.Random, count: int) -> Iterator[bytes]:
    """Each flate stream inflated, mutated and deflated again, put back by an incremental update."""
    streams = []
    for m in _STREAM.finditer(data):
        length = re.search(rb"/Length\s+(\d+)", m[2])
        if not length or b"FlateDecode" not in m[2]:
            continue
        raw = data[m.end() : m.end() + int(length[1])]
        try:
            streams.append((int(m[1]), m[2], zlib.decompress(raw)))
        except zlib.error:
            continue
    assert streams, "the fixtures' streams are deflated"
    for k in range(count):
        number, head, plain = streams[k % len(streams)]
        edit = rng.randrange(7)
        if edit == 0 and plain:  # flipped bytes
            changed = bytearray(plain)
            for _ in range(rng.choice((1, 4, 32))):
                changed[rng.randrange(len(changed))] ^= rng.randrange(1, 256)
            plain = bytes(changed)
        elif edit == 1:  # cut
            plain = plain[: rng.randrange(len(plain) + 1)]
        elif edit == 2:  # a span deleted
            a = rng.randrange(len(plain) + 1)
            plain = plain[:a] + plain[a + rng.choice((1, 10, 100)) :]
        elif edit == 3:  # a span repeated
            a = rng.randrange(len(plain) + 1)
            plain = plain[:a] + plain[a : a + rng.choice((10, 100, 1000))] * rng.choice((2, 50)) + plain[a:]
        elif edit == 4:  # a hostile operator put in
            a = rng.randrange(len(plain) + 1)
            plain = plain[:a] + rng.choice(HOSTILE_OPERATORS) + b" " + plain[a:]
        elif edit == 5:  # every number replaced by an extreme one
            extreme = rng.choice((b"0", b"-1", b"1e38", b"99999999999", b"0.0000001"))
            plain = re.sub(
                rb"(?<![\w.])\d+(?:\.\d+)?(?![\w.])",
                lambda m, extreme=extreme: extreme if rng.random() < 0.2 else m[0],
                plain,
            )
        else:  # hex strings (glyph codes, CMap ranges) changed
            plain = re.sub(rb"<([0-9A-Fa-f]{4})>", lambda m: b"<%04X>" % rng.randrange(0x10000), plain)
        packed = zlib.compress(plain)
        body = re.sub(rb"/Length\s+\d+", b"/Length %d" % len(packed), head)
        yield incremental_update(data, {number: body + b"\nstream\n" + packed + b"\nendstream"})


TEXT_DAMAGE: list[Callable[[str, random.Random], bytes]] = [
    lambda t, r: t.encode("utf-8")[: r.randrange(1, len(t.encode("utf-8")))],  # cut, inside a character too
    lambda t, r: t.encode("utf-8") + "予算額 1,000百万円".encode("cp932"),  # two encodings in one file
    lambda t, r: t.encode("cp932", "replace")[:5000] + t.encode("utf-8")[5000:],
    lambda t, r: t.replace("\n", r.choice(["\r", "\u2028", "\x85", "\x0b", "\x0c", "\u2029"])).encode(
        "utf-8"
    ),
    lambda t, r: t.replace(",", r.choice([",\t", ", ", ",\u3000", ",,", ",\x00"])).encode("utf-8"),
    lambda t, r: t.replace("百万円", r.choice(["兆兆円", "百百万円", "万億円", "千千円", "億万兆円"])).encode(
        "utf-8"
    ),
    lambda t, r: t.replace("円", "円" * r.choice((2, 50))).encode("utf-8"),
    lambda t, r: (t + "予算額 " + "1, 000" * 2000 + "円\n").encode("utf-8"),  # (at full size: test_hostile)
    lambda t, r: (t + "1 " * 5000 + "円\n").encode("utf-8"),
    lambda t, r: (t + "予算額 " + "9" * r.choice((19, 29, 300, 5000)) + "円\n").encode("utf-8"),
    lambda t, r: (t + "予算額 1." + "0" * 40 + "1億円\n").encode("utf-8"),
    lambda t, r: "".join(c if r.random() > 0.01 else chr(r.randrange(0x20, 0x3000)) for c in t).encode(
        "utf-8"
    ),
    lambda t, r: "\ufeff".join(t.split("\n")).encode("utf-8"),  # a BOM on every line
    lambda t, r: t.encode(r.choice(["utf-16-le", "utf-16-be", "euc-jp", "iso2022_jp"]), "replace"),
    lambda t, r: ("\t".join(t.split("\n"))).encode("utf-8"),  # one line of thousands of cells
    lambda t, r: ("(" * 5000 + t + "“" * 5000).encode("utf-8"),
]


def text_cases(rng: random.Random, count: int) -> Iterator[bytes]:
    lines = TEXT.read_text(encoding="utf-8").splitlines()
    for k in range(count):
        start = rng.randrange(0, len(lines) - 150)
        excerpt = "\n".join(lines[start : start + 150]) + "\n"
        damaged = TEXT_DAMAGE[k % len(TEXT_DAMAGE)](excerpt, rng)
        if rng.random() < 0.3:  # and some bytes flipped
            damaged = bytearray(damaged)
            for _ in range(rng.choice((1, 8))):
                if damaged:
                    damaged[rng.randrange(len(damaged))] ^= rng.randrange(1, 256)
            damaged = bytes(damaged)
        yield damaged


def image_sources() -> dict[str, bytes]:
    """A line of a budget box as PNG, JPEG and a two-page TIFF."""
    image = text_image("令和2年度予算額 1,732百万円", size=(640, 100))
    out = {}
    for suffix, kwargs in (
        ("png", {}),
        ("jpg", {"quality": 80}),
        ("tif", {"save_all": True, "append_images": [image]}),
    ):
        buf = io.BytesIO()
        image.save(buf, format={"png": "PNG", "jpg": "JPEG", "tif": "TIFF"}[suffix], **kwargs)
        out[suffix] = buf.getvalue()
    return out


def image_cases(rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    sources = image_sources()
    kinds = list(sources)
    for k in range(count):
        suffix = kinds[k % len(kinds)]
        data = sources[suffix]
        damage = rng.randrange(5)
        if damage == 0:
            damaged = data[: rng.randrange(8, len(data))]
        elif damage == 1:
            damaged = next(insertions(data, rng, 1))
        elif damage == 2:
            damaged = next(duplicated_chunks(data, rng, 1))
        elif damage == 3:  # header fields: sizes, counts, offsets
            changed = bytearray(data)
            for _ in range(rng.choice((1, 2, 4))):
                changed[rng.randrange(8, min(64, len(changed)))] = rng.choice((0, 0xFF, rng.randrange(256)))
            damaged = bytes(changed)
        else:
            changed = bytearray(data)
            for _ in range(rng.choice((1, 8, 64))):
                changed[rng.randrange(len(changed))] ^= rng.randrange(1, 256)
            damaged = bytes(changed)
        yield suffix, damaged


def more_cases(documents: Path, images: Path) -> dict[str, int]:
    """The damaged documents and images of issue 11, written into the two folders; counts by kind."""
    rng = random.Random(MORE_SEED)
    pdfs = [p.read_bytes() for p in SMALL]
    text = TEXT.read_bytes()[:20_000]
    png = image_sources()["png"]
    made: dict[str, int] = {}

    def write(folder: Path, kind: str, suffix: str, data: bytes) -> None:
        made[kind] = made.get(kind, 0) + 1
        (folder / f"{kind}-{made[kind]:04d}.{suffix}").write_bytes(data)

    for data in pdfs:
        for damaged in insertions(data, rng, 85):
            write(documents, "insert", "pdf", damaged)
        for damaged in duplicated_chunks(data, rng, 85):
            write(documents, "duplicate", "pdf", damaged)
        for damaged in stream_edits(data, rng, 120):
            write(documents, "stream-edit", "pdf", damaged)
    for damaged in splices([*pdfs, text, png], rng, 150):
        write(documents, "splice", "pdf" if damaged[:5] == b"%PDF-" else "txt", damaged)
    for damaged in text_cases(rng, 230):
        write(documents, "text", "txt", damaged)
    for suffix, damaged in image_cases(rng, 40):
        write(images, "image", suffix, damaged)
    return made


def test_more_kinds_of_damage_end_in_records_or_a_clean_error(tmp_path: Path) -> None:
    documents, images = tmp_path / "documents", tmp_path / "images"
    documents.mkdir()
    images.mkdir()
    made = more_cases(documents, images)
    total = sum(made.values())
    assert total >= 1000, made
    files = [*documents.iterdir(), *images.iterdir()]
    assert len({p.read_bytes() for p in files}) >= 0.95 * total  # really different files
    report, seconds = run_damaged(documents, tmp_path / "out-documents", ocr="never")
    assert report["summary"]["ok"] and report["summary"]["failed"]
    kinds = ", ".join(f"{n} {kind}" for kind, n in made.items() if kind != "image")
    summarize(f"fuzz, more damage ({kinds})", report, seconds)
    report, seconds = run_damaged(images, tmp_path / "out-images", ocr="auto")
    assert report["summary"]["ok"] and report["summary"]["failed"]
    summarize(f"fuzz, damaged images ({made['image']} PNG, JPEG, TIFF; read by OCR)", report, seconds)
