"""What suggestions read from a store: the text of every resource, the links of standards they
learn from, the facets standards share, and the links a reviewer rejected.

Three queries of ``suggest/queries/`` (``texts``, ``links``, ``facets``, ``rejected``), their
graph parameters bound as IRIs. The result, a :class:`Corpus`, is plain Python: the methods
(``suggest.methods``) and the evaluation (``benchmarks/suggest_eval.py``) work on it without a
store, hiding links in memory for the folds.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef

from stdgraph.rdf.namespaces import DECISIONS_GRAPH, INFERRED_GRAPH, SG, SGID, SUGGESTED_GRAPH
from stdgraph.sparql.queryfiles import QueryFolder
from stdgraph.store.base import Store

__all__ = ["CONCEPT_LINKS", "Corpus", "FIELD_ORDER", "QUERIES", "RECORD_PREFIX", "RELATED",
           "Resource", "read_corpus", "record_iri"]

QUERIES = QueryFolder("stdgraph.suggest", "suggestion query")

RELATED = str(SG.relatedTo)
CLASSIFIED = str(SG.classifiedIn)
#: link property -> the kind of resource it points to (suggestion kind (c))
CONCEPT_LINKS = {
    str(SG.addressesBarrier): "barrier",
    str(SG.supportsTheme): "theme",
    str(SG.concernsTechnology): "technology",
}

#: the records of suggestions: ``{RECORD_PREFIX}{key}``
RECORD_PREFIX = str(SGID) + "suggestion/"

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
#: the order in which a resource's texts are joined (identifier and names first)
FIELD_ORDER = [str(SG.identifier), "http://www.w3.org/2000/01/rdf-schema#label",
               _SKOS + "prefLabel", str(SG.title), _DCT + "title", _SKOS + "altLabel",
               _SKOS + "definition", _DCT + "description", _SKOS + "scopeNote", _SKOS + "note",
               _DCT + "subject", str(SG.committee)]


def record_iri(s: str, p: str, o: str) -> str:
    """The record of the suggested link ``s p o``: a hash of the link, the same for every run
    (a symmetric relation is one link whichever end comes first)."""
    if p == RELATED and o < s:
        s, o = o, s
    return RECORD_PREFIX + hashlib.sha256(f"{s} {p} {o}".encode()).hexdigest()[:24]


@dataclass
class Resource:
    """One resource with text: its IRI, kind ("standard", "element", "barrier", "theme",
    "technology", "roadmap-item"), a label to show, and its texts by field."""

    iri: str
    kind: str
    texts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        for f in (FIELD_ORDER[1], FIELD_ORDER[2], FIELD_ORDER[0]):
            if self.texts.get(f):
                return self.texts[f][0]
        return self.iri

    @property
    def text(self) -> str:
        """All its texts, each once, in ``FIELD_ORDER``."""
        seen: list[str] = []
        rank = {f: i for i, f in enumerate(FIELD_ORDER)}
        for f in sorted(self.texts, key=lambda f: rank.get(f, len(rank))):
            for t in self.texts[f]:
                if t not in seen:
                    seen.append(t)
        return "\n".join(seen)


@dataclass
class Corpus:
    """Resources with text, the links standards have (subject -> property -> objects;
    ``sg:relatedTo`` in both directions), the facets of standards (standard -> set of
    ``property value`` strings) and the records of the rejected suggestions (their IRIs)."""

    resources: dict[str, Resource]
    links: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    facets: dict[str, set[str]] = field(default_factory=dict)
    rejected: set[str] = field(default_factory=set)

    def of_kind(self, kind: str) -> list[str]:
        """The IRIs of the resources of ``kind``, sorted."""
        return sorted(i for i, r in self.resources.items() if r.kind == kind)

    def linked(self, subject: str, prop: str) -> set[str]:
        return self.links.get(subject, {}).get(prop, set())

    def has_link(self, s: str, p: str, o: str) -> bool:
        return o in self.linked(s, p) or (p == RELATED and s in self.linked(o, p))

    def is_rejected(self, s: str, p: str, o: str) -> bool:
        return bool(self.rejected) and record_iri(s, p, o) in self.rejected

    def add_link(self, s: str, p: str, o: str) -> None:
        self.links.setdefault(s, {}).setdefault(p, set()).add(o)
        if p == RELATED:
            self.links.setdefault(o, {}).setdefault(p, set()).add(s)


def read_corpus(store: Store) -> Corpus:
    """The corpus of ``store`` (texts, links, facets, rejections), by the four queries."""
    suggestions = URIRef(SUGGESTED_GRAPH)
    resources: dict[str, Resource] = {}
    for s, kind, fld, text in QUERIES.select(store, "texts", suggestions=suggestions):
        r = resources.setdefault(str(s), Resource(str(s), str(kind)))
        words = " ".join(str(text).split())
        if words and words not in r.texts.setdefault(str(fld), []):
            r.texts[str(fld)].append(words)
    for r in resources.values():  # the same text in another order every run would not do
        for f in r.texts:
            r.texts[f].sort()
    corpus = Corpus(resources)
    for s, p, o in QUERIES.select(store, "links", suggestions=suggestions,
                                  inferred=URIRef(INFERRED_GRAPH)):
        if str(s) != str(o):
            corpus.add_link(str(s), str(p), str(o))
    facets: dict[str, set[str]] = defaultdict(set)
    for s, facet, value in QUERIES.select(store, "facets"):
        facets[str(s)].add(f"{facet} {value}")
    corpus.facets = dict(facets)
    corpus.rejected = {str(r) for (r,) in
                       QUERIES.select(store, "rejected", decisions=URIRef(DECISIONS_GRAPH))}
    return corpus
