"""Shared fixtures: fixture projects, a CLI runner that goes through the real entry point, and
the bundled graph built once per session."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from stdgraph.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


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


# -- a real Oxigraph server for the remote store (issue 8) --------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_oxigraph_server(location: Path) -> tuple[subprocess.Popen, str]:
    """``oxigraph serve`` on 127.0.0.1 with a free port and ``location``; returns the process
    and its base URL once it answers a query. Fails (never skips) without the binary."""
    import httpx

    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).is_file():
        pytest.fail("the Oxigraph server binary `oxigraph` is missing: the remote-store tests "
                    "need it. Install the test extras (`pip install -e '.[test]'`, which has "
                    "`oxigraph>=0.5,<0.6`) or `pip install oxigraph`.", pytrace=False)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(location.with_suffix(".log"), "wb")  # noqa: SIM115 - lives with the server
    proc = subprocess.Popen([exe, "serve", "--location", str(location), "--bind",
                             f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            pytest.fail(f"`oxigraph serve` exited with {proc.returncode}; see "
                        f"{location.with_suffix('.log')}", pytrace=False)
        try:
            if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=2).is_success:
                return proc, url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"`oxigraph serve` did not answer on {url} within 30 s", pytrace=False)
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def start_oxigraph(tmp_path_factory):
    """A function that starts another ``oxigraph serve`` (own folder, own port) and returns its
    base URL; every server started is stopped at the end of the session."""
    procs: list[subprocess.Popen] = []

    def start() -> str:
        proc, url = start_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server") / "data")
        procs.append(proc)
        return url

    yield start
    for proc in procs:
        stop_server(proc)


@pytest.fixture(scope="session")
def oxigraph_server(start_oxigraph) -> str:
    """The base URL of the session's shared ``oxigraph serve`` (use ``remote_store`` for a clean
    dataset)."""
    return start_oxigraph()


@pytest.fixture
def remote_store(oxigraph_server):
    """A RemoteStore on the session's Oxigraph server, emptied (``DROP ALL``) before the test."""
    from stdgraph.store import open_store

    st = open_store("sparql+" + oxigraph_server)
    st.update("DROP ALL")
    yield st
    st.close()
