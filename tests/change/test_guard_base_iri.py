"""Relative IRIs in guarded updates resolve against the base IRI the caller gives (the
endpoint's URL), on both of the guard's parsers — Oxigraph for INSERT DATA / DELETE DATA, rdflib's
algebra for the rest — exactly as Oxigraph itself resolves them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from stdgraph.change.guard import WriteGuard
from stdgraph.errors import QuerySyntaxError
from stdgraph.rdf.namespaces import GRAPH_BASE
from stdgraph.store import OxigraphStore

BASE = "http://127.0.0.1:8000/sparql"
HOST = "http://127.0.0.1:8000/"
DATA = GRAPH_BASE + "data/w"


@pytest.fixture
def guarded(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    store.update(f"INSERT DATA {{ GRAPH <{DATA}> {{ <{HOST}s> <{HOST}p> <{HOST}o> }} "
                 f"GRAPH <{HOST}g> {{ <{HOST}s> <{HOST}p> <{HOST}x> }} }}")
    guard = WriteGuard(store, Graph(), Graph())  # no shapes: pure update semantics
    yield store, guard
    store.close()


def snapshot(store: OxigraphStore) -> set[ox.Quad]:
    return set(store.db.quads_for_pattern(None, None, None, None))


def native(quads: set[ox.Quad], update: str) -> set[ox.Quad]:
    db = ox.Store()
    db.extend(quads)
    db.update(update, base_iri=BASE)
    return set(db)


UPDATES = [
    "INSERT DATA { <a> <b> <c> . GRAPH <g2> { <a> <b> 'c' } }",
    "DELETE DATA { GRAPH <g> { <s> <p> <x> } }",
    "BASE <other/> INSERT DATA { <a> <b> <c> }",
    "INSERT DATA { <a> <b> <c> } ;\nINSERT DATA { GRAPH <g> { <d> <e> <f> } }",
    "INSERT { GRAPH <g3> { ?s <q> ?o } } WHERE { GRAPH <g> { ?s <p> ?o } }",
    "WITH <g> DELETE { ?s <p> ?o } INSERT { ?s <p2> ?o } WHERE { ?s <p> ?o }",
    "INSERT { GRAPH <g4> { ?s <q> ?o } } USING <g> WHERE { ?s <p> ?o }",
    "INSERT { <a> <b> ?i } WHERE { BIND(IRI('rel') AS ?i) }",
    "BASE <http://example.org/b/> INSERT { <a> <b> <c> } WHERE {}",
    "BASE <dir/> INSERT { <a> <b> <c> } WHERE {}",
    "CLEAR GRAPH <g>",
    "COPY <g> TO <g5>",
    "INSERT { <a/b:c> <#s:1> ?o } WHERE { GRAPH <g> { ?s <p> ?o } }",  # colons, still relative
    "PREFIX r: <ns/> BASE <d/> PREFIX q: <ns/> INSERT { r:a q:b <c> } WHERE {}",
    "INSERT { <a> <b> '1'^^<dt> } WHERE {}",
    "INSERT DATA { <a/b:c> <#s:1> '1'^^<dt> }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_relative_iris_resolve_as_in_oxigraph(guarded, update):
    store, guard = guarded
    before = snapshot(store)
    expected = native(before, update)
    assert expected != before  # each update changes something
    guard.update(update, base_iri=BASE)
    assert snapshot(store) == expected


def test_protocol_using_graphs_with_relative_iris_in_the_templates(guarded):
    store, guard = guarded
    guard.update("INSERT { GRAPH <g6> { ?s <q> ?o } } WHERE { ?s <p> ?o }",
                 using_graphs=[HOST + "g"], base_iri=BASE)
    assert ox.Quad(ox.NamedNode(HOST + "s"), ox.NamedNode(HOST + "q"), ox.NamedNode(HOST + "x"),
                   ox.NamedNode(HOST + "g6")) in snapshot(store)


@pytest.mark.parametrize("update", ["INSERT DATA { <a> <b> <c> }",
                                    "INSERT { <a> <b> <c> } WHERE {}"])
def test_without_a_base_relative_iris_are_still_refused(guarded, update):
    store, guard = guarded
    before = snapshot(store)
    with pytest.raises(QuerySyntaxError) as err:
        guard.update(update)
    assert err.value.line == 1 and err.value.column is not None
    assert snapshot(store) == before


@pytest.mark.parametrize("update", ["INSERT DATA {\n <a> <b c> <d> }",
                                    "INSERT {\n <a> <b c> <d> } WHERE {}"])
def test_a_bad_iri_keeps_its_position_with_a_base(guarded, update):
    store, guard = guarded
    before = snapshot(store)
    with pytest.raises(QuerySyntaxError) as err:
        guard.update(update, base_iri=BASE)
    assert err.value.line == 2 and err.value.column is not None
    assert snapshot(store) == before
