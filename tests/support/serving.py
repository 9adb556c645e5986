"""A project built into an Oxigraph folder, and a real ``stdgraph serve`` (uvicorn, worker
processes) over it on a free port of 127.0.0.1: what the endpoint, web and reliability tests
and ``benchmarks/loadtest.py`` all start, in one place.

It lives under tests/ rather than in the package: it is scaffolding around a child process that
only the test suite and the benchmarks need, not an API of stdgraph, and keeping it out of the
wheel keeps it free to change. Tests import it like ``analysis_graph`` (tests/ is on the path
under pytest); benchmarks, which already use ``tests/fixtures``, add tests/ to ``sys.path``.
stdgraph itself is imported only to build a store, so a benchmark's ``--help`` stays quick.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

START_SECONDS = 60  # until /health answers 200; a cold start imports the whole app
STOP_SECONDS = 15  # after SIGTERM, before SIGKILL: uvicorn drains and stops its workers


def free_port() -> int:
    """A port of 127.0.0.1 that is free now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(**extra: str) -> dict[str, str]:
    """This process's environment without any ``STDGRAPH_*`` variable (a developer's own
    settings must not reach a server under test), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")}
    env.update(extra)
    return env


def build_store(project: Path | None, store: Path) -> Path:
    """``project`` (``None``: the bundled one) built into a new Oxigraph folder ``store``."""
    from stdgraph.change.build import build
    from stdgraph.project import Project
    from stdgraph.store import OxigraphStore

    with OxigraphStore(store) as st:
        build(Project.locate(project), st)
    return store


@contextmanager
def stdgraph_serve(store: Path, log: Path, *, project: Path | None = None,
                   port: int | None = None, started: list[subprocess.Popen] | None = None,
                   **env: str) -> Iterator[str]:
    """``stdgraph serve`` over ``store`` on 127.0.0.1 (``port``, or a free one), with ``env``
    added to an environment without ``STDGRAPH_*`` variables and its output in ``log``.

    Yields the base URL once ``/health`` answers 200; fails with the log's text if the server
    exits first, or after ``START_SECONDS``. The server is stopped on leaving, started or not
    (``started``: a list the server's process is appended to, for a test that signals it)."""
    port = free_port() if port is None else port
    args = [sys.executable, "-m", "stdgraph", "serve", "--host", "127.0.0.1", "--port", str(port),
            "--store", str(store)]
    if project is not None:
        args += ["--project", str(project)]
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, env=environment(**env), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if started is not None:
            started.append(proc)
        try:
            _wait_healthy(proc, base, log)
            yield base
        finally:
            stop(proc)


def _wait_healthy(proc: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        if proc.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"stdgraph serve did not start in {START_SECONDS} s")
        time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if the process is still there after ``STOP_SECONDS``."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
