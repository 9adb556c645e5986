"""``/ontology``: the ``sg:`` terms, negotiated like ``/id/``; the page has an anchor per term,
which is where pages link ontology IRIs (``render.Pages.local``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stdgraph.catalog.ontology import ontology_statements, terms
from stdgraph.store.base import Store
from stdgraph.web.linked_data import RESOURCE_MEDIA, alternates, rdf_response
from stdgraph.web.site import Site


def ontology_terms(store: Store) -> list[dict]:
    """The terms of the ontology page (one job of the query runner)."""
    return terms(store, ontology_statements(store))


def routes(router: APIRouter, site: Site) -> None:
    @router.get("/ontology", summary="The stdgraph ontology (sg: terms), negotiated",
                responses={200: {"content": {t[0]: {} for t in RESOURCE_MEDIA.values()},
                                 "description": "The ontology's terms."}})
    async def ontology(request: Request) -> Response:
        fmt = site.pick(request, RESOURCE_MEDIA, "the ontology")
        if fmt != "html":
            triples = await site.read(ontology_statements)
            return rdf_response(triples, fmt, request, site.settings, "/ontology")
        resp = site.render(request, "ontology.html", terms=await site.read(ontology_terms))
        resp.headers["Link"] = alternates(request, site.settings, "/ontology")
        return resp
