"""One input in a worker process of its own: a time limit, a memory limit, and no worker without its parent.

``yosan batch`` runs many of these at once (``batch.py``); ``yosan extract``
and ``yosan check`` run one input at a time the same way, so a hostile file
(a flate bomb, a page that takes hours) costs that file only and ends in one
error line: ``timed out after S s``, ``out of memory …``, ``worker crashed …``.

A worker is forked, puts itself in a process group of its own (a timeout kills
it and anything it started, e.g. tesseract), limits its address space, and
dies with its parent (``PR_SET_PDEATHSIG``): a ``kill -9`` of the command
leaves no worker running on past its time.  Its warnings are collected and
sent back with its result; the parent prints them.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from .errors import InputError, YosanError, printable

DEFAULT_TIMEOUT = 1800.0  # seconds per file; a scanned 600-page document needs minutes
DEFAULT_MAX_MEMORY = 2048  # MB of address space per worker
SIGNALS = {signal.SIGINT, signal.SIGTERM}
_PR_SET_PDEATHSIG = 1


@dataclass
class Outcome:
    """What a worker sends back: its result, or why there is none, and its warnings."""

    value: Any = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    traceback: str | None = None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(printable(record.getMessage()))


def limit_memory(megabytes: int | None) -> None:
    """Limit this process's address space (its children inherit the limit)."""
    if not megabytes:
        return
    import resource

    limit = megabytes * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def die_with_parent(parent: int | None = None) -> None:
    """Be killed when the process that started this one dies (Linux); exit now if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _leave_forkserver() -> None:
    """In a child of a forkserver: close the end of the pipe by which the server sees that the
    process it serves (a dask worker) is alive.  Each child is handed one; held here, a lost
    worker would leave its server, and so this child (``die_with_parent``), running on."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
        server._forkserver_alive_fd = None  # type: ignore[union-attr]


def is_out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, or what a library says instead (OpenCV: ``Insufficient memory``)."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return type(exc).__module__.startswith("cv2") and (
        "insufficient memory" in text or "failed to allocate" in text or "out of memory" in text
    )


def error_of(exc: BaseException, max_memory: int | None) -> str:
    """The one-line reason a worker reports for ``exc``."""
    if is_out_of_memory(exc):
        return "out of memory" + (f" (more than --max-memory {max_memory} MB)" if max_memory else "")
    if isinstance(exc, InputError):
        return exc.reason
    if isinstance(exc, YosanError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc}"


