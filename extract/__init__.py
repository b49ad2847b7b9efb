"""yosan-extract: verified tables of figures from Japanese budget documents.

from extract import extract_file, to_dataframe
records = extract_file("fixtures/mext-r2-science-points.txt")
frame = to_dataframe(records)
"""

from __future__ import annotations

from .checks import validate
from .editions import diff, link
from .errors import GoldenError, InputError, YosanError
from .model import COLUMNS, Record
from .output import render, to_dataframe
from .pipeline import extract_file, extract_text

__version__ = "0.1.0"

__all__ = [
    "COLUMNS",
    "GoldenError",
    "InputError",
    "Record",
    "YosanError",
    "__version__",
    "diff",
    "extract_file",
    "extract_text",
    "link",
    "render",
    "to_dataframe",
    "validate",
]
