"""``/sparql``: the SPARQL 1.1 Protocol, queries and updates on one URL.

The whole protocol surface is in ``handle`` (one function, so it can be read in one pass):

=========================================  ===============================================
request                                     answer
=========================================  ===============================================
GET ``?query=``                             the result, negotiated (see below)
POST form ``query=``                        the result
POST ``application/sparql-query``           the result (dataset parameters in the URL)
POST form ``update=``                       the update, guarded (token, SHACL, rollback)
POST ``application/sparql-update``          the update (using-* parameters in the URL)
GET without ``query``                       the service description (RDF, negotiated) or,
                                            for ``Accept: text/html``, the query page
repeated/missing ``query``, both ``query``  400
and ``update``, an update sent as a query,
a malformed query (message, line, column),
dataset parameters of the wrong kind
another Content-Type on POST                415, naming the supported ones
an Accept nothing matches                   406, naming the supported types
another method                              405
``download=FORMAT`` with a query            the result in that format (not negotiated) as a
                                            file: ``Content-Disposition: attachment``
=========================================  ===============================================

Negotiation: SELECT/ASK as SPARQL JSON (the default without Accept), XML, CSV, TSV;
CONSTRUCT/DESCRIBE as Turtle (the default), N-Triples, JSON-LD, RDF/XML, N-Quads, TriG. Result-set
and graph types are negotiated separately, so ``Accept: application/sparql-results+xml,
application/rdf+xml`` (rdflib's SPARQLStore) gets XML results for SELECT and RDF/XML for CONSTRUCT.
A result cut at ``STDGRAPH_MAX_ROWS`` carries ``X-Stdgraph-Truncated: true``.

``download`` is stdgraph's own parameter, for the query page's download links (a link cannot set
``Accept``): a format name of ``RESULT_MEDIA`` (SELECT/ASK) or ``GRAPH_MEDIA``
(CONSTRUCT/DESCRIBE); an answer of the other kind is 406. Other parameters a client adds
(SPARQLWrapper's ``format``/``output``) are ignored as before.
"""

from __future__ import annotations

import asyncio
import json
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError, error_response
from stdgraph.api.fastpath import PassOn
from stdgraph.api.http import (
    base_iri,
    decode,
    parse_form,
    public_url,
    query_params,
    read_body,
    require_writer,
)
from stdgraph.api.negotiation import (
    NotAcceptable,
    negotiate,
    negotiate_name,
    parse_content_type,
    response_media_type,
)
from stdgraph.api.servicedesc import service_description
from stdgraph.api.sparqlchecks import check_request
from stdgraph.errors import ValidationFailed
from stdgraph.rdf.formats import FORMATS, GRAPH_MEDIA, RESULT_MEDIA
from stdgraph.sparql.scan import anchored_query, is_point_lookup
from stdgraph.store.base import AnswerRequest

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"
POST_TYPES = [QUERY_TYPE, UPDATE_TYPE, FORM_TYPE]
TRUNCATED_HEADER = "X-Stdgraph-Truncated"
ROW_LIMIT_HEADER = "X-Stdgraph-Row-Limit"
ALLOW = "GET, HEAD, POST"
#: the largest answer written on the event loop (about a millisecond of work); a larger one
#: is given to a query worker
INLINE_BYTES = 64 * 1024
#: an anchored query (``sparql.scan.anchored_query``) is answered on the event loop only if its
#: first pattern has at most this many matches: a seek per match and filter, about a
#: millisecond at most
INLINE_DRIVER_ROWS = 1000

def _graph_list(name: str, text: str) -> dict[str, Any]:
    """The OpenAPI entry of a repeatable graph-IRI parameter of the protocol."""
    return {"name": name, "in": "query", "required": False,
            "schema": {"type": "array", "items": {"type": "string"}},
            "description": text + " (repeatable)."}


_DOC_PARAMS = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "A SPARQL 1.1 query. Without it, GET returns the service description "
                    "(or the query page for Accept: text/html)."},
    {"name": "download", "in": "query", "required": False,
     "schema": {"type": "string", "enum": [*RESULT_MEDIA, *GRAPH_MEDIA]},
     "description": "Answer in this format, whatever Accept says, as a file "
                    "(Content-Disposition: attachment; filename=query-results.<suffix>); "
                    "406 when the query's answer is of the other kind (a graph for csv)."},
    *(_graph_list(name, text) for name, text in [
        ("default-graph-uri", "Graphs merged into the default graph"),
        ("named-graph-uri", "Graphs visible to GRAPH")]),
]
_DOC_POST_PARAMS = [
    *_DOC_PARAMS[1:],
    *(_graph_list(name, text) for name, text in [
        ("using-graph-uri", "Updates: the WHERE clause's default graph, like USING"),
        ("using-named-graph-uri", "Updates: the WHERE clause's named graphs, like USING NAMED")]),
]
_RESULT_CONTENT: dict[str, dict[str, Any]] = {
    m[0]: {} for m in [*RESULT_MEDIA.values(), *GRAPH_MEDIA.values()]}
