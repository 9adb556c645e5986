"""``/search`` from the kept index (``catalog.search.SearchIndex``) answers exactly what the
SPARQL queries answer (``search.rq``, ``search-count.rq``, labels by ``common.Labels``:
``search_sparql``): on random graphs full of odd cases (labels in several languages and
graphs, IRIs and blank nodes as values, resources outside the base, letters whose lower case
is not one letter), on a store where more resources match than are sorted by SPARQL, and with
the index kept in a query runner's cache and brought up to date after random guarded writes."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest
from rdflib import Graph

from stdgraph.catalog.common import Window
from stdgraph.catalog.search import SearchIndex, search, search_index, search_sparql, warm_search
from stdgraph.change.guard import WriteGuard
from stdgraph.deadline import Deadline
from stdgraph.rdf.namespaces import GRAPH_BASE, INFERRED_GRAPH
from stdgraph.store import MemoryStore, OxigraphStore
from stdgraph.store.bounded import DeadlineStore, StateCache
from support.quads import fill

BASE = "https://w3id.org/stdgraph/id/"
OTHER = "http://example.org/other/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SG = "https://w3id.org/stdgraph/ontology#"
PROPS = [RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SG + "identifier",
         SKOS + "notation", RDFS + "comment"]  # the last is not searched
GRAPHS = [ox.NamedNode(GRAPH_BASE + f"data/f{k}") for k in range(3)] + [
    ox.NamedNode(INFERRED_GRAPH)]
#: pieces of texts: cases, accents, a final sigma, a dotted capital I, sharp s, a ligature
PIECES = ["ISO", "iso", "Opc", "UA", "Σ", "ΟΔΟΣ", "İ", "ß", "ﬁ", "Ä", "x", "-", " ", "10303",
          "Straße", "e\u0301"]
LANGS = [None, None, "en", "en-GB", "de", "EN"]


def text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4)))


def random_quads(rng: random.Random, size: int = 24, blank_values: bool = True
                 ) -> list[ox.Quad]:
    """``blank_values``: blank nodes as values too (rdflib's SPARQL gives ``STR()`` of a blank
    node its label, where SPARQL and Oxigraph raise an error: the index follows Oxigraph)."""
    quads: list[ox.Quad] = []
    subjects: list[ox.NamedNode | ox.BlankNode] = [
        ox.NamedNode((BASE if k % 5 else OTHER) + f"r{k}") for k in range(size)]
    subjects += [ox.BlankNode(f"b{k}") for k in range(2)]
    for s in subjects:
        for _ in range(rng.randint(0, 5)):
            roll = rng.random()
            o: ox.NamedNode | ox.BlankNode | ox.Literal
            if roll < 0.1:
                o = ox.NamedNode(BASE + "value/" + rng.choice(["Iso", "opc", "x"]))
            elif roll < 0.15 and blank_values:
                o = ox.BlankNode("v" + str(rng.randint(0, 3)))
            else:
                lang = rng.choice(LANGS)
                o = ox.Literal(text(rng), language=lang.lower() if lang else None)
            quads.append(ox.Quad(s, ox.NamedNode(rng.choice(PROPS)), o, rng.choice(GRAPHS)))
    return quads


def queries(rng: random.Random, quads: list[ox.Quad], n: int) -> list[str]:
    """Texts to search: pieces of the graph's texts (case changed now and then) and others."""
    texts = [q.object.value for q in quads if not isinstance(q.object, ox.BlankNode)]
    out = []
    for _ in range(n):
        if texts and rng.random() < 0.7:
            t = rng.choice(texts)
            a = rng.randrange(len(t))
            piece = t[a:a + rng.randint(1, 5)]
            out.append(piece.upper() if rng.random() < 0.3 else piece)
        else:
            out.append(text(rng))
    return out + ["value/", "r1", "\x00", "zzz"]


