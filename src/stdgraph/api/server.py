"""Running the app under uvicorn, with the limits a server facing the network needs: what
``stdgraph serve`` runs.

* **Request line and headers** (``STDGRAPH_MAX_HEADER_BYTES``, ``STDGRAPH_MAX_HEADERS``): uvicorn
  reads a request's head without any limit (a 100 MB header was answered 200 after 13 s, the
  server 190 MB larger; 5,000 headers, an 8 MiB cookie were read). :class:`LimitedHttpTools` is
  uvicorn's httptools protocol counting as it parses: a request line longer than the limit is
  **414**, a head (request line and header fields) longer than it or with more header fields
  than allowed is **431**, each the JSON error envelope, and the connection is closed at once;
  bytes of a head still incomplete are counted as they arrive, so a huge header is refused
  after at most one read past the limit, not buffered. (Bodies are capped by the routes:
  ``STDGRAPH_MAX_BODY_BYTES``, 413.) Without httptools, uvicorn's h11 protocol gets the same
  byte limit (``h11_max_incomplete_event_size``; h11 answers 400).
* **Access log**: the values of ``token``, ``access_token`` and other ``*token``, ``password``
  and ``api_key`` parameters of a logged URL are replaced by ``[redacted]`` (a token belongs
  in the Authorization header, which is never logged; one sent in the URL is refused, and must
  not end up in the log either).
* **Stopping** (``STDGRAPH_SHUTDOWN_TIMEOUT``): on SIGTERM or Ctrl-C uvicorn waits that long
  for requests in flight, then cancels them; the process then waits at most as long again for
  threads still working (a write committing) and exits even if one is stuck in native code (a
  query on a thread: ``STDGRAPH_QUERY_PROCESSES=false``). A write cut short is all or nothing:
  the store stays as it was before it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
import threading
import time
from typing import Any

import uvicorn

from stdgraph.settings import Settings

__all__ = ["LimitedHttpTools", "RedactTokens", "protocol_for", "run"]

log = logging.getLogger("stdgraph.api")

try:  # uvicorn[standard] brings httptools; a plain uvicorn has only h11
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - the project depends on uvicorn[standard]
    httptools = None  # type: ignore[assignment]
    HttpToolsProtocol = object  # type: ignore[assignment, misc]


class _Refused(Exception):
    """Raised in a parser callback to stop parsing a head over the limits."""


def _envelope(status: int, message: str) -> bytes:
    reason = {414: b"URI Too Long", 431: b"Request Header Fields Too Large"}[status]
    body = json.dumps({"ok": False, "status": status, "error": message}).encode()
    return (b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n" % (status, reason, len(body))) + body


class LimitedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with limits on the request head (module docstring); the
    limits are class attributes (``protocol_for`` makes a subclass per settings)."""

    max_head_bytes = 32 * 1024
    max_headers = 100

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True  # reading a request line and headers (not yet complete)
        self._raw = 0  # bytes received while in the head
        self._line = 0  # bytes of the request target
        self._fields = 0  # bytes of the header fields, "name: value\r\n"
        self._count = 0
        self._refusal: tuple[int, str] | None = None

    # -- counting ------------------------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._line, self._fields, self._count = True, 0, 0, 0

    def on_url(self, url: bytes) -> None:
        self._line += len(url)
        if self._line > self.max_head_bytes:
            self._refuse(414, f"the request line is longer than {self.max_head_bytes} bytes "
                              "(STDGRAPH_MAX_HEADER_BYTES); send a long query in a POST body")
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count += 1
        self._fields += len(name) + len(value) + 4
        if self._count > self.max_headers:
            self._refuse(431, f"more than {self.max_headers} header fields "
                              "(STDGRAPH_MAX_HEADERS)")
        if self._line + self._fields > self.max_head_bytes:
            self._refuse(431, self._too_long())
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head, self._raw = False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._raw = True, 0

    def _too_long(self) -> str:
        return (f"the request line and headers are longer than {self.max_head_bytes} bytes "
                "(STDGRAPH_MAX_HEADER_BYTES)")

    def _refuse(self, status: int, message: str) -> None:
        self._refusal = (status, message)
        raise _Refused

    # -- answering -------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._raw += len(data)
        super().data_received(data)  # a callback's _Refused ends in send_400_response
        if (self._refusal is None and self._in_head and self._raw > self.max_head_bytes
                and not self.transport.is_closing()):
            # a field still incomplete (httptools holds it until its end): refuse now
            self._refusal = (431, self._too_long())
            self._send_refusal()

    def send_400_response(self, msg: str) -> None:
        if self._refusal is None:
            super().send_400_response(msg)
        else:
            self._send_refusal()

    def _send_refusal(self) -> None:
        assert self._refusal is not None
        status, message = self._refusal
        log.warning("refused a request from %s: %s", self.client, message)
        if not self.transport.is_closing():
            self.transport.write(_envelope(status, message))
            self.transport.close()


def protocol_for(settings: Settings) -> type[Any] | str:
    """The HTTP protocol uvicorn runs: ``LimitedHttpTools`` with the settings' limits, or
    ``"h11"`` where httptools is missing (its limit is set by ``run``)."""
    if httptools is None:  # pragma: no cover
        return "h11"
    return type("StdgraphHttpTools", (LimitedHttpTools,),
                {"max_head_bytes": settings.max_header_bytes,
                 "max_headers": settings.max_headers})


#: query parameters whose values never reach the log
_SECRET = re.compile(r"(?i)([?&](?:[a-z0-9_.-]*token|password|passwd|secret|api[_-]?key)=)"
                     r"[^&#\s]*")


class RedactTokens(logging.Filter):
    """Replaces the values of secret-looking query parameters in uvicorn's access log lines
    (their arguments: client, method, path with query, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], _SECRET.sub(r"\1[redacted]", args[2]), *args[3:])
        return True


def run(app: Any, settings: Settings) -> None:
    """Serve ``app`` on ``settings.host``/``port`` until SIGTERM or Ctrl-C, then leave within
    about twice ``settings.shutdown_timeout`` (module docstring)."""
    access = logging.getLogger("uvicorn.access")
    redact = RedactTokens()
    access.addFilter(redact)
    grace = max(1, math.ceil(settings.shutdown_timeout))
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="info",
        access_log=settings.access_log, http=protocol_for(settings),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_graceful_shutdown=grace)
    try:
        _Server(config, getattr(getattr(app, "state", None), "stdgraph", None)).run()
    finally:
        access.removeFilter(redact)
    _leave(settings.shutdown_timeout)


class _Server(uvicorn.Server):
    """uvicorn's server, which on SIGTERM / Ctrl-C also stops the app's query workers at once:
    a query, analysis or update evaluation in flight ends with 503 ("the server is stopping")
    instead of holding the shutdown until its time limit."""

    def __init__(self, config: uvicorn.Config, context: Any) -> None:
        super().__init__(config)
        self.context = context

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        stop = getattr(self.context, "stop", None)
        if stop is not None:
            stop()


def _leave(timeout: float) -> None:
    """Wait up to ``timeout`` seconds for the threads still working, then exit the process even
    if one is stuck (Python would wait for it forever: thread pools are joined at exit)."""
    end = time.monotonic() + timeout
    for t in threading.enumerate():
        if t is threading.current_thread() or t.daemon:
            continue
        t.join(max(0.0, end - time.monotonic()))
    stuck = [t.name for t in threading.enumerate()
             if t is not threading.current_thread() and not t.daemon and t.is_alive()]
    if stuck:
        log.warning("leaving with threads still running after %g s: %s", timeout,
                    ", ".join(stuck))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
