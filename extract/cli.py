"""The ``yosan`` command: a thin layer over the library.

The library raises typed errors; here they become one line on stderr
(``yosan: error: PATH: reason``) and an exit status: 0 success, 1 a failed
input or a golden mismatch, 2 a usage error, 130 interrupted.  ``--debug``
shows tracebacks.  ``batch`` (``batch.py``) runs many inputs in worker processes.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import logging
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .batch import (
    BATCH_FORMATS,
    DEFAULT_RETRIES,
    EXECUTORS,
    INPUT_SUFFIXES,
    PARTITIONS,
    BatchOptions,
    Progress,
    UsageError,
    check_out_dir,
    find_inputs,
    run_batch,
    summary_line,
)
from .errors import InputError, YosanError, display_path, name_warning, printable
from .golden import (
    FACT_COLUMNS,
    FACT_PAIRINGS,
    as_facts,
    compare,
    default_golden,
    format_diff,
    is_facts,
    load_golden,
)
from .isolate import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT, run_one
from .model import ALL_COLUMNS, Record
from .output import BINARY_FORMATS, FORMATS, encode, format_of, load_records, render, to_rows, write_atomic
from .pipeline import OCR_MODES, Options, extract_document
from .progress import PageProgress, watch

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("yosan")


def _error(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr is gone too: the exit status still says it
        print(f"yosan: error: {printable(message)}", file=sys.stderr, flush=True)


def _stdout_gone() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _emit(text: str | bytes) -> int:
    """Write ``text`` (or bytes) to stdout: EXIT_FAILED (with an error line) when it cannot be written.

    A reader that closes the pipe early (``| head``, ``| grep -q``) has what it
    wanted and is no failure; the exit status is then the command's own.
    """
    try:
        if _STDOUT_CLOSED:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    except BrokenPipeError:
        _stdout_gone()
    except OSError as exc:  # a full disk behind `> file`, `> /dev/full`
        _error(f"<stdout>: cannot write: {exc.strerror or exc}")
        _stdout_gone()
        return EXIT_FAILED
    return EXIT_OK


def _write(target: Path | None, text: str | bytes) -> int:
    """``text`` to the ``-o`` file (whole or not at all) or stdout; EXIT_FAILED when it cannot be written."""
    if target is None:
        return _emit(text)
    try:
        write_atomic(target, text)
    except OSError as exc:
        _error(f"{display_path(target)}: cannot write: {exc.strerror or exc}")
        return EXIT_FAILED
    return EXIT_OK


def _fiscal_year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None
    if not 1868 <= year <= 2200:
        raise argparse.ArgumentTypeError(f"fiscal year out of range: {year}")
    return year


def _whole(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {least} or more: {value}")
    return value


def _positive_int(text: str) -> int:
    return _whole(text, 1)


def _count(text: str) -> int:
    return _whole(text, 0)


def _seconds(text: str) -> float | None:
    """A time limit in seconds; 0 means none."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more: {text}")
    return value or None


