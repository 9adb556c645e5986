"""Access control (issue 9, item 6): writes need the token (401 without, 403 wrong), the token
is never logged nor echoed, CORS is off unless configured, and the read-only mode cannot be
bypassed: a walk over EVERY route of the app, with every method and real write bodies, leaves
the store byte for byte as it was - with no token configured, and with one configured but not
sent (or wrong). The same walk with the right token does change the store, so the walk can fail.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import AUTH, EX_MINI, FIGURES, PREFIX, TOKEN, app_store, dump_bytes

STO = (Path(__file__).resolve().parents[1] / "fixtures" / "sto" / "mini-sto.ttl").read_bytes()
NEW_GRAPH = "https://w3id.org/stdgraph/graph/data/extra"
DATA_GRAPH = "https://w3id.org/stdgraph/graph/data/standards"
VALID_INSERT = PREFIX + f"""INSERT DATA {{ GRAPH <{NEW_GRAPH}> {{
  ex:f a ex:Standard ; ex:identifier "F" ; ex:supersedes ex:e . }} }}"""
UPDATES = [VALID_INSERT, "DROP ALL"]
TURTLE = f'@prefix ex: <{EX_MINI}> .\nex:f a ex:Standard ; ex:identifier "F" .\n'.encode()
NQUADS = f'<{EX_MINI}g> <{EX_MINI}identifier> "G" <{NEW_GRAPH}> .\n'.encode()
JSONLD = f'{{"@id": "{EX_MINI}f", "{EX_MINI}identifier": "F"}}'.encode()
WRONG_TOKENS = ["wrong-token-XYZZY-1", TOKEN + "-XYZZY", "XYZZY"]

#: (Content-Type, body) a write route could take
BODIES = [
    ("application/x-www-form-urlencoded", None),  # form bodies: one per update, below
    ("application/sparql-update", None),
    ("text/turtle", TURTLE), ("application/n-quads", NQUADS), ("application/ld+json", JSONLD),
    ("text/turtle", STO),
]
QUERY_STRINGS = ["", f"?graph={DATA_GRAPH}", "?default",
                 "?update=DROP%20ALL&name=walk&replace=true"]


def all_routes(routes, prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers and mounts."""
    for r in routes:
        inner = getattr(r, "original_router", None)  # FastAPI's included router
        if inner is not None:
            ctx = getattr(r, "include_context", None)
            yield from all_routes(inner.routes, prefix + (getattr(ctx, "prefix", "") or ""))
        elif getattr(r, "methods", None) is None and hasattr(r, "routes"):  # a mount
            yield from all_routes(r.routes, prefix + getattr(r, "path", ""))
        else:
            yield prefix + r.path, set(r.methods or {"GET"})


def concrete(path: str) -> str:
    """A path with its parameters filled with values that exist in the mini project."""
    path = re.sub(r"\{[^}]*:path\}", "standard/a", path)
    values = {"name": "count-standards"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], "x"), path)


def requests_for(path: str, methods: set[str]) -> Iterator[tuple[str, str, dict]]:
    """Every method the route has plus the other write verbs, with write bodies and targets."""
    for method in sorted(methods | {"POST", "PUT", "DELETE", "PATCH", "GET", "HEAD", "OPTIONS"}):
        for qs in QUERY_STRINGS:
            url = concrete(path) + qs
            if method in {"GET", "HEAD", "DELETE", "OPTIONS"}:
                yield method, url, {}
                continue
            for ctype, body in BODIES:
                if body is not None:
                    yield method, url, {"content": body, "headers": {"Content-Type": ctype}}
                    continue
                for update in UPDATES:
                    if ctype.endswith("urlencoded"):
                        yield method, url, {"data": {"update": update}}
                    else:
                        yield method, url, {"content": update,
                                            "headers": {"Content-Type": ctype}}


