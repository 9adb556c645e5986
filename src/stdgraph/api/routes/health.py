"""``/health`` and the static files of the query page."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from stdgraph import __version__
from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError

_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def health_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["service"])

    @router.get("/health", summary="Liveness and configuration summary")
    async def health() -> dict:
        return {"ok": True, "version": __version__, "store": ctx.store.kind,
                "writable": ctx.writable, "query_executor": ctx.executor.kind,
                "query_timeout": ctx.settings.query_timeout, "max_rows": ctx.settings.max_rows,
                "query_workers": ctx.executor.size, "query_workers_ready": ctx.executor.ready}

    @router.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        suffix = name[name.rfind("."):] if "." in name else ""
        if "/" in name or suffix not in _STATIC_TYPES:
            raise ApiError(404, f"no static file {name!r}")
        f = resources.files("stdgraph.web").joinpath("static", name)
        if not f.is_file():
            raise ApiError(404, f"no static file {name!r}")
        return Response(f.read_bytes(), media_type=_STATIC_TYPES[suffix],
                        headers={"Cache-Control": "public, max-age=3600"})

    return router
