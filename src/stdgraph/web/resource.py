"""``/id/{path}``: a resource IRI dereferenced (RDF by negotiation, or its page), and
``/context.jsonld``, the context its JSON-LD names.

The page is the generic one (label, types, every statement, incoming links) plus what the
resource's kind adds: the page modules' ``KINDS`` (``Site.kinds``) map a class to the view of
its instances; the first class (in the order of ``router.PAGES``) the resource has wins. The
whole answer is read by one job of the query runner (:func:`lookup`), views included.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stdgraph.api.errors import ApiError
from stdgraph.api.executor import resolve_function
from stdgraph.catalog.resource import Resource, describe, overview
from stdgraph.sparql.terms import iri_ref
from stdgraph.store.base import Store
from stdgraph.web.linked_data import RESOURCE_MEDIA, alternates, jsonld_context, rdf_response
from stdgraph.web.paging import pager
from stdgraph.web.params import Parameter, read
from stdgraph.web.site import LISTS, PageReads, Site

#: the HTML page's parameters: the page of each of its lists (``overlaps_page=2``)
PAGES = tuple(Parameter(f"{name}_page", number=True) for name in LISTS)
#: list -> the anchor of its section on the page (where its page links lead)
ANCHORS = {"overlaps": "#ov-h", "conflicts": "#cf-h", "standards": "#std-h", "incoming": "#in-h",
           "committees": "#committees-h", "architectures": "#architectures-h",
           "recommendations": "#recommendations-h", "items": "#items-h"}


def page(reads: PageReads, res: Resource, kinds: list[tuple[str, str]]) -> dict[str, Any]:
    """The page of ``res``: its template and values; ``kinds``: ``Site.kind_refs``."""
    values: dict[str, Any] = {"template": "resource.html",
                              **overview(reads.store, res, reads.window("incoming")),
                              "formats": list(RESOURCE_MEDIA)}
    types = res.types
    view = next((ref for cls, ref in kinds if cls in types), None)
    if view is not None:
        values.update(resolve_function(view)(reads, res))
    return values


def lookup(store: Store, iri: str, html: bool, base: str, kinds: list[tuple[str, str]],
           pages: dict[str, int] | None = None) -> Any:
    """What ``/id/`` answers, read in one go in the query runner: ``None`` when the graph says
    nothing about ``iri``, its triples (the RDF answers), or its page (``html``: template and
    values; ``pages``: the page asked for of each of its lists)."""
    res = describe(store, iri)
    if res is None:
        return None
    if not html:
        return res.triples
    return page(PageReads(store, base, pages or {}), res, kinds)


def routes(router: APIRouter, site: Site) -> None:
    @router.get("/context.jsonld", summary="The JSON-LD context of the /id/ answers",
                response_class=Response,
                responses={200: {"content": {"application/ld+json": {}}}})
    async def context_jsonld() -> Response:
        body = json.dumps({"@context": jsonld_context(site.base)}, indent=2)
        return Response(body, media_type="application/ld+json",
                        headers={"Cache-Control": "public, max-age=3600"})

    @router.get(
        "/id/{path:path}", summary="Dereference a resource IRI (content negotiation)",
        description="The resource `{STDGRAPH_BASE_IRI}{path}`: Turtle (default), an HTML page, "
                    "JSON-LD (context /context.jsonld), N-Triples or RDF/XML by Accept or "
                    "?format=turtle|html|jsonld|ntriples|rdfxml. 404 when the graph holds no "
                    "triple about it. The HTML page shows its long lists a page at a time: "
                    "overlaps_page, conflicts_page, standards_page, incoming_page, "
                    "committees_page, architectures_page, recommendations_page, items_page. "
                    "HEAD gives the same status and headers without the body.",
        responses={200: {"description": "The resource's triples or its page.",
                         "content": {t[0]: {} for t in RESOURCE_MEDIA.values()}},
                   404: {"description": "The graph says nothing about this IRI."},
                   406: {"description": "No acceptable media type."}})
    async def dereference(path: str, request: Request) -> Response:
        iri = site.base + path
        fmt = site.pick(request, RESOURCE_MEDIA, "a resource")
        try:
            iri_ref(iri)
        except ValueError:
            raise ApiError(404, f"no resource {iri}") from None
        html = fmt == "html"
        pages = {}
        if html:
            given = read(request, *PAGES)
            pages = {name: given[f"{name}_page"] for name in LISTS if given[f"{name}_page"]}
        found = await site.read(lookup, iri, html, site.base, site.kind_refs(), pages)
        if found is None:
            raise ApiError(404, f"the graph holds nothing about {iri}", iri=iri)
        if not html:
            return rdf_response(found, fmt, request, site.settings, "/id/" + path)
        for name in LISTS:
            if isinstance(found.get(name), dict) and "total" in found[name]:
                found[name]["pager"] = pager(request, found[name], f"{name}_page",
                                             ANCHORS[name])
        resp = site.render(request, found.pop("template"), **found)
        resp.headers["Link"] = alternates(request, site.settings, "/id/" + path)
        return resp
