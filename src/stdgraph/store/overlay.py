"""A write on a store the client does not hold: the server's dataset seen through the write's
own delta, kept locally.

``Overlay`` answers the calls the change protocol makes of a transaction's copy
(``change.guard``: ``RecordingDB``, the inference, ``validation.scoped.validate_in_store``) as a
``pyoxigraph.Store`` would, without copying the dataset: every read goes to the server
(``OverlayBase.pattern``, one SPARQL query) and is combined with the quads the write added (a
small in-memory store, ``plus``) and removed (a set, ``minus``). Its memory is that of the delta
and of a bounded cache of the server's answers, not of the dataset.

SPARQL over the view (``query``, what the SHACL-SPARQL constraints run): a query none of whose
triple patterns can match a quad of the delta (no added or removed quad has a predicate the
query names; a variable predicate matches everything) has the same answer on the server as on
the view, and is sent there; any other query is evaluated by rdflib's engine over the view
itself (``sparql.storeview``), every pattern it reads answered as above.

The server is read as it is at each read: a write by someone else between the start of the
transaction and its commit is seen by the later reads (SPARQL gives no snapshot to read from),
and the commit does not check for one (SPARQL has no version to compare).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import URIRef, Variable
from rdflib.paths import NegatedPath, Path

from stdgraph.errors import ServerQueryFailed
from stdgraph.rdf.graphs import GraphName
from stdgraph.rdf.io import OxTerm, to_oxigraph
from stdgraph.sparql.storeview import Solutions, parsed, select

#: a cached answer holds at most this many quads (a bigger one is streamed, not kept) ...
CACHE_ANSWER = 2_000
#: ... and the cache at most this many in all (the least recently read answers go first)
CACHE_TOTAL = 50_000

Pattern = tuple[OxTerm | None, ox.NamedNode | None, OxTerm | None,
                ox.NamedNode | ox.DefaultGraph | None]


class OverlayBase(Protocol):
    """What the overlay reads from the server (``RemoteStore``)."""

    def pattern(self, s: OxTerm | None, p: ox.NamedNode | None, o: OxTerm | None,
                g: ox.NamedNode | ox.DefaultGraph | None = None, *,
                limit: int | None = None) -> Iterator[ox.Quad]: ...

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]: ...

    def with_predicates(self, predicates: Iterable[ox.NamedNode],
                        objects: Iterable[ox.NamedNode] | None = None) -> Iterator[ox.Quad]: ...

    def predicates_into(self, o: OxTerm) -> list[ox.NamedNode]: ...

    def graph_names(self) -> list[str]: ...

    def select_solutions(self, sparql: str, *, default_graphs: list[str] | None,
                         named_graphs: list[str] | None) -> Solutions: ...


class Before:
    """The server's dataset as the write found it (no delta): what the inference is built
    from. Reads share the overlay's cache."""

    def __init__(self, overlay: Overlay) -> None:
        self._overlay = overlay

    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> Iterator[ox.Quad]:
        return self._overlay.base_quads(s, p, o, g)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return iter(self._overlay.base_graphs())

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        return self._overlay.in_base(list(quads))

    def with_predicates(self, predicates: Iterable[ox.NamedNode],
                        objects: Iterable[ox.NamedNode] | None = None) -> Iterator[ox.Quad]:
        """The quads whose predicate is one of ``predicates`` (and object one of ``objects``):
        one request."""
        return self._overlay.base.with_predicates(predicates, objects)

    def predicates_into(self, o: OxTerm) -> list[ox.NamedNode]:
        return self._overlay.base.predicates_into(o)

    def some(self, p: ox.NamedNode, o: OxTerm, limit: int) -> Iterator[ox.Quad]:
        """At most ``limit`` quads with predicate ``p`` and object ``o``."""
        return self._overlay.base.pattern(None, p, o, None, limit=limit)


