"""The standards as a table (``/standards``): one row per standard with its identifier, title,
status, publisher, publication year and number of classifications; filtered by status,
publisher, architecture element, barrier and evidence kind; sorted by any column; a page at a
time.

The rows are read in one aggregate query (``standards-table.rq``) and the filters that are not
columns (elements, barriers, evidence kinds) by one query each, whose standards the rows are
narrowed to; sorting and paging are Python's. So a page costs a read of every standard's row,
about 0.1 s for 10,000 standards, not of its links.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from rdflib import Literal

from stdgraph.analysis.common import Labels
from stdgraph.catalog.architecture import elements_by_scheme
from stdgraph.catalog.common import SG, Window, by_label, iris, paged
from stdgraph.catalog.overview import members
from stdgraph.catalog.queryfiles import select
from stdgraph.store.base import Store

__all__ = ["COLUMNS", "EVIDENCE_KINDS", "FILTERS", "standards_page", "standards_table"]

#: the table's columns, in order: name -> heading
COLUMNS = {"identifier": "standard", "title": "title", "status": "status", "body": "publisher",
           "year": "year", "elements": "classifications"}
#: what a table can be filtered by (each repeatable): status and body keep a row whose status
#: (one of whose publishers) is any of those given; element and barrier one classified in
#: (addressing) every one given; evidence one with a link record of any of the kinds given
FILTERS = ("status", "body", "element", "barrier", "evidence")
#: the evidence kinds a link record can have (ontology/evidence.ttl)
EVIDENCE_KINDS = ("Stated", "Reading", "Suggested", "Inferred")


def _sort_key(column: str, row: dict[str, Any]) -> tuple:
    """Rows without a value last, whatever the direction (see ``standards_table``)."""
    if column == "body":
        value = ", ".join(b["label"] for b in row["bodies"]) or None
    else:
        value = row[column + "_label"] if column == "status" else row[column]
    if column == "identifier":
        value = (row["identifier"] or row["label"]).casefold()
    elif isinstance(value, str):
        value = value.casefold()
    return (value is None or value == "", value if value is not None else "")


def standards_table(store: Store, filters: Mapping[str, Sequence[str]], sort: str = "identifier",
                    window: Window = Window()) -> dict[str, Any]:
    """One page of the standards table: ``items`` (``iri``, ``label``, ``identifier``,
    ``title``, ``status`` and ``status_label``, ``bodies`` (its publishers' refs), ``year``,
    ``elements``), ``total`` (the rows that pass the filters), ``page``, ``size``, ``pages``,
    ``order``; ``sort`` (a column of :data:`COLUMNS`, ``-column`` for descending; ties by
    identifier, then IRI; empty values last either way); ``filters`` (each given filter's
    values as refs) and ``facets`` (the statuses and publishers of the rows that pass the other
    filters, with their counts, by label), and ``elements`` (the element filter's refs)."""
    lab = Labels(store)
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in COLUMNS:
        raise ValueError(f"no column {column!r}")
    rows: list[dict[str, Any]] = []
    for s, ident, title, status, bodies, year, n in select(store, "standards-table"):
        rows.append({"iri": str(s), "identifier": str(ident) if ident is not None else None,
                     "title": str(title) if title is not None else None,
                     "status": str(status) if status is not None else None,
                     "body": sorted(str(bodies).split()) if bodies is not None else [],
                     "year": str(year) if year is not None else None, "elements": int(n)})
    keep: set[str] | None = None

    def narrow(found: set[str]) -> None:
        nonlocal keep
        keep = found if keep is None else keep & found

    element = sorted(set(filters.get("element") or ()))
    if element:
        narrow({str(s) for (s,) in select(store, "standards-in-every-element",
                                           element=iris(element), n=Literal(len(element)))})
    barrier = sorted(set(filters.get("barrier") or ()))
    if barrier:
        narrow({str(s) for (s,) in select(store, "standards-addressing-every-barrier",
                                           barrier=iris(barrier), n=Literal(len(barrier)))})
    kinds = sorted(set(filters.get("evidence") or ()))
    if kinds:
        narrow({str(s) for (s,) in select(store, "standards-with-evidence",
                                           kind=iris(SG + k for k in kinds))})
    if keep is not None:
        rows = [r for r in rows if r["iri"] in keep]
    lab.fetch([*(r["iri"] for r in rows), *(r["status"] for r in rows if r["status"]),
               *(b for r in rows for b in r["body"]), *element, *barrier,
               *(filters.get("status") or ()), *(filters.get("body") or ())])
    for r in rows:
        r["label"] = lab(r["iri"])
        r["status_label"] = lab(r["status"]) if r["status"] else None
        r["bodies"] = by_label(lab.refs(r.pop("body")))
    statuses, bodies = set(filters.get("status") or ()), set(filters.get("body") or ())

    def of_body(r: dict[str, Any]) -> bool:
        return not bodies or any(b["iri"] in bodies for b in r["bodies"])

    facets = {"status": Counter(r["status"] for r in rows if r["status"] and of_body(r)),
              "body": Counter(b["iri"] for r in rows for b in r["bodies"]
                              if not statuses or r["status"] in statuses)}
    rows = [r for r in rows if (not statuses or r["status"] in statuses) and of_body(r)]
    rows.sort(key=lambda r: ((r["identifier"] or r["label"]).casefold(), r["iri"]))
    filled = [r for r in rows if not _sort_key(column, r)[0]]
    empty = [r for r in rows if _sort_key(column, r)[0]]
    filled.sort(key=lambda r: _sort_key(column, r)[1], reverse=descending)
    rows = filled + empty
    order = f"by {COLUMNS[column]}{', descending' if descending else ''}"
    page = rows[window.start:window.stop]
    return {**paged(page, len(rows), window, order), "sort": sort,
            "elements": lab.refs(element),
            "filters": {"status": lab.refs(sorted(statuses)), "body": lab.refs(sorted(bodies)),
                        "element": lab.refs(element), "barrier": lab.refs(barrier),
                        "evidence": kinds},
            "facets": {k: by_label({**lab.ref(x), "count": c} for x, c in v.items())
                       for k, v in facets.items()}}


def standards_page(store: Store, filters: Mapping[str, Sequence[str]], sort: str = "identifier",
                   window: Window = Window()) -> dict[str, Any]:
    """:func:`standards_table` and what its filter form offers: ``options`` (``barrier``: the
    barriers by label; ``element``: (scheme label, elements) pairs)."""
    lab = Labels(store)
    return {**standards_table(store, filters, sort, window),
            "options": {"barrier": members(store, "Barrier", lab),
                        "element": elements_by_scheme(store, lab)}}
