"""The raw ASGI fast path (stdgraph.api.fastpath) answers exactly as the FastAPI route does, in
every protocol form: GET ``?query=``, POST form-encoded, POST ``application/sparql-query``.

The reference is the same app with the fast path switched off (``app.fast_handler = None``):
every request then goes through FastAPI's router, middleware and the ``/sparql`` route, at the
same URL (relative IRIs resolve against it). Each request is sent both ways and the answers must
be identical: status, headers, body bytes. Updates are passed on to FastAPI (``PassOn``), so the
write path's token check and guard are the route's own."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import pytest
from rdflib import Graph
from starlette.requests import Request
from starlette.responses import Response

from stdgraph.api.fastpath import PassOn, StdgraphApp
from stdgraph.api.negotiation import response_media_type
from stdgraph.api.routes.sparql import ROW_LIMIT_HEADER, TRUNCATED_HEADER, answer_response
from stdgraph.rdf.formats import GRAPH_MEDIA, RESULT_MEDIA
from stdgraph.rdf.results import Answer

from .conftest import AUTH, PREFIX, TOKEN, dump

OK_SELECT = PREFIX + "SELECT ?s WHERE { ?s a ex:Standard } ORDER BY ?s"
CONSTRUCT = PREFIX + "CONSTRUCT { ?s a ex:Standard } WHERE { ?s a ex:Standard }"
POINT = PREFIX + "SELECT ?p ?o WHERE { ex:a ?p ?o }"
BAD = "SELECT * WHERE {\n  ?s ?p }"  # malformed: 400 with line and column
FORMS = ["get", "form", "direct"]

#: (parameters, headers): ``query`` goes in the URL (GET), the form (form) or the body (direct,
#: the other parameters in the URL)
CASES = [
    ({"query": OK_SELECT}, {}),
    ({"query": OK_SELECT}, {"Accept": "application/sparql-results+json"}),
    ({"query": OK_SELECT}, {"Accept": "application/sparql-results+xml"}),
    ({"query": OK_SELECT}, {"Accept": "text/csv"}),
    ({"query": OK_SELECT}, {"Accept": "text/tab-separated-values"}),
    ({"query": OK_SELECT}, {"Accept": "application/sparql-results+xml;q=0.5, text/tab-separated-values"}),
    ({"query": POINT}, {"Accept": "text/csv"}),  # answered on the event loop
    ({"query": CONSTRUCT}, {}),  # Turtle
    ({"query": CONSTRUCT}, {"Accept": "text/turtle"}),
    ({"query": CONSTRUCT}, {"Accept": "application/n-triples"}),
    ({"query": CONSTRUCT}, {"Accept": "application/sparql-results+xml, application/rdf+xml"}),
    ({"query": PREFIX + "ASK { ?s a ex:Standard }"}, {"Accept": "application/sparql-results+json"}),
    ({"query": PREFIX + "ASK { ?s a ex:Nothing }"}, {"Accept": "application/sparql-results+xml"}),
    ({"query": PREFIX + "DESCRIBE ex:a"}, {"Accept": "application/n-triples"}),
    ({"query": "SELECT ?i ?j WHERE { BIND(<x> AS ?i) BIND(IRI('y') AS ?j) }"}, {"Accept": "text/csv"}),
    ({"query": "CONSTRUCT { <s> <p> <o> } WHERE {}"}, {"Accept": "application/n-triples"}),
    ({"query": BAD}, {}),
    ({"query": OK_SELECT}, {"Accept": "image/png"}),  # 406 naming the supported types
    ({"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, {}),  # update sent as a query: 400
    ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, {}),  # refused
    ({"query": "SELECT * WHERE " + "{" * 120 + " ?s ?p ?o " + "}" * 120}, {}),  # too deep: 400
    ({"query": OK_SELECT, "default-graph-uri": "https://w3id.org/stdgraph/graph/data/standards"},
     {"Accept": "text/csv"}),
    ({"query": OK_SELECT, "named-graph-uri": "https://w3id.org/stdgraph/graph/data/standards"},
     {"Accept": "text/csv"}),
    ({"query": OK_SELECT, "default-graph-uri": "not an iri"}, {}),
    ({"query": OK_SELECT, "using-graph-uri": "http://example.org/g"}, {}),
    ({"query": ""}, {}),
    ({"query": [OK_SELECT, OK_SELECT]}, {}),  # repeated: 400
    ({"query": OK_SELECT, "update": "INSERT DATA { <a:b> <a:c> <a:d> }"}, {}),  # both: 400
]


def send(client, form: str, params: dict, headers: dict, path: str = "/sparql"):
    if form == "get":
        return client.get(path, params=params, headers=headers)
    if form == "form":
        return client.post(path, data=params, headers=headers)
    rest = {k: v for k, v in params.items() if k != "query"}
    query = params.get("query", "")
    return client.post(path + ("?" + urlencode(rest, doseq=True) if rest else ""),
                       content=query.encode(),
                       headers={"Content-Type": "application/sparql-query", **headers})


def comparable(r) -> tuple:
    headers = {k: v for k, v in r.headers.items() if k.lower() not in {"date", "server"}}
    return r.status_code, headers, r.content


def both(client, request) -> tuple:
    """``request(client)`` answered by the fast path, then by FastAPI's route (fast path off)."""
    app = client.app
    assert isinstance(app, StdgraphApp) and app.fast_handler is not None
    fast = request(client)
    handler, app.fast_handler = app.fast_handler, None
    try:
        routed = request(client)
    finally:
        app.fast_handler = handler
    return fast, routed


