"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol (indirect graph identification).

==========  ===================================================================================
GET/HEAD    ``?graph=IRI`` one named graph (404 if it holds nothing), ``?default`` the default
            graph, neither: the whole dataset (N-Quads, TriG or JSON-LD); negotiated, Turtle
            by default for graphs and N-Quads for the dataset
PUT         replace the graph with the body (201 if it did not exist, else 204)
POST        merge the body into the graph (201 if it did not exist, else 204); without a target
            a triple document becomes a new graph (201 + Location) and an N-Quads/TriG
            document is added to the dataset (204)
DELETE      remove the graph (204; 404 if it holds nothing)
==========  ===================================================================================

Writes go through the guard (token, SHACL on the touched nodes, rollback on violation: 422).
The inferred graph is computed and cannot be written. Every answer with a body has a
Content-Type.
"""

from __future__ import annotations

import asyncio
import uuid

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError, error_response
from stdgraph.api.http import absolute_iris, query_params, read_body, require_writer
from stdgraph.api.negotiation import negotiate_name, parse_content_type, response_media_type
from stdgraph.api.rdfbody import body_schema, parse_body, serialize_quads, stream
from stdgraph.api.routes.sparql import validation_failed
from stdgraph.errors import ValidationFailed
from stdgraph.rdf.formats import DATASET_MEDIA, GRAPH_MEDIA, RDF_INPUT_MEDIA
from stdgraph.rdf.namespaces import GRAPH_BASE, INFERRED_GRAPH

ALLOW = "GET, HEAD, PUT, POST, DELETE"
_TRIPLE_INPUTS = {k: v for k, v in RDF_INPUT_MEDIA.items() if v not in {"nquads", "trig"}}
_DATASET_INPUTS = {k: v for k, v in RDF_INPUT_MEDIA.items() if v in {"nquads", "trig"}}

_DOC_PARAMS = [
    {"name": "graph", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "IRI of the named graph."},
    {"name": "default", "in": "query", "required": False, "schema": {"type": "string"},
     "allowEmptyValue": True, "description": "Present: the default graph."},
]


def _target(request: Request):
    """``(kind, term)``: ("graph", NamedNode) / ("default", DefaultGraph) / ("dataset", None)."""
    params = query_params(request)
    has_graph, has_default = "graph" in params, "default" in params
    if has_graph and has_default:
        raise ApiError(400, "give either ?graph=IRI or ?default, not both")
    if has_graph:
        values = params["graph"]
        if len(values) != 1:
            raise ApiError(400, "give exactly one ?graph= parameter")
        absolute_iris(values, "graph")
        return "graph", ox.NamedNode(values[0])
    if has_default:
        return "default", ox.DefaultGraph()
    return "dataset", None


def store_router(ctx: ApiContext, path: str = "/store") -> APIRouter:
    router = APIRouter(tags=["graph store"])
    settings = ctx.settings

    async def read(request: Request) -> Response:
        kind, term = _target(request)
        accept = request.headers.get("accept")
        if kind == "dataset":
            fmt = negotiate_name(accept, DATASET_MEDIA, what="the dataset")
            table = DATASET_MEDIA
        else:
            fmt = negotiate_name(accept, GRAPH_MEDIA, what="a graph")
            table = GRAPH_MEDIA
            if kind == "graph" and not await asyncio.to_thread(ctx.graph_exists, term):
                raise ApiError(404, f"the graph <{term.value}> holds no triples")
        headers = {"Vary": "Accept"}
        media = response_media_type(fmt, table)
        if request.method == "HEAD":
            return Response(b"", media_type=media, headers=headers)
        body = stream(lambda out: serialize_quads(ctx.quads(term), fmt, out,
                                                  dataset=kind == "dataset"))
        return StreamingResponse(body, media_type=media, headers=headers)

    async def write(request: Request) -> Response:
        require_writer(request, settings)
        kind, term = _target(request)
        method = request.method
        if kind == "graph" and term.value == INFERRED_GRAPH:
            raise ApiError(403, "the inferred graph is computed by stdgraph after every write; "
                                "write the asserted graphs instead")
        if kind == "dataset" and method != "POST":
            raise ApiError(400, f"{method} needs a target: ?graph=IRI or ?default")
        guard = ctx.guard
        assert guard is not None
        quads: list[ox.Quad] = []
        location = None
        if method in {"PUT", "POST"}:
            ctype, _ = parse_content_type(request.headers.get("content-type"))
            inputs = {**_TRIPLE_INPUTS, **_DATASET_INPUTS} if kind == "dataset" else _TRIPLE_INPUTS
            if ctype not in inputs:
                given = request.headers.get("content-type") or "no Content-Type"
                raise ApiError(415, f"cannot read an RDF body of type {given}; supported: "
                                    f"{', '.join(inputs)}", supported=list(inputs))
            body = await read_body(request, settings.max_body_bytes)
            if kind == "dataset" and ctype in _TRIPLE_INPUTS:
                term = ox.NamedNode(f"{GRAPH_BASE}uploads/{uuid.uuid4()}")
                kind = "graph"
                location = f"{path}?graph={term.value}"
            base = term.value if kind == "graph" else settings.base_iri
            quads = await asyncio.to_thread(parse_body, body, inputs[ctype], base_iri=base,
                                            label="request body")
            if kind == "dataset" and any(q.graph_name == ox.NamedNode(INFERRED_GRAPH)
                                         for q in quads):
                raise ApiError(403, "the inferred graph is computed by stdgraph; leave it out "
                                    "of uploads")
        graph = None if kind in {"default", "dataset"} else term.value
        if method == "DELETE" and kind == "graph" and not await asyncio.to_thread(
                ctx.graph_exists, term):
            raise ApiError(404, f"the graph <{term.value}> holds no triples")
        loop = asyncio.get_running_loop()

        def apply():
            if method == "PUT":
                return guard.put_graph(graph, quads)
            if method == "DELETE":
                return guard.delete_graph(graph)
            if kind == "dataset":
                return guard.post_dataset(quads)
            return guard.post_graph(graph, quads)

        try:
            outcome = await loop.run_in_executor(ctx.writes, apply)
        except ValidationFailed as e:
            return validation_failed(request, e)
        if outcome.created or location:
            headers = {"Location": location or f"{path}?graph={term.value}"}
            return JSONResponse({"ok": True, "graph": graph, **outcome.as_dict()},
                                status_code=201, headers=headers)
        return Response(status_code=204)

    doc = {"parameters": _DOC_PARAMS}
    router.add_api_route(path, read, methods=["GET"], summary="Graph Store: read a graph",
                         openapi_extra=doc, name="store_get",
                         responses={200: {"content": {m[0]: {} for m in GRAPH_MEDIA.values()}},
                                    400: {"description": "Bad target: ?graph and ?default "
                                                         "together, or a relative or repeated "
                                                         "graph IRI."},
                                    404: {"description": "No such graph."},
                                    406: {"description": "No acceptable media type."}})
    router.add_api_route(path, read, methods=["HEAD"], include_in_schema=False)
    body_doc = {"parameters": _DOC_PARAMS, "requestBody": {"content": {
        m: {"schema": body_schema(m)} for m in RDF_INPUT_MEDIA}}}
    write_responses = {201: {"description": "Created."}, 204: {"description": "Done."},
                       400: {"description": "Bad target or unparsable body."},
                       401: {"description": "No bearer token."},
                       403: {"description": "Writes disabled, or wrong token."},
                       413: {"description": "Body too large."},
                       415: {"description": "Unsupported Content-Type."},
                       422: {"description": "SHACL violation; nothing was changed."}}
    router.add_api_route(path, write, methods=["PUT"], summary="Graph Store: replace a graph",
                         openapi_extra=body_doc, responses=write_responses, name="store_put")
    router.add_api_route(path, write, methods=["POST"], summary="Graph Store: add to a graph",
                         openapi_extra=body_doc, responses=write_responses, name="store_post")
    router.add_api_route(path, write, methods=["DELETE"], summary="Graph Store: delete a graph",
                         openapi_extra=doc, responses=write_responses, name="store_delete")

    async def not_allowed(request: Request) -> Response:
        return error_response(405, f"method {request.method} is not allowed on {path}; "
                                   f"allowed: {ALLOW}", headers={"Allow": ALLOW})

    router.add_api_route(path, not_allowed, methods=["PATCH", "OPTIONS"],
                         include_in_schema=False)
    return router
