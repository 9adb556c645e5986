"""Bad input (issue 9, item 3): every kind of malformed, oversized, endless or dangerous request
gets a clear 4xx (the documented 503 at the time limit), the store is byte for byte what it was
(a full dump before and after), and the server keeps answering right (a follow-up count equals
the number of quads read from the dump, not from the endpoint).

Writes are enabled (token sent) so bad writes reach the parsers instead of stopping at the token.
Requests that could crash a process (deep nesting: pyoxigraph's parser overflows its stack) go to
a real ``stdgraph serve`` in a child process, so a crash fails the test instead of ending pytest.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from stdgraph.sparql.scan import MAX_NESTING
from stdgraph.store import MemoryStore

from .conftest import AUTH, FIGURES, PREFIX, TOKEN, app_store, dump_bytes

G = "http://example.org/graph/bad"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"


def quads_in(dump: bytes) -> int:
    return len({ln for ln in dump.split(b"\n", 1)[1].decode().splitlines() if ln.strip()})


def still_right(client, before: bytes) -> None:
    """The store is unchanged and the server answers a follow-up query correctly."""
    assert dump_bytes(app_store(client)) == before
    r = client.get("/sparql", params={"query": COUNT})
    assert r.status_code == 200, r.text
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == quads_in(before)
    r = client.get("/sparql", params={"query": PREFIX + "ASK { ex:a ex:identifier 'A' }"})
    assert r.json()["boolean"] is True


def refused(client, kind: str, status: int, method: str, url: str, **kw) -> dict:
    """Send one bad request; check status, envelope, unchanged store and a right follow-up."""
    before = dump_bytes(app_store(client))
    r = client.request(method, url, **kw)
    FIGURES["bad_inputs"][kind] += 1
    assert r.status_code == status, r.text
    body = r.json()
    assert body["ok"] is False and body["status"] == status and body["error"]
    assert TOKEN not in r.text
    still_right(client, before)
    return body


@pytest.fixture
def writer(make_client):
    return make_client(update_token=TOKEN)


# -- malformed RDF: Graph Store, STO import, SPARQL update -------------------------------------
MALFORMED = [
    # (Content-Type, body, position the message must give)
    ("text/turtle", b'@prefix ex: <http://example.org/mini#> .\nex:a ex:identifier "A" ;\n  ex:p .\n',
     ":3:8:"),
    ("text/turtle", b'<http://x> <http://p> "unterminated .\n', ":1:"),
    ("text/turtle", b"<http://x> <http://p> <not an iri> .\n", ":1:"),
    ("application/n-triples", b"<http://x> <http://p> <http://o>\n", ":"),
    ("application/ld+json", b'{"@id": "http://x",\n "http://p": [}', ":2:15:"),
    ("application/ld+json", b'  "a string, not a document"', ":1:3:"),
    ("application/rdf+xml", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
     b'xmlns:ex="http://ex/">\n<rdf:Description rdf:about="http://x">\n<ex:p>v</ex:q>\n'
     b"</rdf:Description></rdf:RDF>", ":3:"),
    # cut short: pyoxigraph alone reads this as an empty graph
    ("application/rdf+xml", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
     b'\n<rdf:Description rdf:about="http://x">', ":2:"),
]
TARGETS = [("PUT", f"/store?graph={G}"), ("POST", f"/store?graph={G}"), ("POST", "/store"),
           ("POST", "/import/sto?name=bad"), ("PUT", "/store?graph=https://w3id.org/stdgraph/"
                                                     "graph/data/standards")]


@pytest.mark.parametrize(("method", "url"), TARGETS)
@pytest.mark.parametrize(("ctype", "body", "where"), MALFORMED)
def test_malformed_uploads_are_400_with_the_position(writer, method, url, ctype,
                                                     body, where):
    if url.startswith("/import") and ctype == "application/n-triples":
        ctype = "text/plain"
    got = refused(writer, "malformed upload", 400, method, url, content=body,
                  headers={**AUTH, "Content-Type": ctype})
    assert where in got["error"], got


@pytest.mark.parametrize("update", [
    'INSERT DATA { GRAPH <http://g> { <http://x> <http://p> "unterminated } }',
    "INSERT DATA { GRAPH <http://g> { <http://x> <http://p> <not an iri> } }",
    "INSERT DATA { GRAPH <http://g> { <http://x> <http://p> } }",
    "DELETE WHERE { ?s ?p }",
    "INSERT { GRAPH <http://g> { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CLEAR GRAPH",
    "DROP ALL ; ; INSERT DATA {}",
    "INSERT DATA { GRAPH <http://g> { <http://x> <http://p> 'a' } } ; garbage",
])
def test_malformed_updates_are_400_with_the_position(writer, update):
    for kw in ({"data": {"update": update}},
               {"content": update, "headers": {**AUTH, "Content-Type": "application/sparql-update"}}):
        kw.setdefault("headers", AUTH)
        got = refused(writer, "malformed update", 400, "POST", "/sparql", **kw)
        assert got["line"] >= 1 and got["column"] >= 1, got


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o", "SELECT * WHERE { ?s ?p <bad iri> }", "ASK {} garbage",
    "SELECT ?x WHERE { FILTER(?x > ) }", "CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } LIMIT -1", "\x00", "SELECT * WHERE { ?s ?p \"\x00\\\" }",
])
def test_malformed_queries_are_400_with_the_position(writer, query):
    got = refused(writer, "malformed query", 400, "GET", "/sparql",
                  params={"query": query})
    assert "line" in got or "empty" in got["error"] or "update" in got["error"], got


def test_bodies_that_are_not_utf8_are_400(writer):
    for url, ctype in [("/sparql", "application/sparql-query"),
                       ("/sparql", "application/sparql-update"),
                       (f"/store?graph={G}", "text/turtle"), ("/import/sto", "text/turtle")]:
        refused(writer, "not UTF-8", 400, "POST", url,
                content=b'<http://x> <http://p> "caf\xe9" .', headers={**AUTH, "Content-Type": ctype})


# -- Content-Type -------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "url"), [*TARGETS, ("POST", "/sparql")])
@pytest.mark.parametrize("ctype", [None, "application/pdf", "text/html", "multipart/form-data",
                                   "application/sparql-query; charset=latin-1", "text/turtle/x",
                                   ""])
def test_wrong_or_missing_content_type_is_415(writer, method, url, ctype):
    if url == "/sparql" and ctype and ctype.startswith("application/sparql-query"):
        pass  # the latin-1 charset is the wrong part here
    elif ctype == "application/sparql-query; charset=latin-1":
        ctype = "application/sparql-query"  # not an RDF syntax: 415 on the RDF routes
    headers = dict(AUTH)
    if ctype is not None:
        headers["Content-Type"] = ctype
    got = refused(writer, "wrong Content-Type", 415, method, url,
                  content=b"<http://x> <http://p> <http://o> .", headers=headers)
    assert got["supported"]


# -- size ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "url", "ctype"), [
    ("PUT", f"/store?graph={G}", "text/turtle"), ("POST", f"/store?graph={G}", "text/turtle"),
    ("POST", "/store", "application/n-quads"), ("POST", "/import/sto", "text/turtle"),
    ("POST", "/sparql", "application/sparql-query"),
    ("POST", "/sparql", "application/sparql-update"),
    ("POST", "/sparql", "application/x-www-form-urlencoded"),
])
@pytest.mark.parametrize("chunked", [False, True])
def test_bodies_over_the_limit_are_413(make_client, method, url, ctype, chunked):
    client = make_client(update_token=TOKEN, max_body_bytes=1000)
    line = b"<http://example.org/s> <http://example.org/p> \"" + b"x" * 100 + b"\" .\n"
    body = b"update=" + line * 20 if ctype.endswith("urlencoded") else line * 20

    def pieces() -> Iterator[bytes]:
        for i in range(0, len(body), 256):
            yield body[i:i + 256]

    got = refused(client, "body over the limit", 413, method, url,
                  content=pieces() if chunked else body, headers={**AUTH, "Content-Type": ctype})
    assert got["limit"] == 1000


# -- endless queries: the documented 503 ---------------------------------------------------------
@pytest.mark.parametrize("processes", [True, False])
@pytest.mark.parametrize("query", [SLOW, "DESCRIBE ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . "
                                         "?j ?k ?l . ?m ?n1 ?o }"])
def test_endless_queries_get_503_at_the_time_limit(make_client, processes, query):
    client = make_client(query_processes=processes, query_timeout=1.0, max_rows=10**9)
    got = refused(client, "endless query", 503, "GET", "/sparql",
                  params={"query": query})
    assert "time limit" in got["error"]


def test_describe_of_everything_is_cut_at_the_row_limit(make_client):
    client = make_client(max_rows=5)
    before = dump_bytes(app_store(client))
    r = client.get("/sparql", params={"query": "DESCRIBE ?s WHERE { ?s ?p ?o }"},
                   headers={"Accept": "application/n-triples"})
    FIGURES["bad_inputs"]["DESCRIBE everything"] += 1
    assert r.status_code == 200
    assert r.headers["x-stdgraph-truncated"] == "true"
    assert len(r.text.strip().splitlines()) == 5
    still_right(client, before)


# -- nesting: refused before a parser can overflow its stack ----------------------------------
def _deep(kind: str, n: int) -> str:
    if kind == "groups":
        return "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n
    if kind == "parentheses":
        return "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * n + "1" + ")" * n + ") }"
    if kind == "blank nodes":
        return "SELECT * WHERE { ?s ?p " + "[ <urn:p> " * n + "<urn:o>" + " ]" * n + " }"
    return "INSERT { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } } WHERE " + "{" * n + "}" * n


def _post_nested(http: httpx.Client, kind: str, n: int, before: bytes) -> None:
    text = _deep(kind, n)
    update = kind == "update"
    headers = {**AUTH, "Content-Type": "application/sparql-update"} if update else \
        {"Content-Type": "application/sparql-query"}
    try:
        r = http.post("/sparql", content=text, headers=headers)
    except httpx.TransportError as e:
        pytest.fail(f"the server died on {n} nested {kind}: {e!r}")
    FIGURES["bad_inputs"]["deep nesting"] += 1
    assert r.status_code == 400, (kind, n, r.text)
    assert "nested" in r.json()["error"]
    r = http.get("/sparql", params={"query": COUNT})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == \
        len(set(before.decode().splitlines()))


@pytest.mark.slow
@pytest.mark.parametrize("processes", ["true", "false"])
def test_deeply_nested_queries_are_400_and_the_server_survives(serve, processes):
    base = serve(STDGRAPH_QUERY_PROCESSES=processes, STDGRAPH_QUERY_TIMEOUT="10")
    with httpx.Client(base_url=base, timeout=30) as http:
        before = http.get("/dump", params={"format": "nquads"}).content
        for kind in ("groups", "parentheses", "blank nodes"):
            for n in (MAX_NESTING + 1, 5000):
                _post_nested(http, kind, n, before)
        # a query just inside the limit still runs
        r = http.post("/sparql", content=_deep("groups", MAX_NESTING // 2),
                      headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 200, r.text
        assert http.get("/dump", params={"format": "nquads"}).content == before


@pytest.mark.slow
def test_deeply_nested_updates_are_400_and_the_server_survives(serve):
    """Updates run in the server process itself (the write path), whatever the query executor."""
    base = serve(STDGRAPH_UPDATE_TOKEN=TOKEN)
    with httpx.Client(base_url=base, timeout=30) as http:
        before = http.get("/dump", params={"format": "nquads"}).content
        for n in (5000, MAX_NESTING + 1):
            _post_nested(http, "update", n, before)
        assert http.get("/dump", params={"format": "nquads"}).content == before


def test_deep_nesting_on_the_memory_store_is_400(make_client):
    st = MemoryStore()
    client = make_client(store=st)
    for n in (40, MAX_NESTING + 1):
        r = client.get("/sparql", params={"query": _deep("groups", n)})
        FIGURES["bad_inputs"]["deep nesting"] += 1
        assert r.status_code == 400, r.text
    assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


# -- SERVICE and LOAD: refused before any connection --------------------------------------------
@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A socket listening on a free port of 127.0.0.1: a SERVICE or LOAD that reached out would
    connect to it (traffic never leaves the machine)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.settimeout(0.3)
    yield f"http://127.0.0.1:{s.getsockname()[1]}", s
    s.close()


def assert_never_connected(s: socket.socket) -> None:
    with pytest.raises(TimeoutError):
        conn, _ = s.accept()
        conn.close()


def test_service_is_refused_before_any_connection(writer, listener):
    url, sock = listener
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ service silent <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERV\\u0049CE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"ASK {{ OPTIONAL {{ SERVICE <{url}/> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ BIND(<{url}/> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ]
    for q in queries:
        got = refused(writer, "SERVICE", 400, "GET", "/sparql", params={"query": q})
        assert "SERVICE" in got["error"]
        refused(writer, "SERVICE", 400, "POST", "/sparql", content=q,
                headers={"Content-Type": "application/sparql-query"})
    update = f"INSERT {{ GRAPH <{G}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}/> {{ ?s ?p ?o }} }}"
    refused(writer, "SERVICE", 400, "POST", "/sparql", data={"update": update},
            headers=AUTH)
    assert_never_connected(sock)


def test_load_is_refused_before_any_connection(writer, listener):
    url, sock = listener
    for update in ["LOAD <file:///etc/passwd>", "load silent <file:///etc/passwd> INTO GRAPH <urn:g>",
                   f"LOAD <{url}/data.ttl>", f"LOAD <{url}/x> ; INSERT DATA {{ GRAPH <urn:g> "
                   "{ <urn:a> <urn:b> <urn:c> } }", "L\\u004FAD <file:///etc/passwd>"]:
        for kw in ({"data": {"update": update}, "headers": AUTH},
                   {"content": update,
                    "headers": {**AUTH, "Content-Type": "application/sparql-update"}}):
            got = refused(writer, "LOAD", 400, "POST", "/sparql", **kw)
            assert "LOAD" in got["error"]
    # as a query it is not a query; without the token it is not even read
    refused(writer, "LOAD", 400, "GET", "/sparql",
            params={"query": "LOAD <file:///etc/passwd>"})
    refused(writer, "LOAD", 401, "POST", "/sparql",
            data={"update": "LOAD <file:///etc/passwd>"})
    assert_never_connected(sock)


def test_service_and_load_stay_off_on_the_memory_store(make_client, listener):
    url, sock = listener
    client = make_client(store=MemoryStore(), update_token=TOKEN)
    r = client.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{url}/> {{ ?s ?p ?o }} }}"})
    assert r.status_code == 400
    r = client.post("/sparql", data={"update": f"LOAD <{url}/x>"}, headers=AUTH)
    assert r.status_code == 400
    FIGURES["bad_inputs"]["SERVICE"] += 1
    FIGURES["bad_inputs"]["LOAD"] += 1
    assert_never_connected(sock)
