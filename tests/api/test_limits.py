"""Limits: the query time limit (503, never an empty 200) with worker processes and threads, a
slow query never stalls fast ones, the row cap with its truncation signal, the body cap, CORS."""

from __future__ import annotations

import threading
import time

import pytest
from rdflib import Literal, URIRef

from stdgraph.store import MemoryStore

from .conftest import PREFIX

# 42 quads in the mini store: a five-way cross product is 1.3e8 rows
SLOW_AGGREGATE = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
                  "?m ?n1 ?o }")
SLOW_STREAM = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
FAST = PREFIX + "SELECT ?id WHERE { ex:a ex:identifier ?id }"


def _slow_and_fast(client, slow: str) -> tuple[object, list[tuple[int, float]]]:
    result: dict = {}

    def run_slow():
        t0 = time.monotonic()
        result["response"] = client.get("/sparql", params={"query": slow})
        result["seconds"] = time.monotonic() - t0

    t = threading.Thread(target=run_slow)
    t.start()
    time.sleep(0.2)
    fast = []
    for _ in range(5):
        t0 = time.monotonic()
        r = client.get("/sparql", params={"query": FAST})
        fast.append((r.status_code, time.monotonic() - t0))
        assert r.json()["results"]["bindings"][0]["id"]["value"] == "A"
    t.join(60)
    return result, fast


def _assert_timed_out(result, limit: float) -> None:
    r = result["response"]
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["ok"] is False and "time limit" in body["error"]
    assert result["seconds"] < limit + 5


def test_timeout_kills_the_worker_process_and_fast_queries_answer(make_client):
    c = make_client(query_processes=True, query_timeout=1.5, query_workers=2)
    assert c.get("/sparql", params={"query": FAST}).status_code == 200  # workers are up
    result, fast = _slow_and_fast(c, SLOW_AGGREGATE)
    _assert_timed_out(result, 1.5)
    assert all(status == 200 and seconds < 1.0 for status, seconds in fast), fast
    executor = c.app.state.stdgraph.executor
    assert executor.kind == "processes" and executor.killed == 1
    # the pool was refilled: queries keep working
    for _ in range(3):
        assert c.get("/sparql", params={"query": FAST}).status_code == 200


def test_timeout_with_threads_stops_a_streaming_query(make_client):
    c = make_client(query_processes=False, query_timeout=1.0, max_rows=10**9)
    result, fast = _slow_and_fast(c, SLOW_STREAM)
    _assert_timed_out(result, 1.0)
    assert all(status == 200 and seconds < 1.0 for status, seconds in fast), fast


def test_timeout_on_the_memory_store(make_client):
    st = MemoryStore()
    st.replace_all({"http://example.org/g": [
        (URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(i))
        for i in range(60)]})
    c = make_client(store=st, query_timeout=0.5)
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    r = c.get("/sparql", params={"query": q})
    assert r.status_code == 503 and "time limit" in r.json()["error"]


def test_max_rows_truncates_and_says_so(make_client):
    c = make_client(max_rows=3)
    for accept in ["application/sparql-results+json", "text/csv", "text/tab-separated-values",
                   "application/sparql-results+xml"]:
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                  headers={"Accept": accept})
        assert r.status_code == 200
        assert r.headers["x-stdgraph-truncated"] == "true"
        assert r.headers["x-stdgraph-row-limit"] == "3"
        if accept.endswith("json"):
            assert len(r.json()["results"]["bindings"]) == 3
        elif accept.endswith("xml"):
            assert r.text.count("<result>") == 3
        else:
            assert len(r.text.strip().splitlines()) == 4  # header + 3 rows


def test_construct_is_truncated_too(make_client):
    c = make_client(max_rows=2)
    r = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
              headers={"Accept": "application/n-triples"})
    assert r.headers["x-stdgraph-truncated"] == "true"
    assert len(r.text.strip().splitlines()) == 2


def test_results_under_the_cap_are_not_marked(make_client):
    c = make_client(max_rows=5)
    r = c.get("/sparql", params={"query": PREFIX + "SELECT ?s WHERE { ?s ex:identifier ?i }"})
    assert len(r.json()["results"]["bindings"]) == 5
    assert "x-stdgraph-truncated" not in r.headers


def test_body_over_the_limit_is_413(make_client):
    c = make_client(max_body_bytes=100)
    q = "ASK { ?s ?p ?o } #" + "x" * 200
    r = c.post("/sparql", content=q, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and r.json()["limit"] == 100
    r = c.post("/sparql", data={"query": q})
    assert r.status_code == 413


def test_body_over_the_limit_without_content_length_is_413(make_client):
    c = make_client(max_body_bytes=100)

    def chunks():
        for _ in range(10):
            yield b"ASK {} #" + b"x" * 30

    r = c.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_cors_is_off_by_default(client):
    r = client.get("/sparql", params={"query": FAST}, headers={"Origin": "http://example.org"})
    assert "access-control-allow-origin" not in r.headers
    r = client.options("/sparql", headers={"Origin": "http://example.org",
                                           "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_for_configured_origins(make_client):
    c = make_client(cors_origins=("http://example.org",))
    r = c.get("/sparql", params={"query": FAST}, headers={"Origin": "http://example.org"})
    assert r.headers["access-control-allow-origin"] == "http://example.org"
    assert "X-Stdgraph-Truncated" in r.headers["access-control-expose-headers"]
    r = c.options("/sparql", headers={"Origin": "http://example.org",
                                      "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200 and "POST" in r.headers["access-control-allow-methods"]
    r = c.get("/sparql", params={"query": FAST}, headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize("timeout", [0])
def test_zero_timeout_means_no_limit(make_client, timeout):
    c = make_client(query_timeout=timeout)
    assert c.get("/sparql", params={"query": FAST}).status_code == 200
