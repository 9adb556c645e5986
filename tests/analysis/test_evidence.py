"""The evidence filter and the coverage figures (issue 17, item 3) on tests/fixtures/evidence:
evidence=stated and evidence=stated+reading give different gaps, and every answer says how many
standards have a link of each kind. Every expected value was counted by hand from the fixture
(its README has the table): in the library, on the CLI, over HTTP and on the report page."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from stdgraph.analysis import run
from stdgraph.analysis.common import to_json
from stdgraph.api.app import create_app
from stdgraph.settings import Settings
from stdgraph.sparql.named import ParameterError
from stdgraph.store import MemoryStore, OxigraphStore
from support.analysis_graph import FIXTURE, ID, SG, build_into, project_dir

DATA = FIXTURE.parent / "evidence" / "data"
KINDS = {"kinds": "barrier,roadmap-item"}
NAMES = ["one", "two", "three", "four", "five", "six", "seven", "eight"]


def b(k: int) -> str:
    return f"{ID}barrier/ev-b{k}"


def item(k: int) -> str:
    return f"{ID}roadmap-item/ev-r{k}"


def cov(link: str, n: int, m: int, text: str) -> dict:
    labels = {"addressesBarrier": "addresses barrier", "delivers": "delivers",
              "servedBy": "served by", "status": "status"}
    return {"link": SG + link, "label": labels[link], "with_link": n, "in_scope": m,
            "text": text}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return project_dir(tmp_path_factory.mktemp("evidence"), DATA)


@pytest.fixture(scope="module")
def ox(project, tmp_path_factory):
    return build_into(OxigraphStore(tmp_path_factory.mktemp("evidence-ox") / "store"), project)


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def store(request, ox, project):
    return ox if request.param == "oxigraph" else build_into(MemoryStore(), project)


def gaps(doc) -> list[tuple[str, str]]:
    return [(i["subject"], i["reason"]) for i in doc.items]


STATED_GAPS = [
    (b(2), "no linked standard addresses this barrier"),
    (b(3), "no linked standard addresses this barrier "
           "(only withdrawn or superseded standards do: Standard three)"),
    (b(4), "no linked standard addresses this barrier"),
    (b(5), "no linked standard addresses this barrier"),
    (b(6), "no linked standard addresses this barrier"),
    (item(1), "no linked standard delivers or serves this roadmap item"),
    (item(3), "no linked standard delivers or serves this roadmap item"),
]
STATED_COVERAGE = [
    cov("addressesBarrier", 3, 7, "3 of 7 standards are linked to any barrier"),
    cov("delivers", 1, 7, "1 of 7 standards is delivered by any roadmap item"),
    cov("servedBy", 0, 7, "0 of 7 standards serve any roadmap item"),
    cov("status", 1, 7, "6 of 7 standards have no known status (counted as current)"),
]
READING_GAPS = [
    (b(3), "no linked standard addresses this barrier "
           "(only withdrawn or superseded standards do: Standard three)"),
    (b(4), "no linked standard addresses this barrier"),
    (b(5), "no linked standard addresses this barrier"),
    (b(7), "no linked standard addresses this barrier "
           "(only withdrawn or superseded standards do: Standard six)"),
    (item(3), "no linked standard delivers or serves this roadmap item"),
]
READING_COVERAGE = [
    cov("addressesBarrier", 4, 6, "4 of 6 standards are linked to any barrier"),
    cov("delivers", 1, 6, "1 of 6 standards is delivered by any roadmap item"),
    cov("servedBy", 1, 6, "1 of 6 standards serves any roadmap item"),
    cov("status", 1, 6, "5 of 6 standards have no known status (counted as current)"),
]


def test_stated_and_reading_give_different_gaps(store):
    stated = run("gaps", store, {**KINDS, "evidence": "stated"})
    assert gaps(stated) == STATED_GAPS
    assert stated.extra["coverage"] == STATED_COVERAGE
    assert stated.parameters["evidence"] == "stated"
    assert stated.parameters["min_score"] == 0.5
    reading = run("gaps", store, KINDS)  # the default level
    assert reading.parameters["evidence"] == "stated+reading"
    assert gaps(reading) == READING_GAPS
    assert reading.extra["coverage"] == READING_COVERAGE


def test_a_gap_item_carries_the_coverage_it_rests_on(store):
    doc = run("gaps", store, {**KINDS, "evidence": "stated"})
    assert doc.items[0]["coverage"] == STATED_COVERAGE[:1]
    assert doc.items[-1]["coverage"] == STATED_COVERAGE[1:3]


@pytest.mark.parametrize(("min_score", "barriers", "linked"), [
    ("0.5", [3, 5, 7], 5),  # s4's suggestion (0.8) counts, s5's (0.3) does not
    ("0.2", [3, 7], 6),
    ("0.9", [3, 4, 5, 7], 4),
])
def test_all_adds_suggestions_at_or_above_min_score(store, min_score, barriers, linked):
    doc = run("gaps", store, {"kinds": "barrier", "evidence": "all", "min_score": min_score})
    assert [i["subject"] for i in doc.items] == [b(k) for k in barriers]
    assert doc.extra["coverage"][0]["with_link"] == linked
    assert doc.extra["coverage"][0]["in_scope"] == 6


def test_bad_evidence_is_a_400_naming_it(store):
    for raw, bad in (({"evidence": "reading"}, "evidence"), ({"min_score": "1.5"}, "min_score")):
        with pytest.raises(ParameterError) as e:
            run("gaps", store, raw)
        assert e.value.param == bad


def test_overlaps_coverage_follows_the_level(store):
    # no standard of the fixture is classified: 0 of 8, at either level
    for level in ("stated", "stated+reading"):
        doc = run("overlaps", store, {"evidence": level, "dimensions": "all"})
        assert doc.items == []
        assert [(c["link"], c["with_link"], c["in_scope"]) for c in doc.extra["coverage"]] == [
            (SG + "classifiedIn", 0, 8),
            (SG + "addressesBarrier", 4 if level == "stated" else 6, 8),  # s3, s6 count here
            (SG + "supportsTheme", 0, 8), (SG + "concernsTechnology", 0, 8),
            # and no relation between standards
            (SG + "partOf", 0, 8), (SG + "supersedes", 0, 8), (SG + "relatedTo", 0, 8),
            (SG + "references", 0, 8)]


# -- the CLI, HTTP and the report page say the same ---------------------------------------------

def test_cli_table_csv_and_json(ox, run_cli):
    where = ["--store", str(ox.root), "--kinds", "barrier,roadmap-item"]
    res = run_cli("analyse", "gaps", *where, "--evidence", "stated")
    assert res.code == 0, res.err
    assert "(7 items)" in res.out
    assert res.out.endswith(
        "Coverage (evidence stated):\n"
        "  3 of 7 standards are linked to any barrier\n"
        "  1 of 7 standards is delivered by any roadmap item\n"
        "  0 of 7 standards serve any roadmap item\n"
        "  6 of 7 standards have no known status (counted as current)\n")
    res = run_cli("analyse", "gaps", *where)
    assert "(5 items)" in res.out and "Coverage (evidence stated+reading):\n" \
        "  4 of 6 standards are linked to any barrier\n" in res.out
    res = run_cli("analyse", "gaps", *where, "--evidence", "stated", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.out)))
    assert [(r["subject"], r["coverage"]) for r in rows] == [
        *((s, "sg:addressesBarrier 3/7") for s, _r in STATED_GAPS[:5]),
        (item(1), "sg:delivers 1/7; sg:servedBy 0/7"),
        (item(3), "sg:delivers 1/7; sg:servedBy 0/7")]
    res = run_cli("analyse", "gaps", *where, "--evidence", "stated", "--format", "json")
    assert res.out == to_json(run("gaps", ox, {**KINDS, "evidence": "stated"}))


@pytest.fixture(scope="module")
def client(ox, project):
    app = create_app(Settings(project=str(project), query_processes=False), store=ox)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_http(client):
    r = client.get("/analysis/gaps", params={**KINDS, "evidence": "stated"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["parameters"]["evidence"] == "stated"
    assert [(i["subject"], i["reason"]) for i in d["items"]] == STATED_GAPS
    assert d["coverage"] == STATED_COVERAGE
    d = client.get("/analysis/gaps", params=KINDS).json()
    assert [(i["subject"], i["reason"]) for i in d["items"]] == READING_GAPS
    assert d["coverage"] == READING_COVERAGE
    r = client.get("/analysis/gaps", params={**KINDS, "evidence": "stated", "format": "csv"})
    assert r.text.splitlines()[1].endswith(",sg:addressesBarrier 3/7")
    r = client.get("/analysis/gaps", params={"evidence": "nonsense"})
    assert r.status_code == 400 and "evidence" in r.json()["error"]


def _coverage_box(html: str) -> str:
    m = re.search(r'<div class="coverage"[^>]*>(.*?)</div>', html, re.S)
    assert m, html[:500]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(1))).strip()


def test_report_page(client):
    r = client.get("/reports/gaps", params={**KINDS, "evidence": "stated"})
    assert r.status_code == 200
    assert _coverage_box(r.text) == (
        "Counted with evidence Stated by a source : "
        "3 of 7 standards are linked to any barrier, so an empty row may be a missing link. "
        "1 of 7 standards is delivered by any roadmap item, so an empty row may be a missing "
        "link. 0 of 7 standards serve any roadmap item, so an empty row may be a missing link. "
        "6 of 7 standards have no known status (counted as current).")
    assert "7 items" in r.text
    r = client.get("/reports/gaps", params=KINDS)
    assert "4 of 6 standards are linked to any barrier, so an empty row may be a missing link." \
        in _coverage_box(r.text)
    assert "5 items" in r.text
    # the form offers the levels, by their labels
    assert '<option value="stated">Stated by a source</option>' in r.text


# -- relevance and the translator ------------------------------------------------------------

def test_relevance_counts_links_at_the_level(store):
    from stdgraph.analysis.evidence import Evidence
    from stdgraph.analysis.relevance import relevance

    profile = {"barrier": [b(2), b(6)]}
    # stated: s2's reading and s7's graph-default reading do not count
    doc = relevance(store, profile, evidence=Evidence("stated"))
    assert doc["parameters"] == {"evidence": "stated", "min_score": 0.5,
                                 "include_withdrawn": False}
    assert doc["items"] == []
    assert [c["text"] for c in doc["coverage"]] == [
        "3 of 7 standards are linked to any barrier",  # s1, s6, s8; s3 withdrawn
        "6 of 7 standards have no known status"]
    doc = relevance(store, profile)
    # one match each: by label, "Standard seven" before "Standard two"
    assert [i["iri"] for i in doc["items"]] == [f"{ID}standard/ev-s7", f"{ID}standard/ev-s2"]
    assert [c["text"] for c in doc["coverage"]] == [
        "4 of 6 standards are linked to any barrier",  # s1, s2, s7, s8; s3, s6 retired
        "5 of 6 standards have no known status"]
    doc = relevance(store, profile, include_withdrawn=True)
    assert doc["coverage"][0]["text"] == "6 of 8 standards are linked to any barrier"


def test_relevance_and_translate_pages_take_evidence(client):
    r = client.get("/relevance", params={"barrier": b(2), "evidence": "stated"})
    assert r.status_code == 200 and r.json()["items"] == []
    assert r.json()["coverage"][0]["with_link"] == 3
    r = client.get("/relevance", params={"barrier": b(2), "evidence": "stated"},
                   headers={"Accept": "text/html"})
    assert "3 of 7 standards are linked to any barrier, so an empty row may be a missing " \
        "link." in _coverage_box(r.text)
    assert client.get("/relevance", params={"barrier": b(2), "evidence": "x"}).status_code == 400
    assert client.get("/translate", params={"element": b(1), "min_score": "2"}).status_code \
        == 400
