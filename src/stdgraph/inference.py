"""OWL 2 RL entailments of the ontology and data, computed with owlrl.

The closure is computed on a copy of the asserted triples; what is new goes into the inferred
graph. owlrl also derives tautologies (``x owl:sameAs x``, ``C rdfs:subClassOf C``,
``x rdf:type owl:Thing``) and facts about the standard vocabularies themselves; those say nothing
about the graph and are left out, so the inferred graph holds only entailments about the
project's own terms and resources.
"""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .store.base import Triple

#: Namespaces whose terms are described by their own specifications, not by this graph.
VOCABULARY_NAMESPACES = (
    str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
    "http://purl.org/dc/elements/1.1/", "http://www.w3.org/ns/prov#",
    "http://xmlns.com/foaf/0.1/", "http://www.w3.org/ns/org#", "http://www.w3.org/ns/shacl#",
)

_REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
              OWL.equivalentProperty}
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class, RDF.Property,
                  OWL.NamedIndividual}
_TRIVIAL_SUPERS = {OWL.Thing, RDFS.Resource}


def is_informative(t: Triple) -> bool:
    """False for entailments that hold in every graph or only restate the vocabularies."""
    s, p, o = t
    if isinstance(s, Literal) or isinstance(s, BNode):
        return False
    if str(s).startswith(VOCABULARY_NAMESPACES):
        return False
    if p in _REFLEXIVE and s == o:
        return False
    if p == RDF.type and o in _TRIVIAL_TYPES:
        return False
    if p in {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range} and o in _TRIVIAL_SUPERS:
        return False
    if p == RDF.type and isinstance(o, URIRef) and str(o).startswith(str(OWL)):
        # owl:ObjectProperty, owl:DatatypeProperty, ... restated by owlrl from usage
        return False
    return True


def owlrl_closure(asserted: Iterable[Triple]) -> Graph:
    """The full OWL-RL closure (asserted triples included), as owlrl computes it."""
    g = Graph()
    for t in asserted:
        g.add(t)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(g)
    return g


def infer(asserted: Graph) -> Graph:
    """Entailed triples that are new and informative; ``asserted`` is not modified."""
    closure = owlrl_closure(asserted)
    inferred = Graph()
    for t in closure:
        if t not in asserted and is_informative(t):
            inferred.add(t)
    return inferred
