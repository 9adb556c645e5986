"""Incremental inference for a write on a store the client does not hold (a remote server):
the ``Reasoner`` is built from the part of the store the change can reach, read with scoped
queries, instead of from the whole store.

``scoped_asserted(source, changes)`` reads, from ``source`` (the store as the write found it;
anything with ``quads_for_pattern``):

1. the schema: every asserted triple whose predicate is one the rules are compiled from
   (``rules.SCHEMA_PREDICATES``, ``rdf:first``/``rdf:rest`` of their lists) and the
   ``rdf:type`` triples that declare property characteristics (``rules.SCHEMA_TYPES``) — the
   size of the ontology, not of the data;
2. around the nodes of the changed asserted triples: each node's outgoing triples, and its
   incoming ones — all of them for the predicates a rule joins on at the object
   (``owl:sameAs``, transitive and inverse-functional properties, every step of a property
   chain but the last, their sub-properties and inverses), at most ``INCOMING`` per predicate
   for the others (enough for another derivation of a type from a range to be seen: a hub
   with thousands of incoming links is not read whole);
3. then the same around the nodes reached through the joining predicates (both directions),
   up to ``MAX_NODES`` nodes: a transitive hierarchy, a property chain, ``owl:sameAs``.

Built from that, ``Reasoner.update(added, removed)`` derives what the change adds as the whole
closure would: every rule with two premises joins at a node the read reached. ``settle`` then
checks its answer against the store: an added triple the inferred graph already holds, or
one asserted elsewhere, is not new; a removed one the inferred graph does not hold was never
there. What stays approximate: a removal whose consequence still follows from triples beyond
that reach (more than ``INCOMING`` other links of one predicate into a node, each giving the
same triple through different rules, or a chain longer than ``MAX_NODES``) would be retracted
from the inferred graph. The embedded store keeps the whole closure and is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS

from stdgraph.rdf.graphs import is_asserted
from stdgraph.rdf.io import to_oxigraph, to_rdflib
from stdgraph.rdf.namespaces import INFERRED_GRAPH
from stdgraph.rdf.results import Triple
from stdgraph.reasoning.rules import SCHEMA_PREDICATES, SCHEMA_TYPES, InferenceDelta

#: incoming triples read per (node, predicate) where no rule joins at the object
INCOMING = 3
#: nodes read around a change at most
MAX_NODES = 5_000

_TYPE = ox.NamedNode(str(RDF.type))
_SAME = ox.NamedNode(str(OWL.sameAs))
_LISTS = (ox.NamedNode(str(RDF.first)), ox.NamedNode(str(RDF.rest)))
_INFERRED = ox.NamedNode(INFERRED_GRAPH)


class Source(Protocol):
    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> Iterator[ox.Quad]: ...

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]: ...

    def with_predicates(self, predicates: Iterable[ox.NamedNode],
                        objects: Iterable[ox.NamedNode] | None = None) -> Iterator[ox.Quad]: ...

    def predicates_into(self, o: Any) -> list[ox.NamedNode]: ...

    def some(self, p: ox.NamedNode, o: Any, limit: int) -> Iterator[ox.Quad]: ...


def _asserted(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    return (q for q in quads if is_asserted(q.graph_name))


def schema(source: Source) -> list[ox.Quad]:
    """The asserted triples the rules are compiled from (item 1 of the module docstring)."""
    out = list(_asserted(source.with_predicates(
        [*(ox.NamedNode(str(x)) for x in SCHEMA_PREDICATES), *_LISTS])))
    out.extend(_asserted(source.with_predicates(
        [_TYPE], [ox.NamedNode(str(t)) for t in SCHEMA_TYPES])))
    return out


def _joining(schema_quads: list[ox.Quad]) -> tuple[set[ox.NamedNode], set[ox.NamedNode]]:
    """(predicates followed from subject to object, those followed back from object to
    subject): the ones rules with two premises join on, closed under sub-properties,
    equivalent and inverse properties."""
    by_p: dict[ox.NamedNode, list[ox.Quad]] = {}
    for q in schema_quads:
        by_p.setdefault(q.predicate, []).append(q)

    def subjects_typed(t: URIRef) -> set:
        return {q.subject for q in by_p.get(_TYPE, []) if q.object == ox.NamedNode(str(t))}

    first = {q.subject: q.object for q in by_p.get(_LISTS[0], [])}
    rest = {q.subject: q.object for q in by_p.get(_LISTS[1], [])}

    def members(head: Any) -> list:
        out, seen = [], set()
        while head in first and head not in seen:
            seen.add(head)
            out.append(first[head])
            head = rest.get(head)
        return out

    forward = {_SAME, *subjects_typed(OWL.TransitiveProperty),
               *subjects_typed(OWL.FunctionalProperty),
               *subjects_typed(OWL.InverseFunctionalProperty)}
    back = {_SAME, *subjects_typed(OWL.TransitiveProperty),
            *subjects_typed(OWL.InverseFunctionalProperty)}
    for q in by_p.get(ox.NamedNode(str(OWL.propertyChainAxiom)), []):
        steps = members(q.object)
        forward.update(steps)
        back.update(steps[:-1])
    sub = ox.NamedNode(str(RDFS.subPropertyOf))
    related = [(q.subject, q.object) for p in (sub, ox.NamedNode(str(OWL.equivalentProperty)))
               for q in by_p.get(p, [])]
    inverse = [(q.subject, q.object) for q in by_p.get(ox.NamedNode(str(OWL.inverseOf)), [])]
    changed = True
    while changed:
        changed = False
        for a, b in related:  # a sub-property (or an equivalent) joins where its super does
            for group in (forward, back):
                if b in group and a not in group:
                    group.add(a)
                    changed = True
        for a, b in inverse:  # an inverse joins the other way round
            for x, y in ((a, b), (b, a)):
                if y in forward and x not in back:
                    back.add(x)
                    changed = True
                if y in back and x not in forward:
                    forward.add(x)
                    changed = True
    keep = {x for x in forward | back if isinstance(x, ox.NamedNode)}
    return forward & keep, back & keep


def scoped_asserted(source: Source, changes: Iterable[ox.Quad]) -> list[Triple]:
    """The asserted triples a ``Reasoner`` needs to update the closure for ``changes`` (the
    changed asserted quads), as rdflib triples (see the module docstring)."""
    quads = schema(source)
    forward, back = _joining(quads)
    todo = [n for q in changes for n in (q.subject, q.object)
            if isinstance(n, ox.NamedNode)]
    seen: set = set()
    while todo and len(seen) < MAX_NODES:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for q in _asserted(source.quads_for_pattern(n, None, None, None)):
            quads.append(q)
            if q.predicate in forward and isinstance(q.object, ox.NamedNode):
                todo.append(q.object)
        for p in source.predicates_into(n):
            if p in back:
                for q in _asserted(source.quads_for_pattern(None, p, n, None)):
                    quads.append(q)
                    if isinstance(q.subject, ox.NamedNode):
                        todo.append(q.subject)
            else:  # a few, asserted or not (the server picks; enough in practice)
                quads.extend(_asserted(source.some(p, n, INCOMING)))
    return list(dict.fromkeys((to_rdflib(q.subject), to_rdflib(q.predicate),
                               to_rdflib(q.object)) for q in quads))


def _quad(t: Triple, graph: ox.NamedNode) -> ox.Quad:
    return ox.Quad(to_oxigraph(t[0]), to_oxigraph(t[1]), to_oxigraph(t[2]), graph)  # type: ignore[arg-type]


def settle(delta: InferenceDelta, before: Source, after: Source) -> InferenceDelta:
    """``delta`` (from a reasoner over a scoped part of the store) checked against the store:
    added triples that the inferred graph holds already (``before``) or that a graph asserts
    (``after``, the store with the write applied) are left out, and so are removed triples
    the inferred graph does not hold."""
    held = before.present(_quad(t, _INFERRED) for t in delta.added | delta.removed)
    added = set()
    for t in delta.added:
        if _quad(t, _INFERRED) in held:
            continue
        q = _quad(t, _INFERRED)
        if any(is_asserted(x.graph_name) for x in
               after.quads_for_pattern(q.subject, q.predicate, q.object, None)):
            continue
        added.add(t)
    removed = {t for t in delta.removed if _quad(t, _INFERRED) in held}
    return InferenceDelta(added, removed, delta.recomputed)
