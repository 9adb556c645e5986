"""A standard's rows in the server's query runner come from what the analyses keep per store
version (``catalog.findings.KeptFindings``: its pairs in the kept pair index, its conflicts
through an index by subject) and equal the rows of the full analysis that involve it, and the
rows read for it alone (``StandardFindings``, the page's source elsewhere): on random STO
graphs (``benchmarks/generate.py``'s STO variant, imported as ``stdgraph import sto`` does),
on random graphs with statement records at every evidence level, and after each of a series
of random guarded writes (the kept results brought up to date from the write's recorded
change: a write is visible in the next page)."""

from __future__ import annotations

import random

import pytest
from rdflib import Graph

from analysis.test_kept import random_write, sto_store
from catalog.test_findings import instances, random_graph
from stdgraph.analysis import run
from stdgraph.analysis.evidence import LEVELS, Evidence
from stdgraph.catalog.common import Window
from stdgraph.catalog.findings import (
    KeptFindings,
    StandardFindings,
    standard_findings,
    warm_standard_findings,
)
from stdgraph.catalog.standard import standard
from stdgraph.change.guard import WriteGuard
from stdgraph.deadline import Deadline
from stdgraph.project import Project
from stdgraph.store import OxigraphStore
from stdgraph.store.base import Store
from stdgraph.store.bounded import DeadlineStore, StateCache

SG = "https://w3id.org/stdgraph/ontology#"


def bounded(store: Store, cache: StateCache) -> DeadlineStore:
    """The store as a query worker reads it: the runner's cache keeps the analyses."""
    return DeadlineStore(store, Deadline(None), cache)


def check(store: Store, cache: StateCache, evidence: Evidence = Evidence(),
          standards: list[str] | None = None) -> int:
    """Every standard's kept rows (all, and page by page) equal the full analyses' rows
    involving it, computed afresh on the plain store; the number of overlaps seen."""
    raw = {"limit": "0", **{k: str(v) for k, v in evidence.describe().items()}}
    overlaps = run("overlaps", store, raw).items
    conflicts = run("conflicts", store, raw).items
    seen = 0
    for s in standards if standards is not None else instances(store, SG + "Standard"):
        found = standard_findings(bounded(store, cache), s, evidence)
        assert isinstance(found, KeptFindings)
        want = [o for o in overlaps if s in (o["a"], o["b"])]
        assert found.overlap_count() == len(want), s
        assert found.overlaps() == want, s
        assert [found.overlaps(k, k + 3) for k in range(0, len(want), 3)] == [
            want[k:k + 3] for k in range(0, len(want), 3)], s
        want = [c for c in conflicts if any(x["iri"] == s for x in c["subjects"])]
        assert found.conflict_count() == len(want), s
        assert found.conflicts() == want, s
        assert found.conflicts(1, 2) == want[1:2], s
        seen += found.overlap_count()
    return seen


@pytest.mark.parametrize("seed", [1, 2])
def test_random_sto_graphs(seed, tmp_path):
    store = sto_store("oxigraph", tmp_path, 40 + 30 * seed, seed)
    assert check(store, StateCache()) > 0
    store.close()


def test_random_sto_graph_on_the_memory_store(tmp_path):
    assert check(sto_store("memory", tmp_path, 40, 7), StateCache()) > 0


@pytest.fixture(scope="module")
def random_store(tmp_path_factory):
    st = OxigraphStore(tmp_path_factory.mktemp("kept-random") / "store")
    st.replace_all(random_graph(3))
    yield st
    st.close()


@pytest.mark.parametrize("level", LEVELS)
def test_random_graphs_with_records_at_every_level(random_store, level):
    assert check(random_store, StateCache(), Evidence(level, "0.5")) > 0


