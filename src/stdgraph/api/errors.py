"""The one error envelope of the HTTP API, and the handlers that produce it.

Every error answer, from every route, is JSON::

    {"ok": false, "status": 406, "error": "a sentence saying what went wrong and what works",
     ...extra fields: "supported", "line", "column", "report", "limit"...}

Routes raise ``ApiError`` (or any ``stdgraph.errors.StdgraphError``, which carries its HTTP
status); ``install_error_handlers`` turns them, Starlette's own 404/405 and unexpected exceptions
(500, logged without request data) into the envelope.

A browser gets a page instead: a ``GET`` or ``HEAD`` whose ``Accept`` prefers ``text/html`` to
JSON (a browser's navigation), when the pages are mounted (``ApiContext.error_page``, set by
``web.router``), is answered with the same status and headers and an HTML page saying what went
wrong and where to go on. Every other client gets the envelope, whatever the route.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from stdgraph.api.negotiation import negotiate
from stdgraph.errors import QuerySyntaxError, RDFSyntaxError, StdgraphError

__all__ = ["ApiError", "error_response", "error_extra", "install_error_handlers",
           "wants_page"]

log = logging.getLogger("stdgraph.api")


class ApiError(StdgraphError):
    """An HTTP error with a status, a message, optional extra envelope fields and headers."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.http_status = status
        self.headers = dict(headers or {})
        self.extra = extra


def error_response(
    status: int,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """``{"ok": false, "status": ..., "error": ..., **extra}`` with that status."""
    body = {"ok": False, "status": status, "error": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def error_extra(exc: StdgraphError) -> dict[str, Any]:
    """Envelope fields a library error carries (syntax position, supported media types...)."""
    extra: dict[str, Any] = dict(getattr(exc, "extra", {}) or {})
    if isinstance(exc, QuerySyntaxError):
        extra.setdefault("line", exc.line)
        extra.setdefault("column", exc.column)
        extra.setdefault("reason", exc.reason)
    elif isinstance(exc, RDFSyntaxError):
        extra.setdefault("line", exc.position.line)
        extra.setdefault("column", exc.position.column)
        extra.setdefault("reason", exc.reason)
    param = getattr(exc, "param", None)  # a named-query, analysis or page parameter
    if isinstance(param, str):
        extra.setdefault("parameter", param)
    supported = getattr(exc, "supported", None)
    if supported:
        extra.setdefault("supported", list(supported))
    return extra


def _status_text(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def response_for(request: Request, exc: Exception) -> Response:
    """The error for an exception raised outside FastAPI's handlers (the fast path): the
    envelope, or the page for a browser's navigation, as ``answer`` gives it (a malformed
    ``GET /sparql?query=`` a browser opened gets the page with the parser's line and column)."""
    if isinstance(exc, StdgraphError):
        return answer(request, exc.http_status, exc.message,
                      headers=getattr(exc, "headers", None), **error_extra(exc))
    if isinstance(exc, StarletteHTTPException):
        return answer(request, exc.status_code, str(exc.detail), headers=exc.headers)
    log.error("internal error on %s %s: %s: %s", request.method, request.url.path,
              type(exc).__name__, exc)
    return answer(request, 500, f"internal error: {type(exc).__name__}")


def wants_page(request: Request) -> bool:
    """Whether ``request`` is a browser's navigation: a GET or HEAD whose ``Accept`` prefers
    ``text/html`` to JSON (``*/*`` alone, or no header, is JSON)."""
    return request.method in {"GET", "HEAD"} and negotiate(
        request.headers.get("accept"), ["application/json", "text/html"]) == "text/html"


def answer(request: Request, status: int, message: str, *,
           headers: Mapping[str, str] | None = None, **extra: Any) -> Response:
    """The error for ``request``: the page of ``ApiContext.error_page`` for a browser
    (``wants_page``) when the pages are mounted, else the envelope."""
    ctx = getattr(request.app.state, "stdgraph", None)
    page = getattr(ctx, "error_page", None)
    if page is not None and wants_page(request):
        return HTMLResponse(page(request, status, message), status_code=status,
                            headers={**dict(headers or {}), "Vary": "Accept"})
    return error_response(status, message, headers=headers, **extra)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StdgraphError)
    async def _stdgraph_error(request: Request, exc: StdgraphError) -> Response:
        return answer(request, exc.http_status, exc.message,
                      headers=getattr(exc, "headers", None), **error_extra(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else _status_text(exc.status_code)
        if exc.status_code == 404:
            message = f"no resource at {request.url.path}"
        elif exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow") or (exc.headers or {}).get("allow")
            message = f"method {request.method} is not allowed on {request.url.path}" + (
                f"; allowed: {allow}" if allow else "")
        return answer(request, exc.status_code, message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}"
                    for e in exc.errors()]
        return answer(request, 400, "invalid request: " + "; ".join(problems))

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect) -> Response:
        # the client left before its body was whole: nothing was run; no one reads the answer
        return answer(request, 400, "the client went away before the request body was complete")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("internal error on %s %s: %s: %s", request.method, request.url.path,
                  type(exc).__name__, exc)
        return answer(request, 500, f"internal error: {type(exc).__name__}")
