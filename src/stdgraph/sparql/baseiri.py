"""The base IRI of a SPARQL request, for rdflib's parser.

SPARQL 1.1 Query §4.1.1: relative IRIs in a query or update are resolved against its base IRI
(RFC 3986 §5.1): the request's own ``BASE``, else one the caller gives (the endpoint gives its
own URL, docs/endpoint.md). Oxigraph takes it as ``base_iri=`` and resolves every IRI, ``BASE``
declarations included. rdflib takes a base too, but keeps a relative ``BASE <x/>`` declaration
as written instead of resolving it against the base before it, and, when given a base, forgets
one update operation's ``BASE`` at the next. ``set_base`` puts the base into the parsed prologue
instead, resolved the way Oxigraph does, so that both engines read a request alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urljoin

from rdflib import URIRef


def set_base(prologues: Iterable, base_iri: str | None) -> None:
    """Resolve the ``BASE`` declarations of rdflib's parsed prologues (a query has one, an
    update one per operation, in order) against the base in force before each, starting with
    ``base_iri``, which becomes the first prologue's base; translate them without a base
    afterwards. ``None``: leave the prologues as rdflib parsed them."""
    if base_iri is None:
        return
    from rdflib.plugins.sparql.parserutils import CompValue

    current = base_iri
    for n, prologue in enumerate(prologues):
        for decl in prologue:
            if getattr(decl, "name", None) == "Base":
                current = urljoin(current, str(decl["iri"]))
                decl["iri"] = URIRef(current)
        if n == 0:
            prologue.insert(0, CompValue("Base", iri=URIRef(base_iri)))
