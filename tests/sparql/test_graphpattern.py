"""GRAPH patterns in rdflib's engine, as stdgraph.sparql.graphpattern evaluates them, answer as
Oxigraph does on the memory store's query path (the write path's case, where rdflib 7.6's own
evaluation matched an EXISTS inside GRAPH in the default graph, is
tests/change/test_guard_native_oracle.py). The expected answers are Oxigraph's, on the same
quads."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from stdgraph.store import MemoryStore

EX = "http://example.org/"
# G1: s1 and s2 have a part; s3 has none. G2: s3 has a part. The default graph: nothing.
QUADS = """
<http://example.org/s1> <http://example.org/hasPart> <http://example.org/p1> <http://example.org/G1> .
<http://example.org/s2> <http://example.org/hasPart> <http://example.org/p2> <http://example.org/G1> .
<http://example.org/s1> <http://example.org/a> <http://example.org/S> <http://example.org/G1> .
<http://example.org/s2> <http://example.org/a> <http://example.org/S> <http://example.org/G1> .
<http://example.org/s3> <http://example.org/a> <http://example.org/S> <http://example.org/G1> .
<http://example.org/s3> <http://example.org/hasPart> <http://example.org/p3> <http://example.org/G2> .
<http://example.org/s4> <http://example.org/a> <http://example.org/S> <http://example.org/G2> .
"""
QUERIES = [
    # a standard without a part, in its own graph: s3 in G1, s4 in G2
    "SELECT ?g ?s WHERE { GRAPH ?g { ?s <http://example.org/a> <http://example.org/S> "
    "FILTER NOT EXISTS { ?s <http://example.org/hasPart> ?p } } }",
    "SELECT ?s WHERE { GRAPH <http://example.org/G1> { ?s <http://example.org/a> "
    "<http://example.org/S> FILTER EXISTS { ?s <http://example.org/hasPart> ?p } } }",
    # ?g also bound inside the pattern: joined with the graph's name afterwards
    "SELECT ?g ?s WHERE { GRAPH ?g { ?s <http://example.org/a> <http://example.org/S> "
    "OPTIONAL { ?s <http://example.org/in> ?g } } }",
    "SELECT ?s WHERE { ?s <http://example.org/a> <http://example.org/S> }",
]


def rows(result, names):
    return sorted(tuple(None if r[n] is None else str(r[n]).strip("<>") for n in names)
                  for r in result)


@pytest.mark.parametrize("query", QUERIES)
def test_graph_patterns_answer_as_oxigraph_does(query):
    db = ox.Store()
    db.load(QUADS.encode(), ox.RdfFormat.N_QUADS)
    expected = db.query(query)
    names = [v.value for v in expected.variables]
    want = rows((dict(zip(names, (s[n] for n in names), strict=True)) for s in expected), names)
    store = MemoryStore()
    store.update(f"INSERT DATA {{ {_as_graphs(QUADS)} }}")
    got = rows(store.query(query).dicts(), names)
    if "GRAPH" not in query:  # the memory store's default graph is the union of its graphs
        db2 = ox.Store()
        db2.load(QUADS.encode(), ox.RdfFormat.N_QUADS)
        want = rows((dict(zip(names, (s[n] for n in names), strict=True)) for s in db2.query(
            query, use_default_graph_as_union=True)), names)
    assert got == want
    assert want  # every query has an answer: the comparison is not vacuous


def test_the_not_exists_case_by_hand():
    """The first query's answer, by hand: s3 has no part in G1 (its part is in G2), s4 none in
    G2."""
    store = MemoryStore()
    store.update(f"INSERT DATA {{ {_as_graphs(QUADS)} }}")
    got = rows(store.query(QUERIES[0]).dicts(), ["g", "s"])
    assert got == [(EX + "G1", EX + "s3"), (EX + "G2", EX + "s4")]


def _as_graphs(nquads: str) -> str:
    out = []
    for line in nquads.strip().splitlines():
        s, p, o, g, _dot = line.split()
        out.append(f"GRAPH {g} {{ {s} {p} {o} }}")
    return " ".join(out)
