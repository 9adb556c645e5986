"""SPARQL 1.1 Protocol at /sparql: one test per rule, over the mini project in a real
Oxigraph store."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph, URIRef

from .conftest import AUTH, DATA_GRAPH, EX, INFERRED, ONTO_GRAPH, PREFIX

SELECT_IDS = PREFIX + "SELECT ?s ?id WHERE { ?s ex:identifier ?id } ORDER BY ?id"
CONSTRUCT = PREFIX + "CONSTRUCT { ?s ex:identifier ?id } WHERE { ?s ex:identifier ?id }"
ASK = PREFIX + "ASK { ex:a ex:supersedes ex:b }"


def ids(response) -> list[str]:
    return [b["id"]["value"] for b in response.json()["results"]["bindings"]]


def envelope(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is False and body["status"] == status and body["error"]
    return body


# -- query operations ----------------------------------------------------------------------------
def test_query_by_get(client):
    r = client.get("/sparql", params={"query": SELECT_IDS})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert ids(r) == ["A", "B", "C", "D", "E"]


def test_query_by_post_form(client):
    r = client.post("/sparql", data={"query": SELECT_IDS})
    assert r.status_code == 200 and ids(r) == ["A", "B", "C", "D", "E"]


def test_query_by_post_direct(client):
    r = client.post("/sparql", content=SELECT_IDS.encode(),
                    headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200 and ids(r) == ["A", "B", "C", "D", "E"]


def test_post_direct_with_charset_parameter(client):
    r = client.post("/sparql", content=SELECT_IDS.encode(),
                    headers={"Content-Type": "application/sparql-query; charset=UTF-8"})
    assert r.status_code == 200


def test_head_has_headers_and_no_body(client):
    r = client.head("/sparql", params={"query": SELECT_IDS})
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-type"].startswith("application/sparql-results+json")


def test_trailing_slash_is_the_same_endpoint(client):
    r = client.get("/sparql/", params={"query": ASK})
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_ask(client):
    r = client.get("/sparql", params={"query": ASK})
    assert r.json() == {"head": {}, "boolean": True}


def test_default_graph_is_the_union_of_asserted_and_inferred(client):
    q = PREFIX + "SELECT ?x WHERE { ?x ex:partOf ex:e } ORDER BY ?x"
    r = client.get("/sparql", params={"query": q})
    assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == [EX + "c", EX + "d"]


# -- dataset parameters ------------------------------------------------------------------------
def test_default_graph_uri_restricts_the_default_graph(client):
    q = PREFIX + "SELECT ?x WHERE { ?x ex:partOf ex:e }"
    asserted = client.get("/sparql", params={"query": q, "default-graph-uri": DATA_GRAPH})
    inferred = client.get("/sparql", params={"query": q, "default-graph-uri": INFERRED})
    assert [b["x"]["value"] for b in asserted.json()["results"]["bindings"]] == [EX + "d"]
    assert [b["x"]["value"] for b in inferred.json()["results"]["bindings"]] == [EX + "c"]


def test_several_default_graph_uris_are_merged(client):
    q = PREFIX + "SELECT DISTINCT ?x WHERE { ?x ex:partOf ex:e } ORDER BY ?x"
    r = client.get("/sparql", params=[("query", q), ("default-graph-uri", DATA_GRAPH),
                                      ("default-graph-uri", INFERRED)])
    assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == [EX + "c", EX + "d"]


def test_named_graph_uri_restricts_graph_and_empties_the_default_graph(client):
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": q, "named-graph-uri": ONTO_GRAPH})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [ONTO_GRAPH]
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }",
                                      "named-graph-uri": ONTO_GRAPH})
    assert r.json()["boolean"] is False


def test_default_graph_uri_alone_leaves_no_named_graphs(client):
    r = client.get("/sparql", params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }",
                                      "default-graph-uri": DATA_GRAPH})
    assert r.json()["boolean"] is False


def test_protocol_dataset_overrides_from_in_the_query(client):
    q = PREFIX + f"SELECT ?x FROM <{INFERRED}> WHERE {{ ?x ex:partOf ex:e }}"
    r = client.get("/sparql", params={"query": q})
    assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == [EX + "c"]
    r = client.get("/sparql", params={"query": q, "default-graph-uri": DATA_GRAPH})
    assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == [EX + "d"]


def test_dataset_parameters_on_a_post_direct_query_come_from_the_url(client):
    q = PREFIX + "SELECT ?x WHERE { ?x ex:partOf ex:e }"
    r = client.post("/sparql", params={"default-graph-uri": INFERRED}, content=q,
                    headers={"Content-Type": "application/sparql-query"})
    assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == [EX + "c"]


def test_relative_graph_uri_is_400(client):
    envelope(client.get("/sparql", params={"query": ASK, "default-graph-uri": "data/x"}), 400)


def test_update_dataset_parameters_on_a_query_are_400(client):
    body = envelope(client.get("/sparql", params={"query": ASK,
                                                  "using-graph-uri": DATA_GRAPH}), 400)
    assert "using-graph-uri" in body["error"]


def test_query_dataset_parameters_on_an_update_are_400(writer):
    r = writer.post("/sparql", data={"update": "INSERT DATA {}", "default-graph-uri": DATA_GRAPH},
                    headers=AUTH)
    assert "default-graph-uri" in envelope(r, 400)["error"]


# -- 400s ----------------------------------------------------------------------------------------
def test_malformed_query_is_400_with_message_and_position(client):
    body = envelope(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}), 400)
    assert (body["line"], body["column"]) == (1, 25)
    assert "expected" in body["reason"]


def test_malformed_query_position_on_a_later_line(client):
    body = envelope(client.get("/sparql", params={"query": "SELECT *\nWHERE {\n  ?s ?p ?o\n"}),
                    400)
    assert body["line"] == 4


def test_missing_query_in_post_form_is_400(client):
    envelope(client.post("/sparql", data={"default-graph-uri": DATA_GRAPH}), 400)


def test_empty_query_is_400(client):
    envelope(client.get("/sparql", params={"query": "  "}), 400)


def test_repeated_query_is_400(client):
    body = envelope(client.get("/sparql", params=[("query", ASK), ("query", ASK)]), 400)
    assert "2 times" in body["error"]


def test_query_in_url_and_form_is_400(client):
    envelope(client.post("/sparql", params={"query": ASK}, data={"query": ASK}), 400)


def test_query_in_url_and_direct_body_is_400(client):
    envelope(client.post("/sparql", params={"query": ASK}, content=ASK,
                         headers={"Content-Type": "application/sparql-query"}), 400)


def test_query_and_update_together_are_400(writer):
    envelope(writer.post("/sparql", data={"query": ASK, "update": "INSERT DATA {}"},
                         headers=AUTH), 400)


def test_update_sent_as_query_is_400(client):
    body = envelope(client.get("/sparql", params={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}),
                    400)
    assert "update" in body["error"]
    body = envelope(client.post("/sparql", content="DELETE WHERE { ?s ?p ?o }",
                                headers={"Content-Type": "application/sparql-query"}), 400)
    assert "update" in body["error"]


def test_update_by_get_is_400(client):
    envelope(client.get("/sparql", params={"update": "INSERT DATA {}"}), 400)


def test_query_sent_as_update_is_400(writer):
    body = envelope(writer.post("/sparql", content=ASK, headers={
        **AUTH, "Content-Type": "application/sparql-update"}), 400)
    assert "query" in body["error"]


def test_malformed_update_is_400_with_position(writer):
    body = envelope(writer.post("/sparql", data={"update": "INSERT DATA { <a:b> <a:c> }"},
                                headers=AUTH), 400)
    assert body["line"] == 1 and body["column"]


def test_body_that_is_not_utf8_is_400(client):
    envelope(client.post("/sparql", content=b"ASK {} \xff",
                         headers={"Content-Type": "application/sparql-query"}), 400)


# -- 405 / 415 -----------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(client, method):
    r = client.request(method, "/sparql")
    envelope(r, 405)
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}


@pytest.mark.parametrize("ctype", ["text/plain", "application/json", "multipart/form-data",
                                   "application/sparql-query; charset=latin-1"])
def test_unsupported_content_type_is_415(client, ctype):
    body = envelope(client.post("/sparql", content=ASK, headers={"Content-Type": ctype}), 415)
    assert "application/sparql-query" in body["supported"]


def test_missing_content_type_is_415(client):
    envelope(client.post("/sparql", content=ASK.encode()), 415)


# -- content negotiation -----------------------------------------------------------------------
@pytest.mark.parametrize(("accept", "ctype"), [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.2, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ("text/*", "text/csv"),
    ("application/sparql-results+xml, application/rdf+xml", "application/sparql-results+xml"),
])
def test_select_negotiation(client, accept, ctype):
    headers = {"Accept": accept} if accept is not None else {}
    r = client.get("/sparql", params={"query": SELECT_IDS}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == ctype
    assert "Accept" in r.headers["vary"]


def test_select_bodies_in_every_format_say_the_same(client):
    def get(accept):
        return client.get("/sparql", params={"query": SELECT_IDS},
                          headers={"Accept": accept}).text
    as_json = [b["id"]["value"] for b in json.loads(get("application/json"))["results"]
               ["bindings"]]
    as_csv = [row["id"] for row in csv.DictReader(io.StringIO(get("text/csv")))]
    as_tsv = [line.split("\t")[1].strip('"') for line in get("text/tab-separated-values")
              .splitlines()[1:]]
    xml = get("application/sparql-results+xml")
    assert as_json == as_csv == as_tsv == ["A", "B", "C", "D", "E"]
    assert xml.count("<result>") == 5 and "<literal>A</literal>" in xml


@pytest.mark.parametrize(("accept", "ctype", "rdflib_format"), [
    (None, "text/turtle", "turtle"),
    ("*/*", "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("application/trig", "application/trig", "trig"),
    ("application/sparql-results+xml, application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_construct_negotiation(client, accept, ctype, rdflib_format):
    headers = {"Accept": accept} if accept is not None else {}
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == ctype
    g = Graph()
    g.parse(data=r.content, format=rdflib_format)
    assert len(g) == 5
    assert (URIRef(EX + "a"), URIRef(EX + "identifier"), None) in g


def test_describe(client):
    r = client.get("/sparql", params={"query": PREFIX + "DESCRIBE ex:a"},
                   headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and f"<{EX}a> <{EX}identifier> \"A\"" in r.text


def test_ask_negotiation(client):
    r = client.get("/sparql", params={"query": ASK}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv") and r.text.strip() == "true"
    r = client.get("/sparql", params={"query": ASK},
                   headers={"Accept": "application/sparql-results+xml"})
    assert "<boolean>true</boolean>" in r.text


def test_unacceptable_accept_is_406_naming_supported_types(client):
    body = envelope(client.get("/sparql", params={"query": SELECT_IDS},
                               headers={"Accept": "image/png"}), 406)
    assert "application/sparql-results+json" in body["supported"]
    assert "text/turtle" in body["supported"]


def test_graph_type_for_a_select_is_406(client):
    body = envelope(client.get("/sparql", params={"query": SELECT_IDS},
                               headers={"Accept": "text/turtle"}), 406)
    assert body["supported"] == ["application/sparql-results+json",
                                 "application/sparql-results+xml", "text/csv",
                                 "text/tab-separated-values"]


def test_result_type_for_a_construct_is_406(client):
    body = envelope(client.get("/sparql", params={"query": CONSTRUCT},
                               headers={"Accept": "text/csv"}), 406)
    assert "text/turtle" in body["supported"]


# -- SERVICE ---------------------------------------------------------------------------------------
def test_service_is_refused_by_default(client):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert "SERVICE" in envelope(client.get("/sparql", params={"query": q}), 400)["error"]


def test_service_written_with_an_escape_is_refused(client):
    q = "SELECT * WHERE { SERV\\u0049CE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    envelope(client.get("/sparql", params={"query": q}), 400)


def test_the_word_service_elsewhere_is_fine(client):
    q = "SELECT ?service WHERE { ?service <http://example.org/service> 'SERVICE' }"
    assert client.get("/sparql", params={"query": q}).status_code == 200


def test_service_allowed_when_enabled(make_client):
    c = make_client(allow_service=True)
    q = "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = c.get("/sparql", params={"query": q})
    assert r.status_code == 200  # SILENT: the unreachable service gives no rows, no error
