"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol.

==========  ===================================================================================
GET/HEAD    ``?graph=IRI`` one named graph (404 if it holds nothing), ``?default`` the default
            graph, neither: the whole dataset (N-Quads, TriG or JSON-LD); negotiated, Turtle
            by default for graphs and N-Quads for the dataset
PUT         replace the graph with the body (201 if it did not exist, else 204)
POST        merge the body into the graph (201 if it did not exist, else 204); without a target
            a triple document becomes a new graph (201, ``Location``: the new graph's IRI,
            ``{public URL}/store/graphs/{uuid}``) and an N-Quads/TriG document is added to the
            dataset (204). A ``multipart/form-data`` body holds several RDF documents, one per
            part with its own Content-Type, merged in one write (§5.5)
DELETE      remove the graph (204; 404 if it holds nothing)
==========  ===================================================================================

Graphs are named by ``?graph=IRI`` (indirect identification) or, for the graphs whose IRI is a
URL of this service (``/store/graphs/{name}``, the ones POST mints), by that URL itself (direct
identification, §4.1): the same methods and answers.

Writes go through the guard (token, SHACL on the touched nodes, rollback on violation: 422).
The inferred graph is computed and cannot be written. Every answer with a body has a
Content-Type.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from stdgraph.api import multipart
from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError, error_response
from stdgraph.api.http import (
    absolute_iris,
    public_base,
    query_params,
    read_body,
    require_writer,
)
from stdgraph.api.negotiation import negotiate_name, parse_content_type, response_media_type
from stdgraph.api.rdfbody import body_schema, parse_body, serialize_quads, stream
from stdgraph.api.routes.sparql import validation_failed
from stdgraph.errors import ProtectedGraph, RDFSyntaxError, ValidationFailed
from stdgraph.rdf.formats import DATASET_MEDIA, GRAPH_MEDIA, RDF_INPUT_MEDIA
from stdgraph.rdf.graphs import is_computed
from stdgraph.rdf.iri import check_iri

ALLOW = "GET, HEAD, PUT, POST, DELETE"
_TRIPLE_INPUTS = {k: v for k, v in RDF_INPUT_MEDIA.items() if v not in {"nquads", "trig"}}
_DATASET_INPUTS = {k: v for k, v in RDF_INPUT_MEDIA.items() if v in {"nquads", "trig"}}

_DOC_PARAMS = [
    {"name": "graph", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "IRI of the named graph."},
    {"name": "default", "in": "query", "required": False, "schema": {"type": "string"},
     "allowEmptyValue": True, "description": "Present: the default graph."},
]
#: file name extensions of the triple formats, for a multipart part sent without a type
_EXTENSIONS = {"ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld", "rdf": "rdfxml",
               "owl": "rdfxml", "n3": "n3"}


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


def _part_format(part: multipart.Part) -> str:
    """The triple format of one part: its Content-Type; without one (or with
    ``application/octet-stream``), its file name's extension."""
    ctype, _ = parse_content_type(part.content_type)
    if ctype in _TRIPLE_INPUTS:
        return _TRIPLE_INPUTS[ctype]
    ext = (part.filename or "").rpartition(".")[2].lower() if "." in (part.filename or "") \
        else ""
    if ctype in {"", "application/octet-stream"} and ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    given = f"type {part.content_type}" if part.content_type else "no Content-Type"
    raise ApiError(415, f"{part.label} of the multipart body has {given}; each part needs the "
                        f"Content-Type of an RDF graph document: {', '.join(_TRIPLE_INPUTS)}",
                   supported=list(_TRIPLE_INPUTS), part=part.index)


