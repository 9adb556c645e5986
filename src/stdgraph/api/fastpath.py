"""A raw ASGI fast path for ``GET /sparql?query=...``, the request SPARQL clients make most.

A point lookup takes Oxigraph about 0.05 ms; FastAPI's router, its middleware stack and its
per-request bookkeeping add more than that, which alone put stdgraph over 1.5x of ``oxigraph
serve`` on small queries (docs/performance.md). So the app itself (``StdgraphApp``, a FastAPI
subclass: routes, OpenAPI, TestClient all as usual) hands such requests straight to the handler
the ``/sparql`` route uses (``routes.sparql``), so the protocol rules, negotiation and limits
are the same code, and errors get the same envelope (``errors.response_for``). Everything else
— other paths and methods, a GET without a query string, and every request when CORS is
configured (its middleware must see them) — goes through FastAPI unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from stdgraph.api.errors import response_for

Handler = Callable[[Request], Awaitable[Response]]


class StdgraphApp(FastAPI):
    """FastAPI, with ``GET {fast_path}?...`` answered by ``fast_handler`` before FastAPI's
    layers (set both after the routes are included)."""

    fast_handler: Handler | None = None
    fast_path: str = "/sparql"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.fast_handler
        if (handler is None or scope["type"] != "http" or scope["method"] != "GET"
                or scope["path"] != self.fast_path or not scope.get("query_string")):
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except Exception as exc:  # noqa: BLE001 - every failure gets the API's envelope
            response = response_for(request, exc)
        await response(scope, receive, send)
