"""What every page module gets from the app: the store, settings, the renderer, running reads
off the event loop under the time limit, format negotiation, and the cached analyses."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request

from stdgraph.analysis import Analysis, AnalysisDocument
from stdgraph.api.context import ApiContext
from stdgraph.api.http import query_params
from stdgraph.api.negotiation import format_or_accept
from stdgraph.catalog.common import full_analysis
from stdgraph.catalog.resource import Resource
from stdgraph.errors import QueryTimeout
from stdgraph.rdf.formats import HTML_MEDIA, JSON_MEDIA
from stdgraph.settings import Settings
from stdgraph.store.base import Store
from stdgraph.web.render import Pages

__all__ = ["HTML_JSON", "JSON_HTML", "Site"]

#: format name -> media types (first: the one answered); the first entry is the default
JSON_HTML = {"json": JSON_MEDIA, "html": HTML_MEDIA}
HTML_JSON = {"html": HTML_MEDIA, "json": JSON_MEDIA}

T = TypeVar("T")


class Site:
    """One app's view of the pages: built once per router from the app's context."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.settings: Settings = ctx.settings
        self.store: Store = ctx.store
        self.base: str = ctx.settings.base_iri
        self.pages = Pages(self.base)
        self.render = self.pages.render
        #: class IRI -> the view of its instances' /id/ pages (the page modules' KINDS)
        self.kinds: dict[str, Callable[[Site, Resource], dict[str, Any]]] = {}

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` (store reads) on a thread, under the query time limit (503 past it)."""
        timeout = self.settings.query_timeout or None
        work = asyncio.to_thread(fn)
        try:
            return await asyncio.wait_for(work, timeout) if timeout else await work
        except TimeoutError:
            raise QueryTimeout(timeout) from None

    def pick(self, request: Request, table: dict[str, tuple[str, ...]], what: str) -> str:
        """The answer's format: ``?format=`` when given (400 when not in ``table``), else by
        Accept (406 when nothing fits): ``api.negotiation.format_or_accept``."""
        return format_or_accept(query_params(request), request.headers.get("accept"), table,
                                what=what)

    async def analysis_document(self, spec: Analysis, raw: dict[str, Any]) -> AnalysisDocument:
        """The document of analysis ``spec`` for raw parameters (ParameterError names a bad
        one)."""
        return await self.run(lambda: spec.run(self.store, raw))

    def analysis(self, name: str) -> dict:
        """Analysis ``name``'s whole document, computed once per store state."""
        return self.ctx.cached("web-" + name, lambda: full_analysis(self.store, name))
