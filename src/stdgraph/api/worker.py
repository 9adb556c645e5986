"""The query worker process: opens the embedded store read-only and answers query jobs.

Started by ``executor.ProcessQueryExecutor`` (``spawn``), one job at a time over a pipe. A worker
whose query runs past the time limit is killed by the parent and replaced, which is the only way
to stop a running Oxigraph query from Python. Workers follow the store's ``CURRENT`` pointer, so
they see every write committed through the API (writes commit by switching generations).
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from stdgraph.api.errors import error_extra
from stdgraph.api.executor import recv_message, send_message
from stdgraph.errors import StdgraphError
from stdgraph.store import open_store


def _error_payload(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, StdgraphError):
        return {"status": exc.http_status, "message": exc.message, "extra": error_extra(exc)}
    return {"status": 500, "message": f"internal error: {type(exc).__name__}: {exc}",
            "extra": {}}


def worker_main(sock, store_spec: str) -> None:  # pragma: no cover - runs in a child process
    """Answer jobs from ``sock`` on the store ``store_spec`` names (``Store.reader_spec``),
    opened read-only."""

    class _Conn:
        def send(self, obj) -> None:
            send_message(sock, obj)

        def recv(self):
            return recv_message(sock)

    conn = _Conn()
    store = open_store(store_spec, read_only=True)
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            try:
                ans = store.answer(**job)
            except OSError:
                store.close()  # the generation may have been replaced under us: reopen once
                ans = store.answer(**job)
            conn.send(("ok", ans.__dict__))
        except BaseException as e:  # noqa: BLE001 - every failure goes back to the parent
            conn.send(("error", _error_payload(e)))


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - child process
    args = sys.argv[1:] if argv is None else argv
    worker_main(socket.socket(fileno=int(args[0])), args[1])


if __name__ == "__main__":  # pragma: no cover
    main()
