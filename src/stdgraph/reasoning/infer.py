"""OWL 2 RL entailments of the ontology and data.

Two engines compute the same entailments: ``rules`` (the default, ``reasoning.rules``: the OWL 2
RL rules the graph's constructs need, compiled and run to a fixpoint over integer indexes, fast
enough for millions of triples and able to update incrementally) and ``owlrl`` (the reference
implementation, re-applying every rule to every triple; the oracle the rules are tested against).
The closure is computed on a copy of the asserted triples; what is new goes into the inferred
graph. owlrl also derives tautologies (``x owl:sameAs x``, ``C rdfs:subClassOf C``,
``x rdf:type owl:Thing``) and facts about the standard vocabularies themselves; those say nothing
about the graph and are left out (``reasoning.informative.is_informative``), so the inferred
graph holds only entailments about the project's own terms and resources.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Literal as EngineName

import owlrl
from rdflib import Graph

from stdgraph.rdf.results import Triple
from stdgraph.reasoning.informative import is_informative
from stdgraph.reasoning.rules import Reasoner, UnsupportedConstruct


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
