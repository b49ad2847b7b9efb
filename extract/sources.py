"""Step 1: a source document's bytes, and text input decoded into lines.

Text input is decoded (UTF-8 with or without BOM, UTF-16, CP932/Shift-JIS,
EUC-JP) and split into lines exactly as an editor numbers them, so a record's
``line`` points at the line a reader would open.  PDFs (``pdf.py``) and
images (``ocr.py``) are read from the same bytes.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from .errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Tried in order when there is no BOM.  UTF-8 is strict enough that Shift-JIS
# text never decodes as UTF-8; CP932 is Microsoft's superset of Shift-JIS.
_FALLBACKS = ("utf-8", "cp932", "euc-jp")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM has a NUL in every other byte of ASCII."""
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    encoding = "utf-16-be" if even_nuls > odd_nuls else "utf-16-le"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode document bytes; return (text, encoding) or raise InputError."""
    if not data.strip():
        raise InputError(path, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputError(path, f"invalid {encoding} text at byte {exc.start}") from None
    text = _utf16_without_bom(data)
    if text is not None:
        return text, "utf-16"
    if b"\x00" in data:
        raise InputError(path, "binary file, not a text document")
    for encoding in _FALLBACKS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(path, "cannot decode text: not UTF-8, UTF-16, CP932/Shift-JIS or EUC-JP")


def split_lines(text: str) -> list[str]:
    """Split on newlines only (not on form feeds or U+2028), as editors number lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_bytes(path: Path, size: int = -1) -> bytes:
    """The file's bytes (or its first ``size``), with OS errors as InputError.

    Devices are refused (``/dev/zero`` never ends); a pipe is read, so that
    ``yosan extract <(curl …)`` works (``yosan batch`` bounds it with --timeout).
    """
    try:
        kind = path.stat().st_mode
        if stat.S_ISCHR(kind) or stat.S_ISBLK(kind):
            raise InputError(path, "a device, not a document")
        with path.open("rb") as fh:
            return fh.read(size)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a document") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from None


def read_text(path: Path) -> str:
    """A text document, decoded."""
    return decode_text(read_bytes(path), path)[0]