@pytest.fixture(params=["threads", "processes"])
def any_client(request, make_client):
    if request.param == "threads":
        return make_client()
    return make_client(query_processes=True, query_workers=1)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("params", "headers"), CASES)
def test_fast_path_answers_like_the_fastapi_route(client, form, params, headers):
    if form == "direct" and (isinstance(params["query"], list) or "update" in params):
        pytest.skip("the body holds one query")
    fast, routed = both(client, lambda c: send(c, form, params, headers))
    assert comparable(fast) == comparable(routed)
    assert fast.status_code in {200, 400, 406}


@pytest.mark.parametrize("form", FORMS)
def test_every_answer_kind_from_worker_processes(any_client, form):
    """The same with queries in worker processes (one worker), for each kind of answer."""
    for params, headers in [CASES[2], CASES[3], CASES[9], CASES[11], CASES[14], CASES[16]]:
        fast, routed = both(any_client, lambda c, p=params, h=headers: send(c, form, p, h))
        assert comparable(fast) == comparable(routed), (params, headers)


@pytest.mark.parametrize("form", FORMS)
def test_answers_parse_to_the_expected_results(client, form):
    r = send(client, form, {"query": OK_SELECT}, {})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert len(r.json()["results"]["bindings"]) >= 2
    r = send(client, form, {"query": CONSTRUCT}, {"Accept": "application/n-triples"})
    assert len(Graph().parse(data=r.text, format="nt")) >= 2
    r = send(client, form, {"query": "SELECT ?i WHERE { BIND(<x> AS ?i) }"},
             {"Accept": "text/csv"})
    assert r.text.split() == ["i", "http://testserver/x"]


@pytest.mark.parametrize("form", FORMS)
def test_bad_sparql_is_400_with_line_and_column(client, form):
    r = send(client, form, {"query": BAD}, {})
    body = r.json()
    assert r.status_code == 400 and body["ok"] is False
    assert (body["line"], body["column"]) == (2, 10)


@pytest.mark.parametrize("public", [None, "https://kg.example.org/api"])
@pytest.mark.parametrize("form", FORMS)
def test_relative_iris_resolve_against_the_service_url(make_client, form, public):
    client = make_client(public_url=public)
    root = public or "http://testserver"
    query = "SELECT ?i WHERE { BIND(<x> AS ?i) }"
    for path in ("/sparql", "/sparql/"):
        fast, routed = both(client, lambda c, p=path: send(c, form, {"query": query},
                                                            {"Accept": "text/csv"}, p))
        assert comparable(fast) == comparable(routed)
        expected = {"/sparql": f"{root}/x", "/sparql/": f"{root}/sparql/x"}[path]
        assert fast.text.split() == ["i", expected]
    headers = {"Accept": "text/csv", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "proxy.example", "X-Forwarded-Prefix": "/sub"}
    fast, routed = both(client, lambda c: send(c, form, {"query": query}, headers))
    assert comparable(fast) == comparable(routed)
    expected = (public or "https://proxy.example/sub") + "/x"
    assert fast.text.split() == ["i", expected]


