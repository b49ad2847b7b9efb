"""``yosan batch``: many documents at once, where one bad file never costs the others.

Each input runs in its own worker process (at most ``jobs`` at a time), in a
process group of its own, with an address-space limit: an exception, a hang
(``timeout``), a memory blow-up or a crash of the PDF library ends that file
only, and a killed worker takes its children (tesseract) with it.  Workers
send the rendered output back; only this process writes files, each to a
temporary name renamed into place with signals held off, so an interrupted
run leaves complete outputs or none.  ``all.csv`` is rebuilt from the
per-file outputs (one fixed schema, ``ALL_COLUMNS``) so memory stays flat in
the number of files; ``report.json`` says what happened to every input of
the run, and ``.yosan-state.json`` remembers what made each output, keyed
by content (``content_key``: the input's SHA-256, the source its records
name, the toolkit version and the options that change an output), so that a
re-run, on this machine or any other, skips inputs whose outputs are still
current and never reuses a stale one.  ``all.parquet/`` holds every record
again as one Parquet dataset (``dataset.py``).

Two executors run the files: ``local`` (forked workers here, ``_Scheduler``)
and ``dask`` (``cluster.py``: a dask.distributed cluster).  Both run the same
isolated child per file (``_extract_rendered``, with the same time and memory
limits), turn its end into the same report entry (``conclude``) and record it
here the same way (``Recorder``).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import fcntl
import glob
import hashlib
import importlib
import json
import logging
import os
import signal
import stat
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import IO, Any

from . import __version__, remote
from .errors import InputError, YosanError, display_path, name_warning, printable
from .isolate import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    Ended,
    Outcome,
    died,
    kill_group,
    run_child,
    signals_held,
    start,
)
from .model import ALL_COLUMNS
from .output import atomic_open, cell, render, write_atomic
from .pipeline import IMAGE_SUFFIXES, Options, extract_document

INPUT_SUFFIXES = (".pdf", ".txt", *IMAGE_SUFFIXES)
BATCH_FORMATS = ("csv", "jsonl")
REPORT = "report.json"
STATE = ".yosan-state.json"  # what made each output, for re-runs
JOURNAL = ".yosan-state.journal"  # what each finished file made, appended as it finishes
COMBINED = "all.csv"
DATASET = "all.parquet"  # every record as one Parquet dataset (dataset.py)
EXECUTORS = ("local", "dask")
PARTITIONS = ("source", "fiscal_year")
# How many times a file whose dask worker was lost (killed, its machine gone) is run again.  A
# file's own failure (an error, a timeout, out of memory, a crash of its isolated child) is not
# retried: it would fail the same way, locally as on a cluster.
DEFAULT_RETRIES = 2
STATUSES = ("ok", "failed", "skipped", "timeout", "interrupted")
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
__all__ = ["DEFAULT_MAX_MEMORY", "DEFAULT_TIMEOUT"]


class UsageError(YosanError):
    """The batch cannot start (no inputs, output folder unusable): exit status 2."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class BatchOptions:
    out_dir: Path
    fmt: str = "csv"
    jobs: int = os.cpu_count() or 1
    timeout: float | None = DEFAULT_TIMEOUT  # None: no limit
    max_memory: int | None = DEFAULT_MAX_MEMORY  # MB; None: no limit
    force: bool = False
    debug: bool = False
    extract: Options = field(default_factory=Options)
    executor: str = "local"  # one of EXECUTORS
    scheduler: str | None = None  # a dask scheduler's address; None: start a LocalCluster of `jobs` workers
    retries: int = DEFAULT_RETRIES  # dask: runs again of a file whose worker was lost
    partition_by: str | None = "source"  # the dataset's partitions (PARTITIONS); None: no dataset

    def fingerprint(self) -> dict[str, object]:
        """The options that change an output: a re-run with other values redoes every file."""
        return {
            "format": self.fmt,
            "fiscal_year": self.extract.fiscal_year,
            "ocr": self.extract.ocr,
            "max_pages": self.extract.max_pages,
        }

    def as_json(self) -> dict[str, object]:
        """What report.json records (the password only as given or not)."""
        return {
            **self.fingerprint(),
            "jobs": self.jobs,
            "executor": self.executor,
            "scheduler": self.scheduler,
            "retries": self.retries,
            "partition_by": self.partition_by,
            "timeout": self.timeout,
            "max_memory_mb": self.max_memory,
            "force": self.force,
            "password": self.extract.password is not None,
        }


