"""The raw ASGI fast path for ``GET /sparql?query=`` (stdgraph.api.fastpath) answers exactly as
the FastAPI route does. ``/sparql/`` (trailing slash) is served by the same handler through
FastAPI only, so every request below is sent both ways and the answers must be identical."""

from __future__ import annotations

import pytest

from .conftest import PREFIX

OK_SELECT = PREFIX + "SELECT ?s WHERE { ?s a ex:Standard } ORDER BY ?s"
CASES = [
    ({"query": OK_SELECT}, {}),
    ({"query": OK_SELECT}, {"Accept": "text/csv"}),
    ({"query": OK_SELECT}, {"Accept": "application/sparql-results+xml;q=0.5, text/tab-separated-values"}),
    ({"query": PREFIX + "CONSTRUCT { ?s a ex:Standard } WHERE { ?s a ex:Standard }"},
     {"Accept": "application/n-triples"}),
    ({"query": PREFIX + "ASK { ?s a ex:Standard }"}, {"Accept": "application/sparql-results+json"}),
    ({"query": "SELECT * WHERE { ?s ?p }"}, {}),  # malformed: 400 with line and column
    ({"query": OK_SELECT}, {"Accept": "image/png"}),  # 406 naming the supported types
    ({"query": [OK_SELECT, OK_SELECT]}, {}),  # repeated: 400
    ({"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, {}),  # update sent as a query: 400
    ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, {}),  # refused
    ({"query": OK_SELECT, "default-graph-uri": "not an iri"}, {}),
    ({"query": OK_SELECT, "using-graph-uri": "http://example.org/g"}, {}),
    ({"query": "", "x": "1"}, {}),
]


def comparable(r) -> tuple:
    headers = {k: v for k, v in r.headers.items() if k.lower() not in {"date", "server"}}
    return r.status_code, headers, r.content


@pytest.mark.parametrize(("params", "headers"), CASES)
def test_fast_path_answers_like_the_fastapi_route(client, params, headers):
    fast = client.get("/sparql", params=params, headers=headers)
    routed = client.get("/sparql/", params=params, headers=headers)
    assert comparable(fast) == comparable(routed)
    assert fast.status_code in {200, 400, 406}


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
