"""Fixtures of the web front-end: the bundled graph built once into an Oxigraph folder, a
TestClient over it, and a real uvicorn (``stdgraph serve``) on a free port of 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from stdgraph.api import create_app
from stdgraph.pipeline import build
from stdgraph.project import Project
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore

ID = "https://w3id.org/stdgraph/id/"


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory) -> Path:
    """The bundled project built once into an Oxigraph folder (read by every web test)."""
    root = tmp_path_factory.mktemp("web-store") / "store"
    st = OxigraphStore(root)
    build(Project.locate(None), st)
    st.close()
    return root


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(bundled_store, tmp_path_factory) -> Iterator[str]:
    """``stdgraph serve`` (real uvicorn) over the bundled graph; its base URL."""
    tmp = tmp_path_factory.mktemp("web-serve")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")}
    env["XDG_DATA_HOME"] = str(tmp / "xdg")
    log_path = tmp / "serve.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "stdgraph", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--store", str(bundled_store)],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text())
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("stdgraph serve did not start in 60 s")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
