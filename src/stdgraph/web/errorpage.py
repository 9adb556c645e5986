"""The page a browser gets for an error (``api.errors.answer``): what went wrong, in the
envelope's words, and where to go on. Mounting the pages (``web.router.web_router``) hands it to
the error handlers through ``ApiContext.error_page``; every other client keeps the JSON
envelope."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import unquote, urlencode

from fastapi import Request

from stdgraph.web.render import page_text

__all__ = ["error_page"]

#: status -> the page's heading
HEADINGS = {400: "This request cannot be answered as it is",
            404: "Nothing here",
            406: "This page does not come in the format asked for",
            503: "The server could not answer in time"}


def error_page(request: Request, status: int, message: str) -> str:
    """The HTML of the error page for ``status`` with ``message`` (the envelope's ``error``)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    root = request.scope.get("root_path", "").rstrip("/")
    path = request.url.path
    last = unquote(path.rstrip("/").rsplit("/", 1)[-1]).replace("-", " ").strip()
    # a query a browser sent to the endpoint: back to the query page with it in the editor,
    # where the page shows where the parser stopped
    query = request.query_params.get("query") if path.rstrip("/").endswith("/sparql") else None
    edit = f"{root}/query?" + urlencode({"query": query}) if query else ""
    return page_text(request, "error.html", status=status, phrase=phrase, message=message,
                     heading=HEADINGS.get(status, phrase), page_path=path,
                     retry=str(request.url.path) + (f"?{request.url.query}"
                                                   if request.url.query else ""),
                     guess=last if status == 404 and last and len(last) <= 60 else "",
                     root_url=root + "/", edit=edit)