@pytest.mark.parametrize("ctype", ["text/plain", "application/json",
                                   "application/sparql-query; charset=latin-1", None])
def test_other_content_types_are_415(client, ctype):
    headers = {} if ctype is None else {"Content-Type": ctype}
    fast, routed = both(client, lambda c: c.post("/sparql", content=OK_SELECT.encode(),
                                                 headers=headers))
    assert comparable(fast) == comparable(routed)
    assert fast.status_code == 415 and fast.json()["supported"]


@pytest.mark.parametrize("form", ["form", "direct"])
def test_oversize_bodies_are_413(make_client, form):
    client = make_client(max_body_bytes=200)
    big = OK_SELECT + "#" + "x" * 300
    fast, routed = both(client, lambda c: send(c, form, {"query": big}, {}))
    assert comparable(fast) == comparable(routed)
    assert fast.status_code == 413 and fast.json()["limit"] == 200


def test_other_post_mistakes(client):
    for request in [
        lambda c: c.post("/sparql?query=x", content=b"ASK {}",
                         headers={"Content-Type": "application/sparql-query"}),
        lambda c: c.post("/sparql", content=b"ASK { \xff }",
                         headers={"Content-Type": "application/sparql-query"}),
        lambda c: c.post("/sparql", data={"other": "1"}),
        lambda c: c.post("/sparql", content=b"query=%ff",
                         headers={"Content-Type": "application/x-www-form-urlencoded"}),
    ]:
        fast, routed = both(client, request)
        assert comparable(fast) == comparable(routed)
        assert fast.status_code == 400


UPDATE = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }"


@pytest.mark.parametrize("form", ["form", "direct"])
def test_updates_are_refused_without_the_token(make_client, form):
    """Read-only (no token configured): 403; writable without or with a wrong token: 401, 403.
    Nothing changes in the store."""
    def post(c, headers):
        if form == "form":
            return c.post("/sparql", data={"update": UPDATE}, headers=headers)
        return c.post("/sparql", content=UPDATE.encode(),
                      headers={"Content-Type": "application/sparql-update", **headers})

    for client, headers, status in [
        (make_client(), {}, 403),
        (make_client(update_token=TOKEN), {}, 401),
        (make_client(update_token=TOKEN), {"Authorization": "Bearer wrong"}, 403),
    ]:
        fast, routed = both(client, lambda c, h=headers: post(c, h))
        assert comparable(fast) == comparable(routed)
        assert fast.status_code == status
        ask = client.get("/sparql", params={"query": "ASK { GRAPH ?g { <http://example.org/s> ?p ?o } }"})
        assert ask.json()["boolean"] is False


def fast_answer(app, method: str, headers: dict[str, str], body: bytes = b"",
                query_string: bytes = b""):
    """What the app's fast handler makes of one request: a response, or ``PassOn``."""
    scope = {"type": "http", "method": method, "path": "/sparql", "root_path": "",
             "query_string": query_string, "http_version": "1.1", "scheme": "http",
             "server": ("testserver", 80), "client": ("127.0.0.1", 1), "app": app,
             "headers": [(k.lower().encode(), v.encode()) for k, v in
                         {"host": "testserver", "content-length": str(len(body)),
                          **headers}.items()]}

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def run():
        try:
            return await app.fast_handler(Request(scope, receive))
        except PassOn as passed:
            return passed

    return asyncio.run(run())


