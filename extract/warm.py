"""Imported by the forkserver a dask worker starts each file's isolated child from
(``batch.ready_forkserver``): the readers imported and warmed up once there, as the local
executor does before it forks (``batch.preload``), so that no child pays for them."""

from __future__ import annotations

from .batch import load_readers

load_readers()
