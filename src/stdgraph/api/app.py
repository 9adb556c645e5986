"""The FastAPI application factory (no import-time singletons: each call builds a new app)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from stdgraph import __version__
from stdgraph.api.context import ApiContext
from stdgraph.api.errors import install_error_handlers
from stdgraph.api.fastpath import StdgraphApp
from stdgraph.api.routes import include_routers
from stdgraph.api.routes.docs import DOCS_PATH
from stdgraph.api.routes.sparql import ROW_LIMIT_HEADER, TRUNCATED_HEADER
from stdgraph.api.security import HtmlHeaders
from stdgraph.settings import Settings
from stdgraph.store import Store, open_store

DESCRIPTION = """\
SPARQL 1.1 endpoint and Graph Store over the stdgraph knowledge graph of smart-factory
standards, reference architectures, barriers and roadmap recommendations.

* `/sparql`: SPARQL 1.1 Protocol (queries; updates with a bearer token)
* `/store`: SPARQL 1.1 Graph Store HTTP Protocol
* `/.well-known/void`, `/dump`: dataset description and dumps
* every error is `{"ok": false, "status": ..., "error": "..."}`
"""


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """A new app over ``store`` (default: the store named by ``settings.store``).

    With ``settings.update_token`` set, writes are enabled and the project's shapes and ontology
    (``settings.project``, default the bundled graph) are loaded once, here."""
    settings = settings or Settings.from_env()
    st = store if store is not None else open_store(settings.store)
    ctx = ApiContext.build(settings, st)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        start = getattr(ctx.executor, "start", None)
        if start is not None:
            start()
        if ctx.guard is not None:  # the write path's closure, built before the first write
            ctx.writes.submit(ctx.guard.warm)
            # after each write the query runner brings what it keeps up to date at once
            # (in the background), not when the next request comes
            loop = asyncio.get_running_loop()
            refresh = ctx.executor.refresh

            def committed() -> None:
                try:
                    loop.call_soon_threadsafe(refresh)
                except RuntimeError:  # the loop is closed: the server has stopped
                    pass

            ctx.guard.committed.append(committed)
        try:
            yield
        finally:
            ctx.close()

    app = StdgraphApp(title="stdgraph", version=__version__, description=DESCRIPTION,
                      lifespan=lifespan, docs_url=None, redoc_url=None)
    # /docs is routes/docs.py: Swagger UI from files this server serves, not a CDN
    app.state.stdgraph = ctx
    install_error_handlers(app)
    include_routers(app, ctx)
    # every HTML answer: Content-Security-Policy, nosniff, Referrer-Policy (api.security)
    app.add_middleware(HtmlHeaders, docs_paths=[DOCS_PATH])
    if not settings.cors_origins:
        app.fast_handler = ctx.query_handler  # api.fastpath
    else:  # every request goes through the CORS middleware: no fast path
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
            allow_headers=["Accept", "Authorization", "Content-Type"],
            expose_headers=[TRUNCATED_HEADER, ROW_LIMIT_HEADER, "Location"],
            allow_credentials=False,
            max_age=600,
        )
    return app
