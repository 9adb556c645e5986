"""A write through the guarded write path is in the very next analysis answer, over HTTP (the
real app, TestClient; queries on threads and in worker processes), and the query runner brings
what it keeps up to date right after the commit (``refresh``), not when a request comes.

The bundled graph is built into an Oxigraph folder; a new standard is written with exactly the
classifications of an existing one (A, chosen by SPARQL: the one with the most, whose links
all count by default and which is in no series), so the pair (A, new) has score 1 and
shares A's elements - worked out from the store by SPARQL, not by the analysis."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stdgraph.api.app import create_app
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore
from support.serving import build_store

SG = "https://w3id.org/stdgraph/ontology#"
TOKEN = "test-token-after-write-0123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PREFIXES = f"""PREFIX sg: <{SG}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
#: the standard with the most classifications, none of its links under a statement record of
#: evidence that does not count by default (stated, reading), in no series, and the graph
#: holding them
Q_MODEL = PREFIXES + """SELECT ?s ?g (COUNT(DISTINCT ?e) AS ?n) WHERE {
  GRAPH ?g { ?s sg:classifiedIn ?e }
  ?s a sg:Standard .
  FILTER NOT EXISTS { ?r rdf:subject ?s ; sg:evidence ?ev FILTER(?ev NOT IN (sg:Stated, sg:Reading)) }
  FILTER NOT EXISTS { ?s sg:partOf|sg:hasPart ?x }
  FILTER NOT EXISTS { ?y sg:partOf|sg:hasPart ?s }
} GROUP BY ?s ?g ORDER BY DESC(?n) ?s LIMIT 1"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_store(None, tmp_path_factory.mktemp("bundled") / "store")


def new_standard(model: str, graph: str, elements: list[str], publisher: str, k: int
                 ) -> tuple[str, str]:
    iri = f"https://w3id.org/stdgraph/id/standard/written-after-{k}"
    classified = " ; ".join(f"sg:classifiedIn <{e}>" for e in elements)
    return iri, PREFIXES + f"""INSERT DATA {{ GRAPH <{graph}> {{
  <{iri}> a sg:Standard ; rdfs:label "Written after {k}"@en ; sg:identifier "WRITTEN {k}" ;
    sg:publisher <{publisher}> ; sg:status sg:Published ;
    dcterms:source <https://example.org/written/{k}> ; {classified} .
}} }}"""


def the_pair(answer: dict, a: str, b: str) -> dict | None:
    a, b = min(a, b), max(a, b)
    return next((i for i in answer["items"] if (i["a"], i["b"]) == (a, b)), None)


@pytest.mark.parametrize("processes", [False, True])
def test_a_written_standard_is_in_the_next_answer_and_the_upkeep_runs_after_the_commit(
        built, tmp_path, processes):
    folder = tmp_path / "store"
    shutil.copytree(built, folder)
    store = OxigraphStore(folder)
    (model, graph, n), = [tuple(map(str, row)) for row in store.query(Q_MODEL).rows]
    elements = sorted(str(e) for (e,) in store.query(
        PREFIXES + f"SELECT DISTINCT ?e WHERE {{ <{model}> sg:classifiedIn ?e }}").rows)
    assert len(elements) == int(n) >= 2
    publisher = str(min(p for (p,) in store.query(
        PREFIXES + f"SELECT ?p WHERE {{ <{model}> sg:publisher ?p }}").rows))
    settings = Settings(store=str(folder), update_token=TOKEN, query_processes=processes,
                        query_workers=1)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as web:
        executor = web.app.state.stdgraph.executor
        before = web.get("/analysis/overlaps").json()  # the kept state made for this version
        assert before["items"]
        refreshed = executor.refreshed
        for k in (1, 2):
            written, update = new_standard(model, graph, elements, publisher, k)
            r = web.post("/sparql", content=update.encode(), headers={
                **AUTH, "Content-Type": "application/sparql-update"})
            assert r.status_code == 200, r.text
            if k == 2:  # the upkeep after the commit runs without a request asking for it
                end = time.monotonic() + 120
                while executor.refreshed < refreshed + 2 and time.monotonic() < end:
                    time.sleep(0.05)
                assert executor.refreshed >= refreshed + 2
            # the very next answer (with k == 1, while the upkeep may still be running)
            pair = the_pair(web.get("/analysis/overlaps").json(), model, written)
            assert pair is not None, k
            assert (pair["score"], sorted(e["iri"] for e in pair["shared"])) == (1.0, elements)
            assert pair["a_label" if pair["a"] == written else "b_label"] == \
                f"Written after {k}"
            clusters = web.get("/analysis/overlaps/clusters?members=0").json()["items"]
            mine = [c for c in clusters if model in {s["iri"] for s in c["standards"]}]
            assert len(mine) == 1 and written in {s["iri"] for s in mine[0]["standards"]}
        assert the_pair(web.get("/analysis/overlaps").json(), model,
                        new_standard(model, graph, elements, publisher, 1)[0]) is not None
        assert executor.refreshed >= refreshed + 2
