"""The extractor against the hand-made answer keys of the corpus budget books (tests/keys).

    python bench/bench_keys.py [FILE ...] [--holdout] [--show N]

For each corpus file with a key (``tests/keys/dev/<stem>.csv``; with
``--holdout`` the held-out pages instead, which are scored only at the end),
``extract_document`` reads the whole file and its records are matched with
the key's rows of the pages the key covers:

- ``found``: key rows with a record of the same page, amount, kind, fiscal
  year and programme (name without spaces, NFKC);
- ``labelled right``: of the records whose page and amount are in the key,
  those whose kind, fiscal year and programme are right;
- ``all columns``: found rows whose level, section and parent path (NFKC,
  without spaces) are right too;
- ``unkeyed``: records on keyed pages whose amount is not in the key at all.

``--show N`` prints N misses per file.
"""

from __future__ import annotations

import argparse
import csv
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from yosan.model import Record  # noqa: E402
from yosan.pipeline import Options, extract_document  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
KEYS = ROOT / "tests" / "keys"


def _name(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def load_key(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _keyed(r: dict[str, str]) -> tuple[object, ...]:
    """Page, amount, kind, year, programme, then level, section and parent."""
    head = (int(r["page"]), int(r["amount_yen"]), r["kind"], r["fiscal_year"], _name(r["program"]))
    return (*head, r["level"], r["section"], _name(r["parent"]))


def _got(r: Record) -> tuple[object, ...]:
    head = (r.page, r.amount_yen, r.kind, str(r.fiscal_year or ""), _name(r.program))
    return (*head, r.level, r.section, _name(r.parent))


def score(pdf: Path, rows: list[dict[str, str]], show: int) -> dict[str, int]:
    pages = {int(r["page"]) for r in rows}
    records = [r for r in extract_document(pdf, Options(jobs=2)).records if r.page in pages]
    full = Counter(_keyed(r)[:5] for r in rows)
    got = Counter(_got(r)[:5] for r in records)
    right = full & got
    more = Counter(_keyed(r) for r in rows) & Counter(_got(r) for r in records)
    by_amount: dict[tuple[int, int], list[tuple[str, str, str]]] = defaultdict(list)
    for r in rows:
        by_amount[(int(r["page"]), int(r["amount_yen"]))].append(
            (r["kind"], r["fiscal_year"], _name(r["program"]))
        )
    keyed = [r for r in records if (r.page, r.amount_yen) in by_amount]
    out = {
        "key": sum(full.values()),
        "found": sum(right.values()),
        "all": sum(more.values()),
        "reported": len(keyed),
        "labelled": sum(right.values()),
        "unkeyed": len(records) - len(keyed),
    }
    if show:
        misses = sorted((full - got).elements())[:show]
        for page, amount, kind, year, program in misses:
            near = [
                (r.kind, r.fiscal_year, r.program)
                for r in records
                if r.page == page and r.amount_yen == amount
            ]
            print(f"    - p{page} {kind} {year} {amount:,} {program}  | got {near[:2]}")
    return out


def _row(name: str, n: Counter[str] | dict[str, int]) -> str:
    f, a, k, lab, rep = n["found"], n["all"], n["key"], n["labelled"], n["reported"]
    return (
        f"{name:36} {f:>5}/{k:<5} {100 * f / max(k, 1):5.1f}% {a:>5}/{k:<5} {100 * a / max(k, 1):5.1f}%"
        f" {lab:>6}/{rep:<5} {100 * lab / max(rep, 1):5.1f}% {n['unkeyed']:>8}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="corpus file names (default: every keyed file)")
    parser.add_argument("--holdout", action="store_true", help="score the held-out pages (at the end only)")
    parser.add_argument("--show", type=int, default=0, help="misses to print per file")
    args = parser.parse_args(argv)
    folder = KEYS / ("holdout" if args.holdout else "dev")
    keys = sorted(folder.glob("*.csv"))
    if args.files:
        keys = [k for k in keys if k.stem in {Path(f).stem for f in args.files}]
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is not present")
        return 0
    totals: Counter[str] = Counter()
    print(f"{'file':36} {'found':>16} {'all columns':>16} {'labelled right':>18} {'unkeyed':>8}")
    for key in keys:
        pdf = CORPUS / f"{key.stem}.pdf"
        result = score(pdf, load_key(key), args.show)
        totals.update(result)
        print(_row(key.stem[:36], result))
    print(_row("all", totals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
