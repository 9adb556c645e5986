"""``/docs``: the API documentation (Swagger UI) with its files served by this server, so it
works with no network (issue 19, item 6).

FastAPI's own ``/docs`` loads Swagger UI's script and style from a CDN: behind a firewall, or
offline, the page stays blank. The files come from the ``fastapi-offline`` package instead
(MIT; it ships Swagger UI's ``swagger-ui-bundle.js`` and ``swagger-ui.css``, Apache-2.0, and
a favicon), read from its package data and served under ``/docs/assets/``. The page itself is
FastAPI's ``get_swagger_ui_html`` pointed at them (no deep links: they nest a link in each
operation's button, which screen readers cannot use), with ``lang="en"`` and our stylesheet
``api/docs.css`` after Swagger UI's (its colours that fail WCAG AA contrast, darkened); its one
inline script is allowed by hash (``api.security.docs_csp``).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError

__all__ = ["ASSETS", "DOCS_PATH", "OWN_CSS", "assets_folder", "docs_router"]

DOCS_PATH = "/docs"
#: the files the page loads, by name -> media type
ASSETS = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
          "swagger-ui.css": "text/css; charset=utf-8",
          "favicon.png": "image/png"}
#: our own stylesheet on top of Swagger UI's: its colours that fail WCAG AA contrast, darkened
OWN_CSS = "stdgraph-docs.css"


def assets_folder() -> Traversable:
    """Where the Swagger UI files are: the ``static`` folder of the ``fastapi_offline`` package."""
    return resources.files("fastapi_offline").joinpath("static")


def docs_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["service"])
    folder = assets_folder()

    @router.get(DOCS_PATH, include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        assets = f"{root}{DOCS_PATH}/assets"
        page = get_swagger_ui_html(
            openapi_url=f"{root}{request.app.openapi_url}",
            title=f"{request.app.title} API documentation",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            # no badge from the online validator: the page loads nothing from elsewhere
            swagger_ui_parameters={"validatorUrl": None, "deepLinking": False,
                                   **(request.app.swagger_ui_parameters or {})})
        # the language of the page, for screen readers (axe-core's html-has-lang), and the
        # contrast fixes after Swagger UI's stylesheet
        body = bytes(page.body).replace(b"<html>", b'<html lang="en">', 1).replace(
            b"</head>", f'<link rel="stylesheet" href="{assets}/{OWN_CSS}">\n</head>'.encode(),
            1)
        return HTMLResponse(body)

    @router.get(DOCS_PATH + "/assets/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        if name == OWN_CSS:
            return Response(resources.files("stdgraph.api").joinpath("docs.css").read_bytes(),
                            media_type="text/css; charset=utf-8",
                            headers={"Cache-Control": "public, max-age=3600"})
        media = ASSETS.get(name)
        if media is None:
            raise ApiError(404, f"no documentation file {name!r}")
        return Response(folder.joinpath(name).read_bytes(), media_type=media,
                        headers={"Cache-Control": "public, max-age=86400"})

    return router
