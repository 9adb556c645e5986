"""The base IRI of a SPARQL request, for rdflib's parser.

SPARQL 1.1 Query §4.1.1: relative IRIs in a query or update are resolved against its base IRI
(RFC 3986 §5.1): the request's own ``BASE``, else one the caller gives (the endpoint gives its
own URL, docs/endpoint.md). Oxigraph takes it as ``base_iri=`` and resolves every IRI, ``BASE``
declarations included. rdflib takes a base too, but keeps a relative ``BASE <x/>`` declaration
as written, forgets one update operation's ``BASE`` at the next when given a base, and takes an
IRI with a colon anywhere (``<a/b:c>``, ``<#s:1>``) for an absolute one. ``set_base`` resolves
the parsed request itself, as Oxigraph does, so that both engines read a request alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

from rdflib import URIRef
from rdflib.plugins.sparql.parserutils import CompValue

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def set_base(parts: Iterable[tuple[Any, Any]], base_iri: str | None) -> None:
    """Resolve, in place, every relative IRI of rdflib's parsed request — ``(prologue, body)``
    pairs: one for a query (``parseQuery``'s two items), one per operation for an update
    (``zip(parsed.prologue, parsed.request)``) — against the base in force: ``base_iri``, then
    each ``BASE`` declaration (itself resolved against the base before it). ``base_iri``
    becomes the first prologue's base declaration (for ``IRI("x")``, evaluated later), so
    translate without a base afterwards. ``None``: leave the request as rdflib parsed it."""
    if base_iri is None:
        return
    current = base_iri
    for n, (prologue, body) in enumerate(parts):
        for decl in prologue:  # in order: a PREFIX reads the BASE before it
            name = getattr(decl, "name", None)
            if name == "Base":
                current = urljoin(current, str(dict.__getitem__(decl, "iri")))
                decl["iri"] = URIRef(current)
            elif name == "PrefixDecl":
                _resolve_within(decl, current)
        if n == 0:
            prologue.insert(0, CompValue("Base", iri=URIRef(base_iri)))
        _resolve_within(body, current)


def _resolved(value: object, base: str) -> URIRef | None:
    if type(value) is URIRef and not _SCHEME.match(value):
        return URIRef(urljoin(base, str(value)))
    return None


def _resolve_within(node: Any, base: str) -> None:
    """Replace the relative ``URIRef`` values inside a parse tree (``CompValue`` dicts,
    ``ParseResults`` and lists)."""
    if isinstance(node, dict):
        items = list(dict.items(node))
        for key, value in items:
            new = _resolved(value, base)
            if new is not None:
                node[key] = new
            else:
                _resolve_within(value, base)
    elif isinstance(node, list) or hasattr(node, "as_list"):  # list, pyparsing ParseResults
        for i, value in enumerate(list(node)):
            new = _resolved(value, base)
            if new is not None:
                node[i] = new
            else:
                _resolve_within(value, base)
