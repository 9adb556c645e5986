"""The remote SPARQL store: spec parsing, credentials, GSP writes and atomic replace, the CLI on a
real ``oxigraph serve`` and, when ``STDGRAPH_TEST_SERVERS`` names them, on Apache Jena Fuseki and
OpenLink Virtuoso (started by tests/conftest.py, tests/sparql_servers.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Literal, Namespace

from stdgraph.errors import StdgraphError, StoreError, UsageError
from stdgraph.sparql.scan import query_form
from stdgraph.store import RemoteStore, open_store
from stdgraph.store.base import AnswerRequest
from stdgraph.store.remote import TMP_PREFIX, parse_spec
from support.sparql_servers import REMOTE_BACKENDS, SERVER_OF, TEST_SERVERS, remote_backend_store

EX = Namespace("http://example.org/r#")
G1, G2 = "http://example.org/r/g1", "http://example.org/r/g2"


@dataclass
class Served:
    store: RemoteStore  # emptied before the test
    server: object  # tests/sparql_servers.Server: spec, env, system_graphs
    backend: str


@pytest.fixture(params=REMOTE_BACKENDS)
def served(request, sparql_server):
    """Each real server under test (``oxigraph serve`` always; Fuseki, Virtuoso when asked)."""
    store = remote_backend_store(request, request.param)
    return Served(store, sparql_server(SERVER_OF[request.param]), request.param)


def server_graphs(served) -> set[str]:
    """Every graph on the server, asked directly (not through stdgraph's filtering)."""
    resp = httpx.post(served.store.query_url,
                      data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                      headers={"Accept": "application/sparql-results+json"})
    return {b["g"]["value"] for b in resp.json()["results"]["bindings"]}


def test_query_form_picks_the_accepted_format():
    assert query_form("PREFIX a: <x:> # SELECT\n ASK { ?s ?p ?o }") == "ASK"
    assert query_form("BASE <x:> construct WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert query_form("INSERT DATA { }") is None


def test_virtuoso_blank_node_labels_become_valid_labels():
    import pyoxigraph as ox

    from stdgraph.store.remote import _VIRTUOSO_BNODE

    body = (b'{"head":{"vars":["s","o"]},"results":{"bindings":[{"s":{"type":"bnode",'
            b'"value":"nodeID://b10000"},"o":{"type":"literal","value":"\\"nodeID://b1\\""}}]}}')
    fixed = _VIRTUOSO_BNODE.sub(rb'"nodeID_\1"', body)
    [row] = ox.parse_query_results(fixed, format=ox.QueryResultsFormat.JSON)
    assert (row["s"], row["o"]) == (ox.BlankNode("nodeID_b10000"), ox.Literal('"nodeID://b1"'))


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


def test_boolean_answer_to_a_select_is_a_store_error():
    """A server answering the store's own SELECT (here: the dump's) with a boolean gets a
    StoreError, not a TypeError from iterating the boolean."""
    st = RemoteStore.from_spec("sparql+http://h:1", environ={})

    def boolean(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"head": {}, "boolean": True},
                              headers={"Content-Type": "application/sparql-results+json"})

    st._client = httpx.Client(transport=httpx.MockTransport(boolean))
    with pytest.raises(StoreError, match="answered a SELECT query with a boolean"):
        list(st.ox_quads())


def test_replace_graph_uses_gsp_and_leaves_other_graphs(served):
    remote_store = served.store
    remote_store.replace_all({G1: [(EX.a, EX.p, EX.b)], G2: [(EX.c, EX.p, EX.d)]})
    remote_store.replace_graph(G1, [(EX.x, EX.p, Literal("x", lang="de"))])
    assert set(remote_store.triples(G1)) == {(EX.x, EX.p, Literal("x", lang="de"))}
    assert set(remote_store.triples(G2)) == {(EX.c, EX.p, EX.d)}
    remote_store.replace_graph(G1, [])
    assert remote_store.graph_names() == [G2]
    assert list(remote_store.triples("http://example.org/r/none")) == []
    # the server's own graphs (Virtuoso's) are neither listed nor dropped
    assert server_graphs(served) == {G2} | served.server.system_graphs


def test_blank_nodes_and_literals_come_back_as_sent(served):
    b = BNode()
    sent = {(EX.a, EX.p, b), (b, EX.p, Literal("x", lang="de")), (b, EX.p, Literal(7)),
            (b, EX.p, Literal("plain"))}
    served.store.replace_all({G1: sent})
    for got in (set(served.store.triples(G1)), set(served.store.triples())):
        bnodes = {t[2] for t in got if t[1] == EX.p and t[0] == EX.a}
        assert len(bnodes) == 1 and isinstance(next(iter(bnodes)), BNode)
        back = next(iter(bnodes))
        assert got == {(s if s != b else back, p, o if o != b else back) for s, p, o in sent}
    assert served.store.count() == 4
    assert served.store.dump("nquads").count(b"\n") == 4


def test_one_update_request_is_all_or_nothing(served):
    insert = f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX.a}> <{EX.p}> <{EX.b}> }} }}"
    with pytest.raises(StdgraphError):  # a 400 (syntax) or another refusal
        served.store.update(insert + " ;\nDROP GRAPH <http://example.org/r/never-created>")
    assert served.store.graph_names() == []

