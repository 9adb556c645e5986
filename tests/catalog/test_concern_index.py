"""A barrier's or theme's page in the server's query runner reads what addresses it from the
indexes kept with the analyses' snapshot (``catalog.concern.addressed_by``: object -> subjects
of the property, the classes' typings), not by ``concern-addressed-by.rq`` over every standard
it has (issue 20: a barrier addressed by 5,000 of 10,000 standards took 2.1 s), and its gap
verdict from the gaps analysis' kept links. What addresses it equals a computation in Python
over the quads themselves (directly, or through a narrower concept: skos:broader, or
skos:narrower read backwards, transitively) and the query's answer; the page (its totals, a
page of its standards below and above ``SORT_LIMIT``, the gap) equals the page read by the
queries; on random graphs with hierarchies, typings in several graphs, blank nodes, and after
a series of guarded writes."""

from __future__ import annotations

import random
from collections import defaultdict

import pyoxigraph as ox
import pytest
from rdflib import Graph

from stdgraph.catalog import concern as concern_module
from stdgraph.catalog.common import Window
from stdgraph.catalog.concern import ADDRESSING, KINDS, addressed_by, concern
from stdgraph.change.guard import WriteGuard
from stdgraph.deadline import Deadline
from stdgraph.project import Project
from stdgraph.rdf.namespaces import GRAPH_BASE, INFERRED_GRAPH
from stdgraph.store import OxigraphStore
from stdgraph.store.base import Store
from stdgraph.store.bounded import DeadlineStore, StateCache
from support.quads import fill

SG = "https://w3id.org/stdgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
EX = "http://example.org/concerns#"
GRAPHS = [ox.NamedNode(GRAPH_BASE + f"data/f{k}") for k in range(3)] + [
    ox.NamedNode(INFERRED_GRAPH)]
#: kind -> its concepts in the random graphs
CONCEPTS = {kind: [EX + f"{kind}{k}" for k in range(5)] for kind in KINDS}


def bounded(store: Store, cache: StateCache) -> DeadlineStore:
    return DeadlineStore(store, Deadline(None), cache)


def random_quads(rng: random.Random, size: int) -> list[ox.Quad]:
    """Barriers and themes in a random hierarchy (skos:broader up, or skos:narrower down, a
    cycle now and then), and standards, roadmap items and recommendations (and subjects of no
    such class, and blank nodes) pointing at random concepts, typed in one of the graphs;
    statuses on some standards."""
    quads: list[ox.Quad] = []

    def add(s, p, o, g=None) -> None:
        quads.append(ox.Quad(s, ox.NamedNode(p), o, g or rng.choice(GRAPHS[:3])))

    for kind, concepts in CONCEPTS.items():
        cls = SG + ("Barrier" if kind == "barrier" else "Theme")
        for k, c in enumerate(concepts):
            add(ox.NamedNode(c), RDF_TYPE, ox.NamedNode(cls))
            add(ox.NamedNode(c), RDFS_LABEL, ox.Literal(f"{kind} {k}"))
            if k and rng.random() < 0.7:
                up = concepts[rng.randrange(k)]
                if rng.random() < 0.5:
                    add(ox.NamedNode(c), SKOS + "broader", ox.NamedNode(up))
                else:
                    add(ox.NamedNode(up), SKOS + "narrower", ox.NamedNode(c))
        if rng.random() < 0.3:  # a cycle back to the top
            add(ox.NamedNode(concepts[0]), SKOS + "broader", ox.NamedNode(concepts[-1]))
    for n in range(size):
        cls = rng.choice([*ADDRESSING, "Standard", "Standard", None])
        # (a blank node as a roadmap item or recommendation only: the gap verdict read by
        # queries, catalog.findings.gap_of, cannot read a blank node standard's status)
        s: ox.NamedNode | ox.BlankNode = (ox.BlankNode(f"b{n}") if rng.random() < 0.05
                                          and cls in ("RoadmapItem", "Recommendation")
                                          else ox.NamedNode(EX + f"s{n:03d}"))
        if cls is not None:
            add(s, RDF_TYPE, ox.NamedNode(SG + cls), rng.choice(GRAPHS))
            if cls == "Standard" and rng.random() < 0.7:
                add(s, SG + "status", ox.NamedNode(SG + rng.choice(["Published", "Withdrawn"])))
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(list(KINDS))
            add(s, KINDS[kind], ox.NamedNode(rng.choice(CONCEPTS[kind])))
    return quads


