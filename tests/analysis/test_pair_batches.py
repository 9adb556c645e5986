"""``PairIndex.set_pairs`` verifies its candidate pairs in numpy batches of ``BATCH`` (what
bounds the memory of the overlaps and clusters at 100k standards): the pairs found do not depend
on the batch size."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from stdgraph.analysis.overlaps import PairIndex


@pytest.mark.parametrize("seed", range(4))
def test_set_pairs_do_not_depend_on_the_batch(seed, monkeypatch):
    rng = random.Random(seed)
    tokens = 12
    sets = [frozenset(rng.sample(range(tokens), rng.randint(1, 6))) for _ in range(300)]
    found: dict[Fraction, tuple] = {}
    ordered: list = []
    for batch in (10**9, 1000, 7, 1):
        monkeypatch.setattr(PairIndex, "BATCH", batch)
        index = PairIndex(sets, tokens, 2)
        for t in (Fraction(0), Fraction(1, 3), Fraction(7, 10)):
            got = tuple(a.tolist() for a in index.set_pairs(t))
            found.setdefault(t, got)
            assert got == found[t], (batch, t)
        pairs = list(index.pairs())
        ordered = ordered or pairs
        assert pairs == ordered, batch
    assert len(found[Fraction(0)][0]) > 1000  # many pairs, so many batches
