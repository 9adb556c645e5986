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
from typing import Literal

from rdflib.term import Node

Triple = tuple[Node, Node, Node]

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri_ref(iri: str) -> str:
    """``<iri>`` for SPARQL text, refusing anything that could escape the brackets."""
    if not iri or _IRI_FORBIDDEN.search(iri):
        raise ValueError(f"not a valid IRI: {iri!r}")
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
    """One small interface over embedded Oxigraph, rdflib memory and (later) remote SPARQL."""

    #: a short name for messages and benchmarks
    kind: str = "abstract"

    @abstractmethod
    def replace_all(self, graphs: Mapping[str, Iterable[Triple]]) -> None:
        """Replace the whole content with these named graphs, atomically: a reader sees the old
        content or the new, never a mix, and a failure leaves the old content in place."""

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

    @abstractmethod
    def graph_names(self) -> list[str]:
        """IRIs of the named graphs that hold at least one triple, sorted."""

    @abstractmethod
    def triples(self, graph: str | None = None) -> Iterable[Triple]:
        """All triples of one named graph, or of the union when ``graph`` is None."""

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

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
