"""``/search?q=``: resources whose label or identifier contains ``q``; HTML or JSON."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from stdgraph.api.http import query_params
from stdgraph.catalog.search import search as find
from stdgraph.web.site import HTML_JSON, Site


def routes(router: APIRouter, site: Site) -> None:
    @router.get("/search", summary="Search labels and identifiers (?q=, HTML or JSON)",
                responses={200: {"content": {"text/html": {}, "application/json": {}},
                                 "description": "Matching resources."}})
    async def search(request: Request) -> Response:
        fmt = site.pick(request, HTML_JSON, "search results")
        q_text = (query_params(request).get("q", [""])[0] or "").strip()[:200]
        results = await site.read(find, site.base, q_text)
        if fmt == "json":
            return JSONResponse({"q": q_text, "count": len(results), "items": results},
                                headers={"Vary": "Accept"})
        return site.render(request, "search.html", q=q_text, results=results)
