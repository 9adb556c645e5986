"""All backends behind the one interface give the same answers (each checked by hand)."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest
from rdflib import Literal, Namespace

from stdgraph.deadline import Deadline
from stdgraph.errors import QuerySyntaxError
from stdgraph.sparql.terms import iri_ref
from stdgraph.store import MemoryStore, OxigraphStore
from stdgraph.store.base import AnswerRequest
from stdgraph.store.bounded import DeadlineStore
from support.sparql_servers import REMOTE_BACKENDS, remote_backend_store

EX = Namespace("http://example.org/s#")
G1, G2 = "http://example.org/g1", "http://example.org/g2"
CONTENT = {
    G1: [(EX.a, EX.p, EX.b), (EX.b, EX.p, EX.c)],
    G2: [(EX.a, EX.p, EX.b), (EX.c, EX.label, Literal("c", lang="en"))],
}


@pytest.fixture(params=["oxigraph", "memory", *REMOTE_BACKENDS])
def store(request, tmp_path):
    if request.param in REMOTE_BACKENDS:  # a real server, emptied first (tests/conftest.py)
        st = remote_backend_store(request, request.param)
    else:
        st = OxigraphStore(tmp_path / "st") if request.param == "oxigraph" else MemoryStore()
    st.replace_all(CONTENT)
    yield st
    st.close()


def select(store, q, **kw):
    return sorted(tuple(str(t) for t in row) for row in store.query(q, **kw).rows)


def test_union_default_graph_sees_every_graph(store):
    # DISTINCT: Oxigraph's union default graph repeats a triple held by two graphs
    # (docs/model.md, "Named graphs"); rdflib merges them.
    assert select(store, "SELECT DISTINCT ?s ?o WHERE { ?s <http://example.org/s#p> ?o }") == [
        (str(EX.a), str(EX.b)), (str(EX.b), str(EX.c))]


def test_default_graph_restriction(store):
    q = "SELECT ?s WHERE { ?s ?p ?o }"
    assert select(store, q, default_graphs=[G2]) == [(str(EX.a),), (str(EX.c),)]


def test_named_graph_restriction(store):
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert select(store, q) == [(G1,), (G2,)]
    assert select(store, q, default_graphs=[], named_graphs=[G1]) == [(G1,)]


def test_counts_and_graph_names(store):
    assert store.graph_names() == [G1, G2]
    assert (store.count(G1), store.count(G2), store.count()) == (2, 2, 4)
    assert len(set(store.triples())) == 3


def test_ask_and_construct(store):
    assert store.query("ASK { ?s <http://example.org/s#label> 'c'@en }").boolean is True
    res = store.query("PREFIX ex: <http://example.org/s#> "
                      "CONSTRUCT { ?o ex:p ?s } WHERE { ?s ex:p ?o }")
    assert sorted(res.triples) == sorted([(EX.b, EX.p, EX.a), (EX.c, EX.p, EX.b)])


def test_one_answer_request_shapes_the_answer_on_every_backend(store):
    """An ``AnswerRequest`` carries the dataset, the format and the row cap to every backend,
    also after the pickling that takes it to a query worker, and through a ``DeadlineStore``."""
    request = AnswerRequest("SELECT ?s ?o WHERE { ?s <http://example.org/s#p> ?o }",
                            default_graphs=(G2,), result_format="csv", max_rows=5)
    sent = pickle.loads(pickle.dumps(request))
    assert sent == request and hash(sent) == hash(request)
    for st in (store, DeadlineStore(store, Deadline(60))):
        ans = st.answer(sent)
        assert (ans.kind, ans.format, ans.truncated) == ("select", "csv", False)
        assert ans.body.decode().split() == ["s,o", f"{EX.a},{EX.b}"]
    cut = store.answer(replace(request, sparql="SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } } "
                                               "ORDER BY ?s", default_graphs=None,
                               named_graphs=(G1,), max_rows=1))
    assert cut.truncated and cut.body.decode().split() == ["s", str(EX.a)]


def test_update_then_replace_all(store):
    store.update(f"INSERT DATA {{ GRAPH {iri_ref(G1)} {{ <http://example.org/s#z> "
                 "<http://example.org/s#p> 'z' } }")
    assert store.count(G1) == 3
    store.replace_all({G2: [(EX.only, EX.p, EX.one)]})
    assert store.graph_names() == [G2]
    assert store.count() == 1


def test_syntax_errors_carry_position(store):
    with pytest.raises(QuerySyntaxError) as err:
        store.query("SELECT ?x WHERE {\n  ?x ?y \n}")
    assert err.value.line is not None
    with pytest.raises(QuerySyntaxError):
        store.update("INSERT DATA { <a> }")


def test_dump_roundtrip(store):
    from rdflib import Dataset, Graph

    ds = Dataset()
    ds.parse(data=store.dump("nquads").decode(), format="nquads")
    assert sum(1 for _ in ds.quads()) == 4
    g = Graph().parse(data=store.dump("turtle").decode(), format="turtle")
    assert len(g) == 3


def test_iri_ref_refuses_injection():
    assert iri_ref("http://example.org/x") == "<http://example.org/x>"
    for bad in ["http://x> } ; DROP ALL ; <", "a b", 'x"y', "", "x\ny"]:
        with pytest.raises(ValueError):
            iri_ref(bad)


def test_oxigraph_replace_is_atomic_when_writing_fails(tmp_path):
    st = OxigraphStore(tmp_path / "st")
    st.replace_all(CONTENT)

    def exploding():
        yield (EX.a, EX.p, EX.b)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        st.replace_all({G1: exploding()})
    assert st.graph_names() == [G1, G2] and st.count() == 4
    assert len(list((tmp_path / "st").glob("gen-*"))) == 1


def test_a_store_shared_with_readers_holds_its_generation_read_only(tmp_path):
    """The server's query workers read the same generation: the server must not hold it
    read-write (RocksDB would compact files away under them), yet in-place updates work."""
    import pyoxigraph as ox

    st = OxigraphStore(tmp_path / "s")
    st.replace_all({"http://example.org/g": [(EX.a, EX.p, Literal(1))]})
    st.db  # noqa: B018 - opened read-write, as a CLI command would
    assert st._db_read_only is False
    st.share_with_readers()
    assert st._db_read_only is False and st._db is None  # the read-write handle is closed
    assert st.count() == 1 and st._db_read_only is True
    with pytest.raises(RuntimeError, match="read-write"):
        st.db.add(ox.Quad(ox.NamedNode(str(EX.b)), ox.NamedNode(str(EX.p)), ox.Literal("x")))
    st.update(f"INSERT DATA {{ <{EX.b}> <{EX.p}> 2 }}")  # reopens read-write for the write
    assert st.count() == 2
    st.close()


def test_ox_quads_reads_everything_one_graph_or_the_default_graph(store):
    """What the HTTP layer reads for dumps and the Graph Store Protocol, on every backend."""
    import pyoxigraph as ox

    def quad(s, p, o, g):
        obj = ox.Literal(str(o), language=o.language) if isinstance(o, Literal) \
            else ox.NamedNode(str(o))
        return ox.Quad(ox.NamedNode(str(s)), ox.NamedNode(str(p)), obj, ox.NamedNode(g))

    expected = {quad(*t, g) for g, triples in CONTENT.items() for t in triples}
    assert set(store.ox_quads()) == expected
    assert set(store.ox_quads(ox.NamedNode(G2))) == {q for q in expected
                                                     if q.graph_name == ox.NamedNode(G2)}
    assert list(store.ox_quads(ox.DefaultGraph())) == []  # stdgraph writes named graphs only


def test_version_changes_with_every_write_where_it_is_known(store):
    """``version`` keys caches (the write path's reasoner, the server's statistics): a remote
    server is written to by others unseen, so its version is unknown (None)."""
    before = store.version()
    store.replace_graph(G1, [(EX.x, EX.p, EX.y)])
    after = store.version()
    store.replace_all(CONTENT)
    if store.kind == "remote":
        assert before is after is store.version() is None
    else:
        assert None not in {before, after} and len({before, after, store.version()}) == 3


def test_reader_spec_opens_the_same_store_read_only(store):
    """The server's query worker processes open the store by ``reader_spec``; only the embedded
    store can be (the others answer queries on threads)."""
    from stdgraph.store import open_store

    spec = store.reader_spec()
    if store.kind != "oxigraph":
        assert spec is None
        return
    reader = open_store(spec, read_only=True)
    try:
        assert reader.graph_names() == [G1, G2] and reader.count() == 4
        store.replace_graph(G1, [])
        assert reader.graph_names() == [G2]  # it follows the writer's commits
    finally:
        reader.close()
