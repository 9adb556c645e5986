"""Reference architectures: their elements by axis with the standards in each, RAMI 4.0's
coverage heatmap, and the elements a profile can name."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import URIRef

from stdgraph.analysis.common import Labels
from stdgraph.analysis.gaps import matrix
from stdgraph.catalog.common import by_label
from stdgraph.catalog.queryfiles import select
from stdgraph.store.base import Store

__all__ = ["GRIDS", "architecture", "elements_by_scheme"]

#: architecture (path under the base IRI) -> the axes (rows, columns) of its coverage heatmap;
#: other architectures list their elements only
GRIDS = {"architecture/rami40": ("architecture/rami40/axis-layers",
                                 "architecture/rami40/axis-hierarchy")}


def architecture(store: Store, iri: str, base_iri: str, labels: Labels | None = None
                 ) -> dict[str, Any]:
    """A reference architecture: ``elements`` as (axis label, elements by label) pairs, each
    element with the number of standards classified in it (``count``), and the ``heatmap`` (the
    gaps analysis' ``matrix`` plus its ``max``) when :data:`GRIDS` has one for it."""
    lab = labels or Labels(store)
    key = iri[len(base_iri):] if iri.startswith(base_iri) else None
    heatmap = None
    if key in GRIDS:
        rows_axis, cols_axis = (base_iri + x for x in GRIDS[key])
        heatmap = matrix(store, rows_axis, cols_axis, lab)
        heatmap["max"] = max((n for row in heatmap["counts"] for n in row), default=0)
    by_axis: dict[str, list] = defaultdict(list)
    rows = select(store, "architecture-elements", architecture=URIRef(iri))
    lab.fetch([str(e) for e, _a, _n in rows] + [str(a) for _e, a, _n in rows if a])
    for e, axis, n in rows:
        by_axis[lab(str(axis)) if axis is not None else "(top)"].append(
            {"iri": str(e), "label": lab(str(e)), "count": int(n)})
    elements = sorted((a, by_label(v)) for a, v in by_axis.items())
    return {"heatmap": heatmap, "elements": elements}


def elements_by_scheme(store: Store, labels: Labels | None = None) -> list[tuple[str, list]]:
    """Every architecture element but the axes (top concepts), as (scheme label, elements by
    label) pairs by scheme label."""
    lab = labels or Labels(store)
    rows = select(store, "elements-by-scheme")
    lab.fetch([str(e) for e, _ in rows] + [str(s) for _, s in rows])
    groups: dict[str, list] = defaultdict(list)
    for e, s in rows:
        groups[lab(str(s))].append(lab.ref(str(e)))
    return [(g, by_label(v)) for g, v in sorted(groups.items())]
