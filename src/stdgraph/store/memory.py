"""rdflib in memory: for tests, small jobs and as a second engine to check Oxigraph against."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.sparql import Query, Update
from rdflib.term import Node

from stdgraph.errors import QuerySyntaxError, StoreError
from stdgraph.rdf.formats import RDFLIB_FORMATS
from stdgraph.rdf.io import to_oxigraph, to_rdflib
from stdgraph.rdf.results import QueryResult, Triple
from stdgraph.sparql.baseiri import set_base
from stdgraph.sparql.graphpattern import install as install_graph_pattern
from stdgraph.store.base import Changes, Store, WriteTransaction

install_graph_pattern()  # rdflib 7's GRAPH evaluation, corrected (sparql/graphpattern.py)

_P = TypeVar("_P", Query, Update)


class MemoryStore(Store):
    kind = "memory"

    def __init__(self) -> None:
        self._ds = Dataset(default_union=True)
        self._lock = threading.RLock()
        self._version = 0  # counts the datasets swapped in (``version``)
        #: version -> (the version before it, the write that made it), for ``changes``: the
        #: last JOURNAL_SIZE recorded transactions
        self._journal: dict[int, tuple[int, Changes]] = {}

    def _swap(self, fresh: Dataset) -> None:
        """Make ``fresh`` the content (one reference swap: readers see old or new); under
        ``_lock``."""
        self._ds = fresh
        self._version += 1

    def version(self) -> int:
        """Every change swaps in a new dataset, and counts."""
        return self._version

    JOURNAL_SIZE = 64

    def changes(self, since: object, until: object) -> list[Changes] | None:
        """From the transactions that recorded their change (``MemoryTransaction``); an update,
        ``replace_graph`` or ``replace_all`` records none."""
        if not isinstance(since, int) or not isinstance(until, int) or since > until:
            return None
        found: list[Changes] = []
        version = until
        with self._lock:
            while version != since:
                entry = self._journal.get(version)
                if entry is None:
                    return None
                version, changes = entry
                found.append(changes)
        return found[::-1]

    def replace_all(self, graphs: Mapping[str, Iterable[Triple]]) -> None:
        fresh = Dataset(default_union=True)
        for iri, triples in graphs.items():
            g = fresh.graph(URIRef(iri))
            for t in triples:
                g.add(t)
        with self._lock:
            self._swap(fresh)

    def begin(self) -> WriteTransaction:
        return MemoryTransaction(self)

    def replace_graph(self, iri: str, triples: Iterable[Triple]) -> None:
        """Copy every other graph, add the new one, swap: readers see old or new."""
        name = URIRef(iri)
        new = list(triples)
        with self._lock:
            work = Dataset(default_union=True)
            for ctx in self._ds.graphs():
                if ctx.identifier == name:
                    continue
                target = work.graph(ctx.identifier)
                for t in ctx:
                    target.add(t)
            target = work.graph(name)
            for t in new:
                target.add(t)
            self._swap(work)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        prepared = _parsed(_prepare_update, sparql, base_iri)
        with self._lock:
            # Apply to a copy, swap on success: an update is all or nothing.
            work = Dataset(default_union=True)
            for ctx in self._ds.graphs():
                target = work.graph(ctx.identifier)
                for t in ctx:
                    target.add(t)
            work.update(prepared)
            self._swap(work)

    def query(self, sparql: str, *, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None,
              base_iri: str | None = None) -> QueryResult:
        prepared = _parsed(_prepare_query, sparql, base_iri)
        ds = self._ds
        if default_graphs is not None or named_graphs is not None:
            ds = self._restricted(ds, default_graphs, named_graphs)
        res = ds.query(prepared)
        if res.type == "ASK":
            return QueryResult(kind="ask", boolean=bool(res.askAnswer))
        if res.type == "SELECT":
            assert res.vars is not None  # a SELECT result has them
            variables = [str(v) for v in res.vars]
            # rdflib types the items of any result alike; a SELECT's are ResultRows
            rows: list[tuple[Node | None, ...]] = [
                tuple(row) for row in res]  # type: ignore[arg-type]
            return QueryResult(kind="select", variables=variables, rows=rows)
        assert res.graph is not None  # a CONSTRUCT/DESCRIBE result has one
        return QueryResult(kind="graph", triples=list(res.graph))

    @staticmethod
    def _restricted(ds: Dataset, default_graphs: Sequence[str] | None,
                    named_graphs: Sequence[str] | None) -> Dataset:
        """A dataset whose default graph merges ``default_graphs`` and whose named graphs are
        ``named_graphs`` (None: all)."""
        view = Dataset(default_union=False)
        default = view.default_graph
        names = {URIRef(g) for g in (default_graphs or [])}
        for ctx in ds.graphs():
            if ctx.identifier in names:
                for t in ctx:
                    default.add(t)
        keep = None if named_graphs is None else {URIRef(g) for g in named_graphs}
        for ctx in ds.graphs():
            if isinstance(ctx.identifier, URIRef) and (keep is None or ctx.identifier in keep):
                if ctx.identifier == default.identifier:
                    continue
                target = view.graph(ctx.identifier)
                for t in ctx:
                    target.add(t)
        if default_graphs is None:
            for ctx in ds.graphs():
                for t in ctx:
                    default.add(t)
        return view

    def graph_names(self) -> list[str]:
        return sorted(
            str(ctx.identifier) for ctx in self._ds.graphs()
            if isinstance(ctx.identifier, URIRef) and len(ctx) > 0
            and ctx.identifier != self._ds.default_graph.identifier
        )

    def triples(self, graph: str | None = None) -> Iterable[Triple]:
        if graph is not None:
            yield from self._ds.graph(URIRef(graph))
            return
        seen = set()
        for ctx in self._ds.graphs():
            for t in ctx:
                if t not in seen:
                    seen.add(t)
                    yield t

    def ox_quads(self, graph: ox.NamedNode | ox.DefaultGraph | None = None
                 ) -> Iterator[ox.Quad]:
        for q in _ox_quads(self._ds):
            if graph is None or q.graph_name == graph:
                yield q

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            return len(self._ds.graph(URIRef(graph)))
        return sum(len(ctx) for ctx in self._ds.graphs())

    def dump(self, fmt: str, *, graphs: list[str] | None = None) -> bytes:
        rdflib_fmt = RDFLIB_FORMATS[fmt]
        if fmt in {"nquads", "trig"}:
            if graphs is None:
                return self._ds.serialize(format=rdflib_fmt, encoding="utf-8")
            subset = Dataset()
            for name in graphs:
                target = subset.graph(URIRef(name))
                for t in self._ds.graph(URIRef(name)):
                    target.add(t)
            return subset.serialize(format=rdflib_fmt, encoding="utf-8")
        g = Graph()
        for name in graphs if graphs is not None else self.graph_names():
            for t in self._ds.graph(URIRef(name)):
                g.add(t)
        return g.serialize(format=rdflib_fmt, encoding="utf-8")


def _ox_quads(ds: Dataset) -> Iterator[ox.Quad]:
    """Every quad of an rdflib Dataset as pyoxigraph quads (its default graph as DefaultGraph)."""
    default_id = ds.default_graph.identifier
    for ctx in ds.graphs():
        gname = ox.DefaultGraph() if ctx.identifier == default_id else to_oxigraph(ctx.identifier)
        for s, p, o in ctx:
            # rdflib types every position as Node; ox.Quad checks the kinds (TypeError)
            yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), gname)  # type: ignore[arg-type]


class MemoryTransaction(WriteTransaction):
    """A pyoxigraph in-memory copy; commit swaps in a new rdflib Dataset built from it."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.base_ds = store._ds
        self.db = ox.Store()
        self.db.extend(_ox_quads(self.base_ds))
        self.changes: Changes | None = None

    def base_quads(self) -> Iterator[ox.Quad]:
        return _ox_quads(self.base_ds)

    def record_changes(self, added: Iterable[ox.Quad], removed: Iterable[ox.Quad]) -> None:
        self.changes = Changes(tuple(added), tuple(removed))

    def commit(self) -> None:
        fresh = Dataset(default_union=True)
        for q in self.db:
            g = (fresh.default_graph if isinstance(q.graph_name, ox.DefaultGraph)
                 else fresh.graph(to_rdflib(q.graph_name)))
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        with self.store._lock:
            if self.store._ds is not self.base_ds:
                raise StoreError("the store changed while this write ran; nothing was changed")
            before = self.store._version
            self.store._swap(fresh)
            journal = self.store._journal
            if self.changes is not None:
                journal[self.store._version] = (before, self.changes)
            for old in sorted(journal)[:-MemoryStore.JOURNAL_SIZE]:
                del journal[old]
        self.db = None

    def rollback(self) -> None:
        self.db = None


