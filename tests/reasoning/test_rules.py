"""The compiled rules (stdgraph.reasoning.rules) entail exactly what owlrl entails, in batch and
incrementally: on the bundled graph, on the I40KG, on the mini fixture and on random graphs."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from stdgraph.change.build import build, load_project, parse_file
from stdgraph.project import Project
from stdgraph.rdf.io import to_rdflib
from stdgraph.rdf.namespaces import GRAPH_BASE, INFERRED_GRAPH, META_GRAPH
from stdgraph.reasoning.infer import infer
from stdgraph.reasoning.rules import Reasoner, UnsupportedConstruct, infer_delta, write_delta
from stdgraph.store import MemoryStore, OxigraphStore

REPO = Path(__file__).resolve().parents[2]
I40KG = REPO.parent / "shared" / "data" / "i40kg" / "i40kg.ttl"
EX = Namespace("http://example.org/mini#")
R = Namespace("http://example.org/r#")


def owlrl_inferred(g: Graph) -> set:
    return set(infer(g, engine="owlrl"))


def rules_inferred(triples) -> set:
    return set(Reasoner(triples).inferred())


# -- fixed graphs ---------------------------------------------------------------------------------
def test_bundled_graph_rules_equal_owlrl():
    asserted = load_project(Project.locate(REPO)).union()
    expected = owlrl_inferred(asserted)
    assert len(expected) > 1000
    assert set(infer(asserted)) == expected  # the default engine is the rules
    assert rules_inferred(asserted) == expected


@pytest.mark.slow
@pytest.mark.skipif(not I40KG.is_file(), reason="needs ../shared/data/i40kg/i40kg.ttl")
def test_bundled_graph_with_i40kg_rules_equal_owlrl():
    """The I40KG brings owl:sameAs, owl:hasValue restrictions, owl:oneOf and owl:unionOf."""
    loaded = load_project(Project.locate(REPO))
    loaded.data["urn:i40kg"] = parse_file(I40KG, "i40kg.ttl")
    asserted = loaded.union()
    assert rules_inferred(asserted) == owlrl_inferred(asserted)


def test_mini_fixture_gives_the_three_hand_written_entailments(mini):
    asserted = load_project(Project.locate(mini)).union()
    expected = {
        (EX.b, EX.supersededBy, EX.a),  # owl:inverseOf
        (EX.c, EX.conflictsWith, EX.b),  # owl:SymmetricProperty
        (EX.c, EX.partOf, EX.e),  # owl:TransitiveProperty
    }
    assert set(infer(asserted, engine="rules")) == expected
    assert set(infer(asserted, engine="owlrl")) == expected


def test_functional_status_gives_same_as_and_copies_statements():
    """prp-fp: a standard with two statuses makes them the same (eq-rep-* copy their triples)."""
    sg = Namespace("https://w3id.org/stdgraph/ontology#")
    g = Graph()
    for t in load_project(Project.locate(REPO)).ontology_graph():
        g.add(t)
    g.add((R.s, sg.status, sg.Published))
    g.add((R.s, sg.status, sg.Withdrawn))
    g.add((R.t, sg.status, sg.Withdrawn))
    inferred = rules_inferred(g)
    assert (sg.Published, OWL.sameAs, sg.Withdrawn) in inferred
    assert (R.t, sg.status, sg.Published) in inferred
    assert inferred == owlrl_inferred(g)


def test_every_intersection_list_of_a_class_applies():
    """cls-int1 with two owl:intersectionOf lists on one class: members of either list's classes
    are instances, whichever order the triples come in, in batch and after an update."""
    g = Graph()
    Collection(g, BNode("l1"), [R.B, R.C])
    Collection(g, BNode("l2"), [R.D, R.E])
    g.add((R.A, OWL.intersectionOf, BNode("l1")))
    g.add((R.A, OWL.intersectionOf, BNode("l2")))
    g.add((R.x, RDF.type, R.D))
    g.add((R.x, RDF.type, R.E))
    g.add((R.y, RDF.type, R.B))
    g.add((R.y, RDF.type, R.C))
    expected = owlrl_inferred(g)
    assert {(R.x, RDF.type, R.A), (R.y, RDF.type, R.A), (R.y, RDF.type, R.D)} <= expected
    for triples in (sorted(g), sorted(g, reverse=True)):
        reasoner = Reasoner(triples)
        assert set(reasoner.inferred()) == expected
        delta = reasoner.update(removed=[(R.y, RDF.type, R.C)])
        assert (R.y, RDF.type, R.A) in delta.removed
        reasoner.update(added=[(R.y, RDF.type, R.C)])
        assert set(reasoner.inferred()) == expected


def test_unsupported_construct_is_refused_and_infer_falls_back_to_owlrl():
    g = Graph()
    r = BNode()
    g.add((r, OWL.onProperty, R.p))
    g.add((r, OWL.someValuesFrom, R.C))
    g.add((r, RDFS.subClassOf, R.D))
    g.add((R.x, R.p, R.y))
    g.add((R.y, RDF.type, R.C))
    with pytest.raises(UnsupportedConstruct):
        Reasoner(g)
    with pytest.warns(RuntimeWarning, match="falling back to owlrl"):
        assert (R.x, RDF.type, R.D) in set(infer(g))
    with pytest.raises(ValueError):
        infer(g, engine="nope")  # type: ignore[arg-type]
    # an update that brings one in is refused and leaves the reasoner as it was
    ok = Graph()
    for t in g:
        if t[1] != OWL.someValuesFrom:
            ok.add(t)
    reasoner = Reasoner(ok)
    before = set(reasoner.inferred())
    with pytest.raises(UnsupportedConstruct):
        reasoner.update(added=[(r, OWL.someValuesFrom, R.C)])
    assert set(reasoner.inferred()) == before and before == set(Reasoner(ok).inferred())


# -- random graphs --------------------------------------------------------------------------------
CLASSES = [R[f"C{i}"] for i in range(4)]
PROPS = [R[f"p{i}"] for i in range(4)]
DPROPS = [R[f"d{i}"] for i in range(2)]
INDIVIDUALS = [R[f"i{i}"] for i in range(5)] + [BNode("b0")]
LITERALS = [Literal("x"), Literal("y", lang="en"), Literal(1), Literal(2),
            Literal("1", datatype=XSD.int)]
KINDS = [
    # schema
    "sco", "sco", "eqc", "spo", "spo", "eqp", "inv", "sym", "trans", "func", "ifp", "dom",
    "rng", "chain", "hv", "union", "inter", "oneof", "dsub", "ddom", "drng", "dfunc", "ptype",
    "ctype", "meta-same",
    # instances
    "type", "type", "rel", "rel", "rel", "rel", "dval", "dval", "same", "plit",
]


def _list(g: Graph, items, tag: str) -> BNode:
    head = BNode(f"l-{tag}")
    Collection(g, head, list(items))
    return head


def axiom(kind: str, a: int, b: int, c: int, n: int) -> Graph:
    """The triples of one random axiom or fact; ``n`` makes its blank nodes unique."""
    C, P, D, ind, L = CLASSES, PROPS, DPROPS, INDIVIDUALS, LITERALS
    g = Graph()
    a4, b4, c4 = a % 4, b % 4, c % 4
    if kind == "sco":
        g.add((C[a4], RDFS.subClassOf, C[b4]))
    elif kind == "eqc":
        g.add((C[a4], OWL.equivalentClass, C[b4]))
    elif kind == "spo":
        g.add((P[a4], RDFS.subPropertyOf, P[b4]))
    elif kind == "eqp":
        g.add((P[a4], OWL.equivalentProperty, P[b4]))
    elif kind == "inv":
        g.add((P[a4], OWL.inverseOf, P[b4]))
    elif kind in ("sym", "trans", "func", "ifp"):
        cls = {"sym": OWL.SymmetricProperty, "trans": OWL.TransitiveProperty,
               "func": OWL.FunctionalProperty, "ifp": OWL.InverseFunctionalProperty}[kind]
        g.add((P[a4], RDF.type, cls))
    elif kind == "dom":
        g.add((P[a4], RDFS.domain, C[b4]))
    elif kind == "rng":
        g.add((P[a4], RDFS.range, C[b4]))
    elif kind == "chain":
        chain = [P[b4], P[c4]] if a % 3 else [P[b4], P[c4], P[(b + c) % 4]]
        g.add((P[a4], OWL.propertyChainAxiom, _list(g, chain, f"{n}")))
        if a % 5 == 0:  # a chain of one: a sub-property in disguise
            g.remove((P[a4], OWL.propertyChainAxiom, None))
            g.add((P[a4], OWL.propertyChainAxiom, _list(g, [P[b4]], f"{n}x")))
    elif kind == "hv":
        r = BNode(f"r{n}") if a % 2 else R[f"R{n}"]
        g.add((r, RDF.type, OWL.Restriction))
        g.add((r, OWL.onProperty, P[b4]))
        g.add((r, OWL.hasValue, ind[c % len(ind)]))
        g.add((C[a4], RDFS.subClassOf, r) if c % 2 else (r, RDFS.subClassOf, C[a4]))
    elif kind == "union":
        u = BNode(f"u{n}")
        g.add((u, RDF.type, OWL.Class))
        g.add((u, OWL.unionOf, _list(g, [C[a4], C[b4]], f"{n}")))
        g.add((P[c4], RDFS.domain, u) if c % 2 else (u, RDFS.subClassOf, C[c4]))
    elif kind == "inter":
        g.add((C[a4], OWL.intersectionOf, _list(g, [C[b4], C[c4]], f"{n}")))
    elif kind == "oneof":
        g.add((C[a4], OWL.oneOf, _list(g, [ind[b % len(ind)], ind[c % len(ind)]], f"{n}")))
    elif kind == "dsub":
        g.add((D[a % 2], RDFS.subPropertyOf, D[b % 2]))
    elif kind == "ddom":
        g.add((D[a % 2], RDFS.domain, C[b4]))
    elif kind == "drng":
        g.add((D[a % 2], RDFS.range, [XSD.string, XSD.integer, C[b4]][c % 3]))
    elif kind == "dfunc":
        g.add((D[a % 2], RDF.type, OWL.FunctionalProperty))
    elif kind == "ptype":
        g.add((P[a4], RDF.type, [OWL.ObjectProperty, OWL.DatatypeProperty][b % 2]))
    elif kind == "ctype":
        g.add((C[a4], RDF.type, OWL.Class))
    elif kind == "meta-same":
        pair = (C[a4], C[b4]) if c % 2 else (P[a4], P[b4])
        g.add((pair[0], OWL.sameAs, pair[1]))
    elif kind == "type":
        g.add((ind[a % len(ind)], RDF.type, C[b4]))
    elif kind == "rel":
        g.add((ind[a % len(ind)], P[b4], ind[c % len(ind)]))
    elif kind == "dval":
        g.add((ind[a % len(ind)], D[b % 2], L[c % len(L)]))
    elif kind == "same":
        g.add((ind[a % len(ind)], OWL.sameAs, ind[b % len(ind)]))
    elif kind == "plit":
        g.add((ind[a % len(ind)], P[b4], L[c % len(L)]))
    return g


pieces = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 11), st.integers(0, 11), st.integers(0, 11)),
    min_size=1, max_size=18,
)


def random_parts(spec) -> list[Graph]:
    return [axiom(kind, a, b, c, n) for n, (kind, a, b, c) in enumerate(spec)]


def union(parts) -> Graph:
    g = Graph()
    for part in parts:
        for t in part:
            g.add(t)
    return g


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces)
def test_random_graphs_rules_equal_owlrl(spec):
    g = union(random_parts(spec))
    assert rules_inferred(g) == owlrl_inferred(g)


# -- incremental ----------------------------------------------------------------------------------
def check_incremental(reasoner: Reasoner, asserted: set, before: set, delta) -> None:
    """The updated reasoner equals a fresh one, and the delta is the difference."""
    fresh = Reasoner(asserted)
    after = set(fresh.inferred())
    assert set(reasoner.inferred()) == after
    assert set(reasoner.closure()) == set(fresh.closure())
    assert delta.added == after - before
    assert delta.removed == before - after


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces, st.lists(st.tuples(st.booleans(), st.lists(st.integers(0, 40), max_size=3)),
                        min_size=1, max_size=6))
def test_incremental_equals_full_recomputation_on_random_graphs(spec, steps):
    parts = random_parts(spec)
    start = len(parts) // 2
    asserted = set(union(parts[:start]))
    reasoner = Reasoner(asserted)
    for adding, picks in steps:
        before = set(reasoner.inferred())
        if adding:
            change = set()
            for i in picks:
                change |= set(parts[i % len(parts)])
            delta = infer_delta(reasoner, added=change)
            asserted |= change
        else:
            pool = sorted(asserted, key=str)
            change = {pool[i % len(pool)] for i in picks} if pool else set()
            delta = infer_delta(reasoner, removed=change)
            asserted -= change
        check_incremental(reasoner, asserted, before, delta)


def test_incremental_on_the_bundled_graph():
    """Remove and re-add the statements about single standards, and some at random."""
    asserted = set(load_project(Project.locate(REPO)).union())
    reasoner = Reasoner(asserted)
    full = set(reasoner.inferred())
    rng = random.Random(7)
    sg = "https://w3id.org/stdgraph/id/standard/"
    standards = sorted({s for s, _p, _o in asserted if str(s).startswith(sg)}, key=str)
    for s in rng.sample(standards, 5):
        about = {t for t in asserted if s in (t[0], t[2])}
        before = set(reasoner.inferred())
        delta = reasoner.update(removed=about)
        check_incremental(reasoner, asserted - about, before, delta)
        assert not delta.recomputed
        delta = reasoner.update(added=about)
        assert set(reasoner.inferred()) == full
    pool = sorted(asserted, key=str)
    current = set(asserted)
    for _ in range(4):
        before = set(reasoner.inferred())
        gone = set(rng.sample(pool, 30)) & current
        back = set(rng.sample(pool, 30)) - current
        delta = reasoner.update(added=back, removed=gone)
        current = (current - gone) | back
        check_incremental(reasoner, current, before, delta)


def test_delta_when_an_inferred_triple_becomes_asserted_and_back():
    g = Graph()
    g.add((R.a, R.p, R.b))
    g.add((R.p, OWL.inverseOf, R.q))
    reasoner = Reasoner(g)
    assert set(reasoner.inferred()) == {(R.b, R.q, R.a)}
    delta = reasoner.update(added=[(R.b, R.q, R.a)])
    assert delta.removed == {(R.b, R.q, R.a)} and not delta.added
    delta = reasoner.update(removed=[(R.b, R.q, R.a)])
    assert delta.added == {(R.b, R.q, R.a)} and not delta.removed
    delta = reasoner.update(removed=[(R.p, OWL.inverseOf, R.q)])
    assert delta.recomputed and delta.removed == {(R.b, R.q, R.a)}


# -- the inferred graph of a store, kept up to date ------------------------------------------------
@pytest.mark.parametrize("backend", ["oxigraph", "memory", "pyoxigraph"])
def test_write_delta_keeps_the_stores_inferred_graph_equal_to_a_rebuild(mini, tmp_path, backend):
    """A write to the store, then infer_delta + write_delta: the inferred graph is what a full
    owlrl run over the asserted graphs gives."""
    store = MemoryStore() if backend == "memory" else OxigraphStore(tmp_path / "store")
    build(Project.locate(mini), store)
    reasoner = Reasoner.from_store(store)
    data = GRAPH_BASE + "data/standards"
    store.update(
        f"DELETE DATA {{ GRAPH <{data}> {{ <{EX.c}> <{EX.partOf}> <{EX.d}> }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{data}> {{ <{EX.e}> <{EX.partOf}> <{EX.f}> . "
        f"<{EX.f}> <{EX.conflictsWith}> <{EX.a}> }} }}")
    delta = infer_delta(reasoner, added=[(EX.e, EX.partOf, EX.f), (EX.f, EX.conflictsWith, EX.a)],
                        removed=[(EX.c, EX.partOf, EX.d)])
    assert (EX.d, EX.partOf, EX.f) in delta.added and (EX.c, EX.partOf, EX.e) in delta.removed
    if backend == "pyoxigraph":  # e.g. the private copy of a write transaction
        db = store.db
        write_delta(db, delta)
        inferred = {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                    for q in db.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))}
    else:
        write_delta(store, delta, reasoner)
        inferred = set(store.triples(INFERRED_GRAPH))
    asserted = Graph()
    for g in store.graph_names():
        if g not in (INFERRED_GRAPH, META_GRAPH):
            for t in store.triples(g):
                asserted.add(t)
    assert inferred == set(infer(asserted, engine="owlrl"))
