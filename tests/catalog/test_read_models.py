"""Each read model on the catalog fixture (tests/fixtures/catalog/catalog.ttl), against values
worked out by hand from that file, on an Oxigraph and an rdflib store."""

from __future__ import annotations

from stdgraph.catalog.architecture import architecture, elements_by_scheme
from stdgraph.catalog.concern import concern
from stdgraph.catalog.ontology import ontology_statements, terms
from stdgraph.catalog.overview import counts, landing, members, profile_options
from stdgraph.catalog.resource import describe, incoming, overview, sources
from stdgraph.catalog.roadmap import YEARS, recommendation, roadmap_item, roadmap_items
from stdgraph.catalog.search import search
from stdgraph.catalog.standard import standard, standards_in, standards_info

from .conftest import (
    AXIS,
    BIG,
    CHILD,
    DOC,
    E1,
    E2,
    I1,
    I2,
    ID,
    PUBLISHED,
    R1,
    S1,
    S2,
    S3,
    SECTION,
    SG,
    THEME,
    TOP,
    XA,
    analyses,
    rdflib_min_of_unbound,
    ref,
)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

#: the roadmap items as the timeline shows them: I2 (2019 only) before I1 (2020-2021)
ITEM_TWO = {"iri": I2, "label": "Item two", "start": 2019, "end": None,
            "timeframe": "short term", "recs": [ref(R1, "Rec one")],
            "standards": [ref(S1, "X 1 First")],
            # deliveredBy with no statement record: no evidence kind to show
            "linked": [{**ref(S1, "X 1 First"), "link": "delivers", "evidence": []}],
            "active": [True, False, False, False, False]}
ITEM_ONE = {"iri": I1, "label": "Item one", "start": 2020, "end": 2021, "timeframe": None,
            "recs": [ref(R1, "Rec one")], "standards": [], "linked": [],
            "active": [False, True, True, False, False]}
S1_INFO = {"iri": S1, "label": "X 1 First", "identifier": "X 1", "title": "First",
           "status": PUBLISHED}
S2_INFO = {"iri": S2, "label": "X 2", "identifier": "X 2", "title": None,
           "status": {"iri": SG + "Withdrawn", "label": "Withdrawn"}}
NO_SOURCES = {"sources": [], "derived_from": []}


def test_describe_and_overview(store):
    assert describe(store, ID + "nothing") is None
    res = describe(store, S3)
    assert res.types == [SG + "Standard"]
    assert overview(store, res) == {
        "iri": S3, "label": "A 3", "types": [ref(SG + "Standard", "sg:Standard")],
        "rows": [  # property labels: none in the fixture, so CURIEs, by CURIE
            {"iri": RDF + "type", "label": "rdf:type",
             "values": [{"iri": SG + "Standard", "label": SG + "Standard", "lang": None}]},
            {"iri": RDFS + "label", "label": "rdfs:label",
             "values": [{"iri": None, "label": "A 3", "lang": "en"}]},
            {"iri": SG + "identifier", "label": "sg:identifier",
             "values": [{"iri": None, "label": "A 3", "lang": None}]}],
        "incoming": []}


def test_incoming_links(store):
    assert {(str(s), str(p)) for s, p in incoming(store, CHILD)} == {
        (S1, SG + "addressesBarrier"), (I1, SG + "addressesBarrier"), (BIG, SKOS + "narrower")}
    assert overview(store, describe(store, CHILD))["incoming"] == [
        {"iri": I1, "label": "Item one", "prop": "sg:addressesBarrier"},
        {"iri": S1, "label": "X 1 First", "prop": "sg:addressesBarrier"},
        {"iri": BIG, "label": "Big barrier", "prop": "skos:narrower"}]


def test_sources(store):
    assert sources(store, describe(store, S1)) == {
        "sources": [{"iri": SECTION, "label": "Section 1",
                     "within": ref(DOC, "The document"), "homepage": None}],
        "derived_from": []}
    assert sources(store, describe(store, S2)) == NO_SOURCES