def _megabytes(text: str) -> int | None:
    """A memory limit in MB; 0 means none."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of MB: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more: {value}")
    return value or None


def _limits(parser: argparse.ArgumentParser, what: str) -> None:
    """--timeout and --max-memory: each input runs in a worker process with these limits."""
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds per file before it is stopped (default {DEFAULT_TIMEOUT:g}; 0: none)",
    )
    parser.add_argument(
        "--max-memory",
        type=_megabytes,
        default=DEFAULT_MAX_MEMORY,
        metavar="MB",
        help=f"address space per {what} (default {DEFAULT_MAX_MEMORY}; 0: none)",
    )


def _document_options(parser: argparse.ArgumentParser) -> None:
    """Options that reach the library (``pipeline.Options``), the same for every command that reads."""
    parser.add_argument("--fiscal-year", type=_fiscal_year, metavar="N", help="the document's fiscal year")
    parser.add_argument(
        "--ocr",
        choices=OCR_MODES,
        default="auto",
        help="read pages by OCR: auto (pages without text), always, never",
    )
    parser.add_argument("--password", metavar="PW", help="password of encrypted PDFs")
    parser.add_argument("--max-pages", type=_positive_int, metavar="N", help="refuse PDFs with more pages")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _options(args: argparse.Namespace, jobs: int = 1) -> Options:
    return Options(
        fiscal_year=args.fiscal_year,
        ocr=getattr(args, "ocr", "auto"),
        password=getattr(args, "password", None),
        max_pages=getattr(args, "max_pages", None),
        jobs=jobs,
    )


# What each output column holds, for the help pages (the columns themselves come from the model).
COLUMN_HELP = {
    "source": "the input's name",
    "page": "1-based page (PDF, image); empty for text",
    "line": "line of the input (of the page, in reading order, for PDFs)",
    "section": "chapter heading; 歳入 or 歳出 in a budget book",
    "level": "budget book level: 会計 款 項 目 節 細節 説明 合計",
    "code": "the code as printed (5, 1, 001)",
    "program": "programme, item or chapter that owns the amount",
    "parent": "owning programme of a breakdown item (the path, in a budget book)",
    "kind": "budget previous difference base supplementary revised request other",
    "column": "for kind other: the column it came from",
    "fiscal_year": "Gregorian fiscal year (empty when unknown)",
    "era": "era label the year came from (令和2年度)",
    "account": "general, or reconstruction",
    "status": "draft when the label has (案)",
    "amount_yen": "exact amount in yen (negative for ▲/△)",
    "unit": "unit as written (百万円, 千円)",
    "approx": "true for 約/程度/概ね",
    "repeat": "page that first stated this figure, when this one restates it",
    "check": "passed or failed: the document's own arithmetic",
    "raw": "the source line",
    "note": "※ remarks that apply",
    "x0": "amount's box on the page, PDF points (x0 top x1 bottom)",
    "source_layer": "text (a text layer) or ocr",
    "confidence": "0-1: OCR's confidence (1.0 for a text layer)",
}


def columns_help() -> str:
    """The output columns, in order, each with what it holds."""
    lines = []
    names = list(ALL_COLUMNS)
    k = 0
    while k < len(names):
        name = names[k]
        if name == "x0" and names[k : k + 4] == ["x0", "top", "x1", "bottom"]:
            name, k = "x0 top x1 bottom", k + 4
        else:
            k += 1
        lines.append(f"  {name:<17} {COLUMN_HELP.get(name.split()[0], '')}".rstrip())
    return "\n".join(lines)


EXTRACT_EXAMPLES = """\
examples:
  yosan extract fixtures/mext-r2-science-points.txt | head -3
      CSV on stdout (a table when stdout is a terminal): one row per stated amount
  yosan extract fixtures/pdf/pr-sheet.pdf -o pr-sheet.xlsx
      a workbook: sheet "records" and sheet "summary" (totals per kind and year)
  yosan extract budget.pdf -o budget.csv --excel
      CSV with a BOM, which Excel on Japanese Windows opens as UTF-8

formats (by the -o name, or --format): .csv .jsonl .json .parquet .xlsx;
another name is a usage error.  The positions (x0 top x1 bottom), source_layer
and confidence come only for PDF and image input.

output columns:
"""

SHOW_EXAMPLES = """\
examples:
  yosan show fixtures/mext-r2-science-points.txt
      the records of a document: page, programme, kind, fiscal year and amount
      in yen, grouped by section; then records and total yen per kind and year
  yosan show out/all.csv
      the same for records already extracted (.csv .jsonl .json .parquet .xlsx)

Totals leave out figures that restate one given earlier (repeat set).
"""

BATCH_EXAMPLES = """\
examples:
  yosan batch budget -o out
      every document below budget/: out/<path>.csv each, out/all.csv, out/report.json
  yosan batch 'budget/**/*.pdf' -o out --jobs 2 --format jsonl
      only the PDFs, two at a time, JSON Lines per file (all.csv stays CSV)
  yosan batch /shared/budget -o out --executor dask --scheduler tcp://10.0.0.5:8786
      the same on a dask cluster whose workers see /shared/budget

