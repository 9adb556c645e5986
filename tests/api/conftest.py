"""Fixtures for the HTTP layer: the mini project built into real stores, app clients with
settings variants, and a real ``stdgraph serve`` on a free port."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stdgraph.api.app import create_app
from stdgraph.settings import Settings
from stdgraph.store import MemoryStore, OxigraphStore
from support.serving import build_store, free_port, stdgraph_serve
from support.sparql_servers import REMOTE_BACKENDS, remote_backend_store

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
EX = "http://example.org/mini#"
PREFIX = f"PREFIX ex: <{EX}>\n"
DATA_GRAPH = "https://w3id.org/stdgraph/graph/data/standards"
ONTO_GRAPH = "https://w3id.org/stdgraph/graph/ontology/mini"
INFERRED = "https://w3id.org/stdgraph/graph/inferred"
TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """The mini project built once into an Oxigraph folder (copied by tests that write)."""
    return build_store(MINI, tmp_path_factory.mktemp("mini-store") / "store")


@pytest.fixture
def store_dir(built_store, tmp_path) -> Path:
    """A private, writable copy of the built mini store."""
    dest = tmp_path / "store"
    shutil.copytree(built_store, dest)
    return dest


def dump(store_dir: Path) -> set[str]:
    """What a reader sees: every quad, as N-Quads lines (blank nodes relabelled per dump are
    not used by the mini fixture)."""
    with OxigraphStore(store_dir, read_only=True) as st:
        return set(st.dump("nquads").decode().splitlines())


@pytest.fixture
def make_client(store_dir) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)``: a TestClient over the private store (threads by default;
    pass query_processes=True for worker processes); every client is stopped after the test."""
    with ExitStack() as clients:

        def make(store: object = None, **overrides) -> TestClient:
            values = {"project": str(MINI), "store": str(store_dir), "query_processes": False}
            values.update(overrides)
            st = store if store is not None else OxigraphStore(store_dir)
            app = create_app(Settings(**values), store=st)
            return clients.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@pytest.fixture
def client(make_client) -> TestClient:
    """Read-only app over the mini store."""
    return make_client()


@pytest.fixture
def writer(make_client) -> TestClient:
    """App with writes enabled (token TOKEN)."""
    return make_client(update_token=TOKEN)


@pytest.fixture
def serve(store_dir, tmp_path) -> Iterator[Callable[..., str]]:
    """``serve(**env)`` starts ``stdgraph serve`` (real uvicorn, worker processes) on a free
    port of 127.0.0.1 over the private store and returns its base URL; its output goes to
    ``tmp_path / f"serve-{port}.log"``. Every server started is stopped after the test."""
    with ExitStack() as servers:

        def start(**env_overrides: str) -> str:
            port = free_port()
            env = {"XDG_DATA_HOME": str(tmp_path / "xdg"), **env_overrides}
            return servers.enter_context(stdgraph_serve(
                store_dir, tmp_path / f"serve-{port}.log", project=MINI, port=port, **env))

        yield start


@pytest.fixture(params=["oxigraph", "processes", "memory", *REMOTE_BACKENDS])
def backend(request, store_dir):
    """``(store, settings)`` for ``make_client(store=store, **settings)``: the mini project on
    one backend — embedded (queries on threads, or in worker processes), in-memory, and each
    remote server (emptied, then filled with the mini graphs)."""
    if request.param in {"oxigraph", "processes"}:
        store = OxigraphStore(store_dir)
    else:
        with OxigraphStore(store_dir, read_only=True) as built:
            content = {g: list(built.triples(g)) for g in built.graph_names()}
        store = MemoryStore() if request.param == "memory" else \
            remote_backend_store(request, request.param)
        store.replace_all(content)
    processes = request.param == "processes"  # one worker: each takes a second to start
    yield store, {"query_processes": processes, "query_workers": 1 if processes else 3}
    store.close()
