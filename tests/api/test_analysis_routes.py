"""``/queries`` and ``/analysis``: the HTTP answers are the CLI's answers, parameters are 400s
naming the parameter, results are negotiated."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from fastapi.testclient import TestClient

from stdgraph.analysis import run
from stdgraph.analysis.common import to_json
from stdgraph.api.app import create_app
from stdgraph.settings import Settings
from stdgraph.store import MemoryStore, OxigraphStore
from support.analysis_graph import REPO, build_into, fa, fb, project_dir, std

AXES = {"rows": fa("axis"), "columns": fb("axis")}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = project_dir(tmp_path_factory.mktemp("api-analysis"))
    shutil.copytree(REPO / "queries", root / "queries")
    return root


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def served(request, project, tmp_path_factory):
    if request.param == "oxigraph":
        where = tmp_path_factory.mktemp("api-analysis-ox") / "store"
        store = build_into(OxigraphStore(where), project)
        settings = Settings(project=str(project), store=str(where), query_processes=False)
    else:
        store = build_into(MemoryStore(), project)
        settings = Settings(project=str(project), store="memory:", query_processes=False)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as client:
        yield client, store


@pytest.mark.parametrize("path,name,params", [
    ("/analysis/overlaps", "overlaps", {}),
    ("/analysis/overlaps", "overlaps", {"min_shared": "1", "expand": "true", "limit": "5"}),
    ("/analysis/overlaps/clusters", "clusters", {"threshold": "0.6"}),
    ("/analysis/gaps", "gaps", AXES),
    ("/analysis/conflicts", "conflicts", {"kinds": "declared,supersession-cycle"}),
    ("/analysis/conflicts", "conflicts", {}),
])
def test_endpoint_answers_the_cli_document(served, run_cli, path, name, params):
    client, store = served
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.text == to_json(run(name, store, params))
    if isinstance(store, OxigraphStore):
        args = [a for k, v in params.items() for a in (
            ["--" + k.replace("_", "-")] if v == "true" else ["--" + k.replace("_", "-"), v])]
        res = run_cli("analyse", name, "--store", str(store.root), "--format", "json", *args)
        assert res.code == 0, res.err
        assert res.out == r.text


def test_csv_by_accept_and_by_format(served):
    client, _store = served
    by_accept = client.get("/analysis/overlaps", headers={"Accept": "text/csv"})
    by_param = client.get("/analysis/overlaps", params={"format": "csv"})
    assert by_accept.status_code == by_param.status_code == 200
    assert by_accept.headers["content-type"].startswith("text/csv")
    assert by_accept.text == by_param.text
    rows = list(csv.DictReader(io.StringIO(by_accept.text)))
    assert [(r["a"], r["b"], r["score"]) for r in rows][:2] == [
        (std("series"), std("series-part1"), "1.0"), (std("alpha"), std("beta"), "0.666667")]
    assert client.get("/analysis/overlaps", headers={"Accept": "*/*"}).headers[
        "content-type"] == "application/json"


def test_analysis_errors(served):
    client, _store = served
    r = client.get("/analysis/overlaps", params={"min_shared": "0"})
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False and body["status"] == 400
    assert "'min_shared'" in body["error"]
    r = client.get("/analysis/gaps", params={"colour": "red"})
    assert r.status_code == 400 and "'colour'" in r.json()["error"]
    r = client.get("/analysis/overlaps", params={"format": "xml"})
    assert r.status_code == 400 and "'format'" in r.json()["error"]
    r = client.get("/analysis/overlaps", params=[("limit", "1"), ("limit", "2")])
    assert r.status_code == 400 and "'limit'" in r.json()["error"]
    r = client.get("/analysis/overlaps", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/json" in r.json()["error"]


def test_list_named_queries(served):
    client, _store = served
    r = client.get("/queries")
    assert r.status_code == 200
    queries = {q["name"]: q for q in r.json()["queries"]}
    assert {"standards-by-status", "supersedes", "roadmap-by-timeframe"} <= set(queries)
    status = queries["standards-by-status"]
    assert status["title"] == "Standards by status"
    assert status["parameters"][0]["name"] == "status"
    assert status["parameters"][0]["default"] == "sg:Published"


def test_run_named_query_negotiated(served):
    client, _store = served
    r = client.get("/queries/standards-by-status", params={"status": "sg:Withdrawn"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    rows = r.json()["results"]["bindings"]
    assert [b["standard"]["value"] for b in rows] == [std("withdrawn")]
    r = client.get("/queries/standards-by-status", params={"status": "sg:Withdrawn"},
                   headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0] == "status,standard,identifier,label,publisher"
    r2 = client.get("/queries/standards-by-status",
                    params={"status": "sg:Withdrawn", "format": "csv"})
    assert r2.text == r.text
    r = client.get("/queries/supersedes", params={"standard": std("new")},
                   headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and "<sparql" in r.text and std("old") in r.text


@pytest.mark.parametrize("params,bad", [
    ({}, "standard"),
    ({"standard": "http://a> } UNION { ?s ?p ?o"}, "standard"),
    ({"standard": "not an iri"}, "standard"),
    ({"standard": std("new"), "colour": "red"}, "colour"),
    ({"standard": std("new"), "format": "png"}, "format"),
])
def test_named_query_bad_parameters(served, params, bad):
    client, _store = served
    r = client.get("/queries/supersedes", params=params)
    assert r.status_code == 400, r.text
    assert f"'{bad}'" in r.json()["error"]


def test_unknown_named_query_is_404(served):
    client, _store = served
    r = client.get("/queries/nope")
    assert r.status_code == 404
    assert "no named query 'nope'" in r.json()["error"]


def test_openapi_lists_analysis_parameters(served):
    client, _store = served
    doc = client.get("/openapi.json").json()
    params = {p["name"] for p in doc["paths"]["/analysis/overlaps"]["get"]["parameters"]}
    assert params == {"min_shared", "expand", "dimensions", "evidence", "min_score", "body",
                      "status", "element", "barrier",
                      "limit", "format"}
    assert "/queries/{name}" in doc["paths"]
    json.dumps(doc)