all.csv has every column, in this order:
"""

CHECK_EXAMPLES = """\
examples:
  yosan check fixtures/mext-r2-science-points.txt
      golden/mext-r2-science-points.csv: ok (197 records)
  yosan check fixtures/NEW.txt --update
      writes golden/NEW.csv and prints what it wrote: records added, removed, changed
  yosan check fixtures/scans/pr-sheet-scan.pdf
      a golden of facts (columns page,kind,fiscal_year,amount_yen,program) is
      compared on those columns, programme names without spaces

A diff lists records missing from the output (- missing), unexpected in it
(+ unexpected) and changed (~ changed, golden → output), keyed by page, line,
kind and amount.  Exit status: 0 equal (or --update), 1 different.
"""

LAYOUT_EXAMPLES = """\
examples:
  yosan layout book.pdf --page 3 -o page3.png
      the page drawn with its blocks (blue), tables and cells (red), furniture (grey)
  yosan layout fixtures/pdf/two-column.pdf --format json
      the page model as JSON: per page its blocks (lines with boxes, tables with cells)
"""


def _common(parser: argparse.ArgumentParser) -> None:
    """-q and -v, the same on every command."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="no warnings and no progress (errors only)")
    group.add_argument("-v", "--verbose", action="store_true", help="progress lines and one line per input")


