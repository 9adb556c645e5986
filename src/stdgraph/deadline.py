"""The time limit of one piece of work: a write (``change.guard``), a query or a read on behalf
of a request (the query runner, ``api.executor``, and the store it hands a read,
``store.bounded.DeadlineStore``). Past it, :meth:`Deadline.check` raises
:class:`~stdgraph.errors.QueryTimeout` (HTTP 503)."""

from __future__ import annotations

import time

from stdgraph.errors import QueryTimeout

__all__ = ["Deadline"]


class Deadline:
    """``seconds`` from now (``None`` or 0: no limit)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds or None
        self.at = time.monotonic() + seconds if seconds else None

    @property
    def expired(self) -> bool:
        return self.at is not None and time.monotonic() > self.at

    def extend(self, seconds: float) -> None:
        """Move the limit ``seconds`` later: time that was not the work's own (waiting for a
        query worker to start)."""
        if self.at is not None:
            self.at += seconds

    def remaining(self) -> float | None:
        """Seconds left (never below 0), or None without a limit."""
        return None if self.at is None else max(0.0, self.at - time.monotonic())

    def check(self) -> None:
        """Raise QueryTimeout once the limit has passed."""
        if self.at is not None and time.monotonic() > self.at:
            raise QueryTimeout(self.seconds or 0)
