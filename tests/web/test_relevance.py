"""The relevance ranking (stdgraph.analysis.relevance) on a hand-built graph with an exact
expected order (tests/fixtures/relevance)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stdgraph.analysis.evidence import Evidence
from stdgraph.analysis.relevance import relevance, resolve
from stdgraph.change.build import build
from stdgraph.project import Project
from stdgraph.sparql.named import ParameterError
from stdgraph.store import OxigraphStore

REPO = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/stdgraph/id/"
PROFILE = {"technology": ["t1", ID + "technology/t2"], "barrier": ["b1"], "element": ["fx/e1"]}


def std(slug: str) -> str:
    return f"{ID}standard/{slug}"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("relevance") / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "shapes").mkdir()
    shutil.copytree(REPO / "tests" / "fixtures" / "relevance" / "data", root / "data")
    st = OxigraphStore(root.parent / "store")
    build(Project.locate(root), st)
    yield st
    st.close()


def test_ranking_order_and_reasons(store):
    doc = relevance(store, PROFILE)
    # ties: stated links, then status (published before under development), then label
    assert [i["iri"] for i in doc["items"]] == [
        std("bravo"), std("alpha"), std("aardvark"), std("charlie"), std("able"), std("echo")]
    assert [i["score"] for i in doc["items"]] == [4, 3, 1, 1, 1, 1]
    assert all(i["of"] == 4 for i in doc["items"])
    alpha = doc["items"][1]
    assert [(m["kind"], m["iri"]) for m in alpha["matched"]] == [
        ("technology", ID + "technology/t1"), ("barrier", ID + "barrier/b1"),
        ("element", ID + "architecture/fx/e1")]
    assert [m["evidence"] for m in alpha["matched"]] == ["stated"] * 3
    assert alpha["stated"] == 3
    assert alpha["reason"] == ("matches technology Tech one (stated link); barrier Barrier one "
                               "(stated link); architecture element Element one (stated link)")
    assert doc["unmatched"] == []
    assert [(i["iri"], [s["iri"] for s in i["superseded_by"]]) for i in doc["left_out"]] == [
        (std("delta"), [std("echo")]), (std("foxtrot"), [])]


def test_include_withdrawn(store):
    doc = relevance(store, PROFILE, include_withdrawn=True)
    assert [i["iri"] for i in doc["items"]] == [
        std("bravo"), std("alpha"), std("delta"), std("aardvark"), std("charlie"),
        std("able"), std("echo"), std("foxtrot")]
    assert doc["left_out"] == []
    delta = doc["items"][2]
    assert delta["status"].endswith("#Superseded")
    assert [s["iri"] for s in delta["superseded_by"]] == [std("echo")]


def test_evidence_kinds_and_ties_by_stated_links(store):
    doc = relevance(store, {"technology": ["t3"]})
    # kilo's link is stated, hotel's a reading: kilo first though "Hotel" < "Z-1"
    assert [(i["iri"], [m["evidence"] for m in i["matched"]]) for i in doc["items"]] == [
        (std("kilo"), ["stated"]), (std("hotel"), ["reading"])]
    assert doc["items"][1]["reason"] == "matches technology Tech three (reading (a curator's))"


def test_unmatched_items_say_why(store):
    doc = relevance(store, {"technology": ["t3"], "barrier": ["b2"], "theme": ["th1"]},
                    evidence=Evidence("stated"))
    assert [i["iri"] for i in doc["items"]] == [std("kilo")]
    # 11 standards, foxtrot withdrawn and delta superseded: 9 in scope, none with a theme
    assert doc["unmatched"] == [
        {"kind": "barrier", "iri": ID + "barrier/b2", "label": "Barrier two",
         "why": "only withdrawn or superseded standards are linked to this barrier (1: listed "
                "under Left out)"},
        {"kind": "theme", "iri": ID + "theme/th1", "label": "Theme one",
         "why": "no standard is linked to this theme yet: 0 of 9 standards are linked to any "
                "theme"}]
    assert [i["iri"] for i in doc["left_out"]] == [std("foxtrot")]
    doc = relevance(store, {"technology": ["t1", "t3"]}, evidence=Evidence("stated"))
    # hotel's reading does not count at 'stated', but kilo's stated link does
    assert doc["unmatched"] == []
    doc = relevance(store, {"barrier": ["b2"]}, include_withdrawn=True)
    assert [i["iri"] for i in doc["items"]] == [std("foxtrot")]


def test_reading_only_item_says_it_needs_a_weaker_level(store):
    doc = relevance(store, {"technology": ["t4"]}, evidence=Evidence("stated"))
    assert doc["items"] == []
    assert doc["unmatched"] == [
        {"kind": "technology", "iri": ID + "technology/t4", "label": "Tech four",
         "why": "1 standard is linked to this technology only by a link that does not count "
                "at evidence 'stated' (a reading or suggestion): choose a weaker evidence "
                "level to count it"}]
    doc = relevance(store, {"technology": ["t4"]})
    assert [(i["iri"], i["matched"][0]["evidence"]) for i in doc["items"]] == [
        (std("hotel"), "reading")]


def test_text_suggestions_count_one_point(store):
    said = [{"iri": std("golf"), "score": 0.25, "terms": ["sme"], "via": None},
            {"iri": std("charlie"), "score": 0.5, "terms": [], "via": None}]
    doc = relevance(store, {"stakeholder": ["sme"]}, suggested=said)
    assert [(i["iri"], i["score"], i["of"]) for i in doc["items"]] == [
        (std("golf"), 2, 2), (std("charlie"), 1, 2)]
    assert doc["items"][0]["reason"] == ("matches stakeholder type SME (stated link); your "
                                         "description (suggestion, score 0.250)")
    assert doc["items"][1]["text"] == {"score": 0.5, "terms": [], "via": None}
    assert "one point" in doc["ranking"]


def test_stakeholder_and_empty_profile(store):
    doc = relevance(store, {"stakeholder": ["sme"]})
    assert [i["iri"] for i in doc["items"]] == [std("golf")]
    assert relevance(store, {})["items"] == []


@pytest.mark.parametrize(("profile", "param"), [
    ({"technology": ["nope"]}, "technology"),
    ({"barrier": ["Bad Slug!"]}, "barrier"),
    ({"colour": ["red"]}, "colour"),
    ({"element": ["https://example.org/a>b"]}, "element"),
])
def test_bad_profiles_name_the_parameter(store, profile, param):
    with pytest.raises(ParameterError) as e:
        relevance(store, profile)
    assert e.value.param == param


def test_resolve():
    assert resolve("element", "rami40/layer-asset", ID) == ID + "architecture/rami40/layer-asset"
    assert resolve("technology", "technology/robotics", ID) == ID + "technology/robotics"
    assert resolve("barrier", ID + "barrier/x", ID) == ID + "barrier/x"
