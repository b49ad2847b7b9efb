"""Makers of hostile inputs for the tests (issue 11): nothing here is committed as a binary.

PDFs are written by reportlab (with the IPAex font, so that they state
amounts in Japanese) and then changed by an incremental update, which keeps
the file valid: a page tree that lists one page 100,000 times, a page the
size of a city.  TIFFs are written byte by byte, so that a frame can claim
any size.  ``yosan`` runs the command from a checkout as a user would.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest
from conftest import ROOT

FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
BOX_LINES = (
    "官民地域パートナーシップによる次世代放射光施設の推進",
    "令和2年度予算額(案) 1,732百万円 (前年度予算額 1,326百万円)",
)
BOX_AMOUNTS = [("budget", "1732000000"), ("previous", "1326000000")]


def yosan(
    *args: str | Path, timeout: float = 120, stdin: bytes | None = None, cwd: Path = ROOT, **kwargs: object
) -> subprocess.CompletedProcess[bytes]:
    """``python cli.py ARGS`` from the checkout, output as bytes (file names need not be UTF-8)."""
    return subprocess.run(
        [sys.executable, "cli.py", *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


def lines_of(stream: bytes) -> list[str]:
    return stream.decode("utf-8").splitlines()


def reportlab_pdf(
    path: Path,
    lines: Sequence[str] = BOX_LINES,
    pagesize: tuple[float, float] = (595.0, 842.0),
    font_size: float = 10.0,
    columns: int = 1,
    encrypt: object = None,
) -> Path:
    """A one-page PDF stating ``lines`` (each column gets the same lines), made with reportlab."""
    if not FONT.exists():
        pytest.skip(f"{FONT} missing (apt-get install fonts-ipaexfont-gothic)")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("IPAexGothic", str(FONT)))
    canvas = Canvas(str(path), pagesize=pagesize, invariant=1, encrypt=encrypt, pageCompression=1)
    canvas.setFont("IPAexGothic", font_size)
    width, height = pagesize
    for column in range(columns):
        x = width * (0.05 + column / columns)
        for i, line in enumerate(lines):
            canvas.drawString(x, height - (i + 2) * font_size * 1.6, line)
    canvas.showPage()
    canvas.save()
    return path


_OBJECT = re.compile(rb"(?m)^(\d+) 0 obj\b(.*?)\bendobj", re.DOTALL)


def objects(data: bytes) -> dict[int, bytes]:
    """Every ``N 0 obj … endobj`` body of a file written by reportlab (no object streams)."""
    return {int(m[1]): m[2].strip() for m in _OBJECT.finditer(data)}


def pages_object(data: bytes) -> int:
    """The number of the page tree's root (the /Pages object)."""
    return next(n for n, body in objects(data).items() if re.search(rb"/Type\s*/Pages\b", body))


def page_object(data: bytes) -> int:
    return next(n for n, body in objects(data).items() if re.search(rb"/Type\s*/Page\b(?!s)", body))


def incremental_update(data: bytes, changed: dict[int, bytes]) -> bytes:
    """``data`` with the objects ``changed`` (number → new body) appended as an incremental update."""
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    trailer = re.findall(rb"trailer\s*<<(.*?)>>\s*startxref", data, re.DOTALL)[-1]
    size = int(re.search(rb"/Size\s+(\d+)", trailer)[1])
    root = re.search(rb"/Root\s+\d+\s+\d+\s+R", trailer)[0]
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets = {}
    for number, body in sorted(changed.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        size = max(size, number + 1)
    xref = len(out)
    out += b"xref\n"
    for number, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<< /Size %d %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, prev, xref)
    return bytes(out)


def page_listed(
    data: bytes, kids: Callable[[int], bytes], count: int, extra: dict[int, bytes] | None = None
) -> bytes:
    """The one-page ``data`` with its page tree's root replaced: ``kids(page)`` gives its /Kids."""
    root = pages_object(data)
    body = b"<< /Type /Pages /Kids [" + kids(page_object(data)) + b"] /Count %d >>" % count
    return incremental_update(data, {root: body, **(extra or {})})


