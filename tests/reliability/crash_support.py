"""Helpers of the crash tests (tests/reliability/test_crash.py): real processes started in a
session of their own, so that ``kill -9`` reaches the server and its query workers at once, and
store dumps taken after reopening the store read-write (RocksDB recovers from its log on open)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from stdgraph.change.build import build
from stdgraph.project import Project
from stdgraph.store import OxigraphStore

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
EX = "http://example.org/mini#"
TOKEN = "crash-test-token"


def stdgraph(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "stdgraph", *map(str, args)]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")}
    env.update(extra)
    return env


def build_mini(store: Path) -> None:
    with OxigraphStore(store) as st:
        build(Project.locate(MINI), st)


def dump(store: Path, *, drop: Callable[[str], bool] = lambda _line: False) -> set[str]:
    """Every quad as an N-Quads line, after opening the store read-write the way a restarted
    server or command would (lines for which ``drop`` is true are left out)."""
    with OxigraphStore(store) as st:
        st.graph_names()  # opens the current generation read-write: recovery happens here
    with OxigraphStore(store, read_only=True) as st:
        lines = st.dump("nquads").decode().splitlines()
    return {x for x in lines if not drop(x)}


def count(store: Path, graph: str) -> int:
    with OxigraphStore(store, read_only=True) as st:
        return st.count(graph)


def spawn(args: list[str], log: Path, **env: str) -> subprocess.Popen:
    """A process in a new session (its own process group), output to ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=environment(**env),
                                start_new_session=True)


def kill9(proc: subprocess.Popen) -> None:
    """SIGKILL to the process and everything it started (its process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(store: Path, log: Path, **env: str) -> tuple[subprocess.Popen, str]:
    """``stdgraph serve`` with writes enabled on a free port of 127.0.0.1; (process, base URL)."""
    port = free_port()
    proc = spawn(stdgraph("serve", "--host", "127.0.0.1", "--port", str(port), "--store", store,
                          "--project", MINI), log,
                 STDGRAPH_UPDATE_TOKEN=TOKEN, STDGRAPH_QUERY_WORKERS="1", **env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace"))
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    kill9(proc)
    raise RuntimeError("stdgraph serve did not start in 60 s")


def stop(proc: subprocess.Popen) -> None:
    """A clean stop (SIGTERM to the group), SIGKILL after 15 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        kill9(proc)


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False