_DOC_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Query results (negotiated) or, for updates, a JSON summary.",
          "content": _RESULT_CONTENT},
    400: {"description": "Malformed or missing query/update, bad parameters, nesting over 100 "
                         "levels, an update grounding more than STDGRAPH_MAX_UPDATE_QUADS."},
    401: {"description": "Update without a bearer token."},
    403: {"description": "Writes disabled, wrong token, or an update naming a graph stdgraph "
                         "computes (the inferred graph, graph/meta)."},
    406: {"description": "No acceptable media type."},
    413: {"description": "Request body too large."},
    415: {"description": "Unsupported Content-Type."},
    422: {"description": "The update breaks the SHACL shapes; nothing was changed."},
    503: {"description": "The query or update hit the time limit (an update writes nothing), "
                         "or the server is stopping."},
}


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ApiError(400, f"the '{name}' parameter is given {len(values)} times; "
                            "send exactly one", parameter=name)
    return values[0] if values else None


def _graphs(iris: list[str] | None) -> tuple[str, ...] | None:
    """A checked dataset parameter as ``AnswerRequest`` holds it."""
    return None if iris is None else tuple(iris)


class AnswerResponse(Response):
    """A query answer's response: the body as it is, the headers Starlette's ``Response`` would
    write for it (``answer_head``), without building them again for every answer."""

    def __init__(self, body: bytes, head: tuple[list[tuple[bytes, bytes]], ...]) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        before, after = head
        self.raw_headers = [*before, (b"content-length", b"%d" % len(body)), *after]


@lru_cache(maxsize=64)
def answer_head(media_type: str, headers: tuple[tuple[str, str], ...]
                ) -> tuple[list[tuple[bytes, bytes]], ...]:
    """Starlette's raw headers for a response of ``media_type`` with ``headers``, cut around
    its Content-Length."""
    raw = Response(b"", media_type=media_type, headers=dict(headers)).raw_headers
    cut = [k for k, _v in raw].index(b"content-length")
    return raw[:cut], raw[cut + 1:]


#: the file name of a download (``download=FORMAT``) without its suffix
DOWNLOAD_NAME = "query-results"
#: a download's suffix where the format's own (``Format.suffix``: srj, srx) is one few
#: programs open
DOWNLOAD_SUFFIX = {"json": "json", "xml": "xml"}


def download_format(params: dict[str, list[str]]) -> str | None:
    """The ``download`` parameter: a format name of ``RESULT_MEDIA`` or ``GRAPH_MEDIA``, None
    when absent, 400 naming the supported ones otherwise."""
    name = _one(params, "download")
    if name is None:
        return None
    supported = [*RESULT_MEDIA, *GRAPH_MEDIA]
    if name not in supported:
        raise ApiError(400, f"download={name!r} is not a format; supported: "
                            f"{', '.join(supported)}", parameter="download",
                       supported=supported)
    return name


def download_filename(fmt: str) -> str:
    """The file name of a download in format ``fmt``."""
    return f"{DOWNLOAD_NAME}.{DOWNLOAD_SUFFIX.get(fmt, FORMATS[fmt].suffix)}"


def answer_response(answer, max_rows: int, download: bool = False) -> Response:
    """A query answer as an HTTP response: negotiated media type, ``Vary: Accept`` and the
    truncation headers (shared by /sparql and /queries/{name}); ``download``: as a file
    (``Content-Disposition: attachment`` with a name in the answer's format)."""
    table = GRAPH_MEDIA if answer.kind == "graph" else RESULT_MEDIA
    headers: tuple[tuple[str, str], ...] = (("Vary", "Accept"),)
    if download:
        headers += (("Content-Disposition",
                     f'attachment; filename="{download_filename(answer.format)}"'),)
    if answer.truncated:
        headers += ((TRUNCATED_HEADER, "true"), (ROW_LIMIT_HEADER, str(max_rows)))
    return AnswerResponse(answer.body,
                          answer_head(response_media_type(answer.format, table), headers))