class Overlay:
    """The server's dataset with a write's delta applied, read like a ``pyoxigraph.Store``
    (the calls the change protocol makes; see the module docstring)."""

    def __init__(self, base: OverlayBase) -> None:
        self.base = base
        self.plus = ox.Store()  # in memory: the added quads, none of which the server holds
        self.minus: set[ox.Quad] = set()  # removed quads, all of which the server holds
        self.created: set[ox.NamedNode] = set()  # empty named graphs made by the write
        self.before = Before(self)
        self._graphs: list[ox.NamedNode] | None = None
        self._cache: OrderedDict[Pattern, tuple[ox.Quad, ...]] = OrderedDict()
        self._cached = 0
        self._changed = 0  # bumped by every change of the delta
        self._predicates: tuple[int, frozenset[ox.NamedNode]] | None = None
        self._held: set[ox.Quad] = set()  # quads the server was found to hold (``in_base``)
        self._absent: set[ox.Quad] = set()  # and not to hold

    # -- the server's dataset, read through a cache -----------------------------------------
    def base_quads(self, s: Any, p: Any, o: Any, g: Any = None) -> Iterator[ox.Quad]:
        key: Pattern = (s, p, o, g)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            yield from hit
            return
        kept: list[ox.Quad] | None = []
        for q in self.base.pattern(s, p, o, g):
            if kept is not None:
                kept.append(q)
                if len(kept) > CACHE_ANSWER:
                    kept = None
            yield q
        if kept is not None:
            self._cache[key] = tuple(kept)
            self._cached += len(kept)
            while self._cached > CACHE_TOTAL and self._cache:
                _k, old = self._cache.popitem(last=False)
                self._cached -= len(old)

    def base_graphs(self) -> list[ox.NamedNode]:
        if self._graphs is None:
            self._graphs = [ox.NamedNode(g) for g in self.base.graph_names()]
        return self._graphs

    def in_base(self, quads: list[ox.Quad]) -> set[ox.Quad]:
        """Which of ``quads`` the server holds. Answers are remembered until the delta takes
        the quads in (``present`` then ``extend`` or ``remove``, as ``RecordingDB`` does, asks
        once): a quad asked about is about to be written."""
        ask = [q for q in quads if q not in self._held and q not in self._absent]
        if ask:
            found = self.base.present(ask)
            for q in ask:
                (self._held if q in found else self._absent).add(q)
        return {q for q in quads if q in self._held}

    # -- reads -------------------------------------------------------------------------------
    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> Iterator[ox.Quad]:
        minus = self.minus
        for q in self.base_quads(s, p, o, g):
            if q not in minus:
                yield q
        yield from self.plus.quads_for_pattern(s, p, o, g)

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None, None)

    def __contains__(self, q: ox.Quad) -> bool:
        return bool(self.present([q]))

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """Which of ``quads`` the view holds (the server asked about many at once)."""
        items = list(dict.fromkeys(quads))
        found = {q for q in items if q in self.plus}
        ask = [q for q in items if q not in found and q not in self.minus]
        return found | self.in_base(ask)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        base = set(self.base_graphs())
        touched = {q.graph_name for q in self.minus} | set(self.plus.named_graphs())
        names = base | touched | self.created
        for g in sorted((n for n in names if isinstance(n, ox.NamedNode)),
                        key=lambda n: n.value):
            if g in self.created or (g in base and g not in touched) or self._nonempty(g):
                yield g

    def contains_named_graph(self, g: ox.NamedNode) -> bool:
        return g in self.created or self._nonempty(g)

    def _nonempty(self, g: ox.NamedNode) -> bool:
        """The view holds a quad of ``g``: asked with a ``LIMIT`` one more than the write
        removes from it (a server may compute a whole answer before it sends the first row:
        Virtuoso takes 30 s for a graph of 100k triples)."""
        if next(self.plus.quads_for_pattern(None, None, None, g), None) is not None:
            return True
        gone = sum(1 for q in self.minus if q.graph_name == g)
        return any(q not in self.minus
                   for q in self.base.pattern(None, None, None, g, limit=gone + 1))

    # -- writes ------------------------------------------------------------------------------
    def extend(self, quads: Iterable[ox.Quad]) -> None:
        items = [q for q in dict.fromkeys(quads) if q not in self.plus]
        back = [q for q in items if q in self.minus]
        for q in back:
            self.minus.discard(q)
        rest = [q for q in items if q not in self.minus and q not in back]
        held = self.in_base(rest)
        new = [q for q in rest if q not in held]
        if new:
            self.plus.extend(new)
            self._absent.difference_update(new)
        if back or new:
            self._changed += 1

    bulk_extend = extend

    def add(self, q: ox.Quad) -> None:
        self.extend([q])

    def remove(self, q: ox.Quad) -> None:
        if q in self.plus:
            self.plus.remove(q)
            self._changed += 1
        elif q not in self.minus and self.in_base([q]):
            self.minus.add(q)
            self._held.discard(q)
            self._changed += 1

    def add_graph(self, g: ox.NamedNode) -> None:
        self.created.add(g)

    def remove_graph(self, g: ox.NamedNode) -> None:
        for q in list(self.quads_for_pattern(None, None, None, g)):
            self.remove(q)
        self.created.discard(g)

    def clear(self) -> None:
        for q in list(self.quads_for_pattern(None, None, None, None)):
            self.remove(q)
        self.created.clear()

    # -- SPARQL ------------------------------------------------------------------------------
    def delta_predicates(self) -> frozenset[ox.NamedNode]:
        if self._predicates is None or self._predicates[0] != self._changed:
            found = {q.predicate for q in self.minus}
            found.update(q.predicate for q in self.plus)
            self._predicates = (self._changed, frozenset(found))
        return self._predicates[1]

    def query(self, sparql: str, *, default_graph: Any = None, named_graphs: Any = None,
              use_default_graph_as_union: bool = False,
              substitutions: dict[ox.Variable, OxTerm] | None = None) -> Solutions:
        """A SELECT over the view, with ``pyoxigraph.Store.query``'s dataset arguments (the
        ones the validation passes) and ``substitutions``."""
        if use_default_graph_as_union or default_graph is None:
            default: list[GraphName] | None = None
        else:
            default = list(default_graph) if isinstance(default_graph, list) else [default_graph]
        named = None if named_graphs is None else list(named_graphs)
        delta = self.delta_predicates()
        # the validation binds ``$this`` with a VALUES block of IRIs at the start of the WHERE
        # group (``shacl_sparql.run``): the text without it is the same for every batch, so it
        # is parsed once (rdflib's parser takes a quarter of a second a query)
        values = _VALUES.search(sparql)
        rows = None if values is None else _IRI.findall(values["rows"])
        if values is not None and rows is not None and assert_iris(values["rows"], rows):
            general = sparql[:values.start()] + sparql[values.end():]
        else:
            general, rows = sparql, None
        wanted = query_predicates(general)
        if not substitutions and (not delta or (wanted is not None and not wanted & delta)):
            try:
                return self.base.select_solutions(
                    sparql,
                    default_graphs=None if default is None else
                    [g.value for g in default if isinstance(g, ox.NamedNode)],
                    named_graphs=None if named is None else [g.value for g in named])
            except ServerQueryFailed:
                pass  # a query the server cannot evaluate is evaluated here, over the view
        bindings = {v.value: t for v, t in (substitutions or {}).items()}
        if rows is None or values is None:
            return select(self, sparql, default=default, named=named, bindings=bindings)
        var = values["var"]
        parts = [select(self, general, default=default, named=named,
                        bindings={**bindings, var: ox.NamedNode(iri)}) for iri in rows]
        variables = [v.value for v in parts[0].variables] if parts else [var]
        return Solutions(variables, (dict(_row(sol, variables)) for part in parts
                                     for sol in part))


