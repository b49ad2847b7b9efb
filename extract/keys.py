"""Answer keys (``tests/keys/*/*.csv``) as records, so that checks can be run on hand-checked figures.

A key row is one printed figure: ``file, page, printed_page, section, level,
code, program, parent, kind, column, fiscal_year, amount_yen, repeat_of_page,
check``.  It becomes a ``Record`` with ``source`` = file, ``repeat`` =
repeat_of_page, ``line`` = the row's place in the key (keys list a page's
figures in reading order), ``unit`` 千円 (the annotated books print 千円
throughout) and the printed page in ``note``.  The key's own ``check`` column
is not carried over: ``yosan validate`` finds its checks from the records.

A key covers selected pages of each document only, so its records come with
a ``Coverage``: the pages annotated and, where the document itself is found
(``documents``), its page count.  Checks then run only on groups of figures
that are known to be complete (``extract/checks.py``).

    python -m yosan.keys tests/keys/dev/fuji_r8_gaiyo.csv -o r8_gaiyo.records.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .model import Record

KEY_COLUMNS = (
    "file",
    "page",
    "printed_page",
    "section",
    "level",
    "code",
    "program",
    "parent",
    "kind",
    "column",
    "fiscal_year",
    "amount_yen",
    "repeat_of_page",
    "check",
)


@dataclass(frozen=True)
class Coverage:
    """Which pages of a document a set of records covers (every figure on those pages, nothing else).

    ``pages`` None: every page was read.  ``page_count`` None: the document's
    length is not known, so the page after the last one covered may exist.
    """

    pages: frozenset[int] | None = None
    page_count: int | None = None

    def covered(self, page: int) -> bool:
        """Whether every figure of ``page`` is in the records (a page outside the document counts)."""
        if page < 1 or (self.page_count is not None and page > self.page_count):
            return True
        return self.pages is None or page in self.pages


def is_key_header(header: Sequence[str]) -> bool:
    return tuple(header[:3]) == KEY_COLUMNS[:3] and "amount_yen" in header


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


def record_of_row(row: dict[str, str], line: int) -> Record:
    """One key row as a record (``line``: its place among the rows of its file)."""
    printed = (row.get("printed_page") or "").strip()
    parent = row.get("parent") or ""
    return Record(
        source=row["file"],
        page=_int(row.get("page", "")),
        line=line,
        section=row.get("section") or "",
        program=row.get("program") or "",
        parent=parent,
        kind=row["kind"],
        fiscal_year=_int(row.get("fiscal_year", "")),
        era="",
        account="general" if parent.startswith("一般会計") or row.get("program") == "一般会計" else "",
        status="",
        amount_yen=int(row["amount_yen"]),
        unit="千円",
        approx=False,
        raw="",
        note=f"printed page {printed}" if printed else "",
        level=row.get("level") or "",
        code=row.get("code") or "",
        column=row.get("column") or "",
        repeat=_int(row.get("repeat_of_page", "")),
    )


def page_count(document: Path) -> int | None:
    """The number of pages of a PDF (None when it cannot be read)."""
    try:
        import pypdfium2

        pdf = pypdfium2.PdfDocument(str(document))
        try:
            return len(pdf)
        finally:
            pdf.close()
    except Exception:  # a missing or unreadable document: its length is unknown
        return None


def read_key(path: Path, documents: Iterable[Path] = ()) -> tuple[list[Record], dict[str, Coverage]]:
    """A key file's records and, per source document, the pages it covers.

    ``documents``: folders where the source PDFs may be found, for their page count.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    records = [record_of_row(row, k) for k, row in enumerate(rows, start=1)]
    coverage: dict[str, Coverage] = {}
    folders = list(documents)
    for source in dict.fromkeys(r.source for r in records):
        pages = frozenset(r.page for r in records if r.source == source and r.page is not None)
        count = None
        for folder in folders:
            if (folder / source).is_file():
                count = page_count(folder / source)
                break
        coverage[source] = Coverage(pages, count)
    return records, coverage


def main(argv: Sequence[str] | None = None) -> int:
    from .output import render, write_atomic

    parser = argparse.ArgumentParser(prog="python -m yosan.keys", description=__doc__.split("\n\n")[0])
    parser.add_argument("keys", nargs="+", type=Path, metavar="KEY", help="answer-key CSV files")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--format", choices=("csv", "jsonl", "json"), default="csv")
    args = parser.parse_args(argv)
    records: list[Record] = []
    for key in args.keys:
        records.extend(read_key(key)[0])
    text = render(records, args.format)
    if args.output:
        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
