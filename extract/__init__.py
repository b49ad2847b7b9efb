"""yosan-extract: verified tables of figures from Japanese budget documents.

from yosan import extract_file, read_records, to_dataframe
records = extract_file("fixtures/mext-r2-science-points.txt")
frame = to_dataframe(records)           # the same frame as read_records("out.parquet")
"""

from __future__ import annotations

from .checks import validate
from .editions import diff, link
from .errors import GoldenError, InputError, YosanError
from .model import COLUMNS, Record
from .output import load_records, read_records, render, to_dataframe
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
    "load_records",
    "read_records",
    "render",
    "to_dataframe",
    "validate",
]
