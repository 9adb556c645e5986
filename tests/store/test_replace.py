"""Whole-graph writes of the embedded store: ``replace_graph`` through a write transaction (atomic,
all or nothing, readers see the old graph or the new) and pyoxigraph terms taken as they are by
``replace_graph`` / ``replace_all`` / ``rdfio.graph_to_quads``."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, Namespace, URIRef

from stdgraph.errors import StoreError
from stdgraph.rdf.io import graph_to_quads
from stdgraph.store import MemoryStore, OxigraphStore
from stdgraph.store import oxigraph as oxigraph_module
from stdgraph.store.base import Store

EX = Namespace("http://example.org/")
G1, G2 = "http://example.org/g1", "http://example.org/g2"


def triples(n: int, tag: str = "v") -> list[tuple]:
    return [(EX[f"s{i}"], EX.p, Literal(f"{tag}{i}")) for i in range(n)]


def generations(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("gen-*"))


@pytest.fixture
def filled(tmp_path) -> OxigraphStore:
    st = OxigraphStore(tmp_path / "store")
    st.replace_all({G1: triples(5, "old"), G2: [(EX.a, EX.p, EX.b)]})
    return st


def test_replace_graph_replaces_one_graph_and_leaves_the_others(filled):
    filled.replace_graph(G1, triples(3, "new"))
    assert set(filled.triples(G1)) == set(triples(3, "new"))
    assert set(filled.triples(G2)) == {(EX.a, EX.p, EX.b)}
    assert filled.count() == 4
    filled.replace_graph(G1, [])
    assert filled.graph_names() == [G2]
    filled.replace_graph("http://example.org/g3", [(EX.c, EX.p, Literal("x", lang="de"))])
    assert set(filled.triples("http://example.org/g3")) == {(EX.c, EX.p, Literal("x", lang="de"))}


def test_replace_graph_in_chunks_is_exact(filled, monkeypatch):
    monkeypatch.setattr(oxigraph_module, "CHUNK", 7)  # 50 triples: 8 bulk_extend calls
    new = triples(50, "new") + triples(50, "new")[:10]  # duplicates count once
    filled.replace_graph(G1, iter(new))
    assert set(filled.triples(G1)) == set(triples(50, "new"))
    assert filled.count(G1) == 50


def test_a_failing_replace_graph_changes_nothing(filled, monkeypatch):
    """The new triples come from an iterable that raises after three chunks were written to the
    copy: the store, its pointer and its generation folders are as before."""
    monkeypatch.setattr(oxigraph_module, "CHUNK", 4)
    root = filled.root
    before_dump = filled.dump("nquads")
    before_pointer = (root / "CURRENT").read_text()
    before_generations = generations(root)

    def exploding():
        yield from triples(12, "new")
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError, match="source broke"):
        filled.replace_graph(G1, exploding())
    assert filled.dump("nquads") == before_dump
    assert (root / "CURRENT").read_text() == before_pointer
    assert generations(root) == before_generations  # the copy was removed
    with OxigraphStore(root, read_only=True) as reader:
        assert set(reader.triples(G1)) == set(triples(5, "old"))


def test_replace_graph_refuses_a_bad_iri_and_a_read_only_store(filled):
    with pytest.raises(ValueError):
        filled.replace_graph("not an iri", triples(1))
    with OxigraphStore(filled.root, read_only=True) as reader, pytest.raises(StoreError):
        reader.replace_graph(G1, triples(1))
    assert set(filled.triples(G1)) == set(triples(5, "old"))


def test_readers_see_the_old_graph_or_the_new(filled, monkeypatch):
    """A reader (another handle, as a query worker has) counts the graph while a replacement
    written in many chunks commits: it sees 5 (old) or 400 (new), nothing in between."""
    monkeypatch.setattr(oxigraph_module, "CHUNK", 50)  # 8 chunks
    seen: set[int] = set()
    done = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            with OxigraphStore(filled.root, read_only=True) as reader:
                while not done.wait(0.002):  # leave the writer the interpreter now and then
                    seen.add(reader.count(G1))
                seen.add(reader.count(G1))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(2):
            filled.replace_graph(G1, triples(400, "new"))
            filled.replace_graph(G1, triples(5, "old"))
        filled.replace_graph(G1, triples(400, "new"))
    finally:
        done.set()
        reader.join()
    assert errors == []
    assert seen <= {5, 400} and 400 in seen


def test_replace_all_and_replace_graph_take_pyoxigraph_quads_as_they_are(tmp_path):
    st = OxigraphStore(tmp_path / "store")
    assert st.takes_oxigraph and not MemoryStore.takes_oxigraph
    g1 = ox.NamedNode(G1)
    s, p = ox.NamedNode(EX.s), ox.NamedNode(EX.p)
    src = ox.Store()
    src.extend([ox.Quad(s, p, ox.Literal("x", language="en"), g1),
                ox.Quad(s, p, ox.BlankNode("b1"), g1),
                ox.Quad(s, p, ox.Literal("1", datatype=ox.NamedNode(str(EX.int))), g1)])
    st.replace_all({
        G1: src.quads_for_pattern(None, None, None, g1),  # quads of the same graph
        G2: [ox.Triple(s, p, ox.Literal("y")), (EX.a, EX.p, EX.b)],  # mixed with rdflib
    })
    assert set(st.triples(G1)) == {(EX.s, EX.p, Literal("x", lang="en")),
                                   (EX.s, EX.p, BNode("b1")),
                                   (EX.s, EX.p, Literal("1", datatype=EX.int))}
    assert set(st.triples(G2)) == {(EX.s, EX.p, Literal("y")), (EX.a, EX.p, EX.b)}
    # quads of another graph are moved into the target graph
    st.replace_graph(G2, src.quads_for_pattern(None, None, None, g1))
    assert set(st.triples(G2)) == set(st.triples(G1))
    assert set(st.quads(G2)) == {ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(G2))
                                 for q in src}


def test_graph_to_quads_converts_only_rdflib_terms():
    g = ox.NamedNode(G1)
    quad = ox.Quad(ox.NamedNode(EX.s), ox.NamedNode(EX.p), ox.Literal("v"), g)
    other = ox.Quad(ox.NamedNode(EX.s), ox.NamedNode(EX.p), ox.Literal("v"), ox.NamedNode(G2))
    out = list(graph_to_quads([quad, other, quad.triple, (EX.s, EX.p, Literal("v"))], G1))
    assert out[0] is quad  # taken as it is
    assert out == [quad, quad, quad, quad]


def test_generic_replace_graph_writes_pyoxigraph_and_rdflib_terms(tmp_path):
    """``Store.replace_graph`` (one SPARQL update) on a real store, with both kinds of term."""
    st = OxigraphStore(tmp_path / "store")
    st.replace_all({G2: [(EX.a, EX.p, EX.b)]})
    Store.replace_graph(st, G1, [(EX.s, EX.p, Literal('say "hi"\n', lang="en")),
                                 ox.Quad(ox.NamedNode(EX.s), ox.NamedNode(EX.q),
                                         ox.Literal("2"), ox.DefaultGraph())])
    assert set(st.triples(G1)) == {(EX.s, EX.p, Literal('say "hi"\n', lang="en")),
                                   (EX.s, EX.q, Literal("2"))}
    Store.replace_graph(st, G1, [])
    assert st.graph_names() == [G2]


def test_reading_a_fresh_store_creates_nothing(tmp_path):
    st = OxigraphStore(tmp_path / "store")
    assert st.graph_names() == [] and st.version() is None
    assert not (tmp_path / "store").exists()


def test_close_waits_for_the_cleanup_of_a_commit(filled):
    root = filled.root
    filled.replace_graph(G1, triples(2))
    filled.close()
    # only the current generation and the one before the write are left, nothing half-deleted
    assert len(generations(root)) == 2
    assert URIRef(EX.s0) in {t[0] for t in OxigraphStore(root, read_only=True).triples(G1)}


def test_a_rollback_after_commit_leaves_the_published_generation(tmp_path):
    """bulkload and writes roll back on any exception, also one raised after commit: that
    rollback must not delete the generation the commit published."""
    st = OxigraphStore(tmp_path / "st")
    st.replace_all({"urn:g": []})
    txn = st.begin()
    txn.db.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x"),
                       ox.NamedNode("urn:g")))
    txn.commit()
    txn.rollback()
    assert (tmp_path / "st" / txn.generation).is_dir()
    assert st.count() == 1