def _sub(
    commands: argparse._SubParsersAction,
    name: str,
    help: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(parser)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yosan",
        description="Extract budget figures from Japanese government budget documents "
        "(text, PDF with a text layer, scanned PDF, PNG/JPEG/TIFF page images).",
        epilog="`yosan COMMAND --help` shows each command's options, examples and output columns.",
    )
    parser.add_argument("--version", action="version", version=f"yosan-extract {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ext = _sub(
        commands,
        "extract",
        help="every amount of the documents, as CSV, JSON, Parquet or Excel (a table on a terminal)",
        description="Extract every stated amount of the documents (text, PDF, scanned PDF, PNG/JPEG/TIFF "
        "images) as one record per amount.  Without -o: CSV on stdout, or the readable table "
        "(yosan show) when stdout is a terminal.",
        epilog=EXTRACT_EXAMPLES + columns_help(),
    )
    ext.add_argument("paths", nargs="+", metavar="PATH", help="documents: text, PDF or page images")
    ext.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write here; the format follows the name"
    )
    ext.add_argument("--format", choices=FORMATS, help="output format (default: by the -o name, else csv)")
    ext.add_argument("--excel", action="store_true", help="CSV for Excel: UTF-8 with a BOM, CRLF line ends")
    ext.add_argument(
        "--jobs",
        type=_positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes that OCR the pages of a scan (default: one per CPU)",
    )
    _limits(ext, "file")
    _document_options(ext)

    shw = _sub(
        commands,
        "show",
        help="the records as a table to read: programme, kind, year, amount; totals per kind",
        description="Show the records of documents, or of files `yosan extract` wrote, as a table "
        "grouped by section, with totals per kind and fiscal year.",
        epilog=SHOW_EXAMPLES,
    )
    shw.add_argument(
        "paths", nargs="+", metavar="FILE", help="documents, or .csv/.jsonl/.json/.parquet/.xlsx records"
    )
    shw.add_argument(
        "--jobs", type=_positive_int, default=os.cpu_count() or 1, metavar="N", help=argparse.SUPPRESS
    )
    _limits(shw, "file")
    _document_options(shw)

    bat = _sub(
        commands,
        "batch",
        help="extract many documents: one output each, all.csv and report.json",
        description="Extract every input (files, folders searched recursively for "
        f"{', '.join(INPUT_SUFFIXES)}, or globs) in parallel worker processes. "
        "Writes OUTDIR/<input>.<format>, "
        "OUTDIR/all.csv, the Parquet dataset OUTDIR/all.parquet/ and OUTDIR/report.json; inputs "
        "whose outputs are current (same content, version and options) are skipped. "
        "Exit status: 0 all ok, 1 an input failed, 2 usage error, 130 interrupted.",
        epilog=BATCH_EXAMPLES + columns_help(),
    )
    bat.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or globs")
    bat.add_argument("-o", "--output", type=Path, required=True, metavar="OUTDIR", help="output folder")
    bat.add_argument("--format", choices=BATCH_FORMATS, default="csv", help="per-file format (default csv)")
    bat.add_argument(
        "--jobs",
        type=_positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="files at once (default: cores)",
    )
    _limits(bat, "worker")
    bat.add_argument("--force", action="store_true", help="redo inputs whose outputs are current")
    bat.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="local: worker processes here (default); dask: a dask.distributed cluster",
    )
    bat.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the dask scheduler (tcp://HOST:8786; implies --executor dask); "
        "default: a LocalCluster of --jobs workers",
    )
    bat.add_argument(
        "--retries",
        type=_count,
        default=DEFAULT_RETRIES,
        metavar="N",
        help=f"dask: runs again of a file whose worker was lost (default {DEFAULT_RETRIES})",
    )
    bat.add_argument(
        "--partition-by", choices=PARTITIONS, default="source", help="of all.parquet/ (default source)"
    )
    bat.add_argument("--no-dataset", action="store_true", help="no OUTDIR/all.parquet/")
    _document_options(bat)

    lay = _sub(
        commands,
        "layout",
        help="show what the layout engine saw: blocks, columns, reading order, table cells",
        description="Draw the page model over the rendered page (text blocks blue with their "
        "place in the reading order, each line numbered; tables red with their cells, header "
        "cells marked H; furniture grey), or dump it as JSON.",
        epilog=LAYOUT_EXAMPLES,
    )
    lay.add_argument("path", type=Path, metavar="FILE", help="a PDF, an image or a text file")
    lay.add_argument("--page", type=_positive_int, metavar="N", help="only page N (1-based)")
    lay.add_argument("-o", "--output", type=Path, metavar="FILE", help="the drawing (PNG) or the JSON")
    lay.add_argument("--format", choices=("png", "json"), help="png (needs --page) or json (default)")
    _document_options(lay)

    chk = _sub(
        commands,
        "check",
        help="compare a fixture's records with its golden file",
        description="Compare the records of FIXTURE with its golden CSV (golden/<path below "
        "fixtures/>.csv); show a diff and exit 1 if they differ.  --update rewrites the golden from "
        "the output and prints what it wrote.  Goldens saved by Excel (BOM, CRLF) are read.",
        epilog=CHECK_EXAMPLES,
    )
    chk.add_argument("fixture", type=Path, metavar="FIXTURE", help="a document with a golden file")
    chk.add_argument("--golden", type=Path, metavar="PATH", help="golden CSV (default golden/<stem>.csv)")
    chk.add_argument("--update", action="store_true", help="rewrite the golden and print what it wrote")
    _limits(chk, "file")
    _document_options(chk)
    _add_check_commands(commands)
    return parser


def _records_of(path: str, options: Options, events: int | None = None) -> list[Record]:
    """In the worker: one input's records (page events to the ``events`` pipe)."""
    if events is not None:
        watch(path, events)
    return extract_document(path, options).records


