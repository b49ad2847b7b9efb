"""Text input in the encodings Japanese documents come in, and clear errors for the rest."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from yosan import InputError, extract_file

LINE = "令和2年度予算額(案) 5,975百万円 (前年度予算額 5,671百万円)\n"

ENCODINGS = {
    "utf-8": LINE.encode("utf-8"),
    "utf-8 with BOM": codecs.BOM_UTF8 + LINE.encode("utf-8"),
    "utf-16 with BOM": LINE.encode("utf-16"),
    "utf-16-be with BOM": codecs.BOM_UTF16_BE + LINE.encode("utf-16-be"),
    "utf-16-le without BOM": LINE.encode("utf-16-le"),
    "cp932": LINE.encode("cp932"),
    "shift_jis": LINE.encode("shift_jis"),
    "euc-jp": LINE.encode("euc-jp"),
    "crlf line ends": LINE.replace("\n", "\r\n").encode("utf-8"),
}


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_encodings(tmp_path: Path, name: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(ENCODINGS[name])
    records = extract_file(path)
    assert [(r.kind, r.amount_yen, r.line) for r in records] == [
        ("budget", 5_975_000_000, 1),
        ("previous", 5_671_000_000, 1),
    ]


BAD = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b"\n\n  \n", "empty file"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "latin.txt": (bytes(range(0x80, 0x100)) * 4, "cannot decode text"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_text_is_a_clear_error(tmp_path: Path, name: str) -> None:
    data, reason = BAD[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        extract_file(path)
    assert err.value.path == str(path)
    assert reason in err.value.reason


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        extract_file(tmp_path / "nope.txt")


def test_line_numbers_count_every_newline(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("\n\n表題\f\n" + LINE, encoding="utf-8")
    assert [r.line for r in extract_file(path)] == [4, 4]


def test_a_device_is_refused_not_read_forever() -> None:
    from yosan.errors import InputError
    from yosan.sources import read_bytes

    with pytest.raises(InputError, match="a device, not a document"):
        read_bytes(Path("/dev/zero"))


def test_an_escape_in_utf8_text_does_not_make_it_iso_2022_jp(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(("\x1b$B" + LINE).encode("utf-8"))  # a terminal's escape left in a file
    assert [r.amount_yen for r in extract_file(path)] == [5_975_000_000, 5_671_000_000]
