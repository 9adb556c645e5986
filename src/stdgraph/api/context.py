"""Everything one app needs, built once by ``create_app`` and handed to every router.

No module keeps state: two apps in one process (tests do this) have two contexts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from stdgraph.api.executor import ProcessQueryExecutor, ThreadQueryExecutor
from stdgraph.change.guard import WriteGuard
from stdgraph.settings import Settings
from stdgraph.store.base import Store
from stdgraph.store.memory import MemoryStore, _ox_quads
from stdgraph.store.oxigraph import OxigraphStore
from stdgraph.store.remote import RemoteStore

log = logging.getLogger("stdgraph.api")


@dataclass
class ApiContext:
    settings: Settings
    store: Store
    executor: ThreadQueryExecutor | ProcessQueryExecutor
    guard: WriteGuard | None = None
    examples: dict[str, str] = field(default_factory=dict)
    #: the /sparql handler, set by routes.sparql, for the raw ASGI fast path (api.fastpath)
    query_handler: Any = None
    #: the embedded store, which answers point lookups on the event loop (routes.sparql)
    inline_store: OxigraphStore | None = None
    writes: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="stdgraph-write"))
    _cache: dict[Any, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings, store: Store) -> ApiContext:
        if isinstance(store, OxigraphStore) and not store.read_only:
            # readers in other processes: never compact a generation under them, and keep a
            # retired one longer than any query on it may still run
            store.share_with_readers()
            store.retain_seconds = max(store.retain_seconds, 3 * settings.query_timeout + 30)
        if settings.query_processes and isinstance(store, OxigraphStore):
            executor: Any = ProcessQueryExecutor(str(store.root), settings.query_workers)
        else:
            executor = ThreadQueryExecutor(store, settings.query_workers)
        project = None
        try:
            from stdgraph.project import Project

            project = Project.locate(settings.project)
        except Exception as e:  # noqa: BLE001 - a read-only server runs without a project
            if settings.update_token:
                raise
            log.info("no project found (%s): no example queries", e)
        guard = WriteGuard.for_project(store, project) if settings.update_token else None
        examples = {}
        if project is not None:
            for path in project.query_files:
                try:
                    examples[path.stem] = path.read_text(encoding="utf-8")
                except OSError:
                    continue
        return cls(settings=settings, store=store, executor=executor, guard=guard,
                   examples=examples,
                   inline_store=store if isinstance(store, OxigraphStore) else None)

    @property
    def writable(self) -> bool:
        return self.guard is not None

    def state_key(self) -> Any:
        """Changes whenever the store's content may have changed (for caches)."""
        st = self.store
        if isinstance(st, OxigraphStore):
            return st._current_generation()
        if isinstance(st, MemoryStore):
            return id(st._ds)
        if isinstance(st, RemoteStore):
            return object()  # others write to the server unseen: never reuse a cached value
        return None

    def cached(self, name: str, compute):
        key = (name, self.state_key())
        if key not in self._cache:
            self._cache = {k: v for k, v in self._cache.items() if k[0] != name}
            self._cache[key] = compute()
        return self._cache[key]

    def quads(self, graph=None) -> Iterator[ox.Quad]:
        """The store's quads as pyoxigraph terms (one graph, or all with ``graph=None``)."""
        st = self.store
        if isinstance(st, OxigraphStore):
            yield from st.db.quads_for_pattern(None, None, None, graph)
            return
        if isinstance(st, MemoryStore):
            for q in _ox_quads(st._ds):
                if graph is None or q.graph_name == graph:
                    yield q
            return
        if isinstance(st, RemoteStore):
            yield from st.ox_quads(graph)
            return
        raise NotImplementedError(f"no quad access for the {st.kind} store")

    def graph_exists(self, graph) -> bool:
        if isinstance(graph, ox.DefaultGraph):
            return True
        return next(iter(self.quads(graph)), None) is not None

    def close(self) -> None:
        self.executor.close()
        self.writes.shutdown(wait=False)
