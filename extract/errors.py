"""Typed errors: the library raises these, the CLI turns them into one line.

Paths and reasons are shown with ``printable``: one line of valid UTF-8
whatever the file is called (a Shift-JIS name from a Windows share, a
newline in a name), so an error line can always be written and never splits.
"""

from __future__ import annotations

import os
from pathlib import Path

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
_CONTROL.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"})


def printable(text: str) -> str:
    """``text`` as one line of valid UTF-8: bytes that were not UTF-8 (kept by Python as
    surrogate escapes) as ``\\xNN``, other lone surrogates as ``\\udNNN``, control characters escaped."""
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = text.encode("utf-8", "backslashreplace")
    return data.decode("utf-8", "backslashreplace").translate(_CONTROL)


def display_path(path: str | Path) -> str:
    """A file name as shown in messages, reports and the records' ``source``."""
    return printable(os.fspath(path))


class YosanError(Exception):
    """Base class for every error the toolkit reports to a user."""


class InputError(YosanError):
    """An input file cannot be read or understood; other files can still run."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{display_path(path)}: {printable(reason)}")
        self.path = str(path)
        self.reason = printable(reason)


class GoldenError(YosanError):
    """A golden file is missing or malformed."""


class OcrUnavailable(YosanError):
    """Tesseract or its Japanese data is missing: scanned pages cannot be read on this machine."""


def name_warning(path: str | Path, message: str) -> str:
    """A warning about one input, naming it as given (``PATH: page N: …``): readers name the file
    by its name or not at all (``page 7: …``), which says little in a batch."""
    shown = display_path(path)
    if message.startswith(f"{shown}: ") or message == shown:
        return message
    name = display_path(Path(path).name)
    if message.startswith(f"{name}: "):
        return f"{shown}: {message[len(name) + 2 :]}"
    return f"{shown}: {message}"
