"""The one template system of the HTTP layer: a Jinja2 environment over ``web/templates/`` and the
links pages make to resources.

Every template gets ``root`` (the app's root path, for ``/static`` and page links) and
``href(iri)``: a resource's URL on this server, else the IRI itself when it is an ``http`` or
``https`` URL, else ``""`` - and a template shows an IRI without a link then (``macros.link``).
IRIs come from the store, which anyone with the write token (or an STO import) fills, and from
page parameters: a ``javascript:`` or ``data:`` IRI must never become a clickable link. The
pages are served with a Content-Security-Policy besides (``api.app``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from stdgraph.analysis.evidence import LEVEL_LABELS
from stdgraph.rdf.namespaces import PREFIXES

SG = PREFIXES["sg"]

#: an IRI a page may link to as it is: http(s), nothing a browser would trim or stop at
_LINKABLE = re.compile(r"(?i)https?://[^\x00-\x20\x7f]+")


def linkable(iri: str) -> str:
    """``iri`` when a page may link to it as it is (an ``http`` or ``https`` URL), else ``""``."""
    return iri if _LINKABLE.fullmatch(iri) else ""

__all__ = ["PLACEHOLDERS", "Pages", "environment", "linkable", "named", "page_text"]

#: the placeholders of the roadmap report's table that the graph's labels keep as written
#: ("The business case for [technology] (2019–2020)": the report's own words), and how a
#: page says them: a title must not show a bracketed placeholder (issue 19)
PLACEHOLDERS = {"[technology]": "a technology"}


def named(label: object) -> str:
    """A resource's label as a page shows it: the report's placeholders in words
    (:data:`PLACEHOLDERS`). The ``named`` filter of the templates (``macros.link``, page
    titles)."""
    text = str(label)
    for raw, words in PLACEHOLDERS.items():
        text = text.replace(raw, words)
    return text


@cache
def environment() -> Environment:
    """The Jinja2 environment (templates inside the package). One per process: it depends on
    nothing but the package's own files."""
    env = Environment(loader=PackageLoader("stdgraph.web", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["named"] = named
    # the evidence levels by their human labels ("Stated, or a curator's reading")
    env.globals["evidence_levels"] = LEVEL_LABELS
    return env


def page_text(request: Request, template: str,
              href: Callable[[str], str] | None = None, **values: Any) -> str:
    """``template`` rendered with ``values``, ``root``, ``href`` (default: ``linkable``) and
    ``path`` (the request's path below ``root``: the menu marks the page's section)."""
    root = request.scope.get("root_path", "").rstrip("/")
    path = request.url.path
    path = path[len(root):] if root and path.startswith(root) else path
    return environment().get_template(template).render(
        root=root, href=href or linkable, path=path, **values)


class Pages:
    """Renders pages whose links point resources under ``base_iri`` and ontology terms at this
    server."""

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri
        self.env = environment()

    def local(self, iri: str, root: str) -> str | None:
        """The URL of ``iri`` on this server, or None for a foreign IRI."""
        if iri.startswith(self.base_iri):
            return f"{root}/id/{quote(iri[len(self.base_iri):], safe='/-._~')}"
        if iri.startswith(SG):
            return f"{root}/ontology#{iri[len(SG):]}" if len(iri) > len(SG) else f"{root}/ontology"
        if iri == SG.rstrip("#"):  # the ontology itself
            return f"{root}/ontology"
        return None

    def render(self, request: Request, template: str, status_code: int = 200, **values: Any
               ) -> HTMLResponse:
        """The page as an HTML response (``Vary: Accept``: the same URL answers other types)."""
        root = request.scope.get("root_path", "").rstrip("/")

        def href(iri: str) -> str:
            return self.local(iri, root) or linkable(iri)

        text = page_text(request, template, href, **values)
        return HTMLResponse(text, status_code=status_code, headers={"Vary": "Accept"})
