"""What every page module gets from the app: the store, settings, the renderer, reads through
the app's query runner, and format negotiation.

Every read a page makes goes through the query runner (``ApiContext.read``, api/executor.py):
``site.read(fn, *args)`` runs ``fn(store, *args)`` in a query worker process or thread, at most
``STDGRAPH_QUERY_WORKERS`` at a time, stopped at the query time limit (503). So ``fn`` is a
module-level function (a worker process imports it by name) whose arguments and result are plain
data: the read models of ``stdgraph.catalog`` return dicts, lists and RDF terms. A resource
page's view (the page modules' ``KINDS``) runs there too, with a :class:`PageReads`. What a
page quotes of the analyses (a standard's overlaps and conflicts, a concern's gap) is read for
that resource alone (``stdgraph.catalog.findings``), never as a whole analysis; lists that grow
with the graph are read a page at a time (``web.paging``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from stdgraph.analysis import Analysis, AnalysisDocument, run_with
from stdgraph.api.context import ApiContext
from stdgraph.api.errors import ApiError
from stdgraph.api.executor import function_ref
from stdgraph.api.http import query_params
from stdgraph.api.negotiation import format_or_accept
from stdgraph.catalog.common import Window
from stdgraph.catalog.resource import Resource
from stdgraph.rdf.formats import HTML_MEDIA, JSON_MEDIA
from stdgraph.settings import Settings
from stdgraph.store.base import Store
from stdgraph.web.render import Pages

__all__ = ["HTML_JSON", "JSON_HTML", "LISTS", "PageReads", "Site", "View"]

#: format name -> media types (first: the one answered); the first entry is the default
JSON_HTML = {"json": JSON_MEDIA, "html": HTML_MEDIA}
HTML_JSON = {"html": HTML_MEDIA, "json": JSON_MEDIA}


#: the lists of a resource page, each read a page at a time: list -> items per page (the
#: page is the URL parameter ``<list>_page``)
LISTS = {"overlaps": 25, "conflicts": 25, "standards": 50, "incoming": 50, "committees": 50,
         "architectures": 50, "recommendations": 50, "items": 50}


@dataclass
class PageReads:
    """What the view of a resource page reads with, inside the query runner: the store, the
    base IRI, and the page asked for of each of its lists (:data:`LISTS`; list -> page)."""

    store: Store
    base: str
    pages: dict[str, int] = field(default_factory=dict)

    def window(self, name: str) -> Window:
        """The page of list ``name`` to read."""
        return Window(self.pages.get(name, 1), LISTS[name])


#: the view of a kind of resource page: ``(reads, resource) -> {"template": ..., values}``
View = Callable[[PageReads, Resource], dict[str, Any]]


def found(res: Resource, values: dict[str, Any] | None) -> dict[str, Any]:
    """A read model's values for ``res``; 404 when it reads nothing (the graph changed between
    describing the resource and reading its page)."""
    if values is None:
        raise ApiError(404, f"the graph holds nothing about {res.iri}", iri=res.iri)
    return values


class Site:
    """One app's view of the pages: built once per router from the app's context."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.settings: Settings = ctx.settings
        self.store: Store = ctx.store
        self.base: str = ctx.settings.base_iri
        self.modules: tuple[str, ...] = tuple(ctx.settings.analysis_modules)
        self.pages = Pages(self.base)
        self.render = self.pages.render
        #: class IRI -> the view of its instances' /id/ pages (the page modules' KINDS)
        self.kinds: dict[str, View] = {}

    async def read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(store, *args, **kwargs)`` through the app's query runner (``ApiContext.read``):
        off the event loop, bounded by STDGRAPH_QUERY_WORKERS, 503 past the time limit."""
        return await self.ctx.read(fn, *args, **kwargs)

    def kind_refs(self) -> list[tuple[str, str]]:
        """``kinds`` as (class IRI, ``"module:function"``), in order: what a worker needs."""
        return [(cls, function_ref(view)) for cls, view in self.kinds.items()]

    def pick(self, request: Request, table: dict[str, tuple[str, ...]], what: str) -> str:
        """The answer's format: ``?format=`` when given (400 when not in ``table``), else by
        Accept (406 when nothing fits): ``api.negotiation.format_or_accept``."""
        return format_or_accept(query_params(request), request.headers.get("accept"), table,
                                what=what)

    async def analysis_document(self, spec: Analysis, raw: dict[str, Any]) -> AnalysisDocument:
        """The document of analysis ``spec`` for raw parameters (ParameterError names a bad
        one), through the query runner."""
        return await self.read(run_with, self.modules, spec.name, raw)
