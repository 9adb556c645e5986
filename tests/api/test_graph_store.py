"""SPARQL 1.1 Graph Store HTTP Protocol at /store: one test per rule."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, URIRef

from .conftest import AUTH, DATA_GRAPH, EX, INFERRED, dump

G = "https://w3id.org/stdgraph/graph/data/upload"
VALID_TTL = f"@prefix ex: <{EX}> . ex:h a ex:Standard ; ex:identifier \"H\" .".encode()
INVALID_TTL = f"@prefix ex: <{EX}> . ex:h a ex:Standard .".encode()  # no identifier
TTL = {"Content-Type": "text/turtle"}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def triples(client, graph: str | None = None, **params) -> Graph:
    p = {"graph": graph} if graph else {"default": ""}
    p.update(params)
    r = client.get("/store", params=p, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    return Graph().parse(data=r.text, format="nt")


# -- reads -----------------------------------------------------------------------------------------
def test_get_named_graph_defaults_to_turtle(client):
    r = client.get("/store", params={"graph": DATA_GRAPH})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=r.text, format="turtle")) == 14


@pytest.mark.parametrize(("accept", "ctype", "fmt"), [
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_get_named_graph_negotiated(client, accept, ctype, fmt):
    r = client.get("/store", params={"graph": DATA_GRAPH}, headers={"Accept": accept})
    assert r.headers["content-type"].startswith(ctype)
    assert len(Graph().parse(data=r.text, format=fmt)) == 14


def test_get_graph_as_nquads_keeps_its_name(client):
    r = client.get("/store", params={"graph": INFERRED}, headers={"Accept": "application/n-quads"})
    assert all(line.endswith(f"<{INFERRED}> .") for line in r.text.splitlines())


def test_get_missing_graph_is_404(client):
    r = client.get("/store", params={"graph": "http://example.org/none"})
    assert r.status_code == 404 and r.json()["ok"] is False


def test_get_default_graph_is_empty_after_a_build(client):
    assert len(triples(client)) == 0


def test_get_whole_dataset_as_nquads(client):
    r = client.get("/store")
    assert r.headers["content-type"].startswith("application/n-quads")
    ds = Dataset()
    ds.parse(data=r.text, format="nquads")
    assert URIRef(DATA_GRAPH) in {g.identifier for g in ds.graphs()}


def test_get_whole_dataset_as_turtle_is_406(client):
    r = client.get("/store", headers={"Accept": "text/turtle"})
    assert r.status_code == 406 and "application/n-quads" in r.json()["supported"]


def test_head_has_content_type_and_no_body(client):
    r = client.head("/store", params={"graph": DATA_GRAPH})
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-type"].startswith("text/turtle")


def test_head_missing_graph_is_404(client):
    assert client.head("/store", params={"graph": "http://example.org/none"}).status_code == 404


def test_graph_and_default_together_are_400(client):
    assert client.get("/store", params={"graph": DATA_GRAPH, "default": ""}).status_code == 400


def test_relative_graph_iri_is_400(client):
    assert client.get("/store", params={"graph": "relative/iri"}).status_code == 400


def test_patch_is_405(client):
    r = client.patch("/store", params={"graph": DATA_GRAPH})
    assert r.status_code == 405 and "PUT" in r.headers["allow"]


# -- writes ----------------------------------------------------------------------------------------
def test_put_creates_a_graph_201(writer):
    r = writer.put("/store", params={"graph": G}, content=VALID_TTL, headers={**TTL, **AUTH})
    assert r.status_code == 201, r.text
    assert r.headers["location"].endswith(f"graph={G}")
    assert r.headers["content-type"].startswith("application/json")
    assert len(triples(writer, G)) == 2


def test_put_replaces_an_existing_graph_204(writer):
    writer.put("/store", params={"graph": G}, content=VALID_TTL, headers={**TTL, **AUTH})
    other = f"<{EX}h> <{EX}identifier> \"H\" .\n<{EX}h> <{RDF_TYPE}> <{EX}Standard> .\n" \
            f"<{EX}h> <{EX}partOf> <{EX}a> .".encode()
    r = writer.put("/store", params={"graph": G}, content=other,
                   headers={"Content-Type": "application/n-triples", **AUTH})
    assert r.status_code == 204 and r.content == b""
    assert len(triples(writer, G)) == 3


def test_post_merges_into_a_graph(writer):
    writer.put("/store", params={"graph": G}, content=VALID_TTL, headers={**TTL, **AUTH})
    extra = f"<{EX}h> <{EX}partOf> <{EX}a> .".encode()
    r = writer.post("/store", params={"graph": G}, content=extra,
                    headers={"Content-Type": "application/n-triples", **AUTH})
    assert r.status_code == 204
    assert len(triples(writer, G)) == 3


def test_post_to_the_store_creates_a_new_graph(writer):
    r = writer.post("/store", content=VALID_TTL, headers={**TTL, **AUTH})
    assert r.status_code == 201
    # Graph Store Protocol 5.5: Location is the IRI of the new graph itself (issue 16), minted
    # under the service's own URL; it was a retrieval URL (/store?graph=...) before
    new = r.headers["location"]
    assert new.startswith("http://testserver/store/graphs/")
    assert len(triples(writer, new)) == 2


def test_post_nquads_to_the_store_adds_quads(writer):
    body = f"<{EX}h> <{RDF_TYPE}> <{EX}Standard> <{G}> .\n<{EX}h> <{EX}identifier> \"H\" <{G}> .\n".encode()
    r = writer.post("/store", content=body, headers={"Content-Type": "application/n-quads",
                                                      **AUTH})
    assert r.status_code == 204
    assert len(triples(writer, G)) == 2


def test_put_default_graph(writer):
    r = writer.put("/store", params={"default": ""}, content=VALID_TTL, headers={**TTL, **AUTH})
    assert r.status_code == 204
    assert len(triples(writer)) == 2


def test_delete_graph_204_then_404(writer):
    writer.put("/store", params={"graph": G}, content=VALID_TTL, headers={**TTL, **AUTH})
    assert writer.delete("/store", params={"graph": G}, headers=AUTH).status_code == 204
    assert writer.get("/store", params={"graph": G}).status_code == 404
    assert writer.delete("/store", params={"graph": G}, headers=AUTH).status_code == 404


def test_blank_nodes_in_uploads_never_merge_with_stored_ones(writer):
    body = b'_:x <http://example.org/p> "1" .'
    for _ in range(2):
        r = writer.post("/store", params={"graph": G}, content=body,
                        headers={"Content-Type": "application/n-triples", **AUTH})
        assert r.status_code in {201, 204}, r.text
    assert len(triples(writer, G)) == 2


def test_writes_update_the_inferred_graph(writer):
    body = VALID_TTL + f" <{EX}h> <{EX}supersedes> <{EX}e> .".encode()
    writer.put("/store", params={"graph": G}, content=body, headers={**TTL, **AUTH})
    assert (URIRef(EX + "e"), URIRef(EX + "supersededBy"), URIRef(EX + "h")) in \
        triples(writer, INFERRED)
    writer.delete("/store", params={"graph": G}, headers=AUTH)
    assert (URIRef(EX + "e"), URIRef(EX + "supersededBy"), URIRef(EX + "h")) not in \
        triples(writer, INFERRED)


def test_invalid_put_is_422_and_changes_nothing(writer, store_dir):
    before = dump(store_dir)
    r = writer.put("/store", params={"graph": DATA_GRAPH}, content=INVALID_TTL,
                   headers={**TTL, **AUTH})
    assert r.status_code == 422
    assert r.json()["report"]["results"][0]["focus"] == f"<{EX}h>"
    assert dump(store_dir) == before


def test_invalid_post_is_422_and_changes_nothing(writer, store_dir):
    before = dump(store_dir)
    r = writer.post("/store", params={"graph": G}, content=INVALID_TTL, headers={**TTL, **AUTH})
    assert r.status_code == 422
    assert dump(store_dir) == before


def test_unparsable_body_is_400_with_position(writer, store_dir):
    before = dump(store_dir)
    r = writer.put("/store", params={"graph": G}, content=b"@prefix ex: <http://e/> .\nex:a ex:b",
                   headers={**TTL, **AUTH})
    assert r.status_code == 400 and "request body:2" in r.json()["error"]
    assert r.json()["line"] == 2 and isinstance(r.json()["column"], int)
    assert dump(store_dir) == before


def test_unsupported_body_type_is_415(writer):
    r = writer.put("/store", params={"graph": G}, content=b"{}",
                   headers={"Content-Type": "application/pdf", **AUTH})
    assert r.status_code == 415 and "text/turtle" in r.json()["supported"]


def test_quads_into_a_graph_target_is_415(writer):
    r = writer.put("/store", params={"graph": G}, content=b"",
                   headers={"Content-Type": "application/n-quads", **AUTH})
    assert r.status_code == 415


def test_put_without_target_is_400(writer):
    assert writer.put("/store", content=VALID_TTL, headers={**TTL, **AUTH}).status_code == 400


def test_inferred_graph_cannot_be_written(writer, store_dir):
    before = dump(store_dir)
    r = writer.put("/store", params={"graph": INFERRED}, content=VALID_TTL,
                   headers={**TTL, **AUTH})
    assert r.status_code == 403
    assert dump(store_dir) == before


@pytest.mark.parametrize(("headers", "status"), [({}, 401),
                                                 ({"Authorization": "Bearer nope"}, 403)])
def test_writes_need_the_token(writer, store_dir, headers, status):
    before = dump(store_dir)
    r = writer.put("/store", params={"graph": G}, content=VALID_TTL, headers={**TTL, **headers})
    assert r.status_code == status
    assert writer.delete("/store", params={"graph": DATA_GRAPH}, headers=headers).status_code \
        == status
    assert dump(store_dir) == before
