"""Where queries run: never on the event loop, always with a deadline.

* ``ProcessQueryExecutor`` (the default for the embedded store): a small pool of worker processes
  that open the store read-only. A query past ``query_timeout`` gets 503 and its worker is
  killed (SIGKILL) and replaced in the background, so a runaway query stops using CPU at once.
* ``ThreadQueryExecutor`` (the memory store, or ``STDGRAPH_QUERY_PROCESSES=0``): a bounded thread
  pool. pyoxigraph releases the GIL while it evaluates, so a slow query never stalls others. The
  request still gets 503 at the deadline, and the deadline is checked between result chunks, but
  pyoxigraph has no cancellation: a query stuck inside one operator (a big aggregate or sort)
  keeps its thread until that operator finishes. This is the documented limitation of threads.
"""

from __future__ import annotations

import asyncio
import pickle
import queue
import socket
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from stdgraph.api.errors import ApiError
from stdgraph.errors import QueryTimeout
from stdgraph.rdf.results import Answer
from stdgraph.store.base import Store


@dataclass
class QueryJob:
    sparql: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    result_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_rows: int = 10000
    extra: dict[str, Any] = field(default_factory=dict)
    #: what relative IRIs in the query resolve against (the endpoint's URL; ``Store.query``)
    base_iri: str | None = None

    def kwargs(self, timeout: float | None) -> dict[str, Any]:
        return {"sparql": self.sparql, "default_graphs": self.default_graphs,
                "named_graphs": self.named_graphs, "result_format": self.result_format,
                "graph_format": self.graph_format, "max_rows": self.max_rows,
                "timeout": timeout, "base_iri": self.base_iri}


class ThreadQueryExecutor:
    kind = "threads"

    def __init__(self, store: Store, workers: int) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="stdgraph-query")

    async def answer(self, job: QueryJob, timeout: float | None) -> Answer:
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(self.pool, partial(self.store.answer, **job.kwargs(timeout)))
        if not timeout:
            return await fut
        try:
            async with asyncio.timeout(timeout):  # no extra task, unlike wait_for in 3.11
                return await fut
        except TimeoutError:
            raise QueryTimeout(timeout) from None

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


_HEADER = struct.Struct("!Q")


def send_message(sock: socket.socket, obj: Any) -> None:
    """One length-prefixed pickle on a blocking socket (the worker's side)."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def recv_message(sock: socket.socket) -> Any:
    """Read one message sent by ``send_message``; EOFError when the peer is gone."""
    header = _recv_exactly(sock, _HEADER.size)
    return pickle.loads(_recv_exactly(sock, _HEADER.unpack(header)[0]))


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError("the peer closed the connection")
        buf += chunk
    return bytes(buf)


class _Worker:
    """``python -m stdgraph.api.worker FD STORE`` with one end of a socket pair as its pipe.

    A plain subprocess, not ``multiprocessing``: spawning through multiprocessing re-imports the
    parent's ``__main__``, which an embedding application may not guard. The parent talks to it
    from the event loop with non-blocking socket calls, so no thread sits between them."""

    def __init__(self, store_dir: str) -> None:
        parent, child = socket.socketpair()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "stdgraph.api.worker", str(child.fileno()), store_dir],
                pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            child.close()
        self.sock = parent
        self.sock.setblocking(False)
        self.ready = False

    async def send(self, obj: Any) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        await asyncio.get_running_loop().sock_sendall(self.sock, _HEADER.pack(len(data)) + data)

    async def recv(self) -> Any:
        loop = asyncio.get_running_loop()
        header = await self._exactly(loop, _HEADER.size)
        return pickle.loads(await self._exactly(loop, _HEADER.unpack(header)[0]))

    async def _exactly(self, loop, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = await loop.sock_recv(self.sock, min(n - len(buf), 1 << 20))
            if not chunk:
                raise EOFError("the query worker closed the connection")
            buf += chunk
        return bytes(buf)

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        finally:
            self.sock.close()


class ProcessQueryExecutor:
    """A pool of read-only worker processes over an embedded store folder."""

    kind = "processes"
    START_TIMEOUT = 60.0

    def __init__(self, store_dir: str, workers: int) -> None:
        self.store_dir = store_dir
        self.size = max(1, workers)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self.pool = ThreadPoolExecutor(self.size * 2 + 2, thread_name_prefix="stdgraph-wait")
        self.killed = 0  # workers killed at the deadline (for tests and /health)

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
            for _ in range(self.size):
                self._spawn()

    def _spawn(self) -> None:
        if self._closed:
            return
        w = _Worker(self.store_dir)
        self._all.add(w)
        self._idle.put(w)

    def _replace(self, w: _Worker) -> None:
        w.kill()
        self._all.discard(w)
        self._spawn()

    async def _acquire(self, deadline: float | None, timeout: float | None) -> _Worker:
        """An idle worker; waiting for one counts against the query's time limit."""
        while True:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                if deadline is not None and time.monotonic() > deadline:
                    raise QueryTimeout(timeout or 0) from None
                await asyncio.sleep(0.005)

    def _discard(self, w: _Worker) -> None:
        threading.Thread(target=self._replace, args=(w,), daemon=True).start()

    async def answer(self, job: QueryJob, timeout: float | None) -> Answer:
        if not self._started:
            await asyncio.get_running_loop().run_in_executor(self.pool, self.start)
        deadline = time.monotonic() + timeout if timeout else None
        w = await self._acquire(deadline, timeout)
        try:
            if not w.ready:
                msg = await asyncio.wait_for(w.recv(), self.START_TIMEOUT)
                w.ready = msg[0] == "ready"
            await w.send(job.kwargs(timeout))
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                async with asyncio.timeout(None if remaining is None else remaining + 0.05):
                    status, payload = await w.recv()
            except TimeoutError:
                self.killed += 1
                self._discard(w)  # the only way to stop a running Oxigraph query
                w = None
                raise QueryTimeout(timeout) from None
        except (EOFError, OSError):
            if w is not None:
                self._discard(w)
                w = None
            raise ApiError(503, "the query worker stopped unexpectedly; try again") from None
        except BaseException:
            if w is not None:  # cancelled mid-message: the pipe may hold a partial reply
                self._discard(w)
                w = None
            raise
        finally:
            if w is not None:
                self._idle.put(w)
        if status == "ok":
            return Answer(**payload)
        raise ApiError(payload["status"], payload["message"], **payload["extra"])

    def close(self) -> None:
        self._closed = True
        for w in list(self._all):
            try:
                w.sock.close()  # the worker sees EOF and exits
            except OSError:
                pass
        for w in list(self._all):
            try:
                w.proc.wait(1)
            except subprocess.TimeoutExpired:
                w.kill()
        self._all.clear()
        self.pool.shutdown(wait=False, cancel_futures=True)
