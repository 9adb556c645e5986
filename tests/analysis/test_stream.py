"""Full results stream (issue 20, item 3): ``limit=0`` answers are written as their items are
made, in the documented order, with memory bounded by a constant rather than by the number of
pairs. The streamed text is the whole document's (JSON, CSV; JSON lines are its items), on
the CLI too; the every-pair engine (``FullPairs``) gives exactly the top-k engine's order;
and the memory a stream takes does not grow with the number of pairs."""

from __future__ import annotations

import itertools
import json
import random
import sys
import tracemalloc
from fractions import Fraction
from pathlib import Path

import pytest

import stdgraph.analysis.overlaps as overlaps_module
from stdgraph.analysis import REGISTRY, run, stream
from stdgraph.analysis.common import csv_cell, csv_rows, to_json
from stdgraph.analysis.overlaps import FullPairs, PairIndex, PairItems, PairTexts
from stdgraph.deadline import Deadline
from stdgraph.importers.sto import CuratedLinks, import_sto
from stdgraph.store import OxigraphStore
from stdgraph.store.bounded import DeadlineStore, StateCache
from support.analysis_graph import build_into, fa, fb, project_dir
from support.analysis_oracle import conflicts as oracle_conflicts
from support.analysis_oracle import overlaps as oracle_overlaps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate  # noqa: E402

CASES = [("overlaps", {}), ("overlaps", {"expand": "true", "min_shared": "1"}),
         ("clusters", {"threshold": "0.3"}), ("gaps", {}), ("conflicts", {}),
         ("conflicts", {"kinds": "classification-mismatch,declared"})]


def sto(tmp: Path, standards: int, seed: int = 3) -> OxigraphStore:
    path = tmp / f"sto-{standards}.nt"
    generate.write(path, standards, seed=seed, vocabulary="sto", schemes=4, elements=30,
                   count_zipf=1.2)
    store = OxigraphStore(tmp / f"store-{standards}")
    import_sto(store, path, links=CuratedLinks())
    return store


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stream-lib")
    fixture = build_into(OxigraphStore(tmp / "fixture"), project_dir(tmp))
    yield {"fixture": fixture, "sto": sto(tmp, 200)}


@pytest.mark.parametrize("name,params", CASES)
@pytest.mark.parametrize("which", ["fixture", "sto"])
def test_the_stream_is_the_document(stores, which, name, params):
    store = stores[which]
    spec = REGISTRY.get(name)
    if name == "gaps" and which == "fixture":
        params = {"rows": fa("axis"), "columns": fb("axis")}
    for limit in ("0", "4"):
        raw = {**params, "limit": limit}
        doc = run(name, store, raw)
        for fmt in ("json", "csv", "table"):
            assert "".join(spec.render_stream(spec.stream(store, raw), fmt)) == \
                spec.render(doc, fmt), (fmt, limit)
        lines = "".join(spec.render_stream(stream(name, store, raw), "ndjson")).splitlines()
        assert [json.loads(x) for x in lines] == doc.items
        assert spec.render(doc, "ndjson").splitlines() == lines


ORACLE = {"overlaps": oracle_overlaps.overlaps, "conflicts": oracle_conflicts.conflicts}
ORACLE_CASES = [("overlaps", {}), ("overlaps", {"min_shared": "1"}),
                ("overlaps", {"expand": "true", "dimensions": "all"}),
                ("overlaps", {"evidence": "stated"}), ("conflicts", {})]


@pytest.mark.parametrize("small", [False, True])
@pytest.mark.parametrize("seed", [11, 12])
def test_a_streamed_text_is_the_oracles_document(seed, small, tmp_path, monkeypatch):
    """The text ``limit=0`` streams (made without the items' dicts where it can: each
    standard's, shared set's and graphs' text kept, the rest filled in) is, in every
    streamed format, the text of the document the implementation before computed (the
    oracle, tests/support/analysis_oracle), on random STO graphs and on the fixture (related
    standards, classifications in several files, elements declared the same); ``small``:
    blocks of 7 pairs and caches of 3 entries, so that every cache is cleared and refilled
    on the way."""
    if small:
        monkeypatch.setattr(overlaps_module, "STREAM_BATCH", 7)
        monkeypatch.setattr(PairItems, "KEEP", 3)
        monkeypatch.setattr(PairTexts, "STANDARDS", 3)
    stores = {"sto": sto(tmp_path, 90 + 30 * (seed % 2), seed=seed),
              "fixture": build_into(OxigraphStore(tmp_path / "fixture"), project_dir(tmp_path))}
    for which, store in stores.items():
        for name, params in ORACLE_CASES:
            spec = REGISTRY.get(name)
            raw = {**params, "limit": "0"}
            doc = ORACLE[name](store, raw)
            assert doc.items or params, (which, name)  # something to compare
            for fmt in ("json", "ndjson", "csv"):
                got = "".join(spec.render_stream(spec.stream(store, raw), fmt))
                assert got == spec.render(doc, fmt), (which, name, params, fmt)
        store.close()


def test_a_csv_cell_is_quoted_as_the_csv_writer_quotes_it():
    """The streamed CSV rows are joined from cells quoted one by one (``csv_cell``): the
    same text as the csv module's row, for every kind of cell."""
    tricky = ["", "plain", "a, b", 'say "x"', "two\nlines", "cr\r", " lead", "tail ", "a | b",
              "é ü", "'single'", "%s %", "\t"]
    rng = random.Random(5)
    for _ in range(200):
        row = [rng.choice(tricky) for _ in range(rng.randint(2, 6))]
        assert ",".join(map(csv_cell, row)) + "\r\n" == csv_rows([row]), row


def test_every_pair_engine_is_the_top_pairs_engine():
    """FullPairs (limit=0) against PairIndex.pairs (the banded top-k engine) and brute force,
    with batches of every size."""
    try:
        for trial in range(120):
            rng = random.Random(trial)
            n, t, m = rng.randint(0, 60), rng.randint(1, 40), rng.randint(1, 3)
            sets = [frozenset(rng.sample(range(t), rng.randint(0, min(t, 9)))) for _ in range(n)]
            if rng.random() < 0.4:  # many identical sets
                sets = [rng.choice(sets[:4]) if sets and rng.random() < 0.5 else x for x in sets]
            FullPairs.BATCH = rng.choice([1, 7, 1 << 20])
            FullPairs.DENSE = rng.choice([0, 1, 16, 1 << 30])  # sorted, both, counted
            full = FullPairs(PairIndex(sets, t, m), n)
            got = list(full)
            assert full.count == len(got)
            assert got == list(PairIndex(sets, t, m).pairs()), trial
            expected = sorted(
                ((a, b, len(sets[a] & sets[b]), len(sets[a] | sets[b]))
                 for a, b in itertools.combinations(range(n), 2)
                 if len(sets[a] & sets[b]) >= m),
                key=lambda x: (-Fraction(x[2], x[3]), -x[2], x[0], x[1]))
            assert got == expected, trial
    finally:
        FullPairs.BATCH, FullPairs.DENSE = 1 << 20, 16


def _stream_peak(store, name: str, params: dict) -> tuple[int, int]:
    """(items, peak bytes traced) of consuming a limit=0 JSON-lines stream, the store's
    snapshot built beforehand (it grows with the store, not with the pairs)."""
    cache = StateCache()
    spec = REGISTRY.get(name)
    warm = DeadlineStore(store, Deadline(None), cache)
    spec.run(warm, {**params, "limit": "1"})
    tracemalloc.start()
    try:
        n = 0
        for piece in spec.render_stream(
                spec.stream(DeadlineStore(store, Deadline(None), cache),
                            {**params, "limit": "0"}), "ndjson"):
            n += piece.count("\n")
        return n, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def two_sizes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stream-sizes")
    small, large = sto(tmp, 200, seed=8), sto(tmp, 700, seed=8)
    yield small, large
    small.close()
    large.close()


@pytest.mark.parametrize("name,params", [("overlaps", {"min_shared": "1"})])
def test_a_streams_memory_does_not_grow_with_the_pairs(two_sizes, name, params):
    small, large = two_sizes
    saved = FullPairs.BATCH, PairItems.KEEP, PairTexts.STANDARDS
    # the constants: pairs held between two writes to the temporary file, and what the items
    # have in common kept for the next ones (shared elements, graphs, standards' texts)
    FullPairs.BATCH, PairItems.KEEP, PairTexts.STANDARDS = 5000, 500, 500
    try:
        n_small, peak_small = _stream_peak(small, name, params)
        n_large, peak_large = _stream_peak(large, name, params)
    finally:
        FullPairs.BATCH, PairItems.KEEP, PairTexts.STANDARDS = saved
    assert n_large > 8 * n_small > 5_000
    # 3.5 times the standards, over eight times the pairs: the peak stays where it was (the
    # part that grows with the store, not the pairs: a label per standard, the index)
    assert peak_large < 2 * peak_small, (n_small, peak_small, n_large, peak_large)


def test_the_cli_writes_the_stream(stores, run_cli):
    store = stores["sto"]
    where = str(store.root)
    res = run_cli("analyse", "overlaps", "--store", where, "--limit", "0", "--format", "json")
    assert res.code == 0, res.err
    doc = run("overlaps", store, {"limit": "0"})
    assert res.out == to_json(doc)
    res = run_cli("analyse", "conflicts", "--store", where, "--limit", "0", "--format",
                  "ndjson")
    assert res.code == 0, res.err
    assert [json.loads(x) for x in res.out.splitlines()] == run(
        "conflicts", store, {"limit": "0"}).items
    res = run_cli("analyse", "overlaps", "--store", where, "--limit", "0", "--format", "csv")
    assert res.out == REGISTRY.get("overlaps").render(doc, "csv")


# -- a standard's own overlaps and conflicts (the pages' per-standard views) --------------------

@pytest.mark.parametrize("which", ["fixture", "sto"])
def test_a_standards_overlaps_and_conflicts_are_those_of_the_whole_answer(stores, which):
    from stdgraph.analysis.conflicts import standard_conflicts
    from stdgraph.analysis.evidence import LinkReader
    from stdgraph.analysis.overlaps import standard_overlaps

    store = stores[which]
    for params in ({}, {"min_shared": "1"}, {"expand": "true", "dimensions": "all"}):
        every = run("overlaps", store, {**params, "limit": "0"}).items
        for iri in sorted({i["a"] for i in every} | {i["b"] for i in every})[:40]:
            assert standard_overlaps(store, iri, params) == [
                i for i in every if iri in (i["a"], i["b"])], (params, iri)
    for params in ({}, {"kinds": "classification-mismatch,declared"}):
        every = run("conflicts", store, {**params, "limit": "0"}).items
        standards = set(LinkReader(store).instances())
        subjects = sorted({s["iri"] for i in every for s in i["subjects"]} & standards)
        for iri in subjects[:40] + ["https://example.org/none"]:
            assert standard_conflicts(store, iri, params) == [
                i for i in every if any(s["iri"] == iri for s in i["subjects"])], (params, iri)