def parse_parts(body: bytes, boundary: str, base_iri: str) -> list[ox.Quad]:
    """The triples of every part of a multipart body, as quads (their graph is set later); a
    part that does not parse is a 400 naming it, with the parser's line and column."""
    parts = multipart.parse(body, boundary)
    formats = [_part_format(part) for part in parts]  # every type checked before any parsing
    quads: list[ox.Quad] = []
    for part, fmt in zip(parts, formats, strict=True):
        try:
            quads += parse_body(part.body, fmt, base_iri=base_iri, label=part.label)
        except RDFSyntaxError as e:
            raise ApiError(400, e.message, line=e.position.line, column=e.position.column,
                           reason=e.reason, part=part.index) from None
    return quads


def store_router(ctx: ApiContext, path: str = "/store") -> APIRouter:
    router = APIRouter(tags=["graph store"])
    settings = ctx.settings
    graphs_path = f"{path}/graphs"

    def direct_target(request: Request):
        """The graph a request to ``{path}/graphs/{name}`` names: its own URL (§4.1), with the
        path as sent (percent-encoding kept: the URL is what a client holding the IRI sends)."""
        if request.scope.get("query_string"):
            raise ApiError(400, "a graph named by its own URL takes no query string; name "
                                f"other graphs with {path}?graph=IRI")
        raw = request.scope.get("raw_path")
        sent = raw.decode("latin-1") if raw else quote(request.scope["path"])
        root = request.scope.get("root_path", "")
        if root and sent.startswith(root):
            sent = sent[len(root):]
        iri = public_base(request, settings) + sent
        try:
            return "graph", ox.NamedNode(check_iri(iri))
        except ValueError as e:
            raise ApiError(400, f"this URL is not a valid graph IRI: {iri!r}: {e}") from None

    def new_graph(request: Request) -> ox.NamedNode:
        """A fresh IRI under this service's URL, which is also where the graph is served."""
        iri = f"{public_base(request, settings)}{graphs_path}/{uuid.uuid4()}"
        try:
            return ox.NamedNode(check_iri(iri))
        except ValueError:
            raise ApiError(400, f"cannot name a new graph under this request's URL ({iri!r} is "
                                "no IRI); check the Host header, or set STDGRAPH_PUBLIC_URL"
                           ) from None

    async def read(request: Request) -> Response:
        return await read_target(request, _target(request))

    async def read_direct(request: Request, name: str) -> Response:
        return await read_target(request, direct_target(request))

    async def read_target(request: Request, target) -> Response:
        kind, term = target
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
        return await write_target(request, _target(request))

    async def write_direct(request: Request, name: str) -> Response:
        require_writer(request, settings)
        return await write_target(request, direct_target(request), direct=True)

    async def write_target(request: Request, target, direct: bool = False) -> Response:
        """A write to ``target``; ``direct``: named by its own URL, which a 201 then gives as
        ``Location`` (else ``{path}?graph=IRI``)."""
        kind, term = target
        method = request.method
        if kind == "graph" and is_computed(term):  # before reading a body the change refuses
            raise ProtectedGraph(term.value)
        if kind == "dataset" and method != "POST":
            raise ApiError(400, f"{method} needs a target: ?graph=IRI or ?default")
        guard = ctx.guard
        assert guard is not None
        quads: list[ox.Quad] = []
        location = None
        if method in {"PUT", "POST"}:
            ctype, _ = parse_content_type(request.headers.get("content-type"))
            inputs = {**_TRIPLE_INPUTS, **_DATASET_INPUTS} if kind == "dataset" else _TRIPLE_INPUTS
            parts = method == "POST" and ctype == multipart.MEDIA_TYPE
            supported = [*inputs, multipart.MEDIA_TYPE] if method == "POST" else list(inputs)
            if ctype not in inputs and not parts:
                given = request.headers.get("content-type") or "no Content-Type"
                raise ApiError(415, f"cannot read an RDF body of type {given}; supported: "
                                    f"{', '.join(supported)}", supported=supported)
            boundary = multipart.boundary(request.headers.get("content-type", ""),
                                          supported) if parts else ""
            body = await read_body(request, settings.max_body_bytes)
            if kind == "dataset" and (parts or ctype in _TRIPLE_INPUTS):
                # §5.5: a graph document POSTed to the store becomes a new graph, whose IRI
                # the Location header gives
                term = new_graph(request)
                kind = "graph"
                location = term.value
            base = term.value if kind == "graph" else settings.base_iri
            if parts:
                quads = await asyncio.to_thread(parse_parts, body, boundary, base)
            else:
                quads = await asyncio.to_thread(parse_body, body, inputs[ctype], base_iri=base,
                                                label="request body")
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
            headers = {"Location": location or (
                term.value if direct else f"{path}?graph={term.value}")}
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
    body_doc: dict[str, Any] = {"parameters": _DOC_PARAMS, "requestBody": {"content": {
        m: {"schema": body_schema(m)} for m in RDF_INPUT_MEDIA}}}
    post_doc = {"parameters": _DOC_PARAMS, "requestBody": {"content": {
        **body_doc["requestBody"]["content"], multipart.MEDIA_TYPE: {"schema": {
            "type": "object", "additionalProperties": {"type": "string",
                                                       "format": "binary"}}}}}}
    write_responses: dict[int | str, dict[str, Any]] = {
                       201: {"description": "Created."}, 204: {"description": "Done."},
                       400: {"description": "Bad target or unparsable body."},
                       401: {"description": "No bearer token."},
                       403: {"description": "Writes disabled, wrong token, or a graph "
                                             "stdgraph computes (inferred, meta)."},
                       413: {"description": "Body too large."},
                       415: {"description": "Unsupported Content-Type."},
                       422: {"description": "SHACL violation; nothing was changed."}}
    router.add_api_route(path, write, methods=["PUT"], summary="Graph Store: replace a graph",
                         openapi_extra=body_doc, responses=write_responses, name="store_put")
    router.add_api_route(path, write, methods=["POST"], summary="Graph Store: add to a graph",
                         openapi_extra=post_doc, responses=write_responses, name="store_post")
    router.add_api_route(path, write, methods=["DELETE"], summary="Graph Store: delete a graph",
                         openapi_extra=doc, responses=write_responses, name="store_delete")

    async def not_allowed(request: Request) -> Response:
        return error_response(405, f"method {request.method} is not allowed on "
                                   f"{request.url.path}; allowed: {ALLOW}",
                              headers={"Allow": ALLOW})

    router.add_api_route(path, not_allowed, methods=["PATCH", "OPTIONS"],
                         include_in_schema=False)

    # direct identification (§4.1): a graph whose IRI is a URL of this service, such as the
    # ones POST to the store mints, is served at that URL
    item = graphs_path + "/{name}"
    direct_body = {"requestBody": body_doc["requestBody"]}
    direct_post = {"requestBody": post_doc["requestBody"]}
    router.add_api_route(item, read_direct, methods=["GET"], name="store_graph_get",
                         summary="Graph Store: read a graph named by its own URL",
                         responses={200: {"content": {m[0]: {} for m in GRAPH_MEDIA.values()}},
                                    400: {"description": "A query string on the URL."},
                                    404: {"description": "No such graph."},
                                    406: {"description": "No acceptable media type."}})
    router.add_api_route(item, read_direct, methods=["HEAD"], include_in_schema=False)
    router.add_api_route(item, write_direct, methods=["PUT"], name="store_graph_put",
                         summary="Graph Store: replace a graph named by its own URL",
                         openapi_extra=direct_body, responses=write_responses)
    router.add_api_route(item, write_direct, methods=["POST"], name="store_graph_post",
                         summary="Graph Store: add to a graph named by its own URL",
                         openapi_extra=direct_post, responses=write_responses)
    router.add_api_route(item, write_direct, methods=["DELETE"], name="store_graph_delete",
                         summary="Graph Store: delete a graph named by its own URL",
                         responses={**write_responses, 404: {"description": "No such graph."}})
    router.add_api_route(item, not_allowed, methods=["PATCH", "OPTIONS"],
                         include_in_schema=False)
    return router
