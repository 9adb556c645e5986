"""Relative IRIs in queries and updates sent to /sparql (issue 16, item 1): SPARQL 1.1 Query
§4.1.1 resolves them against the base IRI, which a request without ``BASE`` takes from the
protocol request: stdgraph uses the endpoint's own URL, ``STDGRAPH_PUBLIC_URL`` + path where set.

Every protocol form (GET, POST form, POST direct: all three the raw ASGI fast path's), both executors
(threads, worker processes) and every store backend (embedded, in-memory, remote servers)."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Literal, URIRef

from .conftest import AUTH, MINI, TOKEN

PUBLIC = "https://kg.example.org/api"
NT = {"Accept": "application/n-triples"}
CSV = {"Accept": "text/csv"}
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


@pytest.fixture(params=[None, PUBLIC], ids=["request-url", "public-url"])
def app(request, backend, make_client):
    """``(client, root)``: a writable app, and the URL relative IRIs resolve under."""
    store, settings = backend
    client = make_client(store=store, update_token=TOKEN, public_url=request.param, **settings)
    return client, (request.param or "http://testserver") + "/"


def ask(client, method: str, query: str, headers: dict, path: str = "/sparql"):
    if method == "GET":
        return client.get(path, params={"query": query}, headers=headers)
    if method == "form":
        return client.post(path, data={"query": query}, headers=headers)
    return client.post(path, content=query.encode(),
                       headers={"Content-Type": "application/sparql-query", **headers})


def update(client, method: str, text: str):
    if method == "form":
        return client.post("/sparql", data={"update": text}, headers=AUTH)
    return client.post("/sparql", content=text.encode(),
                       headers={"Content-Type": "application/sparql-update", **AUTH})


def csv_values(response) -> list[str]:
    assert response.status_code == 200, response.text
    return response.text.split()[1:]


QUERY_FORMS = ["GET", "form", "direct"]  # all three: the raw ASGI fast path
UPDATE_FORMS = ["form", "direct"]


def test_construct_with_relative_iris(app):
    client, root = app
    for method in QUERY_FORMS:
        r = ask(client, method, "CONSTRUCT { <s> <p> 1 } WHERE {}", NT)
        assert r.status_code == 200, (method, r.text)
        assert set(Graph().parse(data=r.text, format="nt")) == {
            (URIRef(root + "s"), URIRef(root + "p"), Literal("1", datatype=URIRef(XSD_INTEGER)))}


def test_select_with_relative_iris(app):
    client, root = app
    for method in QUERY_FORMS:
        r = ask(client, method, "SELECT ?i ?j WHERE { BIND(<x> AS ?i) BIND(IRI('y') AS ?j) }",
                CSV)
        assert csv_values(r) == [f"{root}x,{root}y"], method


def test_the_querys_own_base_wins(app):
    client, root = app
    for method in QUERY_FORMS:
        r = ask(client, method,
                "BASE <http://example.org/b/> SELECT ?i WHERE { BIND(<x> AS ?i) }", CSV)
        assert csv_values(r) == ["http://example.org/b/x"], method
        r = ask(client, method, "BASE <d/> SELECT ?i WHERE { BIND(<x> AS ?i) }", CSV)
        assert csv_values(r) == [f"{root}d/x"], method


def test_insert_data_with_relative_iris_then_read_back(app):
    client, root = app
    for method in UPDATE_FORMS:
        r = update(client, method, f'INSERT DATA {{ GRAPH <graph/{method}> {{ <s1> <p> "v" }} }}')
        assert r.status_code == 200, (method, r.text)
        assert r.json()["inserted"] == 1
        absolute = f"SELECT ?o WHERE {{ GRAPH <{root}graph/{method}> {{ <{root}s1> <{root}p> ?o }} }}"
        assert csv_values(ask(client, "GET", absolute, CSV)) == ["v"]
        relative = f"SELECT ?o WHERE {{ GRAPH <graph/{method}> {{ <s1> <p> ?o }} }}"
        for method_read in QUERY_FORMS:
            assert csv_values(ask(client, method_read, relative, CSV)) == ["v"]
        # a point lookup: the embedded store answers it on the event loop (answer_inline)
        lookup = "SELECT ?o WHERE { <s1> <p> ?o }"  # (a triple in two graphs may come twice)
        assert set(csv_values(ask(client, "GET", lookup, CSV))) == {"v"}
        r = client.get("/store", params={"graph": f"{root}graph/{method}"}, headers=NT)
        assert r.status_code == 200, r.text


def test_other_updates_with_relative_iris(app):
    """Not INSERT DATA / DELETE DATA: the guard's other parser (rdflib's algebra)."""
    client, root = app
    for method in UPDATE_FORMS:
        r = update(client, method, f'INSERT DATA {{ GRAPH <g1> {{ <s> <p> "{method}" }} }}')
        assert r.status_code == 200, r.text
        r = update(client, method, f"INSERT {{ GRAPH <g2> {{ ?s <q> ?o }} }} "
                                   f"WHERE {{ GRAPH <g1> {{ ?s <p> ?o FILTER(?o = '{method}') }} }}")
        assert r.status_code == 200, r.text
        assert r.json()["inserted"] == 1
        q = f"SELECT ?s WHERE {{ GRAPH <{root}g2> {{ ?s <{root}q> '{method}' }} }}"
        assert csv_values(ask(client, "GET", q, CSV)) == [f"{root}s"]
        r = update(client, method, f"DELETE DATA {{ GRAPH <g1> {{ <s> <p> '{method}' }} }}")
        assert r.status_code == 200 and r.json()["deleted"] == 1


def test_a_bad_iri_is_400_with_its_position(app):
    client, _root = app
    r = ask(client, "GET", "SELECT * WHERE {\n  <a b> ?p ?o }", {})
    assert r.status_code == 400 and r.json()["line"] == 2
    r = update(client, "direct", "INSERT DATA {\n  <a b> <c> <d> }")
    assert r.status_code == 400 and r.json()["line"] == 2


def test_the_base_is_the_url_the_request_was_sent_to(make_client):
    client = make_client()
    r = ask(client, "GET", "SELECT ?i WHERE { BIND(<x> AS ?i) }", CSV, path="/sparql/")
    assert csv_values(r) == ["http://testserver/sparql/x"]
    r = client.get("/sparql", params={"query": "SELECT ?i WHERE { BIND(<x> AS ?i) }"},
                   headers={**CSV, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "kg.example",
                            "X-Forwarded-Prefix": "/sub"})
    assert csv_values(r) == ["https://kg.example/sub/x"]


def test_a_host_that_makes_no_iri_leaves_relative_iris_refused(make_client):
    client = make_client()
    r = client.get("/sparql", params={"query": "SELECT ?i WHERE { BIND(<x> AS ?i) }"},
                   headers={"Host": "a b"})
    assert r.status_code == 400 and r.json()["line"] == 1
    r = client.get("/sparql", params={"query": "SELECT ?i WHERE { BIND(<http://e/x> AS ?i) }"},
                   headers={**CSV, "Host": "a b"})
    assert csv_values(r) == ["http://e/x"]


@pytest.mark.parametrize("public", [None, PUBLIC])
def test_named_queries_resolve_against_their_own_url(make_client, tmp_path, public):
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    (project / "queries" / "relative.rq").write_text(
        "# title: Relative\n# description: a relative IRI.\n"
        "SELECT ?i WHERE { BIND(<x> AS ?i) }\n")
    client = make_client(project=str(project), public_url=public)
    r = client.get("/queries/relative", headers=CSV)
    assert csv_values(r) == [(public or "http://testserver") + "/queries/x"]