#: a VALUES block of one variable: ``shacl_sparql``'s way of binding ``$this``
_VALUES = re.compile(r"\bVALUES\s+[?$](?P<var>\w+)\s*\{(?P<rows>[^{}]*)\}")
_IRI = re.compile(r"<([^<>\"{}|^`\\\s]*)>")


def assert_iris(text: str, iris: list[str]) -> bool:
    """``text`` (a VALUES block's rows) is only those IRIs, in angle brackets."""
    return bool(iris) and not _IRI.sub("", text).strip()


def _row(sol: Any, variables: list[str]) -> Iterator[tuple[str, OxTerm]]:
    for v in variables:
        t = sol[v]
        if t is not None:
            yield v, t


@lru_cache(maxsize=256)
def query_predicates(sparql: str) -> frozenset[ox.NamedNode] | None:
    """The predicates a query's triple patterns and paths name; ``None`` when one may match
    any predicate (a variable, a negated property set)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    found: set[ox.NamedNode] = set()

    def path(p: Any) -> bool:
        if isinstance(p, URIRef):
            found.add(to_oxigraph(p))
            return True
        if isinstance(p, Variable | NegatedPath):
            return False
        if isinstance(p, Path):
            parts = list(getattr(p, "args", ()))
            if hasattr(p, "arg"):
                parts.append(p.arg)
            if hasattr(p, "path"):
                parts.append(p.path)
            if not parts:
                return False  # a negated property set
            return all(path(x) for x in parts)
        return False

    def walk(node: Any) -> bool:
        if isinstance(node, CompValue):
            for t in node.get("triples") or [] if node.name in {"BGP", "TriplesBlock"} else []:
                for i in range(0, len(t) - 2, 3):
                    if not path(t[i + 1]):
                        return False
            return all(walk(v) for k, v in node.items() if not k.startswith("_"))
        if isinstance(node, list | tuple):
            return all(walk(x) for x in node)
        return True

    try:
        algebra = parsed(sparql).algebra
    except Exception:  # noqa: BLE001 - rdflib's parser refuses what a server may accept
        return None
    return frozenset(found) if walk(algebra) else None
