"""The ``yosan`` command: a thin layer over the library.

The library raises typed errors; here they become one line on stderr
(``yosan: error: PATH: reason``) and an exit status: 0 success, 1 a failed
input or a golden mismatch, 2 a usage error, 130 interrupted.  ``--debug``
shows tracebacks.  ``batch`` (``batch.py``) runs many inputs in worker processes.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .batch import (
    BATCH_FORMATS,
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    INPUT_SUFFIXES,
    BatchOptions,
    UsageError,
    check_out_dir,
    find_inputs,
    run_batch,
    summary_line,
)
from .errors import InputError, YosanError
from .golden import compare, default_golden, format_diff, load_golden
from .model import Record
from .output import FORMATS, render, to_rows, write_atomic
from .pipeline import OCR_MODES, Options, extract_document

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _error(message: str) -> None:
    print(f"yosan: error: {message}", file=sys.stderr)


def _fiscal_year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None
    if not 1868 <= year <= 2200:
        raise argparse.ArgumentTypeError(f"fiscal year out of range: {year}")
    return year


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {value}")
    return value


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yosan",
        description="Extract budget figures from Japanese government budget documents.",
    )
    parser.add_argument("--version", action="version", version=f"yosan-extract {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ext = commands.add_parser(
        "extract",
        help="print every amount of the documents as a table",
        description="Extract every stated amount as one record per amount (CSV on stdout by default).",
    )
    ext.add_argument("paths", nargs="+", metavar="PATH", help="text or PDF documents")
    ext.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout")
    ext.add_argument("--format", choices=FORMATS, default="csv", help="output format (default csv)")
    ext.add_argument(
        "--jobs",
        type=_positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes that OCR the pages of a scan (default: one per CPU)",
    )
    _document_options(ext)

    bat = commands.add_parser(
        "batch",
        help="extract many documents: one output each, all.csv and report.json",
        description="Extract every input (files, folders searched recursively for "
        f"{', '.join(INPUT_SUFFIXES)}, or globs) in parallel worker processes. "
        "Writes OUTDIR/<input>.<format>, "
        "OUTDIR/all.csv and OUTDIR/report.json; inputs whose outputs are current are skipped. "
        "Exit status: 0 all ok, 1 an input failed, 2 usage error, 130 interrupted.",
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
    bat.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds per file before it is stopped (default {DEFAULT_TIMEOUT:g}; 0: none)",
    )
    bat.add_argument(
        "--max-memory",
        type=_megabytes,
        default=DEFAULT_MAX_MEMORY,
        metavar="MB",
        help=f"address space per worker (default {DEFAULT_MAX_MEMORY}; 0: none)",
    )
    bat.add_argument("--force", action="store_true", help="redo inputs whose outputs are current")
    _document_options(bat)

    lay = commands.add_parser(
        "layout",
        help="show what the layout engine saw: blocks, columns, reading order, table cells",
        description="Draw the page model over the rendered page (text blocks blue with their "
        "place in the reading order, each line numbered; tables red with their cells, header "
        "cells marked H; furniture grey), or dump it as JSON. "
        "Examples: yosan layout book.pdf --page 3 -o page3.png; "
        "yosan layout scan.pdf --format json > model.json",
    )
    lay.add_argument("path", type=Path, metavar="FILE", help="a PDF, an image or a text file")
    lay.add_argument("--page", type=_positive_int, metavar="N", help="only page N (1-based)")
    lay.add_argument("-o", "--output", type=Path, metavar="FILE", help="the drawing (PNG) or the JSON")
    lay.add_argument("--format", choices=("png", "json"), help="png (needs --page) or json (default)")
    _document_options(lay)

    chk = commands.add_parser(
        "check",
        help="compare a fixture's records with its golden file",
        description="Compare the records of FIXTURE with its golden CSV; "
        "show a diff and exit 1 if they differ.",
    )
    chk.add_argument("fixture", type=Path, metavar="FIXTURE")
    chk.add_argument("--golden", type=Path, metavar="PATH", help="golden CSV (default golden/<stem>.csv)")
    chk.add_argument("--update", action="store_true", help="rewrite the golden and print what changed")
    chk.add_argument("--fiscal-year", type=_fiscal_year, metavar="N", help="the document's fiscal year")
    chk.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def _extract(path: str, options: Options, debug: bool) -> list[Record] | None:
    """Records of one input, or None after reporting why it failed."""
    try:
        return extract_document(path, options).records
    except InputError as exc:
        _error(str(exc))
    except YosanError as exc:
        _error(f"{path}: {exc}")
    except Exception as exc:  # a bug must not cost the other inputs
        if debug:
            traceback.print_exc()
        _error(f"{path}: internal error: {type(exc).__name__}: {exc}")
    return None


def cmd_extract(args: argparse.Namespace) -> int:
    records: list[Record] = []
    failed = 0
    for path in args.paths:
        got = _extract(path, _options(args, args.jobs), args.debug)
        if got is None:
            failed += 1
        else:
            if not got:  # not an error (a cover page, a table of contents), but worth a word
                logging.getLogger("yosan").warning("%s: no amounts found", path)
            records.extend(got)
    text = render(records, args.format)
    if args.output:
        try:
            write_atomic(args.output, text)
        except OSError as exc:
            _error(f"{args.output}: cannot write: {exc.strerror or exc}")
            return EXIT_FAILED
    else:
        sys.stdout.write(text)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    golden = args.golden or default_golden(args.fixture)
    records = _extract(str(args.fixture), _options(args), args.debug)
    if records is None:
        return EXIT_FAILED
    actual = to_rows(records)
    if args.update:
        old = load_golden(golden) if golden.exists() else []
        diff = compare(old, actual)
        write_atomic(golden, render(records, "csv"))
        print(format_diff(diff, golden) if diff else f"{golden}: unchanged ({len(actual)} records)")
        return EXIT_OK
    diff = compare(load_golden(golden), actual)
    if diff:
        print(format_diff(diff, golden))
        return EXIT_FAILED
    print(f"{golden}: ok ({len(actual)} records)")
    return EXIT_OK


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
    inputs, problems = find_inputs(args.inputs, args.format)
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
    )
    run = run_batch(inputs, opts, problems)
    print(summary_line(run, opts), file=sys.stderr)
    return run.exit_status


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("yosan: warning: %(message)s"))
    logger = logging.getLogger("yosan")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        commands = {"extract": cmd_extract, "check": cmd_check, "batch": cmd_batch, "layout": cmd_layout}
        return commands[args.command](args)
    except YosanError as exc:
        if args.debug:
            traceback.print_exc()
        _error(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:  # `yosan extract … | head`
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
