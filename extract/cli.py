"""The ``yosan`` command: a thin layer over the library.

The library raises typed errors; here they become one line on stderr
(``yosan: error: PATH: reason``) and an exit status: 0 success, 1 a failed
input or a golden mismatch, 2 a usage error.  ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import InputError, YosanError
from .golden import compare, default_golden, format_diff, load_golden
from .output import FORMATS, render, to_rows, write_atomic
from .pipeline import extract_file
from .records import Record

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
    ext.add_argument("--fiscal-year", type=_fiscal_year, metavar="N", help="the document's fiscal year")
    ext.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

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
    chk.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def _extract(path: str, fiscal_year: int | None, debug: bool) -> list[Record] | None:
    """Records of one input, or None after reporting why it failed."""
    try:
        return extract_file(path, fiscal_year=fiscal_year)
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
        got = _extract(path, args.fiscal_year, args.debug)
        if got is None:
            failed += 1
        else:
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
    records = _extract(str(args.fixture), args.fiscal_year, args.debug)
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
        return {"extract": cmd_extract, "check": cmd_check}[args.command](args)
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
