"""The build pipeline: a valid project builds, a violation or a syntax error changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, Namespace

from stdgraph.change.build import build
from stdgraph.errors import RDFSyntaxError, ValidationFailed
from stdgraph.project import Project
from stdgraph.rdf.namespaces import GRAPH_BASE, INFERRED_GRAPH, META_GRAPH
from stdgraph.store import MemoryStore, OxigraphStore
from support.sparql_servers import REMOTE_BACKENDS, remote_backend_store

EX = Namespace("http://example.org/mini#")
DATA_GRAPH = GRAPH_BASE + "data/standards"
ONTO_GRAPH = GRAPH_BASE + "ontology/mini"


def snapshot(store_dir: Path) -> tuple[str, list[str], bytes]:
    """What a reader of the store sees: the current-generation pointer, the generation folders
    and the full N-Quads dump. (RocksDB rewrites its own log files on every open, so the raw
    files are not compared.)"""
    pointer = (store_dir / "CURRENT").read_text()
    generations = sorted(p.name for p in store_dir.glob("gen-*"))
    with OxigraphStore(store_dir, read_only=True) as st:
        dump = st.dump("nquads")
    return pointer, generations, dump


def make_store(backend, tmp_path, request):
    if backend in REMOTE_BACKENDS:  # a real server, emptied first (tests/conftest.py)
        return remote_backend_store(request, backend)
    return OxigraphStore(tmp_path / "store") if backend == "oxigraph" else MemoryStore()


@pytest.mark.parametrize("backend", ["oxigraph", "memory", *REMOTE_BACKENDS])
def test_valid_project_builds_into_named_graphs(mini, tmp_path, backend, request):
    store = make_store(backend, tmp_path, request)
    result = build(Project.locate(mini), store)
    assert result.report.conforms and result.report.results == []
    assert store.graph_names() == sorted([DATA_GRAPH, INFERRED_GRAPH, META_GRAPH, ONTO_GRAPH])
    assert store.count(DATA_GRAPH) == 14  # 5 types + 5 identifiers + 4 links, by hand
    assert set(store.triples(INFERRED_GRAPH)) == {
        (EX.b, EX.supersededBy, EX.a), (EX.c, EX.conflictsWith, EX.b), (EX.c, EX.partOf, EX.e)}
    # the default graph is the union: an asserted and an inferred triple are both visible
    res = store.query(
        "PREFIX ex: <http://example.org/mini#> SELECT ?x WHERE { ?x ex:partOf ex:e } ORDER BY ?x")
    assert [r[0] for r in res.rows] == [EX.c, EX.d]


def test_graphs_can_be_addressed_one_by_one(mini, tmp_path):
    store = OxigraphStore(tmp_path / "store")
    build(Project.locate(mini), store)
    q = "PREFIX ex: <http://example.org/mini#> SELECT ?x WHERE { ?x ex:partOf ex:e }"
    asserted = store.query(q, default_graphs=[DATA_GRAPH])
    assert [r[0] for r in asserted.rows] == [EX.d]
    inferred = store.query(q, default_graphs=[INFERRED_GRAPH])
    assert [r[0] for r in inferred.rows] == [EX.c]


def test_violation_fails_the_build_and_leaves_the_store_unchanged(mini, tmp_path):
    store_dir = tmp_path / "store"
    store = OxigraphStore(store_dir)
    build(Project.locate(mini), store)
    store.close()
    before = snapshot(store_dir)

    data = mini / "data" / "standards.ttl"
    data.write_text(data.read_text().replace('ex:identifier "E" ', ""))
    store = OxigraphStore(store_dir)
    with pytest.raises(ValidationFailed) as err:
        build(Project.locate(mini), store)
    store.close()
    violations = err.value.report.violations
    assert [(v.focus, v.path) for v in violations] == [("<http://example.org/mini#e>",
                                                        "<http://example.org/mini#identifier>")]
    assert violations[0].sources == ("data/standards.ttl",)
    assert snapshot(store_dir) == before


def test_warnings_do_not_fail_the_build(mini, tmp_path):
    data = mini / "data" / "standards.ttl"
    data.write_text(data.read_text() + "ex:b ex:conflictsWith ex:d .\n")
    result = build(Project.locate(mini), MemoryStore())
    assert result.report.conforms
    assert [(w.severity, w.focus) for w in result.report.warnings] == [
        ("Warning", "<http://example.org/mini#b>")]


def test_syntax_error_names_file_line_and_column(mini, tmp_path):
    store = MemoryStore()
    (mini / "data" / "broken.ttl").write_text(
        "@prefix ex: <http://example.org/mini#> .\n\nex:z ex:identifier \"unterminated .\n")
    with pytest.raises(RDFSyntaxError) as err:
        build(Project.locate(mini), store)
    pos = err.value.position
    assert (pos.path, pos.line, pos.column) == ("data/broken.ttl", 3, 20)
    assert store.is_empty()


def test_rebuild_replaces_content(mini, tmp_path):
    store_dir = tmp_path / "store"
    build(Project.locate(mini), OxigraphStore(store_dir))
    data = mini / "data" / "standards.ttl"
    data.write_text(data.read_text().replace('"E"', '"E2"'))
    store = OxigraphStore(store_dir)
    build(Project.locate(mini), store)
    ids = {str(r[0]) for r in store.query(
        "SELECT ?i WHERE { ?s <http://example.org/mini#identifier> ?i }").rows}
    assert ids == {"A", "B", "C", "D", "E2"}
    assert Literal("E") not in {r[0] for r in store.query(
        "SELECT ?i WHERE { ?s <http://example.org/mini#identifier> ?i }").rows}
    # one current generation plus the previous one kept
    assert len(list(store_dir.glob("gen-*"))) == 2


@pytest.mark.parametrize("backend", ["oxigraph", "memory", *REMOTE_BACKENDS])
def test_rebuild_keeps_imported_graphs(mini, tmp_path, backend, request):
    store = make_store(backend, tmp_path, request)
    imported = GRAPH_BASE + "import/sto/test"
    store.replace_all({imported: [(EX.x, EX.identifier, Literal("X"))],
                       GRAPH_BASE + "data/old": [(EX.y, EX.identifier, Literal("Y"))]})
    build(Project.locate(mini), store)
    assert imported in store.graph_names()
    assert GRAPH_BASE + "data/old" not in store.graph_names()
    assert set(store.triples(imported)) == {(EX.x, EX.identifier, Literal("X"))}
