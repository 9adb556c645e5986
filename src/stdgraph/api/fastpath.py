"""A raw ASGI fast path for SPARQL queries on ``/sparql``: ``GET ?query=...``, and POST with the
query as the body (``application/sparql-query``) or form-encoded (``query=``) - the requests
SPARQL clients make (SPARQLWrapper and rdflib's SPARQLStore GET or POST, YASGUI and Comunica
POST).

A point lookup takes Oxigraph about 0.05 ms; FastAPI's router, its middleware stack and its
per-request bookkeeping (dependency solving, route matching over every route) add about 0.1 ms,
which alone put stdgraph over 1.5x of ``oxigraph serve`` on small queries (docs/performance.md).
So the app itself (``StdgraphApp``, a FastAPI subclass: routes, OpenAPI, TestClient all as usual)
hands such requests straight to the ``/sparql`` route's own code (``routes.sparql``: the fast
handler is the route's handler with a door for what it leaves to FastAPI), so the protocol rules,
negotiation and limits are the same code, and errors get the same envelope
(``errors.response_for``; a browser's navigation gets the error page, with the page headers of
``api.security``).

What the fast handler does not answer it passes on (``PassOn``), and FastAPI answers it as if
the fast path were not there: updates (``application/sparql-update``, a form with ``update=``:
the write path's token check and guard stay behind FastAPI's route), and the body the handler
already read is replayed. Everything else - other paths and methods, a GET without a query
string, and every request when CORS is configured (its middleware must see them) - goes through
FastAPI unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from stdgraph.api.errors import response_for
from stdgraph.api.security import HtmlHeaders

Handler = Callable[[Request], Awaitable[Response]]


class PassOn(Exception):  # noqa: N818 - a signal, not an error
    """Raised by the fast handler: FastAPI answers this request. ``body``: what the handler
    already read of the request body (it is replayed), ``None`` when it read nothing."""

    def __init__(self, body: bytes | None = None) -> None:
        super().__init__()
        self.body = body


def replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that first gives ``body`` whole, then whatever ``receive`` gives (the
    client's disconnect)."""
    pending = True

    async def again() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


class StdgraphApp(FastAPI):
    """FastAPI, with ``GET {fast_path}?...`` and ``POST {fast_path}`` answered by
    ``fast_handler`` before FastAPI's layers (set both after the routes are included)."""

    fast_handler: Handler | None = None
    fast_path: str = "/sparql"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.fast_handler
        if (handler is None or scope["type"] != "http" or scope["path"] != self.fast_path
                or not (scope["method"] == "POST"
                        or (scope["method"] == "GET" and scope.get("query_string")))):
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except PassOn as passed:
            again = receive if passed.body is None else replay(passed.body, receive)
            await super().__call__(scope, again, send)
            return
        except ClientDisconnect:
            return  # gone before its body was whole: nothing to answer, nothing was run
        except Exception as exc:  # noqa: BLE001 - every failure gets the API's envelope
            # or, for a browser, the error page: with the headers of every page (the fast path
            # is outside the app's middleware)
            await HtmlHeaders(response_for(request, exc))(scope, receive, send)
            return
        await response(scope, receive, send)
