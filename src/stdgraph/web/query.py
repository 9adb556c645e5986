"""The SPARQL query page, the browser's answer to ``GET /sparql`` without a query.

The ``/sparql`` route (``stdgraph.api.routes.sparql``) belongs to the protocol and does not know
the pages: mounting the pages (``web.router.web_router``) hands it this page through
``ApiContext.query_page``, so an app without the pages answers browsers with the service
description.
"""

from __future__ import annotations

import json

from fastapi import Request
from markupsafe import Markup

from stdgraph.api.context import ApiContext
from stdgraph.web.render import page_text


def query_page(ctx: ApiContext, request: Request) -> str:
    """The offline query page (no CDN): ``web/templates/query.html`` with the endpoint, the
    example queries and whether updates are accepted, as JSON for its script."""
    config = json.dumps({"endpoint": request.url.path, "examples": ctx.examples,
                         "writable": ctx.writable}).replace("</", "<\\/")
    # JSON inside <script>: no "</" can end the element early, so it goes in unescaped
    return page_text(request, "query.html", title="SPARQL query",
                     config=Markup(config))
