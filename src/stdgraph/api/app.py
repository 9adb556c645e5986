"""The FastAPI application factory (no import-time singletons: each call builds a new app)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from .. import __version__
from ..errors import StdgraphError
from ..formats import GRAPH_FORMATS, RESULT_FORMATS, serialize_graph, serialize_result
from ..settings import Settings
from ..store import Store, open_store


def _error(status: int, message: str) -> JSONResponse:
    """The one error envelope of the API."""
    return JSONResponse({"ok": False, "status": status, "error": message}, status_code=status)


def _pick(accept: str, offers: dict[str, str], default: str) -> str | None:
    """Minimal Accept matching (q-values, wildcards); returns a format name or None."""
    if not accept.strip():
        return default
    ranges = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        ranges.append((q, -i, bits[0].lower()))
    for q, _i, mt in sorted(ranges, reverse=True):
        if q <= 0:
            continue
        if mt in ("*/*", "*"):
            return default
        for name, media in offers.items():
            if mt == media or (mt.endswith("/*") and media.startswith(mt[:-1])):
                return name
    return None


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(title="stdgraph", version=__version__,
                  description="SPARQL endpoint over the stdgraph knowledge graph.")
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings.store)

    @app.exception_handler(StdgraphError)
    async def _stdgraph_error(_request: Request, exc: StdgraphError) -> JSONResponse:
        return _error(exc.http_status, exc.message)

    @app.get("/health")
    async def health() -> dict:
        return {"ok": True, "version": __version__}

    async def _run(request: Request, query: str | None) -> Response:
        if not query:
            return _error(400, "missing 'query' parameter")
        result = await run_in_threadpool(app.state.store.query, query)
        accept = request.headers.get("accept", "")
        if result.kind == "graph":
            name = _pick(accept, GRAPH_FORMATS, "turtle")
            if name is None:
                return _error(406, "supported: " + ", ".join(GRAPH_FORMATS.values()))
            return Response(serialize_graph(result.triples, name), media_type=GRAPH_FORMATS[name])
        name = _pick(accept, RESULT_FORMATS, "json")
        if name is None:
            return _error(406, "supported: " + ", ".join(RESULT_FORMATS.values()))
        return Response(serialize_result(result, name), media_type=RESULT_FORMATS[name])

    @app.get("/sparql")
    async def sparql_get(request: Request, query: str | None = None) -> Response:
        return await _run(request, query)

    @app.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0].strip()
        if ctype == "application/sparql-query":
            return await _run(request, (await request.body()).decode())
        if ctype == "application/x-www-form-urlencoded":
            form = await request.form()
            return await _run(request, form.get("query"))
        return _error(415, "use application/sparql-query or application/x-www-form-urlencoded")

    return app
