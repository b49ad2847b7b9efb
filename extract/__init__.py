"""yosan-extract: verified tables of figures from Japanese budget documents.

from yosan import extract_file, read_records, to_dataframe
records = extract_file("fixtures/mext-r2-science-points.txt")
frame = to_dataframe(records)           # the same frame as read_records("out.parquet")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import GoldenError, InputError, YosanError
from .model import COLUMNS, Record
from .output import load_records, read_records, render, to_dataframe
from .pipeline import extract_file, extract_text

if TYPE_CHECKING:
    from .checks import validate
    from .editions import diff, link

__version__ = "0.1.0"

# Imported when first asked for: their patterns take a tenth of a second to compile, and
# extracting a document (``yosan extract``, each batch child) never uses them.
_LAZY = {"validate": "checks", "diff": "editions", "link": "editions"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
