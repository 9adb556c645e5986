"""Query results in rdflib terms, and answers already serialised for the wire.

These are values, not behaviour: the stores produce them, ``formats`` serialises them, the CLI
and the HTTP layer hand them on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rdflib.term import Node

Triple = tuple[Node, Node, Node]


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


@dataclass
class Answer:
    """A query result already serialised for the wire."""

    kind: Literal["select", "ask", "graph"]
    format: str  # a name from formats.RESULT_MEDIA / GRAPH_MEDIA
    body: bytes
    truncated: bool = False
    count: int | None = None  # rows (SELECT) or triples (graph); None for ASK, or not counted
