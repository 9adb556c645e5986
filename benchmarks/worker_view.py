"""What the in-process benchmarks (``search.py``, ``standard_page.py``, ``standards_table.py``)
share: a store opened read-only as a query worker sees it - every read through a
``DeadlineStore`` holding one ``StateCache``, so what a warm-up derives is kept for the reads
after it - a warm-up timed, or reported missing when the measured checkout has none, and a
read timed ``repeat + 1`` times (the first, then the rest: ``timed``, ``report``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import stdgraph
from stdgraph.deadline import Deadline
from stdgraph.store import OxigraphStore
from stdgraph.store.bounded import DeadlineStore, StateCache


class WorkerView:
    def __init__(self, path: str) -> None:
        print(stdgraph.__file__)  # which checkout is measured
        self.store = OxigraphStore(path, read_only=True)
        self.cache = StateCache()

    def bounded(self) -> DeadlineStore:
        """The store as one job of a worker gets it (no time limit)."""
        return DeadlineStore(self.store, Deadline(None), self.cache)

    def warm(self, label: str, fn: Callable[[Any], Any] | None) -> None:
        """Run the warm-up ``fn`` and print its time; ``None``: this checkout has none."""
        if fn is None:
            print(f"no {label} (this version has none)")
            return
        t = time.perf_counter()
        fn(self.bounded())
        print(f"{label} {time.perf_counter() - t:.1f} s", flush=True)

    def close(self) -> None:
        self.store.close()


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """``fn()`` run ``repeat + 1`` times: the seconds of each, and the last value."""
    times, value = [], None
    for _ in range(repeat + 1):
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
    return times, value


def report(what: str, times: list[float], extra: str) -> None:
    print(f"{what}: first {times[0] * 1000:.0f} ms, then median "
          f"{statistics.median(times[1:]) * 1000:.0f} ms, worst {max(times[1:]) * 1000:.0f} ms;"
          f" {extra}", flush=True)
