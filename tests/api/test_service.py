"""Service description, the offline query page, VoID/DCAT, dumps and /health."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from stdgraph.rdf.namespaces import DCAT, SD, VOID

from .conftest import DATA_GRAPH, EX, INFERRED


def sd_graph(client, headers=None, path="/sparql") -> Graph:
    r = client.get(path, headers={"Accept": "text/turtle", **(headers or {})})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    return Graph().parse(data=r.text, format="turtle")


def endpoint(g: Graph) -> str:
    svc = g.value(None, RDF.type, SD.Service)
    return str(g.value(svc, SD.endpoint))


def test_get_without_query_is_the_service_description(client):
    g = sd_graph(client)
    svc = g.value(None, RDF.type, SD.Service)
    assert svc is not None
    assert endpoint(g) == "http://testserver/sparql"
    assert (svc, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (svc, SD.supportedLanguage, SD.SPARQL11Update) not in g  # read-only
    assert (svc, SD.feature, SD.UnionDefaultGraph) in g
    formats = set(g.objects(svc, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/JSON-LD") in formats
    names = {str(n) for n in g.objects(None, SD.name)}
    assert {DATA_GRAPH, INFERRED} <= names


def test_service_description_lists_update_when_writable(writer):
    g = sd_graph(writer)
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) in g


def test_service_description_without_accept_is_turtle(client):
    r = client.get("/sparql")
    assert r.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize(("accept", "fmt"), [("application/rdf+xml", "xml"),
                                             ("application/ld+json", "json-ld"),
                                             ("application/n-triples", "nt")])
def test_service_description_negotiated(client, accept, fmt):
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.headers["content-type"].startswith(accept)
    g = Graph().parse(data=r.text, format=fmt)
    assert (None, RDF.type, SD.Service) in g


@pytest.mark.parametrize(("headers", "expected"), [
    ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kg.example.org"},
     "https://kg.example.org/sparql"),
    ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kg.example.org",
      "X-Forwarded-Prefix": "/stdgraph"}, "https://kg.example.org/stdgraph/sparql"),
    ({"Forwarded": 'for=1.2.3.4;proto=https;host="kg.example.org:8443", for=5.6.7.8'},
     "https://kg.example.org:8443/sparql"),
    ({"Host": "localhost:9999"}, "http://localhost:9999/sparql"),
])
def test_service_description_endpoint_honours_proxy_headers(client, headers, expected):
    assert endpoint(sd_graph(client, headers)) == expected


def test_public_url_setting_wins(make_client):
    c = make_client(public_url="https://example.org/kg/")
    assert endpoint(sd_graph(c, {"X-Forwarded-Host": "other"})) == \
        "https://example.org/kg/sparql"


def test_service_description_not_acceptable_is_406(client):
    r = client.get("/sparql", headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/html" in r.json()["supported"]


def test_browser_gets_the_offline_query_page(client):
    r = client.get("/sparql", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<textarea" in page and "/static/query.js" in page
    assert "count-standards" in page  # the project's named queries are examples
    assert "http://" not in page.split("<body>")[0].replace("http://www.w3.org", "")
    for asset in ["/static/query.js", "/static/query.css"]:
        a = client.get(asset)
        assert a.status_code == 200 and "https://" not in a.text  # nothing from a CDN


def test_unknown_static_file_is_404(client):
    assert client.get("/static/nope.js").status_code == 404
    assert client.get("/static/..%2Fapp.py").status_code == 404


def test_void_description(client):
    r = client.get("/.well-known/void")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    ds = URIRef("http://testserver/.well-known/void#dataset")
    assert (ds, RDF.type, VOID.Dataset) in g and (ds, RDF.type, DCAT.Dataset) in g
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    triples = g.value(ds, VOID.triples)
    assert triples.datatype == XSD.integer and int(triples) > 20
    dumps = {str(u) for u in g.objects(ds, VOID.dataDump)}
    assert "http://testserver/dump?format=nquads" in dumps
    assert g.value(ds, DCTERMS.license) is not None
    partitions = {g.value(p, VOID["class"]): int(g.value(p, VOID.entities))
                  for p in g.objects(ds, VOID.classPartition)}
    assert partitions[URIRef(EX + "Standard")] == 5
    assert int(g.value(ds, VOID.classes)) == len(partitions)
    service = g.value(ds, DCAT.accessService)
    assert g.value(service, DCAT.endpointURL) == URIRef("http://testserver/sparql")


def test_void_counts_follow_writes(writer):
    def standards():
        g = Graph().parse(data=writer.get("/.well-known/void").text, format="turtle")
        parts = {g.value(p, VOID["class"]): g.value(p, VOID.entities)
                 for p in g.objects(None, VOID.classPartition)}
        return int(parts[URIRef(EX + "Standard")])
    assert standards() == 5
    from .conftest import AUTH, PREFIX
    r = writer.post("/sparql", data={"update": PREFIX + "INSERT DATA { GRAPH <https://w3id.org/"
                                     "stdgraph/graph/data/x> { ex:n a ex:Standard ; "
                                     "ex:identifier 'N' } }"}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert standards() == 6


@pytest.mark.parametrize(("fmt", "ctype"), [("turtle", "text/turtle"),
                                            ("nquads", "application/n-quads"),
                                            ("jsonld", "application/ld+json")])
def test_dump_formats(client, fmt, ctype):
    r = client.get("/dump", params={"format": fmt})
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
    assert "attachment" in r.headers["content-disposition"]
    if fmt == "turtle":
        g = Graph().parse(data=r.text, format="turtle")
        assert (URIRef(EX + "a"), URIRef(EX + "identifier"), Literal("A")) in g
    else:
        ds = Dataset()
        ds.parse(data=r.text, format="nquads" if fmt == "nquads" else "json-ld")
        names = {str(c.identifier) for c in ds.graphs()}
        assert DATA_GRAPH in names and INFERRED in names


def test_dump_is_negotiated_and_refuses_unknown_formats(client):
    assert client.get("/dump", headers={"Accept": "application/n-quads"}).headers[
        "content-type"].startswith("application/n-quads")
    assert client.get("/dump").headers["content-type"].startswith("text/turtle")
    assert client.get("/dump", params={"format": "csv"}).status_code == 400
    assert client.get("/dump", headers={"Accept": "text/csv"}).status_code == 406


def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is True and body["writable"] is False and body["store"] == "oxigraph"


def test_unknown_path_is_404_in_the_envelope(client):
    r = client.get("/nope")
    assert r.status_code == 404 and r.json() == {"ok": False, "status": 404,
                                                 "error": "no resource at /nope"}