@dataclass(frozen=True)
class Input:
    path: Path  # as the user named it (a folder argument joined with the file's path below it)
    label: str  # `source` of its records: path below its folder or glob root, or its name
    output: str  # output file, relative to the output folder
    url: str | None = None  # an object named by URL (remote.py); `path` is then its path part

    @property
    def shown(self) -> str:
        """The input as messages and report.json name it."""
        return self.url or display_path(self.path)


@dataclass
class FileResult:
    """One line of report.json."""

    input: str
    output: str | None
    status: str
    pages: int | None = None
    records: int | None = None
    seconds: float | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    retries: int = 0  # times it was run again because its dask worker was lost


@dataclass
class FileDone:
    """What running one input gave, whichever executor ran it: its report entry, the rendered
    output to write (an ok file), what made it (``input_sha256``, ``key``) and, with ``current``,
    that the input's key is the one its output was made for (the output stands: skipped)."""

    result: FileResult
    text: str | None = None
    made: dict[str, Any] = field(default_factory=dict)
    traceback: str | None = None
    current: bool = False


# --- finding inputs ----------------------------------------------------------


def _is_input(path: Path) -> bool:
    return path.suffix.lower() in INPUT_SUFFIXES and not path.name.startswith(".")


def _walk(folder: Path) -> list[Path]:
    """Input files below ``folder``, sorted; hidden entries and symlinked folders are not followed."""
    found: list[Path] = []
    for top, dirs, files in os.walk(folder, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(top) / f for f in files if _is_input(Path(f)))
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _glob_root(pattern: str) -> Path:
    """The leading folders of a glob pattern that hold no wildcard."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts[:-1]:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path()


def _expand(spec: str) -> tuple[list[tuple[Path, str]], str | None]:
    """(path, label) pairs named by one local INPUT argument, or why it names none."""
    path = Path(spec)
    if path.is_dir():
        files = _walk(path)
        if not files:
            return [], f"no inputs found (looked for {', '.join(INPUT_SUFFIXES)})"
        return [(p, p.relative_to(path).as_posix()) for p in files], None
    if path.exists() or path.is_symlink() or not glob.has_magic(spec):
        return [(path, path.name)], None  # a missing file is reported by the worker, like any bad file
    root = _glob_root(spec)
    found: list[tuple[Path, str]] = []
    for name in sorted(glob.glob(spec, recursive=True)):
        hit = Path(name)
        if hit.is_dir():
            found.extend((p, p.relative_to(root).as_posix()) for p in _walk(hit))
        else:  # named by the pattern itself, as the shell would have passed it
            found.append((hit, hit.relative_to(root).as_posix() if hit.is_relative_to(root) else hit.name))
    if not found:
        return [], "no inputs match"
    return found, None


def find_inputs(
    specs: Sequence[str], fmt: str, out_dir: Path | None = None
) -> tuple[list[Input], list[FileResult]]:
    """The inputs named by ``specs`` (each file once) and a failed result per argument that names none.

    An input's label is its path below the folder or glob root it was found
    in (its name when given as a file); output names are ``<label>.<fmt>``.
    When two inputs share a label (one name in two folders, both given as
    files) their records' ``source`` is the path as given instead, and the
    later outputs get ``~2``, ``~3`` before the suffix; so does an output
    whose name is a folder that other outputs go into (``a.txt`` beside a
    folder ``a.txt.csv/``) or a folder already in ``out_dir``.
    """
    pairs: list[tuple[Path, str]] = []
    urls: dict[int, str] = {}  # index in pairs → the URL of an object named by URL
    problems: list[FileResult] = []
    seen: set[str] = set()
    for spec in specs:
        if remote.is_url(spec):
            try:
                listed, reason = remote.list_url(spec, remote.suffixes_wanted(INPUT_SUFFIXES))
            except InputError as exc:
                listed, reason = [], exc.reason
            found = [(Path(remote.path_part(url)), label) for url, label in listed]
        else:
            listed, (found, reason) = [], _expand(spec)
        if reason:
            problems.append(FileResult(input=display_path(spec), output=None, status="failed", error=reason))
        for i, (path, label) in enumerate(found):
            if ".." in Path(label).parts:  # an output must stay inside the output folder
                label = path.name
            key = listed[i][0] if listed else os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                if listed:
                    urls[len(pairs)] = listed[i][0]
                pairs.append((path, label))
    counts: dict[str, int] = {}
    for _, label in pairs:
        counts[label.casefold()] = counts.get(label.casefold(), 0) + 1
    folders = {
        parent.as_posix().casefold() for _, label in pairs for parent in Path(f"{label}.{fmt}").parents
    }
    taken = {COMBINED, REPORT, STATE, JOURNAL}

    def free(name: str) -> bool:
        if name.casefold() in taken or name.casefold() in folders:
            return False
        return out_dir is None or not (out_dir / name).is_dir()

    inputs = []
    for index, (path, label) in enumerate(pairs):
        url = urls.get(index)
        source = label if counts[label.casefold()] == 1 else (url or str(path))
        parts = Path(label).parts
        if len(parts) > 1 and parts[0].casefold() == DATASET:  # below an input folder named all.parquet
            label = Path(f"{parts[0]}~", *parts[1:]).as_posix()
        name = f"{label}.{fmt}"
        k = 1
        while not free(name):
            k += 1
            stem = Path(label)
            name = stem.with_name(f"{stem.stem}~{k}{stem.suffix}").as_posix() + f".{fmt}"
        taken.add(name.casefold())
        inputs.append(Input(path=path, label=display_path(source), output=name, url=url))
    return inputs, problems


def check_out_dir(out_dir: Path) -> None:
    """Create the output folder and prove it can be written, or raise UsageError."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(out_dir, "cannot write here: not a folder") from None
    except OSError as exc:
        raise UsageError(out_dir, f"cannot write here: {exc.strerror or exc}") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".yosan-probe.", suffix=".tmp", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(out_dir, f"cannot write here: {exc.strerror or exc}") from None