def test_standard(store):
    overlap = {"a": S2, "b": S1, "a_label": "X 2", "b_label": "X 1 First", "score": 0.5,
               "shared": [E1], "related": False}
    other = {**overlap, "b": S3, "b_label": "A 3"}
    conflict = {"subjects": [ref(S1, "X 1 First")], "message": "m"}
    docs = analyses(overlaps=[overlap, other],
                    conflicts=[conflict, {"subjects": [ref(S3, "A 3")]}])
    assert standard(store, S1, analyses=docs) == {
        "identifier": "X 1", "title": "First", "status": PUBLISHED, "year": None,
        "edition": None, "publisher": [], "committee": [],
        "classifications": [("Arch X", [ref(E1, "Element one"), ref(E2, "element two")])],
        "relations": [("Delivered by roadmap item", [ref(I2, "Item two")])],
        "concerns": [("Barriers addressed", [ref(CHILD, "Child barrier")])],
        "overlaps": [{"other": ref(S2, "X 2"), "score": 0.5, "shared": [E1],
                      "related": False}],
        "conflicts": [conflict],
        "sources": [ref(SECTION, "Section 1")]}
    assert standard(store, ID + "standard/none") is None


def test_standards_info_by_identifier(request, store):
    rdflib_min_of_unbound(request, store)
    s3 = {"iri": S3, "label": "A 3", "identifier": "A 3", "title": None, "status": None}
    assert standards_info(store, [S2, S1, S3, S1]) == [s3, S1_INFO, S2_INFO]
    assert standards_info(store, []) == []


def test_standards_in_every_element(store):
    elements = [ref(E1, "Element one"), ref(E2, "element two")]
    s1 = {"iri": S1, "label": "X 1 First", "status": "Published"}
    s2 = {"iri": S2, "label": "X 2", "status": "Withdrawn"}
    assert standards_in(store, [E1, E2]) == {"elements": elements, "items": [s1]}
    assert standards_in(store, [E1]) == {"elements": elements[:1], "items": [s1, s2]}
    assert standards_in(store, []) == {
        "elements": [], "items": [{"iri": S3, "label": "A 3", "status": None}, s1, s2]}


def test_barrier(request, store):
    rdflib_min_of_unbound(request, store)
    gap = {"subject": BIG, "kind": "barrier", "reason": "hand-made"}
    page = concern(store, BIG, "barrier", analyses=analyses(gaps=[gap]))
    assert page == {
        "kind": "barrier", "definition": "The big one.", "scope_notes": [],
        "alt_labels": ["AA", "BB"], "notation": None, "schemes": [],
        "broader": [ref(TOP, "Top barrier")], "narrower": [ref(CHILD, "Child barrier")],
        "matches": [],
        # s2 points at it, s1 and item one at its narrower barrier
        "standards": [{**S1_INFO, "direct": False, "via": [ref(CHILD, "Child barrier")]},
                      {**S2_INFO, "direct": True, "via": []}],
        "items": [{**ITEM_ONE, "direct": False, "via": [ref(CHILD, "Child barrier")]}],
        "recommendations": [{**ref(R1, "Rec one"), "direct": True, "via": []}],
        "years": YEARS, "sme": None, "gap": gap, **NO_SOURCES}
    child = concern(store, CHILD, "barrier", analyses=analyses(gaps=[gap]))
    assert child["gap"] is None and child["broader"] == [ref(BIG, "Big barrier")]


def test_theme(store):
    page = concern(store, THEME, "theme", analyses=analyses(gaps=[]))
    assert page["notation"] == "7"
    assert page["sme"] == {"value": "yes", "definition": "Whether the theme matters to SMEs."}
    assert page["items"] == [{**ITEM_ONE, "direct": True, "via": []}]
    assert page["standards"] == page["recommendations"] == []


