"""Relative IRIs in queries and updates resolve against ``base_iri`` on every backend
(SPARQL 1.1 Query §4.1.1, RFC 3986 §5), with the request's own BASE winning, and syntax errors
keep the positions of the caller's text (the remote store sends a BASE line before it)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from stdgraph.errors import QuerySyntaxError
from stdgraph.store import MemoryStore, OxigraphStore
from stdgraph.store.base import AnswerRequest
from stdgraph.store.oxigraph import _run, answer_inline, answer_native
from stdgraph.store.remote import _syntax_error, with_base
from support.sparql_servers import REMOTE_BACKENDS, remote_backend_store

BASE = "http://127.0.0.1:8000/sparql"
HOST = "http://127.0.0.1:8000/"
G = "http://example.org/g"
CONTENT = {G: [(URIRef(HOST + "s"), URIRef(HOST + "p"), Literal("o"))]}


@pytest.fixture(params=["oxigraph", "memory", *REMOTE_BACKENDS])
def store(request, tmp_path):
    if request.param in REMOTE_BACKENDS:
        st = remote_backend_store(request, request.param)
    else:
        st = OxigraphStore(tmp_path / "st") if request.param == "oxigraph" else MemoryStore()
    st.replace_all(CONTENT)
    yield st
    st.close()


def test_construct_with_relative_iris(store):
    res = store.query("CONSTRUCT { <s> <p> 1 } WHERE {}", base_iri=BASE)
    assert [tuple(map(str, t)) for t in res.triples] == [(HOST + "s", HOST + "p", "1")]


def test_select_with_relative_iris_reads_the_data(store):
    res = store.query("SELECT ?o WHERE { <s> <p> ?o }", base_iri=BASE)
    assert [str(r[0]) for r in res.rows] == ["o"]


def test_the_querys_own_base_wins_and_a_relative_base_resolves(store):
    res = store.query("BASE <other/> SELECT ?i WHERE { BIND(<x> AS ?i) }", base_iri=BASE)
    assert [str(r[0]) for r in res.rows] == [HOST + "other/x"]
    res = store.query("BASE <http://example.org/b/> SELECT ?i WHERE { BIND(<x> AS ?i) }",
                      base_iri=BASE)
    assert [str(r[0]) for r in res.rows] == ["http://example.org/b/x"]


def test_relative_iris_with_colons_prefixes_and_datatypes(store):
    res = store.query("PREFIX r: <ns/> SELECT ?a ?b ?c WHERE { BIND(<a/b:c> AS ?a) "
                      "BIND(r:x AS ?b) BIND(DATATYPE('1'^^<dt>) AS ?c) }", base_iri=BASE)
    assert [tuple(map(str, r)) for r in res.rows] == [(HOST + "a/b:c", HOST + "ns/x", HOST + "dt")]


def test_answer_passes_the_base(store):
    ans = store.answer(AnswerRequest("SELECT ?o WHERE { <s> <p> ?o }", result_format="csv",
                                     base_iri=BASE))
    assert ans.body.decode().split() == ["o", "o"]


def test_update_with_relative_iris(store):
    store.update("INSERT DATA { GRAPH <g2> { <a> <b> <c> } }", base_iri=BASE)
    assert HOST + "g2" in store.graph_names()
    assert [tuple(map(str, t)) for t in store.triples(HOST + "g2")] == [
        (HOST + "a", HOST + "b", HOST + "c")]


def test_errors_keep_the_callers_positions(store):
    bad = "SELECT ?x WHERE {\n  <a b> ?y ?z }"
    with pytest.raises(QuerySyntaxError) as err:
        store.query(bad, base_iri=BASE)
    assert err.value.line == 2
    if store.kind != "memory":  # rdflib's pyparsing column is of another kind
        with pytest.raises(QuerySyntaxError) as plain:
            _run(ox.Store(), AnswerRequest(bad))  # Oxigraph's position without a base
        assert (err.value.line, err.value.column) == (plain.value.line, plain.value.column)


@pytest.mark.parametrize("make", [OxigraphStore, None])
def test_without_a_base_relative_iris_behave_as_before(make, tmp_path):
    if make is None:  # rdflib keeps them relative
        assert str(MemoryStore().query("SELECT ?i WHERE { BIND(<x> AS ?i) }").rows[0][0]) == "x"
        return
    with OxigraphStore(tmp_path / "st") as st, pytest.raises(QuerySyntaxError) as err:
        st.query("SELECT ?i WHERE { BIND(<x> AS ?i) }")
    assert err.value.line == 1 and err.value.column is not None


def test_native_and_inline_answers_take_the_base():
    db = ox.Store()
    db.add(ox.Quad(ox.NamedNode(HOST + "s"), ox.NamedNode(HOST + "p"), ox.Literal("o"),
                   ox.NamedNode(G)))
    for fmt in ("json", "csv"):  # csv: the TSV path; json: written straight (point lookup)
        ans = answer_native(db, AnswerRequest("SELECT ?o WHERE { <s> <p> ?o }",
                                              result_format=fmt, base_iri=BASE))
        assert b"o" in ans.body and ans.kind == "select"
    ans = answer_inline(db, AnswerRequest("SELECT ?o WHERE { <s> <p> ?o }", base_iri=BASE),
                        max_bytes=1 << 16)
    assert ans is not None and b'"o"' in ans.body
    ans = answer_native(db, AnswerRequest("CONSTRUCT { <s> <p> 1 } WHERE {}",
                                          graph_format="ntriples", base_iri=BASE))
    assert ans.body.decode().strip() == f"<{HOST}s> <{HOST}p> " \
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer> .'


def test_remote_positions_are_moved_back_by_the_base_line():
    assert with_base("SELECT", None) == "SELECT"
    assert with_base("SELECT", BASE) == f"BASE <{BASE}>\nSELECT"
    e = _syntax_error("error at 3:7: expected IRI", 1)
    assert (e.line, e.column) == (2, 7)
    e = _syntax_error("Lexical error at line 4, column 2. Encountered", 1)
    assert (e.line, e.column) == (3, 2) and "line 3, column 2" in e.message
    e = _syntax_error("37000 Error SP030: SPARQL compiler, line 5: syntax error", 1)
    assert e.line == 4 and "line 4:" in e.message