def sparql_router(ctx: ApiContext, path: str = "/sparql") -> APIRouter:
    """A router serving the SPARQL protocol at ``path``; mount it in any FastAPI app."""
    router = APIRouter(tags=["sparql"])
    settings = ctx.settings
    if ctx.guard is not None:  # updates are evaluated in the query workers (ctx.update_runner)
        ctx.executor.preload.update({"stdgraph.change.guard", "rdflib.plugins.sparql.parser",
                                     "rdflib.plugins.sparql.algebra",
                                     "rdflib.plugins.sparql.evaluate"})

    async def run_query(request: Request, text: str, params: dict[str, list[str]]) -> Response:
        default, named = check_request(text, params, "query", settings)
        download = download_format(params)
        if download is None:
            result_fmt, graph_fmt = answer_formats(request.headers.get("accept"))
        else:  # one format, whatever Accept says: the other kind of answer is 406
            result_fmt, graph_fmt = ((download, None) if download in RESULT_MEDIA
                                     else (None, download))
        job = AnswerRequest(text, default_graphs=_graphs(default), named_graphs=_graphs(named),
                            result_format=result_fmt, graph_format=graph_fmt,
                            max_rows=settings.max_rows, timeout=settings.query_timeout or None,
                            base_iri=base_iri(request, settings))
        answer = None
        if ctx.inline_store is not None:
            # work bounded before it runs: cheaper here than the hand-over to a worker, unless
            # the answer is over INLINE_BYTES (sparql.scan.is_point_lookup, anchored_query)
            if is_point_lookup(text):
                answer = ctx.inline_store.answer_inline(job, max_bytes=INLINE_BYTES)
            elif (anchored := anchored_query(text)) is not None:
                answer = ctx.inline_store.answer_inline(
                    job, max_bytes=INLINE_BYTES, anchored=anchored, driver_cap=INLINE_DRIVER_ROWS)
        if answer is None:
            answer = await ctx.executor.answer(job)
        return answer_response(answer, settings.max_rows, download is not None)

    async def run_update(request: Request, text: str, params: dict[str, list[str]]) -> Response:
        require_writer(request, settings)
        using, using_named = check_request(text, params, "update", settings)
        guard = ctx.guard
        assert guard is not None  # require_writer passed: a token is configured
        loop = asyncio.get_running_loop()
        base = base_iri(request, settings)
        runner = ctx.update_runner(loop)
        try:
            outcome = await loop.run_in_executor(
                ctx.writes, lambda: guard.update(text, using_graphs=using,
                                                 using_named_graphs=using_named,
                                                 timeout=settings.query_timeout or None,
                                                 base_iri=base,
                                                 max_quads=settings.max_update_quads or None,
                                                 runner=runner))
        except ValidationFailed as e:
            return validation_failed(request, e)
        return JSONResponse({"ok": True, **outcome.as_dict()})

    async def describe(request: Request) -> Response:
        accept = request.headers.get("accept")
        # the query page is a page of stdgraph.web, which hands it over when it is mounted
        page = ctx.query_page
        offers = [m[0] for m in GRAPH_MEDIA.values()] + (["text/html"] if page else [])
        picked = negotiate(accept, offers)
        if picked is None:
            raise NotAcceptable(offers, "the service description")
        if picked == "text/html" and page is not None:
            return HTMLResponse(page(request))
        fmt = next(n for n, m in GRAPH_MEDIA.items() if m[0] == picked)
        body = await asyncio.to_thread(service_description, ctx,
                                       public_url(request, settings), fmt)
        return Response(body, media_type=response_media_type(fmt, GRAPH_MEDIA),
                        headers={"Vary": "Accept"})

    def post_type(request: Request) -> str:
        """The POST body's media type, one of ``POST_TYPES`` in UTF-8 (else 415)."""
        ctype = _post_type(request.headers.get("content-type"))
        if ctype is None:
            given = request.headers.get("content-type") or "no Content-Type"
            raise ApiError(415, f"cannot read a POST body of type {given}; supported: "
                                f"{', '.join(POST_TYPES)}", supported=POST_TYPES)
        return ctype

    async def posted(request: Request, url: dict[str, list[str]], ctype: str, body: bytes,
                     form: dict[str, list[str]] | None = None) -> Response:
        """A POST's answer, its body read (``form``: the body, already parsed)."""
        if ctype == FORM_TYPE:
            form = parse_form(body) if form is None else form
            merged = {k: url.get(k, []) + form.get(k, []) for k in {*url, *form}}
            if "query" in merged and "update" in merged:
                raise ApiError(400, "give either 'query' or 'update', not both")
            if "query" in merged:
                return await run_query(request, _one(merged, "query") or "", merged)
            if "update" in merged:
                return await run_update(request, _one(merged, "update") or "", merged)
            raise ApiError(400, "the form has neither a 'query' nor an 'update' field")
        for p in ("query", "update"):
            if p in url:
                raise ApiError(400, f"the {ctype} body is the request; do not also send "
                                    f"'{p}' in the URL", parameter=p)
        text = decode(body)
        if ctype == QUERY_TYPE:
            return await run_query(request, text, url)
        return await run_update(request, text, url)

    async def handle(request: Request) -> Response:
        url = query_params(request)
        if request.method in {"GET", "HEAD"}:
            if "update" in url:
                raise ApiError(400, "updates must be sent with POST ('update=' form field or "
                                    "Content-Type application/sparql-update)")
            text = _one(url, "query")
            if text is None:
                if "download" in url:  # a file of the answer, with no query to answer
                    download_format(url)  # a name that is no format: that is the error
                    raise ApiError(400, "download= needs a query: give 'query' too",
                                   parameter="download")
                return await describe(request)
            return await run_query(request, text, url)
        ctype = post_type(request)
        if ctype == UPDATE_TYPE:
            require_writer(request, settings)  # before reading a body that will be refused
        body = await read_body(request, settings.max_body_bytes)
        return await posted(request, url, ctype, body)

    async def fast(request: Request) -> Response:
        """``handle`` for the raw ASGI fast path (api.fastpath: GET with a query string, every
        POST): queries are answered here by the same steps; an update, or a form naming one,
        is passed on to the FastAPI route (``PassOn``, with the body read so far), whose write
        path (token, guard) is the only one."""
        if request.method != "POST":
            return await handle(request)
        url = query_params(request)
        ctype = post_type(request)
        if ctype == UPDATE_TYPE:
            raise PassOn()
        body = await read_body(request, settings.max_body_bytes)
        form = None
        if ctype == FORM_TYPE:
            form = parse_form(body)
            if "update" in form or "update" in url:
                raise PassOn(body)
        return await posted(request, url, ctype, body, form)

    if path == "/sparql":
        ctx.query_handler = fast
    router.add_api_route(
        path, handle, methods=["GET"], name="sparql_get",
        summary="SPARQL 1.1 Protocol: query by GET, or the service description",
        description=__doc__, responses=_DOC_RESPONSES,
        openapi_extra={"parameters": _DOC_PARAMS},
    )
    router.add_api_route(
        path, handle, methods=["POST"], name="sparql_post",
        summary="SPARQL 1.1 Protocol: query or update by POST",
        responses=_DOC_RESPONSES,
        openapi_extra={
            "parameters": _DOC_POST_PARAMS,
            "requestBody": {"required": True, "content": {
                QUERY_TYPE: {"schema": {"type": "string"}},
                UPDATE_TYPE: {"schema": {"type": "string"}},
                FORM_TYPE: {"schema": {"type": "object", "properties": {
                    "query": {"type": "string"}, "update": {"type": "string"},
                    **{p["name"]: p["schema"] for p in _DOC_POST_PARAMS}}}},
            }},
        },
    )

    router.add_api_route(path, handle, methods=["HEAD"], include_in_schema=False)

    async def not_allowed(request: Request) -> Response:
        return error_response(405, f"method {request.method} is not allowed on {path}; "
                                   f"allowed: {ALLOW}", headers={"Allow": ALLOW})

    router.add_api_route(path, not_allowed, methods=["PUT", "DELETE", "PATCH", "OPTIONS"],
                         include_in_schema=False)
    if path != "/" and not path.endswith("/"):
        router.add_api_route(path + "/", handle, methods=["GET", "HEAD", "POST"],
                             include_in_schema=False)
    return router


