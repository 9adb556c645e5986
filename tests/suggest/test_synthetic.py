"""The synthetic standards with text (benchmarks/generate.py, ``text=True``): the near-duplicates
it plants are exactly the pairs the suggestions flag as near-duplicates, on a small graph read
from a real store; and blocking, forced on it, finds the same pairs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stdgraph.store import OxigraphStore
from stdgraph.suggest.corpus import read_corpus
from stdgraph.suggest.methods import NEAR_DUPLICATE, Blocking, Suggester

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate  # noqa: E402

N = 300


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    with OxigraphStore(tmp_path_factory.mktemp("synthetic") / "store") as st:
        generate.load_store(st, N, text=True)
        return read_corpus(st)


def planted() -> set[tuple[str, str]]:
    return {(generate.standard_iri(a), generate.standard_iri(b))
            for a, b, _ in generate.standard_texts(N)[1]}


def test_the_texts_and_the_planted_pairs_are_as_described(corpus):
    texts, pairs = generate.standard_texts(N)
    assert len(texts) == N and len(pairs) == 22  # about a tenth after the first ten
    originals = [a for a, _, _ in pairs]
    assert len(set(originals)) == len(originals)  # each original copied once
    assert not {a for a, _, _ in pairs} & {b for _, b, _ in pairs}  # no copy of a copy
    for a, b, kind in pairs:
        assert a < b and texts[a][1] == texts[b][1]  # the same title
        assert texts[b][0].startswith(f"BENCH {a}:" if kind == "edition" else f"BENCH TS {a}")
        assert texts[a][2] != texts[b][2]  # a reworded description
    # the texts come from a stream of their own: the rest of the graph is the same
    words = ("#label>", "#identifier>", "/terms/title>", "/terms/description>")

    def rest(quads):
        return [q for q in quads if not q[1].endswith(words)]

    assert rest(generate.quads(50)) == rest(generate.quads(50, text=True))
    standard = next(r for r in corpus.resources.values() if r.kind == "standard")
    assert standard.text.count("\n") == 2  # identifier, title, description


@pytest.mark.parametrize("blocking", [None, Blocking(from_standards=0, candidates=10)],
                         ids=["every pair", "blocked"])
def test_the_planted_near_duplicates_are_exactly_the_flagged_pairs(corpus, blocking):
    sg = Suggester(corpus, blocking=blocking)
    pairs = sg.pairs(min_score=0.3)
    flagged = {(x.subject, x.object) for x in pairs
               if x.duplicate is not None and x.duplicate >= NEAR_DUPLICATE}
    assert flagged == planted()
