"""``OUTDIR/all.parquet/``: every record of a batch as one Parquet dataset that pandas, DuckDB,
Dask and Spark read directly, hive-partitioned by ``source`` (one partition per input) or by
``fiscal_year``.

It is made after all.csv from the same per-file outputs, so it holds the
same records (those of the inputs that are ok or skipped), with one type per
column (``output.dtypes``) instead of text.  Each partition is one file,
``<column>=<value>/part-0.parquet``, written under a temporary name and
renamed into place: a reader sees every partition whole, old or new, never
half of one.  Each file names what it was made from in its metadata
(``yosan:made_from``), so a re-run rewrites only the partitions whose
outputs changed (by source; by fiscal year every partition draws on every
input, so they are all rewritten when any output changed).  Partitions of
inputs no longer in the run are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from .errors import display_path
from .model import ALL_COLUMNS
from .output import arrow_table, atomic_open, dtypes, read_records

PART = "part-0.parquet"
MADE_FROM = b"yosan:made_from"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # a missing value, as Hive, Arrow and DuckDB spell it
NAME_MAX = 255  # bytes in one file name (ext4, XFS, APFS)
# What a partition's directory name cannot hold or a hive reader would misread; other characters
# (Japanese too) stay as they are, which keeps names short (a 255-byte limit).
_ESCAPE = {c: f"%{c:02X}" for c in [*range(0x20), 0x7F, ord("%"), ord("/"), ord("\\"), ord("=")]}


def partition_name(column: str, value: object) -> str:
    """The hive directory of ``value`` (percent-encoded where it must be; readers decode it)."""
    if value is None:
        return f"{column}={NULL_PARTITION}"
    return f"{column}={str(value).translate(_ESCAPE)}"


@dataclass(frozen=True)
class Made:
    """One per-file output the dataset is made from (from the batch's state)."""

    output: str  # its name in the output folder
    sha256: str | None
    source: str  # the source of its records
    records: int | None


def write_dataset(outputs: Sequence[Made], out_dir: Path, fmt: str, partition_by: str) -> list[str]:
    """Write ``out_dir/all.parquet`` from the per-file ``outputs``, in input order; return the
    run's errors (a partition that could not be written is removed, not left stale)."""
    from .batch import DATASET

    root = out_dir / DATASET
    errors: list[str] = []
    try:
        root.mkdir(parents=True, exist_ok=True)
        if partition_by == "source":
            kept = _by_source(outputs, out_dir, fmt, root, errors)
        else:
            kept = _by_value(outputs, out_dir, fmt, root, partition_by, errors)
    except OSError as exc:
        return [f"{display_path(root)}: cannot write: {exc.strerror or exc}"]
    for entry in os.scandir(root):  # partitions of inputs no longer in the run, or of another column
        if entry.name not in kept and not entry.name.startswith("."):
            with contextlib.suppress(OSError):
                shutil.rmtree(entry.path) if entry.is_dir(follow_symlinks=False) else os.unlink(entry.path)
    return errors


def _frame(path: Path, fmt: str, drop: str) -> Any:
    """An output's records with every column of ALL_COLUMNS (those a text input has not: empty),
    typed, less the partition column (the directory says it)."""
    import pandas as pd

    frame = read_records(path, fmt)
    types = dtypes()
    for name in ALL_COLUMNS:
        if name not in frame.columns:
            frame[name] = pd.Series([None] * len(frame), dtype=types.get(name, "string"))
    return frame[[c for c in ALL_COLUMNS if c != drop]]


def _made_from(path: Path) -> bytes | None:
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):  # missing, or not whole
        return None
    return metadata.get(MADE_FROM)


def _write(path: Path, table: Any, made_from: bytes) -> None:
    import pyarrow.parquet as pq

    table = table.replace_schema_metadata({**(table.schema.metadata or {}), MADE_FROM: made_from})
    with atomic_open(path, binary=True) as fh:
        pq.write_table(table, fh)


def _failed(errors: list[str], where: Path, exc: OSError) -> None:
    errors.append(f"{display_path(where)}: cannot write: {exc.strerror or exc}")
    with contextlib.suppress(OSError):
        shutil.rmtree(where)


def _by_source(outputs: Sequence[Made], out_dir: Path, fmt: str, root: Path, errors: list[str]) -> set[str]:
    """One partition per output, rewritten only when its output changed."""
    kept: set[str] = set()
    for made in outputs:
        if made.records == 0:
            continue
        folder = partition_name("source", made.source)
        if len(os.fsencode(folder)) > NAME_MAX:
            errors.append(f"{display_path(root / folder)}: cannot write: name too long")
            continue
        kept.add(folder)
        made_from = json.dumps(astuple(made), ensure_ascii=True).encode("ascii")
        part = root / folder / PART
        if made.sha256 and _made_from(part) == made_from:
            continue
        try:
            frame = _frame(out_dir / made.output, fmt, drop="source")
            _write(part, arrow_table(frame), made_from)
        except OSError as exc:
            _failed(errors, root / folder, exc)
    return kept


def _by_value(
    outputs: Sequence[Made],
    out_dir: Path,
    fmt: str,
    root: Path,
    column: str,
    errors: list[str],
) -> set[str]:
    """One partition per value of ``column`` (fiscal year), each streamed from every output."""
    import pyarrow.parquet as pq

    listed = json.dumps([astuple(made) for made in outputs], ensure_ascii=True)
    made_from = hashlib.sha256(listed.encode("ascii")).hexdigest()
    existing = {e.name for e in os.scandir(root) if e.is_dir(follow_symlinks=False) and "=" in e.name}
    if existing and all(
        e.startswith(f"{column}=") and _made_from(root / e / PART) == made_from.encode() for e in existing
    ):
        return existing
    kept: set[str] = set()
    with contextlib.ExitStack() as stack:
        writers: dict[str, Any] = {}
        for made in outputs:
            frame = _frame(out_dir / made.output, fmt, drop="")
            for value, rows in frame.groupby(column, dropna=False, sort=False):
                folder = partition_name(column, None if rows[column].isna().all() else value)
                table = arrow_table(rows.drop(columns=[column]))
                if folder not in writers:
                    schema = table.schema.with_metadata(
                        {**(table.schema.metadata or {}), MADE_FROM: made_from.encode()}
                    )
                    fh = stack.enter_context(atomic_open(root / folder / PART, binary=True))
                    writers[folder] = pq.ParquetWriter(fh, schema)
                    stack.callback(writers[folder].close)  # before the file is renamed into place
                    kept.add(folder)
                writers[folder].write_table(table.replace_schema_metadata(writers[folder].schema.metadata))
    return kept
