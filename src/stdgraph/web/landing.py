"""``/``: the landing page (counts per class, where to start)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from stdgraph.catalog.overview import landing as landing_model
from stdgraph.web.site import Site


def routes(router: APIRouter, site: Site) -> None:
    @router.get("/", summary="Landing page", response_class=HTMLResponse)
    async def landing(request: Request) -> Response:
        return site.render(request, "index.html",
                           **(await site.read(landing_model)))
