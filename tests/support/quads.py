"""Random-graph tests' one way to put pyoxigraph quads into any store (a whole replace)."""

from __future__ import annotations

import pyoxigraph as ox

from stdgraph.rdf.io import to_rdflib


def fill(store, quads: list[ox.Quad]) -> None:
    """Replace ``store``'s content with ``quads``, graph by graph."""
    graphs: dict[str, list] = {}
    for q in quads:
        graphs.setdefault(q.graph_name.value, []).append(
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    store.replace_all(graphs)
