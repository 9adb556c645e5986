"""OWL-RL inference adds exactly the entailments written out by hand."""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from stdgraph.change.build import load_project
from stdgraph.project import Project
from stdgraph.reasoning.infer import infer, is_informative

EX = Namespace("http://example.org/mini#")


def test_mini_entailments_are_exactly_inverse_symmetric_transitive(mini):
    loaded = load_project(Project.locate(mini))
    inferred = infer(loaded.union())
    assert set(inferred) == {
        (EX.b, EX.supersededBy, EX.a),  # owl:inverseOf
        (EX.c, EX.conflictsWith, EX.b),  # owl:SymmetricProperty
        (EX.c, EX.partOf, EX.e),  # owl:TransitiveProperty
    }


def test_inference_does_not_modify_its_input(mini):
    asserted = load_project(Project.locate(mini)).union()
    before = set(asserted)
    infer(asserted)
    assert set(asserted) == before


def test_subclass_and_subproperty_entailments():
    g = Graph()
    g.add((EX.Part, RDFS.subClassOf, EX.Standard))
    g.add((EX.basedOn, RDFS.subPropertyOf, EX.references))
    g.add((EX.x, RDF.type, EX.Part))
    g.add((EX.x, EX.basedOn, EX.y))
    assert set(infer(g)) == {(EX.x, RDF.type, EX.Standard), (EX.x, EX.references, EX.y)}


def test_tautologies_and_vocabulary_facts_are_not_informative():
    assert not is_informative((EX.a, OWL.sameAs, EX.a))
    assert not is_informative((EX.a, RDF.type, OWL.Thing))
    assert not is_informative((EX.C, RDFS.subClassOf, EX.C))
    assert not is_informative((URIRef(str(OWL) + "Thing"), RDF.type, OWL.Class))
    assert is_informative((EX.a, OWL.sameAs, EX.b))
    assert is_informative((EX.a, RDF.type, EX.Standard))
