"""/suggestions through the real app (TestClient): stored suggestions listed, accepted and
rejected with the write token, a re-run keeping the decisions, and 501 without the extra."""

from __future__ import annotations

import sys
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from stdgraph.api.app import create_app
from stdgraph.rdf.namespaces import DECISIONS_GRAPH
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore
from stdgraph.suggest import service
from stdgraph.suggest.corpus import RELATED, read_corpus
from stdgraph.suggest.lexical import MISSING
from stdgraph.suggest.methods import Suggester
from suggest.conftest import EX, SG, write_six

from .conftest import AUTH, TOKEN


@pytest.fixture
def app_store(tmp_path):
    with OxigraphStore(tmp_path / "store") as st:
        write_six(st)
        service.run(st, "pairs", min_score=0.0)
        service.run(st, "classify", min_score=0.0)
        yield st


@pytest.fixture
def api(app_store, tmp_path):
    settings = Settings(store=str(tmp_path / "store"), update_token=TOKEN,
                        query_processes=False)
    with TestClient(create_app(settings, store=app_store),
                    raise_server_exceptions=False) as c:
        yield c


def records(api, **params) -> list[dict]:
    r = api.get("/suggestions", params=params)
    assert r.status_code == 200, r.text
    return r.json()["suggestions"]


def test_stored_suggestions_are_listed_by_kind_subject_and_score(api, app_store):
    pairs = records(api, kind="pairs", limit=100)
    assert [(x["subject"], x["object"], x["score"]) for x in pairs] == [
        (x["subject"], x["object"], x["score"]) for x in service.listed(app_store, "pairs")]
    assert len(pairs) == 14
    classify = records(api, kind="classify")
    assert {x["predicate"] for x in classify} == {SG + "classifiedIn"}
    about = records(api, subject=EX + "s2", kind="pairs")
    assert len(about) == 5 and all(EX + "s2" in (x["subject"], x["object"]) for x in about)
    top = records(api, min_score=str(pairs[2]["score"]), kind="pairs")
    assert len(top) >= 3 and min(x["score"] for x in top) >= pairs[2]["score"]
    assert api.get("/suggestions", params={"kind": "nope"}).status_code == 400
    r = api.get("/suggestions", params={"subject": "not an iri"})
    assert r.status_code == 400 and "subject" in r.json()["error"]


