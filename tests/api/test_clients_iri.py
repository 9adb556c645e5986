"""Third-party clients against a real ``stdgraph serve`` (uvicorn, worker processes) on
127.0.0.1 (issue 16): relative IRIs sent by SPARQLWrapper and rdflib's SPARQLUpdateStore resolve
against the endpoint's URL, and a graph POSTed to the store is read back from its Location, by
httpx and by rdflib fetching the IRI itself."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from SPARQLWrapper import JSON, N3, SPARQLWrapper

from .conftest import EX, TOKEN

pytestmark = pytest.mark.slow

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_relative_iris_from_real_clients(serve):
    base = serve(STDGRAPH_UPDATE_TOKEN=TOKEN)
    endpoint = base + "/sparql"
    sw = SPARQLWrapper(endpoint)
    sw.setQuery("CONSTRUCT { <s> <p> 1 } WHERE {}")
    sw.setReturnFormat(N3)
    g = Graph().parse(data=sw.query().convert(), format="turtle")
    assert {(str(s), str(p)) for s, p, _o in g} == {(base + "/s", base + "/p")}

    store = SPARQLUpdateStore(endpoint, endpoint, headers=AUTH, autocommit=True)
    store.update('INSERT DATA { GRAPH <graph/rel> { <thing> <label> "relative" } }')
    store.close()
    sw.setQuery(f"SELECT ?o WHERE {{ GRAPH <{base}/graph/rel> {{ <{base}/thing> ?p ?o }} }}")
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert [r["o"]["value"] for r in rows] == ["relative"]
    sw.setQuery("SELECT ?o WHERE { GRAPH <graph/rel> { <thing> <label> ?o } }")
    assert [r["o"]["value"] for r in sw.query().convert()["results"]["bindings"]] == ["relative"]


def test_a_graph_posted_to_the_store_is_at_its_location(serve):
    base = serve(STDGRAPH_UPDATE_TOKEN=TOKEN)
    body = f'@prefix ex: <{EX}> . ex:h a ex:Standard ; ex:identifier "H" .'
    r = httpx.post(base + "/store", content=body,
                   headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    assert location.startswith(base + "/store/graphs/")
    indirect = httpx.get(base + "/store", params={"graph": location},
                         headers={"Accept": "application/n-triples"})
    assert indirect.status_code == 200 and len(indirect.text.splitlines()) == 2
    direct = httpx.get(location, headers={"Accept": "application/n-triples"})
    assert direct.status_code == 200 and direct.text == indirect.text
    fetched = Graph().parse(location)  # rdflib dereferences the IRI, negotiating a syntax
    assert (URIRef(EX + "h"), URIRef(EX + "identifier"), Literal("H")) in fetched
    assert len(fetched) == 2