def check(store, bounded, base: str, q: str) -> int:
    window = Window(1, 500)
    want = search_sparql(store, base, q, window)
    got = search(bounded, base, q, window)
    assert want["total"] <= 500
    assert got == want, q
    return got["total"]


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_the_index_answers_as_the_queries_on_random_graphs(kind, tmp_path):
    found = 0
    for trial in range(5):
        rng = random.Random(trial)
        store = OxigraphStore(tmp_path / f"s{trial}") if kind == "oxigraph" else MemoryStore()
        quads = random_quads(rng, blank_values=kind == "oxigraph")
        fill(store, quads)
        bounded = DeadlineStore(store, Deadline(None), StateCache())
        for q in queries(rng, quads, 40):
            for base in (BASE, "http://example.org/", ""):
                found += check(store, bounded, base, q) > 0
        store.close()
    assert found > 200  # the searches did find resources, often


def test_a_long_answer_is_the_same_resources_sorted_by_label(tmp_path):
    """More matches than SPARQL sorts (``SORT_LIMIT``): the same total and the same resources
    (SPARQL pages them in the store's order; the index by label, as it does every answer)."""
    store = OxigraphStore(tmp_path / "store")
    rng = random.Random(5)
    quads = [ox.Quad(ox.NamedNode(BASE + f"r{k}"), ox.NamedNode(RDFS + "label"),
                     ox.Literal(f"Item {rng.randint(0, 10**6)}"), GRAPHS[0]) for k in range(1100)]
    fill(store, quads)
    bounded = DeadlineStore(store, Deadline(None), StateCache())
    old = [search_sparql(store, BASE, "item", Window(p, 500)) for p in (1, 2, 3)]
    new = [search(bounded, BASE, "ITEM", Window(p, 500)) for p in (1, 2, 3)]
    assert [d["total"] for d in old] == [d["total"] for d in new] == [1100] * 3
    assert old[0]["order"] == "in the store's order" and new[0]["order"] == "by label"
    old_items = [i for d in old for i in d["items"]]
    new_items = [i for d in new for i in d["items"]]
    assert sorted(old_items, key=lambda i: i["iri"]) == sorted(new_items, key=lambda i: i["iri"])
    labels = {q.subject.value: q.object.value for q in quads}
    assert new_items == sorted(({"iri": s, "label": labels[s]} for s in labels),
                               key=lambda i: (i["label"].casefold(), i["iri"]))
    store.close()


def test_the_index_follows_the_writes(tmp_path):
    """A kept index brought up to date after each of a series of random guarded writes (from
    what the write touched) is the index read afresh, and answers as the queries."""
    rng = random.Random(11)
    store = OxigraphStore(tmp_path / "store")
    pool = [q for q in random_quads(rng, 16) if q.graph_name.value != INFERRED_GRAPH
            and not isinstance(q.subject, ox.BlankNode)
            and not isinstance(q.object, ox.BlankNode)]
    fill(store, pool[: len(pool) // 2])
    guard = WriteGuard(store, Graph(), Graph())
    cache = StateCache()

    def bounded() -> DeadlineStore:
        return DeadlineStore(store, Deadline(None), cache)

    warm_search(bounded())
    written = 0
    for _step in range(12):
        chosen = rng.sample(pool, rng.randint(1, 4))
        body = " ".join(f"GRAPH <{q.graph_name.value}> {{ {q.subject} {q.predicate} "
                        f"{q.object} }}" for q in chosen)
        before = store.version()
        guard.update(f"{'INSERT' if rng.random() < 0.6 else 'DELETE'} DATA {{ {body} }}")
        if store.version() == before:
            continue
        written += 1
        kept, fresh = search_index(bounded()), SearchIndex.read(store)
        assert (kept.keys, kept.iris, kept.blobs) == (fresh.keys, fresh.iris, fresh.blobs)
        assert kept.labels == fresh.labels
        for q in queries(rng, pool, 8):
            check(store, bounded(), BASE, q)
    assert written >= 6
    store.close()
