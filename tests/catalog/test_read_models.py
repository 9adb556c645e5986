"""Each read model on the catalog fixture (tests/fixtures/catalog/catalog.ttl), against values
worked out by hand from that file, on an Oxigraph and an rdflib store."""

from __future__ import annotations

from stdgraph.catalog.architecture import architecture, architectures, elements_by_scheme
from stdgraph.catalog.common import Window, paged
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
             "values": [{"iri": SG + "Standard", "label": SG + "Standard", "lang": None,
                         "also": []}]},
            {"iri": RDFS + "label", "label": "rdfs:label",
             "values": [{"iri": None, "label": "A 3", "lang": "en", "also": []}]},
            {"iri": SG + "identifier", "label": "sg:identifier",
             "values": [{"iri": None, "label": "A 3", "lang": None, "also": []}]}],
        "incoming": paged([], 0, Window(), "by property and label")}


def test_incoming_links(store):
    assert {(str(s), str(p)) for s, p in incoming(store, CHILD)} == {
        (S1, SG + "addressesBarrier"), (I1, SG + "addressesBarrier"), (BIG, SKOS + "narrower")}
    every = [{"iri": I1, "label": "Item one", "prop": "sg:addressesBarrier"},
             {"iri": S1, "label": "X 1 First", "prop": "sg:addressesBarrier"},
             {"iri": BIG, "label": "Big barrier", "prop": "skos:narrower"}]
    res = describe(store, CHILD)
    assert overview(store, res)["incoming"] == paged(every, 3, Window(),
                                                     "by property and label")
    assert overview(store, res, Window(2, 2))["incoming"] == {
        "items": every[2:], "total": 3, "page": 2, "size": 2, "pages": 2,
        "order": "by property and label"}


def test_sources(store):
    assert sources(store, describe(store, S1)) == {
        "sources": [{"iri": SECTION, "label": "Section 1",
                     "within": ref(DOC, "The document"), "homepage": None}],
        "derived_from": []}
    assert sources(store, describe(store, S2)) == NO_SOURCES


