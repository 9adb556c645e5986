"""A store that stops a read at its deadline, between queries.

The server's query runner (``stdgraph.api.executor``) hands every read it runs on behalf of a
request (an analysis, a page's read model: Python over several queries) a
:class:`DeadlineStore` over the real one. Each call checks the deadline before it starts and
after it returns, so work past its time limit stops with
:class:`~stdgraph.errors.QueryTimeout` at its next query, even in a thread, where the query
itself cannot be stopped (in a worker process the runner kills the worker at the deadline
anyway). It reads only: a read on behalf of a request never writes. It also carries the
runner's :class:`StateCache` (``cached``): values derived from the store that outlive one job,
such as the analyses the pages quote, computed once per store state in each worker process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import IO, Any, TypeVar

import pyoxigraph as ox

from stdgraph.deadline import Deadline
from stdgraph.errors import Preparing, StoreError
from stdgraph.rdf.io import OxTerm
from stdgraph.rdf.results import Answer, QueryResult, Triple
from stdgraph.store.base import AnswerRequest, Changes, Store, WriteTransaction

__all__ = ["DeadlineStore", "StateCache"]

T = TypeVar("T")

#: seconds before a read's deadline at which a wait for a ``prepared`` value gives up: the
#: worker answers ``Preparing`` before the runner's own clock, started a little earlier,
#: kills it
PREPARE_MARGIN = 1.0


class StateCache:
    """Values derived from a store, kept while its ``version()`` stays the same (one value per
    name: a new version replaces the old one). A store whose version is unknown (``None``: a
    remote server others may write to) gets nothing cached. Safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[Any, Any]] = {}
        self._upkeep_locks: dict[str, threading.Lock] = {}
        #: ``prepared`` values being derived: name -> (version, done, outcome)
        self._preparing: dict[str, tuple[Any, threading.Event, dict[str, Any]]] = {}

    def holds(self) -> bool:
        """Whether anything is kept (for any version)."""
        with self._lock:
            return bool(self._values)

    def get(self, store: Store, name: str, compute: Callable[[], T]) -> T:
        version = store.version()
        if version is None:
            return compute()
        with self._lock:
            held = self._values.get(name)
        if held is not None and held[0] == version:
            kept: T = held[1]
            return kept
        value = compute()
        with self._lock:
            self._values[name] = (version, value)
        return value

    def upkeep(self, store: Store, name: str, build: Callable[[], T],
               update: Callable[[T, Any, Any], T | None]) -> T:
        """Like ``get``, for a value that can be brought up to date rather than derived again:
        when the store's version has moved on, ``update(old value, old version, new version)``
        gives the new value (it may read ``store.changes``), or ``None``, and then ``build()``
        does. One caller at a time brings a name up to date; the others wait for it. The old
        value is left as it was (callers still reading it are not disturbed)."""
        version = store.version()
        if version is None:
            return build()
        with self._lock:
            held = self._values.get(name)
            lock = self._upkeep_locks.setdefault(name, threading.Lock())
        if held is not None and held[0] == version:
            kept: T = held[1]
            return kept
        with lock:
            with self._lock:
                held = self._values.get(name)
            if held is not None and held[0] == version:
                again: T = held[1]
                return again
            value = update(held[1], held[0], version) if held is not None else None
            if value is None:
                value = build()
            with self._lock:
                self._values[name] = (version, value)
            return value


    def prepared(self, store: Store, name: str, build: Callable[[], T], wait: float | None,
                 what: str) -> T:
        """Like ``get``, for a value that may take longer to derive than a request may run
        (the suggestions' text model: two minutes at 100k standards). It is derived in a
        thread of its own, bound to no request, once per store state; the caller waits for it
        at most ``wait`` seconds (``None``: as long as it takes) and gets ``Preparing``
        (``what`` it waited for) if it is not ready by then - so a worker process is not
        killed at the time limit with the work half done, and the next request finds it. A
        derivation that fails is started again by the next caller, who gets its error."""
        version = store.version()
        if version is None:
            return build()
        with self._lock:
            held = self._values.get(name)
            if held is not None and held[0] == version:
                kept: T = held[1]
                return kept
            job = self._preparing.get(name)
            if job is None or job[0] != version:
                job = (version, threading.Event(), {})
                self._preparing[name] = job
                threading.Thread(target=self._prepare, args=(name, build, job), daemon=True,
                                 name=f"stdgraph-prepare-{name}").start()
        _version, done, outcome = job
        if not done.wait(wait):
            raise Preparing(what)
        if "error" in outcome:
            raise outcome["error"]
        value: T = outcome["value"]
        return value

    def _prepare(self, name: str, build: Callable[[], Any],
                 job: tuple[Any, threading.Event, dict[str, Any]]) -> None:
        version, done, outcome = job
        try:
            outcome["value"] = value = build()
            with self._lock:
                self._values[name] = (version, value)
        except BaseException as e:  # noqa: BLE001 - handed to the callers waiting for it
            outcome["error"] = e
        finally:
            with self._lock:
                if self._preparing.get(name) is job:
                    del self._preparing[name]
            done.set()


