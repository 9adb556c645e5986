"""``Store.changes``: the writes between two versions as their transactions recorded them, so
that readers keeping derived state (the analyses) can bring it up to date (issue 20). Each
recorded change must be exactly the difference of the store's quads before and after; a change
that recorded nothing (a build, ``replace_graph``) makes the answer ``None``. Also
``select_native`` (rows as pyoxigraph terms) against ``query``, and ``StateCache.upkeep``."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from stdgraph.change.guard import WriteGuard
from stdgraph.deadline import Deadline
from stdgraph.rdf.io import to_oxigraph
from stdgraph.store import MemoryStore, OxigraphStore
from stdgraph.store.bounded import DeadlineStore, StateCache

G = "https://w3id.org/stdgraph/graph/data/t"
EX = "http://example.org/t#"


@pytest.fixture(params=["oxigraph", "memory"])
def store(request, tmp_path):
    st = OxigraphStore(tmp_path / "store") if request.param == "oxigraph" else MemoryStore()
    st.replace_all({G: [(URIRef(EX + "a"), URIRef(EX + "p"), Literal("one"))]})
    yield st
    st.close()


def quads(store) -> set[ox.Quad]:
    return {ox.Quad(*(to_oxigraph(t) for t in triple), ox.NamedNode(g))
            for g in store.graph_names() for triple in store.triples(g)}


def apply(state: set[ox.Quad], changes) -> set[ox.Quad]:
    for c in changes:
        state = (state - set(c.removed)) | set(c.added)
    return state


def test_each_guarded_write_is_recorded_exactly(store):
    guard = WriteGuard(store, Graph(), Graph())
    versions, states = [store.version()], [quads(store)]
    for update in (
        f'INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> "two\\nlines"@en, <{EX}b> . '
        f'<{EX}b> <{EX}q> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> }} }}',
        f'DELETE DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> "one" }} }}',
        f'DELETE {{ GRAPH <{G}> {{ ?s <{EX}p> ?o }} }} INSERT {{ GRAPH <{G}> {{ ?s <{EX}r> ?o }} }}'
        f' WHERE {{ GRAPH <{G}> {{ ?s <{EX}p> ?o }} }}',
    ):
        guard.update(update)
        versions.append(store.version())
        states.append(quads(store))
    assert len(set(versions)) == len(versions)
    for i in range(len(versions)):
        for j in range(i, len(versions)):
            changes = store.changes(versions[i], versions[j])
            assert changes is not None and len(changes) == j - i
            assert apply(states[i], changes) == states[j], (i, j)
            for c in changes:
                assert not set(c.added) & set(c.removed)


def test_a_change_that_recorded_nothing_is_unknown(store):
    guard = WriteGuard(store, Graph(), Graph())
    v0 = store.version()
    guard.update(f'INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> <{EX}c> }} }}')
    v1 = store.version()
    store.replace_graph(G + "/other", [(URIRef(EX + "x"), URIRef(EX + "p"), URIRef(EX + "y"))])
    v2 = store.version()
    guard.update(f'INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> <{EX}d> }} }}')
    v3 = store.version()
    assert store.changes(v0, v1) is not None
    assert store.changes(v0, v2) is None and store.changes(v1, v3) is None
    assert store.changes(v2, v3) is not None
    store.replace_all({})
    assert store.changes(v3, store.version()) is None


def test_select_native_is_query_in_pyoxigraph_terms(store):
    q = f"SELECT ?s ?o ?g WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} OPTIONAL {{ ?s <{EX}none> ?g }} }}"
    expected = [tuple(None if t is None else to_oxigraph(t) for t in row)
                for row in store.query(q).rows]
    assert sorted(map(str, store.select_native(q))) == sorted(map(str, expected))
    bounded = DeadlineStore(store, Deadline(None))
    assert sorted(map(str, bounded.select_native(q))) == sorted(map(str, expected))


def test_upkeep_brings_a_value_up_to_date(store):
    guard = WriteGuard(store, Graph(), Graph())
    cache = StateCache()
    calls: list[str] = []

    def build():
        calls.append("build")
        return quads(store)

    def update(old, since, until):
        calls.append("update")
        changes = store.changes(since, until)
        return None if changes is None else apply(old, changes)

    first = cache.upkeep(store, "q", build, update)
    assert cache.upkeep(store, "q", build, update) is first and calls == ["build"]
    guard.update(f'INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> <{EX}e> }} }}')
    second = cache.upkeep(store, "q", build, update)
    assert calls == ["build", "update"] and second == quads(store) and second != first
    store.replace_all({})
    assert cache.upkeep(store, "q", build, update) == set()
    assert calls == ["build", "update", "update", "build"]
