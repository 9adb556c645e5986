"""POST /import/{vocabulary}: an authorised client imports a third-party graph, as
`stdgraph import VOCAB FILE` does.

One route per importer of the registry (``stdgraph.importers.IMPORTERS``), at
``/import/<vocabulary>`` (``/import/sto`` for I40KG/STO), documented with the importer's media
types and options; any other vocabulary gets 404 naming the known ones. The upload is mapped by
the importer and written through the change protocol (the server's ``WriteGuard.change()``,
handed to the importer: a private copy committed whole, or not at all), into
``graph/import/<vocabulary>/<name>``. Like the CLI, it is kept as imported: no inference,
no SHACL verdict on it (docs/i40kg.md). A name that holds a different import is 409
(``ImportConflict``) unless ``replace=true``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError
from stdgraph.api.http import query_params, read_body, require_writer
from stdgraph.api.negotiation import parse_content_type
from stdgraph.api.rdfbody import body_schema
from stdgraph.booleans import parse_bool
from stdgraph.errors import ImportConflict, UsageError
from stdgraph.importers import IMPORTERS, Importer
from stdgraph.importers.base import UPLOAD_DIR, parse_options
from stdgraph.project import Project
from stdgraph.sparql.named import Param, ParameterError

#: the parameters every import route takes (the importer's options come after)
GENERIC = ("name", "replace")


def _doc_params(importer: Importer) -> list[dict[str, Any]]:
    v = importer.vocabulary
    params: list[dict[str, Any]] = [
        {"name": "name", "in": "query", "required": False, "schema": {"type": "string"},
         "description": f"Name of the import (graph import/{v}/<name>); default 'upload'."},
        {"name": "replace", "in": "query", "required": False, "schema": {"type": "boolean"},
         "allowEmptyValue": True,  # empty is false (``_flag``)
         "description": "Replace a different import of the same name."},
    ]
    for p in importer.options:
        schema: dict[str, Any] = {"type": "boolean" if p.type == "boolean" else "string"}
        if p.default is not None:
            schema["default"] = parse_bool(p.default) if p.type == "boolean" else p.default
        # an empty value means "not given", the default (``Param.terms``), as on the analyses
        params.append({"name": p.name, "in": "query", "required": False, "schema": schema,
                       "allowEmptyValue": True, "description": p.description})
    return params


def _flag(params: dict[str, list[str]], name: str) -> bool:
    """A yes/no parameter (``parse_bool``'s words); absent or empty is false."""
    text = (params.get(name) or [""])[0].strip() or "false"
    try:
        return parse_bool(text)
    except ValueError:
        raise ApiError(400, f"{name}={text.lower()!r}: use true or false",
                       parameter=name) from None


def imports_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["import"])
    settings = ctx.settings

    def add_import(importer: Importer) -> None:
        inputs = dict(importer.media_types)
        options: dict[str, Param] = {p.name: p for p in importer.options}

        async def handler(request: Request) -> JSONResponse:
            require_writer(request, settings)
            params = query_params(request)
            for key, values in params.items():
                if len(values) > 1:
                    raise ApiError(400, f"parameter {key!r} takes one value")
                if key not in GENERIC and key not in options:
                    raise ParameterError(key, "unknown parameter (known: "
                                         + ", ".join([*GENERIC, *options]) + ")")
            name = params["name"][0] if params.get("name") else None
            replace = _flag(params, "replace")
            raw_options = {k: v[0] for k, v in params.items() if k in options}
            parse_options(importer.options, raw_options)  # a bad option is 400 before the body
            ctype, _ = parse_content_type(request.headers.get("content-type"))
            if ctype not in inputs:
                given = request.headers.get("content-type") or "no Content-Type"
                raise ApiError(415, f"cannot read an RDF body of type {given}; supported: "
                                    f"{', '.join(inputs)}", supported=list(inputs))
            body = await read_body(request, settings.max_body_bytes)
            guard = ctx.guard
            assert guard is not None

            def run():
                try:
                    project = Project.locate(settings.project)
                except UsageError:
                    project = None
                with guard.change() as change:
                    return importer.import_(
                        change, body, name or "upload",
                        source=UPLOAD_DIR / f"{name or 'upload'}.ttl", fmt=inputs[ctype],
                        replace=replace, project=project, options=raw_options)

            loop = asyncio.get_running_loop()
            try:
                result = await loop.run_in_executor(ctx.writes, run)
            except ImportConflict as e:
                raise ApiError(409, f"{e.graph} already holds a different import named "
                                    f"{e.name!r}; use replace=true to replace it, or another "
                                    "name= for a second import", graph=e.graph) from None
            status = 201 if result.status == "created" else 200
            return JSONResponse({"ok": True, "graph": result.graph, "status": result.status,
                                 "triples": result.triples,
                                 "summary": json.loads(result.as_json())},
                                status_code=status)

        router.add_api_route(
            f"/import/{importer.vocabulary}", handler, methods=["POST"],
            name=f"import_{importer.vocabulary}",
            summary=f"Import a graph in {importer.title} terms (needs the update token)",
            responses={200: {"description": "Import summary (unchanged or replaced)"},
                       201: {"description": "Import summary (a new import graph)"},
                       400: {"description": "Unparsable body (line, column), bad name or "
                                            "parameter."},
                       401: {"description": "No bearer token."},
                       403: {"description": "Writes disabled, or wrong token."},
                       409: {"description": "The name holds a different import; "
                                            "use replace=true."},
                       413: {"description": "Body too large."},
                       415: {"description": "Unsupported Content-Type."}},
            openapi_extra={"parameters": _doc_params(importer), "requestBody": {
                "required": True,
                "content": {m: {"schema": body_schema(m)} for m in inputs}}})

    for importer in IMPORTERS:
        add_import(importer)

    @router.post("/import/{vocabulary}", include_in_schema=False)
    async def unknown_vocabulary(vocabulary: str) -> JSONResponse:
        raise ApiError(404, f"no importer for {vocabulary!r} (known: "
                            f"{', '.join(IMPORTERS.names())})")

    return router
