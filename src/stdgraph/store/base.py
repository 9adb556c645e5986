"""The store interface every backend implements, and its write transaction.

A store holds a dataset of named graphs: one per source file, one for inferred triples, one for
the build record. Queries see the union of all graphs as their default graph unless the caller
names the graphs (SPARQL protocol ``default-graph-uri`` / ``named-graph-uri``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

import pyoxigraph as ox

from stdgraph.rdf.formats import serialize_answer
from stdgraph.rdf.io import OxTerm, graph_to_quads, to_oxigraph
from stdgraph.rdf.results import Answer, QueryResult, Triple
from stdgraph.sparql.scan import AnchoredQuery
from stdgraph.sparql.terms import iri_ref


@dataclass(frozen=True)
class Changes:
    """One committed write as its transaction recorded it (``WriteTransaction.record_changes``):
    the quads it added and those it removed, net (a quad is in one of them at most)."""

    added: tuple[ox.Quad, ...]
    removed: tuple[ox.Quad, ...]


@dataclass(frozen=True)
class AnswerRequest:
    """One query to answer serialised for the wire (``Store.answer``): its text and everything
    that shapes its answer. Built once where a request is parsed (``/sparql``,
    ``/queries/{name}``), then handed whole to the query runner, its worker processes (it
    pickles) and the store.

    ``default_graphs`` / ``named_graphs``: the protocol dataset (``None``: not given; see
    ``Store.query``). SELECT/ASK are written in ``result_format``, CONSTRUCT/DESCRIBE in
    ``graph_format`` (``None``: that kind is not acceptable -> NotAcceptable); at most
    ``max_rows`` rows or triples (``Answer.truncated`` says when more were cut). ``timeout``:
    seconds, enforced where the backend can check it (the runner enforces it too).
    ``base_iri`` as for ``Store.query``."""

    sparql: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    result_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_rows: int = 10000
    timeout: float | None = None
    base_iri: str | None = None


class Store(ABC):
    """One small interface over embedded Oxigraph, rdflib memory and a remote SPARQL server."""

    #: a short name for messages and benchmarks
    kind: str = "abstract"
    #: ``replace_all`` and ``replace_graph`` also take pyoxigraph ``Quad``/``Triple`` objects
    #: (written as they are, no term conversion), not only rdflib triples
    takes_oxigraph: bool = False
    #: ``answer_inline`` answers small point lookups (else it always says ``None``)
    answers_inline: bool = False

    @abstractmethod
    def replace_all(self, graphs: Mapping[str, Iterable[Triple]]) -> None:
        """Replace the whole content with these named graphs, atomically: a reader sees the old
        content or the new, never a mix, and a failure leaves the old content in place.
        The triples are rdflib triples (pyoxigraph quads too where ``takes_oxigraph``)."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query. Without ``default_graphs`` the default graph is the union of
        all graphs; with it, exactly those graphs (``named_graphs`` restricts GRAPH).
        ``base_iri``: the IRI relative IRIs resolve against when the query has no ``BASE``
        (SPARQL 1.1 Query §4.1.1; the endpoint passes its own URL); ``None``: none, so a
        relative IRI is a syntax error (the in-memory store keeps it relative)."""

    @abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 update as one transaction (``base_iri`` as for ``query``)."""

    def replace_graph(self, iri: str, triples: Iterable[Triple]) -> None:
        """Replace one named graph with ``triples`` (none: remove the graph), atomically; the
        other graphs are left as they are. Triples as for ``replace_all``. This generic version
        is one SPARQL update (``DROP`` + ``INSERT DATA``: the whole graph as one text, slow for
        big graphs); every backend here overrides it."""
        lines = [f"{q.subject} {q.predicate} {q.object} ." for q in graph_to_quads(triples, iri)]
        update = f"DROP SILENT GRAPH {iri_ref(iri)}"
        if lines:
            update += f" ;\nINSERT DATA {{ GRAPH {iri_ref(iri)} {{\n" + "\n".join(lines) + "\n} }"
        self.update(update)

    @abstractmethod
    def graph_names(self) -> list[str]:
        """IRIs of the named graphs that hold at least one triple, sorted."""

    def dataset_default_graphs(self) -> list[str] | None:
        """The ``default_graphs`` under which a query sees exactly this dataset: ``None`` (the
        union default graph) unless the server adds graphs of its own to it (``RemoteStore``)."""
        return None

    @abstractmethod
    def triples(self, graph: str | None = None) -> Iterable[Triple]:
        """All triples of one named graph, or of the union when ``graph`` is None."""

    def quads(self, graph: str) -> Iterable[ox.Quad]:
        """The triples of one named graph as pyoxigraph quads of that graph (converted from
        ``triples``; the embedded store reads them as they are)."""
        return graph_to_quads(self.triples(graph), graph)

    def ox_quads(self, graph: ox.NamedNode | ox.DefaultGraph | None = None
                 ) -> Iterator[ox.Quad]:
        """The store's quads as pyoxigraph terms, for the HTTP layer (dumps, the Graph Store
        Protocol): every quad (``None``: all named graphs, and the default graph where the
        backend keeps one), one named graph (``NamedNode``) or the default graph
        (``DefaultGraph``). This generic version reads the named graphs through ``quads`` and
        has no default graph (stdgraph writes only named graphs); every backend here overrides
        it."""
        if graph is None:
            for name in self.graph_names():
                yield from self.quads(name)
        elif isinstance(graph, ox.NamedNode):
            yield from self.quads(graph.value)

    @abstractmethod
    def dump(self, fmt: str, *, graphs: list[str] | None = None) -> bytes:
        """Serialise the dataset (quad formats) or a union of graphs (triple formats)."""

    def dump_to(self, output: IO[bytes], fmt: str, *, graphs: list[str] | None = None) -> None:
        """``dump`` written to ``output``; backends that can stream it do (``RemoteStore``:
        the client's memory does not grow with the dataset)."""
        output.write(self.dump(fmt, graphs=graphs))

    def count(self, graph: str | None = None) -> int:
        """Number of triples in one graph, or quads in the whole store."""
        if graph is None:
            q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        else:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}"
        return int(str(self.query(q).rows[0][0]))

    def is_empty(self) -> bool:
        return not self.graph_names()

    def answer(self, request: AnswerRequest) -> Answer:
        """Run a query and serialise its result for HTTP, as ``request`` says (this generic
        version reads rdflib terms through ``query`` and does not check the timeout)."""
        result = self.query(request.sparql, default_graphs=request.default_graphs,
                            named_graphs=request.named_graphs, base_iri=request.base_iri)
        return serialize_answer(result, result_format=request.result_format,
                                graph_format=request.graph_format, max_rows=request.max_rows)

    def answer_inline(self, request: AnswerRequest, *, max_bytes: int,
                      anchored: AnchoredQuery | None = None, driver_cap: int = 0
                      ) -> Answer | None:
        """A query whose work is bounded before it runs - a point lookup
        (``sparql.scan.is_point_lookup``), or an ``anchored`` query
        (``sparql.scan.anchored_query``) whose first pattern has at most ``driver_cap``
        matches - answered on the caller's thread (the server's event loop), if its answer
        takes at most ``max_bytes``; ``None``: answer it the usual way (``answer``, off the
        loop). Only backends with ``answers_inline`` ever answer."""
        return None

    def version(self) -> Any:
        """A value that changes whenever the content may have changed (``None``: unknown, so
        assume it did) — for caches of derived state such as the write path's reasoner or the
        server's statistics."""
        return None

    def changes(self, since: Any, until: Any) -> list[Changes] | None:
        """The writes that took the store from version ``since`` to version ``until`` (both
        values of ``version``), oldest first, as their transactions recorded them; ``None`` when
        that is not known: a change that recorded nothing (a build, a load, an update in place,
        a big import), versions too far apart, or a backend that keeps no record (this generic
        version). For readers that keep state derived from the store (the analyses) and would
        rather bring it up to date than derive it again."""
        return None

    def select_native(self, sparql: str) -> list[tuple[OxTerm | None, ...]]:
        """A SELECT's rows as pyoxigraph terms (``None``: unbound), for code that reads many
        rows and needs no rdflib terms (the analyses' scans). The embedded store hands
        Oxigraph's terms over as they are; this generic version converts ``query``'s."""
        return [tuple(None if t is None else to_oxigraph(t) for t in row)
                for row in self.query(sparql).rows]

    def reader_spec(self) -> str | None:
        """A store spec (as ``stdgraph.store.open_store`` takes it) under which other processes
        can open this store read-only and see every commit: the server's query worker
        processes, which it kills at a query's time limit. ``None`` when they cannot (a store
        in this process's memory; a server, which threads reach as well)."""
        return None

    def share_with_readers(self, retain_seconds: float | None = None) -> None:  # noqa: B027
        """Other processes are about to read this store (through ``reader_spec``): keep what
        they read intact, and what a commit retires for at least ``retain_seconds`` (a query
        running on it may still finish). Nothing to do for most backends."""

    def remove_leftovers(self) -> list[str]:
        """Delete what writes killed before they finished left behind (a server calls this at
        start); the names of what went. Nothing to do for most backends."""
        return []

    def begin(self) -> WriteTransaction:
        """Start a write transaction (see ``WriteTransaction``)."""
        raise NotImplementedError(f"the {self.kind} store cannot be written over HTTP")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WriteTransaction(ABC):
    """A private, writable pyoxigraph copy of the whole store.

    Writers change ``db`` freely; ``commit`` makes the copy the store's content in one atomic
    step, ``rollback`` throws it away. Readers never see a half-applied write.
    """

    db: Any  # pyoxigraph.Store

    def record_changes(self, added: Iterable[ox.Quad],  # noqa: B027 - optional hook
                       removed: Iterable[ox.Quad]) -> None:
        """Note the exact change this transaction makes (net quads; the inferred graph's
        included) before ``commit``, so that ``Store.changes`` can hand it to readers that
        keep derived state. Backends that keep no record ignore it."""

    @abstractmethod
    def base_quads(self) -> Iterable[Any]:
        """The quads (pyoxigraph) of the store as it was when the transaction began."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    def checkpoint(self) -> str | None:
        """A folder holding a copy of ``db`` as it is now, that another process can open
        read-write (the server evaluates an update's ``WHERE`` in a worker process on it); the
        caller deletes it. ``None``: the copy is not on disk (the default)."""
        return None
