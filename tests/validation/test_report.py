"""stdgraph's validation (SHACL-SPARQL constraints in Oxigraph) gives exactly the verdicts of
plain pyshacl, on every shape-manifest fixture and on the bundled graph with injected faults."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from stdgraph.change.build import load_project, parse_file
from stdgraph.project import Project
from stdgraph.rdf.namespaces import SG, SGID
from stdgraph.reasoning.infer import infer
from stdgraph.validation.report import run_validation

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "shapes" / "tests" / "cases"
SGT = Namespace("https://w3id.org/stdgraph/shapes/tests#")
STD = Namespace(str(SGID) + "standard/")


def verdicts(report):
    """What a result decides. Messages are presentation: pyshacl prefers the shape's
    sh:message, stdgraph the constraint's own (with its {?var} placeholders filled)."""
    assert all(r.message and r.message != "(no message)" for r in report.results)
    return sorted((r.severity, r.focus, r.shape or "", r.path or "", r.value or "")
                  for r in report.results)


def both_engines(data: Graph, shapes: Graph, ontology: Graph):
    ours = run_validation(data, shapes, ontology=ontology, sparql_engine="oxigraph")
    reference = run_validation(data, shapes, ontology=ontology, sparql_engine="pyshacl")
    return ours, reference


@pytest.fixture(scope="module")
def project():
    return load_project(Project.locate(REPO))


def _closed(project, extra: Graph, with_data: bool = True) -> Graph:
    """ontology (+ the bundled data) + extra, closed under inference, without the ontology."""
    asserted = project.union(include_ontology=True) if with_data else project.ontology_graph()
    for t in extra:
        asserted.add(t)
    data = project.union(include_ontology=False) if with_data else Graph()
    for t in extra:
        data.add(t)
    for t in infer(asserted):
        data.add(t)
    return data


def manifest_fixtures() -> list[Path]:
    m = Graph().parse(REPO / "shapes" / "tests" / "manifest.ttl")
    files = {Path(str(f).removeprefix("file://")) for f in m.objects(None, SGT.data)}
    return sorted(files)


@pytest.mark.parametrize("fixture", manifest_fixtures(), ids=lambda p: p.stem)
def test_same_verdicts_as_pyshacl_on_each_manifest_fixture(project, fixture):
    data = _closed(project, parse_file(fixture, fixture.name), with_data=False)
    ours, reference = both_engines(data, project.shapes, project.ontology_graph())
    assert verdicts(ours) == verdicts(reference)


def test_same_verdicts_as_pyshacl_on_bundled_graph_with_injected_faults(project):
    faults = Graph()
    a, b = STD["iso-10303"], STD["iec-62264"]
    faults.add((a, SG.supersedes, a))  # self-supersession
    faults.add((a, SG.supersedes, b))  # a cycle a -> b -> a
    faults.add((b, SG.supersedes, a))
    faults.add((b, SG.withdrawalDate, Literal("1900-01-01", datatype=XSD.date)))
    faults.add((b, SG.publicationDate, Literal("2000-01-01", datatype=XSD.date)))
    faults.add((URIRef(str(SGID) + "roadmap-item/cobot-safety"), SG.references,
                STD["bs-11000-1-2010"]))  # warning: references a superseded standard
    data = _closed(project, faults)
    ours, reference = both_engines(data, project.shapes, project.ontology_graph())
    assert verdicts(ours) == verdicts(reference)
    shapes_hit = {r.shape for r in ours.results}
    assert {"sgsh:StandardNoSelfSupersessionShape", "sgsh:StandardNoSupersessionCycleShape",
            "sgsh:StandardWithdrawalAfterPublicationShape",
            "sgsh:ReferencesWithdrawnStandardShape"} <= shapes_hit
    assert not ours.conforms
    node = ours.graph.value(None, RDF.type, URIRef("http://www.w3.org/ns/shacl#ValidationReport"))
    assert ours.graph.value(node, URIRef("http://www.w3.org/ns/shacl#conforms")) == Literal(False)


def test_focus_nodes_restrict_both_engines(project):
    faults = Graph()
    a = STD["iso-10303"]
    faults.add((a, SG.supersedes, a))
    data = _closed(project, faults)
    for engine in ("oxigraph", "pyshacl"):
        report = run_validation(data, project.shapes, ontology=project.ontology_graph(),
                                focus_nodes=[STD["iec-62264"]], sparql_engine=engine)
        assert report.results == [], engine
