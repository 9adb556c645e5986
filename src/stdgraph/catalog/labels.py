"""The labels of IRIs a page did not choose: the SPARQL query page's results, whatever they
hold (``stdgraph.analysis.common.Labels``: rdfs:label, else skos:prefLabel, English first)."""

from __future__ import annotations

from stdgraph.analysis.common import Labels
from stdgraph.store.base import Store

__all__ = ["labels_of"]


def labels_of(store: Store, iris: list[str]) -> dict[str, str]:
    """``iri -> label`` for those of ``iris`` that have one (an IRI without one is left out)."""
    labels = Labels(store)
    labels.fetch(iris)
    return {i: labels(i) for i in iris if labels(i) != i}