def brute(quads: list[ox.Quad], iri: str, kind: str) -> dict[str, dict[str, set[str]]]:
    """class name -> IRI subject -> how it points at ``iri`` ("" directly, else through a
    concept below it), from the quads."""
    children: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        if q.predicate.value == SKOS + "broader":
            children[q.object.value].add(q.subject.value)
        elif q.predicate.value == SKOS + "narrower":
            children[q.subject.value].add(q.object.value)
    below: set[str] = set()
    todo = [iri]
    while todo:
        for c in children[todo.pop()]:
            if c not in below:
                below.add(c)
                todo.append(c)
    below.discard(iri)
    types = {(q.subject.value, q.object.value) for q in quads
             if q.predicate.value == RDF_TYPE and isinstance(q.subject, ox.NamedNode)}
    out: dict[str, dict[str, set[str]]] = {}
    for q in quads:
        if q.predicate.value != KINDS[kind] or not isinstance(q.subject, ox.NamedNode):
            continue
        target = q.object.value
        via = "" if target == iri else target if target in below else None
        if via is None:
            continue
        for c in ADDRESSING:
            if (q.subject.value, SG + c) in types:
                out.setdefault(c, {}).setdefault(q.subject.value, set()).add(via)
    return out


def plain(found) -> dict[str, dict[str, set[str]]]:
    return {c: {s: set(v) for s, v in by.items()} for c, by in found.items() if by}


@pytest.mark.parametrize("limit", [1000, 3])
def test_kept_reads_equal_the_quads_and_the_query(limit, tmp_path, monkeypatch):
    monkeypatch.setattr(concern_module, "SORT_LIMIT", limit)
    seen = 0
    for trial in range(4):
        rng = random.Random(trial)
        quads = random_quads(rng, 60)
        store = OxigraphStore(tmp_path / f"s{trial}")
        fill(store, quads)
        cache = StateCache()
        for kind, concepts in CONCEPTS.items():
            for iri in concepts:
                want = brute(quads, iri, kind)
                assert plain(addressed_by(bounded(store, cache), iri, kind)) == want, iri
                assert plain(addressed_by(store, iri, kind)) == want, iri
                seen += len(want.get("Standard", {}))
                for window in (Window(1, 2), Window(2, 2)):
                    kept = concern(bounded(store, cache), iri, kind, standards=window)
                    assert kept is not None
                    assert kept == concern(store, iri, kind, standards=window), (iri, window)
                    assert kept["standards"]["total"] == len(want.get("Standard", {}))
        store.close()
    assert seen > 40


def test_a_write_is_in_the_next_page(tmp_path):
    """Guarded writes (a standard addressing a barrier; a barrier made narrower than another;
    a standard withdrawn): after each, the page read from the kept snapshot is the one read
    afresh, and what addresses the barrier is the quads'."""
    rng = random.Random(7)
    quads = random_quads(rng, 40)
    store = OxigraphStore(tmp_path / "s")
    fill(store, quads)
    guard = WriteGuard(store, Graph(), Project.locate().ontology())
    cache = StateCache()
    top = CONCEPTS["barrier"][0]
    g = GRAPH_BASE + "data/f0"
    writes = [
        f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}new1> a <{SG}Standard> ; "
        f"<{SG}addressesBarrier> <{top}> }} }}",
        f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}barrier4> <{SKOS}broader> <{top}> . "
        f"<{EX}new2> a <{SG}Standard> ; <{SG}addressesBarrier> <{EX}barrier4> }} }}",
        f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}new1> <{SG}status> <{SG}Withdrawn> }} }}",
        f"DELETE DATA {{ GRAPH <{g}> {{ <{EX}new1> <{SG}addressesBarrier> <{top}> }} }}",
    ]
    concern(bounded(store, cache), top, "barrier")  # fills the cache
    for step, write in enumerate(writes):
        guard.update(write)
        now = list(store.ox_quads())
        kept = concern(bounded(store, cache), top, "barrier")
        assert kept == concern(store, top, "barrier"), step
        assert plain(addressed_by(bounded(store, cache), top, "barrier")) == \
            brute(now, top, "barrier"), step
    assert EX + "new2" in brute(now, top, "barrier")["Standard"]
    store.close()