def test_updates_are_passed_on_to_the_route(make_client, store_dir):
    """The fast handler answers queries in every form itself and passes every update on to
    FastAPI (``PassOn``): the write path (token check, guard) is only ever the route's. A form
    update's body, already read, goes with it and is replayed: the update is written."""
    client = make_client(update_token=TOKEN)
    app = client.app
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for method, headers, body, query_string in [
        ("GET", {}, b"", urlencode({"query": OK_SELECT}).encode()),
        ("POST", form, urlencode({"query": OK_SELECT}).encode(), b""),
        ("POST", {"Content-Type": "application/sparql-query"}, OK_SELECT.encode(), b""),
    ]:
        answer = fast_answer(app, method, headers, body, query_string)
        assert not isinstance(answer, PassOn) and answer.status_code == 200
    body = urlencode({"update": UPDATE}).encode()
    for headers, query_string in [(form, b""), ({**form, **AUTH}, b"")]:
        passed = fast_answer(app, "POST", headers, body, query_string)
        assert isinstance(passed, PassOn) and passed.body == body
    passed = fast_answer(app, "POST", form, b"", urlencode({"update": UPDATE}).encode())
    assert isinstance(passed, PassOn) and passed.body == b""
    for headers in [{}, AUTH]:
        passed = fast_answer(app, "POST", {"Content-Type": "application/sparql-update",
                                           **headers}, UPDATE.encode())
        assert isinstance(passed, PassOn) and passed.body is None  # not even read
    r = client.post("/sparql", data={"update": UPDATE}, headers=AUTH)
    assert r.status_code == 200 and r.json()["inserted"] == 1, r.text
    assert any("http://example.org/s" in line for line in dump(store_dir))


def test_statuses_through_the_fast_path(client):
    assert client.get("/sparql", params={"query": OK_SELECT}).status_code == 200
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400 and r.json()["line"] == 1 and r.json()["ok"] is False
    assert client.get("/sparql", params={"query": OK_SELECT},
                      headers={"Accept": "image/png"}).status_code == 406


def test_a_point_lookup_answered_inline_equals_the_worker_answer(client):
    """Point lookups run on the event loop (sparqlscan.is_point_lookup); the same pattern with a
    FILTER goes to the query workers. Same rows, as CSV sorted."""
    inline = PREFIX + "SELECT ?p ?o WHERE { ex:a ?p ?o }"
    worker = PREFIX + "SELECT ?p ?o WHERE { ex:a ?p ?o FILTER(true) }"
    rows = []
    for q in (inline, worker):
        r = client.get("/sparql", params={"query": q}, headers={"Accept": "text/csv"})
        assert r.status_code == 200
        rows.append(sorted(r.text.splitlines()[1:]))
    assert rows[0] == rows[1] and len(rows[0]) >= 3
def test_a_point_lookup_over_the_inline_budget_is_answered_by_a_worker(make_client, tmp_path):
    """A subject with 2,000 triples: its answer is larger than what the event loop writes
    (``INLINE_BYTES``), so a worker answers it, whole or cut at the row cap, with the same rows
    as the same pattern with a FILTER (never inline)."""
    from rdflib import Literal, URIRef

    from stdgraph.api.routes.sparql import INLINE_BYTES
    from stdgraph.store import OxigraphStore

    hub = URIRef("http://example.org/hub")
    triples = [(hub, URIRef(f"http://example.org/p{i}"), Literal(f"value {i} " + "x" * 40))
               for i in range(2000)]
    st = OxigraphStore(tmp_path / "hub")
    st.replace_all({"http://example.org/g": triples})
    inline = "SELECT ?p ?o WHERE { <http://example.org/hub> ?p ?o }"
    worker = "SELECT ?p ?o WHERE { <http://example.org/hub> ?p ?o FILTER(true) }"

    def rows(r) -> list:
        return sorted((b["p"]["value"], b["o"]["value"]) for b in r.json()["results"]["bindings"])

    client = make_client(store=st)
    whole = client.get("/sparql", params={"query": inline})
    assert len(whole.content) > INLINE_BYTES and "x-stdgraph-truncated" not in whole.headers
    assert rows(whole) == rows(client.get("/sparql", params={"query": worker}))
    assert rows(whole) == sorted((str(p), str(o)) for _s, p, o in triples)

    capped = make_client(store=st, max_rows=1500)
    cut = capped.get("/sparql", params={"query": inline})
    assert cut.headers["x-stdgraph-truncated"] == "true" and len(rows(cut)) == 1500


