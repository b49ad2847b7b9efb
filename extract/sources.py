"""Step 1: a source document's bytes, and text input decoded into lines.

Text input is decoded (UTF-8 with or without BOM, UTF-16, CP932/Shift-JIS,
EUC-JP) and split into lines exactly as an editor numbers them, so a record's
``line`` points at the line a reader would open.  PDFs (``pdf.py``) and
images (``ocr.py``) are read from the same bytes.
"""

from __future__ import annotations

import codecs
import contextlib
import shutil
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

import regex

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
_ENCODING_NAMES = "UTF-8, UTF-16, CP932/Shift-JIS, EUC-JP or ISO-2022-JP"


_PLAUSIBLE = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Latin}\p{N}\p{P}\p{S}\p{Zs}\s\u3000-\u30ff\uff00-\uffef]"
)


def _plausible(text: str) -> float:
    """The share of ``text`` that is characters Japanese documents are written in."""
    sample = text[:4096]
    return len(_PLAUSIBLE.findall(sample)) / max(1, len(sample))


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM: it has NUL bytes (ASCII, line ends, U+3000 and 一 have one) and reads
    as Japanese in one byte order; the byte order that reads best wins."""
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data[:8192]:
        return None
    best, score = None, 0.9  # random bytes read as UTF-16 are far from this
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text) > score:
            best, score = text, _plausible(text)
    return best


# ISO-2022-JP (JIS) is 7-bit: it decodes as ASCII, with escapes.  Its escapes
# are tried first: ESC $ B, ESC $ @, ESC $ ( Q, ESC ( J, ESC ( I.
_JIS_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b$(Q", b"\x1b$(O", b"\x1b(J", b"\x1b(I")
_JIS_CODECS = ("iso2022_jp", "iso2022_jp_2004", "iso2022_jp_ext", "iso2022_jp_2")


def _iso2022_jp(data: bytes) -> tuple[str, str] | None:
    """ISO-2022-JP text, or None (no escapes, or not valid: an escape in UTF-8 text is left to it)."""
    if not any(escape in data for escape in _JIS_ESCAPES):
        return None
    return _first_decoding(data, _JIS_CODECS)


def _first_decoding(data: bytes, encodings: Sequence[str]) -> tuple[str, str] | None:
    """(text, encoding) of the first of ``encodings`` that decodes ``data`` strictly, or None."""
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
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
    jis = _iso2022_jp(data)
    if jis is not None:
        return jis
    decoded = _first_decoding(data, _FALLBACKS)
    if decoded is None:
        raise InputError(
            path, "cannot decode text: not UTF-8, UTF-16, CP932/Shift-JIS, EUC-JP or ISO-2022-JP"
        )
    return decoded


def split_lines(text: str) -> list[str]:
    """Split on newlines only (not on form feeds or U+2028), as editors number lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """OS errors while reading ``path`` as InputError with a reason a user can act on."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a document") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from None


def read_bytes(path: Path, size: int = -1) -> bytes:
    """The file's bytes (or its first ``size``), with OS errors as InputError.

    Devices are refused (``/dev/zero`` never ends); a pipe is read, so that
    ``yosan extract <(curl …)`` works (``yosan batch`` bounds it with --timeout).
    """
    with _reading(path):
        kind = path.stat().st_mode
        if stat.S_ISCHR(kind) or stat.S_ISBLK(kind):
            raise InputError(path, "a device, not a document")
        with path.open("rb") as fh:
            return fh.read(size)


def is_stream(path: Path) -> bool:
    """Whether ``path`` is a pipe or a socket: something that can be read only once."""
    try:
        kind = path.stat().st_mode
    except OSError:
        return False  # reported by the reader
    return stat.S_ISFIFO(kind) or stat.S_ISSOCK(kind)


def spool(path: Path, copy: Path, chunk: int = 1 << 20) -> None:
    """Copy the stream at ``path`` to the regular file ``copy``, with OS errors as InputError."""
    with _reading(path), path.open("rb") as src, copy.open("wb") as dst:
        shutil.copyfileobj(src, dst, chunk)


def read_text(path: Path) -> str:
    """A text document, decoded."""
    return decode_text(read_bytes(path), path)[0]
