"""Shared fixtures: fixture projects, a CLI runner that goes through the real entry point, and
the bundled graph built once per session; the reliability figures' summary (tests/support/figures.py),
added up over pytest-xdist's workers."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from stdgraph.cli import main
from support import figures
from support.sparql_servers import STARTERS, Server, empty

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


def pytest_sessionfinish(session) -> None:
    """A pytest-xdist worker hands its reliability figures to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[figures.WORKER_KEY] = figures.as_plain()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """pytest-xdist's controller: a worker finished; add up its figures."""
    figures.add(getattr(node, "workeroutput", {}).get(figures.WORKER_KEY, {}))


def pytest_terminal_summary(terminalreporter) -> None:
    lines = figures.summary_lines()
    if lines:
        terminalreporter.section("reliability figures (docs/reliability.md)")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the mini fixture project."""
    dest = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", dest)
    return dest


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys, monkeypatch, tmp_path):
    """Run ``stdgraph ARGS`` in-process through ``main`` (the console-script entry), with the
    per-user data folder redirected into tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("STDGRAPH_STORE", raising=False)
    monkeypatch.delenv("STDGRAPH_PROJECT", raising=False)

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


# -- real SPARQL servers for the remote store (issue 8; tests/sparql_servers.py) -----------------
@pytest.fixture(scope="session")
def start_server(tmp_path_factory):
    """A function that starts another server of a kind (own folder, own port) and returns it;
    every server started is stopped at the end of the session."""
    servers: list[Server] = []

    def start(kind: str = "oxigraph", **options) -> Server:
        server = STARTERS[kind](tmp_path_factory.mktemp(f"{kind}-server") / "data", **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def start_oxigraph(start_server):
    """A function that starts another ``oxigraph serve`` and returns its base URL."""
    return lambda: start_server("oxigraph").url


@pytest.fixture(scope="session")
def sparql_server(start_server):
    """The session's shared server of a kind, started on first use: ``sparql_server(kind)``."""
    running: dict[str, Server] = {}

    def get(kind: str) -> Server:
        if kind not in running:
            running[kind] = start_server(kind)
        return running[kind]

    return get


@pytest.fixture(scope="session")
def oxigraph_server(sparql_server) -> str:
    """The base URL of the session's shared ``oxigraph serve`` (use ``remote_store`` for a clean
    dataset)."""
    return sparql_server("oxigraph").url


def _emptied_store(server: Server, monkeypatch):
    from stdgraph.store import open_store

    for name, value in server.env.items():  # credentials, as a user would set them
        monkeypatch.setenv(name, value)
    empty(server)
    return open_store(server.spec)


@pytest.fixture
def remote_store(sparql_server, monkeypatch):
    """A RemoteStore on the session's Oxigraph server, emptied (``DROP ALL``) before the test."""
    st = _emptied_store(sparql_server("oxigraph"), monkeypatch)
    yield st
    st.close()


@pytest.fixture
def fuseki_store(sparql_server, monkeypatch):
    """A RemoteStore on the session's Fuseki (TDB2, union default graph), emptied first."""
    st = _emptied_store(sparql_server("fuseki"), monkeypatch)
    yield st
    st.close()


@pytest.fixture
def virtuoso_store(sparql_server, monkeypatch):
    """A RemoteStore on the session's Virtuoso (as ``dba``), its own graphs dropped first."""
    st = _emptied_store(sparql_server("virtuoso"), monkeypatch)
    yield st
    st.close()
