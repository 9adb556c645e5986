"""``/search?q=``: resources whose label or identifier contains ``q``, a page at a time
(``page``, ``size``: ``web.paging``); HTML or JSON (``count``: how many in all, ``items``: the
page)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from stdgraph.api.executor import warm_first
from stdgraph.catalog.search import search as find
from stdgraph.catalog.search import warm_search
from stdgraph.web.paging import PAGE, SIZE_PARAM, pager, window
from stdgraph.web.params import Parameter, read
from stdgraph.web.site import HTML_JSON, Site

Q = Parameter("q")


def routes(router: APIRouter, site: Site) -> None:
    warm_first(site.ctx.executor, warm_search)  # each worker reads the search index first

    @router.get("/search", summary="Search labels and identifiers (?q=, paged; HTML or JSON)",
                responses={200: {"content": {"text/html": {}, "application/json": {}},
                                 "description": "Matching resources."}})
    async def search(request: Request) -> Response:
        fmt = site.pick(request, HTML_JSON, "search results")
        given = read(request, Q, PAGE, SIZE_PARAM)
        q_text = (given["q"] or "").strip()[:200]
        found = await site.read(find, site.base, q_text, window(given))
        if fmt == "json":
            return JSONResponse({"q": q_text, "count": found["total"], **found},
                                headers={"Vary": "Accept"})
        return site.render(request, "search.html", q=q_text, results=found["items"],
                           page_links=pager(request, found))
