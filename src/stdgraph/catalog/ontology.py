"""The ontology: the statements about its terms and one entry per term."""

from __future__ import annotations

from rdflib import Literal, URIRef

from stdgraph.analysis.common import Labels
from stdgraph.catalog.common import RDF_TYPE, SG, SKOS
from stdgraph.catalog.queryfiles import select
from stdgraph.rdf.namespaces import GRAPH_BASE, PREFIXES
from stdgraph.store.base import Store

__all__ = ["ONTOLOGY_GRAPHS", "ontology_statements", "terms"]

#: the graphs of the project's ontology files (``Project.graph_iri``)
ONTOLOGY_GRAPHS = GRAPH_BASE + "ontology/"


def ontology_statements(store: Store) -> list[tuple]:
    """Every statement about an ``sg:`` term whose value is not a blank node. The terms are
    those the ontology's graphs (``graph/ontology/...``, one per ontology file) describe, so
    the graph's data is not read to find them; in a store without such graphs (a fixture), every
    ``sg:`` subject."""
    graphs = [URIRef(g) for g in store.graph_names() if g.startswith(ONTOLOGY_GRAPHS)]
    if not graphs:
        return [tuple(r) for r in select(store, "ontology-statements", namespace=Literal(SG))]
    found = [t for (t,) in select(store, "ontology-terms", namespace=Literal(SG), g=graphs)]
    out: list[tuple] = []
    for k in range(0, len(found), 500):
        out += [tuple(r) for r in select(store, "ontology-statements", namespace=Literal(SG),
                                         s=found[k:k + 500])]
    return out


def terms(store: Store, triples: list[tuple]) -> list[dict]:
    """One entry per ``sg:`` term of ``triples``: ``iri``, ``name`` (the anchor), ``label``,
    ``kinds`` (its types' local names, comma-separated) and ``comment`` (rdfs:comment or
    skos:definition), by name."""
    lab = Labels(store)
    found: dict[str, dict] = {}
    lab.fetch({str(t) for tr in triples for t in tr if isinstance(t, URIRef)})
    for s, p, o in triples:
        t = found.setdefault(str(s), {"iri": str(s), "name": str(s)[len(SG):],
                                      "label": lab(str(s)), "kinds": set(), "comment": None})
        if str(p) == RDF_TYPE:
            t["kinds"].add(lab(str(o)).rsplit("#", 1)[-1])
        elif str(p) in (PREFIXES["rdfs"] + "comment", SKOS + "definition"):
            t["comment"] = str(o)
    out = []
    for t in sorted(found.values(), key=lambda t: t["name"].casefold()):
        t["kinds"] = ", ".join(sorted(t["kinds"]))
        out.append(t)
    return out