# --- re-runs -----------------------------------------------------------------


def _entries(value: object) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in value.items() if isinstance(v, dict)} if isinstance(value, dict) else {}


def load_state(out_dir: Path) -> dict[str, dict[str, Any]]:
    """What earlier runs made in this folder, by output name (``.yosan-state.json``, then its journal).

    Kept apart from report.json, which describes the last run only: a run over
    other inputs (or a mistyped one) must not make the next run redo
    everything.  The journal holds what each file made as it finished, so a
    run killed outright (``kill -9``, a power cut) still leaves its finished
    files known; a torn last line is ignored.
    """
    try:
        state = _entries(json.loads((out_dir / STATE).read_text(encoding="utf-8"))["outputs"])
    except (OSError, ValueError, KeyError, TypeError):
        state = {}
    try:
        with (out_dir / JOURNAL).open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    change = json.loads(line)
                    output, entry = change["output"], change["entry"]
                except (ValueError, KeyError, TypeError):
                    continue
                if isinstance(entry, dict):
                    state[output] = entry
                else:
                    state.pop(output, None)
    except (OSError, ValueError):
        pass
    return state


class _Journal:
    """``.yosan-state.journal``: one JSON line per finished file, written as it finishes."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / JOURNAL
        self.fd: int | None = None
        self.error: str | None = None

    def record(self, output: str, entry: dict[str, Any] | None) -> None:
        line = json.dumps({"output": output, "entry": entry}, sort_keys=True) + "\n"
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
            os.write(self.fd, line.encode("ascii"))  # one write: a line is whole or torn, never mixed
        except OSError as exc:
            self.error = f"{display_path(self.path)}: cannot write: {exc.strerror or exc}"

    def close(self, remove: bool) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)


def file_digest(path: Path) -> str | None:
    """SHA-256 of a regular file's content (None for a pipe or a file that cannot be read)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # opening a FIFO would take what the reader needs
            return None
        with path.open("rb") as fh:
            digest = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except OSError:
        return None


def content_key(input_sha256: str | None, source: str, opts: BatchOptions) -> str | None:
    """What an output is keyed by: the SHA-256 of the input's content, the ``source`` its records
    name, the toolkit version and the options that change an output (``fingerprint``).  No path
    and no time goes in, so the key is the same on any machine the folder is copied to, and any
    change to what an output depends on changes it."""
    if not input_sha256:
        return None
    body = {"input_sha256": input_sha256, "source": source, "version": __version__, **opts.fingerprint()}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=True).encode("ascii")).hexdigest()


def input_digest(item: Input) -> str | None:
    """SHA-256 of an input's content, where it is (a local file, or an object named by URL)."""
    return remote.url_digest(item.url) if item.url else file_digest(item.path)


def input_key(item: Input, opts: BatchOptions) -> str | None:
    """The key of ``item`` as it is now (None when it cannot be read: it runs, and says why)."""
    return content_key(input_digest(item), item.label, opts)


def known_key(item: Input, prev: dict[str, Any] | None, opts: BatchOptions) -> str | None:
    """The key the output of ``item`` was made for, if that output is whole (its SHA-256 is the one
    written): the input is current when its own key is this one.  None with ``--force``."""
    if opts.force or prev is None or not prev.get("key") or not prev.get("output_sha256"):
        return None
    if file_digest(opts.out_dir / item.output) != prev["output_sha256"]:
        return None
    return str(prev["key"])