def test_standard(store):
    # s1 shares one element with s2 (overlaps need two) and is in one architecture only: no
    # overlap, no conflict (tests/catalog/test_findings.py checks both against the analyses)
    none = paged([], 0, Window(), "by score")
    assert standard(store, S1) == {
        "identifier": "X 1", "title": "First", "status": PUBLISHED, "year": None,
        "edition": None, "publisher": [], "committee": [],
        "classifications": [("Arch X", [ref(E1, "Element one"), ref(E2, "element two")])],
        "relations": [("Delivered by roadmap item", [ref(I2, "Item two")])],
        "concerns": [("Barriers addressed", [ref(CHILD, "Child barrier")])],
        "overlaps": none, "conflicts": {**none, "order": "by severity"},
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
    s3 = {"iri": S3, "label": "A 3", "status": None}
    assert standards_in(store, [E1, E2]) == {"elements": elements,
                                             **paged([s1], 1, Window(), "by label")}
    assert standards_in(store, [E1]) == {"elements": elements[:1],
                                         **paged([s1, s2], 2, Window(), "by label")}
    assert standards_in(store, []) == {"elements": [],
                                       **paged([s3, s1, s2], 3, Window(), "by label")}
    # pages: 2 a page, the second has the last one; past the end, none
    assert standards_in(store, [], Window(2, 2)) == {
        "elements": [], "items": [s2], "total": 3, "page": 2, "size": 2, "pages": 2,
        "order": "by label"}
    assert standards_in(store, [E1], Window(3, 1))["items"] == []


def test_barrier(request, store):
    rdflib_min_of_unbound(request, store)
    page = concern(store, BIG, "barrier")
    assert page == {
        "kind": "barrier", "definition": "The big one.", "scope_notes": [],
        "alt_labels": ["AA", "BB"], "notation": None, "schemes": [],
        "broader": [ref(TOP, "Top barrier")], "narrower": [ref(CHILD, "Child barrier")],
        "matches": [],
        # s2 points at it, s1 and item one at its narrower barrier
        "standards": paged([{**S1_INFO, "direct": False, "via": [ref(CHILD, "Child barrier")]},
                            {**S2_INFO, "direct": True, "via": []}], 2, Window(),
                           "by identifier"),
        "items": [{**ITEM_ONE, "direct": False, "via": [ref(CHILD, "Child barrier")]}],
        "recommendations": [{**ref(R1, "Rec one"), "direct": True, "via": []}],
        # s1 (published) addresses its narrower barrier: no gap
        "years": YEARS, "sme": None, "gap": None, **NO_SOURCES}
    assert concern(store, BIG, "barrier", standards=Window(2, 1))["standards"] == {
        "items": [{**S2_INFO, "direct": True, "via": []}], "total": 2, "page": 2, "size": 1,
        "pages": 2, "order": "by identifier"}
    child = concern(store, CHILD, "barrier")
    assert child["gap"] is None and child["broader"] == [ref(BIG, "Big barrier")]


def test_theme(store):
    page = concern(store, THEME, "theme")
    assert page["notation"] == "7"
    assert page["sme"] == {"value": "yes", "definition": "Whether the theme matters to SMEs."}
    assert page["items"] == [{**ITEM_ONE, "direct": True, "via": []}]
    assert page["standards"]["items"] == page["recommendations"] == []
    # only a roadmap item supports it: a gap
    assert page["gap"] == {"subject": THEME, "label": "Theme T", "kind": "theme", "scheme": None,
                           "scheme_label": None, "reason": "no linked standard supports this theme"}


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
    # s1 delivers item two (deliveredBy): no gap; nothing delivers or serves item one
    assert roadmap_item(store, I2) == {
        "item": ITEM_TWO, "years": YEARS, "text": None, "notes": [], "delivered": [S1_INFO],
        "served": [], "concerns": [], "gap": None, **NO_SOURCES}
    one = roadmap_item(store, I1)
    assert one["concerns"] == [("Barriers addressed", [ref(CHILD, "Child barrier")]),
                               ("Themes supported", [ref(THEME, "Theme T")])]
    assert one["gap"] == {"subject": I1, "label": "Item one", "kind": "roadmap-item",
                          "scheme": None, "scheme_label": None,
                          "reason": "no linked standard delivers or serves this roadmap item"}


def test_architecture(store):
    # the elements as a tree under the top element, in the scheme's order (sg:order: e2
    # before e1); s1 and s2 are placed on it, s3 is not
    def leaf(iri, label, n):
        return {"iri": iri, "label": label, "count": n, "children": [], "placed": n > 0}

    assert architecture(store, XA, ID) == {"heatmap": None, "elements": [
        {"iri": AXIS, "label": "Axis", "count": 0, "placed": True,
         "children": [leaf(E2, "element two", 1), leaf(E1, "Element one", 2)]}],
        "placed": 2, "total": 3}
    assert architectures(store, ID) == {"total": 3, "items": [
        {**ref(XA, "Arch X"), "elements": 3, "placed": 2, "grid": False}]}
    # in the scheme's order too (sg:order), not by label
    assert elements_by_scheme(store) == [("Arch X", [ref(E2, "element two"),
                                                     ref(E1, "Element one")])]


def test_overview(store):
    assert [(c["label"], c["count"]) for c in counts(store)] == [
        ("standards", 3), ("reference architectures", 1), ("architecture elements", 3),
        ("barriers", 3), ("themes", 1), ("technologies", 0), ("stakeholder types", 0),
        ("recommendations", 1), ("roadmap items", 2), ("standards bodies", 0)]
    # in their tree's order (top > big > child: each after its broader one), not by label
    barriers = [ref(TOP, "Top barrier"), ref(BIG, "Big barrier"), ref(CHILD, "Child barrier")]
    assert members(store, "Barrier") == barriers
    page = landing(store)
    assert page["architectures"] == [ref(XA, "Arch X")]
    assert page["barriers"] == barriers and page["themes"] == [ref(THEME, "Theme T")]
    assert page["recommendations"] == [ref(R1, "Rec one")]
    # each choice with its names (labels and alternative labels: what the text box finds),
    # the elements in the scheme's order (sg:order)
    names = {BIG: ["AA", "BB", "Big barrier"], CHILD: ["Child barrier"], TOP: ["Top barrier"]}
    assert profile_options(store) == {
        "technology": [], "barrier": [{**b, "names": names[b["iri"]]} for b in barriers],
        "theme": [{**ref(THEME, "Theme T"), "names": ["Theme T"]}], "stakeholder": [],
        "element": [("Arch X", [ref(E2, "element two"), ref(E1, "Element one")])]}


def test_search(store):
    barriers = [ref(BIG, "Big barrier"), ref(CHILD, "Child barrier"), ref(TOP, "Top barrier")]
    assert search(store, ID, "BARRIER") == paged(barriers, 3, Window(), "by label")
    assert search(store, ID, "BARRIER", Window(2, 2))["items"] == barriers[2:]
    assert search(store, ID, "x 1")["items"] == [ref(S1, "X 1 First")]  # identifier, label: once
    assert search(store, ID, "Published")["total"] == 0  # sg:Published is not under the base
    assert search(store, ID, "")["items"] == []
    assert search(store, ID, 'a") || true || ("')["total"] == 0


def test_ontology_terms(store):
    triples = ontology_statements(store)
    assert len(triples) == 4 and all(str(s).startswith(SG) for s, _p, _o in triples)
    found = terms(store, triples)
    assert [(t["name"], t["label"], t["kinds"]) for t in found] == [
        ("Published", "Published", ""), ("relevantToSMEs", SG + "relevantToSMEs", ""),
        ("Withdrawn", "Withdrawn", "")]
    assert found[1]["comment"] in {"Whether the theme matters to SMEs.",
                                   "Pertinent pour les PME."}
