"""The relevance ranking (stdgraph.analysis.relevance) on a hand-built graph with an exact
expected order (tests/fixtures/relevance)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
    assert [i["iri"] for i in doc["items"]] == [
        std("bravo"), std("alpha"), std("aardvark"), std("charlie"), std("echo")]
    assert [i["score"] for i in doc["items"]] == [4, 3, 1, 1, 1]
    assert all(i["of"] == 4 for i in doc["items"])
    alpha = doc["items"][1]
    assert [(m["kind"], m["iri"]) for m in alpha["matched"]] == [
        ("technology", ID + "technology/t1"), ("barrier", ID + "barrier/b1"),
        ("element", ID + "architecture/fx/e1")]
    assert alpha["reason"] == ("matches technology Tech one; barrier Barrier one; "
                               "architecture element Element one")
    assert [(i["iri"], [s["iri"] for s in i["superseded_by"]]) for i in doc["left_out"]] == [
        (std("delta"), [std("echo")]), (std("foxtrot"), [])]


def test_include_withdrawn(store):
    doc = relevance(store, PROFILE, include_withdrawn=True)
    assert [i["iri"] for i in doc["items"]] == [
        std("bravo"), std("alpha"), std("delta"), std("aardvark"), std("charlie"),
        std("echo"), std("foxtrot")]
    assert doc["left_out"] == []
    delta = doc["items"][2]
    assert delta["status"].endswith("#Superseded")
    assert [s["iri"] for s in delta["superseded_by"]] == [std("echo")]


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
