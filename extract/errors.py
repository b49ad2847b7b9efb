"""Typed errors: the library raises these, the CLI turns them into one line."""

from __future__ import annotations

from pathlib import Path


class YosanError(Exception):
    """Base class for every error the toolkit reports to a user."""


class InputError(YosanError):
    """An input file cannot be read or understood; other files can still run."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class GoldenError(YosanError):
    """A golden file is missing or malformed."""


class OcrUnavailable(YosanError):
    """Tesseract or its Japanese data is missing: scanned pages cannot be read on this machine."""
