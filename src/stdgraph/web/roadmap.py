"""``/roadmap``, the roadmap items on a 2019-2023 timeline, and the recommendation and roadmap
item pages (the ``sg:Recommendation`` and ``sg:RoadmapItem`` kinds of ``/id/``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from stdgraph.catalog.common import SG
from stdgraph.catalog.resource import Resource
from stdgraph.catalog.roadmap import recommendation, roadmap_item
from stdgraph.catalog.roadmap import roadmap as timeline
from stdgraph.web.site import PageReads, Site, found


def recommendation_page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return {"template": "recommendation.html",
            **found(res, recommendation(reads.store, res.iri, resource=res))}


def item_page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return {"template": "roadmap_item.html",
            **found(res, roadmap_item(reads.store, res.iri, resource=res))}


KINDS = {SG + "Recommendation": recommendation_page, SG + "RoadmapItem": item_page}


def routes(router: APIRouter, site: Site) -> None:
    @router.get("/roadmap", summary="The roadmap as a timeline 2019-2023",
                response_class=HTMLResponse)
    async def roadmap(request: Request) -> Response:
        return site.render(request, "roadmap.html",
                           **(await site.read(timeline)))
