"""Comparing extracted records with a golden file, and showing the difference.

Records are matched by their key (page, line, kind, amount) — the facts a
reader checks first — so a diff says "missing", "unexpected" or "changed
program" rather than dumping two tables.  Repeated keys on one line are
matched in order.
"""

from __future__ import annotations

import csv
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GoldenError, display_path, printable

KEY = ("page", "line", "kind", "amount_yen")
# A golden of facts (scans, layouts): what the source pages state, without lines or positions.
FACT_COLUMNS = ("page", "kind", "fiscal_year", "amount_yen", "program")
# Records left unmatched on both sides that are one record whose amount or kind changed.
PAIRINGS = (("page", "line", "kind"), ("page", "line"))
FACT_PAIRINGS = (("page", "kind", "program"),)


def _key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row.get(k, "") for k in KEY)


@dataclass
class GoldenDiff:
    missing: list[dict[str, str]] = field(default_factory=list)
    unexpected: list[dict[str, str]] = field(default_factory=list)
    changed: list[tuple[dict[str, str], dict[str, tuple[str, str]]]] = field(default_factory=list)
    columns_changed: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.changed or self.columns_changed)

    def summary(self) -> str:
        return f"{len(self.missing)} missing, {len(self.unexpected)} unexpected, {len(self.changed)} changed"


def is_facts(rows: list[dict[str, str]] | tuple[str, ...]) -> bool:
    """A golden of facts: its columns are FACT_COLUMNS (no line, no source)."""
    columns = tuple(rows[0]) if rows and isinstance(rows, list) else tuple(rows)
    return columns == FACT_COLUMNS


def as_facts(rows: list[dict[str, str]], spaces: bool = False) -> list[dict[str, str]]:
    """Rows cut to FACT_COLUMNS; programme names without spaces (OCR and renderers space them)
    unless ``spaces`` (to write them as read)."""
    out = []
    for row in rows:
        fact = {c: row.get(c, "") for c in FACT_COLUMNS}
        if not spaces:
            fact["program"] = fact["program"].replace(" ", "")
        out.append(fact)
    return out


def compare(
    expected: list[dict[str, str]],
    actual: list[dict[str, str]],
    pairings: tuple[tuple[str, ...], ...] = PAIRINGS,
) -> GoldenDiff:
    """What differs between golden rows and output rows: records matched by KEY, then what is left
    on both sides paired by ``pairings`` (one record whose amount or kind changed), the rest
    missing (golden only) or unexpected (output only)."""
    diff = GoldenDiff()
    exp_cols = tuple(expected[0]) if expected else ()
    act_cols = tuple(actual[0]) if actual else ()
    if expected and actual and exp_cols != act_cols:
        diff.columns_changed = (exp_cols, act_cols)
    by_key: dict[tuple[str, ...], list[dict[str, str]]] = defaultdict(list)
    for row in expected:
        by_key[_key(row)].append(row)
    for row in actual:
        candidates = by_key.get(_key(row))
        if not candidates:
            diff.unexpected.append(row)
            continue
        old = candidates.pop(0)
        changes = {c: (old.get(c, ""), row.get(c, "")) for c in row if old.get(c, "") != row.get(c, "")}
        if changes:
            diff.changed.append((row, changes))
    for rows in by_key.values():
        diff.missing.extend(rows)
    for pairing in pairings:
        _pair(diff, pairing)
    diff.missing.sort(key=lambda r: (_number(r.get("page")), _number(r.get("line"))))
    diff.changed.sort(key=lambda c: (_number(c[0].get("page")), _number(c[0].get("line"))))
    return diff


def _pair(diff: GoldenDiff, columns: tuple[str, ...]) -> None:
    """A missing and an unexpected record that agree on ``columns`` are one record, changed."""
    waiting: dict[tuple[str, ...], list[dict[str, str]]] = defaultdict(list)
    for row in diff.missing:
        waiting[tuple(row.get(c, "") for c in columns)].append(row)
    unexpected = []
    paired: list[int] = []
    for row in diff.unexpected:
        candidates = waiting.get(tuple(row.get(c, "") for c in columns))
        if not candidates:
            unexpected.append(row)
            continue
        old = candidates.pop(0)
        paired.append(id(old))
        diff.changed.append(
            (row, {c: (old.get(c, ""), row.get(c, "")) for c in row if old.get(c, "") != row.get(c, "")})
        )
    diff.unexpected = unexpected
    gone = set(paired)
    diff.missing = [row for row in diff.missing if id(row) not in gone]


def _number(text: str | None) -> tuple[int, str]:
    """A sort key for a page or line cell, which a hand-edited golden may hold anything in."""
    text = (text or "").strip()
    return (int(text), "") if text.isdigit() and len(text) < 20 else (0, text)


def _where(row: dict[str, str]) -> str:
    page = f"page {row['page']} " if row.get("page") else ""
    return f"{page}line {row.get('line', '?')} {row.get('kind', '?')} {row.get('amount_yen', '?')}"


def format_diff(diff: GoldenDiff, golden: Path, written: int | None = None) -> str:
    """The difference, one line per record, changes as ``golden → output``.  ``written``: the
    golden has just been rewritten from the output (``--update``), so records are added, removed
    or changed in it."""
    shown = display_path(golden)
    if written is not None:
        head = (
            f"{shown}: wrote {written} records: {len(diff.unexpected)} added, {len(diff.missing)} removed, "
            f"{len(diff.changed)} changed (golden → output)"
        )
        words = ("- removed   ", "+ added     ", "~ changed   ")
    else:
        head = f"{shown}: {diff.summary()} (golden → output)"
        words = ("- missing   ", "+ unexpected", "~ changed   ")
    lines = [head]
    if diff.columns_changed:
        lines.append(f"  columns: golden {','.join(map(str, diff.columns_changed[0]))}")
        lines.append(f"           output {','.join(map(str, diff.columns_changed[1]))}")
    for row in diff.missing:
        lines.append(f"{words[0]}  {_where(row)}  {row.get('program', '')}")
    for row in diff.unexpected:
        lines.append(f"{words[1]}  {_where(row)}  {row.get('program', '')}")
    for row, changes in diff.changed:
        lines.append(f"{words[2]}  {_where(row)}")
        for column, (old, new) in changes.items():
            lines.append(f"      {column}: {old!r} → {new!r}")
    return "\n".join(lines)


def load_golden(path: Path) -> list[dict[str, str]]:
    """The golden's rows, or GoldenError: a file saved by Excel (with a BOM), any field size."""
    shown = display_path(path)
    if not path.exists():
        raise GoldenError(f"{shown}: no golden file (create it with --update, then check it by hand)")
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(sys.maxsize)  # a `raw` cell is a whole line, however long
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = []
            for row in reader:
                if None in row:
                    raise GoldenError(f"{shown}: line {reader.line_num}: more cells than the header has")
                rows.append({k: v if v is not None else "" for k, v in row.items()})
            return rows
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as exc:
        raise GoldenError(f"{shown}: unreadable golden file: {printable(str(exc))}") from None
    finally:
        csv.field_size_limit(limit)


def default_golden(fixture: Path) -> Path:
    """``fixtures/pdf/x.pdf`` → ``golden/pdf/x.csv``, next to the fixtures folder."""
    fixture = Path(os.path.abspath(fixture))  # a linked fixtures/ folder: the golden beside the link
    for parent in fixture.parents:
        if parent.name == "fixtures":
            relative = fixture.relative_to(parent).with_suffix(".csv")
            return parent.parent / "golden" / relative
    return fixture.parent / "golden" / f"{fixture.stem}.csv"
