"""A standard's page (the ``sg:Standard`` kind of ``/id/``) and ``/standards?element=``, the
standards classified in every given element (the list behind a heatmap cell; every standard
without one), a page at a time (``page``, ``size``: ``web.paging``); HTML or JSON (``count``:
how many in all, ``items``: the page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from stdgraph.catalog.common import SG
from stdgraph.catalog.resource import Resource
from stdgraph.catalog.standard import standard, standards_in
from stdgraph.web.paging import PAGE, SIZE_PARAM, pager, window
from stdgraph.web.params import Parameter, read
from stdgraph.web.site import HTML_JSON, PageReads, Site, found

ELEMENT = Parameter("element", repeat=True, iri=True)


def page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return {"template": "standard.html",
            **found(res, standard(reads.store, res.iri, resource=res,
                                  overlaps=reads.window("overlaps"),
                                  conflicts=reads.window("conflicts")))}


KINDS = {SG + "Standard": page}


def routes(router: APIRouter, site: Site) -> None:
    @router.get("/standards", summary="Standards classified in every given element (paged)",
                responses={200: {"content": {"text/html": {}, "application/json": {}},
                                 "description": "The standards."}})
    async def standards(request: Request) -> Response:
        fmt = site.pick(request, HTML_JSON, "a list of standards")
        given = read(request, ELEMENT, PAGE, SIZE_PARAM)
        data = await site.read(standards_in, given["element"], window(given))
        if fmt == "json":
            return JSONResponse({**data, "count": data["total"]}, headers={"Vary": "Accept"})
        return site.render(request, "standards.html", **data, page_links=pager(request, data))
