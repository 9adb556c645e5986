"""The ontology and the SHACL shapes: every shape behaves as shapes/tests/manifest.ttl says, the
shapes graph is valid SHACL, and every term of docs/model.md is declared and documented.

Only rdflib, pyshacl and owlrl are used (no project code), so these tests pin down the files in
ontology/ and shapes/ on their own.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import owlrl
import pytest
from pyshacl import validate
from pyshacl.entrypoints import meta_validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from stdgraph.rdf.namespaces import SG, SGSH, SH

ROOT = Path(__file__).parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_FILE = ROOT / "shapes" / "stdgraph-shapes.ttl"
MANIFEST_FILE = ROOT / "shapes" / "tests" / "manifest.ttl"
CONTRACT_FILE = ROOT / "docs" / "model.md"

SGT = Namespace("https://w3id.org/stdgraph/shapes/tests#")

SEVERITY = {"violation": SH.Violation, "warning": SH.Warning}


# ----------------------------------------------------------------------------- loading


@lru_cache(maxsize=1)
def ontology() -> Graph:
    g = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        g.parse(path)
    return g


@lru_cache(maxsize=1)
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE)


@lru_cache(maxsize=1)
def manifest() -> Graph:
    return Graph().parse(MANIFEST_FILE)


def fixture_path(iri: URIRef) -> Path:
    """sgt:data is written relative to the manifest, so rdflib resolves it to a file: IRI."""
    return Path(unquote(urlparse(str(iri)).path))


@cache
def results(fixture: Path) -> tuple[tuple[URIRef, URIRef, URIRef], ...]:
    """(severity, source shape, focus node) of every result for one fixture.

    Data graph = fixture ∪ ontology/*.ttl, closed under OWL-RL with the same owlrl settings as the
    build (no axiomatic or datatype triples), then validated with SHACL-SPARQL enabled.
    """
    data = Graph()
    for t in ontology():
        data.add(t)
    for s, p, o in Graph().parse(fixture):
        # RDF 1.1: "x"^^xsd:string is the literal "x" (rdflib keeps them apart)
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        data.add((s, p, o))
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(data)
    _conforms, report, _text = validate(
        data, shacl_graph=shapes(), inference="none", advanced=True, allow_warnings=True
    )
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.append(
            (
                report.value(r, SH.resultSeverity),
                report.value(r, SH.sourceShape),
                report.value(r, SH.focusNode),
            )
        )
    return tuple(out)


def describe(found) -> str:
    lines = [f"  {sev.n3()} {shape.n3()} focus {focus.n3()}" for sev, shape, focus in found]
    return "\n".join(lines) or "  (no results)"


def manifest_cases() -> list:
    m = manifest()
    cases = []
    for case in sorted(m.subjects(RDF.type, SGT.Case)):
        cases.append(
            pytest.param(
                fixture_path(m.value(case, SGT.data)),
                m.value(case, SGT.shape),
                str(m.value(case, SGT.expect)),
                m.value(case, SGT.focus),
                id=str(case).removeprefix(str(SGT)),
            )
        )
    return cases


# ----------------------------------------------------------------------------- (a) the cases


@pytest.mark.parametrize(("fixture", "shape", "expect", "focus"), manifest_cases())
def test_manifest_case(fixture: Path, shape: URIRef | None, expect: str, focus: URIRef | None):
    assert fixture.is_file(), fixture
    found = results(fixture)
    if expect == "conforms":
        offending = [r for r in found if shape is None or r[1] == shape]
        source = "" if shape is None else f" from {shape.n3()}"
        assert not offending, f"expected no result{source}, got:\n{describe(offending)}"
        return
    assert expect in SEVERITY, expect
    assert shape is not None and focus is not None
    wanted = (SEVERITY[expect], shape, focus)
    assert wanted in found, (
        f"expected {expect} from {shape.n3()} on {focus.n3()}, got:\n{describe(found)}"
    )


def named_shapes() -> set[URIRef]:
    g = shapes()
    found = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    found |= set(g.objects(None, SH.property))
    return found


def test_every_shape_has_a_failing_and_a_passing_case():
    m = manifest()
    failing, passing = set(), set()
    for case in m.subjects(RDF.type, SGT.Case):
        shape = m.value(case, SGT.shape)
        if shape is None:
            continue
        (passing if str(m.value(case, SGT.expect)) == "conforms" else failing).add(shape)
    # A class node shape only gathers property shapes; the cases address the property shapes.
    checked = {
        s
        for s in named_shapes()
        if (s, SH.sparql, None) in shapes() or (s, SH.path, None) in shapes()
    }
    assert checked, "no shapes found"
    assert not checked - failing, f"shapes without a failing case: {sorted(checked - failing)}"
    assert not checked - passing, f"shapes without a passing case: {sorted(checked - passing)}"
    assert not (failing | passing) - named_shapes(), "the manifest names shapes that do not exist"


def test_every_class_shape_is_exercised_by_a_valid_fixture():
    """Each sg: class has a fully valid fixture that produces no result at all."""
    m = manifest()
    whole = [
        fixture_path(m.value(c, SGT.data))
        for c in m.subjects(RDF.type, SGT.Case)
        if m.value(c, SGT.shape) is None and str(m.value(c, SGT.expect)) == "conforms"
    ]
    typed = set()
    for path in whole:
        typed |= {o for o in Graph().parse(path).objects(None, RDF.type) if o in set(sg_classes())}
    assert typed == set(sg_classes()), sorted(set(sg_classes()) - typed)


# ----------------------------------------------------------------------------- (b) SHACL-SHACL


def test_shapes_graph_passes_shacl_shacl():
    conforms, _report, text = meta_validate(shapes(), inference="none")
    assert conforms, text


def test_meta_validation_catches_a_broken_shape():
    """The check above is not vacuous: a malformed shape fails it."""
    broken = Graph()
    for t in shapes():
        broken.add(t)
    broken.add((SGSH.StandardIdentifier, SH.minCount, Literal("one")))
    conforms, _report, _text = meta_validate(broken, inference="none")
    assert not conforms


# ----------------------------------------------------------------------------- (c) messages


def test_every_shape_has_a_message_and_a_severity():
    g = shapes()
    for shape in sorted(named_shapes()):
        assert isinstance(shape, URIRef) and str(shape).startswith(str(SGSH)), (
            f"shapes are named in sgsh: so reports point to them: {shape!r}"
        )
        assert g.value(shape, SH.message) is not None, f"{shape} has no sh:message"
        assert g.value(shape, SH.severity) in {SH.Violation, SH.Warning, SH.Info}, (
            f"{shape} has no sh:severity"
        )


def test_every_sparql_constraint_has_a_message_and_prefixes():
    g = shapes()
    constraints = list(g.objects(None, SH.sparql))
    assert constraints
    for c in constraints:
        assert g.value(c, SH.message) is not None, f"SPARQL constraint {c} has no sh:message"
        assert g.value(c, SH.prefixes) is not None, f"SPARQL constraint {c} has no sh:prefixes"
        assert "$this" in str(g.value(c, SH.select))


def test_every_sg_class_has_a_node_shape_with_the_shared_shapes():
    g = shapes()
    concept_classes = {c for c in sg_classes() if (c, RDFS.subClassOf, SKOS.Concept) in ontology()}
    for cls in sg_classes():
        holders = list(g.subjects(SH.targetClass, cls))
        props = {p for h in holders for p in g.objects(h, SH.property)}
        assert holders, f"no node shape targets {cls}"
        assert {SGSH.EnglishLabel, SGSH.Source} <= props, f"{cls}: label/source shapes missing"
        if cls in concept_classes:
            assert SGSH.EnglishPrefLabel in props, f"{cls}: skos:prefLabel shape missing"


# ----------------------------------------------------------------------------- (d) documentation


def sg_terms(*types: URIRef) -> list[URIRef]:
    g = ontology()
    return sorted(
        {
            s
            for t in types
            for s in g.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(str(SG))
        }
    )


def sg_classes() -> list[URIRef]:
    return sg_terms(OWL.Class)


def sg_properties() -> list[URIRef]:
    return sg_terms(OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def english(g: Graph, s: URIRef, p: URIRef) -> list[Literal]:
    return [o for o in g.objects(s, p) if isinstance(o, Literal) and o.language == "en"]


@pytest.mark.parametrize("term", sg_classes() + sg_properties(), ids=lambda t: t.split("#")[-1])
def test_every_term_has_an_english_label_and_definition(term: URIRef):
    g = ontology()
    assert len(english(g, term, RDFS.label)) == 1, f"{term}: exactly one rdfs:label @en"
    assert len(english(g, term, SKOS.definition)) == 1, f"{term}: exactly one skos:definition @en"
    assert (term, RDFS.isDefinedBy, URIRef("https://w3id.org/stdgraph/ontology")) in g


def test_status_concepts_are_documented_and_in_their_scheme():
    g = ontology()
    statuses = {SG.Proposed, SG.UnderDevelopment, SG.Published, SG.Withdrawn, SG.Superseded}
    assert set(g.subjects(RDF.type, SG.Status)) == statuses
    for s in statuses:
        assert (s, RDF.type, SKOS.Concept) in g
        assert len(english(g, s, SKOS.prefLabel)) == 1
        assert len(english(g, s, SKOS.definition)) == 1
        assert (s, SKOS.inScheme, SG.StatusScheme) in g
        assert (s, SKOS.topConceptOf, SG.StatusScheme) in g
    assert (SG.StatusScheme, RDF.type, SKOS.ConceptScheme) in g


def test_ontology_header():
    g = ontology()
    onto = URIRef("https://w3id.org/stdgraph/ontology")
    assert (onto, RDF.type, OWL.Ontology) in g
    assert g.value(onto, OWL.versionIRI) == URIRef("https://w3id.org/stdgraph/ontology/0.1.0")
    assert str(g.value(onto, OWL.versionInfo)) == "0.1.0"
    assert g.value(onto, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(g.value(onto, DCTERMS.creator)) == "stdgraph contributors"
    assert g.value(onto, DCTERMS.source) == URIRef(
        "https://w3id.org/stdgraph/id/source/bsi-roadmap-2019"
    )
    assert english(g, onto, RDFS.label) and english(g, onto, DCTERMS.description)
    assert len(list(g.subjects(RDF.type, OWL.Ontology))) == 1, "one ontology header only"


# ----------------------------------------------------------------------------- the contract


def contract_rows(section: str) -> list[tuple[list[str], list[str]]]:
    """(names in the first column, other cells) for each row of the table under ``## section``."""
    text = CONTRACT_FILE.read_text(encoding="utf-8")
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        rows.append((re.findall(r"`([A-Za-z]+)`", cells[0]), cells[1:]))
    return rows


def test_every_contract_class_is_declared_with_its_super_classes():
    g = ontology()
    rows = contract_rows("Classes (`sg:`)")
    assert len(rows) == 18
    prefixes = {
        "foaf": "http://xmlns.com/foaf/0.1/",
        "prov": str(PROV),
        "org": "http://www.w3.org/ns/org#",
        "skos": str(SKOS),
    }
    for names, cells in rows:
        for name in names:
            assert (SG[name], RDF.type, OWL.Class) in g, name
            for pfx, local in re.findall(r"`(\w+):(\w+)`", cells[0]):
                sup = URIRef(prefixes[pfx] + local)
                assert (SG[name], RDFS.subClassOf, sup) in g, (name, sup)


def test_every_contract_property_is_declared_with_the_right_kind_and_domain():
    g = ontology()
    rows = contract_rows("Properties (`sg:`)")
    seen = set()
    for names, cells in rows:
        domain_range = cells[0]
        datatype = re.search(r"->\s*(xsd:|rdf:langString)", domain_range) is not None
        several_domains = " or " in domain_range.split("->")[0]
        for name in names:
            seen.add(name)
            kind = OWL.DatatypeProperty if datatype else OWL.ObjectProperty
            assert (SG[name], RDF.type, kind) in g, f"{name} should be a {kind.n3()}"
            if several_domains:
                assert g.value(SG[name], RDFS.domain) is None, f"{name}: no rdfs:domain"
                assert english(g, SG[name], SKOS.scopeNote), f"{name}: scopeNote with the domain"
    assert set(sg_properties()) == {SG[n] for n in seen}, "ontology and contract differ"


def test_no_union_domains_or_ranges():
    g = ontology()
    for p in (RDFS.domain, RDFS.range):
        for _s, o in g.subject_objects(p):
            assert (o, OWL.unionOf, None) not in g


def test_owl_characteristics_match_the_contract():
    g = ontology()
    for a, b in [
        (SG.partOf, SG.hasPart),
        (SG.supersedes, SG.supersededBy),
        (SG.proposes, SG.proposedBy),
        (SG.delivers, SG.deliveredBy),
    ]:
        assert (a, OWL.inverseOf, b) in g or (b, OWL.inverseOf, a) in g, (a, b)
    assert {SG.partOf, SG.hasPart, SG.sameElementAs} == set(sg_terms(OWL.TransitiveProperty))
    assert {SG.relatedTo, SG.conflictsWith, SG.sameElementAs} == set(
        sg_terms(OWL.SymmetricProperty))
    assert {SG.status} == set(sg_terms(OWL.FunctionalProperty))
    sub = {
        SG.normativelyReferences: SG.references,
        SG.basedOn: SG.references,
        SG.identifier: DCTERMS.identifier,
        SG.title: DCTERMS.title,
        SG.publisher: DCTERMS.publisher,
        SG.publicationDate: DCTERMS.issued,
        SG.partOf: DCTERMS.isPartOf,
        SG.hasPart: DCTERMS.hasPart,
        SG.supersedes: DCTERMS.replaces,
        SG.supersededBy: DCTERMS.isReplacedBy,
        SG.references: DCTERMS.references,
        SG.sameElementAs: SKOS.exactMatch,
    }
    for p, sup in sub.items():
        assert (p, RDFS.subPropertyOf, sup) in g, (p, sup)
    assert (SG.basedOn, RDFS.subPropertyOf, PROV.wasDerivedFrom) in g
    chain = g.value(SG.classifiedIn, OWL.propertyChainAxiom)
    assert list(g.items(chain)) == [SG.hasPart, SG.classifiedIn]


def test_property_chain_and_inverses_infer_as_intended():
    """A series is classified wherever its parts are; inverse statements are filled in."""
    data = Graph()
    for t in ontology():
        data.add(t)
    ex = Namespace("https://example.org/stdgraph-test/")
    data.add((ex.series, SG.hasPart, ex.part))
    data.add((ex.part, SG.hasPart, ex.subpart))
    data.add((ex.subpart, SG.classifiedIn, ex.layer))
    data.add((ex.new, SG.supersedes, ex.old))
    data.add((ex.theme, SKOS.prefLabel, Literal("Theme", lang="en")))
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(data)
    assert (ex.series, SG.classifiedIn, ex.layer) in data
    assert (ex.subpart, SG.partOf, ex.series) in data
    assert (ex.old, SG.supersededBy, ex.new) in data
    assert (ex.layer, RDF.type, SG.ArchitectureElement) in data
    assert (ex.theme, RDFS.label, Literal("Theme", lang="en")) in data
