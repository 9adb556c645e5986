"""The standards as a table (``/standards``): one row per standard with its identifier, title,
status, publishers, publication year and number of classifications; filtered by status,
publisher, architecture element, barrier and evidence kind; sorted by any column; a page at a
time.

Each filter gives the standards that pass it, decided from the analyses' kept snapshot of the
store by the rules of its query (``_passing``); the table is their intersection (every standard
without a filter). A table of at most ``common.SORT_LIMIT`` rows is read whole
(``standards-table.rq``, one aggregate query), sorted by the column asked for, counted for the
form's choices (statuses and publishers with how many rows have each) and paged. A longer one is
not sorted - sorting is what a page must not cost (the rows of 10,000 standards take seconds
to read) - but read a page at a time: in the store's order without a filter, by IRI with one,
only the page's rows read; it says so, and its form offers the statuses and publishers without
counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from stdgraph.analysis.common import Labels
from stdgraph.analysis.snapshot import snapshot
from stdgraph.catalog.architecture import elements_by_scheme
from stdgraph.catalog.common import SG, SORT_LIMIT, Window, by_label, iris, paged
from stdgraph.catalog.index import subjects_by_object
from stdgraph.catalog.overview import members
from stdgraph.catalog.queryfiles import select, select_page
from stdgraph.store.base import Store

__all__ = ["COLUMNS", "EVIDENCE_KINDS", "FILTERS", "standards_page", "standards_table",
           "warm_standards_filters"]

#: the table's columns, in order: name -> heading
COLUMNS = {"identifier": "standard", "title": "title", "status": "status", "body": "publisher",
           "year": "year", "elements": "classifications"}
#: what a table can be filtered by (each repeatable): status and body keep a row whose status
#: (one of whose publishers) is any of those given; element and barrier one classified in
#: (addressing) every one given; evidence one with a link record of any of the kinds given
FILTERS = ("status", "body", "element", "barrier", "evidence")
#: the evidence kinds a link record can have (ontology/evidence.ttl)
EVIDENCE_KINDS = ("Stated", "Reading", "Suggested", "Inferred")
RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"
EVIDENCE = SG + "evidence"


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


def _rows(store: Store, lab: Labels, standards: list[str] | None) -> list[dict[str, Any]]:
    """The table's rows of ``standards`` (every standard when None), labels fetched."""
    values = {"standard": iris(standards)} if standards is not None else {}
    rows: list[dict[str, Any]] = []
    if standards == []:
        return rows
    for s, ident, title, status, bodies, year, n, text in select(store, "standards-table",
                                                                  **values):
        rows.append({"iri": str(s), "identifier": str(ident) if ident is not None else None,
                     "title": str(title) if title is not None else None,
                     # a status given as text (the shapes refuse it) has no IRI: its text
                     # is its label
                     "status": str(status) if status is not None else None,
                     "status_text": str(text) if text is not None else None,
                     "body": sorted(str(bodies).split()) if bodies is not None else [],
                     "year": str(year) if year is not None else None, "elements": int(n)})
    lab.fetch([*(r["iri"] for r in rows), *(r["status"] for r in rows if r["status"]),
               *(b for r in rows for b in r["body"])])
    for r in rows:
        r["label"] = lab(r["iri"])
        r["status_label"] = lab(r["status"]) if r["status"] else r.pop("status_text")
        r.pop("status_text", None)
        r["bodies"] = by_label(lab.refs(r.pop("body")))
    return rows


def _passing(store: Store, filters: Mapping[str, Sequence[str]]) -> set[str] | None:
    """The standards that pass every filter given, or None when none is.

    Decided from the analyses' snapshot of the store (``analysis.snapshot``: the triples of
    each property and the typings of sg:Standard, kept per store version in the query runner
    and brought up to date by each write) by the rules of the filter queries
    (``standards-in-every-element.rq``, ``standards-addressing-every-barrier.rq``,
    ``standards-with-status.rq``, ``standards-by-publisher.rq``,
    ``standards-with-evidence.rq``; tests/catalog/test_standards_filters.py checks they agree):
    those queries' answers cost seconds when most of 100,000 standards pass."""
    given = {name: sorted(set(filters.get(name) or ())) for name in FILTERS}
    if not any(given.values()):
        return None
    snap = snapshot(store)
    standards = snap.typings(store, SG + "Standard")
    keep: set[str] | None = None

    def narrow(found: set[str]) -> None:
        nonlocal keep
        keep = found if keep is None else keep & found

    for name, prop, every in (("element", "classifiedIn", True),
                              ("barrier", "addressesBarrier", True),
                              ("status", "status", False), ("body", "publisher", False)):
        if given[name]:
            index = subjects_by_object(store, snap, SG + prop)
            sets = [index.get(w, frozenset()) for w in given[name]]
            hits = frozenset.intersection(*sets) if every else frozenset().union(*sets)
            narrow({s for s in hits if s in standards})
    if given["evidence"]:
        kinds = {SG + k for k in given["evidence"]}
        props = snap.records(store).props
        subjects = props.get(RDF_SUBJECT, {})
        found: set[str] = set()
        for node, values in props.get(EVIDENCE, {}).items():
            if any(isinstance(v, ox.NamedNode) and v.value in kinds for v in values):
                found.update(s for v in subjects.get(node, ())
                             if isinstance(v, ox.NamedNode | ox.BlankNode)
                             and (s := v.value) in standards)
        narrow(found)
    return keep


