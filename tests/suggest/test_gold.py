"""The near-duplicate gold set (benchmarks/suggest_gold.tsv) is well formed: at least 150 pairs,
each once, of standards the I40KG file has, each with a known label and a rationale."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "benchmarks" / "suggest_gold.tsv"
I40KG = ROOT.parent / "shared" / "data" / "i40kg" / "i40kg.ttl"
LABELS = {"duplicate", "edition", "series-part", "sibling", "related", "unrelated"}
STRATA = {"same-number", "shared-cells", "top-suggested", "same-part"}


def rows() -> list[list[str]]:
    lines = [x for x in GOLD.read_text(encoding="utf-8").splitlines()
             if x and not x.startswith("#")]
    assert lines[0].split("\t") == ["a", "b", "stratum", "label", "rationale"]
    return [x.split("\t") for x in lines[1:]]


def test_gold_set_is_well_formed():
    gold = rows()
    assert len(gold) >= 150
    assert all(len(r) == 5 for r in gold)
    assert all(r[2] in STRATA and r[3] in LABELS and len(r[4]) > 20 for r in gold)
    pairs = Counter(frozenset(r[:2]) for r in gold)
    assert max(pairs.values()) == 1 and all(len(p) == 2 for p in pairs)
    labels = Counter(r[3] for r in gold)
    assert labels["duplicate"] + labels["edition"] == 61


@pytest.mark.skipif(not I40KG.is_file(), reason="the I40KG file is not beside the repository")
def test_every_gold_standard_is_in_the_i40kg_file():
    text = I40KG.read_text(encoding="utf-8")
    defined = set(re.findall(r"^sto:(\S+) rdf:type", text, re.M))
    names = {n for r in rows() for n in r[:2]}
    assert names <= defined, sorted(names - defined)[:5]
