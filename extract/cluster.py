"""``yosan batch --executor dask``: the files of a batch on a dask.distributed cluster.

The client (this process) does what it does for the local executor: it
finds the inputs, writes every output, the state, all.csv, all.parquet and
report.json, and shows progress as each file ends.  A worker gets a path,
never the bytes (the inputs must be on a file system or object store every
worker sees), and runs ``batch.process_file`` on it: the input is hashed
there, skipped when its key is the one its output was made for, and
otherwise read in the same isolated child as locally, with the same
``--timeout`` and ``--max-memory``.  What comes back is the report entry and
the rendered records.

A worker lost while it runs a file (killed, its machine gone) costs that
attempt only: the file runs again on another worker, at most ``--retries``
times, and is then reported as failed, with ``retries`` in its report
entry.  A file's own failure is never retried (it would fail again).  The
LocalCluster started here is told to give up on a task after its first lost
worker (``allowed-failures`` 0), so that ``--retries`` is the count; a
scheduler of your own reschedules on its own first, up to its
``distributed.scheduler.allowed-failures`` (README).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import deque
from typing import Any

from . import __version__
from .batch import (
    BatchOptions,
    FileDone,
    FileResult,
    Input,
    Recorder,
    UsageError,
    known_key,
    per_file_options,
    process_file,
    start_forkserver,
)
from .errors import printable

CONNECT_TIMEOUT = 30.0  # seconds to reach a scheduler given with --scheduler
CLOSE_TIMEOUT = 10.0  # seconds to wait for a LocalCluster's workers to stop
QUIET = logging.CRITICAL  # dask's own log lines (a restarted worker …) unless --debug
LOST = "its dask worker died"
# The LocalCluster's scheduler gives a task whose worker is lost up at once: the client runs it
# again and counts the losses (--retries).
LOCAL_CLUSTER = {"distributed.scheduler.allowed-failures": 0}


class DaskExecutor:
    """Submits each input that needs it as one task; records each as it ends (``Recorder``)."""

    def __init__(
        self, inputs: list[Input], opts: BatchOptions, recorder: Recorder, previous: dict[str, dict[str, Any]]
    ) -> None:
        self.inputs = inputs
        self.opts = opts
        self.recorder = recorder
        self.previous = previous
        self.cluster: Any = None
        self.client: Any = None
        self.futures: dict[Any, tuple[int, int]] = {}  # future → (input index, attempt)
        self.token = uuid.uuid4().hex[:12]  # task keys of this run, apart from another client's
        self.known: dict[int, str | None] = {}

    def _connect(self) -> None:
        import dask
        from distributed import Client, LocalCluster

        level = logging.WARNING if self.opts.debug else QUIET
        for name in ("distributed", "tornado", "asyncio", "bokeh"):
            logging.getLogger(name).setLevel(level)
        try:
            if self.opts.scheduler:
                self.client = Client(self.opts.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
            else:
                with dask.config.set(LOCAL_CLUSTER):
                    self.cluster = LocalCluster(
                        n_workers=self.opts.jobs,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=level,
                    )
                self.client = Client(self.cluster, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            where = self.opts.scheduler or "a LocalCluster"
            raise UsageError(where, f"cannot start the dask client: {printable(str(exc))}") from None
        versions = self.client.run(start_forkserver)
        other = {address: v for address, v in versions.items() if v != __version__}
        if other:
            address, version = next(iter(other.items()))
            raise UsageError(
                self.opts.scheduler or "LocalCluster",
                f"worker {address} runs yosan-extract {version}, this is {__version__}",
            )

    def _slots(self) -> int:
        """Files at once: the threads of the cluster's workers."""
        workers = self.client.scheduler_info().get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))

    def run(self) -> None:
        from distributed import as_completed

        queue = [(i, item) for i, item in enumerate(self.inputs) if self.recorder.results[i] is None]
        if not queue:
            return
        self._connect()
        self.options = per_file_options(self.opts, self._slots(), len(queue))
        for i, item in queue:
            self.known[i] = known_key(item, self.previous.get(item.output), self.opts)
        self.queue = deque((i, 0) for i, _ in queue)
        self.pending = as_completed(loop=self.client.loop)
        self._top_up()
        for future in self.pending:
            index, attempt = self.futures.pop(future)
            self._collect(future, index, attempt)
            self._top_up()

    def _top_up(self) -> None:
        """Keep as many files submitted as the workers have threads, no more: the rest wait here,
        so that a lost worker held only the files it was running (each a lost attempt)."""
        slots = self._slots()
        while self.queue and len(self.futures) < slots:
            self._submit(*self.queue.popleft())

    def _submit(self, index: int, attempt: int) -> None:
        item = self.inputs[index]
        future = self.client.submit(
            process_file,
            item,
            self.opts,
            self.options,
            self.known[index],
            key=f"yosan-{self.token}-{index}-{attempt}",
            retries=0,  # retried here, where lost workers are counted (allowed-failures 0)
        )
        self.futures[future] = (index, attempt)
        self.pending.add(future)

    def _collect(self, future: Any, index: int, attempt: int) -> None:
        item = self.inputs[index]
        try:
            done: FileDone = future.result()
        except Exception as exc:  # the worker, not the file: it died, or could not run the task
            reason = _lost(exc)
            if reason == LOST and attempt < self.opts.retries:
                self.recorder.progress.say(
                    f"yosan: warning: {item.shown}: {reason}; "
                    f"running it again ({attempt + 1} of --retries {self.opts.retries})"
                )
                self.queue.appendleft((index, attempt + 1))
                return
            done = FileDone(
                result=FileResult(
                    input=item.shown,
                    output=None,
                    status="failed",
                    error=f"{reason} (tried {attempt + 1} times, --retries {self.opts.retries})"
                    if reason == LOST
                    else reason,
                )
            )
        done.result.retries = attempt
        if done.current:
            self.recorder.skipped(index, item, self.previous[item.output])
        else:
            self.recorder.record(index, item, done)

    def stop(self) -> None:
        """Cancel what is left and close the client (and the LocalCluster: its workers, and so the
        files' isolated children, end with it)."""
        with contextlib.suppress(Exception):
            if self.client is not None and self.futures:
                self.client.cancel(list(self.futures), force=True)
        with contextlib.suppress(Exception):
            if self.client is not None:
                self.client.close(timeout=CLOSE_TIMEOUT)
        with contextlib.suppress(Exception):
            if self.cluster is not None:
                self.cluster.close(timeout=CLOSE_TIMEOUT)
        self.client = self.cluster = None


def _lost(exc: BaseException) -> str:
    """Why a task gave no result, in words that do not name the worker (they go in the report):
    a lost worker (retried), or the task could not run there (not retried: it would not either)."""
    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        return LOST
    return f"internal error: dask: {type(exc).__name__}: {printable(str(exc))}"