def warm_standards_filters(store: Store) -> None:
    """What the filters read from the snapshot (``_passing``), read once: the server's query
    workers run this before they take requests, as they warm the analyses, so that no request
    scans a property under its time limit (at 100,000 standards under load the scans of
    sg:classifiedIn and of the statement records each took longer than the limit)."""
    snap = snapshot(store)
    snap.typings(store, SG + "Standard")
    for prop in ("classifiedIn", "addressesBarrier", "status", "publisher"):
        subjects_by_object(store, snap, SG + prop)
    snap.records(store)


def standards_table(store: Store, filters: Mapping[str, Sequence[str]], sort: str = "identifier",
                    window: Window = Window(), sort_limit: int = SORT_LIMIT) -> dict[str, Any]:
    """One page of the standards table: ``items`` (``iri``, ``label``, ``identifier``,
    ``title``, ``status`` and ``status_label``, ``bodies`` (its publishers' refs), ``year``,
    ``elements``), ``total`` (the rows that pass the filters), ``page``, ``size``, ``pages``,
    ``order``; ``sorted`` (whether the table could be sorted: at most ``SORT_LIMIT`` rows) and
    ``sort`` (a column of :data:`COLUMNS`, ``-column`` for descending; ties by identifier,
    then IRI; empty values last either way); ``filters`` (each given filter's values as refs)
    and ``facets`` (the statuses and publishers of the rows that pass the filters, by label,
    with their ``count``; of the whole graph and without counts past ``SORT_LIMIT``), and
    ``elements`` (the element filter's refs). ``sort_limit``: the most rows sorted."""
    lab = Labels(store)
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in COLUMNS:
        raise ValueError(f"no column {column!r}")
    keep = _passing(store, filters)
    total = len(keep) if keep is not None else int(select(store, "standards-count")[0][0])
    element = sorted(set(filters.get("element") or ()))
    barrier = sorted(set(filters.get("barrier") or ()))
    statuses = sorted(set(filters.get("status") or ()))
    bodies = sorted(set(filters.get("body") or ()))
    lab.fetch([*element, *barrier, *statuses, *bodies])
    if total <= sort_limit:
        rows = _rows(store, lab, sorted(keep) if keep is not None else None)
        rows.sort(key=lambda r: ((r["identifier"] or r["label"]).casefold(), r["iri"]))
        filled = [r for r in rows if not _sort_key(column, r)[0]]
        empty = [r for r in rows if _sort_key(column, r)[0]]
        filled.sort(key=lambda r: _sort_key(column, r)[1], reverse=descending)
        rows = filled + empty
        order = f"by {COLUMNS[column]}{', descending' if descending else ''}"
        page = rows[window.start:window.stop]
        counts = {"status": Counter(r["status"] for r in rows if r["status"]),
                  "body": Counter(b["iri"] for r in rows for b in r["bodies"])}
        facets = {k: by_label({**lab.ref(x), "count": c} for x, c in v.items())
                  for k, v in counts.items()}
        is_sorted = True
    else:
        if keep is None:
            shown = [str(s) for (s,) in select_page(store, "standards", window)]
            order = "in the store's order"
        else:
            shown = sorted(keep)[window.start:window.stop]
            order = "by IRI"
        by_iri = {r["iri"]: r for r in _rows(store, lab, shown)}
        page = [by_iri[s] for s in shown if s in by_iri]
        facets = {"status": [{**r, "count": None} for r in members(store, "Status", lab)],
                  "body": [{**r, "count": None} for r in members(store, "StandardsBody", lab)]}
        is_sorted = False
    return {**paged(page, total, window, order), "sort": sort, "sorted": is_sorted,
            "elements": lab.refs(element),
            "filters": {"status": lab.refs(statuses), "body": lab.refs(bodies),
                        "element": lab.refs(element), "barrier": lab.refs(barrier),
                        "evidence": sorted(set(filters.get("evidence") or ()))},
            "facets": facets}


def standards_page(store: Store, filters: Mapping[str, Sequence[str]], sort: str = "identifier",
                   window: Window = Window()) -> dict[str, Any]:
    """:func:`standards_table` and what its filter form offers: ``options`` (``barrier``: the
    barriers by label; ``element``: (scheme label, elements) pairs)."""
    lab = Labels(store)
    return {**standards_table(store, filters, sort, window),
            "options": {"barrier": members(store, "Barrier", lab),
                        "element": elements_by_scheme(store, lab)}}
