"""``PairIndex.updated`` (the overlaps' pair index brought up to date after a write, issue 20):
after any series of standards added, removed and given other sets, at any place in IRI order,
the updated index gives the pairs (top-k engine and every pair), the pairs of groups per score
band, the groups' partners and a standard's group that an index made afresh gives, whether it
keeps its empty groups or is made afresh itself; and an update leaves the index it came from
as it was."""

from __future__ import annotations

import bisect
import itertools
import random
from fractions import Fraction

import pytest

from stdgraph.analysis.overlaps import FullPairs, PairIndex


def brute(sets: list[frozenset[int]], m: int) -> list[tuple[int, int, int, int]]:
    return sorted(((a, b, len(sets[a] & sets[b]), len(sets[a] | sets[b]))
                   for a, b in itertools.combinations(range(len(sets)), 2)
                   if len(sets[a] & sets[b]) >= m),
                  key=lambda x: (-Fraction(x[2], x[3]), -x[2], x[0], x[1]))


def group_pairs(index: PairIndex, t: Fraction) -> set[frozenset[frozenset[int]]]:
    """The pairs of (non-empty) groups with score >= t, by their sets (a group of several
    standards with itself: its set alone)."""
    return {frozenset((index.sigs[g], index.sigs[h])) for g, h in index.pairs_at_least(t)}


def same(index: PairIndex, fresh: PairIndex, sets: list[frozenset[int]], m: int) -> None:
    expected = brute(sets, m)
    for k in (1, 3, 10, 1000):  # the head carried over first, then the stream
        assert index.head(k) == expected[:k], k
    assert list(index.pairs()) == list(fresh.pairs()) == expected
    assert list(FullPairs(index, len(sets))) == brute(sets, m)
    for t in (Fraction(0), Fraction(1, 2), Fraction(9, 10)):
        assert group_pairs(index, t) == group_pairs(fresh, t)
    for x in range(len(sets)):
        g, h = index.group_of(x), fresh.group_of(x)
        assert (g is None) == (h is None)
        if g is None:
            continue
        assert index.sigs[g] == fresh.sigs[h] == sets[x]
        assert index.members_of(g) == fresh.members_of(h)
        found = {(index.sigs[j], s) for j, s in zip(*(a.tolist() for a in index.partners_shared(
            g, Fraction(1, 3))), strict=True) if index.count[j]}
        assert found == {(fresh.sigs[j], s) for j, s in zip(*(a.tolist() for a in
                         fresh.partners_shared(h, Fraction(1, 3))), strict=True)}


@pytest.mark.parametrize("empty_min,head,lag", [(0, 2002, 4096), (3, 4, 2), (10**6, 1, 0)])
def test_an_updated_index_is_one_made_afresh(empty_min, head, lag, monkeypatch):
    monkeypatch.setattr(PairIndex, "EMPTY_MIN", empty_min)
    monkeypatch.setattr(PairIndex, "HEAD", head)
    monkeypatch.setattr(PairIndex, "POSTED_LAG", lag)  # the postings carried over, or not
    for trial in range(25):
        rng = random.Random(trial)
        t, m = rng.randint(2, 14), rng.randint(1, 3)

        def draw(rng=rng, t=t) -> frozenset[int]:
            return frozenset(rng.sample(range(t), rng.randint(0, min(t, 6))))

        names = sorted(rng.sample(range(1000), rng.randint(0, 30)))
        held = {x: draw() for x in names}
        if held and rng.random() < 0.5:  # many identical sets
            common = draw()
            held = {x: common if rng.random() < 0.5 else s for x, s in held.items()}
        index = PairIndex([held[x] for x in names], t, m)
        list(index.pairs())  # fills the bands kept with the index
        index.head(2)  # and the head of the pairs
        kept = [(index, list(index.pairs()))]
        for _step in range(8):
            changed = set(rng.sample(range(1000), rng.randint(0, 4)))
            changed |= set(rng.sample(names, min(len(names), rng.randint(0, 3))))
            new = dict(held)
            for x in changed:
                if x in new and rng.random() < 0.4:
                    del new[x]
                else:
                    new[x] = draw() if rng.random() < 0.7 else rng.choice(
                        list(held.values()) or [draw()])
            new_names = sorted(new)
            removed = [bisect.bisect_left(names, x) for x in changed if x in held]
            added = [bisect.bisect_left(new_names, x) for x in changed if x in new]
            sets = [new[x] for x in new_names]
            tokens = t + rng.randint(0, 70)  # new token numbers may come
            updated = index.updated(sets, tokens, removed, added)
            if index._head is not None and not index._head_all and updated._head is not None:
                assert len(updated._head) <= len(index._head)  # it does not grow with writes
            same(updated, PairIndex(sets, tokens, m), sets, m)
            for old, pairs in kept:  # the index an update came from is as it was
                assert list(old.pairs()) == pairs
            kept.append((updated, list(updated.pairs())))
            index, held, names = updated, new, new_names
