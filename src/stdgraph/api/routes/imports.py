"""POST /import/sto: an authorised client imports an I40KG/STO graph, as `stdgraph import sto`.

The upload is mapped by ``stdgraph.importers.sto`` and written through the guarded write path
(a transaction with an atomic switch), into ``graph/import/sto/<name>``. Like the CLI, it is kept
as imported: no inference, no SHACL verdict on it (docs/i40kg.md).
"""

from __future__ import annotations

import asyncio
import json

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError
from stdgraph.api.http import query_params, read_body, require_writer
from stdgraph.api.negotiation import parse_content_type
from stdgraph.api.rdfbody import body_schema
from stdgraph.errors import UsageError
from stdgraph.importers.sto import UPLOAD_DIR, import_sto_data
from stdgraph.rdf.formats import RDF_INPUT_MEDIA
from stdgraph.rdf.io import to_oxigraph

_INPUTS = {k: v for k, v in RDF_INPUT_MEDIA.items() if v not in {"nquads", "trig"}}
_DOC_PARAMS = [
    {"name": "name", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Name of the import (graph import/sto/<name>); default 'upload'."},
    {"name": "replace", "in": "query", "required": False, "schema": {"type": "boolean"},
     "description": "Replace a different import of the same name."},
]


def imports_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["import"])
    settings = ctx.settings

    @router.post("/import/sto", summary="Import an I40KG/STO graph (needs the update token)",
                 responses={200: {"description": "Import summary (unchanged or replaced)"},
                            201: {"description": "Import summary (a new import graph)"},
                            400: {"description": "Unparsable body (line, column) or bad name."},
                            401: {"description": "No bearer token."},
                            403: {"description": "Writes disabled, or wrong token."},
                            409: {"description": "The name holds a different import; "
                                                 "use replace=true."},
                            413: {"description": "Body too large."},
                            415: {"description": "Unsupported Content-Type."}},
                 openapi_extra={"parameters": _DOC_PARAMS, "requestBody": {
                     "required": True,
                     "content": {m: {"schema": body_schema(m)} for m in _INPUTS}}})
    async def import_sto(request: Request) -> JSONResponse:
        require_writer(request, settings)
        params = query_params(request)
        for key, values in params.items():
            if len(values) > 1:
                raise ApiError(400, f"parameter {key!r} takes one value")
        name = (params.get("name") or [None])[0]
        replace_text = (params.get("replace") or ["false"])[0].strip().lower()
        if replace_text not in {"1", "true", "yes", "0", "false", "no", ""}:
            raise ApiError(400, f"replace={replace_text!r}: use true or false",
                           parameter="replace")
        replace = replace_text in {"1", "true", "yes"}
        ctype, _ = parse_content_type(request.headers.get("content-type"))
        if ctype not in _INPUTS:
            given = request.headers.get("content-type") or "no Content-Type"
            raise ApiError(415, f"cannot read an RDF body of type {given}; supported: "
                                f"{', '.join(_INPUTS)}", supported=list(_INPUTS))
        body = await read_body(request, settings.max_body_bytes)
        guard = ctx.guard
        assert guard is not None

        def write(graph_iri: str, triples: list) -> object:
            quads = [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples]
            return guard.put_graph(graph_iri, quads)

        def run():
            from stdgraph.project import Project

            try:
                project = Project.locate(settings.project)
            except UsageError:
                project = None
            label = UPLOAD_DIR / f"{name or 'upload'}.ttl"
            return import_sto_data(ctx.store, body, path=label, fmt=_INPUTS[ctype],
                                   name=name or "upload", replace=replace, project=project,
                                   write=write)

        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(ctx.writes, run)
        except UsageError as e:
            if "already holds a different import" in e.message:
                raise ApiError(409, e.message.replace("use --replace", "use replace=true")) \
                    from None
            raise
        status = 201 if result.status == "created" else 200
        return JSONResponse({"ok": True, "graph": result.graph, "status": result.status,
                             "triples": result.triples, "summary": json.loads(result.as_json())},
                            status_code=status)

    return router
