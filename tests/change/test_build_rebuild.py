"""A rebuild keeps the graphs the build does not own: ``stdgraph load`` graphs (closed and
validated with the project's data, their meta records carried over), ``stdgraph import`` graphs
(kept as they are) and any other graph; it drops the project's own graphs of removed files.

Expected entailments come from owlrl (a second engine) over the asserted triples as rdflib
parses them from the files."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV

from stdgraph.change.build import build
from stdgraph.change.load import LOAD_GRAPH_BASE
from stdgraph.change.load import load as bulk_load
from stdgraph.errors import StoreError, ValidationFailed
from stdgraph.project import Project
from stdgraph.rdf.namespaces import GRAPH_BASE, INFERRED_GRAPH, META_GRAPH
from stdgraph.reasoning.infer import infer
from stdgraph.store import MemoryStore, OxigraphStore
from support.sparql_servers import REMOTE_BACKENDS, remote_backend_store

EX = Namespace("http://example.org/mini#")
PREFIX = f"@prefix ex: <{EX}> .\n"
DATA_GRAPH = GRAPH_BASE + "data/standards"
ONTO_GRAPH = GRAPH_BASE + "ontology/mini"
IMPORTED = GRAPH_BASE + "import/sto/test"
EXTRA = GRAPH_BASE + "data/extra"  # under the project's folder, but a load's target

GOOD = PREFIX + """
ex:x a ex:Standard ; ex:identifier "X" ; ex:supersedes ex:a .
ex:y a ex:Standard ; ex:identifier "Y" ; ex:partOf ex:x ; ex:conflictsWith ex:e .
"""  # 7 triples
MORE = PREFIX + """
ex:z a ex:Standard ; ex:identifier "Z" ; ex:partOf ex:y .
ex:x ex:note [ ex:text "a blank node" ] .
"""  # 5 triples, one blank node
INVALID = PREFIX + "ex:v a ex:Standard ; ex:supersedes ex:b .\n"  # no identifier


def make_store(backend: str, tmp_path: Path, request):
    if backend in REMOTE_BACKENDS:  # a real server, emptied first (tests/conftest.py)
        return remote_backend_store(request, backend)
    return OxigraphStore(tmp_path / "store") if backend == "oxigraph" else MemoryStore()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def parsed(*paths: Path) -> Graph:
    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


def records(store, graphs: set[str]) -> set:
    """The meta graph's triples about ``graphs``."""
    return {t for t in store.triples(META_GRAPH) if str(t[0]) in graphs}


@pytest.mark.parametrize("backend", ["oxigraph", "memory", *REMOTE_BACKENDS])
def test_rebuild_keeps_loaded_graphs_their_inferences_and_records(mini, tmp_path, backend,
                                                                  request):
    store = make_store(backend, tmp_path, request)
    project = Project.locate(mini)
    build(project, store)
    good = write(tmp_path, "good.ttl", GOOD)
    more = write(tmp_path, "more.ttl", MORE)
    loaded = LOAD_GRAPH_BASE + "good"
    bulk_load(store, [good], project=project)
    bulk_load(store, [more], graph=EXTRA, project=project)
    store.replace_graph(IMPORTED, [(EX.w, EX.supersedes, EX.c)])

    before_loaded = set(store.triples(loaded))
    before_extra = set(store.triples(EXTRA))
    before_inferred = set(store.triples(INFERRED_GRAPH))
    before_records = records(store, {loaded, EXTRA})
    assert len(before_loaded) == 7 and len(before_extra) == 5
    assert len(before_records) == 4  # generatedAtTime + wasDerivedFrom, per loaded graph

    result = build(project, store)

    names = sorted([DATA_GRAPH, ONTO_GRAPH, INFERRED_GRAPH, META_GRAPH, loaded, EXTRA, IMPORTED])
    assert store.graph_names() == names
    assert set(store.triples(loaded)) == before_loaded == set(parsed(good))
    assert len(set(store.triples(EXTRA))) == 5
    if backend == "oxigraph":  # the blank node keeps its label too
        assert set(store.triples(EXTRA)) == before_extra
    assert set(store.triples(IMPORTED)) == {(EX.w, EX.supersedes, EX.c)}
    # the inferred graph is what it was after the loads: owlrl's closure of ontology, data and
    # loaded graphs, without the import graph
    inferred = set(store.triples(INFERRED_GRAPH))
    asserted = parsed(mini / "ontology" / "mini.ttl", mini / "data" / "standards.ttl", good,
                      more)
    assert inferred == set(infer(asserted, engine="owlrl")) == before_inferred
    assert (EX.a, EX.supersededBy, EX.x) in inferred  # from graph/load/good
    assert (EX.z, EX.partOf, EX.x) in inferred  # across the two loaded graphs
    assert (EX.c, EX.supersededBy, EX.w) not in inferred  # imports are not closed
    # the loads' records survive next to the new build record
    assert records(store, {loaded, EXTRA}) == before_records
    assert (URIRef(loaded), PROV.wasDerivedFrom, Literal(str(good.resolve()))) in records(
        store, {loaded})
    assert (URIRef(DATA_GRAPH), PROV.wasDerivedFrom, Literal("data/standards.ttl")) in records(
        store, {DATA_GRAPH})
    # exact counts in the result
    assert result.graphs[loaded] == 7 and result.graphs[EXTRA] == 5
    assert result.graphs[IMPORTED] == 1
    assert result.graphs[INFERRED_GRAPH] == len(inferred)
    assert result.graphs[DATA_GRAPH] == 14


