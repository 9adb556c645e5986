"""Deep nesting (issue 21, item 1): pyoxigraph's parsers overflow the stack on deeply nested
input and the process dies with SIGSEGV (a JSON-LD document of about 4,000 nested objects, 20,000
nested triple terms in the Turtle family, a few thousand nested groups in SPARQL). Every
document and every query or update nested deeper than ``MAX_NESTING`` is refused with 400 and
the position before a parser sees it (``rdf.nesting``, ``sparql.scan.check_nesting``).

Against a real ``stdgraph serve`` (a crash would otherwise end pytest): the repro of the issue,
then a generated family, depths 1,000 to 100,000, every RDF syntax the server accepts (valid and
cut short) and SPARQL queries and updates; each answer is exactly 400, the server answers a
point lookup within 1 s afterwards and the store is byte-identical.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from stdgraph.rdf.nesting import MAX_NESTING

from .conftest import FIGURES
from .hostile import AUTH, Server

DEPTHS = (1_000, 10_000, 100_000)
G = "http://example.org/graph/deep"


def rdf(kind: str, n: int, *, cut: bool = False) -> tuple[str, bytes]:
    """(Content-Type, body) of a document nested ``n`` levels deep; ``cut``: its closing half
    left out (not even well-formed)."""
    open_, inner, close, ctype = {
        "jsonld objects": ('{"@id":"http://ex/s","http://ex/p":' + '{"http://ex/p":' * n, "1",
                           "}" * n + "}", "application/ld+json"),
        "jsonld arrays": ('{"@id":"http://ex/s","http://ex/p":' + "[" * n, "1", "]" * n + "}",
                          "application/ld+json"),
        "turtle blank nodes": ("<http://ex/s> <http://ex/p> " + "[ <http://ex/p> " * n, "1",
                               " ]" * n + " .", "text/turtle"),
        "turtle lists": ("<http://ex/s> <http://ex/p> " + "( " * n, "1", " )" * n + " .",
                         "text/turtle"),
        "turtle triple terms": ("<http://ex/s> <http://ex/p> " + "<< <http://ex/s> <http://ex/p> "
                                * n, "1", " >>" * n + " .", "text/turtle"),
        "n-triples triple terms": ("<http://ex/s> <http://ex/p> "
                                   + "<<( <http://ex/s> <http://ex/p> " * n, '"x"',
                                   " )>>" * n + " .\n", "application/n-triples"),
        "rdf/xml": ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                    'xmlns:ex="http://ex/"><rdf:Description rdf:about="http://ex/s">'
                    + "<ex:p><rdf:Description>" * n, "<ex:p>1</ex:p>",
                    "</rdf:Description></ex:p>" * n + "</rdf:Description></rdf:RDF>",
                    "application/rdf+xml"),
    }[kind]
    return ctype, (open_ + inner + ("" if cut else close)).encode()


def dataset(kind: str, n: int) -> tuple[str, bytes]:
    """A quad document (POST to the store itself) nested ``n`` levels deep."""
    if kind == "trig":
        return "application/trig", ("<http://ex/g> { <http://ex/s> <http://ex/p> "
                                     + "[ <http://ex/p> " * n + "1" + " ]" * n + " . }").encode()
    return "application/n-quads", ("<http://ex/s> <http://ex/p> "
                                   + "<<( <http://ex/s> <http://ex/p> " * n + '"x"'
                                   + " )>>" * n + " <http://ex/g> .\n").encode()


def sparql(kind: str, n: int) -> str:
    if kind == "groups":
        return "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n
    if kind == "parentheses":
        return "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * n + "1" + ")" * n + ") }"
    if kind == "blank nodes":
        return "SELECT * WHERE { ?s ?p " + "[ <urn:p> " * n + "<urn:o>" + " ]" * n + " }"
    if kind == "triple terms":
        return "SELECT * WHERE { ?s ?p " + "<< <urn:s> <urn:p> " * n + "1" + " >>" * n + " }"
    if kind == "update groups":
        return "INSERT { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } } WHERE " + "{" * n + "}" * n
    if kind == "update data":
        return ("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> " + "[ <urn:p> " * n + "1"
                + " ]" * n + " } }")
    raise AssertionError(kind)


RDF_KINDS = ("jsonld objects", "jsonld arrays", "turtle blank nodes", "turtle lists",
             "turtle triple terms", "n-triples triple terms", "rdf/xml")
SPARQL_KINDS = ("groups", "parentheses", "blank nodes", "triple terms", "update groups",
                "update data")


@pytest.fixture
def server(hostile_server):
    return hostile_server


def refused(server: Server, method: str, url: str, ctype: str, body: bytes) -> None:
    r = server.send(400, method, url, content=body, headers={**AUTH, "Content-Type": ctype})
    FIGURES["bad_inputs"]["deep nesting (real server)"] += 1
    error = r.json()["error"]
    assert "nested more than" in error or "nested" in error, error


def test_the_repro_of_the_issue(server):
    """5,000 nested JSON-LD objects PUT to a graph: the server died with SIGSEGV."""
    n = 5000
    body = ('{"@id":"http://ex/s","http://ex/p":' + '{"http://ex/p":' * n + "1" + "}" * n
            + "}").encode()
    r = server.send(400, "PUT", "/store?graph=http://ex/d", content=body,
                    headers={**AUTH, "Content-Type": "application/ld+json"})
    error = r.json()["error"]
    assert f"nested more than {MAX_NESTING} levels" in error
    assert error.startswith("request body:1:"), error  # line and column


@pytest.mark.parametrize("kind", RDF_KINDS)
def test_every_rdf_syntax_at_every_depth_is_400(server, kind):
    for n in DEPTHS:
        ctype, body = rdf(kind, n)
        refused(server, "PUT", f"/store?graph={G}", ctype, body)
    ctype, body = rdf(kind, 5000, cut=True)  # valid or not
    refused(server, "PUT", f"/store?graph={G}", ctype, body)


@pytest.mark.parametrize(("method", "url"), [("POST", f"/store?graph={G}"),
                                             ("POST", "/store"),
                                             ("PUT", "/store?default"),
                                             ("POST", "/import/sto?name=deep")])
def test_every_upload_route_is_guarded(server, method, url):
    for kind in ("jsonld objects", "turtle triple terms", "rdf/xml"):
        ctype, body = rdf(kind, 5000)
        refused(server, method, url, ctype, body)


@pytest.mark.parametrize("kind", ["trig", "nquads"])
def test_quad_syntaxes_posted_to_the_store_are_400(server, kind):
    for n in DEPTHS:
        refused(server, "POST", "/store", *dataset(kind, n))


@pytest.mark.parametrize("kind", SPARQL_KINDS)
def test_sparql_at_every_depth_is_400(server, kind):
    for n in DEPTHS:
        text = sparql(kind, n)
        if kind.startswith("update"):
            refused(server, "POST", "/sparql", "application/sparql-update", text.encode())
            r = server.send(400, "POST", "/sparql", data={"update": text}, headers=AUTH)
        else:
            refused(server, "POST", "/sparql", "application/sparql-query", text.encode())
            r = server.send(400, "POST", "/sparql", data={"query": text})
            if len(quote(text)) < 30_000:  # a longer URL is over the request-line limit (414)
                server.send(400, "GET", "/sparql", params={"query": text})
        assert r.json()["line"] == 1 and r.json()["column"] > 1, r.json()


def test_just_inside_the_limit_is_accepted(server):
    """The limit refuses nesting, not documents: 50 levels (100 JSON values) are written."""
    body = ('{"@id":"http://ex/s","http://ex/p":' + '{"http://ex/p":' * (MAX_NESTING // 2 - 1)
            + "1" + "}" * (MAX_NESTING // 2 - 1) + "}").encode()
    graph = "http://example.org/graph/shallow"
    r = server.http.put(f"/store?graph={graph}", content=body,
                        headers={**AUTH, "Content-Type": "application/ld+json"})
    assert r.status_code == 201, r.text
    assert server.http.delete(f"/store?graph={graph}", headers=AUTH).status_code == 204
    server.forget()
    server.alive()


#: flat SPARQL shapes that overflow pyoxigraph's stack without nesting (8 MiB stack; also
#: 10,000 && or OPTIONAL, 5,000 BIND or MINUS, a BGP of 10,000 patterns)
FLAT = {
    "20,000 negations": "FILTER(" + "!" * 20_000 + "true)",
    "20,000 unions": " UNION ".join(["{}"] * 20_000),
}


@pytest.mark.parametrize("kind", list(FLAT))
def test_flat_shapes_end_a_worker_not_the_server(server, kind):
    """No depth to refuse, so they reach Oxigraph - in a query worker, queries and updates
    alike (an update's syntax check ran in the server process and ended it): 503, the worker
    replaced, the server and the store untouched."""
    where = FLAT[kind]
    r = server.send(503, "POST", "/sparql", content=f"SELECT * WHERE {{ {where} }}",
                    headers={"Content-Type": "application/sparql-query"})
    assert "worker stopped" in r.json()["error"]
    r = server.send(503, "POST", "/sparql",
                    content=f"INSERT {{ <urn:s> <urn:p> 1 }} WHERE {{ {where} }}",
                    headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert "worker stopped" in r.json()["error"]
    FIGURES["bad_inputs"]["flat SPARQL shape (real server)"] += 2
