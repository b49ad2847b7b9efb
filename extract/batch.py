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
the run, and ``.yosan-state.json`` remembers what made each output (toolkit
version, options, input), so that a re-run skips inputs whose outputs are
still current.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import importlib
import json
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import IO, Any

from . import __version__
from .errors import InputError, YosanError
from .model import ALL_COLUMNS
from .output import atomic_open, cell, render, write_atomic
from .pipeline import IMAGE_SUFFIXES, Options, extract_document

INPUT_SUFFIXES = (".pdf", ".txt", *IMAGE_SUFFIXES)
BATCH_FORMATS = ("csv", "jsonl")
REPORT = "report.json"
STATE = ".yosan-state.json"  # what made each output, for re-runs
COMBINED = "all.csv"
DEFAULT_TIMEOUT = 1800.0  # seconds per file; a scanned 600-page document needs minutes
DEFAULT_MAX_MEMORY = 2048  # MB of address space per worker
STATUSES = ("ok", "failed", "skipped", "timeout", "interrupted")
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
_SIGNALS = {signal.SIGINT, signal.SIGTERM}


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


@dataclass
class _Outcome:
    """What a worker sends back: the rendered output, or why there is none."""

    text: str | None = None
    pages: int | None = None
    records: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    traceback: str | None = None


# --- finding inputs ----------------------------------------------------------


def _is_input(path: Path) -> bool:
    return path.suffix.lower() in INPUT_SUFFIXES and not path.name.startswith(".")


def _walk(folder: Path) -> list[Path]:
    """Input files below ``folder``, sorted; hidden entries and symlinked folders are not followed."""
    found = []
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
    """(path, label) pairs named by one INPUT argument, or why it names none."""
    path = Path(spec)
    if path.is_dir():
        found = _walk(path)
        if not found:
            return [], f"no inputs found (looked for {', '.join(INPUT_SUFFIXES)})"
        return [(p, p.relative_to(path).as_posix()) for p in found], None
    if path.exists() or path.is_symlink() or not glob.has_magic(spec):
        return [(path, path.name)], None  # a missing file is reported by the worker, like any bad file
    root = _glob_root(spec)
    found = []
    for name in sorted(glob.glob(spec, recursive=True)):
        hit = Path(name)
        if hit.is_dir():
            found.extend((p, p.relative_to(root).as_posix()) for p in _walk(hit))
        else:  # named by the pattern itself, as the shell would have passed it
            found.append((hit, hit.relative_to(root).as_posix() if hit.is_relative_to(root) else hit.name))
    if not found:
        return [], "no inputs match"
    return found, None


def find_inputs(specs: Sequence[str], fmt: str) -> tuple[list[Input], list[FileResult]]:
    """The inputs named by ``specs`` (each file once) and a failed result per argument that names none.

    An input's label is its path below the folder or glob root it was found
    in (its name when given as a file); output names are ``<label>.<fmt>``.
    When two inputs share a label (one name in two folders, both given as
    files) their records' ``source`` is the path as given instead, and the
    later outputs get ``~2``, ``~3`` before the suffix.
    """
    pairs: list[tuple[Path, str]] = []
    problems: list[FileResult] = []
    seen: set[str] = set()
    for spec in specs:
        found, reason = _expand(spec)
        if reason:
            problems.append(FileResult(input=spec, output=None, status="failed", error=reason))
        for path, label in found:
            if ".." in Path(label).parts:  # an output must stay inside the output folder
                label = path.name
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                pairs.append((path, label))
    counts: dict[str, int] = {}
    for _, label in pairs:
        counts[label.casefold()] = counts.get(label.casefold(), 0) + 1
    taken = {COMBINED, REPORT}
    inputs = []
    for path, label in pairs:
        source = label if counts[label.casefold()] == 1 else str(path)
        name = f"{label}.{fmt}"
        k = 1
        while name.casefold() in taken:
            k += 1
            stem = Path(label)
            name = stem.with_name(f"{stem.stem}~{k}{stem.suffix}").as_posix() + f".{fmt}"
        taken.add(name.casefold())
        inputs.append(Input(path=path, label=source, output=name))
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


