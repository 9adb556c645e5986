"""What the hostile-input tests (issue 21, ``test_hostile_*.py``) share: a real ``stdgraph serve``
(uvicorn, query worker processes, writes on) over a private copy of the mini store, one per test
module, and the three checks every hostile request is followed by:

1. the exact status (and the one-line error envelope for an error);
2. the server is alive: a point lookup answers right within 1 s;
3. the store is byte-identical: ``CURRENT`` (the generation) and the full N-Quads dump;

and the server process's resident memory (``VmRSS`` in ``/proc/PID/status``) grew by less than
``MAX_GROWTH_KIB`` (50 MiB, the issue's bound) over the request.

A crash (SIGSEGV) of the server fails the test with the transport error instead of ending pytest,
since the server is a child process.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.conftest import AUTH, EX, MINI, TOKEN
from stdgraph.store import OxigraphStore
from support.serving import stdgraph_serve

#: a point lookup (answered on the event loop), and what it must answer
LOOKUP = f"ASK {{ <{EX}a> <{EX}identifier> 'A' }}"
#: the shared server's time limit (seconds) and update cap (``conftest.hostile_server``)
LIMIT = 2.0
MAX_UPDATE_QUADS = 1000
#: a graph the tests may write and take back
SCRATCH = "http://example.org/graph/scratch"
#: how much the server's resident memory may grow over one hostile request (KiB)
MAX_GROWTH_KIB = 50 * 1024


def rss_kib(pid: int) -> int:
    """The resident memory of process ``pid`` (KiB), from ``/proc/PID/status``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


@dataclass
class Server:
    base: str
    store: Path
    log: Path
    http: httpx.Client
    process: subprocess.Popen
    _last: bytes | None = None

    def dump(self) -> bytes:
        """The generation ``CURRENT`` names and every quad, as the server dumps them."""
        r = self.http.get("/dump", params={"format": "nquads"})
        assert r.status_code == 200, r.text
        return (self.store / "CURRENT").read_bytes() + r.content

    def alive(self) -> None:
        """A point lookup answers right within 1 s."""
        start = time.monotonic()
        try:
            r = self.http.get("/sparql", params={"query": LOOKUP}, timeout=1.0)
        except httpx.TimeoutException:
            try:  # how late, if at all
                self.http.get("/sparql", params={"query": LOOKUP}, timeout=30)
                late = f"answered after {time.monotonic() - start:.1f} s"
            except httpx.TransportError as e:
                late = f"no answer: {e!r}"
            pytest.fail(f"a point lookup took more than 1 s ({late})\n{self.tail()}")
        except httpx.TransportError as e:
            pytest.fail(f"the server no longer answers: {e!r}\n{self.tail()}")
        assert r.status_code == 200, r.text
        assert r.json()["boolean"] is True
        assert time.monotonic() - start < 1.0

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def send(self, status: int, method: str, url: str, **kw) -> httpx.Response:
        """One hostile request: its exact ``status``, then alive and unchanged (the dump taken
        after the previous request is this one's "before", unless something else wrote since:
        ``forget``)."""
        before = self._last if self._last is not None else self.dump()
        rss = rss_kib(self.process.pid)
        try:
            r = self.http.request(method, url, **kw)
        except httpx.TransportError as e:
            pytest.fail(f"{method} {url}: the server died: {e!r}\n{self.tail()}")
        assert r.status_code == status, (method, url, r.status_code, r.text[:500])
        if status == 503:  # a worker was killed at the time limit: wait for its replacement
            self.workers_ready()
        if status >= 400 and method != "HEAD" and \
                r.headers.get("content-type", "").startswith("application/json"):
            body = r.json()
            assert body["ok"] is False and body["status"] == status, body
            assert "\n" not in body["error"] and body["error"], body
            assert TOKEN not in r.text
        self.alive()
        grown = rss_kib(self.process.pid) - rss
        assert grown < MAX_GROWTH_KIB, f"{method} {url}: the server grew by {grown} KiB"
        after = self.dump()
        assert after == before, f"{method} {url} changed the store"
        self._last = after
        return r

    def workers_ready(self, timeout: float = 30) -> None:
        """Wait until every query worker is up (after one was killed and is being replaced:
        its start, about 1.5 s of imports, competes for the CPU with the checks)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            health = self.http.get("/health").json()
            if health["query_workers_ready"] >= health["query_workers"]:
                return
            time.sleep(0.1)
        pytest.fail("the query workers did not come back")

    def warm_up(self) -> None:
        """Wait for the query workers and run one update through them (their first imports
        of rdflib's SPARQL engine are not a request's time)."""
        update = (f"DELETE {{ GRAPH <{SCRATCH}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{SCRATCH}> "
                  "{ ?s ?p ?o } }")
        for _ in range(2):  # both workers
            r = self.http.post("/sparql", data={"update": update}, headers=AUTH)
            assert r.status_code == 200, r.text
            r = self.http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
            assert r.status_code == 200, r.text

    def forget(self) -> None:
        """The store may have changed (a test wrote on purpose): take the next "before" anew."""
        self._last = None


@contextmanager
def serving(built_store: Path, tmp: Path, **env: str) -> Iterator[Server]:
    """``stdgraph serve`` over a copy of ``built_store`` (the mini project), writes on with
    ``TOKEN``, two query workers, ``env`` added."""
    store = tmp / "store"
    shutil.copytree(built_store, store)
    log = tmp / "serve.log"
    settings = {"STDGRAPH_UPDATE_TOKEN": TOKEN, "STDGRAPH_QUERY_WORKERS": "2",
                "XDG_DATA_HOME": str(tmp / "xdg"), **env}
    started: list[subprocess.Popen] = []
    with stdgraph_serve(store, log, project=MINI, started=started, **settings) as base, \
            httpx.Client(base_url=base, timeout=60) as http:
        yield Server(base, store, log, http, started[0])


def dump_folder(store: Path) -> bytes:
    """``CURRENT`` and every quad, read from the folder (the server stopped, or idle)."""
    with OxigraphStore(store, read_only=True) as st:
        return (store / "CURRENT").read_bytes() + st.dump("nquads")


__all__ = ["AUTH", "LIMIT", "LOOKUP", "MAX_UPDATE_QUADS", "SCRATCH", "Server", "TOKEN",
           "dump_folder", "serving"]