@pytest.mark.parametrize("truncated", [False, True])
@pytest.mark.parametrize("fmt", [*RESULT_MEDIA, *GRAPH_MEDIA])
def test_answer_headers_are_starlettes(fmt, truncated):
    """``answer_response`` reuses cached headers: they are byte for byte those of Starlette's
    ``Response`` for the same answer."""
    table = GRAPH_MEDIA if fmt in GRAPH_MEDIA else RESULT_MEDIA
    answer = Answer("graph" if table is GRAPH_MEDIA else "select", fmt, b"some bytes", truncated)
    headers = {"Vary": "Accept"}
    if truncated:
        headers |= {TRUNCATED_HEADER: "true", ROW_LIMIT_HEADER: "7"}
    for body in (b"", b"some bytes", b"x" * 100_000):
        answer.body = body
        lean = answer_response(answer, 7)
        classic = Response(body, media_type=response_media_type(fmt, table), headers=headers)
        assert (lean.status_code, lean.raw_headers, lean.body) == (
            classic.status_code, classic.raw_headers, classic.body)
        assert lean.headers["content-type"] == classic.headers["content-type"]


def _scheme_store(path, elements: int, classified: int):
    """A store with one scheme of ``elements`` elements (labelled), the first ``classified`` of
    them each classified by one standard; the standard ``s0`` has a label and an identifier."""
    from rdflib import Literal, URIRef

    from stdgraph.store import OxigraphStore

    x = "http://example.org/"
    in_scheme, classified_in = URIRef(x + "inScheme"), URIRef(x + "classifiedIn")
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    triples = []
    for i in range(elements):
        e = URIRef(f"{x}e{i:05d}")
        triples += [(e, in_scheme, URIRef(x + "C")), (e, label, Literal(f"element {i}"))]
        if i < classified:
            triples.append((URIRef(f"{x}s{i}"), classified_in, e))
    triples.append((URIRef(x + "s0"), URIRef(x + "identifier"), Literal("S 0")))
    st = OxigraphStore(path)
    st.replace_all({"http://example.org/g": triples})
    return st


GAP = ("PREFIX x: <http://example.org/>\nSELECT ?e WHERE { ?e x:inScheme x:C . "
       "FILTER NOT EXISTS { ?s x:classifiedIn ?e } } ORDER BY ?e")
NEIGHBOURS = ("PREFIX x: <http://example.org/>\nPREFIX rdfs: "
              "<http://www.w3.org/2000/01/rdf-schema#>\nCONSTRUCT { x:s0 ?p ?o . ?o rdfs:label ?l }"
              " WHERE { x:s0 ?p ?o . OPTIONAL { ?o rdfs:label ?l } }")


def _worker_only(query: str) -> str:
    """The same query with a ``FILTER(true)`` closing its WHERE, which no inline shape takes."""
    from stdgraph.sparql.scan import anchored_query

    cut = query.rindex("}")
    changed = query[:cut] + " FILTER(true) " + query[cut:]
    assert anchored_query(query) is not None and anchored_query(changed) is None
    return changed


def test_anchored_queries_are_answered_inline_under_their_caps_only(tmp_path):
    """The store answers a gap query on the caller's thread while its first pattern has at most
    ``driver_cap`` matches (here 12 elements), and a CONSTRUCT while its triples fit
    ``max_bytes // 64``; otherwise ``None`` (a worker answers)."""
    from stdgraph.sparql.scan import anchored_query
    from stdgraph.store.base import AnswerRequest

    st = _scheme_store(tmp_path / "s", elements=12, classified=5)
    gap = anchored_query(GAP)
    assert gap is not None
    request = AnswerRequest(GAP, result_format="csv")
    answer = st.answer_inline(request, max_bytes=65536, anchored=gap, driver_cap=12)
    assert answer is not None
    assert answer.body.decode().split() == ["e", *(f"http://example.org/e{i:05d}"
                                                   for i in range(5, 12))]
    assert st.answer_inline(request, max_bytes=65536, anchored=gap, driver_cap=11) is None
    # a literal in the first pattern: one standard has the identifier "S 0", and it is
    # classified
    text = ('PREFIX x: <http://example.org/>\nSELECT ?s WHERE { ?s x:identifier "S 0" '
            "FILTER NOT EXISTS { ?s x:classifiedIn ?e } }")
    by_probe = anchored_query(text)
    assert by_probe is not None
    literal = AnswerRequest(text, result_format="csv")
    assert st.answer_inline(literal, max_bytes=65536, anchored=by_probe, driver_cap=0) is None
    answer = st.answer_inline(literal, max_bytes=65536, anchored=by_probe, driver_cap=1)
    assert answer is not None and answer.body.decode().split() == ["s"]
    near = anchored_query(NEIGHBOURS)
    assert near is not None
    graph = AnswerRequest(NEIGHBOURS, graph_format="ntriples")
    # s0: classifiedIn e00000 and an identifier, e00000's label: 3 triples
    answer = st.answer_inline(graph, max_bytes=3 * 64, anchored=near, driver_cap=10)
    assert answer is not None and answer.count == 3 and len(answer.body.splitlines()) == 3
    assert st.answer_inline(graph, max_bytes=2 * 64, anchored=near, driver_cap=10) is None
    assert st.answer_inline(graph, max_bytes=3 * 64, anchored=near, driver_cap=1) is None
    # the counts are kept per store state: after a write that adds a 13th element, the gap
    # query is over a cap of 12
    st.update("INSERT DATA { GRAPH <http://example.org/g> { "
              "<http://example.org/e00012> <http://example.org/inScheme> <http://example.org/C> "
              "} }")
    assert st.answer_inline(request, max_bytes=65536, anchored=gap, driver_cap=12) is None
    answer = st.answer_inline(request, max_bytes=65536, anchored=gap, driver_cap=13)
    assert answer is not None and answer.body.decode().split()[-1].endswith("e00012")


@pytest.mark.parametrize("elements", [40, 1500])  # under and over INLINE_DRIVER_ROWS
@pytest.mark.parametrize("processes", [False, True])
def test_anchored_answers_equal_the_workers_in_every_form(make_client, tmp_path, elements,
                                                          processes):
    """Gap and CONSTRUCT-neighbourhood queries (issue 16's classes), in the three protocol forms:
    the same answer as the same query with a ``FILTER(true)`` (always a worker's), and as
    counted here: the elements after the 30 classified, and s0's three triples."""
    from rdflib import Graph as RdfGraph

    st = _scheme_store(tmp_path / "s", elements=elements, classified=30)
    client = make_client(store=st, query_processes=processes)
    expected = [f"http://example.org/e{i:05d}" for i in range(30, elements)]
    for form in FORMS:
        for query in (GAP, _worker_only(GAP)):
            r = send(client, form, {"query": query}, {"Accept": "text/csv"})
            assert r.status_code == 200, r.text
            assert r.text.split() == ["e", *expected]
        graphs = []
        for query in (NEIGHBOURS, _worker_only(NEIGHBOURS)):
            r = send(client, form, {"query": query}, {"Accept": "text/turtle"})
            assert r.status_code == 200, r.text
            graphs.append(set(RdfGraph().parse(data=r.text, format="turtle")))
        assert graphs[0] == graphs[1] and len(graphs[0]) == 3


@pytest.mark.parametrize("ctype", ["application/sparql-update", "application/sparql-query"])
def test_a_client_gone_before_the_end_of_its_body_changes_nothing(writer, store_dir, ctype):
    """A body whose first part is a whole update, then the client's disconnect: the request
    is dropped (``ClientDisconnect``), never run on what arrived, and the store is as it
    was."""

    before = dump(store_dir)
    app = writer.app
    body = b"INSERT DATA { <http://example.org/gone> <http://example.org/p> 1 }"
    messages = [{"type": "http.request", "body": body, "more_body": True},
                {"type": "http.disconnect"}]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/sparql", "raw_path": b"/sparql",
             "query_string": b"", "scheme": "http", "server": ("127.0.0.1", 8000),
             "client": ("127.0.0.1", 5555), "root_path": "", "http_version": "1.1",
             "asgi": {"version": "3.0"},
             "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", ctype.encode()),
                         (b"authorization", AUTH["Authorization"].encode())]}
    asyncio.run(app(scope, receive, send))
    if ctype == "application/sparql-query":
        assert sent == []  # the fast path answers nothing at all
    else:  # the update goes on to FastAPI's route, whose handler says why, never a 500
        assert sent[0]["status"] == 400 and b"went away" in sent[1]["body"]
    assert dump(store_dir) == before
