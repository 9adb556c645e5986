"""A reference architecture's page (the ``sg:ReferenceArchitecture`` kind of ``/id/``): its
elements by axis with the number of standards in each; RAMI 4.0's coverage heatmap, each cell
linked to ``/standards``. ``/architectures``: every reference architecture, with how many
standards are placed on it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from stdgraph.catalog.architecture import architecture, architectures
from stdgraph.catalog.common import SG
from stdgraph.catalog.resource import Resource
from stdgraph.web.params import read
from stdgraph.web.site import PageReads, Site


def page(reads: PageReads, res: Resource) -> dict[str, Any]:
    return {"template": "architecture.html",
            **architecture(reads.store, res.iri, reads.base, res.labels)}


KINDS = {SG + "ReferenceArchitecture": page}


def routes(router: APIRouter, site: Site) -> None:
    @router.get("/architectures", summary="The reference architectures (HTML)",
                response_class=HTMLResponse)
    async def index(request: Request) -> Response:
        read(request)  # no parameters: an unknown one is a 400
        return site.render(request, "architectures.html",
                           **(await site.read(architectures, site.base)))
