"""The router of the pages: one page module per kind of page, assembled in :data:`PAGES`.

A page module may have ``routes(router, site)``, which adds its URL routes, and ``KINDS``, a
dict from a class IRI to the view of an instance's ``/id/`` page (``(site, resource) -> dict``
of the template's name, ``"template"``, and its values). The order of :data:`PAGES` is the order
of the routes (and of the OpenAPI document) and, among the kinds, which one a resource of
several classes gets (the first). To add a kind of page: write ``web/<kind>.py`` and add it
here. Every GET route also answers HEAD.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from fastapi.routing import APIRoute

from stdgraph.api.context import ApiContext
from stdgraph.web import (
    architecture,
    concern,
    entity,
    landing,
    ontology,
    query,
    relevance,
    reports,
    resource,
    review,
    roadmap,
    search,
    standard,
    translate,
)
from stdgraph.web.errorpage import error_page
from stdgraph.web.site import Site

PAGES = [
    resource,      # /context.jsonld, /id/{path}: any resource, negotiated
    ontology,      # /ontology
    landing,       # /
    search,        # /search
    standard,      # sg:Standard pages; /standards (a heatmap cell's list)
    architecture,  # /architectures; sg:ReferenceArchitecture pages (elements, heatmap)
    concern,       # sg:Barrier and sg:Theme pages
    entity,        # sg:StandardsBody, sg:Committee, sg:StakeholderType, sg:Technology pages
    relevance,     # /relevance
    roadmap,       # /roadmap; sg:Recommendation and sg:RoadmapItem pages
    reports,       # /reports, /reports/{name}
    translate,     # /translate
    review,        # /review: accept or reject stored suggestions
    query,         # /query: the SPARQL query page (also GET /sparql for a browser)
]


def web_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["linked data and pages"])
    site = Site(ctx)
    ctx.error_page = error_page  # errors for browsers (api.errors.answer)
    # the pages' reads run in the query runner: its worker processes import them ahead
    ctx.executor.preload.add(__name__)
    for page in PAGES:
        site.kinds.update(getattr(page, "KINDS", {}))
        if hasattr(page, "routes"):
            page.routes(router, site)
    # HEAD: every GET route of this router, same status and headers, no body
    gets = [r for r in router.routes if isinstance(r, APIRoute) and "GET" in (r.methods or ())]
    for route in gets:
        router.add_api_route(route.path, _headless(route.endpoint), methods=["HEAD"],
                             name=route.name + "_head", include_in_schema=False)
    return router


def _headless(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The GET handler answering HEAD: its response with the body dropped, so Content-Type,
    Content-Length, Link and Vary are those of GET (RFC 9110 9.3.2). Errors keep their status;
    the server sends no body for HEAD."""

    @functools.wraps(endpoint)
    async def head(*args: Any, **kwargs: Any) -> Response:
        resp = await endpoint(*args, **kwargs)
        resp.body = b""
        return resp

    return head


__all__ = ["PAGES", "web_router"]
