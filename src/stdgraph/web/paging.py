"""Pages of long lists: the URL parameters that choose a page, and the links between pages.

A list that grows with the graph (standards, search results, a report's rows, a standard's
overlaps, the standards addressing a barrier, the links into a resource) is shown a page at a
time: ``page`` (from 1) and ``size`` (default :data:`SIZE`, at most :data:`MAX_SIZE`) on the
list routes, ``<list>_page`` for the lists of an ``/id/`` page. The read model reads that page
(``stdgraph.catalog.common.Window``) and says how many there are in all; :func:`pager` turns that
into what the template shows: "51-100 of 2,345", and the previous and next pages' links, each
the current URL with every other parameter kept (so a page is a permalink of its filters).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from stdgraph.api.http import query_params
from stdgraph.catalog.common import Window
from stdgraph.sparql.named import ParameterError
from stdgraph.web.params import Parameter

__all__ = ["MAX_SIZE", "PAGE", "SIZE", "SIZE_PARAM", "pager", "window"]

#: items per page by default, and the most a request may ask for
SIZE = 50
MAX_SIZE = 500
PAGE = Parameter("page", number=True)
SIZE_PARAM = Parameter("size", number=True)


def window(values: dict[str, Any], page: str = "page", size: str | None = "size",
           default: int = SIZE) -> Window:
    """The page asked for: ``values[page]`` (default 1) of ``values[size]`` items (default
    ``default``; at most :data:`MAX_SIZE`: a larger one is a 400 naming the parameter)."""
    n = values.get(size) if size else None
    if n is not None and n > MAX_SIZE:
        raise ParameterError(size or "size", f"{n} is above the maximum {MAX_SIZE}")
    return Window(values.get(page) or 1, n or default)


def pager(request: Request, listing: dict[str, Any], param: str = "page",
          anchor: str = "") -> dict[str, Any]:
    """What a page of ``listing`` (``catalog.common.paged``: ``total``, ``page``, ``size``,
    ``pages``, ``order``) shows about where it is: ``first``/``last`` (the positions of its
    items, 1-based; 0 and 0 when it has none), ``total``, ``page``, ``pages``, ``order``, and
    ``prev``/``next``: the relative links (``?...``, with ``anchor``) to the pages around it,
    None at either end. The links keep every parameter of the request but ``param``."""
    page, size, total = listing["page"], listing["size"], listing["total"]
    shown = len(listing["items"])
    given = [(k, v) for k, vs in query_params(request).items() if k != param for v in vs]

    def link(n: int) -> str:
        return "?" + urlencode(given + ([(param, str(n))] if n > 1 else [])) + anchor

    first = (page - 1) * size + 1 if shown else 0
    return {"first": first, "last": first + shown - 1 if shown else 0, "total": total,
            "page": page, "pages": listing["pages"], "order": listing["order"],
            "prev": link(min(page - 1, listing["pages"])) if page > 1 else None,
            "next": link(page + 1) if page < listing["pages"] else None}
