"""The routers of the HTTP API, one module per area.

Each entry of ``ROUTERS`` is a factory ``(ApiContext) -> APIRouter``; ``create_app`` includes
them in order. To add an area, write ``routes/<area>.py`` with such a factory and add one line
here. Routes share the error envelope (``stdgraph.api.errors``: raise ``ApiError`` or any
``StdgraphError``) and content negotiation (``stdgraph.negotiation.negotiate_name`` with the
tables in ``stdgraph.formats``); run queries through ``ctx.executor`` (off the event loop, with
the time limit) and never block the loop.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, FastAPI

from ..context import ApiContext
from .analysis import analysis_router
from .dataset import dataset_router
from .health import health_router
from .imports import imports_router
from .sparql import sparql_router
from .store import store_router
from .web import web_router

RouterFactory = Callable[[ApiContext], APIRouter]

ROUTERS: list[RouterFactory] = [
    health_router,
    sparql_router,
    store_router,
    dataset_router,
    analysis_router,
    imports_router,
    web_router,
]


def include_routers(app: FastAPI, ctx: ApiContext,
                    routers: list[RouterFactory] | None = None) -> None:
    for factory in ROUTERS if routers is None else routers:
        app.include_router(factory(ctx))


__all__ = ["ROUTERS", "RouterFactory", "include_routers", "sparql_router", "store_router",
           "dataset_router", "health_router"]