def _prepare_query(sparql: str, base_iri: str | None) -> Query:
    """rdflib's ``prepareQuery``, with the base set as Oxigraph reads it (``sparql.baseiri``)."""
    parsed = parseQuery(sparql)
    set_base([(parsed[0], parsed[1])], base_iri)
    return translateQuery(parsed)


def _prepare_update(sparql: str, base_iri: str | None) -> Update:
    """rdflib's ``prepareUpdate``, with the base set as Oxigraph reads it."""
    parsed = parseUpdate(sparql)
    set_base(zip(parsed.prologue, parsed.request, strict=False), base_iri)
    return translateUpdate(parsed)


def _parsed(prepare: Callable[[str, str | None], _P], sparql: str, base_iri: str | None) -> _P:
    """``prepare(sparql, base_iri)``, its errors as ``QuerySyntaxError`` with line and column.
    rdflib's parser recurses per nesting level and runs out of Python's recursion limit at
    about 30 levels of brackets: that is said as such."""
    try:
        return prepare(sparql, base_iri)
    except ParseException as e:
        raise QuerySyntaxError(str(e.msg), e.lineno, e.col) from None
    except RecursionError:
        raise QuerySyntaxError("the request nests brackets too deeply for the in-memory "
                               "store's parser (rdflib); flatten it or use the embedded "
                               "Oxigraph store") from None
