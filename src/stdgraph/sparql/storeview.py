"""SPARQL over anything that reads like a pyoxigraph store (``quads_for_pattern``,
``named_graphs``), evaluated by rdflib's engine: ``StoreView`` is a read-only rdflib view of it
restricted to one SPARQL dataset, ``select`` runs a SELECT query over it.

The write path evaluates an update's ``WHERE`` this way over its private copy
(``change.guard``), and a write on a remote store runs the SHACL-SPARQL constraints this way over
its overlay (``store.overlay``: the server's answers with the write's own quads added and
removed), where no SPARQL engine holds the data. Nothing is copied: every pattern the engine
asks for is read from the store as it is needed.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.store import Store as RdflibStore
from rdflib.term import Node

from stdgraph.deadline import Deadline
from stdgraph.rdf.graphs import GraphName
from stdgraph.rdf.io import OxTerm, to_oxigraph, to_rdflib
from stdgraph.sparql.graphpattern import install as install_graph_pattern

install_graph_pattern()  # rdflib 7's GRAPH evaluation, corrected (sparql/graphpattern.py)

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

_CHECK_EVERY = 256  # triples read between two deadline checks

Triple = tuple[Node, Node, Node]


class QuadSource(Protocol):
    """What ``StoreView`` reads: a pyoxigraph store, or anything answering as one."""

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any,
                          graph_name: Any = None) -> Iterator[ox.Quad]: ...

    def named_graphs(self) -> Iterator[Any]: ...


class StoreView(RdflibStore):
    """A read-only rdflib view of a pyoxigraph store restricted to one SPARQL dataset: the
    default graph is the merge of ``default`` graphs (``None``: of all graphs, the union), the
    named graphs are ``named`` (``None``: all of the store's). rdflib's evaluator reads it
    through ``triples``; nothing is copied. ``deadline`` is checked as triples are read."""

    context_aware = True
    graph_aware = True

    def __init__(self, db: QuadSource, default: list[GraphName] | None,
                 named: list[ox.NamedNode] | None, deadline: Deadline) -> None:
        super().__init__()
        self.db = db
        self.default = default
        self.named = named
        self.deadline = deadline
        self.read = 0
        #: read the union once instead of each default graph (a store whose every read is a
        #: request: ``select`` sets it)
        self.union_reads = False

    def _graphs(self, context: Graph | None) -> list[GraphName | None]:
        ident = getattr(context, "identifier", context)
        if ident is None or ident == DATASET_DEFAULT_GRAPH_ID:
            return [None] if self.default is None else list(self.default)
        g = ox.NamedNode(str(ident))
        return [g] if self.named is None or g in self.named else []

    def triples(self, triple_pattern: tuple[Node | None, Node | None, Node | None],
                context: Graph | None = None) -> Iterator[tuple[Triple, Iterator[Graph | None]]]:
        s, p, o = (None if x is None or isinstance(x, Variable) else to_oxigraph(x)
                   for x in triple_pattern)
        graphs = self._graphs(context)
        seen: set[tuple[OxTerm, OxTerm, OxTerm]] | None = (
            set() if len(graphs) > 1 or None in graphs else None)
        among: set[GraphName | None] | None = None
        if len(graphs) > 1 and self.union_reads:
            # one read of every graph, filtered, rather than one read per graph
            among, graphs = set(graphs), [None]
        for g in graphs:
            # rdflib types every position as Node; pyoxigraph checks the kinds (TypeError)
            for q in self.db.quads_for_pattern(s, p, o, g):
                if among is not None and q.graph_name not in among:
                    continue
                self.read += 1
                if self.read % _CHECK_EVERY == 0:
                    self.deadline.check()
                if seen is not None:
                    key = (q.subject, q.predicate, q.object)
                    if key in seen:
                        continue
                    seen.add(key)
                yield (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)), \
                    iter(())

    def __len__(self, context: Graph | None = None) -> int:
        return sum(sum(1 for _ in self.db.quads_for_pattern(None, None, None, g))
                   for g in self._graphs(context))

    def contexts(self, triple: Triple | None = None) -> Generator[Graph, None, None]:
        names = self.named if self.named is not None else list(self.db.named_graphs())
        for g in names:
            yield Graph(store=self, identifier=URIRef(g.value))

    def add_graph(self, graph: Graph) -> None:  # rdflib's Dataset registers its default graph
        pass

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        pass

    def namespace(self, prefix: str) -> URIRef | None:
        return None

    def prefix(self, namespace: URIRef) -> str | None:
        return None

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        return iter(())


@lru_cache(maxsize=256)
def parsed(sparql: str) -> Query:
    """rdflib's algebra of a query (kept: constraints are run over and over), its joins made
    lazy wherever that means the same (``_lazy``)."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    query = translateQuery(parseQuery(sparql))
    _lazy(query.algebra)
    return query


#: algebra nodes under which the solutions of a part depend on more than its own patterns
_WHOLE = {"Slice", "Distinct", "Reduced", "Group", "AggregateJoin", "Project", "OrderBy",
          "ToMultiSet", "values", "Minus"}


def _lazy(node: Any) -> None:
    """Mark a ``Join`` lazy (rdflib then evaluates its right part once per solution of the
    left one, with those bindings: a lookup, not a scan) where that gives the same solutions:
    the right part has no sub-query, aggregate or ``MINUS``, and each of its filters reads
    only variables its own patterns bind. rdflib marks lazy only joins with no join below
    them, so ``{ $this ... } UNION { ... }`` next to a pattern was read whole, for every
    focus node at once."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "Join" and not node.get("lazy") and _self_contained(node.p2):
            node["lazy"] = True
        for k, v in node.items():
            if not k.startswith("_"):
                _lazy(v)
    elif isinstance(node, list | tuple):
        for x in node:
            _lazy(x)


def _self_contained(part: Any) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue, Expr

    bound: set[Variable] = set()
    used: set[Variable] = set()
    ok = True

    def walk(node: Any, in_expr: bool) -> None:
        nonlocal ok
        if isinstance(node, Expr | CompValue):
            if isinstance(node, CompValue) and node.name in _WHOLE:
                ok = False
            if isinstance(node, CompValue) and node.name in {"BGP", "TriplesBlock"}:
                for t in node.get("triples") or []:
                    bound.update(x for x in t if isinstance(x, Variable))
            for k, v in node.items():
                if k.startswith("_") or k == "triples":
                    continue
                walk(v, in_expr or k == "expr" or isinstance(node, Expr))
        elif isinstance(node, list | tuple):
            for x in node:
                walk(x, in_expr)
        elif isinstance(node, Variable):
            (used if in_expr else bound).add(node)

    walk(part, False)
    return ok and used <= bound


class Solutions:
    """A SELECT's solutions as pyoxigraph gives them: ``variables``, and rows indexed by a
    variable's name (or ``pyoxigraph.Variable``), ``None`` where unbound."""

    def __init__(self, variables: list[str], rows: Iterator[dict[str, OxTerm]]) -> None:
        self.variables = [ox.Variable(v) for v in variables]
        self._rows = rows

    def __iter__(self) -> Iterator[Solution]:
        names = [v.value for v in self.variables]
        for row in self._rows:
            yield Solution(row, names)


class Solution:
    """One solution: indexed by a variable's name, a ``pyoxigraph.Variable`` or the
    variable's position, as a ``pyoxigraph.QuerySolution``."""

    def __init__(self, row: dict[str, OxTerm], names: list[str]) -> None:
        self._row = row
        self._names = names

    def __getitem__(self, key: str | int | ox.Variable) -> OxTerm | None:
        if isinstance(key, int):
            key = self._names[key]
        return self._row.get(key.value if isinstance(key, ox.Variable) else key)


def select(db: QuadSource, sparql: str, *, default: list[GraphName] | None,
           named: list[ox.NamedNode] | None, bindings: dict[str, OxTerm] | None = None,
           deadline: Deadline | None = None) -> Solutions:
    """Run a SELECT query with rdflib's engine over ``db`` (the dataset as for ``StoreView``),
    ``bindings`` pre-bound (as pyoxigraph's ``substitutions``)."""
    from rdflib.plugins.sparql.evaluate import evalQuery

    query = parsed(sparql)
    view = StoreView(db, default, named, deadline or Deadline(None))
    view.union_reads = True
    ds = Dataset(store=view, default_union=False)
    init = {Variable(k): to_rdflib(v) for k, v in (bindings or {}).items()}
    result = evalQuery(ds, query, init)  # type: ignore[arg-type]  # rdflib takes Variables too
    variables = [str(v) for v in result.get("vars_") or []]

    def rows() -> Iterator[dict[str, OxTerm]]:
        for b in result["bindings"]:
            yield {str(k): to_oxigraph(v) for k, v in b.items() if v is not None}
    return Solutions(variables, rows())
