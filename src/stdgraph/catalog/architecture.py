"""Reference architectures: their elements by axis with the standards in each, RAMI 4.0's
coverage heatmap, and the elements a profile can name."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import URIRef

from stdgraph.analysis.common import Labels
from stdgraph.catalog.common import by_label, iris
from stdgraph.catalog.queryfiles import select
from stdgraph.store.base import Store

__all__ = ["GRIDS", "architecture", "architectures", "elements_by_scheme", "heatmap",
           "placement"]

#: architecture (path under the base IRI) -> the axes (rows, columns) of its coverage heatmap:
#: the schemes whose axes cross, so that one standard sits in a cell of two of them - RAMI
#: 4.0's layers by hierarchy levels, and IMSA's intelligent functions by system hierarchy
#: (IMSA's three dimensions are RAMI 4.0's counterparts). The others list their elements as a
#: tree: IIRA's viewpoints nest rather than cross, ISA-95's two hierarchies have levels that
#: correspond, the NIST ecosystem's lifecycles and pyramid are each a dimension of their own
#: (no bundled standard is classified on two of them but one), IVRA's views and the AAS
#: submodels are lists. Any two axes make a grid in the gaps report's coverage matrix.
GRIDS = {"architecture/rami40": ("architecture/rami40/axis-layers",
                                 "architecture/rami40/axis-hierarchy"),
         "architecture/imsa": ("architecture/imsa/dimension-intelligent-functions",
                               "architecture/imsa/dimension-system-hierarchy")}


def order_key(value: object) -> int:
    """An ``sg:order`` value as a sort key: its number, or after every number when there is
    none (or it is not a whole number)."""
    try:
        return int(str(value)) if value is not None else 10**9
    except ValueError:
        return 10**9


def axis_elements(store: Store, axis: str) -> list[str]:
    """The elements of an axis (its direct children), by ``sg:order`` (a number; none: last),
    then IRI."""
    order: dict[str, tuple[int, str]] = {}
    for e, o in select(store, "axis-elements", axis=URIRef(axis)):
        key = (order_key(o), str(e))
        if str(e) not in order or key < order[str(e)]:
            order[str(e)] = key
    return sorted(order, key=lambda e: order[e])


def heatmap(store: Store, rows_axis: str, cols_axis: str, labels: Labels | None = None
            ) -> dict[str, Any]:
    """The coverage heatmap of two axes: ``rows`` and ``columns`` (``{"axis", "elements"}``,
    refs), ``counts`` (rows x columns: the standards classified, asserted or inferred, in both
    elements: the length of the list each cell links to, ``/standards?element=&element=``),
    ``empty`` (the cells no standard is in) and ``max``. One aggregate query for the grid
    (``heatmap.rq``), whatever the number of standards."""
    lab = labels or Labels(store)
    rows, cols = axis_elements(store, rows_axis), axis_elements(store, cols_axis)
    n = {(str(r), str(c)): int(k) for r, c, k in select(store, "heatmap", rows=URIRef(rows_axis),
                                                        columns=URIRef(cols_axis))}
    counts = [[n.get((r, c), 0) for c in cols] for r in rows]
    lab.fetch([rows_axis, cols_axis, *rows, *cols])
    return {
        "rows": {"axis": lab.ref(rows_axis), "elements": lab.refs(rows)},
        "columns": {"axis": lab.ref(cols_axis), "elements": lab.refs(cols)},
        "counts": counts,
        "empty": [{"row": lab.ref(r), "column": lab.ref(c)}
                  for r in rows for c in cols if not n.get((r, c))],
        "max": max((k for row in counts for k in row), default=0),
    }


def architecture(store: Store, iri: str, base_iri: str, labels: Labels | None = None
                 ) -> dict[str, Any]:
    """A reference architecture: ``elements``, its elements as a tree in the scheme's own
    order (``sg:order``, then label): one entry per top element (an axis, a view, ...), each
    element ``{"iri", "label", "count", "children", "placed"}`` - ``count`` the standards
    classified in it, ``children`` the elements below it (``skos:broader``), ``placed``
    whether any standard is classified in it or below it; the coverage :func:`heatmap` when
    :data:`GRIDS` has one for it; ``placed``, the standards classified in at least one of its
    elements, of ``total``, the standards of the graph."""
    lab = labels or Labels(store)
    key = iri[len(base_iri):] if iri.startswith(base_iri) else None
    grid = None
    if key in GRIDS:
        rows_axis, cols_axis = (base_iri + x for x in GRIDS[key])
        grid = heatmap(store, rows_axis, cols_axis, lab)
    rows = select(store, "architecture-elements", architecture=URIRef(iri))
    lab.fetch([str(r[0]) for r in rows] + [str(r[1]) for r in rows if r[1] is not None])
    count: dict[str, int] = {}
    order: dict[str, int] = {}
    parents: dict[str, set[str]] = defaultdict(set)
    for e, axis, n, o, _a_order in rows:
        count[str(e)] = int(n)
        order[str(e)] = min(order.get(str(e), order_key(None)), order_key(o))
        if axis is not None:
            parents[str(e)].add(str(axis))
    children: dict[str, list[str]] = defaultdict(list)
    for e in count:
        for p in parents[e] & count.keys():
            children[p].append(e)

    def node(e: str, path: tuple[str, ...]) -> dict[str, Any]:
        kids = [node(c, (*path, e)) for c in sorted(children[e], key=key_of) if c not in path]
        return {"iri": e, "label": lab(e), "count": count[e], "children": kids,
                "placed": count[e] > 0 or any(k["placed"] for k in kids)}

    def key_of(e: str) -> tuple[int, str]:
        return (order[e], lab(e).casefold())

    roots = sorted((e for e in count if not parents[e] & count.keys()), key=key_of)
    placed = placement(store, [iri]).get(iri, {"standards": 0})["standards"]
    return {"heatmap": grid, "elements": [node(r, ()) for r in roots], "placed": placed,
            "total": standards_total(store)}


def elements_by_scheme(store: Store, labels: Labels | None = None) -> list[tuple[str, list]]:
    """Every architecture element but the axes (top concepts), as (scheme label, elements)
    pairs by scheme label, each scheme's elements in its own order: by the ``sg:order`` of
    their axis, then their own ``sg:order``, then label (what has no order after what has)."""
    lab = labels or Labels(store)
    rows = select(store, "elements-by-scheme")
    lab.fetch([str(r[0]) for r in rows] + [str(r[1]) for r in rows])
    keys: dict[tuple[str, str], tuple[int, int]] = {}
    for e, s, axis_order, order in rows:
        key = (order_key(axis_order), order_key(order))
        at = (str(s), str(e))
        keys[at] = min(keys.get(at, key), key)
    groups: dict[str, list] = defaultdict(list)
    for (s, e), key in keys.items():
        groups[lab(s)].append((key, lab(e).casefold(), lab.ref(e)))
    return [(g, [r for *_k, r in sorted(v, key=lambda x: (x[0], x[1], x[2]["iri"]))])
            for g, v in sorted(groups.items())]


def placement(store: Store, architectures: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Architecture -> ``{"elements", "standards"}``: how many elements it has and how many
    standards are classified in at least one of them (``architecture-placement.rq``); every
    architecture, or those of ``architectures``."""
    values = {"architecture": iris(architectures)} if architectures else {}
    return {str(a): {"elements": int(e), "standards": int(n)}
            for a, e, n in select(store, "architecture-placement", **values)}


def standards_total(store: Store) -> int:
    """How many standards the graph holds."""
    return int(select(store, "standards-count")[0][0])


def architectures(store: Store, base_iri: str) -> dict[str, Any]:
    """The reference architectures by label, each with its element count, the standards placed
    on it (``placed``) and whether its page has a coverage grid (``grid``); ``total``: the
    standards of the graph."""
    lab = Labels(store)
    placed = placement(store)
    lab.fetch(list(placed))
    grids = {base_iri + k for k in GRIDS}
    items = [{**lab.ref(a), "elements": p["elements"], "placed": p["standards"],
              "grid": a in grids} for a, p in placed.items()]
    return {"items": by_label(items), "total": standards_total(store)}
