"""validate_in_store (validation inside a pyoxigraph store) gives exactly the results of
run_validation on the same data copied into rdflib: in full, for focus sets, and for the nodes a
change touches plus those whose results depend on it. The stores are built with the real
pipeline (the bundled graph) or from the shape manifest's fixtures, closed under inference.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from stdgraph.change.build import build, parse_file
from stdgraph.project import Project
from stdgraph.rdf.io import to_oxigraph, to_rdflib
from stdgraph.rdf.namespaces import (
    GRAPH_BASE,
    IMPORT_GRAPH_PREFIX,
    INFERRED_GRAPH,
    META_GRAPH,
    SG,
    SGID,
    SGSH,
)
from stdgraph.reasoning.infer import infer
from stdgraph.store import OxigraphStore
from stdgraph.validation import shacl_sparql
from stdgraph.validation.report import compact, run_validation
from stdgraph.validation.scoped import validate_in_store

REPO = Path(__file__).resolve().parents[2]
ONTOLOGY_PREFIX = GRAPH_BASE + "ontology/"
DATA = GRAPH_BASE + "data/test"
STD = str(SGID) + "standard/"
SKIP = (META_GRAPH, INFERRED_GRAPH)


def data_graph(g) -> bool:
    """What SHACL sees in a stdgraph store (as the write path defines it)."""
    if not isinstance(g, ox.NamedNode):
        return True
    return not (g.value == META_GRAPH or g.value.startswith(IMPORT_GRAPH_PREFIX)
                or g.value.startswith(ONTOLOGY_PREFIX))


def rd(q: ox.Quad) -> tuple:
    return to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)


def union(db: ox.Store) -> Graph:
    g = Graph()
    for q in db:
        if data_graph(q.graph_name):
            g.add(rd(q))
    return g


def reference(db: ox.Store, shapes: Graph, ontology: Graph, focus=None):
    return run_validation(union(db), shapes, ontology=ontology, focus_nodes=focus)


def close(db: ox.Store) -> set[tuple]:
    """Recompute the inferred graph from everything asserted; return the inferred triples that
    changed (as a write does)."""
    asserted = Graph()
    old = set()
    for q in db:
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
        if name == INFERRED_GRAPH:
            old.add(rd(q))
        elif name not in SKIP and not (name or "").startswith(IMPORT_GRAPH_PREFIX):
            asserted.add(rd(q))
    new = set(infer(asserted))
    g = ox.NamedNode(INFERRED_GRAPH)
    db.remove_graph(g)
    db.extend(ox.Quad(*(to_oxigraph(x) for x in t), g) for t in new)
    return old ^ new


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.locate(REPO)


@pytest.fixture(scope="module")
def shapes(project) -> Graph:
    return project.shapes()


@pytest.fixture(scope="module")
def ontology(project) -> Graph:
    g = Graph()
    for path in project.ontology_files:
        g += parse_file(path, project.relative(path))
    return g


@pytest.fixture(scope="module")
def bundled_quads(project, tmp_path_factory) -> list[ox.Quad]:
    """The bundled graph, built once with the real pipeline."""
    store = OxigraphStore(tmp_path_factory.mktemp("bundled") / "store")
    build(project, store)
    quads = list(store.db)
    store.close()
    return quads


@pytest.fixture
def db(bundled_quads) -> ox.Store:
    st = ox.Store()
    st.extend(bundled_quads)
    return st


def iri(x: str) -> URIRef:
    return URIRef(STD + x)


def write(db: ox.Store, add=(), remove=(), graph=DATA) -> tuple[set, set]:
    """Apply a change like the write path: returns (touched nodes, changed triples)."""
    for t in remove:
        for q in list(db.quads_for_pattern(*(to_oxigraph(x) for x in t), None)):
            db.remove(q)
    db.extend(ox.Quad(*(to_oxigraph(x) for x in t), ox.NamedNode(graph)) for t in add)
    changes = {*add, *remove} | close(db)
    touched = {t[0] for t in changes} | {t[2] for t in changes if not isinstance(t[2], Literal)}
    return {n for n in touched if isinstance(n, URIRef)}, changes


FAULTS = [
    (iri("iso-10303"), SG.supersedes, iri("iso-10303")),  # self-supersession
    (iri("iso-10303"), SG.supersedes, iri("iec-62264")),  # a cycle
    (iri("iec-62264"), SG.supersedes, iri("iso-10303")),
    (iri("iec-62264"), SG.withdrawalDate, Literal("1900-01-01", datatype=XSD.date)),
    (iri("iec-62264"), SG.publicationDate, Literal("2000-01-01", datatype=XSD.date)),
    (URIRef(str(SGID) + "roadmap-item/cobot-safety"), SG.references, iri("bs-11000-1-2010")),
    (iri("iec-62714"), SG.identifier, Literal("IEC 62714", lang="en")),  # second, tagged
    (iri("iec-62714"), SG.withdrawalDate, Literal("2019-02-30", datatype=XSD.date)),  # ill-typed
    (iri("iec-62714"), SG.publisher, Literal("IEC")),  # a literal publisher
    # two statuses (no source gives IEC 62714's status, so the data has none: unknown; issue 17)
    (iri("iec-62714"), SG.status, SG.Proposed),
    (iri("iec-62714"), SG.status, SG.UnderDevelopment),
    (iri("new"), RDF.type, SG.Standard),  # no label, identifier, publisher, status, source
    (iri("new"), SG.title, Literal("Untagged title")),
]


def test_full_validation_equals_run_validation_on_bundled_graph(db, shapes, ontology):
    ours = validate_in_store(db, shapes, ontology, None, data_graph=data_graph)
    assert ours.results == reference(db, shapes, ontology).results == []
    assert ours.conforms and ours.focus_nodes is None


def test_full_validation_with_injected_faults(db, shapes, ontology):
    write(db, add=FAULTS)
    ours = validate_in_store(db, shapes, ontology, None, data_graph=data_graph)
    assert ours.results == reference(db, shapes, ontology).results
    hit = {r.shape for r in ours.results}
    assert {"sgsh:StandardNoSelfSupersessionShape", "sgsh:StandardNoSupersessionCycleShape",
            "sgsh:StandardWithdrawalAfterPublicationShape",
            "sgsh:ReferencesWithdrawnStandardShape", "sgsh:StandardIdentifier",
            "sgsh:StandardWithdrawalDate", "sgsh:StandardPublisher", "sgsh:StandardStatus",
            "sgsh:StandardTitle", "sgsh:Source", "sgsh:EnglishLabel"} <= hit
    assert not ours.conforms


def test_focus_sets_give_run_validations_results(db, shapes, ontology, monkeypatch):
    write(db, add=FAULTS)
    monkeypatch.setattr(shacl_sparql, "BATCH", 3)  # several VALUES blocks per constraint
    nodes = sorted({q.subject for q in db if isinstance(q.subject, ox.NamedNode)}, key=str)
    rng = random.Random(8)
    for size in (1, 3, 8, 20, 60):
        focus = [to_rdflib(n) for n in rng.sample(nodes, size)] + [iri("iso-10303")]
        ours = validate_in_store(db, shapes, ontology, focus, data_graph=data_graph)
        assert set(focus) <= set(ours.focus_nodes)
        assert ours.results == reference(db, shapes, ontology, ours.focus_nodes).results
    assert any(r.shape == "sgsh:StandardNoSelfSupersessionShape" for r in ours.results)


# -- changes: the nodes whose results depend on the touched ones ---------------------------------

def _status(db, node):
    return [to_rdflib(q.object) for q in db.quads_for_pattern(to_oxigraph(node),
                                                             to_oxigraph(SG.status), None)]


def change_referenced_status(db):
    """A referenced standard is withdrawn: the standard citing it gets a warning."""
    ref = iri("iso-44001-2017")
    return {"add": [(ref, SG.status, SG.Withdrawn)],
                "remove": [(ref, SG.status, s) for s in _status(db, ref)]}, \
        "sgsh:ReferencesWithdrawnStandardShape"


def change_cycle(db):
    """One triple closes a supersession chain of five editions into a cycle."""
    return {"add": [(iri("iec-61970-301-2003"), SG.supersedes,
                      iri("iec-61970-301-2013-ed5"))]}, "sgsh:StandardNoSupersessionCycleShape"


def change_identifier_clash(db):
    """A new standard takes an existing identifier of the same publisher."""
    new = iri("clash")
    return {"add": [(new, RDF.type, SG.Standard), (new, SG.identifier, Literal("IEC 62714")),
                     (new, SG.publisher, URIRef(str(SGID) + "body/iec")),
                     (new, SG.status, SG.Published),
                     (new, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                      Literal("Clash", lang="en")),
                     (new, URIRef("http://purl.org/dc/terms/source"),
                      URIRef("https://example.org/clash"))]}, \
        "sgsh:StandardIdentifierUniqueShape"


def change_scheme_type(db):
    """A reference architecture loses its class (and the links whose domain would give it
    back): its elements fail sh:class on skos:inScheme."""
    scheme = to_oxigraph(URIRef(str(SGID) + "architecture/rami40"))
    remove = [rd(q)[:3] for p in (RDF.type, SG.specifiedBy, SG.publishedBy)
              for q in db.quads_for_pattern(scheme, to_oxigraph(p), None, None)]
    return {"remove": remove}, "sgsh:ArchitectureElementScheme"


def change_mapping_triple(db):
    """The SKOS triple a mapping record describes is deleted: the record fails."""
    subject = URIRef(str(SGID) + "architecture/iira/domain-business")
    obj = URIRef(str(SGID) + "architecture/rami40/layer-business")
    return {"remove": [(subject, SKOS.closeMatch, obj), (obj, SKOS.closeMatch, subject)]}, \
        "sgsh:MappingSkosTripleShape"


@pytest.mark.parametrize("change", [change_referenced_status, change_cycle,
                                    change_identifier_clash, change_scheme_type,
                                    change_mapping_triple], ids=lambda f: f.__name__)
def test_dependents_make_focused_validation_see_every_changed_result(db, shapes, ontology,
                                                                     change):
    before = reference(db, shapes, ontology)
    spec, shape = change(db)
    touched, changes = write(db, **spec)
    after = reference(db, shapes, ontology)
    ours = validate_in_store(db, shapes, ontology, touched, data_graph=data_graph,
                             changes=changes)
    validated = set(ours.focus_nodes)
    assert ours.results == reference(db, shapes, ontology, ours.focus_nodes).results
    # outside the validated nodes, full validation found nothing new or gone
    outside = {compact(n) for n in validated}
    assert ([r for r in after.results if r.focus not in outside]
            == [r for r in before.results if r.focus not in outside])
    # the change's result is found, on a node the change did not touch itself
    new = [r for r in ours.results if r.shape == shape and r not in before.results]
    assert new and any(r.focus not in {compact(n) for n in touched} for r in new)
    # without the changed triples the dependents are a superset: same results for the touched
    plain = validate_in_store(db, shapes, ontology, touched, data_graph=data_graph)
    assert validated <= set(plain.focus_nodes)
    assert plain.results == reference(db, shapes, ontology, plain.focus_nodes).results


def test_a_deleted_record_reaches_the_series_its_part_covered(db, shapes, ontology, monkeypatch):
    """sgsh:LinkEvidenceShape: a series' classification inferred from its part's is described
    by the part's record. Deleting the record fails the part and the series, which the change
    does not touch: the planner follows the record variable back to the part (the object of
    the deleted rdf:subject triple, the triple itself being gone) and up the sg:partOf chain,
    and no further - not to every resource sharing a value with the record."""
    part, series = iri("iec-tr-62541-1-2020"), iri("iec-62541")
    layer = URIRef(str(SGID) + "architecture/rami40/layer-asset")
    record = URIRef(str(SGID) + "evidence/test/part-layer-asset")
    described = [(record, RDF.type, RDF.Statement), (record, RDF.subject, part),
                 (record, RDF.predicate, SG.classifiedIn), (record, RDF.object, layer),
                 (record, SG.evidence, SG.Stated),
                 (record, DCTERMS.source, URIRef("https://example.org/part-layer-asset"))]
    write(db, add=[(part, SG.classifiedIn, layer), *described])
    assert (to_oxigraph(series), to_oxigraph(SG.classifiedIn), to_oxigraph(layer)) in {
        (q.subject, q.predicate, q.object) for q in db.quads_for_pattern(
            to_oxigraph(series), to_oxigraph(SG.classifiedIn), None)}
    assert reference(db, shapes, ontology).results == []  # the series covered by the chain
    touched, changes = write(db, remove=described)
    assert to_oxigraph(series) not in {to_oxigraph(n) for n in touched}
    found: dict = {}
    dependents = shacl_sparql.dependents

    def spy(db_, c, *a, **k):
        found[str(c.shape).removeprefix(str(SGSH))] = out = dependents(db_, c, *a, **k)
        return out
    monkeypatch.setattr(shacl_sparql, "dependents", spy)
    ours = validate_in_store(db, shapes, ontology, touched, data_graph=data_graph,
                             changes=changes)
    assert found["LinkEvidenceShape"] == {to_oxigraph(n) for n in (record, part, layer, series)}
    assert ours.results == reference(db, shapes, ontology, ours.focus_nodes).results
    assert ours.results == reference(db, shapes, ontology).results
    assert sorted((r.shape, r.focus) for r in ours.results) == [
        ("sgsh:LinkEvidenceShape", compact(series)), ("sgsh:LinkEvidenceShape", compact(part))]


def test_a_change_through_a_blank_node(db, shapes, ontology):
    """A blank node cannot be bound in a query: the constraint is then run on all its targets,
    and the result is still found."""
    item, ref = URIRef(str(SGID) + "roadmap-item/cobot-safety"), BNode("withdrawn")
    touched, changes = write(db, add=[(item, SG.references, ref),
                                      (ref, SG.status, SG.Withdrawn)])
    ours = validate_in_store(db, shapes, ontology, touched, data_graph=data_graph,
                             changes=changes)
    assert ours.results == reference(db, shapes, ontology, ours.focus_nodes).results
    assert [r.focus for r in ours.results
            if r.shape == "sgsh:ReferencesWithdrawnStandardShape"] == [compact(item)]


def test_imported_and_ontology_graphs_are_not_data(db, shapes, ontology):
    """A clashing standard in an import graph is not validated and does not clash; the same
    triples in a data graph do."""
    clash = change_identifier_clash(db)[0]["add"]
    db.extend(ox.Quad(*(to_oxigraph(x) for x in t), ox.NamedNode(IMPORT_GRAPH_PREFIX + "sto/x"))
              for t in clash)
    ours = validate_in_store(db, shapes, ontology, None, data_graph=data_graph)
    assert ours.results == reference(db, shapes, ontology).results == []
    write(db, add=clash)
    ours = validate_in_store(db, shapes, ontology, None, data_graph=data_graph)
    assert ours.results == reference(db, shapes, ontology).results
    assert {r.focus for r in ours.results} == {compact(iri("clash")), compact(iri("iec-62714"))}


# -- the shape manifest's fixtures ---------------------------------------------------------------

def manifest_fixtures() -> list[Path]:
    m = Graph().parse(REPO / "shapes" / "tests" / "manifest.ttl")
    sgt = "https://w3id.org/stdgraph/shapes/tests#"
    return sorted({Path(str(f).removeprefix("file://")) for f in m.objects(None, URIRef(sgt +
                                                                                       "data"))})


@pytest.fixture(scope="module")
def ontology_quads(project) -> list[ox.Quad]:
    quads = []
    for path in project.ontology_files:
        g = ox.NamedNode(project.graph_iri(path))
        quads += [ox.Quad(*(to_oxigraph(x) for x in t), g)
                  for t in parse_file(path, project.relative(path))]
    return quads


@pytest.mark.parametrize("fixture", manifest_fixtures(), ids=lambda p: p.stem)
def test_manifest_fixture(fixture, shapes, ontology, ontology_quads):
    db = ox.Store()
    db.extend(ontology_quads)
    write(db, add=list(parse_file(fixture, fixture.name)))
    full = validate_in_store(db, shapes, ontology, None, data_graph=data_graph)
    assert full.results == reference(db, shapes, ontology).results
    focus = sorted({to_rdflib(q.subject) for q in db.quads_for_pattern(None, None, None,
                                                                       ox.NamedNode(DATA))
                    if isinstance(q.subject, ox.NamedNode)}, key=str)[:3]
    if focus:
        ours = validate_in_store(db, shapes, ontology, focus, data_graph=data_graph)
        assert ours.results == reference(db, shapes, ontology, ours.focus_nodes).results


# -- shapes the in-store check cannot bound, and queries VALUES cannot bind ----------------------

EXTRA = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sg: <https://w3id.org/stdgraph/ontology#> .
@prefix sgsh: <https://w3id.org/stdgraph/shapes#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
sgsh:NoMinusShape a sh:NodeShape ; sh:targetClass sg:Standard ; sh:severity sh:Warning ;
    sh:message "MINUS"@en ;
    sh:sparql [ sh:prefixes <https://w3id.org/stdgraph/shapes> ; sh:select '''
        SELECT $this WHERE { $this sg:publisher ?p . MINUS { $this sg:status sg:Published } }
        ''' ] .
"""
PATH_SPARQL = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sg: <https://w3id.org/stdgraph/ontology#> .
@prefix sgsh: <https://w3id.org/stdgraph/shapes#> .
sgsh:PathSparqlShape a sh:NodeShape ; sh:targetClass sg:StandardsBody ;
    sh:property [ sh:path sg:publishes ; sh:sparql [ sh:select '''
        SELECT $this ?value WHERE { $this $PATH ?value . FILTER (isLiteral(?value)) }''' ] ] .
