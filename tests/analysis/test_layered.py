"""``Layered`` mappings (analysis.layered) read as the dict they stand for, after any series of
edits, whether the changes stay on top or are merged into a new base; and an edit leaves the
mapping it was made from as it was."""

from __future__ import annotations

import pickle
import random

import pytest

from stdgraph.analysis.layered import Edit, Layered, layered


def check(m: Layered, expected: dict) -> None:
    assert len(m) == len(expected)
    assert dict(m.items()) == expected
    assert sorted(m) == sorted(expected)
    assert sorted(m.keys()) == sorted(expected)
    assert m.keyset() == set(expected)
    for other in (set(range(0, 40, 3)), frozenset(range(5, 25)), range(-3, 12)):
        assert m.count_in(other) == len(set(other) & set(expected))
    assert sorted(m.values()) == sorted(expected.values())
    assert m == expected and expected == m
    for k in range(-2, 40):
        assert (k in m) == (k in expected)
        assert m.get(k) == expected.get(k)
        assert m.get(k, "none") == expected.get(k, "none")
        if k in expected:
            assert m[k] == expected[k]
        else:
            with pytest.raises(KeyError):
                m[k]


@pytest.mark.parametrize("merge_min", [0, 4, 1000])
def test_random_edits_read_as_a_dict(merge_min, monkeypatch):
    monkeypatch.setattr(Layered, "MERGE_MIN", merge_min)
    for trial in range(20):
        rng = random.Random(trial)
        start = {k: rng.randint(0, 9) for k in rng.sample(range(30), rng.randint(0, 20))}
        versions = [(layered(dict(start)), dict(start))]
        for _step in range(15):
            old, expected = rng.choice(versions)
            edit = old.edit()
            new = dict(expected)
            for _k in range(rng.randint(0, 6)):
                k = rng.randrange(30)
                op = rng.choice(["set", "pop", "setdefault", "get"])
                if op == "set":
                    v = rng.randint(0, 9)
                    edit[k] = v
                    new[k] = v
                elif op == "pop":
                    assert edit.pop(k, "none") == new.pop(k, "none")
                elif op == "setdefault":
                    assert edit.setdefault(k, 7) == new.setdefault(k, 7)
                else:
                    assert edit.get(k) == new.get(k)
                    assert (k in edit) == (k in new)
            made = edit.done()
            check(made, new)
            versions.append((made, new))
        for m, expected in versions:  # no version changed another
            check(m, expected)


def test_changes_stay_on_top_until_they_grow_past_a_share_of_the_base():
    base = {k: k for k in range(1000)}
    m = layered(base)
    edit = m.edit()
    edit[5000] = 1
    edit.pop(3)
    small = edit.done()
    assert small._base is base  # shared, not copied
    assert small._top == {5000: 1, 3: Edit.GONE}
    edit = small.edit()
    for k in range(Layered.MERGE_MIN + 1):
        edit[10_000 + k] = k
    merged = edit.done()
    assert merged._base is not base and not merged._top
    assert len(merged) == 1000 + 1 + Layered.MERGE_MIN
    assert len(m) == 1000 and 3 in m and 5000 not in m  # the first version as it was


def test_a_layered_mapping_pickles_as_its_items():
    m = layered({1: "a", 2: "b"}).changed({3: "c"})
    back = pickle.loads(pickle.dumps(m))
    assert isinstance(back, Layered) and back == {1: "a", 2: "b", 3: "c"}
