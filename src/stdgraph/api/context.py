"""Everything one app needs, built once by ``create_app`` and handed to every router.

No module keeps state: two apps in one process (tests do this) have two contexts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from stdgraph.api.executor import CallJob, ProcessQueryExecutor, ThreadQueryExecutor
from stdgraph.change.guard import UpdateRequest, UpdateRunner, WriteGuard, evaluate_update_at
from stdgraph.errors import QueryTimeout
from stdgraph.project import Project
from stdgraph.settings import Settings
from stdgraph.store.base import Store

log = logging.getLogger("stdgraph.api")

#: seconds the write thread waits for an update's evaluation past its time limit, in case the
#: event loop that runs the query runner stopped (the server shutting down)
RUNNER_MARGIN = 5.0


@dataclass
class ApiContext:
    settings: Settings
    store: Store
    executor: ThreadQueryExecutor | ProcessQueryExecutor
    guard: WriteGuard | None = None
    examples: dict[str, str] = field(default_factory=dict)
    #: the /sparql handler, set by routes.sparql, for the raw ASGI fast path (api.fastpath)
    query_handler: Any = None
    #: the browser's page for ``GET /sparql`` (request -> HTML), set by the pages when they are
    #: mounted (``web.router``); without it browsers get the service description
    query_page: Callable[[Any], str] | None = None
    #: the browser's page for an error ``(request, status, message) -> HTML``, set by the
    #: pages when they are mounted (``web.router``); without it every error is the JSON
    #: envelope (``api.errors``)
    error_page: Callable[[Any, int, str], str] | None = None
    #: the store, if it answers point lookups on the event loop (``Store.answers_inline``,
    #: routes.sparql)
    inline_store: Store | None = None
    writes: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="stdgraph-write"))
    _cache: dict[Any, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings, store: Store) -> ApiContext:
        if settings.update_token:  # a writer: what killed writes left behind goes first
            gone = store.remove_leftovers()
            if gone:
                log.warning("removed %d folder(s) that unfinished writes left: %s", len(gone),
                            ", ".join(gone))
        reader_spec = store.reader_spec()
        if reader_spec is not None:
            # readers in other processes: never compact under them, and keep retired state
            # longer than any query on it may still run
            store.share_with_readers(retain_seconds=3 * settings.query_timeout + 30)
        if settings.query_processes and reader_spec is not None:
            executor: Any = ProcessQueryExecutor(reader_spec, settings.query_workers)
        else:
            executor = ThreadQueryExecutor(store, settings.query_workers)
        project = None
        try:
            project = Project.locate(settings.project)
        except Exception as e:  # noqa: BLE001 - a read-only server runs without a project
            if settings.update_token:
                raise
            log.info("no project found (%s): no example queries", e)
        guard = (WriteGuard.for_project(store, project)
                 if settings.update_token and project is not None else None)
        examples = {}
        if project is not None:
            for path in project.query_files:
                try:
                    examples[path.stem] = path.read_text(encoding="utf-8")
                except OSError:
                    continue
        return cls(settings=settings, store=store, executor=executor, guard=guard,
                   examples=examples,
                   inline_store=store if store.answers_inline else None)

    async def read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(store, *args, **kwargs)`` through the query runner (``executor.CallJob``: a
        module-level function, arguments and result that pickle), at most
        ``STDGRAPH_QUERY_WORKERS`` at a time, stopped at the query time limit (503)."""
        return await self.executor.call(CallJob.of(fn, *args, **kwargs),
                                        self.settings.query_timeout or None)

    def update_runner(self, loop: asyncio.AbstractEventLoop) -> UpdateRunner | None:
        """Where updates that are not only ``INSERT DATA`` / ``DELETE DATA`` are evaluated: with
        worker processes, one of them (``change.guard.evaluate_update_at`` on a checkpoint of
        the write's copy, killed at the time limit like a query: nothing in the evaluation can
        outlast it, hold the write lock or grow the server's memory); with threads, ``None``
        (the write's own thread, stopped by the deadline checks between reads and solutions).
        The guard calls it from the write thread; the runner is async, on ``loop``."""
        executor = self.executor
        if not isinstance(executor, ProcessQueryExecutor):
            return None

        def run(folder: str, request: UpdateRequest, seconds: float | None
                ) -> tuple[bytes, bytes]:
            job = CallJob.of(evaluate_update_at, folder, request)
            future = asyncio.run_coroutine_threadsafe(executor.call(job, seconds), loop)
            try:  # the executor answers at the limit; the margin only covers a loop gone away
                result: tuple[bytes, bytes] = future.result(
                    None if seconds is None else seconds + RUNNER_MARGIN)
            except concurrent.futures.TimeoutError:
                future.cancel()
                raise QueryTimeout(seconds or 0, "update") from None
            return result

        return run

    def stream(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> AsyncIterator[bytes]:
        """``fn(store, *args, **kwargs)``'s text pieces (an iterable of str) as UTF-8 chunks,
        made through the query runner as they are sent (``executor.stream``): the time limit
        is on each stretch without progress."""
        return self.executor.stream(CallJob.of(fn, *args, **kwargs),
                                    self.settings.query_timeout or None)

    @property
    def writable(self) -> bool:
        return self.guard is not None

    def state_key(self) -> Any:
        """Changes whenever the store's content may have changed (for caches): its
        ``version``, or, where that is unknown (a remote server others write to unseen), a
        new object each time, so that a cached value is never reused."""
        version = self.store.version()
        return object() if version is None else version

    def cached(self, name: str, compute):
        key = (name, self.state_key())
        if key not in self._cache:
            self._cache = {k: v for k, v in self._cache.items() if k[0] != name}
            self._cache[key] = compute()
        return self._cache[key]

    def quads(self, graph=None) -> Iterator[ox.Quad]:
        """The store's quads as pyoxigraph terms (one graph, or all with ``graph=None``)."""
        yield from self.store.ox_quads(graph)

    def graph_exists(self, graph) -> bool:
        if isinstance(graph, ox.DefaultGraph):
            return True
        return next(iter(self.quads(graph)), None) is not None

    def stop(self) -> None:
        """The server is stopping (SIGTERM): stop the query runner's jobs now (their requests
        get 503); called from a signal handler, so it only kills processes."""
        self.executor.stop()

    def close(self) -> None:
        self.executor.close()
        self.writes.shutdown(wait=False)
