"""``/review``: the stored suggestions (docs/suggestions.md), best first, each with Accept and
Reject buttons; a reviewer gives a name and the write token, and ``static/review.js`` posts the
decision to ``/suggestions/accept`` or ``/suggestions/reject`` (the token goes in the
``Authorization`` header, never in a URL). ``?kind=pairs|classify|links`` and ``?subject=IRI``
narrow the list (a standard's page links to its own)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from stdgraph.suggest import service
from stdgraph.web.params import Parameter, read
from stdgraph.web.site import Site

KIND = Parameter("kind")
SUBJECT = Parameter("subject", iri=True)
#: at most this many suggestions on the page
SHOWN = 200


def routes(router: APIRouter, site: Site) -> None:
    @router.get("/review", summary="Review stored suggestions: accept or reject (HTML)",
                responses={200: {"content": {"text/html": {}},
                                 "description": "The stored suggestions with their buttons."}})
    async def review(request: Request) -> Response:
        given = read(request, KIND, SUBJECT)
        kind = given["kind"] or None
        subject = given["subject"] or None
        items = await site.read(service.listed, kind, subject, 0.0, SHOWN)
        for x in items:
            x["property"] = x["predicate"].rsplit("#", 1)[-1]
        config = json.dumps({"root": request.scope.get("root_path", "").rstrip("/")}
                            ).replace("</", "<\\/")
        return site.render(request, "review.html", items=items, kind=kind, subject=subject,
                           kinds=list(service.STORED_KINDS), shown=SHOWN,
                           config=Markup(config))
