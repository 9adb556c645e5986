"""Fixtures of the web front-end: the bundled graph built once into an Oxigraph folder, a
TestClient over it, and a real uvicorn (``stdgraph serve``) on a free port of 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from stdgraph.api.app import create_app
from stdgraph.project import Project
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore
from support.serving import build_store, stdgraph_serve

ID = "https://w3id.org/stdgraph/id/"
#: where the browser tests put this run's screenshots (test_browser.shots)
SHOTS = pytest.StashKey[Path]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    folder = config.stash.get(SHOTS, None)
    if folder is not None:
        terminalreporter.write_line(f"browser tests: screenshots in {folder}")


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory) -> Path:
    """The bundled project built once into an Oxigraph folder (read by every web test)."""
    return build_store(None, tmp_path_factory.mktemp("web-store") / "store")


@pytest.fixture(scope="module")
def web(bundled_store) -> Iterator[TestClient]:
    """A TestClient over the bundled graph (read-only, query threads)."""
    settings = Settings(store=str(bundled_store), query_processes=False)
    st = OxigraphStore(bundled_store, read_only=True)
    with TestClient(create_app(settings, store=st), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def source_graph() -> Graph:
    """The bundled ontology and data files parsed by rdflib, no inference: a second engine to
    compute what the pages must show."""
    project = Project.locate(None)
    g = Graph()
    for f in [*project.ontology_files, *project.data_files]:
        g.parse(f)
    return g


@pytest.fixture(scope="module")
def live_server(bundled_store, tmp_path_factory) -> Iterator[str]:
    """``stdgraph serve`` (real uvicorn) over the bundled graph; its base URL."""
    tmp = tmp_path_factory.mktemp("web-serve")
    with stdgraph_serve(bundled_store, tmp / "serve.log",
                        XDG_DATA_HOME=str(tmp / "xdg")) as base:
        yield base
