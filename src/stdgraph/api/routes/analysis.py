"""``/queries`` (the named-query registry) and ``/analysis`` (overlaps, gaps, conflicts).

=====================================  ==========================================================
request                                answer
=====================================  ==========================================================
GET ``/queries``                       the named queries with their parameters (JSON)
GET ``/queries/{name}?param=value``    the query's result, negotiated as on ``/sparql``
                                       (SPARQL JSON by default, XML, CSV, TSV; CONSTRUCT as
                                       Turtle, ...); ``?format=csv|tsv|json|xml`` overrides
                                       Accept; cut at STDGRAPH_MAX_ROWS with
                                       ``X-Stdgraph-Truncated: true``
GET ``/analysis``                      the analyses: name, title, description, path,
                                       parameters (with labels), columns (JSON)
GET ``/analysis/overlaps``             the overlaps document (docs/analyses.md)
GET ``/analysis/overlaps/clusters``    overlap clusters
GET ``/analysis/gaps``                 gaps (with the coverage matrix)
GET ``/analysis/conflicts``            conflicts
bad/missing/unknown parameter          400 naming it; unknown query name 404
=====================================  ==========================================================

With ``limit=0`` (every item) or JSON lines (``?format=ndjson``, ``Accept:
application/x-ndjson``: one item per line) an analysis answer is streamed: its items are
made and sent as they come, memory bounded by a constant rather than by the items, the same
text as the whole answer would be (docs/analyses.md, "Full results"). A streamed answer holds
one query worker until it ends; its time limit is on each stretch without progress.

The analysis routes are generated from the analysis registry for the app's settings
(``stdgraph.analysis.registry_for``: the built-in analyses plus ``STDGRAPH_ANALYSIS_MODULES``),
one per analysis at its declared ``path``. Analyses answer JSON (``application/json``, the same
text ``stdgraph analyse NAME --format json`` prints) or CSV (``Accept: text/csv`` or
``?format=csv``); anything else is 406. They run through the query runner (``ctx.read``: a
worker process or thread, at most STDGRAPH_QUERY_WORKERS at a time, stopped at the query time
limit: 503).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from stdgraph.analysis import (
    Analysis,
    registry_of,
    render_stream_with,
    render_with,
    warm_analyses,
)
from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError
from stdgraph.api.executor import warm_first
from stdgraph.api.http import base_iri, query_params
from stdgraph.api.negotiation import (
    format_or_accept,
    requested_format,
)
from stdgraph.api.routes.sparql import answer_formats, answer_response
from stdgraph.project import Project
from stdgraph.rdf.formats import FORMATS, JSON_MEDIA, RESULT_MEDIA
from stdgraph.sparql.named import Param, Registry
from stdgraph.store.base import AnswerRequest

NDJSON_MEDIA = ("application/x-ndjson", "application/jsonl")
ANALYSIS_MEDIA = {"json": JSON_MEDIA, "csv": FORMATS["csv"].media_types, "ndjson": NDJSON_MEDIA}
_TYPES = {"iri": "string", "string": "string", "literal": "string", "integer": "integer",
          "decimal": "number", "boolean": "boolean", "date": "string", "year": "string"}


def _media(fmt: str, table: dict[str, tuple[str, ...]]) -> str:
    mt = table[fmt][0]
    return mt if mt == "application/json" else mt + "; charset=utf-8"


def _doc_param(p: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": _TYPES[p.type]}
    if p.allowed and not p.multiple:
        schema["enum"] = list(p.allowed)
    if p.default is not None:
        schema["default"] = p.default
    label = getattr(p, "label", "")
    if label:
        schema["title"] = label
    desc = p.description
    if p.multiple:
        desc += " Comma-separated" + (f" from: {', '.join(p.allowed)}." if p.allowed else ".")
    doc = {"name": p.name, "in": "query", "required": p.required, "schema": schema,
           "description": desc}
    if not p.required:
        doc["allowEmptyValue"] = True  # an empty value means "not given" (Param.terms)
    return doc


_FORMAT_PARAM = {"name": "format", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["json", "csv", "ndjson"]},
                 "description": "Overrides Accept: json (default), csv or ndjson (JSON lines, "
                                "one item per line)."}


def streams(spec: Analysis, raw: dict[str, Any], fmt: str) -> bool:
    """Whether the answer is streamed: JSON lines, or every item (``limit=0``). A bad limit
    is left to the analysis, which names the first bad parameter."""
    if fmt == "ndjson":
        return True
    p = spec.param("limit")
    if p is None:
        return False
    try:
        return p.python(raw.get("limit")) == 0
    except Exception:  # noqa: BLE001 - the analysis' own check reports it
        return False


async def _then(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk


def _registry(ctx: ApiContext) -> Registry:
    try:
        return Registry.for_project(Project.locate(ctx.settings.project))
    except Exception:  # noqa: BLE001 - a server without a project has no named queries
        return Registry([])


def analysis_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["analysis"])
    settings = ctx.settings
    registry = _registry(ctx)
    modules = tuple(settings.analysis_modules)
    analyses = registry_of(modules)
    ctx.executor.preload.update({"stdgraph.analysis", *modules})
    # each worker derives what the analyses keep before it takes requests
    warm_first(ctx.executor, warm_analyses)

    # -- named queries ------------------------------------------------------------------------
    @router.get("/queries", summary="The named queries and their parameters")
    async def list_queries() -> JSONResponse:
        return JSONResponse({"queries": registry.describe()})

    async def run_named(request: Request, name: str) -> Response:
        q = registry.get(name)
        params = query_params(request)
        fmt = requested_format(params, RESULT_MEDIA)
        values = {k: v for k, v in params.items() if k != "format"}
        text = q.bound_text(values)
        if fmt is not None:
            result_fmt: str | None = fmt
            graph_fmt: str | None = "turtle"
        else:
            result_fmt, graph_fmt = answer_formats(request.headers.get("accept"))
        job = AnswerRequest(text, result_format=result_fmt, graph_format=graph_fmt,
                            max_rows=settings.max_rows, timeout=settings.query_timeout or None,
                            base_iri=base_iri(request, settings))
        answer = await ctx.executor.answer(job)
        return answer_response(answer, settings.max_rows)

    router.add_api_route(
        "/queries/{name}", run_named, methods=["GET"], name="named_query",
        summary="Run a named query; its parameters go in the query string",
        description="Parameters are checked and bound as RDF terms (docs/queries.md); results "
                    "are negotiated as on /sparql, or chosen with ?format=json|xml|csv|tsv.",
        responses={200: {"description": "Query results (negotiated).",
                         "content": {m[0]: {} for m in RESULT_MEDIA.values()}},
                   400: {"description": "A missing, bad or unknown parameter (named)."},
                   404: {"description": "No named query by that name."},
                   406: {"description": "No acceptable media type."},
                   503: {"description": "The query hit the time limit."}},
    )

    # -- analyses ------------------------------------------------------------------------------
    @router.get("/analysis", summary="The analyses: what each finds, its parameters and path")
    async def list_analyses() -> JSONResponse:
        return JSONResponse({"analyses": analyses.describe()})

    def add_analysis(spec: Analysis) -> None:
        async def handler(request: Request) -> Response:
            params = query_params(request)
            fmt = format_or_accept(params, request.headers.get("accept"), ANALYSIS_MEDIA,
                                   what=f"the {spec.name} analysis")
            raw = spec.raw_from_query(params)
            if streams(spec, raw, fmt):
                chunks = ctx.stream(render_stream_with, modules, spec.name, raw, fmt)
                # the first chunk comes before the answer starts: an error is still a status
                first = await anext(chunks, b"")
                return StreamingResponse(_then(first, chunks),
                                         media_type=_media(fmt, ANALYSIS_MEDIA),
                                         headers={"Vary": "Accept"})
            body = await ctx.read(render_with, modules, spec.name, raw, fmt)
            return Response(body.encode("utf-8"), media_type=_media(fmt, ANALYSIS_MEDIA),
                            headers={"Vary": "Accept"})

        router.add_api_route(
            spec.path, handler, methods=["GET"], name=f"analysis_{spec.name}",
            summary=spec.title,
            description=f"{spec.description}\n\nThe {spec.name} analysis (definitions in "
                        f"{spec.docs}). JSON document {{analysis, parameters, count, "
                        "truncated, items}, or CSV.",
            responses={200: {"description": "The analysis document (streamed with limit=0 "
                                            "or JSON lines).",
                             "content": {"application/json": {}, "text/csv": {},
                                         "application/x-ndjson": {}}},
                       400: {"description": "A bad or unknown parameter (named)."},
                       406: {"description": "No acceptable media type."},
                       503: {"description": "The analysis hit the time limit."}},
            openapi_extra={"parameters": [_doc_param(p) for p in spec.params]
                           + [_FORMAT_PARAM]},
        )

    for spec in analyses.values():
        add_analysis(spec)
    return router


__all__ = ["analysis_router", "ApiError"]
