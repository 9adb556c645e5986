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
from stdgraph.suggest.lexical import MISSING
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
