"""Fixtures for the HTTP layer: the mini project built into real stores, app clients with
settings variants, and a real ``stdgraph serve`` on a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from stdgraph.api import create_app
from stdgraph.pipeline import build
from stdgraph.project import Project
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore

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
    root = tmp_path_factory.mktemp("mini-store") / "store"
    st = OxigraphStore(root)
    build(Project.locate(MINI), st)
    st.close()
    return root


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
    pass query_processes=True for worker processes)."""
    clients: list[TestClient] = []

    def make(store: object = None, **overrides) -> TestClient:
        values = {"project": str(MINI), "store": str(store_dir), "query_processes": False}
        values.update(overrides)
        settings = Settings(**values)
        st = store if store is not None else OxigraphStore(store_dir)
        client = TestClient(create_app(settings, store=st), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    """Read-only app over the mini store."""
    return make_client()


@pytest.fixture
def writer(make_client) -> TestClient:
    """App with writes enabled (token TOKEN)."""
    return make_client(update_token=TOKEN)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(store_dir, tmp_path) -> Iterator[Callable[..., str]]:
    """``serve(**env)`` starts ``stdgraph serve`` (real uvicorn, worker processes) on a free
    port of 127.0.0.1 over the private store and returns its base URL; stopped after the test."""
    procs: list[subprocess.Popen] = []

    def start(**env_overrides: str) -> str:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")}
        env.update({"XDG_DATA_HOME": str(tmp_path / "xdg")})
        env.update(env_overrides)
        log = open(tmp_path / f"serve-{port}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            [sys.executable, "-m", "stdgraph", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--store", str(store_dir), "--project", str(MINI)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError((tmp_path / f"serve-{port}.log").read_text())
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    return base
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("stdgraph serve did not start in 60 s")

    yield start
    for p in procs:
        p.terminate()
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
