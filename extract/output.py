"""Step 5: records become CSV, JSON Lines, JSON or a pandas DataFrame.

Output is deterministic (fixed column order, ``ensure_ascii=False``, ``\\n``
line ends) so that goldens diff cleanly, and files are written to a temporary
name and renamed so that an interrupted run never leaves half a file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .model import ALL_COLUMNS, COLUMNS, Record

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "jsonl", "json")


def columns_for(records: Sequence[Record]) -> tuple[str, ...]:
    """The schema columns, plus position and layer columns when any record comes from a page."""
    if any(r.page is not None for r in records):
        return ALL_COLUMNS
    return COLUMNS


def cell(value: object) -> str:
    """How a value is written in CSV: empty for missing, lower-case booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_rows(records: Sequence[Record], columns: Sequence[str] | None = None) -> list[dict[str, str]]:
    columns = columns or columns_for(records)
    return [{c: cell(getattr(r, c)) for c in columns} for r in records]


def render(records: Sequence[Record], fmt: str = "csv") -> str:
    columns = columns_for(records)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(to_rows(records, columns))
        return buf.getvalue()
    items = [r.as_row(columns) for r in records]
    if fmt == "jsonl":
        return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    if fmt == "json":
        return json.dumps(items, ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replaceable(path: Path) -> tuple[Path, int | None] | None:
    """Where to write ``path`` by a rename, and the mode to keep; None to write through it.

    A symbolic link is followed (its target is replaced, the link stays), a
    FIFO, a device or a socket is written through (``-o /dev/stdout``,
    ``-o /dev/full``): a rename would put a regular file in its place.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return (Path(os.path.realpath(path)) if os.path.islink(path) else path), None
    except OSError:
        return path, None  # the write says why
    if stat.S_ISREG(info.st_mode):
        return Path(os.path.realpath(path)), stat.S_IMODE(info.st_mode)
    if stat.S_ISDIR(info.st_mode):
        return path, None  # the rename fails: "Is a directory"
    return None


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[TextIO]:
    """A text file that appears at ``path`` whole, when the block ends without an error.

    It is written under a temporary name in the same folder and renamed, so
    a reader (or an interrupted run) never sees half a file.  A FIFO or a
    device at ``path`` is written through instead, and a symbolic link's
    target is replaced (see ``_replaceable``).
    """
    where = _replaceable(path)
    if where is None:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            yield fh
        return
    path, mode = where
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode if mode is not None else 0o666 & ~_umask())  # mkstemp makes 0600
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    with atomic_open(path) as fh:
        fh.write(text)


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def to_dataframe(records: Iterable[Record]) -> pd.DataFrame:
    """Records as a DataFrame with nullable integer columns (never float money)."""
    import pandas as pd

    records = list(records)
    columns = columns_for(records)
    frame = pd.DataFrame([r.as_row(columns) for r in records], columns=list(columns))
    if "confidence" in frame:
        frame["confidence"] = frame["confidence"].astype("Float64")
    for name in ("page", "line", "fiscal_year", "amount_yen"):
        frame[name] = frame[name].astype("Int64")
    frame["approx"] = frame["approx"].astype("boolean")
    return frame