def test_a_loaded_graph_is_validated_by_the_rebuild_an_import_graph_is_not(mini, tmp_path):
    store_dir = tmp_path / "store"
    store = OxigraphStore(store_dir)
    project = Project.locate(mini)
    build(project, store)
    store.replace_graph(IMPORTED, parsed(write(tmp_path, "imp.ttl", INVALID)))
    build(project, store)  # the invalid standard in the import graph is not validated
    assert (EX.b, EX.supersededBy, EX.v) not in set(store.triples(INFERRED_GRAPH))

    invalid = write(tmp_path, "invalid.ttl", INVALID)
    bulk_load(store, [invalid], validate=False, project=project)
    before = store.dump("nquads")
    pointer = (store_dir / "CURRENT").read_text()
    with pytest.raises(ValidationFailed) as err:
        build(project, store)
    violations = err.value.report.violations
    assert [(v.focus, v.path) for v in violations] == [(f"<{EX}v>", f"<{EX}identifier>")]
    assert violations[0].sources == (LOAD_GRAPH_BASE + "invalid",)
    assert store.dump("nquads") == before
    assert (store_dir / "CURRENT").read_text() == pointer


def test_a_rebuild_drops_the_graph_of_a_removed_project_file(mini, tmp_path):
    store = OxigraphStore(tmp_path / "store")
    extra = mini / "data" / "extra.ttl"
    extra.write_text(GOOD, encoding="utf-8")
    build(Project.locate(mini), store)
    assert EXTRA in store.graph_names()
    extra.unlink()
    other = "http://example.org/graphs/other"  # written by someone else, no record
    store.replace_graph(other, [(EX.q, EX.partOf, EX.c)])
    result = build(Project.locate(mini), store)
    assert store.graph_names() == sorted([DATA_GRAPH, ONTO_GRAPH, INFERRED_GRAPH, META_GRAPH,
                                          other])
    assert result.graphs[other] == 1
    # kept and closed: q partOf c partOf d partOf e
    assert {(EX.q, EX.partOf, EX.d), (EX.q, EX.partOf, EX.e)} <= set(
        store.triples(INFERRED_GRAPH))
    assert URIRef(EXTRA) not in {t[0] for t in store.triples(META_GRAPH)}


def test_a_write_committed_during_the_build_stops_it(mini, tmp_path):
    """The kept graphs were read before the write: committing the build would lose it."""
    store = OxigraphStore(tmp_path / "store")
    project = Project.locate(mini)
    build(project, store)
    good = write(tmp_path, "good.ttl", GOOD)

    def progress(message: str) -> None:
        if message.startswith("inferred"):  # after the build read the store
            bulk_load(store, [good], project=project)

    with pytest.raises(StoreError, match="changed while the build ran"):
        build(project, store, progress)
    assert set(store.triples(LOAD_GRAPH_BASE + "good")) == set(parsed(good))
    build(project, store)  # run again: it keeps the load
    assert set(store.triples(LOAD_GRAPH_BASE + "good")) == set(parsed(good))