class DeadlineStore(Store):
    """``store``, read under ``deadline``; every read checks it before and after. ``cache``:
    where :meth:`cached` keeps derived values (none: they are computed each time)."""

    def __init__(self, store: Store, deadline: Deadline, cache: StateCache | None = None,
                 beat: Callable[[], None] | None = None) -> None:
        self.store = store
        self.deadline = deadline
        self.cache = cache
        self.kind = store.kind
        self._beat = beat

    def beat(self) -> None:
        """Say the work is getting on: a streamed answer's time limit is on each stretch
        without progress, and long work with nothing to send yet (the first pass over every
        pair) calls this now and then. Nothing happens unless the runner asked for it."""
        if self._beat is not None:
            self._beat()

    def cached(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, kept in the runner's cache for the store's current state."""
        return compute() if self.cache is None else self.cache.get(self.store, name, compute)

    def prepared(self, name: str, build: Callable[[Store], T], what: str) -> T:
        """``build(store)``, derived in the background from the unbounded store and kept in
        the runner's cache (``StateCache.prepared``); waits for it until shortly before this
        read's deadline (``PREPARE_MARGIN``), then ``Preparing``."""
        if self.cache is None:
            return build(self.store)
        left = self.deadline.remaining()
        wait = None if left is None else max(0.0, left - PREPARE_MARGIN)
        return self.cache.prepared(self.store, name, lambda: build(self.store), wait, what)

    def kept(self, name: str, build: Callable[[], T],
             update: Callable[[T, Any, Any], T | None]) -> T:
        """``build()``, kept in the runner's cache and brought up to date with ``update`` when
        the store changes (``StateCache.upkeep``)."""
        if self.cache is None:
            return build()
        return self.cache.upkeep(self.store, name, build, update)

    def changes(self, since: Any, until: Any) -> list[Changes] | None:
        self.deadline.check()
        return self.store.changes(since, until)

    def select_native(self, sparql: str) -> list[tuple[OxTerm | None, ...]]:
        self.deadline.check()
        rows = self.store.select_native(sparql)
        self.deadline.check()
        return rows

    # -- reads -------------------------------------------------------------------------------
    def query(self, sparql: str, *, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, base_iri: str | None = None
              ) -> QueryResult:
        self.deadline.check()
        result = self.store.query(sparql, default_graphs=default_graphs,
                                  named_graphs=named_graphs, base_iri=base_iri)
        self.deadline.check()
        return result

    def answer(self, request: AnswerRequest) -> Answer:
        self.deadline.check()
        left = self.deadline.remaining()
        if left is not None:
            given = request.timeout
            request = replace(request, timeout=left if not given else min(given, left))
        answer = self.store.answer(request)
        self.deadline.check()
        return answer

    def graph_names(self) -> list[str]:
        self.deadline.check()
        return self.store.graph_names()

    def dataset_default_graphs(self) -> list[str] | None:
        return self.store.dataset_default_graphs()

    def triples(self, graph: str | None = None) -> Iterable[Triple]:
        self.deadline.check()
        return self.store.triples(graph)

    def quads(self, graph: str) -> Iterable[ox.Quad]:
        self.deadline.check()
        return self.store.quads(graph)

    def ox_quads(self, graph: ox.NamedNode | ox.DefaultGraph | None = None
                 ) -> Iterator[ox.Quad]:
        self.deadline.check()
        return self.store.ox_quads(graph)

    def dump(self, fmt: str, *, graphs: list[str] | None = None) -> bytes:
        self.deadline.check()
        return self.store.dump(fmt, graphs=graphs)

    def dump_to(self, output: IO[bytes], fmt: str, *, graphs: list[str] | None = None) -> None:
        self.deadline.check()
        self.store.dump_to(output, fmt, graphs=graphs)

    def count(self, graph: str | None = None) -> int:
        self.deadline.check()
        return self.store.count(graph)

    def version(self) -> Any:
        return self.store.version()

    # -- no writes ---------------------------------------------------------------------------
    def _refuse(self) -> StoreError:
        return StoreError("a read on behalf of a request cannot write the store")

    def replace_all(self, graphs: Mapping[str, Iterable[Triple]]) -> None:
        raise self._refuse()

    def replace_graph(self, iri: str, triples: Iterable[Triple]) -> None:
        raise self._refuse()

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        raise self._refuse()

    def begin(self) -> WriteTransaction:
        raise self._refuse()
