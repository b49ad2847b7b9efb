"""Records read back from files as ``yosan extract`` writes them (every format: the rows come from
``output.record_rows``, the one reader of each), and answer keys (``extract/keys.py``).

``yosan validate``, ``link`` and ``diff`` take records already extracted as
well as documents; a file whose columns are the record schema (any subset
that includes ``kind`` and ``amount_yen``) is read here, every other input is
extracted.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path

from .errors import InputError
from .keys import Coverage, is_key_header, read_key
from .model import Record
from .output import SUFFIXES, record_rows

RECORD_SUFFIXES = tuple(SUFFIXES)  # every format ``yosan extract`` writes
_FIELDS = {f.name: f for f in fields(Record)}
_INTS = {"page", "line", "fiscal_year", "amount_yen", "repeat"}
_FLOATS = {"x0", "top", "x1", "bottom", "confidence"}
_REQUIRED = ("kind", "amount_yen")


def is_record_file(path: Path) -> bool:
    return path.suffix.lower() in RECORD_SUFFIXES


def _value(name: str, value: object) -> object:
    if name in _INTS:
        if value is None or value == "" or (isinstance(value, float) and value != value):
            return None
        return int(value)  # type: ignore[call-overload]
    if name in _FLOATS:
        if value is None or value == "" or (isinstance(value, float) and value != value):
            return None if name != "confidence" else 1.0
        return float(value)  # type: ignore[arg-type]
    if name == "approx":
        return value is True or str(value).lower() == "true"
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


_DEFAULTS: dict[str, object] = {
    "source": "",
    "page": None,
    "section": "",
    "program": "",
    "parent": "",
    "fiscal_year": None,
    "era": "",
    "account": "",
    "status": "",
    "unit": "",
    "approx": False,
    "raw": "",
    "note": "",
}


def record_of(row: Mapping[str, object], line: int) -> Record:
    """A record from one row of an output file; missing columns take their empty value."""
    values = {name: _value(name, value) for name, value in row.items() if name in _FIELDS}
    if values.get("amount_yen") is None:
        raise ValueError("amount_yen is empty")
    for name, default in _DEFAULTS.items():
        values.setdefault(name, default)
    if values.get("line") is None:
        values["line"] = line
    if not values.get("source_layer"):
        values.pop("source_layer", None)
    return Record(**values)  # type: ignore[arg-type]


def read_record_file(path: Path, documents: Iterable[Path] = ()) -> tuple[list[Record], dict[str, Coverage]]:
    """The records of an output file or an answer key, and what they cover.

    An output file covers its documents whole (``{}``); an answer key covers
    the pages it annotates (``keys.read_key``; ``documents``: folders holding
    the source PDFs, for their page counts).
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), []) if path.suffix.lower() == ".csv" else []
        if is_key_header(header):
            return read_key(path, documents)
        rows, columns = record_rows(path)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, csv.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(path, reason) from None
    missing = [c for c in _REQUIRED if c not in columns] if rows else []
    if missing:
        raise InputError(path, f"not a record file: no column {', '.join(missing)}")
    records: list[Record] = []
    for k, row in enumerate(rows, start=1):
        try:
            records.append(record_of(row, k))
        except (TypeError, ValueError) as exc:
            raise InputError(path, f"row {k}: {exc}") from None
    return records, {}
