"""``/suggestions``: machine suggestions, stored apart and reviewed before they count
(docs/suggestions.md).

=========================================  ======================================================
request                                    answer
=========================================  ======================================================
GET ``/suggestions``                       the stored suggestions, best first (JSON); ``kind``
                                           (pairs, classify, links), ``subject`` (an IRI),
                                           ``min_score`` (0-1), ``limit``
GET ``/suggestions/standard?iri=``         live suggestions for one standard: related
                                           standards, elements, barriers/themes/technologies
GET ``/suggestions/profile?text=``         standards for a free-text profile, best first
POST ``/suggestions/accept?record=&        the suggestion becomes a reading (reviewer, time,
reviewer=``                                ``prov:wasDerivedFrom`` it); needs the write token
POST ``/suggestions/reject?record=&        the suggestion is never made again; needs the
reviewer=``                                write token
POST ``/suggestions/compute?kind=&         the suggestions of ``kind`` computed now, about one
standard=&min_score=&limit=``              standard (or every standard) and stored in place of
                                           those stored; needs the write token
=========================================  ======================================================

What is computed (standard, profile, compute) needs the optional extra ``suggest`` (scikit-learn):
without it the answer is 501 naming it. Reads run through the query runner (``ctx.read``),
decisions through the server's change protocol (``guard.change()``) on the write thread. A
``compute`` does both: the suggestions computed in the query runner (stopped at the query time
limit: every standard of a large store does not fit in it, one standard does), then written
through the change protocol (``service.store_computed``; a suggestion a reviewer decided in the
meantime is not written again).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError
from stdgraph.api.http import query_params, require_writer
from stdgraph.errors import FeatureUnavailable
from stdgraph.rdf.iri import check_iri
from stdgraph.sparql.named import ParameterError
from stdgraph.suggest import service
from stdgraph.suggest.lexical import require

KNOWN = {
    "list": ("kind", "subject", "min_score", "limit"),
    "standard": ("iri", "min_score", "limit"),
    "profile": ("text", "min_score", "limit"),
    "decision": ("record", "reviewer"),
    "compute": ("kind", "standard", "min_score", "limit"),
}


def _params(request: Request, known: tuple[str, ...]) -> dict[str, str]:
    params = query_params(request)
    out = {}
    for key, values in params.items():
        if key not in known:
            raise ParameterError(key, "unknown parameter (known: " + ", ".join(known) + ")")
        if len(values) > 1:
            raise ApiError(400, f"parameter {key!r} takes one value", parameter=key)
        out[key] = values[0]
    return out


def _number(params: dict[str, str], name: str, default: Any, kind: type) -> Any:
    if name not in params or params[name] == "":
        return default
    try:
        return kind(params[name])
    except ValueError:
        raise ParameterError(name, f"{params[name]!r} is not a number") from None


def _iri(params: dict[str, str], name: str, required: bool = False) -> str | None:
    value = params.get(name)
    if not value:
        if required:
            raise ParameterError(name, "required")
        return None
    try:
        return check_iri(value)
    except ValueError as e:
        raise ParameterError(name, str(e)) from None


def _param(name: str, schema: dict[str, Any], description: str, required: bool = False
           ) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description}


MIN_SCORE = _param("min_score", {"type": "number", "minimum": 0, "maximum": 1},
                   "The least score (0-1); default 0.")
LIMIT = _param("limit", {"type": "integer", "minimum": 1}, "At most this many, best first.")
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A bad, unknown or missing parameter (named)."},
    503: {"description": "Stopped at the query time limit."}}
LIVE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS, 501: {"description": "The optional extra 'suggest' (scikit-learn) is not "
                                   "installed: the message says how to install it."}}


def _import_model() -> None:
    """scikit-learn imported ahead (seconds on a loaded machine), so that the first live
    suggestion does not pay for it inside its time limit; nothing if the extra is missing."""
    try:
        require()
    except FeatureUnavailable:
        pass


def suggestions_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["suggestions"])
    settings = ctx.settings
    # in the background: the app starts at once, and a request that comes first waits for the
    # import (Python's import lock) instead of starting it
    threading.Thread(target=_import_model, name="stdgraph-import-sklearn", daemon=True).start()

    @router.get("/suggestions", summary="Stored suggestions, best first",
                responses={200: {"description": "The stored suggestions."}, **ERRORS},
                openapi_extra={"parameters": [
                    _param("kind", {"type": "string", "enum": list(service.STORED_KINDS)},
                           "Only suggestions of this kind."),
                    _param("subject", {"type": "string"},
                           "Only suggestions about this resource, an IRI (either end of a "
                           "pair); empty is absent."),
                    MIN_SCORE, LIMIT]})
    async def listed(request: Request) -> JSONResponse:
        p = _params(request, KNOWN["list"])
        kind = p.get("kind") or None
        min_score = _number(p, "min_score", 0.0, float)
        limit = _number(p, "limit", 100, int)
        items = await ctx.read(service.listed, kind, _iri(p, "subject"), min_score, limit)
        return JSONResponse({"parameters": {"kind": kind, "subject": p.get("subject"),
                                            "min_score": min_score, "limit": limit},
                             "count": len(items), "suggestions": items})

    @router.get("/suggestions/standard", summary="Live suggestions for one standard",
                responses={200: {"description": "Related standards, elements, barriers, "
                                                "themes and technologies, best first."},
                           404: {"description": "No such standard."}, **LIVE_ERRORS},
                openapi_extra={"parameters": [
                    _param("iri", {"type": "string", "format": "iri"}, "The standard.",
                           required=True), MIN_SCORE, LIMIT]})
    async def standard(request: Request) -> JSONResponse:
        p = _params(request, KNOWN["standard"])
        iri = _iri(p, "iri", required=True)
        result = await ctx.read(service.for_standard, iri, _number(p, "min_score", 0.0, float),
                                _number(p, "limit", 5, int))
        return JSONResponse(result)

    @router.get("/suggestions/profile", summary="Standards for a free-text profile",
                responses={200: {"description": "Standards whose words match, best first."},
                           **LIVE_ERRORS},
                openapi_extra={"parameters": [
                    _param("text", {"type": "string", "maxLength": 5000},
                           "The profile in words.", required=True), MIN_SCORE, LIMIT]})
    async def profile(request: Request) -> JSONResponse:
        p = _params(request, KNOWN["profile"])
        text = p.get("text", "")
        min_score = _number(p, "min_score", 0.0, float)
        limit = _number(p, "limit", 10, int)
        items = await ctx.read(service.profile, text, min_score, limit)
        return JSONResponse({"parameters": {"text": text, "min_score": min_score,
                                            "limit": limit},
                             "count": len(items), "suggestions": items})

    def decision(action: str) -> Any:
        async def handler(request: Request) -> JSONResponse:
            require_writer(request, settings)
            p = _params(request, KNOWN["decision"])
            record = _iri(p, "record", required=True)
            reviewer = p.get("reviewer", "")
            guard = ctx.guard
            assert guard is not None  # require_writer: writes are on, so the guard is there

            def run() -> dict[str, str]:
                with guard.change() as change:
                    return service.decide(change, action, record or "", reviewer)

            result = await asyncio.get_running_loop().run_in_executor(ctx.writes, run)
            return JSONResponse({"ok": True, **result})

        return handler

    @router.post("/suggestions/compute", summary="Compute suggestions now and store them "
                 "(needs the update token)",
                 responses={200: {"description": "What was computed and stored."},
                            401: {"description": "No bearer token."},
                            403: {"description": "Writes disabled, or wrong token."},
                            404: {"description": "No such standard."}, **LIVE_ERRORS},
                 openapi_extra={"parameters": [
                     _param("kind", {"type": "string", "enum": list(service.STORED_KINDS)},
                            "The kind of suggestion.", required=True),
                     _param("standard", {"type": "string", "format": "iri"},
                            "Only the suggestions about this standard (its stored ones are "
                            "replaced, the others stay); absent: every standard."),
                     MIN_SCORE, _param("limit", {"type": "integer", "minimum": 1},
                                       "With a standard: at most this many per property "
                                       "(default: 5 pairs, 3 of each other property); "
                                       "without: at most this many in all.")]})
    async def compute(request: Request) -> JSONResponse:
        require_writer(request, settings)
        p = _params(request, KNOWN["compute"])
        kind = p.get("kind", "")
        if not kind:
            raise ParameterError("kind", "required")
        if kind not in service.STORED_KINDS:
            raise ParameterError("kind", f"{kind!r} is not a kind (known: "
                                 + ", ".join(service.STORED_KINDS) + ")")
        standard = _iri(p, "standard")
        result = await ctx.read(service.computed, kind, standard,
                                _number(p, "min_score", 0.0, float),
                                _number(p, "limit", None, int))
        guard = ctx.guard
        assert guard is not None  # require_writer: writes are on, so the guard is there

        def run() -> int:
            with guard.change() as change:
                return service.store_computed(change, result)

        stored = await asyncio.get_running_loop().run_in_executor(ctx.writes, run)
        return JSONResponse({"ok": True, "kind": kind, "standard": standard,
                             "min_score": result["min_score"], "limit": result["limit"],
                             "method": f"{kind}; {result['method']}", "stored": stored,
                             "suggestions": result["suggestions"]})

    for action, summary in (("accept", "Accept a suggestion: it becomes a reading "
                                       "(needs the update token)"),
                            ("reject", "Reject a suggestion for good (needs the update "
                                       "token)")):
        router.add_api_route(
            f"/suggestions/{action}", decision(action), methods=["POST"],
            name=f"suggestion_{action}", summary=summary,
            openapi_extra={"parameters": [
                _param("record", {"type": "string", "format": "iri"},
                       "The suggestion's record (its IRI).", required=True),
                _param("reviewer", {"type": "string", "maxLength": 200}, "Who decides.",
                       required=True)]},
            responses={200: {"description": "The decision and what was written."},
                       400: {"description": "Bad or missing parameter."},
                       401: {"description": "No bearer token."},
                       403: {"description": "Writes disabled, or wrong token."},
                       404: {"description": "No such stored suggestion."},
                       503: {"description": "Stopped at the time limit."}})
    return router