def test_replace_all_failure_leaves_old_content_and_no_temporary_graphs(served):
    remote_store = served.store
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


def test_transaction_commits_the_difference_as_one_update(served):
    remote_store = served.store
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


def test_read_only_refuses_writes(served):
    st = open_store(served.server.spec, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        st.update("DROP ALL")


def test_cli_build_query_and_export_on_the_server(served, mini, run_cli):
    spec = served.server.spec
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


def test_cli_import_list_remove_on_the_server(served, run_cli):
    spec, remote_store = served.server.spec, served.store
    sto = Path(__file__).parents[1] / "fixtures" / "sto" / "mini-sto.ttl"
    res = run_cli("import", "sto", str(sto), "--store", spec)
    assert res.code == 0 and res.out.startswith("created "), res.err
    res = run_cli("import", "sto", str(sto), "--store", spec, "--format", "json")
    assert res.code == 0 and json.loads(res.out)["status"] == "unchanged", res.err
    res = run_cli("import", "list", "--store", spec)
    assert res.code == 0 and res.out.startswith("mini-sto\t"), res.err
    res = run_cli("import", "remove", "mini-sto", "--store", spec)
    assert res.code == 0 and "removed" in res.out, res.err
    assert remote_store.graph_names() == []


def test_api_reads_and_writes_through_the_server(served, mini):
    from fastapi.testclient import TestClient

    from stdgraph.api.app import create_app
    from stdgraph.change.build import build
    from stdgraph.project import Project
    from stdgraph.settings import Settings

    remote_store = served.store
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


def test_answer_time_limit_is_a_query_timeout(served):
    from stdgraph.errors import QueryTimeout

    remote_store = served.store
    remote_store.replace_all({G1: [(EX[f"s{i}"], EX.p, Literal(i)) for i in range(300)]})
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z . "
            "FILTER(STR(?x) != STR(?z)) }")
    with pytest.raises(QueryTimeout):
        remote_store.answer(AnswerRequest(slow, timeout=0.05))
    assert remote_store.answer(AnswerRequest("ASK { ?s ?p ?o }")).body


def test_missing_server_binary_fails_the_fixture_not_skips(monkeypatch, tmp_path):
    import shutil
    import sys

    from support import sparql_servers

    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    with pytest.raises(pytest.fail.Exception, match="`oxigraph` is missing"):
        sparql_servers.start_oxigraph(tmp_path / "data")
    with pytest.raises(pytest.fail.Exception, match="no `virtuoso-t` on PATH"):
        sparql_servers.start_virtuoso(tmp_path / "v")
    monkeypatch.setenv("STDGRAPH_TEST_SERVERS_DIR", str(tmp_path / "none"))
    with pytest.raises(pytest.fail.Exception, match="install-test-servers fuseki"):
        sparql_servers.start_fuseki(tmp_path / "f")


def test_unknown_test_server_names_are_refused():
    from support import sparql_servers

    assert sparql_servers.requested_servers({"STDGRAPH_TEST_SERVERS": " virtuoso,fuseki "}) == [
        "fuseki", "virtuoso"]
    assert sparql_servers.requested_servers({}) == []
    with pytest.raises(pytest.UsageError, match="graphdb"):
        sparql_servers.requested_servers({"STDGRAPH_TEST_SERVERS": "graphdb"})


if "virtuoso" in TEST_SERVERS:
    def test_virtuoso_refusals_name_the_credentials(sparql_server, monkeypatch):
        server = sparql_server("virtuoso")
        for name in server.env:
            monkeypatch.delenv(name, raising=False)
        anonymous = open_store(server.spec)  # /sparql-auth asks for Digest: 401
        with pytest.raises(StoreError, match="refused an update .*STDGRAPH_REMOTE_USER"):
            anonymous.update("DROP SILENT GRAPH <http://example.org/r/none>")
        on_sparql = open_store(server.spec + "&update=/sparql")  # 500 SR186 SECURITY
        with pytest.raises(StoreError, match="refused an update .*STDGRAPH_REMOTE_USER"):
            on_sparql.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX.a}> <{EX.p}> 1 }} }}")

    def test_virtuoso_cut_answer_is_refused_not_shortened(start_server):
        server = start_server("virtuoso", max_rows=100)  # Debian's virtuoso.ini says 10000
        st = RemoteStore.from_spec(server.spec, environ=server.env)
        st.replace_graph(G1, [(EX[f"s{i}"], EX.p, Literal(i)) for i in range(101)])
        assert st.count(G1) == 101
        with pytest.raises(StoreError, match="cut an answer at 100 rows"):
            st.dump("nquads")
