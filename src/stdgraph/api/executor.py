"""The query runner: where everything that reads the store on behalf of a request runs - SPARQL
queries (``/sparql``, ``/queries/{name}``), analyses and the pages' read models - never on the
event loop, at most ``STDGRAPH_QUERY_WORKERS`` at a time, and stopped at the time limit.

Two kinds of job:

* :class:`~stdgraph.store.base.AnswerRequest`: one SPARQL query, answered serialised
  (``Store.answer``) within its own ``timeout``;
* :class:`CallJob`: a named function run against the store, ``function(store, *args,
  **kwargs)``: Python over several queries (an analysis, a page's read model). The function is a
  module-level one, named by module and qualified name, so a worker process can import it; its
  arguments and its result are plain data (dataclasses, dicts, lists, RDF terms) that pickle.
  The store it gets is a :class:`~stdgraph.store.bounded.DeadlineStore`, which stops the work
  at its first query past the deadline, and holds the runner's cache of values derived from
  the store (``cached``: one per process, per store state).

Two runners, one interface (``answer(request)``, ``call(job, timeout)``):

* ``ProcessQueryExecutor`` (the default for the embedded store): a small pool of worker
  processes that open the store read-only. A job past ``query_timeout`` gets 503 and its worker
  is killed (SIGKILL) and replaced in the background, so a runaway query or analysis stops using
  CPU at once. Workers start one after the other in the background and take jobs once ready;
  waiting for a busy worker counts against the time limit, waiting while the pool is not full
  (start-up, a killed worker being replaced) does not.
* ``ThreadQueryExecutor`` (the memory store, a remote store, or ``STDGRAPH_QUERY_PROCESSES=0``):
  a pool of ``STDGRAPH_QUERY_WORKERS`` threads. pyoxigraph releases the GIL while it evaluates,
  so a slow query never stalls others. The request gets 503 at the deadline; a query's answer
  checks it between result chunks and a call's store before and after every query, but
  pyoxigraph has no cancellation: a query stuck inside one operator (a big aggregate or sort)
  keeps its thread until that operator finishes. This is the documented limitation of threads.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import pickle
import queue
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from stdgraph.api.errors import ApiError
from stdgraph.deadline import Deadline
from stdgraph.errors import QueryTimeout
from stdgraph.rdf.results import Answer
from stdgraph.store.base import AnswerRequest, Store
from stdgraph.store.bounded import DeadlineStore, StateCache

log = logging.getLogger("stdgraph.api")


def function_ref(fn: Callable[..., Any]) -> str:
    """``"module:qualname"`` of a module-level function (TypeError for anything else: a
    lambda, a closure or a method a worker process could not import by name)."""
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    ref = f"{module}:{qualname}"
    if not module or "<" in qualname or resolve_function(ref) is not fn:
        raise TypeError(f"{fn!r} is not a module-level function; the query runner runs only "
                        "functions a worker process can import by name")
    return ref


def resolve_function(ref: str) -> Callable[..., Any]:
    """The function ``function_ref`` named."""
    module, _, qualname = ref.partition(":")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


@dataclass(frozen=True)
class CallJob:
    """``function(store, *args, **kwargs)`` (``function``: ``"module:qualname"``)."""

    function: str
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> CallJob:
        return cls(function_ref(fn), args, kwargs)

    def run(self, store: Store, deadline: Deadline, cache: StateCache | None = None,
            beat: Callable[[], None] | None = None) -> Any:
        """Run it against ``store``, read under ``deadline``, with the runner's ``cache``
        (``beat``: what ``DeadlineStore.beat`` calls)."""
        bounded = DeadlineStore(store, deadline, cache, beat)
        return resolve_function(self.function)(bounded, *self.args, **self.kwargs)


def warm_all(store: Store, refs: list[str]) -> None:
    """The warm functions ``refs`` (``"module:qualname"``), each ``fn(store)``: what a
    runner keeps for the store's state brought up to date (after a write: ``refresh``). One
    that fails is left for the requests to meet."""
    for ref in refs:
        try:
            resolve_function(ref)(store)
        except Exception:  # noqa: BLE001, S112 - a request doing the same will say what is wrong
            continue


def warm_first(executor: Any, fn: Callable[[Store], Any]) -> None:
    """Have each of ``executor``'s runners call ``fn(store)`` before it takes requests, and
    again after each write (``warm_all``); once, however many routers name it. An executor
    without warm-ups (none kept) is left as it is."""
    warm = getattr(executor, "warm", None)
    ref = function_ref(fn)
    if warm is not None and ref not in warm:
        warm.append(ref)


#: bytes of a streamed answer sent at a time
STREAM_CHUNK = 1 << 16


def stream_chunks(pieces: Iterable[str]) -> Iterator[bytes]:
    """A stream job's text pieces as UTF-8 chunks of about ``STREAM_CHUNK`` bytes, or what
    there is after half a second (a chunk is the job's sign of progress)."""
    buf: list[bytes] = []
    size = 0
    sent = time.monotonic()
    for piece in pieces:
        data = piece.encode("utf-8")
        buf.append(data)
        size += len(data)
        if size >= STREAM_CHUNK or time.monotonic() - sent >= 0.5:
            yield b"".join(buf)
            buf.clear()
            size = 0
            sent = time.monotonic()
    if buf:
        yield b"".join(buf)


class ThreadQueryExecutor:
    """``workers`` threads over the store: queries and calls share them, so at most
    ``workers`` jobs run at a time and the others wait (within their time limit)."""

    kind = "threads"

    def __init__(self, store: Store, workers: int) -> None:
        self.store = store
        self.size = max(1, workers)
        self.pool = ThreadPoolExecutor(self.size, thread_name_prefix="stdgraph-query")
        #: modules a worker process would import ahead (nothing to do in this process)
        self.preload: set[str] = set()
        #: what calls derive from the store, kept per store state (``DeadlineStore.cached``)
        self.cache = StateCache()
        #: the routers' warm functions (as ``ProcessQueryExecutor.warm``): run again after
        #: each write (``refresh``), not at start
        self.warm: list[str] = []
        #: upkeeps after writes done (``refresh``; for tests)
        self.refreshed = 0
        self._refresher = ThreadPoolExecutor(1, thread_name_prefix="stdgraph-refresh")
        self._refresh_lock = threading.Lock()
        self._refresh_queued = False

    @property
    def ready(self) -> int:
        """Threads that can take a job (all of them)."""
        return self.size

    async def answer(self, request: AnswerRequest) -> Answer:
        return await self._run(partial(self.store.answer, request), request.timeout)

    async def call(self, job: CallJob, timeout: float | None) -> Any:
        # the deadline starts now: a job still waiting for a thread when it passes never
        # runs (its future is cancelled), one running stops at its next query
        return await self._run(partial(job.run, self.store, Deadline(timeout), self.cache),
                               timeout)

    async def stream(self, job: CallJob, timeout: float | None) -> AsyncIterator[bytes]:
        """``job``'s text pieces (it returns an iterable of str), as UTF-8 chunks, made on the
        threads one chunk at a time. The time limit is on each stretch without progress (a
        chunk, or ``DeadlineStore.beat``); a thread cannot be stopped, so a stalled one keeps
        going until its chunk is made, and the rest is not asked for."""
        loop = asyncio.get_running_loop()
        last = [time.monotonic()]

        def beat() -> None:
            last[0] = time.monotonic()

        def start() -> Iterator[bytes]:
            return stream_chunks(job.run(self.store, Deadline(None), self.cache, beat))

        chunks = await self._progress(loop.run_in_executor(self.pool, start), timeout, last)
        while True:
            chunk = await self._progress(
                loop.run_in_executor(self.pool, next, chunks, None), timeout, last)
            if chunk is None:
                return
            last[0] = time.monotonic()
            yield chunk

    @staticmethod
    async def _progress(fut: asyncio.Future, timeout: float | None, last: list[float]) -> Any:
        """``await fut``, or QueryTimeout once nothing has moved for ``timeout`` seconds."""
        while True:
            try:
                async with asyncio.timeout(1.0):
                    return await asyncio.shield(fut)
            except TimeoutError:
                if timeout and time.monotonic() - last[0] > timeout:
                    fut.cancel()
                    raise QueryTimeout(timeout) from None

    async def _run(self, work: Callable[[], Any], timeout: float | None) -> Any:
        fut = asyncio.get_running_loop().run_in_executor(self.pool, work)
        if not timeout:
            return await fut
        try:
            async with asyncio.timeout(timeout):  # no extra task, unlike wait_for in 3.11
                return await fut
        except TimeoutError:
            raise QueryTimeout(timeout) from None

    def refresh(self) -> None:
        """A write was committed: the warm functions run now, on a thread of their own, so
        that what the cache keeps is brought up to date for the new state before the next
        request asks for it (a request meanwhile waits for the part it needs: the cache and
        the snapshot let one thread bring a value up to date at a time). One upkeep at a
        time; writes while one runs make one more, of the newest state. Nothing runs while
        nothing is kept (these threads do not warm up at start: what no request asked for is
        not derived after a write either)."""
        if not self.warm or not self.cache.holds():
            return
        with self._refresh_lock:
            if self._refresh_queued:
                return  # the one waiting to run will see this write
            self._refresh_queued = True
        try:
            self._refresher.submit(self._refresh_now)
        except RuntimeError:  # shut down: the server is stopping
            pass

    def _refresh_now(self) -> None:
        with self._refresh_lock:
            self._refresh_queued = False
        CallJob(function_ref(warm_all), (list(self.warm),)).run(self.store, Deadline(None),
                                                                self.cache)
        self.refreshed += 1

    def stop(self) -> None:
        """The server is stopping: jobs not started are dropped (a running query cannot be
        stopped on a thread)."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._refresher.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._refresher.shutdown(wait=False, cancel_futures=True)


_HEADER = struct.Struct("!Q")


def send_message(sock: socket.socket, obj: Any) -> None:
    """One length-prefixed pickle on a blocking socket (the worker's side): header and pickle
    in one ``sendmsg``, so a small answer is one write and wakes the reader once; the rest of a
    large one follows, never copied into one buffer with the header."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    header = _HEADER.pack(len(data))
    sent = sock.sendmsg([header, data])
    if sent < len(header):
        sock.sendall(header[sent:])
        sent = len(header)
    if sent - len(header) < len(data):
        sock.sendall(memoryview(data)[sent - len(header):])


#: the first read of a message: its header and, for most answers, all of it
_FIRST_READ = 1 << 16


class _Incoming:
    """One message being read, by blocking calls (``recv_message``) or from the event loop
    (``_Worker.recv``), which only do the reads: ``add`` what ``recv`` gives while
    ``header_wanted``, then ``filled`` what ``recv_into(space())`` reads until ``space`` is
    None. The first read takes the header and, for most messages, all of it; the rest of a
    large one is read into its own buffer, never past its end.

    A job's answer is one message, so a first read holding more than that one is a broken
    pipe (OSError); a stream's messages follow one another unasked (``follow``), so there the
    first read may take the start of the next one too: ``extra``, which the next message's
    reader starts from (``first``)."""

    def __init__(self, peer: str, first: bytes = b"", follow: bool = False) -> None:
        self.peer = peer  # for the EOFError when it goes before the message is whole
        self.first = first  # what is read of the message up to its header and a first read
        self.follow = follow
        self.extra = b""  # what the first read took past the message's end (``follow``)
        self.view: memoryview | None = None  # the pickle, once the header is read
        self.got = 0  # how much of it is read

    def header_wanted(self) -> bool:
        return len(self.first) < _HEADER.size

    def add(self, chunk: bytes) -> None:
        self._read(len(chunk))
        self.first += chunk

    def space(self) -> memoryview | None:
        """Where the rest of the message goes; None once it is whole."""
        if self.view is None:
            size = _HEADER.unpack_from(self.first)[0]
            end = _HEADER.size + size
            if len(self.first) >= end:
                if len(self.first) > end:
                    if not self.follow:
                        raise OSError("two messages at once on a query worker's pipe")
                    self.extra = self.first[end:]
                self.view, self.got = memoryview(self.first)[_HEADER.size:end], size
            else:
                self.got = len(self.first) - _HEADER.size
                self.view = memoryview(bytearray(size))
                self.view[:self.got] = memoryview(self.first)[_HEADER.size:]
        return self.view[self.got:] if self.got < len(self.view) else None

    def filled(self, n: int) -> None:
        self._read(n)
        self.got += n

    def message(self) -> Any:
        assert self.view is not None and self.got == len(self.view), "read it whole first"
        return pickle.loads(self.view)

    def _read(self, n: int) -> None:
        if not n:
            raise EOFError(f"{self.peer} closed the connection")


def recv_message(sock: socket.socket) -> Any:
    """Read one message sent by ``send_message``; EOFError when the peer is gone."""
    incoming = _Incoming("the peer")
    while incoming.header_wanted():
        incoming.add(sock.recv(_FIRST_READ))
    while (space := incoming.space()) is not None:
        incoming.filled(sock.recv_into(space))
    return incoming.message()


def _job_error(status: str, payload: Any) -> BaseException:
    """The error of a worker's failed job: its own (``"raise"``: pickled whole,
    ``StdgraphError.__reduce__``), else an ApiError from the status, message and extra
    fields sent."""
    if status == "raise":
        return payload
    return ApiError(payload["status"], payload["message"], **payload["extra"])


class _Worker:
    """``python -m stdgraph.api.worker FD STORE SETUP`` with one end of a socket pair as its
    pipe; ``SETUP`` (JSON) is this process's ``sys.path``, so the worker imports what the server
    can (analysis modules of ``STDGRAPH_ANALYSIS_MODULES``), the modules to import before it
    says it is ready, and this process's id (the worker exits when this process is gone).

    A plain subprocess, not ``multiprocessing``: spawning through multiprocessing re-imports the
    parent's ``__main__``, which an embedding application may not guard. The parent talks to it
    from the event loop with non-blocking socket calls, so no thread sits between them."""

    def __init__(self, store_dir: str, preload: Iterable[str] = (),
                 warm: Iterable[str] = ()) -> None:
        setup = json.dumps({"path": [p for p in sys.path if isinstance(p, str)],
                            "preload": sorted(preload), "warm": list(warm),
                            "parent": os.getpid()})
        parent, child = socket.socketpair()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "stdgraph.api.worker", str(child.fileno()), store_dir,
                 setup],
                pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            child.close()
        self.sock = parent

    #: what a read of a stream's message took of the next one (``recv(follow=True)``)
    pending = b""
    #: the executor's count of writes its kept state is of (``ProcessQueryExecutor.refresh``)
    writes = 0

    def wait_ready(self, timeout: float) -> bool:
        """Block until the worker says it is ready (store open, modules imported), then make
        the pipe non-blocking for the event loop; False when it exits or takes longer than
        ``timeout`` seconds."""
        try:
            self.sock.settimeout(timeout)
            message = recv_message(self.sock)
        except (OSError, EOFError, pickle.UnpicklingError):  # socket.timeout is an OSError
            return False
        finally:
            try:
                self.sock.setblocking(False)
            except OSError:
                pass
        return isinstance(message, tuple) and message[:1] == ("ready",)

    async def send(self, data: bytes) -> None:
        """One message, pickled by the caller."""
        await asyncio.get_running_loop().sock_sendall(self.sock, _HEADER.pack(len(data)) + data)

    async def recv(self, follow: bool = False) -> Any:
        """One message from the worker, as ``recv_message`` reads it but from the event loop;
        ``follow``: one of a stream's, which the worker sends one after another (what a read
        takes of the next one is kept for it: ``pending``)."""
        loop = asyncio.get_running_loop()
        incoming = _Incoming("the query worker", self.pending, follow)
        self.pending = b""
        while incoming.header_wanted():
            incoming.add(await loop.sock_recv(self.sock, _FIRST_READ))
        while (space := incoming.space()) is not None:
            incoming.filled(await loop.sock_recv_into(self.sock, space))
        self.pending = incoming.extra
        return incoming.message()

    async def recv_by(self, deadline: Deadline, follow: bool = False) -> Any:
        """``recv``; TimeoutError once ``deadline`` is past (and a little more)."""
        remaining = deadline.remaining()
        async with asyncio.timeout(None if remaining is None else remaining + 0.05):
            return await self.recv(follow)

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
    #: the start-up time allowed when workers warm up (``warm``): deriving what the analyses
    #: keep can take minutes on a large store
    WARM_TIMEOUT = 900.0

    def __init__(self, store_dir: str, workers: int) -> None:
        self.store_dir = store_dir
        self.size = max(1, workers)
        #: modules every worker imports before it is ready (the routers add the modules of the
        #: functions they will call, so the first call of a new worker does not wait for them)
        self.preload: set[str] = set()
        #: functions (``"module:qualname"``, called ``fn(store)`` with the worker's cache and no
        #: time limit) every worker runs before it is ready: the routers add what derives the
        #: state they keep (the analyses' snapshot), so that no request waits for it under its
        #: time limit; a request waiting for a worker to start does not count that time
        self.warm: list[str] = []
        # last in, first out: the worker used last takes the next job, so under a light load
        # one worker does most of the work with its caches (RocksDB blocks, the analyses the
        # pages quote) warm, and the others stay idle
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()  # started, ready or not
        self._ready: set[_Worker] = set()  # said they are ready (store open, modules imported)
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self.killed = 0  # workers killed at the deadline (for tests and /health)
        #: writes committed (``refresh``): a worker whose kept state is of an earlier one
        #: runs the warm functions again before it takes a job
        self._writes = 0
        self.refreshed = 0  # upkeeps after writes done (for tests)
        self._tasks: set[asyncio.Task] = set()

    def start(self) -> None:
        """Start the workers, one after the other, in a background thread: each is handed out
        once it is ready, so the first job waits for one worker's start, not for all of them
        starting at once."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._fill, name="stdgraph-workers", daemon=True).start()

    def _fill(self) -> None:
        for _ in range(self.size):
            self._spawn()

    @property
    def ready(self) -> int:
        """Workers started and ready (fewer than ``size`` while one starts or is replaced)."""
        with self._lock:
            return len(self._ready)

    def worker_pids(self) -> list[int]:
        """The process ids of the current workers (a killed one is gone from the list)."""
        with self._lock:
            return sorted(w.proc.pid for w in self._all)

    @property
    def start_timeout(self) -> float:
        return self.WARM_TIMEOUT if self.warm else self.START_TIMEOUT

    def wait_until_ready(self, timeout: float = START_TIMEOUT) -> bool:
        """Block until every worker is ready (tests, benchmarks); False after ``timeout``."""
        self.start()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if len(self._ready) >= self.size:
                    return True
            time.sleep(0.02)
        return False

    def _spawn(self) -> None:
        """Start a worker and hand it out once it is ready (this blocks: background threads
        only). One that does not get ready is killed and started again a second later."""
        while not self._closed:
            writes = self._writes  # the warm-up at its start sees these
            w = _Worker(self.store_dir, self.preload, self.warm)
            w.writes = writes
            with self._lock:
                self._all.add(w)
            if w.wait_ready(self.start_timeout) and not self._closed:
                with self._lock:
                    self._ready.add(w)
                self._idle.put(w)
                return
            if self._closed:  # stopped while it started
                self._forget(w)
                return
            log.warning("a query worker did not start (exit status %s); starting another",
                        w.proc.poll())
            self._forget(w)
            time.sleep(1.0)

    def refresh(self) -> None:
        """A write was committed (call on the event loop): every idle worker runs the warm
        functions now, bringing what it keeps up to date for the new state, and a busy one
        does so when its job is done, before it is handed out again; a request meanwhile
        waits for a worker as behind any other job (within its time limit), so the upkeep
        is not paid by the first request after the write. One upkeep at a time per worker;
        writes while it runs make one more, of the newest state."""
        self._writes += 1
        idle = []
        while True:
            try:
                idle.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for w in idle:
            self._release(w)

    def _release(self, w: _Worker) -> None:
        """``w`` back to the pool, after the upkeep of the writes since its last one (on the
        event loop: in a task)."""
        if not self.warm or w.writes >= self._writes or self._closed:
            self._idle.put(w)
            return
        try:
            task = asyncio.get_running_loop().create_task(self._refresh(w))
        except RuntimeError:  # no event loop here: the next warm-up is the next request's
            self._idle.put(w)
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refresh(self, w: _Worker) -> None:
        writes = self._writes
        data = pickle.dumps(("call", function_ref(warm_all), (list(self.warm),), {}, None),
                            protocol=pickle.HIGHEST_PROTOCOL)
        try:
            async with asyncio.timeout(self.WARM_TIMEOUT):
                await w.send(data)
                await w.recv()  # (a failure of the warm-up is the requests' to meet)
        except (EOFError, OSError, TimeoutError):
            self._discard(w)
            return
        except BaseException:
            self._discard(w)
            raise
        w.writes = writes
        self.refreshed += 1
        self._release(w)

    def _forget(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)
            self._ready.discard(w)

    def _replace(self, w: _Worker) -> None:
        self._forget(w)
        self._spawn()

    async def _acquire(self, deadline: Deadline, timeout: float | None) -> _Worker:
        """An idle (ready) worker. Waiting behind other jobs counts against the job's time
        limit; waiting while the pool is not full (the server starting, a killed worker being
        replaced) does not, up to ``START_TIMEOUT``: the deadline moves on by that time."""
        self.start()
        starting_for = 0.0
        while True:
            if self._closed:
                raise ApiError(503, "the server is stopping; try again later")
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                pass
            if len(self._ready) >= self.size and deadline.expired:
                raise QueryTimeout(timeout or 0)
            t0 = time.monotonic()
            await asyncio.sleep(0.005)
            if len(self._ready) < self.size and not self._closed:
                waited = time.monotonic() - t0
                starting_for += waited
                if starting_for > self.start_timeout:
                    raise ApiError(503, "no query worker could start; see the server's log")
                deadline.extend(waited)

    def _discard(self, w: _Worker) -> None:
        """Take ``w`` out of the pool now, kill and replace it in the background."""
        with self._lock:
            self._ready.discard(w)
        threading.Thread(target=self._replace, args=(w,), daemon=True).start()

    async def answer(self, request: AnswerRequest) -> Answer:
        return Answer(**await self._run(("query", request), request.timeout))

    async def call(self, job: CallJob, timeout: float | None) -> Any:
        return await self._run(("call", job.function, job.args, job.kwargs, timeout), timeout)

    async def stream(self, job: CallJob, timeout: float | None) -> AsyncIterator[bytes]:
        """``job``'s text pieces (it returns an iterable of str) as UTF-8 chunks, sent by a
        worker as it makes them; the worker is the job's until the end. The time limit is on
        each stretch without progress (a chunk, or the job's ``DeadlineStore.beat``): past it
        the worker is killed and QueryTimeout raised. A background task reads the worker into
        a queue of two chunks; a consumer that stops taking them (the client went away, the
        iterator was dropped unclosed) for the time limit has the worker killed too, as has
        one that closes the iterator early, since the worker is still sending."""
        data = pickle.dumps(("stream", job.function, job.args, job.kwargs, timeout),
                            protocol=pickle.HIGHEST_PROTOCOL)
        deadline = Deadline(timeout)
        worker = await self._acquire(deadline, timeout)
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(maxsize=2)
        pump = asyncio.create_task(self._pump(worker, data, deadline, timeout, queue))
        try:
            while True:
                kind, payload = await queue.get()
                if kind == "chunk":
                    yield payload
                elif kind == "end":
                    return
                else:
                    raise payload
        finally:
            if not pump.done():
                pump.cancel()

    async def _pump(self, w: _Worker, data: bytes, deadline: Deadline, timeout: float | None,
                    queue: asyncio.Queue[tuple[str, Any]]) -> None:
        """A stream's worker -> ``queue``; the worker goes back to the pool after a clean end
        (or the job's own error), else it is killed and replaced."""
        clean = False
        try:
            await w.send(data)
            while True:
                try:
                    status, payload = await w.recv_by(deadline, follow=True)
                except TimeoutError:
                    self.killed += 1
                    await queue.put(("error", QueryTimeout(timeout or 0)))
                    return
                deadline = Deadline(timeout)
                if status == "beat":
                    continue
                if status == "chunk":
                    try:
                        async with asyncio.timeout(timeout):
                            await queue.put(("chunk", payload))
                    except TimeoutError:
                        return  # nobody takes the chunks any more
                    continue
                if status == "end":
                    clean = not w.pending  # the last message: nothing may follow it
                    await queue.put(("end", None))
                    return
                clean = not w.pending  # the job's own error: the worker is done with it
                await queue.put(("error", _job_error(status, payload)))
                return
        except (EOFError, OSError):
            await queue.put(("error", ApiError(
                503, "the query worker stopped unexpectedly; try again")))
        finally:
            if clean:
                self._release(w)
            else:
                self._discard(w)

    async def _run(self, message: tuple, timeout: float | None) -> Any:
        """Send ``message`` to an idle worker and return its answer's payload; 503 at the
        deadline (the worker is killed), the job's own error re-raised."""
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)  # before taking a worker
        deadline = Deadline(timeout)
        acquired: _Worker
        try:
            acquired = self._idle.get_nowait()  # the usual case: one is idle
        except queue.Empty:
            acquired = await self._acquire(deadline, timeout)
        w: _Worker | None = acquired  # None once discarded: only a live worker goes back
        try:
            await acquired.send(data)
            try:
                status, payload = await acquired.recv_by(deadline)
            except TimeoutError:
                self.killed += 1
                self._discard(acquired)  # the only way to stop a running Oxigraph query
                w = None
                raise QueryTimeout(timeout or 0) from None
        except (EOFError, OSError):
            if w is not None:
                self._discard(w)
                w = None
            if self._closed:
                raise ApiError(503, "the server is stopping; try again later") from None
            raise ApiError(503, "the query worker stopped unexpectedly; try again") from None
        except BaseException:
            if w is not None:  # cancelled mid-message: the pipe may hold a partial reply
                self._discard(w)
                w = None
            raise
        finally:
            if w is not None:
                self._release(w)
        if status == "ok":
            return payload
        raise _job_error(status, payload)

    def stop(self) -> None:
        """The server is stopping: no new workers, and every worker is killed, so a job in
        flight ends now (503, "the server is stopping") instead of at its time limit."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            try:
                w.proc.kill()  # the pipe's other end closes: the job's recv sees EOF
            except OSError:
                pass

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            try:
                w.sock.close()  # the worker sees EOF and exits
            except OSError:
                pass
        for w in workers:
            try:
                w.proc.wait(1)
            except subprocess.TimeoutExpired:
                w.kill()
        with self._lock:
            self._all.clear()
            self._ready.clear()