def _state_entry(item: Input, result: FileResult, opts: BatchOptions, made: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": made.get("key"),
        "source": item.label,
        "input_sha256": made.get("input_sha256"),
        "output_sha256": made.get("output_sha256"),
        "version": __version__,
        "options": opts.fingerprint(),
        "pages": result.pages,
        "records": result.records,
        "warnings": result.warnings,
    }


def _skipped(item: Input, prev: dict[str, Any]) -> FileResult:
    """The report entry of a current input: its figures come from the run that made its output."""
    return FileResult(
        input=item.shown,
        output=display_path(item.output),
        status="skipped",
        pages=prev.get("pages"),
        records=prev.get("records"),
        seconds=0.0,
        warnings=list(prev.get("warnings") or []),
    )


def _output_rows(path: Path, fmt: str) -> Iterator[dict[str, str]]:
    """The records of a per-file output as CSV cells (all.csv)."""
    with path.open(encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            yield from csv.DictReader(fh)
        else:
            for line in fh:
                if line.strip():
                    yield {k: cell(v) for k, v in json.loads(line).items()}


# --- the work of one file, the same on every executor ------------------------------


def _extract_rendered(item: Input, fmt: str, options: Options) -> dict[str, Any]:
    """In the isolated child: one input's rendered output, page count and record count.  An
    object named by URL is fetched here, so the child's time and memory limits cover it."""
    if item.url is None:
        return _rendered(item, item.path, fmt, options)
    with remote.local_copy(item.url) as local:
        try:
            return _rendered(item, local, fmt, options)
        except InputError as exc:
            raise remote.renamed(exc, local, item.url) from None


def _rendered(item: Input, path: Path, fmt: str, options: Options) -> dict[str, Any]:
    digest = file_digest(path)  # before reading: the output is of this content or a later one
    document = extract_document(path, options)
    for record in document.records:
        record.source = item.label
    return {
        "text": render(document.records, fmt),
        "pages": document.pages,
        "records": len(document.records),
        "input_sha256": digest,
    }


def conclude(item: Input, opts: BatchOptions, ended: Ended, seconds: float) -> FileDone:
    """How the isolated child of one input ended, as its report entry and what to write."""
    result = FileResult(
        input=item.shown, output=None, status="failed", seconds=round(seconds, 3)
    )
    done = FileDone(result=result)
    if ended.timed_out:
        result.status = "timeout"
        result.error = f"timed out after {opts.timeout:g} s"
    elif ended.outcome is None:
        result.error = died(ended.exitcode, opts.max_memory)
    else:
        outcome = ended.outcome
        result.warnings = [name_warning(item.shown, w) for w in outcome.warnings]
        done.traceback = outcome.traceback
        if outcome.error is not None:
            result.error = printable(outcome.error)
        else:
            made = dict(outcome.value)
            done.text = made.pop("text")
            result.pages, result.records = made["pages"], made["records"]
            made["key"] = content_key(made["input_sha256"], item.label, opts)
            done.made = made
    return done


def process_file(item: Input, opts: BatchOptions, options: Options, known: str | None) -> FileDone:
    """One input, start to end, where it is run (a dask worker): path in, report entry and
    rendered records out.  Nothing but the path travels here; the input is hashed here (where its
    bytes are), and when its key is ``known`` its output stands and nothing is read.  The file
    runs in the same isolated child as on the local executor, with the same limits, started from
    a forkserver (this process has threads)."""
    ready_forkserver()
    if known is not None and input_key(item, opts) == known:
        return FileDone(
            result=FileResult(input=item.shown, output=None, status="skipped"), current=True
        )
    started = time.monotonic()
    ended = run_child(
        _extract_rendered,
        (item, opts.fmt, options),
        opts.timeout or None,
        opts.max_memory,
        opts.debug,
        name=f"yosan:{item.label}",
        method="forkserver",
    )
    return conclude(item, opts, ended, time.monotonic() - started)


def ready_forkserver() -> None:
    """Have this process's forkserver (started on its first file) import and warm up the readers
    first (``warm.py``), as the local executor does before it forks."""
    global _FORKSERVER_SET
    if not _FORKSERVER_SET:
        import multiprocessing

        # A nanny starts its worker as a daemonic process, which multiprocessing lets start no
        # child, lest it be left behind: these children die with their forkserver, and it with
        # this process (isolate.die_with_parent).
        multiprocessing.current_process().daemon = False
        multiprocessing.get_context("forkserver").set_forkserver_preload([f"{__package__}.warm"])
        _FORKSERVER_SET = True


def start_forkserver() -> str:
    """On a dask worker, before its first file: the forkserver started and warmed up, so that no
    file's time includes it.  Returns the toolkit version there (keys are made there)."""
    import multiprocessing

    ready_forkserver()
    probe = multiprocessing.get_context("forkserver").Process(target=int)  # waits for the server's imports
    probe.start()
    probe.join()
    return __version__


_FORKSERVER_SET = False


class Recorder:
    """Where every file's end is recorded, whichever executor ran it: its output written (whole,
    or an older one removed), the state and journal updated, its report entry kept, progress
    shown.  Signals are held off meanwhile: a file's output, state and entry go together."""

    def __init__(
        self,
        opts: BatchOptions,
        results: list[FileResult | None],
        progress: Progress,
        state: dict[str, dict[str, Any]],
        journal: _Journal,
    ) -> None:
        self.opts = opts
        self.results = results
        self.progress = progress
        self.state = state
        self.journal = journal

    def skipped(self, index: int, item: Input, prev: dict[str, Any]) -> None:
        result = _skipped(item, prev)
        self.results[index] = result
        self.progress.done(result)

    def record(self, index: int, item: Input, done: FileDone) -> None:
        result = done.result
        if done.traceback:
            self.progress.say(done.traceback.rstrip())
        with signals_held():
            if done.text is not None:
                try:
                    write_atomic(self.opts.out_dir / item.output, done.text)
                    result.status, result.output = "ok", display_path(item.output)
                    done.made["output_sha256"] = hashlib.sha256(done.text.encode("utf-8")).hexdigest()
                except OSError as exc:
                    where = display_path(self.opts.out_dir / item.output)
                    result.error = f"cannot write {where}: {exc.strerror or exc}"
                    result.records = None
            if result.status == "ok":
                self.state[item.output] = _state_entry(item, result, self.opts, done.made)
                self.journal.record(item.output, self.state[item.output])
            else:
                with contextlib.suppress(OSError):  # an older output would now be wrong
                    (self.opts.out_dir / item.output).unlink(missing_ok=True)
                if self.state.pop(item.output, None) is not None:
                    self.journal.record(item.output, None)
        self.results[index] = result
        self.progress.done(result)


@dataclass
class _Running:
    index: int
    item: Input
    process: Any  # a forked multiprocessing Process
    conn: Connection
    started: float
    deadline: float | None


# --- progress ------------------------------------------------------------------


class Progress:
    """A tqdm bar on a terminal, plain lines otherwise; errors and warnings as ``yosan:`` lines.

    A stream that cannot be written any more (a closed pipe) silences the
    progress, never the run.
    """

    def __init__(self, total: int, stream: IO[str] | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.count = 0
        self.bar = None
        self.silent = False
        self.quiet = quiet  # errors only: no progress, no warnings
        isatty = getattr(self.stream, "isatty", None)
        if total and isatty and isatty() and not quiet:
            import tqdm

            tqdm.tqdm.monitor_interval = 0  # no monitor thread: workers are forked
            self.bar = tqdm.tqdm(total=total, file=self.stream, unit="file", dynamic_ncols=True)

    def say(self, line: str) -> None:
        if self.silent:
            return
        try:
            if self.bar is not None:
                self.bar.write(line, file=self.stream)
            else:
                print(line, file=self.stream, flush=True)
        except (OSError, ValueError):
            self.silent = True

    def done(self, result: FileResult) -> None:
        self.count += 1
        if self.bar is not None and not self.silent:
            try:
                self.bar.set_postfix_str(Path(result.input).name, refresh=False)
                self.bar.update(1)
            except (OSError, ValueError):
                self.silent = True
        elif not self.quiet:
            self.say(f"[{self.count}/{self.total}] {result.input}: {_describe(result)}")
        for warning in [] if self.quiet else result.warnings:
            self.say(f"yosan: warning: {warning}")
        if result.error and result.status != "interrupted":
            self.say(f"yosan: error: {result.input}: {result.error}")

    def close(self) -> None:
        if self.bar is not None:
            with contextlib.suppress(OSError, ValueError):
                self.bar.close()
            self.bar = None


def _describe(result: FileResult) -> str:
    parts = [result.status]
    if result.status == "skipped":
        parts[0] = "skipped (up to date)"
    if result.records is not None and result.status in ("ok", "skipped"):
        parts.append(f"{result.records} records")
    if result.seconds is not None and result.status != "skipped":
        parts.append(f"{result.seconds:.1f} s")
    return ", ".join(parts)


# --- the run -------------------------------------------------------------------


@dataclass
class BatchRun:
    results: list[FileResult]
    started: datetime
    finished: datetime
    interrupted: bool = False
    errors: list[str] = field(default_factory=list)  # the run's own: all.csv or report.json not written

    @property
    def exit_status(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.errors:
            return EXIT_FAILED
        return EXIT_OK if all(r.status in ("ok", "skipped") for r in self.results) else EXIT_FAILED

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.results if r.status == s) for s in STATUSES}


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class _Scheduler:
    """The local executor: runs the inputs that need it here, at most ``jobs`` isolated children
    at a time, waiting on all of them at once.

    What each finished file made goes into the journal at once, so that a run
    killed outright still skips it next time.
    """

    def __init__(self, inputs: list[Input], opts: BatchOptions, recorder: Recorder) -> None:
        self.opts = opts
        self.recorder = recorder
        self.queue = deque((i, item) for i, item in enumerate(inputs) if recorder.results[i] is None)
        self.running: dict[int, _Running] = {}
        self.options = per_file_options(opts, opts.jobs, len(self.queue))

    def run(self) -> None:
        """Start, wait, collect.  Ctrl-C lands only while waiting: a file's result, its
        output and its report entry are recorded together or not at all."""
        if self.queue:
            preload([item for _, item in self.queue], self.opts.extract.ocr, self.opts.jobs)
        while self.queue or self.running:
            with signals_held():
                while self.queue and len(self.running) < self.opts.jobs:
                    self._start(*self.queue.popleft())
            self._wait()

    def _start(self, index: int, item: Input) -> None:
        with signals_held():
            process, reader = start(
                _extract_rendered,
                (item, self.opts.fmt, self.options),
                self.opts.debug,
                self.opts.max_memory,
                name=f"yosan:{item.label}",
            )
            started = time.monotonic()
            self.running[index] = _Running(
                index=index,
                item=item,
                process=process,
                conn=reader,
                started=started,
                deadline=started + self.opts.timeout if self.opts.timeout else None,
            )

    def _wait(self) -> None:
        deadlines = [r.deadline for r in self.running.values() if r.deadline is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        objects: list[Any] = [r.conn for r in self.running.values()]
        objects += [r.process.sentinel for r in self.running.values()]
        wait(objects, timeout)
        with signals_held():
            self._collect()

    def _collect(self) -> None:
        now = time.monotonic()
        for run in list(self.running.values()):
            if run.conn.poll():  # a result, or EOF from a worker that died
                try:
                    outcome: Outcome | None = run.conn.recv()
                except (EOFError, OSError):
                    outcome = None
                self._finish(run, outcome)
            elif wait([run.process.sentinel], 0):  # died without a word
                self._finish(run, None)
            elif run.deadline is not None and now >= run.deadline:
                self._finish(run, None, timed_out=True)

    def _finish(self, run: _Running, outcome: Outcome | None, timed_out: bool = False) -> None:
        # The worker has sent its result, died or overrun: kill its group (it and
        # anything it started) before reaping it, so that its pid, and so the
        # group id, cannot have been reused by then.
        kill_group(run.process.pid)
        run.process.join()
        run.conn.close()
        del self.running[run.index]
        ended = Ended(
            outcome=None if timed_out else outcome, exitcode=run.process.exitcode, timed_out=timed_out
        )
        done = conclude(run.item, self.opts, ended, time.monotonic() - run.started)
        self.recorder.record(run.index, run.item, done)

    def stop(self) -> None:
        """Kill every running worker (an interruption)."""
        for run in self.running.values():
            kill_group(run.process.pid)
        for run in self.running.values():
            run.process.join()
            run.conn.close()
        self.running.clear()


def per_file_options(opts: BatchOptions, slots: int, files: int) -> Options:
    """The extract options of each file: OCR processes for one document share the ``slots``
    (files at once) that fewer files than slots leave free."""
    return replace(opts.extract, jobs=max(1, slots // max(1, min(slots, files))))


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """Hold the output folder for this run: a second batch into it is refused, not interleaved.

    The lock is on the folder itself (``flock``), so it leaves no file behind
    and is released when the process ends, however it ends.
    """
    fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise UsageError(display_path(out_dir), "another yosan batch is writing here") from None
            raise UsageError(display_path(out_dir), f"cannot lock: {exc.strerror or exc}") from None
        yield
    finally:
        os.close(fd)


def run_batch(
    inputs: list[Input],
    opts: BatchOptions,
    problems: Sequence[FileResult] = (),
    progress: Progress | None = None,
) -> BatchRun:
    """Run every input, write outputs, ``all.csv`` and ``report.json``; never raises for one file's fault.

    Ctrl-C or SIGTERM stops the workers and still writes the report (the
    unfinished files marked ``interrupted``) and ``all.csv`` of what finished.
    Raises UsageError when another batch holds the output folder.
    """
    try:
        opts.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(display_path(opts.out_dir), f"cannot write here: {exc.strerror or exc}") from None
    with _locked(opts.out_dir):
        return _run_locked(inputs, opts, problems, progress)


def _run_locked(
    inputs: list[Input],
    opts: BatchOptions,
    problems: Sequence[FileResult],
    progress: Progress | None,
) -> BatchRun:
    started = datetime.now().astimezone()
    results: list[FileResult | None] = [None] * len(inputs)
    progress = progress or Progress(len(inputs) + len(problems))
    in_main = multiprocessing_main()
    old_int = signal.getsignal(signal.SIGINT)
    old_term = signal.signal(signal.SIGTERM, _raise_interrupt) if in_main else None
    scheduler: Any = None
    interrupted = False
    state = load_state(opts.out_dir)
    journal = _Journal(opts.out_dir)
    recorder = Recorder(opts, results, progress, state, journal)
    try:
        for problem in problems:
            progress.done(problem)
        previous = {} if opts.force else state
        if opts.executor == "dask":
            from .cluster import DaskExecutor

            scheduler = DaskExecutor(inputs, opts, recorder, previous)
        else:
            _skip_current(inputs, opts, recorder, previous)
            scheduler = _Scheduler(inputs, opts, recorder)
        scheduler.run()
    except KeyboardInterrupt:
        interrupted = True
        if in_main:  # finish the report whatever is pressed now
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
    finally:
        if scheduler is not None:
            scheduler.stop()  # after an interruption (or a bug here): no worker outlives the batch
        progress.close()
    try:
        final = [
            r
            or FileResult(
                input=item.shown, output=None, status="interrupted", error="interrupted"
            )
            for r, item in zip(results, inputs, strict=True)
        ]
        run = BatchRun(
            results=list(problems) + final,
            started=started,
            finished=datetime.now().astimezone(),
            interrupted=interrupted,
        )
        if journal.error:
            run.errors.append(journal.error)
        with signals_held():
            # The state first (what the next run relies on), then the journal it
            # replaces; all.csv and report.json each whole or gone, never stale.
            written = _write_run_file(run, opts.out_dir / STATE, lambda fh: fh.write(render_state(state)))
            journal.close(remove=written)
            outputs = [
                item.output for item, r in zip(inputs, final, strict=True) if r.status in ("ok", "skipped")
            ]
            _write_run_file(run, opts.out_dir / COMBINED, lambda fh: write_combined(outputs, opts, fh))
            if opts.partition_by:
                from .dataset import Made, write_dataset

                made = [
                    Made(item.output, state.get(item.output, {}).get("output_sha256"), item.label, r.records)
                    for item, r in zip(inputs, final, strict=True)
                    if r.status in ("ok", "skipped")
                ]
                run.errors += write_dataset(made, opts.out_dir, opts.fmt, opts.partition_by)
            _write_run_file(run, opts.out_dir / REPORT, lambda fh: fh.write(render_report(run, opts)))
        for error in run.errors:
            progress.say(f"yosan: error: {error}")
    finally:
        journal.close(remove=False)
        if in_main:
            signal.signal(signal.SIGINT, old_int if old_int is not None else signal.SIG_DFL)
            signal.signal(signal.SIGTERM, old_term if old_term is not None else signal.SIG_DFL)
    return run


def multiprocessing_main() -> bool:
    import multiprocessing

    return multiprocessing.current_process().name == "MainProcess"


def _write_run_file(run: BatchRun, path: Path, write: Any) -> bool:
    """Write one of the run's own files whole, or remove the old one and say why (a full disk)."""
    try:
        with atomic_open(path) as fh:
            write(fh)
        return True
    except (OSError, csv.Error, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        run.errors.append(f"{display_path(path)}: cannot write: {reason}")
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return False


def _skip_current(
    inputs: list[Input], opts: BatchOptions, recorder: Recorder, previous: dict[str, dict[str, Any]]
) -> None:
    """Mark inputs whose key is the one their output was made for as skipped (the local executor;
    a dask worker makes the same check where the input is, in ``process_file``)."""
    for i, item in enumerate(inputs):
        prev = previous.get(item.output)
        known = known_key(item, prev, opts)
        if prev is not None and known is not None and input_key(item, opts) == known:
            recorder.skipped(i, item, prev)


def write_combined(outputs: Sequence[str], opts: BatchOptions, fh: IO[str]) -> None:
    """``all.csv``: every record of ``outputs`` (those of the files that are ok or skipped, in
    input order) in one fixed schema, ALL_COLUMNS."""
    writer = csv.DictWriter(fh, fieldnames=ALL_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for name in outputs:
        for row in _output_rows(opts.out_dir / name, opts.fmt):
            writer.writerow({c: row.get(c) or "" for c in ALL_COLUMNS})


def render_state(state: dict[str, dict[str, Any]]) -> str:
    """The state as JSON; ASCII, so that file names that are not UTF-8 survive the round trip."""
    body = {"toolkit": "yosan-extract", "version": __version__, "outputs": state}
    return json.dumps(body, ensure_ascii=True, indent=1, sort_keys=True) + "\n"


def render_report(run: BatchRun, opts: BatchOptions) -> str:
    counts = run.counts()
    report = {
        "toolkit": "yosan-extract",
        "version": __version__,
        "started": run.started.isoformat(timespec="seconds"),
        "finished": run.finished.isoformat(timespec="seconds"),
        "interrupted": run.interrupted,
        "errors": run.errors,
        "output_folder": display_path(opts.out_dir),
        "options": opts.as_json(),
        "summary": {
            "files": len(run.results),
            **counts,
            "records": sum(r.records or 0 for r in run.results if r.status in ("ok", "skipped")),
        },
        "files": [asdict(r) for r in run.results],
    }
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def summary_line(run: BatchRun, opts: BatchOptions) -> str:
    counts = run.counts()
    seconds = (run.finished - run.started).total_seconds()
    records = sum(r.records or 0 for r in run.results if r.status in ("ok", "skipped"))
    done = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    head = "interrupted: " if run.interrupted else ""
    files = len(run.results)
    out = display_path(opts.out_dir)
    combined = f"in {out}/{COMBINED}" if (opts.out_dir / COMBINED).exists() else f"(no {COMBINED})"
    return (
        f"yosan: {head}{files} file{'s' if files != 1 else ''} ({done}); {records} records "
        f"{combined}, report in {out}/{REPORT} ({seconds:.1f} s)"
    )


def preload(inputs: Sequence[Input] = (), ocr: str = "auto", jobs: int = 1) -> None:
    """Import the readers the inputs need once here rather than once per forked worker, and, when
    there are more inputs than workers at once, set up what the libraries set up on first use."""
    many = len(inputs) > jobs
    images = ocr != "never" and sum(1 for item in inputs if item.path.suffix.lower() in IMAGE_SUFFIXES) > jobs
    load_readers(pdfminer=many, ocr=images, warm=many)


def load_readers(pdfminer: bool = True, ocr: bool = True, warm: bool = True) -> None:
    """Import the PDF reader (and pdfminer's page tree, the OCR reader), and with ``warm`` read a
    text and a PDF, so that processes forked from this one start with them ready."""
    modules = [f"{__package__}.pdf"]
    if pdfminer:
        modules += ["pdfminer.pdfdocument", "pdfminer.pdfpage", "pdfminer.pdfparser"]
    if ocr:
        modules += [f"{__package__}.ocr", "cv2"]
    for name in modules:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    if ocr:
        with contextlib.suppress(Exception):
            from .ocr import _tesseract

            _tesseract()  # pytesseract, without pandas (and pyarrow) in every worker
    if not warm:
        return
    # What a library sets up on first use (the regex module compiling patterns given as strings,
    # PDFium its fonts) is set up in each worker again unless done here first: a text and a PDF
    # read here save every worker about 0.1 s.
    logger = logging.getLogger("yosan")
    disabled, logger.disabled = logger.disabled, True
    try:
        with contextlib.suppress(Exception), tempfile.TemporaryDirectory(prefix="yosan-") as folder:
            from .pipeline import extract_document, extract_text

            extract_text(_WARM_UP)
            pdf = Path(folder) / "warm-up.pdf"
            pdf.write_bytes(_WARM_UP_PDF)
            extract_document(pdf, Options(ocr="never"))
    finally:
        logger.disabled = disabled


_WARM_UP = """1. 科学技術の振興
令和2年度予算額(案) 1,732百万円 (前年度予算額 1,326百万円)
※1 前年度予算額には令和元年度終了事業の<名称>(354百万円)が含まれる
- ① **施設の整備費 1,358百万円(952百万円)**
(単位:百万円)
事業	予算額	前年度予算額
施設	1,358	952
令和元年度補正予算額(案) 18,198百万円
支援額:35百万円程度/年・課題
"""
_WARM_UP_CONTENT = b"BT /F1 12 Tf 72 700 Td (1,000 2,000) Tj ET"
_WARM_UP_PDF = (
    b"%%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
    b" /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n"
    b"4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n"
    b"5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%%%EOF\n" % (len(_WARM_UP_CONTENT), _WARM_UP_CONTENT)
)
