"""The pages read through the query runner: in worker processes (the default) every page is the
same as in threads, byte for byte - so every read model and view crosses the process boundary
whole - and a resource page reads its own rows of the analyses, never a whole analysis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from stdgraph.analysis import evidence
from stdgraph.api.app import create_app
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RAMI = "https://w3id.org/stdgraph/id/architecture/rami40/"

PAGES = [
    "/", "/id/standard/iec-62541", "/id/barrier/security", "/id/theme/interoperability",
    "/id/recommendation/2", "/id/roadmap-item/cobot-safety", "/id/architecture/rami40",
    "/id/body/iec", "/ontology", "/search?q=62541",
    f"/standards?element={RAMI}layer-communication&element={RAMI}level-control-device",
    "/roadmap", "/relevance?technology=robotics", "/translate?element=" + RAMI + "layer-business",
    "/reports/overlaps", "/reports/clusters", "/reports/gaps?kinds=barrier",
    "/reports/conflicts", "/reports/gaps?limit=-1", "/id/nothing",
]
RDF = [("/id/standard/iec-62541", "text/turtle"), ("/ontology", "application/n-triples"),
       ("/relevance?technology=robotics", "application/json"),
       ("/analysis/overlaps", "application/json"), ("/analysis/gaps", "text/csv")]


@pytest.fixture(scope="module")
def processes(bundled_store) -> Iterator[TestClient]:
    """The bundled graph served with query worker processes."""
    settings = Settings(store=str(bundled_store), query_processes=True, query_workers=2)
    st = OxigraphStore(bundled_store, read_only=True)
    with TestClient(create_app(settings, store=st), raise_server_exceptions=False) as client:
        yield client


def test_the_runner_is_the_process_pool(processes, web):
    assert processes.app.state.stdgraph.executor.kind == "processes"
    assert web.app.state.stdgraph.executor.kind == "threads"


@pytest.mark.parametrize("path", PAGES)
def test_pages_from_worker_processes_are_the_pages_from_threads(processes, web, path):
    got, expected = (c.get(path, headers={"Accept": BROWSER}) for c in (processes, web))
    assert got.status_code == expected.status_code, got.text
    assert got.headers["content-type"] == expected.headers["content-type"]
    assert got.text == expected.text


@pytest.mark.parametrize(("path", "accept"), RDF)
def test_data_answers_from_worker_processes_are_those_from_threads(processes, web, path,
                                                                   accept):
    got, expected = (c.get(path, headers={"Accept": accept}) for c in (processes, web))
    assert (got.status_code, got.text) == (expected.status_code, expected.text)


def test_resource_pages_never_run_a_whole_analysis(bundled_store, monkeypatch):
    """Every whole-graph read of the analyses goes through ``LinkReader.links`` (every link of a
    property). What the analyses keep is derived once per store state - by a worker before it
    takes requests (``warm_analyses``, ``warm_standard_findings``), here by the first pass over
    the pages - and from then on the standard, concern and roadmap item pages read their own
    rows of it (``catalog.findings``): the second pass reads no whole graph. The report page
    does run its analysis: the check sees that."""
    whole: list[str] = []
    real = evidence.LinkReader.links
    monkeypatch.setattr(evidence.LinkReader, "links",
                        lambda self, p, *a: whole.append(p) or real(self, p, *a))
    settings = Settings(store=str(bundled_store), query_processes=False)
    st = OxigraphStore(bundled_store, read_only=True)
    with TestClient(create_app(settings, store=st)) as client:
        paths = ("/id/standard/iec-62541", "/id/barrier/security",
                 "/id/theme/interoperability", "/id/roadmap-item/cobot-safety",
                 "/id/architecture/rami40", "/id/standard/iso-9001-2015")
        for path in paths:  # the store state's first requests: what is kept is derived
            assert client.get(path, headers={"Accept": BROWSER}).status_code == 200
        whole.clear()
        for path in paths:
            assert client.get(path, headers={"Accept": BROWSER}).status_code == 200
        assert whole == []
        assert client.get("/reports/gaps", headers={"Accept": BROWSER}).status_code == 200
    assert whole
