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
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TextIO, overload

from .errors import display_path
from .model import ALL_COLUMNS, COLUMNS, KINDS, Record

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "jsonl", "json", "parquet", "xlsx")
BINARY_FORMATS = ("parquet", "xlsx")
SUFFIXES = {f".{fmt}": fmt for fmt in FORMATS}
RECORDS_SHEET, SUMMARY_SHEET = "records", "summary"
BOM = "\ufeff"


def format_of(path: Path) -> str | None:
    """The output format a file name asks for (``.csv``, ``.jsonl``, ``.json``, ``.parquet``,
    ``.xlsx``, any case), or None."""
    return SUFFIXES.get(path.suffix.lower())


def columns_for(records: Sequence[Record]) -> tuple[str, ...]:
    """The schema columns, plus position and layer columns when any record comes from a page."""
    if any(r.page is not None for r in records):
        return ALL_COLUMNS
    return COLUMNS


def dtypes() -> dict[str, str]:
    """The pandas dtype of every column, from the Record dataclass's field types: ``int`` and
    ``int | None`` → Int64, ``str`` → string, ``bool`` → boolean, ``float`` and ``float | None`` →
    Float64."""
    out = {}
    for name, hint in typing.get_type_hints(Record).items():
        kinds = set(typing.get_args(hint)) - {type(None)} if typing.get_args(hint) else {hint}
        if kinds == {bool}:
            out[name] = "boolean"
        elif kinds == {int}:
            out[name] = "Int64"
        elif kinds == {float} or kinds == {int, float}:
            out[name] = "Float64"
        else:
            out[name] = "string"
    return out


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


def render(records: Sequence[Record], fmt: str = "csv", excel: bool = False) -> str:
    """Records as CSV, JSON Lines or JSON text.  ``excel``: CSV with a BOM and CRLF line ends,
    which Excel opens as UTF-8 (without the BOM it guesses Shift-JIS on Japanese Windows)."""
    columns = columns_for(records)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n" if excel else "\n")
        writer.writeheader()
        writer.writerows(to_rows(records, columns))
        return (BOM if excel else "") + buf.getvalue()
    items = [r.as_row(columns) for r in records]
    if fmt == "jsonl":
        return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    if fmt == "json":
        return json.dumps(items, ensure_ascii=False, indent=1) + "\n"
    if fmt in BINARY_FORMATS:
        raise ValueError(f"{fmt} is a binary format: use encode()")
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def encode(records: Sequence[Record], fmt: str = "csv", excel: bool = False) -> bytes:
    """Records in any of FORMATS, as the bytes of a file."""
    if fmt == "parquet":
        return _parquet(records)
    if fmt == "xlsx":
        return _xlsx(records)
    return render(records, fmt, excel).encode("utf-8")


def _parquet(records: Sequence[Record]) -> bytes:
    """Parquet with one typed column per field: int64 (amount_yen, nullable fiscal_year, page …),
    string, bool and float64, and the pandas dtypes in its metadata."""
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(arrow_table(to_dataframe(records)), sink)
    return sink.getvalue()


def arrow_table(frame: pd.DataFrame) -> typing.Any:
    """A frame of records (``to_dataframe``, ``read_records``) as an Arrow table of one typed
    column per field (``dtypes()``), so that every Parquet file of records has the same types."""
    import pyarrow as pa

    arrow = {"Int64": pa.int64(), "string": pa.string(), "boolean": pa.bool_(), "Float64": pa.float64()}
    types = dtypes()
    schema = pa.schema([pa.field(c, arrow[types.get(c, "string")], nullable=True) for c in frame.columns])
    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


@dataclass
class Total:
    """One line of the summary: records of one source, kind and fiscal year."""

    source: str
    kind: str
    fiscal_year: int | None
    records: int = 0
    total_yen: int = 0  # the sum of their amounts, restated figures left out
    restated: int = 0  # records that restate a figure given earlier (``repeat`` set): not in total_yen


TOTAL_COLUMNS = tuple(f.name for f in fields(Total))


def summary(records: Iterable[Record]) -> list[Total]:
    """Totals per source, kind and fiscal year: how many records, and the sum of their amounts
    without the figures that restate one given earlier (``repeat`` set), so that sums are right."""
    totals: dict[tuple[str, str, int | None], Total] = {}
    for r in records:
        total = totals.setdefault((r.source, r.kind, r.fiscal_year), Total(r.source, r.kind, r.fiscal_year))
        total.records += 1
        if getattr(r, "repeat", None) is None:
            total.total_yen += r.amount_yen
        else:
            total.restated += 1
    order = {kind: k for k, kind in enumerate(KINDS)}
    return sorted(
        totals.values(), key=lambda t: (t.source, order.get(t.kind, len(order)), t.fiscal_year or 0)
    )