def load_state(out_dir: Path) -> dict[str, dict[str, Any]]:
    """What earlier runs made in this folder, by output name (``.yosan-state.json``).

    Kept apart from report.json, which describes the last run only: a run over
    other inputs (or a mistyped one) must not make the next run redo
    everything.
    """
    try:
        state = json.loads((out_dir / STATE).read_text(encoding="utf-8"))
        entries = state["outputs"]
        return {k: v for k, v in entries.items() if isinstance(v, dict)} if isinstance(entries, dict) else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _state_entry(item: Input, result: FileResult, opts: BatchOptions) -> dict[str, Any]:
    return {
        "input": os.path.realpath(item.path),
        "version": __version__,
        "options": opts.fingerprint(),
        "pages": result.pages,
        "records": result.records,
        "warnings": result.warnings,
    }


def _output_rows(path: Path, fmt: str) -> Iterator[dict[str, str]]:
    """The records of a per-file output as CSV cells (all.csv and the up-to-date check)."""
    with path.open(encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            yield from csv.DictReader(fh)
        else:
            for line in fh:
                if line.strip():
                    yield {k: cell(v) for k, v in json.loads(line).items()}


def _up_to_date(item: Input, prev: dict[str, Any] | None, opts: BatchOptions) -> bool:
    """The output was made by this version with these options after the input last changed, and is whole."""
    if (
        prev is None
        or prev.get("version") != __version__
        or prev.get("options") != opts.fingerprint()
        or prev.get("input") != os.path.realpath(item.path)
    ):
        return False
    out = opts.out_dir / item.output
    try:
        if out.stat().st_mtime_ns <= item.path.stat().st_mtime_ns:
            return False
        return sum(1 for _ in _output_rows(out, opts.fmt)) == prev.get("records")
    except (OSError, ValueError, csv.Error):
        return False


# --- the worker ----------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    import resource

    limit = megabytes * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _work(conn: Connection, item: Input, opts: BatchOptions, options: Options) -> None:
    """Extract one input in this (forked) process and send an _Outcome back."""
    # Own process group: a terminal's Ctrl-C reaches the batch only, and a
    # timeout kills this worker and anything it started.  Signals were blocked
    # across the fork, so none can arrive before the handlers are reset.
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
    if not opts.debug:  # libraries' own chatter (C code, lastResort logging) stays off the terminal
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    collect = _Collect()
    logger = logging.getLogger("yosan")
    logger.handlers[:] = [collect]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    outcome = _Outcome()
    try:
        _limit_memory(opts.max_memory)
        document = extract_document(item.path, options)
        for record in document.records:
            record.source = item.label
        outcome.pages = document.pages
        outcome.records = len(document.records)
        outcome.text = render(document.records, opts.fmt)
        del document
    except MemoryError:
        limit = f" (more than --max-memory {opts.max_memory} MB)" if opts.max_memory else ""
        outcome = _Outcome(error=f"out of memory{limit}")
    except InputError as exc:
        outcome.error = exc.reason
    except YosanError as exc:
        outcome.error = str(exc)
    except Exception as exc:  # a bug or a library's surprise: this file's error, not the batch's
        outcome.error = f"internal error: {type(exc).__name__}: {exc}"
        outcome.traceback = traceback.format_exc() if opts.debug else None
    outcome.warnings = collect.messages
    conn.send(outcome)
    conn.close()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _died(exitcode: int | None, max_memory: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = _signal_name(-exitcode)
        hint = " (out of memory?)" if -exitcode in (signal.SIGKILL, signal.SIGABRT, signal.SIGTRAP) else ""
        return f"worker crashed: {name}{hint}"
    if max_memory:
        return f"worker exited with status {exitcode} (out of memory? limit {max_memory} MB)"
    return f"worker exited with status {exitcode}"


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM off (they arrive right after): a file write or a fork is never cut in half."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@dataclass
class _Running:
    index: int
    item: Input
    process: multiprocessing.process.BaseProcess
    conn: Connection
    started: float
    deadline: float | None


# --- progress ------------------------------------------------------------------


class Progress:
    """A tqdm bar on a terminal, plain lines otherwise; errors and warnings as ``yosan:`` lines."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.count = 0
        self.bar = None
        isatty = getattr(self.stream, "isatty", None)
        if total and isatty and isatty():
            import tqdm

            tqdm.tqdm.monitor_interval = 0  # no monitor thread: workers are forked
            self.bar = tqdm.tqdm(total=total, file=self.stream, unit="file", dynamic_ncols=True)

    def say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def done(self, result: FileResult) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.set_postfix_str(Path(result.input).name, refresh=False)
            self.bar.update(1)
        else:
            self.say(f"[{self.count}/{self.total}] {result.input}: {_describe(result)}")
        for warning in result.warnings:
            self.say(f"yosan: warning: {warning}")
        if result.error and result.status != "interrupted":
            self.say(f"yosan: error: {result.input}: {result.error}")

    def close(self) -> None:
        if self.bar is not None:
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

    @property
    def exit_status(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_OK if all(r.status in ("ok", "skipped") for r in self.results) else EXIT_FAILED

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.results if r.status == s) for s in STATUSES}


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class _Scheduler:
    """Runs the inputs that need it, at most ``jobs`` worker processes at a time."""

    def __init__(
        self, inputs: list[Input], results: list[FileResult | None], opts: BatchOptions, progress: Progress
    ) -> None:
        self.opts = opts
        self.results = results
        self.progress = progress
        self.queue = deque((i, item) for i, item in enumerate(inputs) if results[i] is None)
        self.running: dict[int, _Running] = {}
        self.context = multiprocessing.get_context("fork")
        per_file = max(1, opts.jobs // max(1, min(opts.jobs, len(self.queue))))
        self.options = replace(opts.extract, jobs=per_file)

    def run(self) -> None:
        """Start, wait, collect.  Ctrl-C lands only while waiting: a file's result, its
        output and its report entry are recorded together or not at all."""
        while self.queue or self.running:
            with _signals_held():
                while self.queue and len(self.running) < self.opts.jobs:
                    self._start(*self.queue.popleft())
            self._wait()

    def _start(self, index: int, item: Input) -> None:
        reader, writer = self.context.Pipe(duplex=False)
        process = self.context.Process(
            target=_work,
            args=(writer, item, self.opts, self.options),
            name=f"yosan:{item.label}",
        )
        sys.stdout.flush()
        sys.stderr.flush()
        with _signals_held():
            process.start()
            started = time.monotonic()
            self.running[index] = _Running(
                index=index,
                item=item,
                process=process,
                conn=reader,
                started=started,
                deadline=started + self.opts.timeout if self.opts.timeout else None,
            )
        writer.close()  # so that the reader sees EOF when the worker dies

    def _wait(self) -> None:
        deadlines = [r.deadline for r in self.running.values() if r.deadline is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        objects: list[Any] = [r.conn for r in self.running.values()]
        objects += [r.process.sentinel for r in self.running.values()]
        wait(objects, timeout)
        with _signals_held():
            self._collect()

    def _collect(self) -> None:
        now = time.monotonic()
        for run in list(self.running.values()):
            if run.conn.poll():  # a result, or EOF from a worker that died
                try:
                    outcome: _Outcome | None = run.conn.recv()
                except (EOFError, OSError):
                    outcome = None
                self._finish(run, outcome)
            elif wait([run.process.sentinel], 0):  # died without a word
                self._finish(run, None)
            elif run.deadline is not None and now >= run.deadline:
                self._finish(run, None, timed_out=True)

    def _finish(self, run: _Running, outcome: _Outcome | None, timed_out: bool = False) -> None:
        # The worker has sent its result, died or overrun: kill its group (it and
        # anything it started) before reaping it, so that its pid, and so the
        # group id, cannot have been reused by then.
        _kill_group(run.process.pid)  # type: ignore[arg-type]
        run.process.join()
        run.conn.close()
        del self.running[run.index]
        item = run.item
        result = FileResult(
            input=str(item.path),
            output=None,
            status="failed",
            seconds=round(time.monotonic() - run.started, 3),
        )
        if timed_out:
            result.status = "timeout"
            result.error = f"timed out after {self.opts.timeout:g} s"
        elif outcome is None:
            result.error = _died(run.process.exitcode, self.opts.max_memory)
        else:
            result.pages, result.warnings = outcome.pages, outcome.warnings
            if outcome.traceback:
                self.progress.say(outcome.traceback.rstrip())
            if outcome.error is not None:
                result.error = outcome.error
            else:
                assert outcome.text is not None
                try:
                    with _signals_held():
                        write_atomic(self.opts.out_dir / item.output, outcome.text)
                    result.status, result.output, result.records = "ok", item.output, outcome.records
                except OSError as exc:
                    result.error = f"cannot write {self.opts.out_dir / item.output}: {exc.strerror or exc}"
        if result.status != "ok":
            with _signals_held(), contextlib.suppress(OSError):  # an older output would now be wrong
                (self.opts.out_dir / item.output).unlink(missing_ok=True)
        self.results[run.index] = result
        self.progress.done(result)

    def stop(self) -> None:
        """Kill every running worker (an interruption)."""
        for run in self.running.values():
            _kill_group(run.process.pid)  # type: ignore[arg-type]
        for run in self.running.values():
            run.process.join()
            run.conn.close()
        self.running.clear()


def run_batch(
    inputs: list[Input],
    opts: BatchOptions,
    problems: Sequence[FileResult] = (),
    progress: Progress | None = None,
) -> BatchRun:
    """Run every input, write outputs, ``all.csv`` and ``report.json``; never raises for one file's fault.

    Ctrl-C or SIGTERM stops the workers and still writes the report (the
    unfinished files marked ``interrupted``) and ``all.csv`` of what finished.
    """
    started = datetime.now().astimezone()
    results: list[FileResult | None] = [None] * len(inputs)
    progress = progress or Progress(len(inputs) + len(problems))
    in_main = multiprocessing.current_process().name == "MainProcess"
    old_int = signal.getsignal(signal.SIGINT)
    old_term = signal.signal(signal.SIGTERM, _raise_interrupt) if in_main else None
    scheduler = None
    interrupted = False
    state = load_state(opts.out_dir)
    try:
        for problem in problems:
            progress.done(problem)
        _skip_current(inputs, results, opts, progress, {} if opts.force else state)
        scheduler = _Scheduler(inputs, results, opts, progress)
        if scheduler.queue:
            preload()
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
            r or FileResult(input=str(item.path), output=None, status="interrupted", error="interrupted")
            for r, item in zip(results, inputs, strict=True)
        ]
        run = BatchRun(
            results=list(problems) + final,
            started=started,
            finished=datetime.now().astimezone(),
            interrupted=interrupted,
        )
        for item, result in zip(inputs, final, strict=True):
            if result.status == "ok":
                state[item.output] = _state_entry(item, result, opts)
            elif result.status in ("failed", "timeout"):  # its output was removed
                state.pop(item.output, None)
        with _signals_held():
            write_combined(run, opts)
            write_atomic(opts.out_dir / STATE, render_state(state))
            write_atomic(opts.out_dir / REPORT, render_report(run, opts))
    finally:
        if in_main:
            signal.signal(signal.SIGINT, old_int if old_int is not None else signal.SIG_DFL)
            signal.signal(signal.SIGTERM, old_term if old_term is not None else signal.SIG_DFL)
    return run


def _skip_current(
    inputs: list[Input],
    results: list[FileResult | None],
    opts: BatchOptions,
    progress: Progress,
    previous: dict[str, dict[str, Any]],
) -> None:
    """Mark inputs whose outputs are current as skipped (their figures come from the run that made them)."""
    for i, item in enumerate(inputs):
        prev = previous.get(item.output)
        if prev is not None and _up_to_date(item, prev, opts):
            result = FileResult(
                input=str(item.path),
                output=item.output,
                status="skipped",
                pages=prev.get("pages"),
                records=prev.get("records"),
                seconds=0.0,
                warnings=list(prev.get("warnings") or []),
            )
            results[i] = result
            progress.done(result)


def write_combined(run: BatchRun, opts: BatchOptions) -> None:
    """``all.csv``: every record of the files that are ok or skipped, in input order, ALL_COLUMNS."""
    with atomic_open(opts.out_dir / COMBINED) as fh:
        writer = csv.DictWriter(fh, fieldnames=ALL_COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for result in run.results:
            if result.status in ("ok", "skipped") and result.output:
                for row in _output_rows(opts.out_dir / result.output, opts.fmt):
                    writer.writerow({c: row.get(c) or "" for c in ALL_COLUMNS})


def render_state(state: dict[str, dict[str, Any]]) -> str:
    body = {"toolkit": "yosan-extract", "version": __version__, "outputs": state}
    return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def render_report(run: BatchRun, opts: BatchOptions) -> str:
    counts = run.counts()
    report = {
        "toolkit": "yosan-extract",
        "version": __version__,
        "started": run.started.isoformat(timespec="seconds"),
        "finished": run.finished.isoformat(timespec="seconds"),
        "interrupted": run.interrupted,
        "output_folder": str(opts.out_dir),
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
    return (
        f"yosan: {head}{files} file{'s' if files != 1 else ''} ({done}); {records} records in "
        f"{opts.out_dir / COMBINED}, report in {opts.out_dir / REPORT} ({seconds:.1f} s)"
    )


def preload() -> None:
    """Import the PDF reader once here rather than once per forked worker."""
    with contextlib.suppress(Exception):
        importlib.import_module(".pdf", __package__)
