"""api/openapi.json is generated from the app (python -m stdgraph.api.openapi) and cannot
drift; the SPARQL router can be mounted in another app; the ASGI entry module builds the app."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from stdgraph.api.context import ApiContext
from stdgraph.api.errors import install_error_handlers
from stdgraph.api.openapi import render
from stdgraph.api.routes import ROUTERS, sparql_router
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore

from .conftest import MINI

OPENAPI = Path(__file__).resolve().parents[2] / "api" / "openapi.json"


def test_openapi_json_matches_the_app():
    assert OPENAPI.read_text(encoding="utf-8") == render(), (
        "api/openapi.json is stale: run `python -m stdgraph.api.openapi > api/openapi.json`")


def test_openapi_documents_the_protocol_routes():
    import json

    doc = json.loads(render())
    assert {"get", "post"} <= set(doc["paths"]["/sparql"])
    assert {"get", "put", "post", "delete"} <= set(doc["paths"]["/store"])
    assert "/.well-known/void" in doc["paths"] and "/dump" in doc["paths"]
    params = {p["name"] for p in doc["paths"]["/sparql"]["post"]["parameters"]}
    assert {"using-graph-uri", "using-named-graph-uri", "default-graph-uri"} <= params


def test_sparql_router_mounts_in_another_app(store_dir):
    settings = Settings(project=str(MINI), query_processes=False)
    ctx = ApiContext.build(settings, OxigraphStore(store_dir))
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(sparql_router(ctx, path="/kg/query"), prefix="/v1")
    with TestClient(app) as c:
        r = c.get("/v1/kg/query", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 200 and r.json()["boolean"] is True
        r = c.get("/v1/kg/query", headers={"Accept": "text/turtle"})
        assert "http://testserver/v1/kg/query" in r.text
    ctx.close()


def test_router_registry_is_a_list_of_factories():
    assert sparql_router in ROUTERS and all(callable(f) for f in ROUTERS)


def test_asgi_entry_module_builds_the_app(store_dir, monkeypatch):
    monkeypatch.setenv("STDGRAPH_STORE", str(store_dir))
    monkeypatch.setenv("STDGRAPH_PROJECT", str(MINI))
    monkeypatch.setenv("STDGRAPH_QUERY_PROCESSES", "false")
    # loaded by path: this test package is itself importable as ``api``
    spec = importlib.util.spec_from_file_location("stdgraph_asgi_entry",
                                                  OPENAPI.parent / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with TestClient(module.app) as c:
        assert c.get("/health").json()["ok"] is True


def test_an_empty_import_option_is_documented_as_not_given():
    """``?case_fix=`` (what an HTML form sends for an untouched field) means the option's
    default, so the schema must allow the empty value (the API fuzzer sends it and expects a
    400 otherwise), as for the analyses' parameters."""
    doc = json.loads(OPENAPI.read_text())
    params = [p for path, ops in doc["paths"].items() if path.startswith("/import/")
              for op in ops.values() for p in op.get("parameters", [])
              if p["in"] == "query" and p["schema"].get("type") == "boolean"]
    assert {p["name"] for p in params} >= {"case_fix", "replace"}
    assert all(p.get("allowEmptyValue") is True for p in params)