def _xlsx(records: Sequence[Record]) -> bytes:
    """A workbook: sheet ``records`` (one row per record, numbers as numbers, empty cells for
    missing values) and sheet ``summary`` (totals per source, kind and fiscal year)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)

    def row_of(sheet: typing.Any, values: Iterable[object]) -> list[object]:
        cells: list[object] = []
        for value in values:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m[0]):02x}", value)
                if value.startswith("="):  # text, never a formula
                    text = WriteOnlyCell(sheet, value=value)
                    text.data_type = "s"
                    cells.append(text)
                    continue
            cells.append(value)
        return cells

    sheet = book.create_sheet(RECORDS_SHEET)
    columns = columns_for(records)
    sheet.append(list(columns))
    for r in records:
        sheet.append(row_of(sheet, (getattr(r, c) for c in columns)))
    totals = book.create_sheet(SUMMARY_SHEET)
    totals.append(list(TOTAL_COLUMNS))
    for t in summary(records):
        totals.append(row_of(totals, (getattr(t, c) for c in TOTAL_COLUMNS)))
    sink = io.BytesIO()
    book.save(sink)
    return sink.getvalue()


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


@overload
def atomic_open(path: Path, binary: Literal[False] = ...) -> contextlib.AbstractContextManager[TextIO]: ...
@overload
def atomic_open(path: Path, binary: Literal[True]) -> contextlib.AbstractContextManager[IO[bytes]]: ...
def atomic_open(path: Path, binary: bool = False) -> contextlib.AbstractContextManager[IO[typing.Any]]:
    """A file that appears at ``path`` whole, when the block ends without an error.

    It is written under a temporary name in the same folder and renamed, so
    a reader (or an interrupted run) never sees half a file.  A FIFO or a
    device at ``path`` is written through instead, and a symbolic link's
    target is replaced (see ``_replaceable``).  Text files are UTF-8.
    """
    return _atomic_open(path, binary)


@contextlib.contextmanager
def _atomic_open(path: Path, binary: bool) -> Iterator[IO[typing.Any]]:
    mode = "wb" if binary else "w"
    text = {} if binary else {"encoding": "utf-8", "newline": ""}
    where = _replaceable(path)
    if where is None:
        with open(path, mode, **text) as fh:  # type: ignore[call-overload]
            yield fh
        return
    path, kept = where
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, kept if kept is not None else 0o666 & ~_umask())  # mkstemp makes 0600
        with os.fdopen(fd, mode, **text) as fh:  # type: ignore[call-overload]
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` via a temporary file in the same folder
    and a rename."""
    if isinstance(data, bytes):
        with atomic_open(path, binary=True) as out:
            out.write(data)
    else:
        with atomic_open(path) as fh:
            fh.write(data)


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def to_dataframe(records: Iterable[Record]) -> pd.DataFrame:
    """Records as a DataFrame, one typed column per field (``dtypes()``): amount_yen, page, line,
    fiscal_year and repeat Int64 (never float money; empty is <NA>), text string, approx boolean,
    positions and confidence Float64."""
    import pandas as pd

    records = list(records)
    columns = columns_for(records)
    frame = pd.DataFrame([r.as_row(columns) for r in records], columns=list(columns))
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    types = dtypes()
    for name in frame.columns:
        kind = types.get(name, "string")
        column = frame[name].astype(object).where(frame[name].notna(), None)
        if kind == "string":
            frame[name] = column.where(column.notna(), "").astype("string")
        else:
            frame[name] = column.astype(kind)
    return frame


def record_rows(path: str | Path, fmt: str | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of a file written by ``yosan extract`` (by its suffix unless ``fmt`` says) as
    they are stored, untyped (CSV cells as text), and its columns: the one reader of each
    format, for ``read_records`` and for ``yosan validate``'s record files (``recordfile``)."""
    path = Path(path)
    fmt = fmt or format_of(path)
    if fmt is None:
        raise ValueError(f"{display_path(path)}: cannot tell the format from the name (give fmt)")
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            rows: list[dict[str, Any]] = list(reader)
            return rows, list(reader.fieldnames or [])
    if fmt in ("jsonl", "json"):
        text = path.read_text(encoding="utf-8-sig")
        items = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines() if x.strip()]
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValueError("not a list of records")
        return items, list(items[0]) if items else []
    if fmt == "parquet":
        import pandas as pd

        frame = pd.read_parquet(path)
        return frame.to_dict(orient="records"), [str(c) for c in frame.columns]
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            if RECORDS_SHEET not in book.sheetnames:
                raise ValueError(f"no sheet {RECORDS_SHEET!r}")
            values = list(book[RECORDS_SHEET].iter_rows(values_only=True))
        finally:
            book.close()
        columns = [str(c) for c in values[0]] if values else []
        return [dict(zip(columns, v, strict=False)) for v in values[1:]], columns
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def read_records(path: str | Path, fmt: str | None = None) -> pd.DataFrame:
    """The records of a file written by ``yosan extract`` in any of FORMATS (by its suffix unless
    ``fmt`` says), as the DataFrame ``to_dataframe`` gives for those records: same columns, same
    dtypes.  A CSV saved by Excel (BOM, CRLF) reads the same."""
    import pandas as pd

    fmt = fmt or format_of(Path(path))
    if fmt == "parquet":
        return _typed(pd.read_parquet(path))
    rows, columns = record_rows(path, fmt)
    frame = pd.DataFrame(rows, columns=columns or list(COLUMNS), dtype=object)
    if fmt == "csv":
        types = dtypes()
        for name in frame.columns:
            kind = types.get(name, "string")
            if kind != "string":
                frame[name] = [_parse(v, kind) for v in frame[name]]
    return _typed(frame)


def _parse(text: object, kind: str) -> object:
    """A CSV cell back to its value (``cell`` the other way)."""
    if text is None or text == "":
        return None
    if kind == "boolean":
        return {"true": True, "false": False}[str(text)]
    if kind == "Int64":
        return int(str(text))
    return float(str(text))


def load_records(path: str | Path, fmt: str | None = None) -> list[Record]:
    """The records of a file written by ``yosan extract`` (any of FORMATS), as Record objects.
    Columns the file lacks keep their defaults; columns Record does not know are left out."""
    from pandas import NA

    frame = read_records(path, fmt)
    known = set(ALL_COLUMNS)
    required = {f.name for f in fields(Record) if f.default is MISSING and f.default_factory is MISSING}
    out = []
    for row in frame.to_dict("records"):
        values: dict[str, Any] = {
            str(k): (None if v is None or v is NA else v) for k, v in row.items() if k in known
        }
        for name in required - values.keys():
            values[name] = None
        out.append(Record(**values))
    return out