def test_accept_and_reject_round_trip_with_the_write_token(api, app_store):
    first, second = records(api, kind="pairs")[:2]
    url = "/suggestions/accept?record=" + quote(first["record"]) + "&reviewer=Ada"
    assert api.post(url).status_code == 401
    assert api.post(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
    r = api.post(url, headers=AUTH)
    assert r.status_code == 200, r.text
    reading = r.json()["reading"]
    assert reading == first["record"] + "/accepted"
    r = api.post("/suggestions/reject", headers=AUTH,
                 params={"record": second["record"], "reviewer": "Bob"})
    assert r.status_code == 200, r.text
    assert api.post(url, headers=AUTH).status_code == 404  # decided already
    # the accepted link is a reading carrying reviewer, time and the suggestion it came from
    q = (f"PREFIX sg: <{SG}> PREFIX prov: <http://www.w3.org/ns/prov#> "
         "PREFIX dcterms: <http://purl.org/dc/terms/> "
         f"SELECT ?who ?from WHERE {{ GRAPH <{DECISIONS_GRAPH}> {{ <{reading}> "
         "sg:evidence sg:Reading ; dcterms:creator ?who ; prov:wasDerivedFrom ?from } }")
    r = api.get("/sparql", params={"query": q},
                headers={"Accept": "application/sparql-results+json"})
    bindings = r.json()["results"]["bindings"]
    assert [(b["who"]["value"], b["from"]["value"]) for b in bindings] == [
        ("Ada", first["record"])]
    left = records(api, kind="pairs")
    assert len(left) == 12
    # a re-run keeps both decisions: neither link is suggested again
    service.run(app_store, "pairs", min_score=0.0)
    again = records(api, kind="pairs")
    assert len(again) == 12
    assert {x["record"] for x in again}.isdisjoint({first["record"], second["record"]})


def test_live_answers_and_501_without_the_extra(api, monkeypatch):
    r = api.get("/suggestions/profile", params={"text": "cybersecurity of control networks"})
    assert r.status_code == 200, r.text
    assert r.json()["suggestions"][0]["object"] == EX + "s1"
    r = api.get("/suggestions/standard", params={"iri": EX + "s2"})
    assert r.status_code == 200 and r.json()["pairs"][0]["object"] == EX + "s1"
    assert api.get("/suggestions/standard", params={"iri": EX + "nope"}).status_code == 404
    assert api.get("/suggestions/profile", params={"text": " "}).status_code == 400
    monkeypatch.setitem(sys.modules, "sklearn.feature_extraction.text", None)
    r = api.get("/suggestions/profile", params={"text": "robots"})
    assert r.status_code == 501
    assert MISSING in r.text


def stored_about(store, kind: str, standard: str | None = None) -> list[tuple]:
    return sorted((x["subject"], x["predicate"], x["object"], x["score"])
                  for x in service.listed(store, kind)
                  if standard is None or standard in (x["subject"], x["object"]))


def expected_rows(found) -> list[tuple]:
    return sorted((min(x.subject, x.object) if x.predicate == RELATED else x.subject,
                   x.predicate,
                   max(x.subject, x.object) if x.predicate == RELATED else x.object,
                   round(x.score, 4)) for x in found)


@pytest.mark.parametrize("kind", ["pairs", "classify", "links"])
def test_compute_for_one_standard_stores_what_the_library_computes(api, app_store, kind):
    s2 = EX + "s2"
    # at most 1 per property: fewer than the run of the fixture stored (5 pairs, 2 elements)
    expected = service.for_one(Suggester(read_corpus(app_store)), s2, kind, limit=1)
    assert expected  # s2 has partners, elements and a barrier to be suggested
    assert expected_rows(expected) != [x for x in stored_about(app_store, kind, s2)
                                       if kind == "pairs" or x[0] == s2]
    others = [x for x in stored_about(app_store, kind) if x not in stored_about(
        app_store, kind, s2)] if kind == "pairs" else [
        x for x in stored_about(app_store, kind) if x[0] != s2]
    url = "/suggestions/compute"
    params = {"kind": kind, "standard": s2, "limit": "1"}
    assert api.post(url, params=params).status_code == 401
    assert api.post(url, params=params, headers={"Authorization": "Bearer x"}).status_code \
        == 403
    r = api.post(url, params=params, headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["stored"] == len(expected)
    assert [(x["subject"], x["object"], x["score"]) for x in body["suggestions"]] == [
        (x.subject, x.object, round(x.score, 4)) for x in expected]
    assert body["method"] == f"{kind}; " + service.method_name(Suggester(read_corpus(app_store)))
    # the standard's stored suggestions are the library's; the others' are as they were
    if kind == "pairs":
        assert stored_about(app_store, kind, s2) == expected_rows(expected)
        assert [x for x in stored_about(app_store, kind)
                if s2 not in (x[0], x[2])] == others
    else:
        assert [x for x in stored_about(app_store, kind) if x[0] == s2] == expected_rows(
            expected)
        assert [x for x in stored_about(app_store, kind) if x[0] != s2] == others


def test_compute_every_standard_and_the_bad_requests(api, app_store):
    service.run(app_store, "pairs", min_score=0.9)  # nearly nothing stored
    expected, _ = service.compute(read_corpus(app_store), "pairs", 0.2)
    r = api.post("/suggestions/compute", params={"kind": "pairs", "min_score": "0.2"},
                 headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == len(expected) > 0
    assert stored_about(app_store, "pairs") == expected_rows(expected)
    for params, status, named in (({}, 400, "kind"), ({"kind": "nope"}, 400, "kind"),
                                  ({"kind": "pairs", "standard": "not an iri"}, 400,
                                   "standard"),
                                  ({"kind": "pairs", "standard": EX + "comm"}, 404, None),
                                  ({"kind": "pairs", "min_score": "2"}, 400, None),
                                  ({"kind": "pairs", "other": "1"}, 400, "other")):
        r = api.post("/suggestions/compute", params=params, headers=AUTH)
        assert r.status_code == status, (params, r.text)
        assert named is None or named in r.text
    assert stored_about(app_store, "pairs") == expected_rows(expected)  # nothing written


def test_compute_is_bounded_by_the_query_time_limit(app_store, tmp_path):
    """A query time limit shorter than fitting the model: 503, and nothing is written."""
    before = stored_about(app_store, "pairs")
    settings = Settings(store=str(tmp_path / "store"), update_token=TOKEN,
                        query_processes=False, query_timeout=0.001)
    with TestClient(create_app(settings, store=app_store),
                    raise_server_exceptions=False) as c:
        r = c.post("/suggestions/compute", params={"kind": "pairs"}, headers=AUTH)
    assert r.status_code == 503, r.text
    assert stored_about(app_store, "pairs") == before
