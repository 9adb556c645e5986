"""Search: resources whose label or identifier contains a text, a page at a time."""

from __future__ import annotations

from typing import Any

from rdflib import Literal

from stdgraph.analysis.common import Labels
from stdgraph.catalog.common import SORT_LIMIT, Window, paged
from stdgraph.catalog.queryfiles import select, select_page
from stdgraph.store.base import Store

__all__ = ["search"]


def search(store: Store, base_iri: str, text: str, window: Window = Window()) -> dict[str, Any]:
    """Resources under ``base_iri`` whose ``rdfs:label``, ``skos:prefLabel``,
    ``skos:altLabel``, ``sg:identifier`` or ``skos:notation`` contains ``text`` (ignoring
    case), one page (``window``) of them as ``{"iri", "label"}``
    (``catalog.common.paged``): by label then IRI when there are at most :data:`SORT_LIMIT`,
    else in the store's order (each page by label). None found for no text."""
    if not text:
        return paged([], 0, window, "by label")
    values = {"base": Literal(base_iri), "text": Literal(text)}
    # one pass when the answer is short; a count and the page when it is long
    found = [str(s) for (s,) in select_page(store, "search", Window(1, SORT_LIMIT + 1),
                                             **values)]
    total, order = len(found), "by label"
    if total > SORT_LIMIT:
        total = int(select(store, "search-count", **values)[0][0])
        found = [str(s) for (s,) in select_page(store, "search", window, **values)]
        order = "in the store's order"
    lab = Labels(store)
    lab.fetch(found)
    items = sorted(lab.refs(found), key=lambda r: (r["label"].casefold(), r["iri"]))
    if total <= SORT_LIMIT:
        items = items[window.start:window.stop]
    return paged(items, total, window, order)
