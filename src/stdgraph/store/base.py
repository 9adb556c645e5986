"""The store interface every backend implements, and the query result it returns.

A store holds a dataset of named graphs: one per source file, one for inferred triples, one for
the build record. Queries see the union of all graphs as their default graph unless the caller
names the graphs (SPARQL protocol ``default-graph-uri`` / ``named-graph-uri``).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pyoxigraph as ox
from rdflib.term import Node

from ..errors import StdgraphError

Triple = tuple[Node, Node, Node]

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri_ref(iri: str) -> str:
    """``<iri>`` for SPARQL text, refusing anything that could escape the brackets or that
    Oxigraph's IRI parser would reject (a C1 control, a bad %-escape, a second '#'), which would
    otherwise surface as a syntax error in a query the caller did not write."""
    if not iri or _IRI_FORBIDDEN.search(iri):
        raise ValueError(f"not a valid IRI: {iri!r}")
    ox.NamedNode(iri)  # ValueError when not an IRI
    return f"<{iri}>"


@dataclass
class QueryResult:
    """A SELECT, ASK or graph (CONSTRUCT/DESCRIBE) result in rdflib terms."""

    kind: Literal["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)

    def dicts(self) -> list[dict[str, Node]]:
        """SELECT rows as {variable: term}, unbound variables left out."""
        return [
            {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]


class Store(ABC):
    """One small interface over embedded Oxigraph, rdflib memory and a remote SPARQL server."""

    #: a short name for messages and benchmarks
    kind: str = "abstract"
    #: ``replace_all`` and ``replace_graph`` also take pyoxigraph ``Quad``/``Triple`` objects
    #: (written as they are, no term conversion), not only rdflib triples
    takes_oxigraph: bool = False

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
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query. Without ``default_graphs`` the default graph is the union of
        all graphs; with it, exactly those graphs (``named_graphs`` restricts GRAPH)."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update as one transaction."""

    def replace_graph(self, iri: str, triples: Iterable[Triple]) -> None:
        """Replace one named graph with ``triples`` (none: remove the graph), atomically; the
        other graphs are left as they are. Triples as for ``replace_all``. This generic version
        is one SPARQL update (``DROP`` + ``INSERT DATA``: the whole graph as one text, slow for
        big graphs); every backend here overrides it."""
        from ..rdfio import graph_to_quads

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
        from ..rdfio import graph_to_quads

        return graph_to_quads(self.triples(graph), graph)

    @abstractmethod
    def dump(self, fmt: str, *, graphs: list[str] | None = None) -> bytes:
        """Serialise the dataset (quad formats) or a union of graphs (triple formats)."""

    def count(self, graph: str | None = None) -> int:
        """Number of triples in one graph, or quads in the whole store."""
        if graph is None:
            q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        else:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}"
        return int(self.query(q).rows[0][0])

    def is_empty(self) -> bool:
        return not self.graph_names()

    def answer(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        result_format: str | None = "json",
        graph_format: str | None = "turtle",
        max_rows: int = 10000,
        timeout: float | None = None,
    ) -> Answer:
        """Run a query and serialise its result for HTTP: SELECT/ASK in ``result_format``,
        CONSTRUCT/DESCRIBE in ``graph_format`` (None: not acceptable -> NotAcceptable), at most
        ``max_rows`` rows or triples (``Answer.truncated`` says when more were cut).
        ``timeout`` is enforced where the backend can check it; the caller enforces it too."""
        result = self.query(sparql, default_graphs=default_graphs, named_graphs=named_graphs)
        return serialize_answer(result, result_format=result_format, graph_format=graph_format,
                                max_rows=max_rows)

    def version(self) -> Any:
        """A value that changes whenever the content may have changed (``None``: unknown, so
        assume it did) — for caches of derived state such as the write path's reasoner."""
        return None

    def begin(self) -> WriteTransaction:
        """Start a write transaction (see ``WriteTransaction``)."""
        raise NotImplementedError(f"the {self.kind} store cannot be written over HTTP")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- serialised answers and write transactions (used by the HTTP layer) --------------------------
class QueryTimeout(StdgraphError):
    """The query ran past its time limit (HTTP 503)."""

    http_status = 503

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the query was stopped after the time limit of {seconds:g} s; narrow it (LIMIT, "
            "more specific patterns) or ask the operator to raise STDGRAPH_QUERY_TIMEOUT"
        )
        self.seconds = seconds


@dataclass
class Answer:
    """A query result already serialised for the wire."""

    kind: Literal["select", "ask", "graph"]
    format: str  # a name from formats.RESULT_MEDIA / GRAPH_MEDIA
    body: bytes
    truncated: bool = False
    count: int | None = None  # rows (SELECT) or triples (graph); None for ASK, or not counted


def serialize_answer(
    result: QueryResult,
    *,
    result_format: str | None,
    graph_format: str | None,
    max_rows: int,
) -> Answer:
    """The generic (rdflib-term) path: cut at ``max_rows`` and serialise with ``formats``."""
    from ..formats import serialize_graph, serialize_result
    from ..negotiation import NotAcceptable

    if result.kind == "graph":
        if graph_format is None:
            raise NotAcceptable.for_result("graph")
        triples = result.triples
        truncated = len(triples) > max_rows
        triples = triples[:max_rows]
        if graph_format in {"nquads", "trig"}:
            body = serialize_graph(triples, "ntriples" if graph_format == "nquads" else "turtle")
        else:
            body = serialize_graph(triples, graph_format)
        return Answer("graph", graph_format, body, truncated, len(triples))
    if result_format is None:
        raise NotAcceptable.for_result(result.kind)
    if result.kind == "ask":
        return Answer("ask", result_format, serialize_result(result, result_format))
    truncated = len(result.rows) > max_rows
    if truncated:
        result = QueryResult(kind="select", variables=result.variables,
                             rows=result.rows[:max_rows])
    return Answer("select", result_format, serialize_result(result, result_format), truncated,
                  len(result.rows))


class WriteTransaction(ABC):
    """A private, writable pyoxigraph copy of the whole store.

    Writers change ``db`` freely; ``commit`` makes the copy the store's content in one atomic
    step, ``rollback`` throws it away. Readers never see a half-applied write.
    """

    db: Any  # pyoxigraph.Store

    @abstractmethod
    def base_quads(self) -> Iterable[Any]:
        """The quads (pyoxigraph) of the store as it was when the transaction began."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...