def walk(client, auth_headers: list[dict]) -> dict[int, int]:
    """Send the whole walk with each of ``auth_headers``; no answer may be a 5xx or carry a
    token. Returns the count of each status."""
    app_routes = list(all_routes(client.app.routes))
    statuses: dict[int, int] = {}
    for path, methods in app_routes:
        for method, url, kw in requests_for(path, methods):
            for auth in auth_headers:
                headers = {**kw.get("headers", {}), **auth}
                r = client.request(method, url, **{**kw, "headers": headers})
                FIGURES["bad_inputs"]["read-only walk"] += 1
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                assert r.status_code < 500, (method, url, r.text)
                shown = r.text + str(r.headers)
                assert TOKEN not in shown and "XYZZY" not in shown, (method, url)
    return statuses


def test_the_walk_covers_every_documented_operation_and_the_write_routes(make_client):
    client = make_client()
    found = {(p, m) for p, ms in all_routes(client.app.routes) for m in ms}
    doc = client.get("/openapi.json").json()
    documented = {(p.replace("{path}", "{path:path}"), m.upper())
                  for p, ops in doc["paths"].items() for m in ops}
    assert documented <= found, documented - found
    for write in [("/sparql", "POST"), ("/store", "PUT"), ("/store", "POST"),
                  ("/store", "DELETE"), ("/import/sto", "POST")]:
        assert write in found


def test_read_only_mode_cannot_be_bypassed_on_any_route(make_client):
    client = make_client()  # no token configured: read-only
    st = app_store(client)
    before = dump_bytes(st)
    statuses = walk(client, [{}, AUTH])
    assert dump_bytes(st) == before
    assert not any(200 <= s < 300 and s != 200 for s in statuses), statuses  # no 201/204


def test_a_configured_token_must_be_sent_on_every_route(make_client):
    client = make_client(update_token=TOKEN)
    st = app_store(client)
    before = dump_bytes(st)
    walk(client, [{}, {"Authorization": f"Bearer {WRONG_TOKENS[1]}"}])
    assert dump_bytes(st) == before


def test_the_same_writes_with_the_token_do_change_the_store(make_client):
    """The control: the walk's bodies are real writes."""
    client = make_client(update_token=TOKEN)
    st = app_store(client)
    for method, url, kw in [
        ("POST", "/sparql", {"data": {"update": VALID_INSERT}}),
        ("PUT", f"/store?graph={NEW_GRAPH}", {"content": TURTLE,
                                              "headers": {"Content-Type": "text/turtle"}}),
        ("POST", "/store", {"content": NQUADS, "headers": {"Content-Type": "application/n-quads"}}),
        ("POST", "/import/sto?name=walk", {"content": STO,
                                           "headers": {"Content-Type": "text/turtle"}}),
        ("DELETE", f"/store?graph={NEW_GRAPH}", {}),
        ("POST", "/sparql", {"content": "DROP ALL",
                             "headers": {"Content-Type": "application/sparql-update"}}),
    ]:
        before = dump_bytes(st)
        r = client.request(method, url, **{**kw, "headers": {**kw.get("headers", {}), **AUTH}})
        assert r.status_code in {200, 201, 204}, (method, url, r.text)
        assert dump_bytes(st) != before, (method, url)


# -- 401 / 403 on each write route ----------------------------------------------------------------
WRITES = [
    ("POST", "/sparql", {"data": {"update": VALID_INSERT}}),
    ("POST", "/sparql", {"content": VALID_INSERT,
                         "headers": {"Content-Type": "application/sparql-update"}}),
    ("PUT", f"/store?graph={NEW_GRAPH}", {"content": TURTLE,
                                          "headers": {"Content-Type": "text/turtle"}}),
    ("POST", f"/store?graph={NEW_GRAPH}", {"content": TURTLE,
                                           "headers": {"Content-Type": "text/turtle"}}),
    ("POST", "/store", {"content": NQUADS, "headers": {"Content-Type": "application/n-quads"}}),
    ("DELETE", f"/store?graph={DATA_GRAPH}", {}),
    ("POST", "/import/sto", {"content": STO, "headers": {"Content-Type": "text/turtle"}}),
]