def _extract(path: str, options: Options, args: argparse.Namespace) -> list[Record] | None:
    """Records of one input (read in a worker process with the time and memory limits), or None
    after reporting why it failed; the worker's warnings are printed here, each naming the input."""
    quiet = getattr(args, "quiet", False)
    progress = None if quiet else PageProgress(display_path(path), sys.stderr, interval=PROGRESS_INTERVAL)
    started = time.monotonic()
    try:
        outcome = run_one(
            _records_of,
            (path, options),
            timeout=getattr(args, "timeout", DEFAULT_TIMEOUT),
            max_memory=getattr(args, "max_memory", DEFAULT_MAX_MEMORY),
            debug=args.debug,
            name=f"yosan:{display_path(path)}",
            events=progress.event if progress else None,
        )
    finally:
        if progress:
            progress.close()
    for warning in outcome.warnings:
        log.warning("%s", name_warning(path, warning))
    if outcome.traceback:
        with contextlib.suppress(OSError, ValueError):
            print(outcome.traceback.rstrip(), file=sys.stderr)
    if outcome.error is not None:
        _error(f"{display_path(path)}: {outcome.error}")
        return None
    if getattr(args, "verbose", False):
        pages = f", {progress.pages} pages" if progress and progress.pages else ""
        _info(
            f"{display_path(path)}: {len(outcome.value)} records{pages}, {time.monotonic() - started:.1f} s"
        )
    return outcome.value


PROGRESS_INTERVAL = 10.0  # seconds between progress lines when stderr is not a terminal


def _info(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"yosan: {printable(message)}", file=sys.stderr, flush=True)


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def _output_format(args: argparse.Namespace) -> str:
    """The format to write: --format, else the -o name's, else csv (the table on a terminal).
    Raises _Usage for a name of no known format, or a binary format to a terminal."""
    target: Path | None = args.output
    fmt: str | None = args.format
    named = format_of(target) if target is not None else None
    if fmt is None and target is not None:
        if named is None and not _special(target):
            raise _Usage(
                f"{display_path(target)}: cannot tell the format from the name: use "
                f"{', '.join('.' + f for f in FORMATS)}, or --format"
            )
        fmt = named or "csv"
    if fmt is None:
        return "table" if _isatty(sys.stdout) and not args.excel else "csv"
    if target is None and fmt in BINARY_FORMATS and _isatty(sys.stdout):
        raise _Usage(f"{fmt} is binary: write it with -o FILE.{fmt} or redirect stdout")
    return fmt


