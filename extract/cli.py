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
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .batch import (
    BATCH_FORMATS,
    INPUT_SUFFIXES,
    BatchOptions,
    UsageError,
    check_out_dir,
    find_inputs,
    run_batch,
    summary_line,
)
from .errors import InputError, YosanError, display_path, printable
from .golden import compare, default_golden, format_diff, load_golden
from .isolate import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT, run_one
from .model import Record
from .output import FORMATS, render, to_rows, write_atomic
from .pipeline import OCR_MODES, Options, extract_document

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


def _emit(text: str) -> int:
    """Write ``text`` to stdout: EXIT_FAILED (with an error line) when it cannot be written.

    A reader that closes the pipe early (``| head``, ``| grep -q``) has what it
    wanted and is no failure; the exit status is then the command's own.
    """
    try:
        if _STDOUT_CLOSED:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_gone()
    except OSError as exc:  # a full disk behind `> file`, `> /dev/full`
        _error(f"<stdout>: cannot write: {exc.strerror or exc}")
        _stdout_gone()
        return EXIT_FAILED
    return EXIT_OK


def _write(target: Path | None, text: str) -> int:
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
    _limits(ext, "file")
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
    _limits(bat, "worker")
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
    _add_check_commands(commands)
    return parser


def _records_of(path: str, options: Options) -> list[Record]:
    """In the worker: one input's records."""
    return extract_document(path, options).records


def _extract(path: str, options: Options, args: argparse.Namespace) -> list[Record] | None:
    """Records of one input (read in a worker process with the time and memory limits), or None
    after reporting why it failed; the worker's warnings are printed here."""
    outcome = run_one(
        _records_of,
        (path, options),
        timeout=getattr(args, "timeout", DEFAULT_TIMEOUT),
        max_memory=getattr(args, "max_memory", DEFAULT_MAX_MEMORY),
        debug=args.debug,
        name=f"yosan:{display_path(path)}",
    )
    for warning in outcome.warnings:
        log.warning("%s", warning)
    if outcome.traceback:
        with contextlib.suppress(OSError, ValueError):
            print(outcome.traceback.rstrip(), file=sys.stderr)
    if outcome.error is not None:
        _error(f"{display_path(path)}: {outcome.error}")
        return None
    return outcome.value


def cmd_extract(args: argparse.Namespace) -> int:
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
    written = _write(args.output, render(records, args.format))
    return EXIT_FAILED if failed or written else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    golden = args.golden or default_golden(args.fixture)
    records = _extract(str(args.fixture), _options(args), args)
    if records is None:
        return EXIT_FAILED
    actual = to_rows(records)
    if args.update:
        old = load_golden(golden) if golden.exists() else []
        diff = compare(old, actual)
        if _write(golden, render(records, "csv")):
            return EXIT_FAILED
        shown = (
            format_diff(diff, golden)
            if diff
            else f"{display_path(golden)}: unchanged ({len(actual)} records)"
        )
        _emit(shown + "\n")
        return EXIT_OK
    diff = compare(load_golden(golden), actual)
    if diff:
        _emit(format_diff(diff, golden) + "\n")
        return EXIT_FAILED
    return _emit(f"{display_path(golden)}: ok ({len(actual)} records)\n")


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
    )
    try:
        run = run_batch(inputs, opts, problems)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    with contextlib.suppress(OSError, ValueError):
        print(summary_line(run, opts), file=sys.stderr)
    return run.exit_status


# --- issue 13: documents that check themselves (validate, link, diff; extract/checks.py, editions.py) ---


def _add_check_commands(commands: argparse._SubParsersAction) -> None:
    inputs = "documents, or records already extracted (.csv, .jsonl, .json, .parquet; answer keys too)"
    val = commands.add_parser(
        "validate",
        help="run the arithmetic the documents state (sums, 前年度/比較, 補正, 財源内訳, restatements)",
        description="Find and run every check the records' structure calls for; print the failed checks "
        "(every check with --all) and a summary. Exit status 1 when a check fails.",
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
    lnk = commands.add_parser(
        "link",
        help="match editions of several years: 前年度 = last year's 本年度, and a time series",
        description="Group the inputs into editions by fiscal year, match programmes by code path and "
        "name, check each 前年度 against the previous edition's 本年度 (or 補正後); exit 1 on a mismatch.",
    )
    lnk.add_argument("inputs", nargs="+", metavar="INPUT", help=inputs + ", of two or more fiscal years")
    dif = commands.add_parser(
        "diff",
        help="what changed between two editions: new and ended programmes, largest changes",
        description="Compare two editions (the inputs of two fiscal years): new and ended programmes, "
        "the largest increases and decreases in yen and in percent.",
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
    from .recordfile import is_record_file, read_records

    records: list[Record] = []
    coverage: dict = {}
    failed = 0
    for name in args.inputs:
        path = Path(name)
        if is_record_file(path):
            try:
                got, cov = read_records(path, getattr(args, "documents", []))
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
    log.setLevel(logging.WARNING)
    log.propagate = False
    try:
        commands = {"extract": cmd_extract, "check": cmd_check, "batch": cmd_batch, "layout": cmd_layout}
        commands.update(CHECK_COMMANDS)
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