@pytest.mark.parametrize(("method", "url", "kw"), WRITES)
def test_writes_need_the_token_401_then_403(make_client, method, url, kw):
    client = make_client(update_token=TOKEN)
    st = app_store(client)
    before = dump_bytes(st)
    headers = kw.get("headers", {})
    r = client.request(method, url, **kw)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    for wrong in WRONG_TOKENS:
        r = client.request(method, url, **{**kw, "headers": {
            **headers, "Authorization": f"Bearer {wrong}"}})
        assert r.status_code == 403, r.text
        assert wrong not in r.text and TOKEN not in r.text
        assert 'error="invalid_token"' in r.headers["www-authenticate"]
    assert dump_bytes(st) == before
    ro = make_client()  # no token configured: 403 whatever is sent
    for auth in ({}, AUTH):
        assert ro.request(method, url, **{**kw, "headers": {**headers, **auth}}).status_code == 403


# -- the token in logs --------------------------------------------------------------------------
def _traffic(http) -> None:
    """Right and wrong tokens on good and bad writes, reads with a token, an error or two."""
    for auth in [AUTH, *({"Authorization": f"Bearer {t}"} for t in WRONG_TOKENS)]:
        http.post("/sparql", data={"update": VALID_INSERT}, headers=auth)
        http.post("/sparql", data={"update": "INSERT DATA { broken"}, headers=auth)
        http.put(f"/store?graph={NEW_GRAPH}", content=b"@prefix broken", headers={
            **auth, "Content-Type": "text/turtle"})
        http.post("/import/sto", content=b"not turtle", headers={
            **auth, "Content-Type": "text/turtle"})
        http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, headers=auth)
        http.get("/health", headers=auth)
        http.get("/no/such/page", headers=auth)


def test_the_token_is_not_in_the_app_logs(make_client, caplog):
    client = make_client(update_token=TOKEN)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("stdgraph").setLevel(logging.DEBUG)
        _traffic(client)
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert TOKEN not in text and "XYZZY" not in text


@pytest.mark.slow
def test_the_token_is_not_in_a_real_servers_log(serve, tmp_path):
    base = serve(STDGRAPH_UPDATE_TOKEN=TOKEN)
    with httpx.Client(base_url=base, timeout=30) as http:
        _traffic(http)
        bodies = [http.post("/sparql", data={"update": "INSERT DATA { broken"},
                            headers={"Authorization": f"Bearer {t}"}).text
                  for t in [TOKEN, *WRONG_TOKENS]]
    port = base.rsplit(":", 1)[1]
    log = (tmp_path / f"serve-{port}.log").read_text()
    assert "POST /sparql" in log and "PUT /store" in log  # the log was captured
    assert TOKEN not in log and "XYZZY" not in log
    assert not any(TOKEN in b or "XYZZY" in b for b in bodies)


# -- CORS -----------------------------------------------------------------------------------------
def _cors_requests(client) -> Iterator[tuple[str, httpx.Response]]:
    for path, methods in all_routes(client.app.routes):
        url = concrete(path)
        if "GET" in methods:
            yield url, client.get(url, headers={"Origin": "http://example.org"})
        yield url, client.options(url, headers={"Origin": "http://example.org",
                                                "Access-Control-Request-Method": "POST"})


def test_cors_is_off_on_every_route_without_settings(make_client):
    client = make_client(update_token=TOKEN)
    for url, r in _cors_requests(client):
        assert not any(h.startswith("access-control-") for h in r.headers), url


def test_cors_answers_configured_origins_only(make_client):
    client = make_client(cors_origins=("http://example.org",))
    for url, r in _cors_requests(client):
        assert r.headers.get("access-control-allow-origin") == "http://example.org", url
    r = client.get("/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    r = client.options("/sparql", headers={"Origin": "http://evil.example",
                                           "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers
