"""The filters of ``/standards`` (``catalog.standards_table``) decided from the analyses'
snapshot give exactly what the filter queries give (``standards-in-every-element.rq``,
``standards-addressing-every-barrier.rq``, ``standards-with-status.rq``,
``standards-by-publisher.rq``, ``standards-with-evidence.rq``, intersected): on random graphs
full of odd cases (typings in other graphs or only in the inferred graph, subjects that are not
standards, blank nodes, literal objects, records in several graphs, evidence kinds that are
literals), and with a snapshot kept in a query runner's cache and brought up to date after each
of a series of random guarded writes."""

from __future__ import annotations

import random
import time
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal

from stdgraph.catalog.common import iris
from stdgraph.catalog.queryfiles import select
from stdgraph.catalog.standards_table import _passing
from stdgraph.change.guard import WriteGuard
from stdgraph.deadline import Deadline
from stdgraph.rdf.namespaces import GRAPH_BASE, INFERRED_GRAPH
from stdgraph.store import MemoryStore, OxigraphStore
from stdgraph.store.bounded import DeadlineStore, StateCache
from support.quads import fill

SG = "https://w3id.org/stdgraph/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EX = "http://example.org/filters#"
GRAPHS = [ox.NamedNode(GRAPH_BASE + f"data/f{k}") for k in range(3)] + [
    ox.NamedNode(INFERRED_GRAPH)]
ELEMENTS = [EX + f"e{k}" for k in range(4)]
BARRIERS = [EX + f"b{k}" for k in range(3)]
STATUSES = [SG + "Published", SG + "Withdrawn", SG + "Draft"]
BODIES = [EX + f"body{k}" for k in range(3)]
KINDS = ["Stated", "Reading", "Suggested", "Inferred"]


def term(x: str) -> ox.NamedNode:
    return ox.NamedNode(x)


def random_quads(rng: random.Random, size: int = 14) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    subjects: list[ox.NamedNode | ox.BlankNode] = [term(EX + f"s{k}") for k in range(size)]
    subjects += [ox.BlankNode(f"sb{k}") for k in range(2)]
    for s in subjects:
        if rng.random() < 0.75:
            for g in rng.sample(GRAPHS, rng.randint(1, 2)):
                quads.append(ox.Quad(s, term(RDF + "type"), term(SG + "Standard"), g))
        elif rng.random() < 0.5:
            quads.append(ox.Quad(s, term(RDF + "type"), term(SG + "Barrier"), GRAPHS[0]))
        for prop, pool, most in (("classifiedIn", ELEMENTS, 4), ("addressesBarrier", BARRIERS, 3),
                                 ("status", STATUSES, 2), ("publisher", BODIES, 2)):
            objects: list[Any] = [term(x) for x in pool] + [ox.Literal(pool[0])]
            for o in rng.sample(objects, rng.randint(0, most)):
                quads.append(ox.Quad(s, term(SG + prop), o, rng.choice(GRAPHS)))
        for k in range(rng.choice([0, 0, 1, 2])):  # statement records about s
            r: ox.NamedNode | ox.BlankNode = (term(f"{s.value}-r{k}") if rng.random() < 0.5
                                              and isinstance(s, ox.NamedNode)
                                              else ox.BlankNode(f"r{len(quads)}"))
            quads.append(ox.Quad(r, term(RDF + "subject"), s, rng.choice(GRAPHS[:3])))
            kinds: list[Any] = [term(SG + k) for k in KINDS] + [ox.Literal("Stated")]
            for kind in rng.sample(kinds, rng.choice([0, 1, 1, 2])):
                quads.append(ox.Quad(r, term(SG + "evidence"), kind, rng.choice(GRAPHS[:3])))
    return quads


def by_queries(store, filters: dict[str, list[str]]) -> set[str] | None:
    """What the filter queries answer (the definition), intersected."""
    keep: set[str] | None = None
    for name, query, param, every in (
            ("element", "standards-in-every-element", "element", True),
            ("barrier", "standards-addressing-every-barrier", "barrier", True),
            ("status", "standards-with-status", "status", False),
            ("body", "standards-by-publisher", "body", False)):
        given = sorted(set(filters.get(name) or ()))
        if given:
            values: dict[str, Any] = {param: iris(given)}
            if every:
                values["n"] = Literal(len(given))
            found = {str(s) for (s,) in select(store, query, **values)}
            keep = found if keep is None else keep & found
    kinds = sorted(set(filters.get("evidence") or ()))
    if kinds:
        found = {str(s) for (s,) in select(store, "standards-with-evidence",
                                           kind=iris(SG + k for k in kinds))}
        keep = found if keep is None else keep & found
    return keep


def random_filters(rng: random.Random) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for name, pool in (("element", ELEMENTS), ("barrier", BARRIERS), ("status", STATUSES),
                       ("body", BODIES), ("evidence", KINDS)):
        if rng.random() < 0.4:
            filters[name] = rng.sample(pool, rng.randint(1, 2))
    return filters


def named(found: set[str] | None) -> set[str] | None:
    """The IRIs among ``found`` (a blank node's label differs between the engines' answers)."""
    return None if found is None else {s for s in found if s.startswith("http")}


def check(store, bounded, rng: random.Random, rounds: int) -> int:
    nonempty = 0
    for _ in range(rounds):
        filters = random_filters(rng)
        want = by_queries(store, filters)
        got = _passing(bounded, filters)
        assert named(got) == named(want), filters
        assert (got is None) == (want is None) and len(got or ()) == len(want or ()), filters
        nonempty += bool(want)
    return nonempty


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_filters_are_the_queries_on_random_graphs(kind, tmp_path):
    nonempty = 0
    for trial in range(6):
        rng = random.Random(trial)
        store = OxigraphStore(tmp_path / f"s{trial}") if kind == "oxigraph" else MemoryStore()
        fill(store, random_quads(rng))
        nonempty += check(store, store, rng, 25)
        # every single value of every filter, alone
        for name, pool in (("element", ELEMENTS), ("barrier", BARRIERS),
                           ("status", STATUSES), ("body", BODIES), ("evidence", KINDS)):
            for value in pool:
                assert named(_passing(store, {name: [value]})) == \
                    named(by_queries(store, {name: [value]})), (name, value)
        assert _passing(store, {}) is None
        store.close()
    assert nonempty >= 30  # the filters did keep standards, often


def test_filters_follow_the_writes_through_a_kept_snapshot(tmp_path):
    rng = random.Random(7)
    store = OxigraphStore(tmp_path / "store")
    pool = random_quads(rng, 10)
    fill(store, pool[: len(pool) // 2])
    guard = WriteGuard(store, Graph(), Graph())
    cache = StateCache()

    def bounded():
        return DeadlineStore(store, Deadline(None), cache)

    check(store, bounded(), rng, 10)  # reads the tables into the kept snapshot
    written = 0
    for _step in range(12):
        chosen = [q for q in rng.sample(pool, rng.randint(1, 4))
                  if q.graph_name.value != INFERRED_GRAPH
                  and not isinstance(q.subject, ox.BlankNode)
                  and not isinstance(q.object, ox.BlankNode)]
        if not chosen:
            continue
        body = " ".join(f"GRAPH <{q.graph_name.value}> {{ {q.subject} {q.predicate} "
                        f"{q.object} }}" for q in chosen)
        before = store.version()
        guard.update(f"{'INSERT' if rng.random() < 0.6 else 'DELETE'} DATA {{ {body} }}")
        if store.version() == before:
            continue
        assert store.changes(before, store.version()) is not None
        written += 1
        check(store, bounded(), rng, 8)
    assert written >= 5
    store.close()


def test_warmed_filters_read_nothing_from_the_store(tmp_path):
    """After ``warm_standards_filters`` (what each query worker runs before it takes requests)
    every filter is decided from the kept snapshot alone: on a store whose time limit has
    already passed (every read refused), the answers are still those of the queries."""
    from stdgraph.catalog.standards_table import warm_standards_filters
    from stdgraph.errors import QueryTimeout

    rng = random.Random(3)
    store = OxigraphStore(tmp_path / "store")
    fill(store, random_quads(rng))
    cache = StateCache()
    expired = Deadline(1e-9)
    time.sleep(0.01)
    assert expired.expired
    with pytest.raises(QueryTimeout):  # not warmed: the first filter has to read the store
        _passing(DeadlineStore(store, expired, cache), {"status": [STATUSES[0]]})
    warm_standards_filters(DeadlineStore(store, Deadline(None), cache))
    nonempty = 0
    for _ in range(30):
        filters = random_filters(rng)
        want = by_queries(store, filters)
        assert _passing(DeadlineStore(store, expired, cache), filters) == want, filters
        nonempty += bool(want)
    assert nonempty >= 5
    store.close()


def test_the_server_warms_the_filters_in_its_query_workers(tmp_path):
    """The pages register ``warm_standards_filters`` with a worker pool's warm-up."""
    from stdgraph.api.app import create_app
    from stdgraph.api.executor import function_ref
    from stdgraph.catalog.standards_table import warm_standards_filters
    from stdgraph.project import Project
    from stdgraph.settings import Settings

    store = OxigraphStore(tmp_path / "store")
    app = create_app(Settings(project=str(Project.locate().root), store=str(tmp_path / "store"),
                              query_processes=True), store=store)
    ctx = app.state.stdgraph
    assert function_ref(warm_standards_filters) in ctx.executor.warm
    store.close()