"""


@pytest.mark.parametrize("extra", [EXTRA, PATH_SPARQL], ids=["minus", "path-sparql"])
def test_other_shapes_give_the_same_results(db, shapes, ontology, extra):
    more = Graph()
    more += shapes
    more.parse(data=extra, format="turtle")
    write(db, add=FAULTS)
    full = validate_in_store(db, more, ontology, None, data_graph=data_graph)
    assert full.results == reference(db, more, ontology).results
    focus = [iri("iec-62714"), iri("new"), iri("iso-10303")]
    ours = validate_in_store(db, more, ontology, focus, data_graph=data_graph)
    assert ours.results == reference(db, more, ontology, ours.focus_nodes).results
    if extra is EXTRA:
        assert any(r.shape == "sgsh:NoMinusShape" for r in full.results)


def test_prepare_compiles_once(shapes, ontology):
    from stdgraph.validation import scoped as validation_store

    validation_store.prepare(shapes, ontology)
    model = validation_store._Model.of(shapes)
    assert validation_store._Model.of(shapes) is model and len(model.constraints) == 16
    assert validation_store._ontology_store(ontology) is validation_store._ontology_store(ontology)
    assert shacl_sparql.plan.cache_info().currsize >= 16


def test_query_plans(shapes):
    constraints = shacl_sparql.split_shapes(shapes)[1]
    plans = {str(c.shape).removeprefix(str(SGSH)): shacl_sparql.plan(c.query)
             for c in constraints}
    assert all(p.batch and p.whole and not p.opaque for p in plans.values())
    cycle = plans["StandardNoSupersessionCycleShape"]
    assert any(pos.path is not None for pos in cycle.positions)
    # the statement records' variables are followed back to $this: no position at a constant
    # (rdf:Statement, sg:status, ...), whose change would make every resource a dependent
    evidence = plans["LinkEvidenceShape"]
    assert {pos.term for pos in evidence.positions} == {shacl_sparql.THIS}
    assert any(pos.path == RDF.subject and not pos.forward for pos in evidence.positions)
    extra = Graph().parse(data=EXTRA, format="turtle")
    extra += shapes
    minus = [c for c in shacl_sparql.split_shapes(extra)[1] if "NoMinus" in str(c.shape)]
    assert not shacl_sparql.plan(minus[0].query).batch


# -- large changes (issue 21: a load of triples no shape targets) --------------------------------

def test_targets_among_is_is_target_for_every_shape_and_node(db, shapes, ontology):
    """The batched target lookup of a focused validation gives, for every shape, the nodes
    ``is_target`` accepts one by one: on the bundled graph with the faults, every IRI of the
    store, and IRIs the store does not hold."""
    from stdgraph.validation.scoped import _Model, _View

    write(db, add=FAULTS)
    model = _Model.of(shapes)
    view = _View(db, data_graph, ontology, bulk=False)
    nodes = {t for q in db for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    nodes |= {ox.NamedNode(f"http://example.org/absent/{i}") for i in range(5)}
    got = view.targets_among(model.targeted, nodes)
    expected = {s.node: {n for n in nodes if view.is_target(s, n)} for s in model.targeted}
    assert got == expected
    assert sum(map(len, expected.values())) > 500  # the graph's standards, concerns, records...


def test_a_large_change_mostly_untargeted_gives_run_validations_results(
        db, shapes, ontology, monkeypatch):
    """A change of 600 triples no shape targets plus the faults (with VALUES blocks of 3 and
    a reach limit of 50, so that 600 counts as large): more nodes than the SHACL-SPARQL
    constraints have targets, so those run for every target instead of for the dependents;
    shapes whose paths would be followed back from more nodes than the limit validate every
    target; pyshacl gets only the focus nodes its small graph holds. The results are still
    run_validation's for the same focus nodes."""
    from stdgraph.validation import scoped

    monkeypatch.setattr(shacl_sparql, "BATCH", 3)
    monkeypatch.setattr(scoped, "REACH_LIMIT", 50)  # paths not followed back from 600 nodes
    generic = [(URIRef(f"http://example.org/s{i}"), URIRef(f"http://example.org/p{i % 7}"),
                URIRef(f"http://example.org/o{i // 3}")) for i in range(600)]
    touched, changes = write(db, add=[*generic, *FAULTS])
    calls: list = []
    dependents = shacl_sparql.dependents
    monkeypatch.setattr(shacl_sparql, "dependents",
                        lambda *a, **k: calls.append(dependents(*a, **k)) or calls[-1])
    ours = validate_in_store(db, shapes, ontology, touched, data_graph=data_graph,
                             changes=changes)
    assert None in calls  # some constraint ran for all its targets
    assert set(touched) <= set(ours.focus_nodes)
    assert ours.results == reference(db, shapes, ontology, ours.focus_nodes).results
    assert {"sgsh:StandardNoSelfSupersessionShape", "sgsh:StandardIdentifier"} <= {
        r.shape for r in ours.results}
