"""``/.well-known/void`` (VoID + DCAT description) and ``/dump`` (the whole graph, streamed)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from stdgraph.api.context import ApiContext
from stdgraph.api.http import public_base, query_params
from stdgraph.api.negotiation import format_or_accept, response_media_type
from stdgraph.api.rdfbody import serialize_quads, stream
from stdgraph.api.servicedesc import void_description
from stdgraph.rdf.formats import FORMATS, GRAPH_MEDIA

#: name -> (media type, file suffix) of the dump formats (``rdf.formats.FORMATS``); the first
#: is the default
DUMPS = {n: (FORMATS[n].media_type, FORMATS[n].suffix)
         for n in ("turtle", "nquads", "jsonld", "trig", "ntriples")}


def dataset_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["dataset"])

    @router.get("/.well-known/void", summary="VoID and DCAT description of the dataset",
                description="Pick the format with Accept, or with ?format= (a download with "
                            "a file name: the pages link ?format=turtle).",
                responses={200: {"content": {m[0]: {} for m in GRAPH_MEDIA.values()}},
                           400: {"description": "Unknown ?format."},
                           406: {"description": "No acceptable media type."}})
    async def void(request: Request, format: str | None = None) -> Response:
        # ``format`` is declared for the OpenAPI document; format_or_accept reads it
        fmt = format_or_accept(query_params(request), request.headers.get("accept"),
                               GRAPH_MEDIA, what="the dataset description")
        body = await asyncio.to_thread(void_description, ctx,
                                       public_base(request, ctx.settings), fmt)
        headers = {"Vary": "Accept"}
        if format is not None:  # asked for by name: a file to keep
            headers["Content-Disposition"] = \
                f'attachment; filename="stdgraph-void.{FORMATS[fmt].suffix}"'
        return Response(body, media_type=response_media_type(fmt, GRAPH_MEDIA),
                        headers=headers)

    @router.get("/dump", summary="The whole graph, streamed",
                description="Turtle and N-Triples merge all graphs (the default graph's view); "
                            "N-Quads, TriG and JSON-LD keep the named graphs. Pick with "
                            "?format= or Accept; Turtle by default.",
                responses={200: {"content": {m: {} for m, _s in DUMPS.values()}},
                           400: {"description": "Unknown ?format."},
                           406: {"description": "No acceptable media type."}})
    async def dump(request: Request, format: str | None = None) -> Response:
        # ``format`` is declared for the OpenAPI document; format_or_accept reads it
        table = {k: (v[0],) for k, v in DUMPS.items()}
        fmt = format_or_accept(query_params(request), request.headers.get("accept"), table,
                               what="the dump")
        media, suffix = DUMPS[fmt]
        body = stream(lambda out: serialize_quads(ctx.quads(None), fmt, out, dataset=True))
        return StreamingResponse(
            body, media_type=response_media_type(fmt, {fmt: (media,)}),
            headers={"Content-Disposition": f'attachment; filename="stdgraph.{suffix}"',
                     "Vary": "Accept"})

    return router