def content_stream(data: bytes) -> tuple[int, int, int]:
    """(object number, start, end) of the first page's compressed content stream data."""
    page = objects(data)[page_object(data)]
    number = int(re.search(rb"/Contents\s+(\d+)\s+0\s+R", page)[1])
    m = re.search(rb"(?m)^%d 0 obj\b.*?stream\r?\n" % number, data, re.DOTALL)
    assert m
    end = data.index(b"endstream", m.end())
    return number, m.end(), end


def flate_bomb_pdf(path: Path, gigabytes: int = 4) -> Path:
    """A one-page PDF whose content stream is 4 MB of flate inflating to ``gigabytes`` GB of spaces.

    The compressed form of 16 MB of spaces, flushed whole, is the same bytes
    every time: it is made once and repeated, so the file is made in a second.
    """
    deflate = zlib.compressobj(9)
    head = deflate.compress(b"BT /F1 12 Tf 72 700 Td (1,000) Tj ET\n") + deflate.flush(zlib.Z_FULL_FLUSH)
    spaces = b" " * (1 << 24)
    deflate.compress(spaces)
    deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(spaces) + deflate.flush(zlib.Z_FULL_FLUSH)
    stream = head + block * (gigabytes * 64) + deflate.flush()
    path.write_bytes(
        raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
                b" /Resources << /Font << /F1 5 0 R >> >> >>",
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            ]
        )
    )
    return path


def raw_pdf(bodies: Sequence[bytes]) -> bytes:
    """A PDF of the object bodies (numbered from 1, the first the catalog), with a valid xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def text_image(text: str, size: tuple[int, int] = (1200, 200)) -> object:
    """A grey PIL image of ``text`` in 40 px IPAex Gothic."""
    if not FONT.exists():
        pytest.skip(f"{FONT} missing (apt-get install fonts-ipaexfont-gothic)")
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text((50, 60), text, font=ImageFont.truetype(str(FONT), 40), fill=0)
    return image


def tiff(frames: Iterable[tuple[int, int, Callable[[], Iterable[bytes]]]]) -> bytes:
    """A little-endian TIFF of 8-bit grey frames (width, height, rows), each one deflated strip.

    Written by hand so that a frame can be as large as it claims (a
    decompression bomb in a later frame) at the cost of its compressed size.
    """
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    pointer = 4
    for width, height, rows in frames:
        deflate = zlib.compressobj(1)
        strip = b"".join(deflate.compress(row) for row in rows()) + deflate.flush()
        offset = len(out)
        out += strip + b"\x00" * (len(strip) % 2)
        entries = [
            (256, 4, width),  # ImageWidth
            (257, 4, height),  # ImageLength
            (258, 3, 8),  # BitsPerSample
            (259, 3, 8),  # Compression: deflate
            (262, 3, 1),  # PhotometricInterpretation: black is zero
            (273, 4, offset),  # StripOffsets
            (277, 3, 1),  # SamplesPerPixel
            (278, 4, height),  # RowsPerStrip
            (279, 4, len(strip)),  # StripByteCounts
        ]
        struct.pack_into("<I", out, pointer, len(out))
        out += struct.pack("<H", len(entries))
        for tag, kind, value in entries:
            field = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
            out += struct.pack("<HHI", tag, kind, 1) + field
        pointer = len(out)
        out += b"\x00\x00\x00\x00"
    return bytes(out)


def image_frame(image: object) -> tuple[int, int, Callable[[], Iterable[bytes]]]:
    data = image.tobytes()  # type: ignore[attr-defined]
    return image.width, image.height, lambda: [data]  # type: ignore[attr-defined]


def blank_frame(width: int, height: int) -> tuple[int, int, Callable[[], Iterable[bytes]]]:
    def rows() -> Iterable[bytes]:
        band = b"\xff" * width * 256
        for _ in range(height // 256):
            yield band
        yield b"\xff" * width * (height % 256)

    return width, height, rows