def _special(path: Path) -> bool:
    """A FIFO, a device or a socket (``-o /dev/stdout``): written through, as CSV unless told."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


class _Usage(Exception):
    """A usage error found after parsing: one line, exit status 2."""


def cmd_extract(args: argparse.Namespace) -> int:
    try:
        fmt = _output_format(args)
    except _Usage as exc:
        _error(str(exc))
        return EXIT_USAGE
    records: list[Record] = []
    failed = 0
    for path in args.paths:
        got = _extract(path, _options(args, args.jobs), args)
        if got is None:
            failed += 1
        else:
            if not got:  # not an error (a cover page, a table of contents), but worth a word
                log.warning("%s: no amounts found", display_path(path))
            records.extend(got)
    if failed == len(args.paths):  # nothing came out: no output, and no older one left to mislead
        if args.output is not None and not _special(args.output):
            with contextlib.suppress(OSError):
                if args.output.is_file():
                    args.output.unlink()
        return EXIT_FAILED
    if fmt == "table":
        written = _show(records)
    else:
        written = _write(
            args.output,
            encode(records, fmt, args.excel) if fmt in BINARY_FORMATS else render(records, fmt, args.excel),
        )
    return EXIT_FAILED if failed or written else EXIT_OK


def _show(records: list[Record]) -> int:
    from .show import show

    buffer = io.StringIO()
    show(records, buffer, width=_width())
    return _emit(buffer.getvalue())


def _width() -> int | None:
    """The terminal's width, else $COLUMNS, else 100 (rich's 80 is narrow for Japanese names)."""
    if _isatty(sys.stdout):
        with contextlib.suppress(OSError, ValueError):
            return os.get_terminal_size(sys.stdout.fileno()).columns
    with contextlib.suppress(ValueError):
        return int(os.environ.get("COLUMNS", "")) or 100
    return 100


def cmd_show(args: argparse.Namespace) -> int:
    records: list[Record] = []
    failed = 0
    for path in args.paths:
        if format_of(Path(path)) is not None:  # records already extracted
            try:
                records.extend(load_records(path))
            except (OSError, ValueError, KeyError) as exc:
                _error(f"{display_path(path)}: cannot read records: {printable(str(exc))}")
                failed += 1
            continue
        got = _extract(path, _options(args, args.jobs), args)
        if got is None:
            failed += 1
        else:
            if not got:
                log.warning("%s: no amounts found", display_path(path))
            records.extend(got)
    if failed == len(args.paths):
        return EXIT_FAILED
    written = _show(records)
    return EXIT_FAILED if failed or written else EXIT_OK


def _near(path: Path) -> Path:
    """``path`` relative to the working folder when it is below it (as messages show it)."""
    with contextlib.suppress(ValueError):
        return path.relative_to(Path.cwd())
    return path


def cmd_check(args: argparse.Namespace) -> int:
    golden = args.golden or _near(default_golden(args.fixture))
    records = _extract(str(args.fixture), _options(args), args)
    if records is None:
        return EXIT_FAILED
    old = load_golden(golden) if golden.exists() or not args.update else []
    facts = is_facts(old) or (not old and golden.exists() and is_facts(_header(golden)))
    actual = as_facts(to_rows(records)) if facts else to_rows(records)
    expected = as_facts(old) if facts else old
    diff = compare(expected, actual, FACT_PAIRINGS) if facts else compare(expected, actual)
    if args.update:
        text = _facts_csv(as_facts(to_rows(records), spaces=True)) if facts else render(records, "csv")
        if _write(golden, text):
            return EXIT_FAILED
        return _emit(format_diff(diff, golden, written=len(actual)) + "\n")
    if diff:
        _emit(format_diff(diff, golden) + "\n")
        return EXIT_FAILED
    kind = "facts" if facts else "records"
    return _emit(f"{display_path(golden)}: ok ({len(actual)} {kind})\n")


def _header(path: Path) -> tuple[str, ...]:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return tuple(path.read_text(encoding="utf-8-sig").splitlines()[0].split(","))
    return ()


def _facts_csv(rows: list[dict[str, str]]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FACT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def cmd_layout(args: argparse.Namespace) -> int:
    import json

    from .layout.draw import choose, draw_page, page_json, page_picture
    from .pipeline import read_pages

    fmt = args.format or ("png" if args.output and args.output.suffix.lower() == ".png" else "json")
    if fmt == "png" and (args.page is None or args.output is None):
        _error("layout: a drawing needs --page N and -o FILE.png")
        return EXIT_USAGE
    try:
        pages = choose(read_pages(args.path, _options(args))[0], args.page, args.path)
        if fmt == "png":
            draw_page(pages[0], page_picture(args.path, pages[0])).save(args.output, format="PNG")
            return EXIT_OK
    except InputError as exc:
        _error(str(exc))
        return EXIT_FAILED
    text = json.dumps([page_json(p) for p in pages], ensure_ascii=False, indent=1) + "\n"
    if args.output:
        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    inputs, problems = find_inputs(args.inputs, args.format, args.output)
    if not inputs:
        for problem in problems:
            _error(f"{problem.input}: {problem.error}")
        return EXIT_USAGE
    try:
        check_out_dir(args.output)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    opts = BatchOptions(
        out_dir=args.output,
        fmt=args.format,
        jobs=args.jobs,
        timeout=args.timeout,
        max_memory=args.max_memory,
        force=args.force,
        debug=args.debug,
        extract=_options(args),
        executor="dask" if args.scheduler else args.executor,
        scheduler=args.scheduler,
        retries=args.retries,
        partition_by=None if args.no_dataset else args.partition_by,
    )
    try:
        run = run_batch(inputs, opts, problems, Progress(len(inputs) + len(problems), quiet=args.quiet))
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    with contextlib.suppress(OSError, ValueError):
        print(summary_line(run, opts), file=sys.stderr)
    return run.exit_status


# --- issue 13: documents that check themselves (validate, link, diff; extract/checks.py, editions.py) ---


VALIDATE_EXAMPLES = """\
examples:
  yosan validate fixtures/mext-r2-science-points.txt
      the failed checks of a document (none here) and a summary: checks run, figures covered
  yosan validate tests/keys/dev/*.csv --documents ../shared/corpus --mutate
      answer keys (their PDFs' page counts from --documents); --mutate counts how many
      changed figures some check flags
  yosan validate out/all.csv --all -o checked.csv
      records already extracted; every check and skipped group; the records written
      back with check and confidence set

Exit status: 0 every check passed, 1 a check failed (or an input failed).
"""

LINK_EXAMPLES = """\
examples:
  yosan link tests/keys/dev/fuji_r7_*.csv tests/keys/dev/fuji_r8_*.csv
      each FY2026 前年度 against FY2025's 本年度: mismatches, unmatched, renames
  yosan link r6.csv r7.csv r8.csv --format csv -o series.csv
      the time series: one row per programme path, one column per fiscal year
"""

DIFF_EXAMPLES = """\
examples:
  yosan diff tests/keys/dev/fuji_r7_*.csv tests/keys/dev/fuji_r8_*.csv --top 3
      the largest increases and decreases, new and ended programmes (level 目)
  yosan diff r7.csv r8.csv --level 款 --format csv -o changes.csv
      every change of the 款, one row each
"""


def _add_check_commands(commands: argparse._SubParsersAction) -> None:
    inputs = "documents, or records already extracted (.csv, .jsonl, .json, .parquet; answer keys too)"
    val = _sub(
        commands,
        "validate",
        help="run the arithmetic the documents state (sums, 前年度/比較, 補正, 財源内訳, restatements)",
        description="Find and run every check the records' structure calls for; print the failed checks "
        "(every check with --all) and a summary. Exit status 1 when a check fails.",
        epilog=VALIDATE_EXAMPLES,
    )
    val.add_argument("inputs", nargs="+", metavar="INPUT", help=inputs)
    val.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (default text)"
    )
    val.add_argument("--all", action="store_true", help="list every check and every group skipped")
    val.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write the records with check and confidence set (.csv or .jsonl)",
    )
    val.add_argument(
        "--mutate",
        action="store_true",
        help="also change each figure alone and count how many changes a check flags",
    )
    val.add_argument(
        "--documents",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="folder of the source PDFs of answer keys (for their page counts)",
    )
    lnk = _sub(
        commands,
        "link",
        help="match editions of several years: 前年度 = last year's 本年度, and a time series",
        description="Group the inputs into editions by fiscal year, match programmes by code path and "
        "name, check each 前年度 against the previous edition's 本年度 (or 補正後); exit 1 on a mismatch.",
        epilog=LINK_EXAMPLES,
    )
    lnk.add_argument("inputs", nargs="+", metavar="INPUT", help=inputs + ", of two or more fiscal years")
    dif = _sub(
        commands,
        "diff",
        help="what changed between two editions: new and ended programmes, largest changes",
        description="Compare two editions (the inputs of two fiscal years): new and ended programmes, "
        "the largest increases and decreases in yen and in percent.",
        epilog=DIFF_EXAMPLES,
    )
    dif.add_argument("inputs", nargs="+", metavar="INPUT", help=inputs + " (OLD NEW)")
    dif.add_argument("--top", type=_positive_int, default=10, metavar="N", help="rows per list (default 10)")
    dif.add_argument("--level", metavar="LEVEL", help="款, 項, 目, 節, 説明 (default: 目, else 項, else 款)")
    for sub, what in ((lnk, "the time series"), (dif, "the changes")):
        sub.add_argument("--format", choices=("text", "csv", "json"), default="text",
                         help=f"text: the report; csv: {what}; json: all of it")  # fmt: skip
        sub.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout")
    for sub in (val, lnk, dif):
        _limits(sub, "file")
        _document_options(sub)


def _check_inputs(args: argparse.Namespace) -> tuple[list[Record], dict, int]:
    """Records of every input (record files read, documents extracted), what they cover, failures."""
    from .recordfile import is_record_file, read_record_file

    records: list[Record] = []
    coverage: dict = {}
    failed = 0
    for name in args.inputs:
        path = Path(name)
        got: list[Record] | None
        if is_record_file(path):
            try:
                got, cov = read_record_file(path, getattr(args, "documents", []))
            except InputError as exc:
                _error(str(exc))
                failed += 1
                continue
            coverage.update(cov)
        else:
            got = _extract(name, _options(args), args)
            if got is None:
                failed += 1
                continue
        records.extend(got)
    return records, coverage, failed


def cmd_validate(args: argparse.Namespace) -> int:
    from .checks import mutation_test, validate

    records, coverage, failed = _check_inputs(args)
    result = validate(records, coverage)
    text = result.as_json() if args.format == "json" else result.report(every=args.all)
    if args.mutate:
        text += mutation_test(records, coverage, full=False).line() + "\n"
    if args.output is not None:
        fmt = "jsonl" if args.output.suffix.lower() == ".jsonl" else "csv"
        if _write(args.output, render(result.records, fmt)):
            failed += 1
    written = _emit(text)
    return EXIT_FAILED if failed or written or not result.ok else EXIT_OK


def cmd_link(args: argparse.Namespace) -> int:
    import json

    from .editions import link

    records, _, failed = _check_inputs(args)
    linked = link(records)
    if args.format == "csv":
        text = linked.series().to_csv(index=False, lineterminator="\n")
    elif args.format == "json":
        links = json.loads(linked.frame().to_json(orient="records", force_ascii=False))
        series = json.loads(linked.series().to_json(orient="records", force_ascii=False))
        text = json.dumps({"links": links, "series": series}, ensure_ascii=False, indent=1) + "\n"
    else:
        text = linked.report()
    written = _write(args.output, text)
    return EXIT_FAILED if failed or written or linked.mismatches else EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    import json

    from .editions import diff

    records, _, failed = _check_inputs(args)
    try:
        result = diff(records, args.level)
    except ValueError as exc:
        _error(f"diff: {exc}")
        return EXIT_FAILED
    if args.format == "csv":
        text = result.frame().to_csv(index=False, lineterminator="\n")
    elif args.format == "json":
        rows = json.loads(result.frame().to_json(orient="records", force_ascii=False))
        text = json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    else:
        text = result.report(args.top)
    written = _write(args.output, text)
    return EXIT_FAILED if failed or written else EXIT_OK


CHECK_COMMANDS = {"validate": cmd_validate, "link": cmd_link, "diff": cmd_diff}
# --- end of issue 13 ---


_STDOUT_CLOSED = False


def _standard_streams() -> None:
    """Open /dev/null on stdin, stdout or stderr if it is closed (``>&-``, ``2>&-``): otherwise the
    next file or pipe opened takes its number, and what is written to that stream lands in it.
    Output for a closed stdout is then an error (``_emit``); messages for a closed stderr are lost."""
    global _STDOUT_CLOSED
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one
            if fd == 1:
                _STDOUT_CLOSED = True
    if sys.stdout is None:
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115


def main(argv: Sequence[str] | None = None) -> int:
    _standard_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = _WarningHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("yosan: warning: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.ERROR if getattr(args, "quiet", False) else logging.WARNING)
    log.propagate = False
    try:
        commands = {
            "extract": cmd_extract,
            "show": cmd_show,
            "check": cmd_check,
            "batch": cmd_batch,
            "layout": cmd_layout,
            **CHECK_COMMANDS,
        }
        return commands[args.command](args)
    except YosanError as exc:
        if args.debug:
            traceback.print_exc()
        _error(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except OSError as exc:  # a closed or full stdout or stderr outside the writes above
        _stdout_gone()
        if args.debug:
            traceback.print_exc()
        _error(f"cannot write: {exc.strerror or exc}")
        return EXIT_FAILED


class _WarningHandler(logging.StreamHandler):
    """Warnings as one printable line each; a stderr that cannot be written is let be."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(printable(self.format(record)) + "\n")
            self.flush()
        except (OSError, ValueError):
            pass


if __name__ == "__main__":
    sys.exit(main())