def test_roadmap_items_on_the_timeline(store):
    assert roadmap_items(store, None) == [ITEM_TWO, ITEM_ONE]
    assert roadmap_items(store, [I1]) == [ITEM_ONE]
    assert roadmap_items(store, []) == []


def test_recommendation(store):
    assert recommendation(store, R1) == {
        "notation": "1", "text": "Do the thing.", "stakeholders": [],
        "items": [ITEM_TWO, ITEM_ONE], "years": YEARS,
        "barriers": [{**ref(BIG, "Big barrier"), "direct": True, "via": []},
                     {**ref(CHILD, "Child barrier"), "direct": False,
                      "via": [ref(I1, "Item one")]}],
        "themes": [{**ref(THEME, "Theme T"), "direct": False, "via": [ref(I1, "Item one")]}],
        **NO_SOURCES}


def test_roadmap_item(store):
    gap = {"subject": I2, "kind": "roadmap-item", "reason": "hand-made"}
    assert roadmap_item(store, I2, analyses=analyses(gaps=[gap])) == {
        "item": ITEM_TWO, "years": YEARS, "text": None, "notes": [], "delivered": [S1_INFO],
        "served": [], "concerns": [], "gap": gap, **NO_SOURCES}
    assert roadmap_item(store, I1, analyses=analyses(gaps=[gap]))["concerns"] == [
        ("Barriers addressed", [ref(CHILD, "Child barrier")]),
        ("Themes supported", [ref(THEME, "Theme T")])]


def test_architecture(store):
    assert architecture(store, XA, ID) == {"heatmap": None, "elements": [
        ("(top)", [{"iri": AXIS, "label": "Axis", "count": 0}]),
        ("Axis", [{"iri": E1, "label": "Element one", "count": 2},
                  {"iri": E2, "label": "element two", "count": 1}])]}
    assert elements_by_scheme(store) == [("Arch X", [ref(E1, "Element one"),
                                                     ref(E2, "element two")])]


def test_overview(store):
    assert [(c["label"], c["count"]) for c in counts(store)] == [
        ("standards", 3), ("reference architectures", 1), ("architecture elements", 3),
        ("barriers", 3), ("themes", 1), ("technologies", 0), ("stakeholder types", 0),
        ("recommendations", 1), ("roadmap items", 2), ("standards bodies", 0)]
    barriers = [ref(BIG, "Big barrier"), ref(CHILD, "Child barrier"), ref(TOP, "Top barrier")]
    assert members(store, "Barrier") == barriers
    page = landing(store)
    assert page["architectures"] == [ref(XA, "Arch X")]
    assert page["barriers"] == barriers and page["themes"] == [ref(THEME, "Theme T")]
    assert page["recommendations"] == [ref(R1, "Rec one")]
    assert profile_options(store) == {
        "technology": [], "barrier": barriers, "stakeholder": [],
        "element": [("Arch X", [ref(E1, "Element one"), ref(E2, "element two")])]}


def test_search(store):
    assert search(store, ID, "BARRIER") == [ref(BIG, "Big barrier"), ref(CHILD, "Child barrier"),
                                            ref(TOP, "Top barrier")]
    assert search(store, ID, "x 1") == [ref(S1, "X 1 First")]  # identifier and label: once
    assert search(store, ID, "Published") == []  # sg:Published is not under the base
    assert search(store, ID, "") == []
    assert search(store, ID, 'a") || true || ("') == []


def test_ontology_terms(store):
    triples = ontology_statements(store)
    assert len(triples) == 4 and all(str(s).startswith(SG) for s, _p, _o in triples)
    found = terms(store, triples)
    assert [(t["name"], t["label"], t["kinds"]) for t in found] == [
        ("Published", "Published", ""), ("relevantToSMEs", SG + "relevantToSMEs", ""),
        ("Withdrawn", "Withdrawn", "")]
    assert found[1]["comment"] in {"Whether the theme matters to SMEs.",
                                   "Pertinent pour les PME."}
