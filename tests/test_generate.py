"""benchmarks/generate.py: deterministic, well-formed, the documented shape."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402

SG = "https://w3id.org/stdgraph/ontology#"


def test_same_seed_same_bytes_other_seed_other_bytes():
    a = generate.nquads_bytes(300, seed=7)
    assert a == generate.nquads_bytes(300, seed=7)
    assert a != generate.nquads_bytes(300, seed=8)


def test_shape(tmp_path):
    path = tmp_path / "g.nt"
    n = generate.write(path, 500)
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == n
    per_standard = Counter(t.subject.value for t in triples
                           if t.predicate.value == SG + "classifiedIn")
    assert len(per_standard) == 500
    assert set(per_standard.values()) <= set(range(1, 9))
    elements = {t.object.value for t in triples if t.predicate.value == SG + "classifiedIn"}
    assert len(elements) <= 150
    use = Counter(t.object.value for t in triples if t.predicate.value == SG + "classifiedIn")
    counts = sorted(use.values(), reverse=True)
    assert counts[0] > 5 * counts[len(counts) // 2]  # skewed
    for p in ("identifier", "publisher", "status"):
        assert sum(1 for t in triples if t.predicate.value == SG + p) == 500


def test_nquads_have_two_graphs_and_sto_variant_parses(tmp_path):
    quads = list(ox.parse(generate.nquads_bytes(50), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {generate.ARCH_GRAPH, generate.STANDARDS_GRAPH}
    sto = tmp_path / "sto.nt"
    generate.write(sto, 50, vocabulary="sto")
    triples = list(ox.parse(path=str(sto), format=ox.RdfFormat.N_TRIPLES))
    assert sum(1 for t in triples
               if t.predicate.value == "https://w3id.org/i40/sto#hasClassification") >= 50
