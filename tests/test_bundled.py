"""The bundled knowledge model: it builds and conforms, its vocabulary is closed, and the
acceptance queries of the knowledge-model issue give the answers counted by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from stdgraph.change.build import build, load_project
from stdgraph.errors import ValidationFailed
from stdgraph.project import Project
from stdgraph.rdf.namespaces import SG, SGID, sparql_prologue
from stdgraph.store import MemoryStore

REPO = Path(__file__).resolve().parents[1]

#: Vocabularies whose terms need no declaration in ontology/ (issue 3: vocabulary closure).
STANDARD_VOCABULARIES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
    "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/org#", "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/ns/shacl#", "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#",
    "https://w3id.org/i40/sto#",
)


@pytest.fixture(scope="session")
def bundled():
    store = MemoryStore()
    result = build(Project.locate(REPO), store)
    return store, result


def q(store, text):
    return store.query(sparql_prologue() + text)


def test_bundled_graph_conforms(bundled):
    _store, result = bundled
    assert result.report.violations == []


def test_vocabulary_is_closed():
    """Every class and predicate used in data/ is declared in ontology/ or standard."""
    project = Project.locate(REPO)
    loaded = load_project(project)
    ontology = loaded.ontology_graph()
    declared = set(ontology.subjects(RDF.type, None))
    used: set[URIRef] = set()
    for g in loaded.data.values():
        for _s, p, o in g:
            used.add(p)
            if p == RDF.type:
                used.add(o)
    undeclared = sorted(
        str(t) for t in used
        if not str(t).startswith(STANDARD_VOCABULARIES) and t not in declared
    )
    assert undeclared == []


def test_every_ontology_term_has_label_and_definition():
    from rdflib.namespace import SKOS

    g = Graph()
    for f in Project.locate(REPO).ontology_files:
        g.parse(f)
    terms = {s for s in g.subjects(RDF.type, None)
             if isinstance(s, URIRef) and str(s).startswith(str(SG))}
    assert len(terms) > 40
    missing = sorted(str(t) for t in terms
                     if g.value(t, RDFS.label) is None and g.value(t, SKOS.prefLabel) is None
                     or g.value(t, SKOS.definition) is None)
    assert missing == []


def test_ontology_header():
    g = Graph()
    g.parse(REPO / "ontology" / "stdgraph.ttl")
    onto = URIRef("https://w3id.org/stdgraph/ontology")
    assert (onto, RDF.type, OWL.Ontology) in g
    for p in ("http://www.w3.org/2002/07/owl#versionIRI", "http://purl.org/dc/terms/license",
              "http://purl.org/dc/terms/creator", "http://purl.org/dc/terms/source"):
        assert g.value(onto, URIRef(p)) is not None, p


def test_rami_has_17_leaf_elements_on_three_axes(bundled):
    store, _ = bundled
    rows = q(store, """
        SELECT ?axis (COUNT(DISTINCT ?e) AS ?n) WHERE {
          ?e skos:inScheme <https://w3id.org/stdgraph/id/architecture/rami40> ;
             skos:broader+ ?axis .
          ?axis skos:topConceptOf <https://w3id.org/stdgraph/id/architecture/rami40> .
          FILTER NOT EXISTS { ?child skos:broader ?e }
        } GROUP BY ?axis ORDER BY ?axis""").rows
    rami = "https://w3id.org/stdgraph/id/architecture/rami40/"
    assert [(str(a), int(n)) for a, n in rows] == [
        (rami + "axis-hierarchy", 7), (rami + "axis-layers", 6), (rami + "axis-life-cycle", 4)]


def test_every_roadmap_item_has_timeframe_recommendation(bundled):
    """Issue 3's acceptance query: each roadmap item with its timeframe, its recommendation and
    the barriers it addresses. 23 items, counted by hand from the report's section 3 table and
    section 3.2 (see tests/test_report_counts.py for the list)."""
    store, _ = bundled
    res = q(store, """
        SELECT ?item ?label ?start ?end ?rec
               (GROUP_CONCAT(DISTINCT STR(?barrier); separator=" ") AS ?barriers) WHERE {
          ?item a sg:RoadmapItem ; rdfs:label ?label ; sg:startYear ?start ; sg:endYear ?end .
          ?rec sg:proposes ?item .
          OPTIONAL { ?item sg:addressesBarrier ?barrier }
        } GROUP BY ?item ?label ?start ?end ?rec ORDER BY ?start ?label""")
    assert len(res.rows) == 23
    assert len({r[0] for r in res.rows}) == 23
    by_label = {str(r[1]): r for r in res.rows}
    item = by_label["Smart asset contracting"]
    assert (str(item[2]), str(item[3]), str(item[4])) == (
        "2019", "2020", str(SGID) + "recommendation/2")
    assert str(SGID) + "barrier/security" in str(item[5])


def test_every_mapping_carries_a_source(bundled):
    store, _ = bundled
    rows = q(store, """
        SELECT ?a ?rel ?b WHERE {
          VALUES ?rel { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch
                        skos:relatedMatch }
          GRAPH ?g { ?a ?rel ?b }
          FILTER(?g != <https://w3id.org/stdgraph/graph/inferred>)
          ?a a sg:ArchitectureElement . ?b a sg:ArchitectureElement .
          FILTER NOT EXISTS {
            ?m a sg:ArchitectureMapping ; sg:mappingSubject ?a ; sg:mappingObject ?b ;
               sg:mappingRelation ?rel ; dcterms:source ?src .
          }
        }""").rows
    assert rows == []
    n = q(store, "SELECT (COUNT(?m) AS ?n) WHERE { ?m a sg:ArchitectureMapping }").rows[0][0]
    assert int(n) >= 10


def test_every_resource_in_data_has_a_source():
    loaded = load_project(Project.locate(REPO))
    data = loaded.union(include_ontology=False)
    from rdflib.namespace import DCTERMS

    typed = {s for s, o in data.subject_objects(RDF.type)
             if isinstance(s, URIRef) and str(o).startswith(str(SG))}
    assert len(typed) > 200
    assert sorted(str(s) for s in typed if data.value(s, DCTERMS.source) is None) == []


def test_at_least_60_standards_with_identifier_status_publisher(bundled):
    store, _ = bundled
    n = q(store, """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
        ?s a sg:Standard ; sg:identifier ?id ; sg:status ?st ; sg:publisher ?p ;
           dcterms:source ?src }""").rows[0][0]
    assert int(n) >= 60


def test_removing_a_required_property_from_any_standard_names_it(tmp_path):
    """Issue 3 acceptance: drop sg:identifier from every standard of a copy at once; the build
    fails and names each one (a single build covers 'any standard')."""
    copy = tmp_path / "project"
    for folder in ("ontology", "shapes", "data", "queries"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, copy / folder,
                            ignore=shutil.ignore_patterns("tests"))
    standards = set()
    for f in sorted((copy / "data" / "standards").glob("*.ttl")):
        g = Graph().parse(f)
        standards |= set(g.subjects(RDF.type, SG.Standard))
        g.remove((None, SG.identifier, None))
        f.write_text(g.serialize(format="turtle"))
    assert len(standards) >= 60
    with pytest.raises(ValidationFailed) as err:
        build(Project.locate(copy), MemoryStore())
    named = {v.focus for v in err.value.report.violations if v.path == "sg:identifier"}
    from stdgraph.validation.report import compact

    assert named == {compact(s) for s in standards}


# -- issue 17: the evidence of links ---------------------------------------------------------------

#: the properties whose asserted triples carry a statement record (docs/model.md, Evidence)
EVIDENCED = ("status", "classifiedIn", "addressesBarrier", "supportsTheme", "concernsTechnology",
             "relevantToStakeholder", "partOf", "hasPart", "supersedes", "supersededBy",
             "references", "normativelyReferences", "basedOn", "relatedTo", "conflictsWith",
             "delivers", "deliveredBy", "servedBy", "serves", "startYear", "endYear",
             "timeframeLabel", "tableColumn")
INFERRED = "https://w3id.org/stdgraph/graph/inferred"


def test_every_asserted_link_has_its_record_in_its_graph(bundled):
    """Exact and graph by graph, what SHACL checks per resource (sgsh:LinkEvidenceShape): every
    link asserted in data/ has a statement record, in the same file, with an evidence kind."""
    store, _ = bundled
    values = " ".join(f"sg:{p}" for p in EVIDENCED)
    rows = q(store, f"""
        SELECT ?g ?s ?p ?o WHERE {{
          VALUES ?p {{ {values} }}
          GRAPH ?g {{ ?s ?p ?o }}
          FILTER (?g != <{INFERRED}>)
          FILTER NOT EXISTS {{ GRAPH ?g {{ ?r a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ;
                                            rdf:object ?o ; sg:evidence ?k }} }}
        }}""").rows
    assert [tuple(map(str, r)) for r in rows] == []


def test_every_mapping_record_carries_its_evidence(bundled):
    store, _ = bundled
    rows = q(store, """
        SELECT ?m WHERE {
          ?m a sg:ArchitectureMapping .
          FILTER NOT EXISTS { ?m sg:evidence ?k ; dcterms:source ?s }
        }""").rows
    assert rows == []
    # the mapping's statement record is the record of its SKOS triple (rdf:subject etc. inferred)
    n = q(store, """SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {
        ?m a sg:ArchitectureMapping ; rdf:subject ?a ; rdf:predicate ?rel ; rdf:object ?b ;
           sg:evidence ?k . ?a ?rel ?b }""").rows[0][0]
    total = q(store, "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a sg:ArchitectureMapping }")
    assert int(n) == int(total.rows[0][0]) >= 20


def test_no_status_without_a_source(bundled):
    """Unknown is not published: every sg:status rests on a record; none is a default."""
    store, _ = bundled
    rows = q(store, """
        SELECT ?s ?st WHERE {
          ?s sg:status ?st .
          FILTER NOT EXISTS { ?r rdf:subject ?s ; rdf:predicate sg:status ; rdf:object ?st ;
                                 sg:evidence ?k . FILTER (?k IN (sg:Stated, sg:Reading)) }
        }""").rows
    assert rows == []


def test_issue_17_targets(bundled):
    """Counted by SPARQL over the built graph (asserted and inferred): at least 90% of the
    standards are classified in an architecture element, at least 80% are linked to a barrier,
    theme or technology, and at least 60% of the links (statement records and mapping records;
    the timeframe values of roadmap items are not links) are stated by a source."""
    store, _ = bundled
    standards, classified, linked = (int(x) for x in q(store, """
        SELECT (COUNT(DISTINCT ?s) AS ?n) (COUNT(DISTINCT ?c) AS ?cn) (COUNT(DISTINCT ?b) AS ?bn)
        WHERE {
          ?s a sg:Standard .
          OPTIONAL { ?s sg:classifiedIn ?e . BIND (?s AS ?c) }
          OPTIONAL { ?s sg:addressesBarrier|sg:supportsTheme|sg:concernsTechnology ?x .
                     BIND (?s AS ?b) }
        }""").rows[0])
    assert classified / standards >= 0.9, (classified, standards)
    assert linked / standards >= 0.8, (linked, standards)
    kinds = dict(q(store, """
        SELECT ?k (COUNT(DISTINCT ?r) AS ?n) WHERE {
          ?r rdf:predicate ?p ; sg:evidence ?k .
          FILTER (?p NOT IN (sg:startYear, sg:endYear, sg:timeframeLabel, sg:tableColumn))
        } GROUP BY ?k""").rows)
    kinds = {str(k).split("#")[-1]: int(n) for k, n in kinds.items()}
    assert set(kinds) <= {"Stated", "Reading", "Suggested", "Inferred"}
    assert kinds["Stated"] / sum(kinds.values()) >= 0.6, kinds


@pytest.fixture(scope="module")
def bundled_ox(tmp_path_factory):
    from stdgraph.store import OxigraphStore
    store = OxigraphStore(tmp_path_factory.mktemp("bundled-ox") / "store")
    build(Project.locate(REPO), store)
    return store


def test_gaps_of_the_bundled_graph_count_readings_and_served_by(bundled_ox):
    """Issue 17, item 3: "Health and safety" and "Cobot safety" are not gaps as long as a source
    or a reading links a standard to them. Both rest on readings only (ISO 10218 and its parts
    address the barrier; ISO 10218-2:2025 serves the roadmap item), so at evidence=stated they
    are gaps again, with the coverage saying how few links are stated."""
    from stdgraph.analysis import run

    health = SGID + "barrier/health-and-safety"
    cobot = SGID + "roadmap-item/cobot-safety"
    links = {(str(s), str(p)) for s, p in bundled_ox.query(sparql_prologue() + f"""
        SELECT ?s ?p WHERE {{
          {{ ?s sg:addressesBarrier <{health}> BIND(sg:addressesBarrier AS ?p) }}
          UNION {{ <{cobot}> sg:servedBy ?s BIND(sg:servedBy AS ?p) }}
          ?s a sg:Standard .
          ?r rdf:subject|rdf:object ?s ; rdf:predicate ?p ; sg:evidence sg:Reading .
        }}""").rows}
    assert (SGID + "standard/iso-10218-2-2025", SG + "servedBy") in links
    assert (SGID + "standard/iso-10218-1-2025", SG + "addressesBarrier") in links

    kinds = {"kinds": "barrier,roadmap-item", "limit": "0"}
    default = run("gaps", bundled_ox, kinds)
    listed = {i["subject"] for i in default.items}
    assert health not in listed and cobot not in listed
    assert default.parameters["evidence"] == "stated+reading"
    stated = run("gaps", bundled_ox, {**kinds, "evidence": "stated"})
    by_subject = {i["subject"]: i for i in stated.items}
    assert by_subject[health]["reason"] == "no linked standard addresses this barrier"
    assert by_subject[cobot]["reason"] == ("no linked standard delivers or serves this roadmap "
                                           "item (timeframe 2019–2020)")
    # every figure is standards in scope, the same for every link kind
    scope = {c["in_scope"] for c in default.extra["coverage"] + stated.extra["coverage"]}
    assert len(scope) == 1
    served = {c["link"]: c["with_link"] for c in default.extra["coverage"]}[SG + "servedBy"]
    assert served == 2  # ISO 10218-2:2025 and ISO 55013:2024, both readings
    assert {c["link"]: c["with_link"] for c in stated.extra["coverage"]}[SG + "servedBy"] == 0


def test_links_with_evidence_lists_every_record_of_the_data_files(bundled):
    """Issue 17: the named query ``links-with-evidence`` lists every statement record of data/
    with its kind and what backs it; the expected rows are read from the Turtle files with
    rdflib, not from the store."""
    from rdflib import DCTERMS

    from stdgraph.sparql.named import Registry

    store, _result = bundled
    expected = set()
    for path in sorted((REPO / "data").rglob("*.ttl")):
        g = Graph().parse(path)
        for r in g.subjects(RDF.type, RDF.Statement):
            kind = g.value(r, SG.evidence)
            if kind is None:
                continue
            for source in list(g.objects(r, DCTERMS.source)) or [None]:
                expected.add((str(g.value(r, RDF.subject)), str(g.value(r, RDF.predicate)),
                              str(g.value(r, RDF.object)), str(kind),
                              None if source is None else str(source),
                              None if g.value(r, SG.rationale) is None
                              else str(g.value(r, SG.rationale))))
    query = Registry.for_project(Project.locate(REPO)).get("links-with-evidence")
    cols = ("subject", "property", "object", "kind", "source", "rationale")
    rows = [tuple(None if d.get(c) is None else str(d[c]) for c in cols)
            for d in query.run(store).dicts()]
    assert len(expected) > 500
    assert set(rows) == expected
    readings = list(query.run(store, {"kind": "sg:Reading"}).dicts())
    assert {str(r["kind"]) for r in readings} == {str(SG.Reading)}
    assert len(readings) == sum(1 for e in expected if e[3] == str(SG.Reading))
    assert all(r.get("rationale") for r in readings)
