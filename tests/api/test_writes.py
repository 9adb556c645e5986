"""Guarded writes: token rules, SHACL rollback with the report, inference after commit,
USING semantics of the protocol parameters, and a read-only server that nothing can change."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from stdgraph.rdf.namespaces import SH

from .conftest import AUTH, DATA_GRAPH, EX, INFERRED, ONTO_GRAPH, PREFIX, TOKEN, dump

NEW_GRAPH = "https://w3id.org/stdgraph/graph/data/extra"
VALID_INSERT = PREFIX + f"""INSERT DATA {{ GRAPH <{NEW_GRAPH}> {{
  ex:f a ex:Standard ; ex:identifier "F" ; ex:supersedes ex:e . }} }}"""
INVALID_INSERT = PREFIX + f"""INSERT DATA {{ GRAPH <{NEW_GRAPH}> {{
  ex:g a ex:Standard ; ex:supersedes ex:e . }} }}"""  # no identifier: sh:Violation


def ask(client, q: str) -> bool:
    return client.get("/sparql", params={"query": PREFIX + q}).json()["boolean"]


# -- tokens ----------------------------------------------------------------------------------------
def test_update_without_a_configured_token_is_403(client, store_dir):
    before = dump(store_dir)
    r = client.post("/sparql", data={"update": VALID_INSERT}, headers=AUTH)
    assert r.status_code == 403 and "read-only" in r.json()["error"]
    assert dump(store_dir) == before


def test_update_without_authorization_is_401(writer, store_dir):
    before = dump(store_dir)
    r = writer.post("/sparql", data={"update": VALID_INSERT})
    assert r.status_code == 401 and r.json()["ok"] is False
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert dump(store_dir) == before


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", TOKEN])
def test_malformed_authorization_is_401(writer, header):
    r = writer.post("/sparql", data={"update": VALID_INSERT}, headers={"Authorization": header})
    assert r.status_code == 401


@pytest.mark.parametrize("token", ["wrong", TOKEN + "x", TOKEN[:-1], TOKEN.upper()])
def test_wrong_token_is_403_and_never_echoed(writer, store_dir, token):
    before = dump(store_dir)
    r = writer.post("/sparql", data={"update": VALID_INSERT},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert token not in r.text and TOKEN not in r.text
    assert dump(store_dir) == before


def test_direct_update_needs_the_token_before_the_body_is_read(writer):
    r = writer.post("/sparql", content=VALID_INSERT,
                    headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 401


# -- committed writes --------------------------------------------------------------------------
def test_valid_update_commits_and_updates_the_inferred_graph(writer):
    r = writer.post("/sparql", data={"update": VALID_INSERT}, headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] is True and body["inserted"] == 3 and body["validated_nodes"] >= 2
    # the inverse of ex:supersedes is inferred into the inferred graph
    r = writer.get("/sparql", params={"query": PREFIX + "ASK { ex:e ex:supersededBy ex:f }",
                                      "default-graph-uri": INFERRED})
    assert r.json()["boolean"] is True


def test_update_by_direct_post(writer):
    r = writer.post("/sparql", content=VALID_INSERT,
                    headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 200
    assert ask(writer, "ASK { ex:f ex:identifier 'F' }")


def test_deleting_a_fact_removes_its_entailments(writer):
    update = PREFIX + f"DELETE DATA {{ GRAPH <{DATA_GRAPH}> {{ ex:a ex:supersedes ex:b }} }}"
    assert ask(writer, "ASK { ex:b ex:supersededBy ex:a }")
    r = writer.post("/sparql", data={"update": update}, headers=AUTH)
    assert r.status_code == 200 and r.json()["deleted"] == 1
    assert not ask(writer, "ASK { ex:b ex:supersededBy ex:a }")


def test_an_update_that_changes_nothing_is_fine(writer, store_dir):
    before = dump(store_dir)
    r = writer.post("/sparql", data={"update": PREFIX + "DELETE DATA { ex:zz ex:zz ex:zz }"},
                    headers=AUTH)
    assert r.status_code == 200 and r.json()["inserted"] == r.json()["deleted"] == 0
    assert dump(store_dir) == before


# -- SHACL: rollback with the report -----------------------------------------------------------
def test_invalid_update_is_rolled_back_whole_with_422_and_json_report(writer, store_dir):
    before = dump(store_dir)
    # two operations: the first is fine alone, the second breaks a shape; neither may stay
    update = VALID_INSERT + " ;\n" + INVALID_INSERT.removeprefix(PREFIX)
    r = writer.post("/sparql", data={"update": update}, headers=AUTH)
    assert r.status_code == 422
    body = r.json()
    assert body["ok"] is False and body["status"] == 422
    report = body["report"]
    assert report["conforms"] is False
    assert [(x["focus"], x["path"]) for x in report["results"]] == [
        (f"<{EX}g>", f"<{EX}identifier>")]
    assert dump(store_dir) == before
    assert not ask(writer, "ASK { ex:f ?p ?o }")


def test_the_report_comes_as_turtle_when_asked(writer, store_dir):
    before = dump(store_dir)
    r = writer.post("/sparql", data={"update": INVALID_INSERT},
                    headers={**AUTH, "Accept": "text/turtle"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert (None, RDF.type, SH.ValidationReport) in g
    assert dump(store_dir) == before


def test_deleting_a_required_value_is_a_violation(writer, store_dir):
    before = dump(store_dir)
    update = PREFIX + f"DELETE DATA {{ GRAPH <{DATA_GRAPH}> {{ ex:e ex:identifier 'E' }} }}"
    r = writer.post("/sparql", data={"update": update}, headers=AUTH)
    assert r.status_code == 422
    assert r.json()["report"]["results"][0]["focus"] == f"<{EX}e>"
    assert dump(store_dir) == before


# -- using-graph-uri / using-named-graph-uri ---------------------------------------------------
COPY_PART_OF = PREFIX + f"""INSERT {{ GRAPH <{NEW_GRAPH}> {{ ?x ex:partOf ?y }} }}
WHERE {{ ?x ex:partOf ?y }}"""


def _part_of_in_new_graph(client) -> list[tuple[str, str]]:
    q = PREFIX + f"SELECT ?x ?y WHERE {{ GRAPH <{NEW_GRAPH}> {{ ?x ex:partOf ?y }} }} ORDER BY ?x"
    rows = client.get("/sparql", params={"query": q}).json()["results"]["bindings"]
    return [(b["x"]["value"].removeprefix(EX), b["y"]["value"].removeprefix(EX)) for b in rows]


def test_update_where_sees_the_stores_default_graph_without_parameters(writer):
    # SPARQL Update: without USING the WHERE clause reads the store's default graph, which is
    # empty after a build (all data is in named graphs)
    r = writer.post("/sparql", data={"update": COPY_PART_OF}, headers=AUTH)
    assert r.status_code == 200 and r.json()["inserted"] == 0


def test_using_graph_uri_gives_the_where_clause_its_default_graph(writer):
    r = writer.post("/sparql", data={"update": COPY_PART_OF, "using-graph-uri": DATA_GRAPH},
                    headers=AUTH)
    assert r.status_code == 200, r.text
    assert _part_of_in_new_graph(writer) == [("c", "d"), ("d", "e")]


def test_using_graph_uri_with_the_inferred_graph_only(writer):
    r = writer.post("/sparql", params={"using-graph-uri": INFERRED}, content=COPY_PART_OF,
                    headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 200, r.text
    assert _part_of_in_new_graph(writer) == [("c", "e")]


def test_using_named_graph_uri_restricts_graph_patterns(writer):
    update = PREFIX + f"""INSERT {{ GRAPH <{NEW_GRAPH}> {{ ?x ex:partOf ?y }} }}
    WHERE {{ GRAPH ?g {{ ?x ex:partOf ?y }} }}"""
    r = writer.post("/sparql", data={"update": update, "using-named-graph-uri": INFERRED},
                    headers=AUTH)
    assert r.status_code == 200, r.text
    assert _part_of_in_new_graph(writer) == [("c", "e")]


def test_using_parameters_with_delete_where(writer, store_dir):
    # DELETE WHERE over the protocol dataset: the matched triples leave the default graph
    insert = PREFIX + "INSERT DATA { ex:tmp ex:note 'x' }"
    assert writer.post("/sparql", data={"update": insert}, headers=AUTH).status_code == 200
    r = writer.post("/sparql", data={"update": PREFIX + "DELETE WHERE { ?s ex:note ?o }",
                                     "using-graph-uri": DATA_GRAPH}, headers=AUTH)
    assert r.status_code == 200 and r.json()["deleted"] == 0  # not in the data graph
    r = writer.post("/sparql", data={"update": PREFIX + "DELETE { ?s ex:note ?o } "
                                     "WHERE { ?s ex:note ?o }"}, headers=AUTH)
    assert r.json()["deleted"] == 1


@pytest.mark.parametrize("clause", [f"WITH <{DATA_GRAPH}>", ""])
def test_using_in_the_text_and_the_parameters_is_400(writer, store_dir, clause):
    before = dump(store_dir)
    if clause:
        update = PREFIX + clause + " INSERT { ?x ex:note 'n' } WHERE { ?x ex:partOf ?y }"
    else:
        update = PREFIX + f"INSERT {{ ?x ex:note 'n' }} USING <{DATA_GRAPH}> " \
                          "WHERE { ?x ex:partOf ?y }"
    r = writer.post("/sparql", data={"update": update, "using-graph-uri": ONTO_GRAPH},
                    headers=AUTH)
    assert r.status_code == 400 and "USING" in r.json()["error"]
    assert dump(store_dir) == before


def test_using_in_the_text_alone_works(writer):
    update = PREFIX + f"INSERT {{ GRAPH <{NEW_GRAPH}> {{ ?x ex:partOf ?y }} }} " \
                      f"USING <{DATA_GRAPH}> WHERE {{ ?x ex:partOf ?y }}"
    assert writer.post("/sparql", data={"update": update}, headers=AUTH).status_code == 200
    assert _part_of_in_new_graph(writer) == [("c", "d"), ("d", "e")]


def test_load_is_refused_by_default(writer, store_dir):
    before = dump(store_dir)
    r = writer.post("/sparql", data={"update": "LOAD <http://127.0.0.1:9/data.ttl>"},
                    headers=AUTH)
    assert r.status_code == 400 and "LOAD" in r.json()["error"]
    r = writer.post("/sparql", data={"update": "L\\u004FAD <file:///etc/hostname>"},
                    headers=AUTH)
    assert r.status_code == 400
    assert dump(store_dir) == before


def test_service_inside_an_update_is_refused(writer):
    update = "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert writer.post("/sparql", data={"update": update}, headers=AUTH).status_code == 400


# -- read-only: nothing can change the store ---------------------------------------------------
def test_without_a_token_no_request_changes_the_store(client, store_dir):
    before = dump(store_dir)
    attempts = [
        client.post("/sparql", data={"update": VALID_INSERT}),
        client.post("/sparql", data={"update": VALID_INSERT}, headers=AUTH),
        client.post("/sparql", content=VALID_INSERT,
                    headers={"Content-Type": "application/sparql-update", **AUTH}),
        client.post("/sparql", params={"update": "CLEAR ALL"},
                    headers={"Content-Type": "application/x-www-form-urlencoded"}),
        client.get("/sparql", params={"update": "CLEAR ALL"}),
        client.get("/sparql", params={"query": "CLEAR ALL"}),
        client.post("/sparql", data={"query": "DROP ALL"}),
        client.put("/store", params={"graph": DATA_GRAPH}, content=b"",
                   headers={"Content-Type": "text/turtle", **AUTH}),
        client.post("/store", params={"graph": DATA_GRAPH},
                    content=b"<http://e/a> <http://e/b> <http://e/c> .",
                    headers={"Content-Type": "application/n-triples"}),
        client.post("/store", content=b"<http://e/a> <http://e/b> <http://e/c> <http://e/g> .",
                    headers={"Content-Type": "application/n-quads", **AUTH}),
        client.delete("/store", params={"graph": DATA_GRAPH}, headers=AUTH),
        client.delete("/store", params={"default": ""}),
        client.put("/sparql", content=b"x"),
        client.delete("/sparql"),
        client.patch("/store", params={"graph": DATA_GRAPH}),
    ]
    assert all(r.status_code in {400, 403, 405} for r in attempts), \
        [(r.request.method, r.status_code) for r in attempts]
    for route in client.app.routes:  # every route that accepts a write method was tried above
        methods = getattr(route, "methods", set()) & {"POST", "PUT", "DELETE", "PATCH"}
        if methods:
            assert route.path in {"/sparql", "/sparql/", "/store"}, route.path
    assert dump(store_dir) == before
