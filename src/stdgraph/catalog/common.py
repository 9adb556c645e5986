"""What the read models share: namespaces, the analyses they quote, sorting by label."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import URIRef

from stdgraph.analysis import ANALYSES
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.store.base import Store

SG = PREFIXES["sg"]
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]
RDF_TYPE = PREFIXES["rdf"] + "type"

#: an analysis' whole document (``AnalysisDocument.as_dict``, no item cap) by analysis name:
#: the pages quote overlaps, conflicts and gaps; the server caches them per store state
Analyses = Callable[[str], dict]


def run_analyses(store: Store) -> Analyses:
    """Each analysis run when asked for, uncached (the server passes a cached one)."""
    return lambda name: full_analysis(store, name)


def full_analysis(store: Store, name: str) -> dict:
    """The document of analysis ``name`` with every item (``limit=0``)."""
    return ANALYSES[name].run(store, {"limit": "0"}).as_dict()


def by_label(refs: Iterable[dict]) -> list[dict]:
    """``{"iri", "label"}`` dicts sorted by label, ignoring case."""
    return sorted(refs, key=lambda r: r["label"].casefold())


def iris(values: Iterable[str]) -> list[URIRef]:
    """IRIs the code holds as text, as terms to bind."""
    return [URIRef(v) for v in values]


def gap(analyses: Analyses, iri: str, kind: str) -> dict | None:
    """The gaps analysis' item for ``iri`` of ``kind`` (None: the analysis finds it covered)."""
    return next((g for g in analyses("gaps")["items"]
                 if g["subject"] == iri and g["kind"] == kind), None)
