"""The count of links into a resource (``catalog.resource.incoming_count``: by property, less
the links also made by a sub-property) is the number of rows the generic page's list has
(``resource-incoming.rq``: each link once, under its most specific property), and the number a
computation in Python over the quads gives: on random graphs with a hierarchy of properties
(chains, two sub-properties of one, a property that is its own sub-property), blank-node and
self links, in several graphs."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from stdgraph.catalog.resource import incoming, incoming_count
from stdgraph.rdf.namespaces import GRAPH_BASE, INFERRED_GRAPH
from stdgraph.store import MemoryStore, OxigraphStore
from support.quads import fill

EX = "http://example.org/incoming#"
SUB = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"
GRAPHS = [ox.NamedNode(GRAPH_BASE + f"data/g{k}") for k in range(2)] + [
    ox.NamedNode(INFERRED_GRAPH)]
PROPS = [EX + f"p{k}" for k in range(5)]
#: (sub, super): p1 and p2 under p0, p3 under p1 (and, as a closure states it, under p0), p4
#: alone; p0 its own sub-property
HIERARCHY = [(1, 0), (2, 0), (3, 1), (3, 0), (0, 0)]
TARGETS = [EX + f"r{k}" for k in range(3)]


def random_quads(rng: random.Random) -> list[ox.Quad]:
    quads = [ox.Quad(ox.NamedNode(PROPS[a]), ox.NamedNode(SUB), ox.NamedNode(PROPS[b]),
                     GRAPHS[0]) for a, b in HIERARCHY]
    subjects: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(EX + f"s{k}") for k in range(12)]
    subjects += [ox.BlankNode("b0"), ox.BlankNode("b1"), ox.NamedNode(TARGETS[0])]
    for s in subjects:
        for r in TARGETS:
            for p in rng.sample(PROPS, rng.randint(0, 3)):
                quads.append(ox.Quad(s, ox.NamedNode(p), ox.NamedNode(r), rng.choice(GRAPHS)))
    return quads


def brute(quads: list[ox.Quad], r: str) -> int:
    """(subject, property) pairs linking to ``r`` (IRI subjects other than ``r``), those with a
    link by a (declared) sub-property other than the property itself left out."""
    target = ox.NamedNode(r)
    links = {(q.subject.value, q.predicate.value) for q in quads
             if q.object == target and isinstance(q.subject, ox.NamedNode)
             and q.subject.value != r}
    subs = {(q.subject.value, q.object.value) for q in quads if q.predicate.value == SUB}
    every = {(q.subject.value, q.predicate.value) for q in quads if q.object == target}
    return sum(1 for s, p in links
               if not any((s, sub) in every for sub, sup in subs if sup == p and sub != p))


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_incoming_count_is_the_list_and_the_quads(kind, tmp_path):
    shadowed = 0
    for trial in range(8 if kind == "oxigraph" else 3):
        rng = random.Random(trial)
        quads = random_quads(rng)
        store = OxigraphStore(tmp_path / f"s{trial}") if kind == "oxigraph" else MemoryStore()
        fill(store, quads)
        for r in TARGETS:
            want = brute(quads, r)
            assert incoming_count(store, r) == want == len(incoming(store, r)), (trial, r)
            plain = len({(q.subject.value, q.predicate.value) for q in quads
                         if q.object == ox.NamedNode(r) and isinstance(q.subject, ox.NamedNode)
                         and q.subject.value != r})
            shadowed += plain - want
        store.close()
    assert shadowed > 5  # the sub-properties did leave links out


def test_a_resource_nothing_links_to(tmp_path):
    store = OxigraphStore(tmp_path / "s")
    fill(store, random_quads(random.Random(1)))
    assert incoming_count(store, EX + "nothing") == 0
    store.close()
