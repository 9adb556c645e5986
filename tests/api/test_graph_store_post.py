"""Graph Store Protocol POST (SPARQL 1.1 Graph Store HTTP Protocol §5.5; issue 16, item 2):
multipart/form-data bodies of several RDF documents merged in one write, and a graph POSTed to
the store itself created under the service's URL, its IRI in ``Location``, served there too."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from stdgraph.api import multipart
from stdgraph.api.errors import ApiError

from .conftest import AUTH, EX, TOKEN, dump

G = "https://w3id.org/stdgraph/graph/data/upload"
PUBLIC = "https://kg.example.org/api"
PART_H = f'@prefix ex: <{EX}> .\nex:h a ex:Standard ;\n  ex:identifier "H" .\n'
PART_I = f'@prefix ex: <{EX}> .\nex:i a ex:Standard ; ex:identifier "I" ; ex:supersedes ex:h .\n'
BAD_PART = f"@prefix ex: <{EX}> .\nex:j ex:identifier\n"  # line 3: the object is missing
TTL = {"Content-Type": "text/turtle"}
NT = {"Accept": "application/n-triples"}
BOUNDARY = "----stdgraph-test-boundary"


def form(*parts: tuple[str, str | None, str | None, str]) -> bytes:
    """A multipart/form-data body of ``(name, filename, content type, text)`` parts."""
    out = b"preamble, ignored\r\n"
    for name, filename, ctype, text in parts:
        out += f"--{BOUNDARY}\r\n".encode()
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename
                                                     else "")
        out += f"Content-Disposition: {disposition}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + text.encode() + b"\r\n"
    return out + f"--{BOUNDARY}--\r\nepilogue, ignored\r\n".encode()


MULTIPART = {"Content-Type": f'multipart/form-data; boundary="{BOUNDARY}"', **AUTH}


def graph(client, iri: str) -> Graph:
    r = client.get("/store", params={"graph": iri}, headers=NT)
    assert r.status_code == 200, r.text
    return Graph().parse(data=r.text, format="nt")


# -- multipart/form-data ---------------------------------------------------------------------------
def test_two_turtle_parts_are_merged_into_the_graph_in_one_write(writer, store_dir):
    before = dump(store_dir)
    body = form(("h", "h.ttl", "text/turtle", PART_H), ("i", "i.ttl", "text/turtle", PART_I))
    r = writer.post("/store", params={"graph": G}, content=body, headers=MULTIPART)
    assert r.status_code == 201, r.text  # the graph did not exist
    assert r.json()["inserted"] == 5
    g = graph(writer, G)
    assert len(g) == 5 and (URIRef(EX + "i"), URIRef(EX + "supersedes"), URIRef(EX + "h")) in g
    # one write: the entailment joining the two parts is there (ex:supersededBy is the inverse)
    r = writer.get("/sparql", params={"query": f"ASK {{ <{EX}h> <{EX}supersededBy> <{EX}i> }}"})
    assert r.json()["boolean"] is True
    assert dump(store_dir) - before  # and it is in the store
    # into an existing graph: 204
    more = form(("k", None, "application/n-triples", f'<{EX}h> <{EX}title> "Hat" .'))
    r = writer.post("/store", params={"graph": G}, content=more, headers=MULTIPART)
    assert r.status_code == 204, r.text
    assert (URIRef(EX + "h"), URIRef(EX + "title"), Literal("Hat")) in graph(writer, G)


def test_a_bad_part_is_400_naming_it_with_its_position_and_nothing_is_written(writer, store_dir):
    before = dump(store_dir)
    body = form(("h", "h.ttl", "text/turtle", PART_H), ("bad", "bad.ttl", "text/turtle", BAD_PART))
    r = writer.post("/store", params={"graph": G}, content=body, headers=MULTIPART)
    assert r.status_code == 400, r.text
    doc = r.json()
    assert doc["line"] == 3 and isinstance(doc["column"], int) and doc["part"] == 2
    assert doc["error"].startswith('part 2 "bad" (bad.ttl):3:')
    assert dump(store_dir) == before
    assert writer.get("/store", params={"graph": G}).status_code == 404


def test_parts_that_break_a_shape_are_422_and_nothing_is_written(writer, store_dir):
    before = dump(store_dir)
    body = form(("h", None, "text/turtle", PART_H),
                ("x", None, "text/turtle", f"<{EX}x> a <{EX}Standard> ."))  # no identifier
    r = writer.post("/store", params={"graph": G}, content=body, headers=MULTIPART)
    assert r.status_code == 422, r.text
    assert dump(store_dir) == before


def test_a_part_is_typed_by_its_content_type_or_else_its_file_name(writer, store_dir):
    nt = f'<{EX}h> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Standard> .\n' \
         f'<{EX}h> <{EX}identifier> "H" .\n'
    body = form(("a", "h.nt", "application/octet-stream", nt), ("b", "i.ttl", None, PART_I))
    r = writer.post("/store", params={"graph": G}, content=body, headers=MULTIPART)
    assert r.status_code == 201, r.text
    assert len(graph(writer, G)) == 5
    before = dump(store_dir)
    for part in [("c", "c.txt", None, PART_H), ("d", None, "application/pdf", PART_H),
                 ("e", None, "application/n-quads", "")]:
        r = writer.post("/store", params={"graph": G}, content=form(part), headers=MULTIPART)
        assert r.status_code == 415, r.text
        assert r.json()["part"] == 1 and "text/turtle" in r.json()["supported"]
    assert dump(store_dir) == before


@pytest.mark.parametrize("ctype", ["multipart/form-data", 'multipart/form-data; boundary="a;b"',
                                   f"multipart/form-data; boundary={'x' * 71}"])
def test_multipart_without_a_usable_boundary_is_415(writer, store_dir, ctype):
    before = dump(store_dir)
    r = writer.post("/store", params={"graph": G}, content=form(("h", None, "text/turtle", PART_H)),
                    headers={"Content-Type": ctype, **AUTH})
    assert r.status_code == 415 and "boundary" in r.json()["error"], r.text
    assert "multipart/form-data" in r.json()["supported"]
    assert dump(store_dir) == before


@pytest.mark.parametrize(("body", "ctype", "message"), [
    (b"no boundary at all", f"multipart/form-data; boundary={BOUNDARY}", "never has"),
    (f"--{BOUNDARY}\r\nContent-Type: text/turtle\r\n\r\n<a:b> <a:c> <a:d> .".encode(),
     f"multipart/form-data; boundary={BOUNDARY}", "closing"),
    (f"--{BOUNDARY}--\r\n".encode(), f"multipart/form-data; boundary={BOUNDARY}", "no parts"),
    (f"--{BOUNDARY}\r\nContent-Type text/turtle\r\n\r\nx\r\n--{BOUNDARY}--".encode(),
     f"multipart/form-data; boundary={BOUNDARY}", "malformed header"),
    (f"--{BOUNDARY}\r\nContent-Transfer-Encoding: base64\r\n\r\nx\r\n--{BOUNDARY}--".encode(),
     f"multipart/form-data; boundary={BOUNDARY}", "Content-Transfer-Encoding"),
])
def test_malformed_multipart_bodies_are_400(writer, store_dir, body, ctype, message):
    before = dump(store_dir)
    r = writer.post("/store", params={"graph": G}, content=body,
                    headers={"Content-Type": ctype, **AUTH})
    assert r.status_code == 400 and message in r.json()["error"], r.text
    assert dump(store_dir) == before


def test_the_body_size_cap_holds_for_multipart(make_client, store_dir):
    client = make_client(update_token=TOKEN, max_body_bytes=200)
    before = dump(store_dir)
    body = form(("h", None, "text/turtle", PART_H), ("i", None, "text/turtle", PART_I))
    assert len(body) > 200
    r = client.post("/store", params={"graph": G}, content=body, headers=MULTIPART)
    assert r.status_code == 413 and r.json()["limit"] == 200
    assert dump(store_dir) == before


def test_multipart_is_for_post_only(writer):
    body = form(("h", None, "text/turtle", PART_H))
    r = writer.put("/store", params={"graph": G}, content=body, headers=MULTIPART)
    assert r.status_code == 415 and "multipart/form-data" not in r.json()["supported"]
    r = writer.post("/store", params={"graph": G}, content=b"x",
                    headers={"Content-Type": "application/pdf", **AUTH})
    assert r.status_code == 415 and "multipart/form-data" in r.json()["supported"]


def test_the_parser_reads_names_file_names_and_bytes_as_sent():
    body = (b"--b\r\nContent-Disposition: form-data; name=\"a \\\"q\\\"\"; "
            b"filename*=UTF-8''%C3%A9.ttl\r\nContent-Type: text/turtle\r\n\r\n"
            b"line 1\r\nline 2\r\n\r\n--b\r\n\r\nno headers\r\n--b--")
    parts = multipart.parse(body, "b")
    assert [(p.index, p.name, p.filename, p.content_type) for p in parts] == [
        (1, 'a "q"', "\u00e9.ttl", "text/turtle"), (2, None, None, None)]
    assert parts[0].body == b"line 1\r\nline 2\r\n" and parts[1].body == b"no headers"
    assert parts[0].label == 'part 1 "a "q"" (\u00e9.ttl)'
    with pytest.raises(ApiError):
        multipart.boundary("multipart/form-data; boundary=" + "x" * 71, [])
    assert multipart.boundary("multipart/form-data; charset=utf-8; boundary=\"a'()+_,-./:=? z\"",
                              []) == "a'()+_,-./:=? z"
    assert multipart.boundary("Multipart/Form-Data;BOUNDARY=abc", []) == "abc"


# -- POST to the store itself: a new graph, named under the service's URL --------------------------
@pytest.mark.parametrize("public", [None, PUBLIC], ids=["request-url", "public-url"])
def test_post_to_the_store_names_the_new_graph_in_location(make_client, public):
    client = make_client(update_token=TOKEN, public_url=public)
    r = client.post("/store", content=PART_H.encode(), headers={**TTL, **AUTH})
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    root = (public or "http://testserver") + "/store/graphs/"
    assert location.startswith(root) and r.json()["graph"] == location
    # the Location header, read literally as the graph's IRI (indirect identification)
    assert len(graph(client, location)) == 2
    # and the graph at that URL (direct identification), negotiated like /store?graph=
    path = "/store/graphs/" + location[len(root):]
    direct = client.get(path, headers=NT)
    assert direct.status_code == 200, direct.text
    assert set(Graph().parse(data=direct.text, format="nt")) == set(graph(client, location))
    turtle = client.get(path)
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert turtle.headers["vary"] == "Accept"
    head = client.head(path)
    assert head.status_code == 200 and head.content == b""
    if public is None:  # the URL itself, as a client holding only the header would use it
        assert client.get(location, headers=NT).text == direct.text


def test_relative_iris_in_a_posted_graph_resolve_against_its_iri(writer):
    r = writer.post("/store", content=b'<> <p> "self" . <#part> <p> "part" .',
                    headers={**TTL, **AUTH})
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    assert set(graph(writer, location)) == {
        (URIRef(location), URIRef("http://testserver/store/graphs/p"), Literal("self")),
        (URIRef(location + "#part"), URIRef("http://testserver/store/graphs/p"),
         Literal("part"))}


def test_multipart_post_to_the_store_makes_one_new_graph(writer):
    body = form(("h", None, "text/turtle", PART_H), ("i", None, "text/turtle", PART_I))
    r = writer.post("/store", content=body, headers=MULTIPART)
    assert r.status_code == 201, r.text
    assert len(graph(writer, r.headers["location"])) == 5


def test_nquads_posted_to_the_store_are_still_added_to_the_dataset(writer):
    body = f'<{EX}h> <{EX}identifier> "H" <{G}> .\n'.encode()
    r = writer.post("/store", content=body, headers={"Content-Type": "application/n-quads",
                                                      **AUTH})
    assert r.status_code == 204 and "location" not in r.headers


def test_direct_identification_writes(writer, store_dir):
    path = "/store/graphs/mine"
    iri = "http://testserver" + path
    assert writer.get(path).status_code == 404
    r = writer.put(path, content=PART_H.encode(), headers={**TTL, **AUTH})
    assert r.status_code == 201 and r.headers["location"] == iri, r.text
    r = writer.post(path, content=f'<{EX}h> <{EX}title> "Hat" .'.encode(),
                    headers={"Content-Type": "application/n-triples", **AUTH})
    assert r.status_code == 204, r.text
    assert len(graph(writer, iri)) == 3
    assert writer.delete(path, headers=AUTH).status_code == 204
    assert writer.get(path).status_code == 404
    assert writer.delete(path, headers=AUTH).status_code == 404
    before = dump(store_dir)
    assert writer.put(path, content=PART_H.encode(), headers=TTL).status_code == 401
    assert writer.get(path, params={"graph": G}).status_code == 400
    assert writer.patch(path).status_code == 405
    assert dump(store_dir) == before


# -- every backend -------------------------------------------------------------------------------
def test_post_and_multipart_on_every_backend(backend, make_client):
    store, settings = backend
    client = make_client(store=store, update_token=TOKEN, **settings)
    r = client.post("/store", content=PART_H.encode(), headers={**TTL, **AUTH})
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    assert location.startswith("http://testserver/store/graphs/")
    assert len(graph(client, location)) == 2
    direct = client.get(location, headers=NT)
    assert direct.status_code == 200 and len(direct.text.splitlines()) == 2
    before = client.get("/store", headers={"Accept": "application/n-quads"}).text
    body = form(("i", None, "text/turtle", PART_I), ("bad", None, "text/turtle", BAD_PART))
    r = client.post("/store", params={"graph": location}, content=body, headers=MULTIPART)
    assert r.status_code == 400 and r.json()["part"] == 2 and r.json()["line"] == 3
    assert client.get("/store", headers={"Accept": "application/n-quads"}).text == before
    body = form(("i", None, "text/turtle", PART_I), ("k", None, "application/n-triples",
                                                     f'<{EX}h> <{EX}title> "Hat" .'))
    r = client.post("/store", params={"graph": location}, content=body, headers=MULTIPART)
    assert r.status_code == 204, r.text
    assert len(graph(client, location)) == 6
