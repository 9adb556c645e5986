"""The headers every HTML answer carries (issue 21, item 6): a Content-Security-Policy,
``X-Content-Type-Options: nosniff`` and ``Referrer-Policy``.

The pages (``stdgraph.web``) load their scripts and styles from this server's ``/static`` and
have no inline script or style (the query page's configuration is a JSON data block, which no
browser runs; the heatmap's shades are classes), so their policy allows only this origin:
nothing injected into a page - an IRI, a label - can run, load or send anything elsewhere.
Links are made only to ``http(s)`` IRIs besides (``web.render.linkable``). The API
documentation (``/docs``, Swagger UI, ``api.routes.docs``) loads its files from this server too
but starts with an inline script: its policy allows the hash of each of its inline scripts,
computed from the page itself, so nothing else inline runs there either (inline styles are
allowed there only: Swagger UI styles its elements itself; a style cannot run anything, and the
page shows the OpenAPI document, no data from the store).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PAGE_CSP", "HtmlHeaders", "docs_csp"]

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
            "object-src 'none'")

_COMMON = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def docs_csp(page: bytes) -> str:
    """The policy of an API documentation page: this server, and its own inline scripts by
    hash."""
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(m).digest()).decode() + "'"
                      for m in _INLINE_SCRIPT.findall(page))
    return (f"default-src 'self'; script-src 'self' {hashes}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'; object-src 'none'")


class HtmlHeaders:
    """ASGI middleware: an HTML answer gets ``PAGE_CSP`` (``docs_csp`` under ``docs_paths``),
    nosniff and a same-origin Referrer-Policy; other answers pass untouched."""

    def __init__(self, app: ASGIApp, docs_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path") in self.docs_paths
        held: list[Message] = []

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if not ctype.startswith(b"text/html"):
                    await send(message)
                    return
                headers += _COMMON
                if not docs:
                    headers.append((b"content-security-policy", PAGE_CSP.encode()))
                    await send({**message, "headers": headers})
                    return
                held.append({**message, "headers": headers})  # its policy needs the body
                return
            if held and message["type"] == "http.response.body":
                held.append(message)
                if message.get("more_body"):
                    return
                start, *parts = held
                body = b"".join(p.get("body", b"") for p in parts)
                start["headers"].append((b"content-security-policy", docs_csp(body).encode()))
                held.clear()
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, sending)
