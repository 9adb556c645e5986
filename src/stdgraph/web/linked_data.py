"""RDF answers of ``/id/`` and ``/ontology``: the media types, the published JSON-LD context, the
``Link`` header naming the alternates, serialisation."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from rdflib import Graph

from stdgraph.api.http import public_base
from stdgraph.rdf.formats import FORMATS, HTML_MEDIA, RDFLIB_FORMATS, media_table
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.settings import Settings

__all__ = ["RESOURCE_MEDIA", "alternates", "jsonld_context", "rdf_response"]

SG = PREFIXES["sg"]

#: format name -> media types (first: the one answered; ``rdf.formats.FORMATS``); the first
#: entry is the default
RESOURCE_MEDIA: dict[str, tuple[str, ...]] = {
    "turtle": FORMATS["turtle"].media_types, "html": HTML_MEDIA,
    **media_table(("jsonld", "ntriples", "rdfxml"))}
_CHARSET = {"turtle", "ntriples", "html"}


def jsonld_context(base_iri: str) -> dict:
    """The published JSON-LD context: the prefixes, ``id:`` for the resource base, and the
    properties of the model with their value types."""
    ctx: dict[str, Any] = dict(PREFIXES)
    ctx["sgid"] = base_iri
    for p in ("publisher", "committee", "status", "partOf", "hasPart", "supersedes",
              "supersededBy", "references", "normativelyReferences", "basedOn", "relatedTo",
              "conflictsWith", "classifiedIn", "addressesBarrier", "supportsTheme",
              "concernsTechnology", "relevantToStakeholder", "proposes", "proposedBy",
              "delivers", "deliveredBy", "specifiedBy", "publishedBy", "mappingSubject",
              "mappingObject", "mappingRelation"):
        ctx[p] = {"@id": SG + p, "@type": "@id"}
    for p in ("identifier", "edition", "sectionNumber", "timeframeLabel", "mappingStatus"):
        ctx[p] = {"@id": SG + p}
    ctx["title"] = {"@id": SG + "title", "@language": "en"}
    ctx["label"] = {"@id": PREFIXES["rdfs"] + "label"}
    ctx["source"] = {"@id": PREFIXES["dcterms"] + "source", "@type": "@id"}
    return ctx


def serialize(triples: list[tuple], fmt: str, request: Request, settings: Settings) -> bytes:
    """``triples`` in ``fmt`` (JSON-LD compacted with the published context, named by URL)."""
    base = settings.base_iri
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    g.bind("sgid", base)
    for t in triples:
        g.add(t)
    if fmt == "jsonld":
        doc = json.loads(g.serialize(format="json-ld", context=jsonld_context(base),
                                     auto_compact=True))
        doc["@context"] = public_base(request, settings) + "/context.jsonld"
        return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    return g.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8")


def alternates(request: Request, settings: Settings, path: str) -> str:
    """The ``Link`` header: every format of ``path`` and the JSON-LD context."""
    url = public_base(request, settings) + path
    links = [f'<{url}?format={name}>; rel="alternate"; type="{types[0]}"'
             for name, types in RESOURCE_MEDIA.items()]
    links.append(f'<{public_base(request, settings)}/context.jsonld>; '
                 'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"')
    return ", ".join(links)


def rdf_response(triples: list[tuple], fmt: str, request: Request, settings: Settings,
                 path: str) -> Response:
    media = RESOURCE_MEDIA[fmt][0] + ("; charset=utf-8" if fmt in _CHARSET else "")
    return Response(serialize(triples, fmt, request, settings), media_type=media,
                    headers={"Vary": "Accept", "Link": alternates(request, settings, path)})
