"""Step 1 for inputs named by URL (``s3://bucket/budget/``, ``gs://…``, ``file:///…``): listing,
hashing and a local copy, through fsspec.

An archive's PDFs usually sit in an object store, and a cluster's workers
reach the store rather than a shared disk.  Only the URL travels to a
worker; the worker hashes the object (the content key, as for a local file)
and its isolated child copies it to a temporary folder under its own name,
reads it there and deletes it, so the readers see a local file (PDFium and
tesseract want one) and a time or memory limit covers the download too.

fsspec knows the protocol; the package that implements it (``s3fs`` for
``s3://``, ``gcsfs`` for ``gs://``, ``adlfs`` for ``az://``) must be installed
where the batch runs and on every worker, with credentials as that package
reads them (for s3fs: the ``AWS_*`` variables, ``~/.aws``, an instance role).
A protocol fsspec cannot load is a one-line error naming the URL.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import regex

from .errors import InputError

# A URL names its protocol: `s3://`, `gs://`, `file://`, `memory://`, chained `simplecache::s3://`.
# One letter before `:` is a Windows drive (`C:\…`), never a protocol.
_URL = regex.compile(
    r"""
    ^(?:[a-z][a-z0-9+.\-]*::)*   # fsspec chains: simplecache::, filecache::
    [a-z][a-z0-9+.\-]+://        # the protocol, two letters or more
    """,
    regex.IGNORECASE | regex.VERBOSE,
)
CHUNK = 1 << 20  # bytes read at a time when hashing an object


def is_url(spec: str) -> bool:
    """Whether an INPUT argument names an object by URL rather than a local path."""
    return bool(_URL.match(spec))


def path_part(url: str) -> str:
    """The object's path in ``url`` (its name and suffix say what kind of input it is)."""
    return url.rsplit("://", 1)[-1]


def _filesystem(url: str) -> tuple[Any, str]:
    """fsspec's file system for ``url`` and the path within it, or an InputError saying why not."""
    try:
        import fsspec

        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:  # unknown protocol, or its package not installed
        raise InputError(url, f"cannot open this URL: {exc}") from None


def _url_of(fs: Any, path: str) -> str:
    """A listed path as a URL again (fsspec's listings drop the protocol)."""
    return str(fs.unstrip_protocol(path))


def list_url(spec: str, wanted: Callable[[PurePosixPath], bool]) -> tuple[list[tuple[str, str]], str | None]:
    """(URL, label) of the input objects named by one URL argument, or why it names none: a
    "folder" (a prefix) is listed below it, a glob is expanded, anything else is one object (a
    missing one is reported by its worker, like any bad file).  Labels are paths below the
    prefix or the glob's fixed part, as for local folders."""
    fs, root = _filesystem(spec)
    try:
        if fs.isdir(root):
            base = root.rstrip("/")
            found = sorted(p for p in fs.find(base) if wanted(PurePosixPath(p)))
            if not found:
                return [], "no inputs found"
            return [(_url_of(fs, p), PurePosixPath(p).relative_to(base).as_posix()) for p in found], None
        if any(ch in root for ch in "*?["):
            fixed = PurePosixPath(regex.split(r"[*?\[]", root, maxsplit=1)[0].rpartition("/")[0])
            hits = sorted(p for p in fs.glob(root) if wanted(PurePosixPath(p)) and not fs.isdir(p))
            if not hits:
                return [], "no inputs match"
            return [(_url_of(fs, p), PurePosixPath(p).relative_to(fixed).as_posix()) for p in hits], None
        if spec.endswith("/") or not PurePosixPath(root).name:  # a prefix that holds nothing
            return [], "no inputs found"
    except Exception as exc:  # each protocol's package raises its own errors
        return [], f"cannot list: {_reason(exc)}"
    return [(spec, PurePosixPath(root).name)], None


def _reason(exc: BaseException) -> str:
    """One line for an error of a file system package (botocore's NoCredentialsError says
    "Unable to locate credentials"; an OSError its strerror)."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


def url_digest(url: str) -> str | None:
    """SHA-256 of an object's bytes (None when it cannot be read: its worker says why)."""
    try:
        fs, path = _filesystem(url)
        digest = hashlib.sha256()
        with fs.open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest()
    except Exception:  # its worker fetches it again and says why it cannot
        return None


@contextlib.contextmanager
def local_copy(url: str) -> Iterator[Path]:
    """The object at ``url`` as a local file of the same name (the name may carry its fiscal
    year), deleted afterwards; an object that cannot be fetched is an InputError naming the URL."""
    fs, path = _filesystem(url)
    name = PurePosixPath(path).name or "input"
    with tempfile.TemporaryDirectory(prefix="yosan-") as folder:
        local = Path(folder) / name
        try:
            fs.get_file(path, str(local))
        except FileNotFoundError:
            raise InputError(url, "no such file") from None
        except Exception as exc:  # each protocol's package raises its own errors
            raise InputError(url, f"cannot fetch: {_reason(exc)}") from None
        yield local


def renamed(error: InputError, local: Path, url: str) -> InputError:
    """An error a reader raised about the local copy, naming the URL instead."""
    return InputError(url, error.reason.replace(str(local), url))


def suffixes_wanted(suffixes: Sequence[str]) -> Callable[[PurePosixPath], bool]:
    """The test ``list_url`` applies to listed objects: an input suffix, not hidden."""
    lowered = tuple(s.lower() for s in suffixes)
    return lambda p: p.suffix.lower() in lowered and not p.name.startswith(".")