@lru_cache(maxsize=64)
def _post_type(header: str | None) -> str | None:
    """``post_type`` of a Content-Type header: remembered, clients send the same few."""
    ctype, params = parse_content_type(header)
    charset = params.get("charset", "utf-8").lower()
    if ctype not in POST_TYPES or charset not in {"utf-8", "utf8", "us-ascii"}:
        return None
    return ctype


@lru_cache(maxsize=256)
def _pick(accept: str | None, kind: str) -> str | None:
    """Negotiation per Accept header, cached (clients send the same few headers)."""
    try:
        return negotiate_name(accept, RESULT_MEDIA if kind == "result" else GRAPH_MEDIA)
    except NotAcceptable:
        return None


def answer_formats(accept: str | None) -> tuple[str | None, str | None]:
    """The result format and the graph format a query's answer may take for ``accept`` (None:
    not that kind); NotAcceptable when it may take neither."""
    result_fmt, graph_fmt = _pick(accept, "result"), _pick(accept, "graph")
    if result_fmt is None and graph_fmt is None:
        raise NotAcceptable([m[0] for m in RESULT_MEDIA.values()]
                            + [m[0] for m in GRAPH_MEDIA.values()], "a query result")
    return result_fmt, graph_fmt


def validation_failed(request: Request, exc: ValidationFailed) -> Response:
    """422 with the SHACL report: JSON envelope (default) or the report graph in Turtle."""
    picked = negotiate(request.headers.get("accept"),
                       ["application/json", "text/turtle", "application/ld+json"])
    if picked == "text/turtle":
        return Response(exc.report.turtle(), status_code=422,
                        media_type="text/turtle; charset=utf-8")
    return error_response(422, exc.message, report=json.loads(exc.report.as_json()))
