"""OWL 2 RL entailments of the ontology and data.

Two engines compute the same entailments: ``rules`` (the default, ``reasoning.rules``: the OWL 2
RL rules the graph's constructs need, compiled and run to a fixpoint over integer indexes, fast
enough for millions of triples and able to update incrementally) and ``owlrl`` (the reference
implementation, re-applying every rule to every triple; the oracle the rules are tested against).
The closure is computed on a copy of the asserted triples; what is new goes into the inferred
graph. owlrl also derives tautologies (``x owl:sameAs x``, ``C rdfs:subClassOf C``,
``x rdf:type owl:Thing``) and facts about the standard vocabularies themselves; those say nothing
about the graph and are left out, so the inferred graph holds only entailments about the
project's own terms and resources.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Literal as EngineName

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
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

_REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
              OWL.equivalentProperty}
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class, RDF.Property,
                  OWL.NamedIndividual}
_TRIVIAL_SUPERS = {OWL.Thing, RDFS.Resource}


_TYPE = RDF.type
_SCHEMA_SUPERS = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range}
_OWL = str(OWL)


def is_informative(t: Triple) -> bool:
    """False for entailments that hold in every graph or only restate the vocabularies."""
    s, p, o = t
    return (informative_subject(s) and not (p in _REFLEXIVE and s == o)
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


def owlrl_closure(asserted: Iterable[Triple]) -> Graph:
    """The full OWL-RL closure (asserted triples included), as owlrl computes it."""
    g = Graph()
    for t in asserted:
        g.add(t)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(g)
    return g


ENGINES = ("rules", "owlrl")


def infer(asserted: Graph, engine: EngineName["rules", "owlrl"] = "rules") -> Graph:
    """Entailed triples that are new and informative; ``asserted`` is not modified.

    ``engine="rules"`` (default) uses the compiled rules of ``reasoning.rules``; a graph that uses
    an OWL construct they do not implement (``owl:someValuesFrom``, ``owl:allValuesFrom``,
    ``owl:maxCardinality``, ``owl:maxQualifiedCardinality``, ``owl:hasKey``) falls back to owlrl
    with a warning. ``engine="owlrl"`` runs owlrl's full closure. Both give the same triples.
    """
    if engine == "rules":
        from stdgraph.reasoning.rules import Reasoner, UnsupportedConstruct

        try:
            return Reasoner(asserted).inferred_graph()
        except UnsupportedConstruct as e:
            warnings.warn(f"{e.message}; falling back to owlrl", RuntimeWarning, stacklevel=2)
    elif engine != "owlrl":
        raise ValueError(f"unknown inference engine {engine!r}; use one of {ENGINES}")
    closure = owlrl_closure(asserted)
    inferred = Graph()
    for t in closure:
        if t not in asserted and is_informative(t):
            inferred.add(t)
    return inferred
