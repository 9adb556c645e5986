"""Fixtures of the reliability tests (issue 9): the endpoint fixtures (mini store copies, app
clients with settings variants), the bundled graph built once for the fuzzer, a byte-exact store
dump. The figures the fuzzer and the bad-input tests count are in tests/support/figures.py."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

# the endpoint package's fixtures, re-exported so pytest finds them here too
from api.conftest import (  # noqa: F401
    AUTH,
    EX,
    MINI,
    PREFIX,
    TOKEN,
    built_store,
    make_client,
    serve,
    store_dir,
)
from stdgraph.api.app import create_app
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore
from support.figures import FIGURES  # noqa: F401 - the tests import it from here
from support.serving import build_store

from .hostile import LIMIT, MAX_UPDATE_QUADS, Server, serving

EX_MINI = EX

def pytest_collection_modifyitems(items) -> None:
    """Schemathesis names each operation's item ``test_operation[GET /health]``, but under
    pytest 9 (whose node ids are structured: path, names, params) all 31 items get the node id
    ``...::test_operation``, since schemathesis makes them without a callspec. pytest-xdist
    schedules by node id, so it ran one operation in place of all 31. Each item gets its
    operation back as the params of its id (a test-only workaround of a private attribute)."""
    for item in items:
        params = item.name.partition("[")[2].removesuffix("]")
        node_id = getattr(item, "_id", None)
        if (type(item).__name__ == "SchemathesisFunction" and params
                and getattr(node_id, "params", "") is None):
            item._id = node_id.with_params(params)


def dump_bytes(store: Path | OxigraphStore) -> bytes:
    """The whole store as N-Quads, byte for byte as Oxigraph writes it (an unchanged database
    dumps the same bytes), prefixed by the generation ``CURRENT`` points at: a write that
    switched generations changes the dump even when its content would be the same.

    Pass the app's own store (``client.app.state.stdgraph.store``) while the app runs: a second,
    read-only RocksDB handle can race the writer's file clean-up; a folder is opened read-only."""
    if isinstance(store, OxigraphStore):
        return _dump(store)
    with OxigraphStore(store, read_only=True) as st:
        return _dump(st)


def _dump(st: OxigraphStore) -> bytes:
    gen = (st._current_generation() or "").encode()
    return gen + b"\n" + st.dump("nquads")


def app_store(client: TestClient) -> OxigraphStore:
    return client.app.state.stdgraph.store


@pytest.fixture(scope="session")
def bundled_built(tmp_path_factory) -> Path:
    """The bundled graph (real ontology, shapes, data, named queries) built once."""
    return build_store(None, tmp_path_factory.mktemp("reliability-bundled") / "store")


@pytest.fixture
def bundled_dir(bundled_built, tmp_path) -> Path:
    """A private, writable copy of the bundled store."""
    dest = tmp_path / "bundled"
    shutil.copytree(bundled_built, dest)
    return dest


@pytest.fixture
def make_bundled_client(bundled_dir) -> Iterator[Callable[..., TestClient]]:
    """``make_bundled_client(**settings)``: a started app over the private bundled copy;
    every client is stopped after the test."""
    with ExitStack() as clients:

        def make(**overrides) -> TestClient:
            values = {"store": str(bundled_dir), "query_processes": False}
            values.update(overrides)
            app = create_app(Settings(**values), store=OxigraphStore(bundled_dir))
            return clients.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@pytest.fixture(scope="session")
def hostile_server(built_store, tmp_path_factory) -> Iterator[Server]:  # noqa: F811
    """One real ``stdgraph serve`` for the hostile-input tests (issue 21, ``test_hostile_*``):
    the mini store, writes on, a ``hostile.LIMIT`` s time limit and a
    ``hostile.MAX_UPDATE_QUADS`` cap; started when first asked for, warmed up (its query
    workers up and through one update: their first imports are not a request's time)."""
    with serving(built_store, tmp_path_factory.mktemp("hostile"),
                 STDGRAPH_QUERY_TIMEOUT=str(LIMIT),
                 STDGRAPH_MAX_UPDATE_QUADS=str(MAX_UPDATE_QUADS)) as server:
        server.warm_up()
        yield server
