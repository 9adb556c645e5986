"""The routers of the HTTP API, one module per area.

Each entry of ``ROUTERS`` is a factory ``(ApiContext) -> APIRouter``; ``create_app`` includes
them in order. To add an area, write ``routes/<area>.py`` with such a factory and add one line
here. Routes share the error envelope (``stdgraph.api.errors``: raise ``ApiError`` or any
``StdgraphError``) and content negotiation (``stdgraph.api.negotiation.negotiate_name`` with the
tables in ``stdgraph.rdf.formats``); run reads through the query runner (``ctx.executor.answer``
for a query, ``ctx.read(fn, *args)`` for Python over the store: off the event loop, bounded, with
the time limit) and never block the loop.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, FastAPI

from stdgraph.api.context import ApiContext
from stdgraph.api.routes.analysis import analysis_router
from stdgraph.api.routes.dataset import dataset_router
from stdgraph.api.routes.docs import docs_router
from stdgraph.api.routes.health import health_router
from stdgraph.api.routes.imports import imports_router
from stdgraph.api.routes.sparql import sparql_router
from stdgraph.api.routes.store import store_router
from stdgraph.api.routes.suggestions import suggestions_router
from stdgraph.web.router import web_router

RouterFactory = Callable[[ApiContext], APIRouter]

ROUTERS: list[RouterFactory] = [
    health_router,
    docs_router,
    sparql_router,
    store_router,
    dataset_router,
    analysis_router,
    imports_router,
    suggestions_router,
    web_router,
]


def include_routers(app: FastAPI, ctx: ApiContext,
                    routers: list[RouterFactory] | None = None) -> None:
    for factory in ROUTERS if routers is None else routers:
        app.include_router(factory(ctx))


__all__ = ["ROUTERS", "RouterFactory", "include_routers", "sparql_router", "store_router",
           "dataset_router", "health_router"]
