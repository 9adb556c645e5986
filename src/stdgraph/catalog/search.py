"""Search: resources whose label or identifier contains a text."""

from __future__ import annotations

from rdflib import Literal

from stdgraph.analysis.common import Labels
from stdgraph.catalog.queryfiles import select
from stdgraph.store.base import Store

__all__ = ["search"]


def search(store: Store, base_iri: str, text: str, limit: int = 200) -> list[dict]:
    """Resources under ``base_iri`` whose ``rdfs:label``, ``skos:prefLabel``,
    ``skos:altLabel``, ``sg:identifier`` or ``skos:notation`` contains ``text`` (ignoring
    case), as ``{"iri", "label"}`` by label then IRI, at most ``limit``; none for no text."""
    if not text:
        return []
    rows = select(store, "search", base=Literal(base_iri), text=Literal(text))
    found = {str(s) for s, _l in rows}
    lab = Labels(store)
    lab.fetch(found)
    return sorted(lab.refs(found), key=lambda r: (r["label"].casefold(), r["iri"]))[:limit]
