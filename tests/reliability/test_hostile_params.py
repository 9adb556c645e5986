"""Parameters that raised an unhandled ValueError or OverflowError (a 500) (issue 21, item 4):

* IRIs that passed the absolute-IRI check but not the IRI grammar (a second ``#``, a bad or cut
  ``%`` escape, U+0085, ...) in ``/store?graph=`` (every method), ``default-graph-uri``,
  ``named-graph-uri``, ``using-graph-uri``, ``using-named-graph-uri``: now one validator
  (``rdf.iri.check_iri``) for every IRI parameter, analyses', pages' and named queries'
  included, each a 400 naming the parameter and the reason;
* integers beyond a machine word in ``limit`` / ``min_shared`` (analyses and report pages):
  400, out of range;
* ``\\U0011FFFF`` (and other escapes naming no character) in a query or update: 400 with
  line and column.

Each request gets exactly 400, the server answers a point lookup within 1 s and the store is
byte-identical (``hostile.Server.send``).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import FIGURES
from .hostile import AUTH

#: IRIs that are no IRIs, each for a different reason
BAD_IRIS = [
    "http://ex/a#b#c",  # a second '#'
    "http://ex/%G1",  # a bad %-escape
    "http://ex/%4",  # a %-escape cut short
    "http://ex/a%",  # a bare %
    "http://ex/\u0085",  # a C1 control (NEL)
    "http://ex/\x7f",  # DEL
    "http://ex/\U0010ffff",  # a non-character
    "http://ex/a b",  # a space
    "http://ex/<a>",  # angle brackets
    'http://ex/"a"',  # quotes
    "http://[::1",  # a broken host
    "relative/path",  # no scheme
    "#fragment",
]
TURTLE = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
UPDATE = "INSERT { <http://example.org/s> <http://example.org/p> ?o } WHERE { ?s ?p ?o }"


@pytest.fixture
def server(hostile_server):
    return hostile_server


def q(value: str) -> str:
    return quote(value, safe="")


def bad(server, method: str, url: str, parameter: str, **kw) -> None:
    r = server.send(400, method, url, **kw)
    FIGURES["bad_inputs"]["bad IRI or number parameter"] += 1
    if method == "HEAD":
        return
    if r.headers.get("content-type", "").startswith("application/json"):
        body = r.json()
        assert body.get("parameter") == parameter or parameter in body["error"], body
    else:  # an HTML page
        assert f"parameter &#39;{parameter}&#39;" in r.text or parameter in r.text


@pytest.mark.parametrize("iri", BAD_IRIS, ids=range(len(BAD_IRIS)))
def test_graph_store_graph_parameter(server, iri):
    url = f"/store?graph={q(iri)}"
    for method in ("GET", "HEAD", "DELETE"):
        bad(server, method, url, "graph", headers=AUTH)
    for method in ("PUT", "POST"):
        bad(server, method, url, "graph", content=TURTLE,
            headers={**AUTH, "Content-Type": "text/turtle"})


@pytest.mark.parametrize("iri", BAD_IRIS, ids=range(len(BAD_IRIS)))
def test_protocol_dataset_parameters(server, iri):
    for name in ("default-graph-uri", "named-graph-uri"):
        bad(server, "GET", f"/sparql?query={q(QUERY)}&{name}={q(iri)}", name)
        bad(server, "POST", f"/sparql?{name}={q(iri)}", name, content=QUERY,
            headers={"Content-Type": "application/sparql-query"})
    for name in ("using-graph-uri", "using-named-graph-uri"):
        bad(server, "POST", f"/sparql?{name}={q(iri)}", name, content=UPDATE,
            headers={**AUTH, "Content-Type": "application/sparql-update"})
        bad(server, "POST", "/sparql", name, data={"update": UPDATE, name: iri}, headers=AUTH)


@pytest.mark.parametrize("iri", BAD_IRIS, ids=range(len(BAD_IRIS)))
def test_analysis_and_page_parameters(server, iri):
    for name in ("rows", "columns", "scheme"):
        bad(server, "GET", f"/analysis/gaps?{name}={q(iri)}", name)
    bad(server, "GET", f"/reports/gaps?rows={q(iri)}", "rows", headers={"Accept": "text/html"})
    bad(server, "GET", f"/standards?element={q(iri)}", "element",
        headers={"Accept": "text/html"})


def test_named_query_iri_parameter(make_bundled_client):
    """The bundled queries have IRI parameters (the mini project's have none): same check."""
    client = make_bundled_client()
    for iri in BAD_IRIS:
        r = client.get(f"/queries/standards-by-element?element={q(iri)}")
        assert r.status_code == 400, (iri, r.text)
        assert r.json()["parameter"] == "element"


@pytest.mark.parametrize("value", ["9223372036854775808", "-9223372036854775809",
                                   "99999999999999999999999", "9" * 5000])
def test_integers_beyond_a_machine_word(server, value):
    for url, name in [("/analysis/overlaps?limit=", "limit"),
                      ("/analysis/overlaps?min_shared=", "min_shared"),
                      ("/analysis/overlaps/clusters?min_shared=", "min_shared"),
                      ("/analysis/gaps?limit=", "limit")]:
        bad(server, "GET", url + value, name)
    r = server.send(400, "GET", "/reports/overlaps?limit=" + value,
                    headers={"Accept": "text/html"})
    assert "out of range" in r.text
    # the largest one is a number like any other
    assert server.http.get("/analysis/overlaps?limit=9223372036854775807").status_code == 200
    server.forget()


@pytest.mark.parametrize("escape", ["\\U0011FFFF", "\\UFFFFFFFF", "\\uD800", "\\uDFFF"])
def test_escapes_that_name_no_character(server, escape):
    query = f'SELECT * WHERE {{ ?s ?p "{escape}" }}'
    update = f'INSERT DATA {{ <urn:s> <urn:p> "{escape}" }}'
    for r in (server.send(400, "GET", f"/sparql?query={q(query)}"),
              server.send(400, "POST", "/sparql", content=query,
                          headers={"Content-Type": "application/sparql-query"}),
              server.send(400, "POST", "/sparql", content=update,
                          headers={**AUTH, "Content-Type": "application/sparql-update"}),
              server.send(400, "POST", "/sparql", data={"update": update}, headers=AUTH)):
        body = r.json()
        assert body["line"] == 1 and body["column"] > 1 and escape in body["error"], body
        FIGURES["bad_inputs"]["escape naming no character"] += 1


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("document", [
    b'{"@id": "not an iri", "http://example.org/p": "v"}',  # the @id is dropped, and its triple
    b'{"@id": "http://example.org/a b", "@type": "http://example.org/T"}',
    b'[{"@id": "http://example.org/s", "name": "a term no context defines"}]',
])
def test_a_json_ld_body_that_yields_nothing_is_400(server, method, document):
    """A PUT of such a document silently emptied the graph (JSON-LD drops what is not an IRI)."""
    r = server.send(400, method, "/store?graph=https://w3id.org/stdgraph/graph/data/standards",
                    content=document, headers={**AUTH, "Content-Type": "application/ld+json"})
    assert "yields no triple" in r.json()["error"]
    FIGURES["bad_inputs"]["JSON-LD yielding nothing"] += 1


def test_documents_without_statements_still_empty_a_graph(server):
    """An empty body, ``[]`` or only prefixes state nothing: a PUT empties the graph (the
    Graph Store Protocol's way), as before."""
    graph = "http://example.org/graph/emptied"
    for ctype, body in [("text/turtle", b""), ("application/ld+json", b"[]"),
                        ("text/turtle", b"@prefix ex: <http://example.org/> .\n")]:
        r = server.http.put(f"/store?graph={graph}", content=b"<urn:s> <urn:p> <urn:o> .",
                            headers={**AUTH, "Content-Type": "text/turtle"})
        assert r.status_code in {201, 204}, r.text
        r = server.http.put(f"/store?graph={graph}", content=body,
                            headers={**AUTH, "Content-Type": ctype})
        assert r.status_code == 204, r.text
        assert server.http.get(f"/store?graph={graph}").status_code == 404
    server.forget()
