"""What the read models share: namespaces, pages of long lists, sorting by label."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from stdgraph.rdf.namespaces import PREFIXES

SG = PREFIXES["sg"]
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]
RDF_TYPE = PREFIXES["rdf"] + "type"

#: the longest list sorted as a whole (by label or identifier); a longer one is cut into pages
#: in the store's own order (each page sorted), so that a page costs its rows, not the list's
SORT_LIMIT = 1000


@dataclass(frozen=True)
class Window:
    """Which page of a list to read: ``page`` (from 1) of ``size`` items."""

    page: int = 1
    size: int = 50

    @property
    def start(self) -> int:
        return (self.page - 1) * self.size

    @property
    def stop(self) -> int:
        return self.start + self.size


def paged(items: list, total: int, window: Window, order: str) -> dict[str, Any]:
    """A page of a list: its ``items``, the ``total`` in the list, ``page``, ``size``,
    ``pages`` and the ``order`` of the list (a short phrase: "by label", "by score", "in the
    store's order")."""
    return {"items": items, "total": total, "page": window.page, "size": window.size,
            "pages": max(1, -(-total // window.size)), "order": order}


def by_label(refs: Iterable[dict]) -> list[dict]:
    """``{"iri", "label"}`` dicts sorted by label, ignoring case."""
    return sorted(refs, key=lambda r: r["label"].casefold())


def iris(values: Iterable[str]) -> list[URIRef]:
    """IRIs the code holds as text, as terms to bind."""
    return [URIRef(v) for v in values]
