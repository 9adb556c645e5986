"""The remote SPARQL store: spec parsing, credentials, GSP writes and atomic replace, the CLI on a
real ``oxigraph serve`` (started by tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from rdflib import Literal, Namespace

from stdgraph.errors import StoreError, UsageError
from stdgraph.store import RemoteStore, open_store
from stdgraph.store.remote import TMP_PREFIX, parse_spec

EX = Namespace("http://example.org/r#")
G1, G2 = "http://example.org/r/g1", "http://example.org/r/g2"


def test_defaults_per_server_type():
    ox = RemoteStore.from_spec("sparql+http://127.0.0.1:7878", environ={})
    assert (ox.query_url, ox.update_url, ox.store_url) == (
        "http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store")
    fu = RemoteStore.from_spec("sparql+https://h:3030?server=fuseki", environ={})
    assert (fu.query_url, fu.update_url, fu.store_url) == (
        "https://h:3030/ds/query", "https://h:3030/ds/update", "https://h:3030/ds/data")
    fu2 = RemoteStore.from_spec("sparql+http://h:3030/standards?server=fuseki", environ={})
    assert fu2.query_url == "http://h:3030/standards/query"
    gdb = RemoteStore.from_spec("sparql+http://h:7200/repositories/std?server=graphdb",
                                environ={})
    assert (gdb.query_url, gdb.update_url, gdb.store_url) == (
        "http://h:7200/repositories/std", "http://h:7200/repositories/std/statements",
        "http://h:7200/repositories/std/rdf-graphs/service")
    vt = RemoteStore.from_spec("sparql+http://h:8890?server=virtuoso", environ={})
    assert (vt.query_url, vt.store_url, vt.server.graph_param) == (
        "http://h:8890/sparql", "http://h:8890/sparql-graph-crud-auth", "graph-uri")
    custom = parse_spec("sparql+http://h:1/x?query=/sparql&update=/sparql&store=/gsp")
    assert (custom["base"], custom["query_path"], custom["store_path"]) == (
        "http://h:1/x", "/sparql", "/gsp")


def test_bad_specs_are_usage_errors():
    with pytest.raises(UsageError, match="unknown server type"):
        RemoteStore.from_spec("sparql+http://h:1?server=neptune9", environ={})
    with pytest.raises(UsageError, match="unknown parameter"):
        parse_spec("sparql+http://h:1?qeury=/q")


def test_credentials_come_from_the_environment():
    token = RemoteStore.from_spec("sparql+http://h:1", environ={"STDGRAPH_REMOTE_TOKEN": "t0k"})
    assert token._client.headers["Authorization"] == "Bearer t0k"
    basic = RemoteStore.from_spec("sparql+http://h:1", environ={
        "STDGRAPH_REMOTE_USER": "u", "STDGRAPH_REMOTE_PASSWORD": "p"})
    assert isinstance(basic._client.auth, httpx.BasicAuth)
    digest = RemoteStore.from_spec("sparql+http://h:1?server=virtuoso", environ={
        "STDGRAPH_REMOTE_USER": "dba", "STDGRAPH_REMOTE_PASSWORD": "dba"})
    assert isinstance(digest._client.auth, httpx.DigestAuth)


def test_unreachable_server_is_a_store_error():
    st = RemoteStore.from_spec("sparql+http://127.0.0.1:9", environ={})
    with pytest.raises(StoreError, match="cannot be reached"):
        st.graph_names()


def test_replace_graph_uses_gsp_and_leaves_other_graphs(remote_store):
    remote_store.replace_all({G1: [(EX.a, EX.p, EX.b)], G2: [(EX.c, EX.p, EX.d)]})
    remote_store.replace_graph(G1, [(EX.x, EX.p, Literal("x", lang="de"))])
    assert set(remote_store.triples(G1)) == {(EX.x, EX.p, Literal("x", lang="de"))}
    assert set(remote_store.triples(G2)) == {(EX.c, EX.p, EX.d)}
    remote_store.replace_graph(G1, [])
    assert remote_store.graph_names() == [G2]
    assert list(remote_store.triples("http://example.org/r/none")) == []


def test_replace_all_failure_leaves_old_content_and_no_temporary_graphs(remote_store):
    remote_store.replace_all({G1: [(EX.a, EX.p, EX.b)]})

    def exploding():
        yield (EX.z, EX.p, EX.z)
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError):
        remote_store.replace_all({G2: [(EX.c, EX.p, EX.d)], G1: exploding()})
    assert remote_store.graph_names() == [G1]
    assert set(remote_store.triples(G1)) == {(EX.a, EX.p, EX.b)}
    every = remote_store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert not [r for r in every.rows if str(r[0]).startswith(TMP_PREFIX)]


def test_transaction_commits_the_difference_as_one_update(remote_store):
    import pyoxigraph as ox

    remote_store.replace_all({G1: [(EX.a, EX.p, EX.b), (EX.b, EX.p, EX.c)]})
    txn = remote_store.begin()
    g = ox.NamedNode(G1)
    txn.db.remove(ox.Quad(ox.NamedNode(EX.b), ox.NamedNode(EX.p), ox.NamedNode(EX.c), g))
    txn.db.add(ox.Quad(ox.NamedNode(EX.n), ox.NamedNode(EX.p), ox.Literal("new"), g))
    txn.commit()
    assert set(remote_store.triples(G1)) == {(EX.a, EX.p, EX.b), (EX.n, EX.p, Literal("new"))}
    txn = remote_store.begin()
    txn.db.clear()
    txn.rollback()
    assert remote_store.count(G1) == 2


def test_read_only_refuses_writes(oxigraph_server):
    st = open_store("sparql+" + oxigraph_server, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        st.update("DROP ALL")


def test_cli_build_query_and_export_on_the_server(remote_store, oxigraph_server, mini, run_cli):
    spec = "sparql+" + oxigraph_server
    res = run_cli("build", "--store", spec, "--project", str(mini))
    assert res.code == 0, res.err
    assert "built" in res.out
    res = run_cli("query", "--store", spec, "--format", "json",
                  "SELECT ?i WHERE { ?s <http://example.org/mini#identifier> ?i } ORDER BY ?i")
    assert res.code == 0, res.err
    assert [b["i"]["value"] for b in json.loads(res.out)["results"]["bindings"]] == [
        "A", "B", "C", "D", "E"]
    res = run_cli("stats", "--store", spec)
    assert res.code == 0 and "total" in res.out, res.err
    res = run_cli("export", "--store", spec, "--format", "nquads", "--asserted-only")
    assert res.code == 0 and "/graph/inferred> .\n" not in res.out, res.err
    res = run_cli("analyse", "overlaps", "--store", spec, "--format", "json")
    assert res.code == 0 and json.loads(res.out)["analysis"] == "overlaps", res.err


def test_cli_import_list_remove_on_the_server(remote_store, oxigraph_server, run_cli):
    spec = "sparql+" + oxigraph_server
    sto = Path(__file__).parent / "fixtures" / "sto" / "mini-sto.ttl"
    res = run_cli("import", "sto", str(sto), "--store", spec)
    assert res.code == 0 and res.out.startswith("created "), res.err
    res = run_cli("import", "sto", str(sto), "--store", spec, "--format", "json")
    assert res.code == 0 and json.loads(res.out)["status"] == "unchanged", res.err
    res = run_cli("import", "list", "--store", spec)
    assert res.code == 0 and res.out.startswith("mini-sto\t"), res.err
    res = run_cli("import", "remove", "mini-sto", "--store", spec)
    assert res.code == 0 and "removed" in res.out, res.err
    assert remote_store.graph_names() == []


def test_api_reads_and_writes_through_the_server(remote_store, mini):
    from fastapi.testclient import TestClient

    from stdgraph.api import create_app
    from stdgraph.pipeline import build
    from stdgraph.project import Project
    from stdgraph.settings import Settings

    build(Project.locate(mini), remote_store)
    data = "https://w3id.org/stdgraph/graph/data/standards"
    token = "remote-test-token-0123456789"
    settings = Settings(project=str(mini), query_processes=False, update_token=token)
    with TestClient(create_app(settings, store=remote_store),
                    raise_server_exceptions=False) as client:
        r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200 and r.json()["boolean"] is True
        r = client.get("/store", params={"graph": data}, headers={"Accept": "application/n-triples"})
        assert r.status_code == 200 and len(r.text.splitlines()) == 14
        update = ("PREFIX ex: <http://example.org/mini#> INSERT DATA { GRAPH <" + data + "> { "
                  "ex:a <http://www.w3.org/2000/01/rdf-schema#label> 'Alpha' } }")
        r = client.post("/sparql", data={"update": update},
                        headers={"Authorization": f"Bearer {token}"})
        assert r.status_code < 300, r.text
    assert remote_store.count(data) == 15


def test_answer_time_limit_is_a_query_timeout(remote_store):
    from stdgraph.store.base import QueryTimeout

    remote_store.replace_all({G1: [(EX[f"s{i}"], EX.p, Literal(i)) for i in range(300)]})
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z . "
            "FILTER(STR(?x) != STR(?z)) }")
    with pytest.raises(QueryTimeout):
        remote_store.answer(slow, timeout=0.05)
    assert remote_store.answer("ASK { ?s ?p ?o }").body


def test_missing_server_binary_fails_the_fixture_not_skips(monkeypatch, tmp_path):
    import shutil
    import sys

    from conftest import start_oxigraph_server

    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    with pytest.raises(pytest.fail.Exception, match="`oxigraph` is missing"):
        start_oxigraph_server(tmp_path / "data")
