"""The query worker process: opens the embedded store read-only and runs the runner's jobs.

Started by ``executor.ProcessQueryExecutor``, one job at a time over a pipe: ``("query",
request)`` answers a SPARQL query (``Store.answer`` of a ``store.base.AnswerRequest``, which
pickles), ``("call", function, args, kwargs, timeout)`` runs a named module-level function
against the store (``executor.CallJob``: an analysis, a page's read model), read through a
``DeadlineStore`` with this worker's ``StateCache``. A worker whose job runs past
the time limit is killed by the parent and replaced, which is the only way to stop a running
Oxigraph query from Python. Workers follow the store's ``CURRENT`` pointer, so they see every
write committed through the API (writes commit by switching generations).
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import pickle
import socket
import sys
import threading
import time
from typing import Any

from stdgraph.api.errors import error_extra
from stdgraph.api.executor import CallJob, recv_message, send_message, stream_chunks
from stdgraph.deadline import Deadline
from stdgraph.errors import StdgraphError
from stdgraph.store import open_store
from stdgraph.store.base import Store
from stdgraph.store.bounded import StateCache


def _error_payload(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, StdgraphError):
        return {"status": exc.http_status, "message": exc.message, "extra": error_extra(exc)}
    return {"status": 500, "message": f"internal error: {type(exc).__name__}: {exc}",
            "extra": {}}


def _failure(exc: BaseException) -> tuple[str, Any]:
    """What the parent gets for a failed job: the error itself when it is one of stdgraph's
    and survives pickling (so a ParameterError stays one), else its status and message."""
    if isinstance(exc, StdgraphError):
        try:
            pickle.loads(pickle.dumps(exc))
            return ("raise", exc)
        except Exception:  # noqa: BLE001 - an attribute that does not pickle: send the gist
            pass
    return ("error", _error_payload(exc))


def _run(store: Store, job: tuple, cache: StateCache) -> Any:
    if job[0] == "query":
        return store.answer(job[1]).__dict__
    _kind, function, args, kwargs, timeout = job
    return CallJob(function, args, kwargs).run(store, Deadline(timeout), cache)


def _exit_with(parent: int, interval: float = 0.2) -> None:
    """Exit as soon as the server that started this worker is gone (reparented: a SIGKILL of
    the server leaves no one to kill its workers). Without this, a worker running an update on
    its checkpoint kept the checkpoint's RocksDB lock, and the next start could not remove it.
    A thread, not PR_SET_PDEATHSIG: that signal follows the *thread* that started the worker,
    and the executor starts workers from short-lived threads. pyoxigraph releases the GIL while
    it evaluates, so the thread runs during a long query or update."""

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(0)
            time.sleep(interval)

    threading.Thread(target=watch, name="stdgraph-parent-watch", daemon=True).start()


def _stream(store: Store, job: tuple, cache: StateCache, send) -> None:
    """A stream job: its chunks, then ``("end", None)``; ``("beat", None)`` at most once a
    second while the job says it is getting on with nothing to send yet. No deadline of its
    own: the parent kills the worker when nothing comes for the time limit."""
    _kind, function, args, kwargs, _timeout = job
    last = [time.monotonic()]

    def beat() -> None:
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            send(("beat", None))

    pieces = CallJob(function, args, kwargs).run(store, Deadline(None), cache, beat)
    for chunk in stream_chunks(pieces):
        send(("chunk", chunk))
        last[0] = time.monotonic()
    send(("end", None))


def _warm(store: Store, cache: StateCache, text: str | None) -> None:
    """The setup's ``warm`` functions, ``fn(store)`` with this worker's cache and no time
    limit, before the worker says it is ready (a failure is left for the jobs to meet)."""
    for ref in json.loads(text).get("warm", []) if text else []:
        try:
            CallJob(ref).run(store, Deadline(None), cache)
        except Exception:  # noqa: BLE001, S112 - a job doing the same will say what is wrong
            continue


def _setup(text: str | None) -> None:
    """The server's ``sys.path`` first, then the modules to have imported before the first
    job (a module that fails to import is left for the job to report)."""
    if not text:
        return
    setup = json.loads(text)
    path = [p for p in setup.get("path", []) if isinstance(p, str)]
    sys.path[:] = path + [p for p in sys.path if p not in path]
    for module in setup.get("preload", []):
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001, S112 - the job naming it will say what is wrong
            continue


def worker_main(sock, store_spec: str,
                setup: str | None = None) -> None:  # pragma: no cover - runs in a child process
    """Answer jobs from ``sock`` on the store ``store_spec`` names (``Store.reader_spec``),
    opened read-only."""

    class _Conn:
        def send(self, obj) -> None:
            send_message(sock, obj)

        def recv(self):
            return recv_message(sock)

    conn = _Conn()
    parent = json.loads(setup).get("parent") if setup else None
    if isinstance(parent, int):
        _exit_with(parent)
    store = open_store(store_spec, read_only=True)
    cache = StateCache()  # what calls derive from the store, for this worker's life
    _setup(setup)
    _warm(store, cache, setup)
    # what the jobs keep (the analyses' snapshot: millions of objects on a large store) is
    # left out of the cyclic garbage collector's full passes, which would otherwise take
    # half a second each, at random, in later jobs; the same after every job (after its own
    # cyclic garbage, young, is collected: a frozen cycle would never be)
    gc.collect()
    gc.freeze()
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        if job[0] == "stream":
            try:
                _stream(store, job, cache, conn.send)
            except OSError:
                return  # the parent closed the pipe (it kills a worker whose stream it left)
            except BaseException as e:  # noqa: BLE001 - the failure ends the stream
                try:
                    conn.send(_failure(e))
                except OSError:
                    return
            _settle()
            continue
        try:
            try:
                result = _run(store, job, cache)
            except OSError:
                store.close()  # the generation may have been replaced under us: reopen once
                result = _run(store, job, cache)
            conn.send(("ok", result))
        except BaseException as e:  # noqa: BLE001 - every failure goes back to the parent
            conn.send(_failure(e))
        result = None
        _settle()


def _settle() -> None:
    """After a job: collect its young cyclic garbage, freeze what is left (see worker_main)."""
    gc.collect(1)
    gc.freeze()


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - child process
    args = sys.argv[1:] if argv is None else argv
    worker_main(socket.socket(fileno=int(args[0])), args[1], args[2] if len(args) > 2 else None)


if __name__ == "__main__":  # pragma: no cover
    main()
