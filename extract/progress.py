"""Progress of one document's pages: sent by the worker that reads it, shown by the command.

The worker (and the page processes it starts) writes one short line per event
to a pipe: ``pages N`` (the PDF's page count), ``page N`` (a page of the text
layer read), ``ocr N`` (N pages to be read by OCR), ``ocrpage N`` (one read).
Lines under PIPE_BUF bytes are written whole, so processes never mix them.

The events come from wrapping the readers' page functions in the worker
(``watch``); the readers themselves know nothing of it.  ``PageProgress``
shows them: a page bar when stderr is a terminal, otherwise a line every
``interval`` seconds while a document takes long (none for a quick one).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

_FD: int | None = None


def _send(kind: str, n: int) -> None:
    if _FD is not None:
        with contextlib.suppress(OSError):
            os.write(_FD, f"{kind} {n}\n".encode("ascii"))


def _wrap(module: Any, name: str, after: Callable[[Any, tuple[Any, ...]], None]) -> None:
    """Replace ``module.name`` by a function that calls it and then ``after(result, args)``.
    functools.wraps keeps its name, so page processes find (and unpickle) the wrapper."""
    original = getattr(module, name)
    if getattr(original, "_yosan_watched", False):
        return

    @functools.wraps(original)
    def watched(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        after(result, args)
        return result

    watched._yosan_watched = True  # type: ignore[attr-defined]
    setattr(module, name, watched)


def _watch_ocr() -> None:
    from . import ocr

    original_run = ocr._run
    if not getattr(original_run, "_yosan_watched", False):

        @functools.wraps(original_run)
        def run(worker: Any, work: list[Any], jobs: int) -> Any:
            _send("ocr", len(work))
            return original_run(worker, work, jobs)

        run._yosan_watched = True  # type: ignore[attr-defined]
        ocr._run = run
    for name in ("_worker", "_pdf_worker"):
        _wrap(ocr, name, lambda result, args: _send("ocrpage", 1))


def watch(path: str | Path, fd: int) -> None:
    """In the worker: send page events for ``path`` to ``fd``."""
    global _FD
    _FD = fd
    from .pipeline import IMAGE_MAGIC, IMAGE_SUFFIXES, PDF_MAGIC
    from .sources import is_stream

    if is_stream(Path(path)):
        return  # a pipe is read once, by the pipeline: no peeking (and no page events)
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return  # the reader says why
    suffix = Path(path).suffix.lower()
    if head.lstrip()[:5] == PDF_MAGIC or suffix == ".pdf":
        from . import pdf

        _wrap(pdf, "open_pdf", lambda doc, args: _send("pages", len(doc)))
        _wrap(pdf, "_read_page", lambda result, args: _send("page", 1))
        original_ocr = pdf._ocr_pages

        @functools.wraps(original_ocr)
        def ocr_pages(*args: Any, **kwargs: Any) -> Any:
            _watch_ocr()
            return original_ocr(*args, **kwargs)

        pdf._ocr_pages = ocr_pages
    elif suffix in IMAGE_SUFFIXES or (suffix != ".txt" and head.startswith(IMAGE_MAGIC)):
        _watch_ocr()


class PageProgress:
    """What a document's page events show: a bar on a terminal, else a line now and then."""

    def __init__(
        self,
        name: str,
        stream: IO[str] | None = None,
        bar: bool | None = None,
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.use_bar = bool(isatty and isatty()) if bar is None else bar
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.last = self.started
        self.pages: int | None = None
        self.read = 0
        self.ocr_total: int | None = None
        self.ocr_done = 0
        self.bar: Any = None
        self.silent = False

    # --- events ---------------------------------------------------------------

    def event(self, line: str) -> None:
        """One event line from the worker ("" when none came for a while)."""
        kind, _, value = line.partition(" ")
        try:
            n = int(value)
        except ValueError:
            self.tick()
            return
        if kind == "pages":
            if self.pages is None:
                self.pages = n
                if n > 1:
                    self._bar("pages", n)
        elif kind == "page":
            self.read += n
            self._advance(n)
        elif kind == "ocr":
            self.ocr_total = (self.ocr_total or 0) + n
            self.ocr_done = 0 if self.ocr_total == n else self.ocr_done
            self._bar("OCR", self.ocr_total)
        elif kind == "ocrpage":
            self.ocr_done += n
            self._advance(n)
        self.tick()

    def tick(self) -> None:
        """A line when ``interval`` seconds have passed since the last (no bar)."""
        now = self.clock()
        if self.use_bar or now - self.last < self.interval:
            return
        self.last = now
        self._say(f"yosan: {self.name}: {self.describe()}, {now - self.started:.0f} s")

    def describe(self) -> str:
        parts = []
        if self.pages is not None:
            parts.append(f"page {self.read} of {self.pages} read")
        if self.ocr_total is not None:
            parts.append(f"OCR {self.ocr_done} of {self.ocr_total} pages")
        return ", ".join(parts) or "reading"

    # --- showing ----------------------------------------------------------------

    def _bar(self, what: str, total: int) -> None:
        if not self.use_bar or self.silent:
            return
        self.close()
        try:
            import tqdm

            tqdm.tqdm.monitor_interval = 0
            self.bar = tqdm.tqdm(
                total=total,
                desc=f"{self.name}: {what}",
                unit="page",
                file=self.stream,
                leave=False,
                dynamic_ncols=True,
            )
        except (OSError, ValueError):
            self.silent = True

    def _advance(self, n: int) -> None:
        if self.bar is not None and not self.silent:
            try:
                self.bar.update(n)
            except (OSError, ValueError):
                self.silent = True

    def _say(self, line: str) -> None:
        if self.silent:
            return
        try:
            print(line, file=self.stream, flush=True)
        except (OSError, ValueError):
            self.silent = True

    def close(self) -> None:
        if self.bar is not None:
            with contextlib.suppress(OSError, ValueError):
                self.bar.close()
            self.bar = None