def test_the_page_is_the_one_read_for_the_standard_alone(random_store):
    """``catalog.standard`` in the runner (kept rows) and outside it (``StandardFindings``)
    gives the same page model, on every page of its lists."""
    cache = StateCache()
    plain = standard_findings(random_store, instances(random_store, SG + "Standard")[0])
    assert isinstance(plain, StandardFindings)
    # a DeadlineStore without the runner's cache keeps nothing: read for the standard alone
    alone = DeadlineStore(random_store, Deadline(None))
    assert isinstance(standard_findings(alone, instances(random_store, SG + "Standard")[0]),
                      StandardFindings)
    for s in instances(random_store, SG + "Standard"):
        for k in (1, 2):
            window = Window(k, 2)
            assert standard(bounded(random_store, cache), s, overlaps=window,
                            conflicts=window) == standard(random_store, s, overlaps=window,
                                                          conflicts=window), (s, k)


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_a_write_is_in_the_next_page(kind, tmp_path):
    rng = random.Random(30 if kind == "oxigraph" else 31)
    store = sto_store(kind, tmp_path, 60 if kind == "oxigraph" else 40, 12)
    guard = WriteGuard(store, Graph(), Project.locate().ontology())
    cache = StateCache()
    check(store, cache)  # fills the cache
    brought = 0
    for step in range(10 if kind == "oxigraph" else 4):
        before = store.version()
        guard.update(random_write(rng, store, step))
        assert store.version() != before
        if store.changes(before, store.version()) is not None:
            brought += 1
        check(store, cache)
    assert brought >= 3
    store.close()


def test_a_write_changes_the_page(tmp_path):
    """A new standard classified where another is: the other's page lists it at once."""
    store = sto_store("oxigraph", tmp_path, 40, 5)
    guard = WriteGuard(store, Graph(), Project.locate().ontology())
    cache = StateCache()
    rows = store.query(f"SELECT ?s ?e WHERE {{ ?s <{SG}classifiedIn> ?e }}").rows
    elements: dict[str, set[str]] = {}
    for s, e in rows:
        elements.setdefault(str(s), set()).add(str(e))
    other, es = max(elements.items(), key=lambda kv: (len(kv[1]), kv[0]))
    assert len(es) >= 2
    before = standard_findings(bounded(store, cache), other)
    new = "https://example.org/written/twin"
    assert new not in {x for o in before.overlaps() for x in (o["a"], o["b"])}
    es_text = " , ".join(f"<{e}>" for e in sorted(es))
    guard.update(f'INSERT DATA {{ GRAPH <https://w3id.org/stdgraph/graph/data/written> {{ '
                 f'<{new}> a <{SG}Standard> ; <http://www.w3.org/2000/01/rdf-schema#label> '
                 f'"Twin"@en ; <{SG}classifiedIn> {es_text} }} }}')
    after = standard_findings(bounded(store, cache), other)
    assert after.overlap_count() == before.overlap_count() + 1
    twin = [o for o in after.overlaps() if new in (o["a"], o["b"])]
    assert len(twin) == 1 and twin[0]["score"] == 1.0
    store.close()


def test_the_warm_up_keeps_what_the_pages_read(random_store):
    """After the workers' warm-up (the analyses', then ``warm_standard_findings``) a
    standard's page computes nothing more for the store's version: the pair index and the
    conflicts by subject are there."""
    from stdgraph.analysis import warm_analyses
    from stdgraph.analysis.snapshot import snapshot

    cache = StateCache()
    warm_standard_findings(random_store)  # outside the runner: nothing to keep, no error
    warm_analyses(bounded(random_store, cache))
    assert "conflicts-by-subject" not in str(snapshot(bounded(random_store, cache)).memo)
    warm_standard_findings(bounded(random_store, cache))
    memo = snapshot(bounded(random_store, cache)).memo
    keys = {k[1][0] if isinstance(k[1], tuple) else k[1] for k in memo}
    assert {"overlap-index", "conflicts", "conflicts-by-subject"} <= keys
    before = set(memo)
    check(random_store, cache)
    assert set(memo) == before
