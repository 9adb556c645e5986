"""Real clients against a real ``stdgraph serve`` (uvicorn, worker processes) on 127.0.0.1:
SPARQLWrapper, rdflib's SPARQLStore and SPARQLUpdateStore, and plain HTTP in parallel."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, N3, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from .conftest import DATA_GRAPH, EX, PREFIX, TOKEN

pytestmark = pytest.mark.slow

SELECT = PREFIX + "SELECT ?s ?id WHERE { ?s ex:identifier ?id } ORDER BY ?id"


def test_sparqlwrapper_select_ask_construct(serve):
    base = serve()
    sw = SPARQLWrapper(base + "/sparql")
    sw.setQuery(SELECT)
    for fmt in (JSON, XML, CSV):
        sw.setReturnFormat(fmt)
        res = sw.query()
        if fmt == JSON:
            rows = res.convert()["results"]["bindings"]
            assert [r["id"]["value"] for r in rows] == ["A", "B", "C", "D", "E"]
        elif fmt == XML:
            assert len(res.convert().getElementsByTagName("result")) == 5
        else:
            assert res.convert().decode().count("\n") >= 6
    sw.setMethod(POST)
    sw.setReturnFormat(JSON)
    sw.setQuery(PREFIX + "ASK { ex:a ex:supersedes ex:b }")
    assert sw.query().convert()["boolean"] is True
    for fmt in (TURTLE, N3, XML):
        sw.setReturnFormat(fmt)
        sw.setQuery(PREFIX + "CONSTRUCT WHERE { ?s ex:identifier ?id }")
        g = sw.query().convert()
        if not isinstance(g, Graph):
            g = Graph().parse(data=g, format="turtle")
        assert len(g) == 5


def test_sparqlwrapper_sees_a_malformed_query(serve):
    sw = SPARQLWrapper(serve() + "/sparql")
    sw.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        sw.query()


def test_rdflib_sparqlstore_reads(serve):
    store = SPARQLStore(serve() + "/sparql")
    g = Graph(store=store)
    rows = list(g.query(SELECT))
    assert [str(r.id) for r in rows] == ["A", "B", "C", "D", "E"]
    assert (URIRef(EX + "a"), URIRef(EX + "identifier"), Literal("A")) in g
    constructed = g.query(PREFIX + "CONSTRUCT WHERE { ?s ex:identifier ?id }").graph
    assert len(constructed) == 5
    store.close()


def test_rdflib_sparqlupdatestore_writes_with_the_token(serve):
    base = serve(STDGRAPH_UPDATE_TOKEN=TOKEN)
    store = SPARQLUpdateStore(base + "/sparql", base + "/sparql",
                              headers={"Authorization": f"Bearer {TOKEN}"}, autocommit=True)
    g = Graph(store=store, identifier=URIRef(DATA_GRAPH))
    f, identifier = URIRef(EX + "f"), URIRef(EX + "identifier")
    g.add((f, identifier, Literal("F")))
    g.add((f, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(EX + "Standard")))
    assert (f, identifier, Literal("F")) in g
    # removing the identifier alone would break the shape: the server refuses with 422
    with pytest.raises(Exception, match="422"):
        g.remove((f, identifier, Literal("F")))
    assert (f, identifier, Literal("F")) in g
    g.remove((f, None, None))
    assert (f, None, None) not in g
    store.close()


def test_sparqlupdatestore_without_token_is_refused(serve):
    base = serve()
    store = SPARQLUpdateStore(base + "/sparql", base + "/sparql", autocommit=True)
    g = Graph(store=store, identifier=URIRef(DATA_GRAPH))
    with pytest.raises(Exception, match="403|Forbidden"):
        g.add((URIRef(EX + "x"), URIRef(EX + "identifier"), Literal("X")))
    store.close()


def test_real_server_slow_query_times_out_while_fast_ones_answer(serve):
    base = serve(STDGRAPH_QUERY_TIMEOUT="2")
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
            "?m ?n1 ?o }")
    fast = PREFIX + "ASK { ex:a ex:identifier 'A' }"
    httpx.get(base + "/sparql", params={"query": fast}, timeout=30)  # workers are up
    out: dict = {}

    def run():
        t0 = time.monotonic()
        out["r"] = httpx.get(base + "/sparql", params={"query": slow}, timeout=30)
        out["s"] = time.monotonic() - t0

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.3)
    times = []
    for _ in range(5):
        t0 = time.monotonic()
        r = httpx.get(base + "/sparql", params={"query": fast}, timeout=30)
        times.append(time.monotonic() - t0)
        assert r.status_code == 200 and r.json()["boolean"] is True
    t.join()
    assert out["r"].status_code == 503 and "time limit" in out["r"].json()["error"]
    assert out["s"] < 7 and max(times) < 1.5
