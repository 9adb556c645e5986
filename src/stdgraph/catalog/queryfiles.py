"""The catalog's SPARQL: one file per query in ``catalog/queries/``, loaded by name, values
bound as RDF terms (``stdgraph.sparql.queryfiles``: how values are bound, and what is refused).
"""

from __future__ import annotations

from collections.abc import Mapping

from stdgraph.catalog.common import Window
from stdgraph.rdf.results import QueryResult
from stdgraph.sparql.named import NamedQuery
from stdgraph.sparql.queryfiles import QueryFolder, Value, substitute
from stdgraph.sparql.queryfiles import checked as _checked
from stdgraph.store.base import Store

__all__ = ["FOLDER", "Value", "bind", "checked", "load", "names", "run", "select",
           "select_page", "substitute"]

FOLDER = QueryFolder("stdgraph.catalog", "catalog query")


def names() -> list[str]:
    """The names of the catalog's queries (their file names without ``.rq``)."""
    return FOLDER.names()


def load(name: str) -> NamedQuery:
    """The query ``name`` (``catalog/queries/{name}.rq``), its header checked."""
    return FOLDER.load(name)


def checked(query: NamedQuery) -> NamedQuery:
    """``query`` if it can be bound (``stdgraph.sparql.queryfiles.checked``)."""
    return _checked(query, f"catalog query {query.name}")


def bind(name: str, values: Mapping[str, Value]) -> str:
    """The text of query ``name`` with ``values`` bound."""
    return FOLDER.bind(name, values)


def run(store: Store, name: str, **values: Value) -> QueryResult:
    """Query ``name`` run on ``store`` with ``values`` bound."""
    return FOLDER.run(store, name, **values)


def select(store: Store, name: str, **values: Value) -> list[tuple]:
    """The rows of query ``name`` (a SELECT) run on ``store`` with ``values`` bound."""
    return FOLDER.select(store, name, **values)


def select_page(store: Store, name: str, window: Window, **values: Value) -> list[tuple]:
    """One page of the rows of query ``name``: its text with ``values`` bound and ``LIMIT``
    and ``OFFSET`` of ``window`` (a ``catalog.common.Window``: numbers, not text) appended, so
    the store reads that page only, in its own order (the query has no ORDER BY: sorting is
    what a page must not cost)."""
    size, start = int(window.size), int(window.start)
    if size < 1 or start < 0:
        raise ValueError(f"no such page: {start} + {size}")
    return store.query(bind(name, values) + f"\nLIMIT {size} OFFSET {start}").rows
