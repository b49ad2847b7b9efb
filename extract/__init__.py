"""yosan-extract: verified tables of figures from Japanese budget documents.

from yosan import extract_file, read_records, to_dataframe
records = extract_file("fixtures/mext-r2-science-points.txt")
frame = to_dataframe(records)           # the same frame as read_records("out.parquet")
"""

from __future__ import annotations

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
    "extract_file",
    "extract_text",
    "load_records",
    "read_records",
    "render",
    "to_dataframe",
]