def worker_main(
    conn: Connection,
    parent: int | None,
    debug: bool,
    max_memory: int | None,
    target: Callable[..., Any],
    args: tuple[Any, ...],
) -> None:
    """The body of a forked worker: set it up, run ``target(*args)``, send an Outcome back."""
    # Own process group: a terminal's Ctrl-C reaches the parent only, and a
    # timeout kills this worker and anything it started.  Signals were blocked
    # across the fork, so none can arrive before the handlers are reset.
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
    die_with_parent(parent)
    if parent is None:
        _leave_forkserver()
    if not debug:  # libraries' own chatter (libtiff, C code, lastResort logging) stays off the terminal
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    collect = _Collect()
    logger = logging.getLogger("yosan")
    logger.handlers[:] = [collect]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    outcome = Outcome()
    try:
        limit_memory(max_memory)
        outcome.value = target(*args)
    except Exception as exc:  # a bug or a library's surprise: this file's error, not the run's
        outcome = Outcome(error=error_of(exc, max_memory))
        if debug and not isinstance(exc, YosanError):
            outcome.traceback = traceback.format_exc()
    outcome.warnings = collect.messages
    try:
        conn.send(outcome)
    except MemoryError:  # the result itself did not fit
        conn.send(Outcome(error=error_of(MemoryError(), max_memory), warnings=collect.messages))
    conn.close()


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def died(exitcode: int | None, max_memory: int | None) -> str:
    """Why a worker that sent nothing is gone."""
    if exitcode is not None and exitcode < 0:
        name = signal_name(-exitcode)
        # a C library that does not check an allocation the address-space limit refused
        # crashes on it: under a limit, a SIGSEGV or SIGBUS may be memory too
        memory = {signal.SIGKILL, signal.SIGABRT, signal.SIGTRAP}
        if max_memory:
            memory |= {signal.SIGSEGV, signal.SIGBUS}
        hint = " (out of memory?)" if -exitcode in memory else ""
        return f"worker crashed: {name}{hint}"
    if max_memory:
        return f"worker exited with status {exitcode} (out of memory? limit {max_memory} MB)"
    return f"worker exited with status {exitcode}"


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM off (they arrive right after): a file write or a fork is never cut in half."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def start(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    debug: bool,
    max_memory: int | None,
    name: str = "yosan",
    method: str = "fork",
) -> tuple[multiprocessing.process.BaseProcess, Connection]:
    """Start a worker running ``target(*args)``; the reader gets its Outcome (or EOF when it dies).

    ``method`` is ``fork`` from a process of one thread (the CLI, the local
    batch), ``forkserver`` from one with many (a dask worker, ``FORKSERVER``):
    a fork there copies the other threads' memory, which the address-space
    limit would count, and any lock they held.
    """
    context: Any = multiprocessing.get_context(method)
    reader, writer = context.Pipe(duplex=False)
    parent = os.getpid() if method == "fork" else None  # a forkserver's child's parent is the server
    process = context.Process(
        target=worker_main,
        args=(writer, parent, debug, max_memory, target, args),
        name=name,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    with signals_held():
        process.start()
    writer.close()  # so that the reader sees EOF when the worker dies
    return process, reader


def _follow(
    reader: Connection, fd: int, events: Callable[[str], None], deadline: float | None, tick: float
) -> bool:
    """Pass the worker's event lines on until its result is ready (True) or the deadline (False)."""
    from multiprocessing.connection import wait

    pending = b""
    open_fd: int | None = fd
    while True:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        step = tick if remaining is None else min(tick, remaining)
        ready = wait([reader] + ([open_fd] if open_fd is not None else []), step)
        if open_fd is not None and open_fd in ready:
            chunk = os.read(open_fd, 65536)
            if not chunk:
                open_fd = None
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                events(line.decode("ascii", "replace"))
        if reader in ready:
            return True
        if deadline is not None and time.monotonic() >= deadline:
            return False
        events("")


@dataclass
class Ended:
    """How a worker ended: its Outcome (None when it died without one), its exit code, and
    whether it ran past its time."""

    outcome: Outcome | None
    exitcode: int | None
    timed_out: bool = False

    def as_outcome(self, timeout: float | None, max_memory: int | None) -> Outcome:
        """One Outcome either way: a timeout or a death is the error."""
        if self.timed_out:
            return Outcome(error=f"timed out after {timeout:g} s")
        if self.outcome is None:
            return Outcome(error=died(self.exitcode, max_memory))
        return self.outcome


def run_one(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    timeout: float | None,
    max_memory: int | None,
    **kw: Any,
) -> Outcome:
    """``run_child``, a timeout or a death being the Outcome's error (``yosan extract``, ``check``)."""
    return run_child(target, args, timeout, max_memory, **kw).as_outcome(timeout, max_memory)


def run_child(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    timeout: float | None,
    max_memory: int | None,
    debug: bool = False,
    name: str = "yosan",
    method: str = "fork",
    events: Callable[[str], None] | None = None,
    tick: float = 1.0,
) -> Ended:
    """Run ``target(*args)`` in a worker and wait for it, at most ``timeout`` seconds; say how it
    ended, a timeout and a death apart from an error (``yosan batch`` reports them as ``timeout``
    and ``failed``).

    With ``events``, the worker gets one more argument, the write end of a pipe,
    and each line written to it is passed to ``events`` as it comes (progress);
    ``events("")`` is called every ``tick`` seconds in between.
    Ctrl-C kills the worker and is raised here.
    """
    pipe = os.pipe() if events is not None else None
    try:
        process, reader = start(target, args + ((pipe[1],) if pipe else ()), debug, max_memory, name, method)
    finally:
        if pipe:
            os.close(pipe[1])  # the worker has it; EOF once it and its page processes are gone
    deadline = time.monotonic() + timeout if timeout else None
    outcome: Outcome | None = None
    timed_out = False
    try:
        if pipe is None or events is None:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = reader.poll(remaining)  # a result, or EOF from a worker that died
        else:
            ready = _follow(reader, pipe[0], events, deadline, tick)
        if ready:
            with contextlib.suppress(EOFError, OSError):
                outcome = reader.recv()
        else:
            timed_out = True
    finally:
        kill_group(process.pid)  # type: ignore[arg-type]
        process.join()
        reader.close()
        if pipe:
            os.close(pipe[0])
    return Ended(outcome=None if timed_out else outcome, exitcode=process.exitcode, timed_out=timed_out)
