"""Which entailments say something about the graph: the filter both inference engines apply.

owlrl derives tautologies (``x owl:sameAs x``, ``C rdfs:subClassOf C``, ``x rdf:type
owl:Thing``) and facts about the standard vocabularies themselves; those hold in every graph and
are left out of the inferred graph, so it holds only entailments about the project's own terms
and resources. ``reasoning.infer`` applies ``is_informative`` to owlrl's closure;
``reasoning.rules`` applies its two parts, ``informative_subject`` and
``informative_statement``, each cached per term, to its own.
"""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from stdgraph.rdf.results import Triple

#: Namespaces whose terms are described by their own specifications, not by this graph.
VOCABULARY_NAMESPACES = (
    str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
    "http://purl.org/dc/elements/1.1/", "http://www.w3.org/ns/prov#",
    "http://xmlns.com/foaf/0.1/", "http://www.w3.org/ns/org#", "http://www.w3.org/ns/shacl#",
)

#: Predicates that hold reflexively: ``x P x`` is a tautology.
REFLEXIVE = frozenset({OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
                       OWL.equivalentProperty})
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class, RDF.Property,
                  OWL.NamedIndividual}
_TRIVIAL_SUPERS = {OWL.Thing, RDFS.Resource}

_TYPE = RDF.type
_SCHEMA_SUPERS = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range}
_OWL = str(OWL)


def is_informative(t: Triple) -> bool:
    """False for entailments that hold in every graph or only restate the vocabularies."""
    s, p, o = t
    return (informative_subject(s) and not (p in REFLEXIVE and s == o)
            and informative_statement(p, o))


def informative_subject(s: Node) -> bool:
    """The subject part of ``is_informative``: not a literal or blank node, and not a term of
    one of the standard vocabularies."""
    return not isinstance(s, Literal | BNode) and not str(s).startswith(VOCABULARY_NAMESPACES)


def informative_statement(p: Node, o: Node) -> bool:
    """The predicate-object part of ``is_informative`` (the parts that do not look at the
    subject); ``stdgraph.reasoning.rules`` caches it per predicate and object."""
    if p == _TYPE:
        if o in _TRIVIAL_TYPES:
            return False
        if isinstance(o, URIRef) and str(o).startswith(_OWL):
            # owl:ObjectProperty, owl:DatatypeProperty, ... restated by owlrl from usage
            return False
    elif p in _SCHEMA_SUPERS and o in _TRIVIAL_SUPERS:
        return False
    return True
