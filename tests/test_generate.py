"""benchmarks/generate.py: deterministic, well-formed, the documented shape, in both
vocabularies; the STO variant imports into exactly the resources it describes."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402
from stdgraph.importers.sto import CuratedLinks, import_sto  # noqa: E402
from stdgraph.store import MemoryStore  # noqa: E402

SG = "https://w3id.org/stdgraph/ontology#"
STO = "https://w3id.org/i40/sto#"
RDF_TYPE = generate.RDF_TYPE
RDFS_LABEL = generate.RDFS_LABEL
SKOS = generate.SKOS
SOURCE = generate.DCTERMS_SOURCE
N = 500


def parse(n: int, **kwargs) -> list[ox.Quad]:
    return list(ox.parse(generate.nquads_bytes(n, **kwargs), format=ox.RdfFormat.N_QUADS))


def by_predicate(quads) -> Counter:
    return Counter(q.predicate.value for q in quads)


def types(quads) -> Counter:
    return Counter(q.object.value for q in quads if q.predicate.value == RDF_TYPE)


def test_same_seed_same_bytes_other_seed_other_bytes():
    for vocabulary in ("stdgraph", "sto"):
        a = generate.nquads_bytes(300, seed=7, vocabulary=vocabulary)
        assert a == generate.nquads_bytes(300, seed=7, vocabulary=vocabulary)
        assert a != generate.nquads_bytes(300, seed=8, vocabulary=vocabulary)


def test_sizes_at_seed_42_are_pinned():
    """The benchmarks' inputs: a change to the generator shows up here (and in the figures)."""
    assert sum(1 for _ in generate.quads(1000)) == 11_483
    assert sum(1 for _ in generate.quads(1000, vocabulary="sto")) == 10_187


def test_stdgraph_vocabulary_counts(tmp_path):
    path = tmp_path / "g.nt"
    n = generate.write(path, N)
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    assert len(quads) == n
    schemes, elements, bodies, barriers = 6, 150, generate.BODIES, generate.BARRIERS
    assert types(quads) == {
        SG + "ReferenceArchitecture": schemes, SKOS + "ConceptScheme": schemes,
        SG + "ArchitectureElement": elements, SKOS + "Concept": elements,
        SG + "StandardsBody": bodies, SG + "Barrier": barriers, SG + "Standard": N}
    p = by_predicate(quads)
    assert p[RDFS_LABEL] == schemes + bodies + N
    assert p[SKOS + "prefLabel"] == elements + barriers
    assert p[SKOS + "inScheme"] == elements
    assert p[SOURCE] == schemes + elements + bodies + barriers + N  # every resource
    for name in ("identifier", "publisher", "status"):
        assert p[SG + name] == N
    per_standard = Counter(q.subject.value for q in quads if q.predicate.value == SG + "classifiedIn")
    assert len(per_standard) == N and set(per_standard.values()) <= set(range(1, 9))
    distinct = {(q.subject.value, q.object.value) for q in quads
                if q.predicate.value == SG + "classifiedIn"}
    assert len(distinct) == p[SG + "classifiedIn"]  # no element twice for one standard
    use = Counter(q.object.value for q in quads if q.predicate.value == SG + "classifiedIn")
    counts = sorted(use.values(), reverse=True)
    assert counts[0] > 5 * counts[len(counts) // 2]  # Zipf-skewed
    for rel in ("partOf", "supersedes", "references"):  # always to an earlier standard
        for q in quads:
            if q.predicate.value == SG + rel:
                assert q.object.value < q.subject.value
    scheme_of = {q.subject.value: q.object.value for q in quads
                 if q.predicate.value == SKOS + "inScheme"}
    for q in quads:
        if q.predicate.value in {SKOS + "exactMatch", SKOS + "closeMatch"}:
            assert scheme_of[q.subject.value] != scheme_of[q.object.value]
    assert p[SKOS + "exactMatch"] + p[SKOS + "closeMatch"] <= generate.MAPPINGS
    assert total(p) == len(quads)


def total(p: Counter) -> int:
    return sum(p.values())


def test_nquads_have_two_graphs():
    quads = parse(50)
    assert {q.graph_name.value for q in quads} == {generate.ARCH_GRAPH, generate.STANDARDS_GRAPH}
    assert {q.subject.value for q in quads if q.graph_name.value == generate.ARCH_GRAPH} == {
        generate.scheme_iri(j) for j in range(6)} | {
        generate.element_iri(i % 6, i) for i in range(150)}


def test_sto_vocabulary_counts():
    quads = parse(N, vocabulary="sto")
    assert types(quads) == {
        STO + "StandardizationFramework": 6, STO + "StandardClassification": 150,
        STO + "StandardOrganization": generate.BODIES, STO + "Standard": N,
        "http://www.w3.org/2002/07/owl#NamedIndividual": N}
    p = by_predicate(quads)
    assert p[RDFS_LABEL] == 6 + 150 + generate.BODIES + N
    assert p[STO + "isDescribedin"] == 150
    assert p[STO + "hasPublisher"] == p[STO + "hasStatus"] == N
    statuses = Counter(q.object.value for q in quads if q.predicate.value == STO + "hasStatus")
    assert set(statuses) <= set(generate.STO_STATUS.values())
    assert p[SG + "identifier"] == p[SOURCE] == 0  # nothing of stdgraph's own vocabulary
    assert not any(q.predicate.value.startswith(SG) or q.object.value.startswith(SG)
                   for q in quads)


@pytest.fixture(scope="module")
def sto_import(tmp_path_factory):
    path = tmp_path_factory.mktemp("sto") / "bench.nt"
    generate.write(path, N, vocabulary="sto")
    store = MemoryStore()
    result = import_sto(store, path, name="bench", links=CuratedLinks())
    source = list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    return store, result, source


def test_sto_variant_imports_into_the_resources_it_describes(sto_import):
    """Every count of the import graph, computed from the generated file on its own."""
    store, result, source = sto_import
    out = list(store.triples(result.graph))
    kinds = Counter(str(o) for _s, p, o in out if str(p) == RDF_TYPE)
    assert kinds[SG + "Standard"] == N
    assert kinds[SG + "ReferenceArchitecture"] == 6  # no scheme of unresolved classifications
    assert kinds[SG + "ArchitectureElement"] == 150
    assert kinds[SG + "StandardsBody"] == generate.BODIES
    src = by_predicate(source)
    pairs = {frozenset((q.subject.value, q.object.value)) for q in source
             if q.predicate.value == STO + "alignsWith"}
    assert kinds[SG + "ArchitectureMapping"] == len(pairs)  # all across frameworks
    got = Counter(str(p) for _s, p, _o in out)
    assert got[SG + "classifiedIn"] == src[STO + "hasClassification"]
    assert got[SG + "partOf"] == src[STO + "isPartOf"]
    related = {(q.subject.value, q.object.value) for q in source
               if q.predicate.value in {STO + "relatedTo", STO + "hasPreviousVersion"}}
    assert got[SG + "relatedTo"] == len(related)
    assert got[SG + "publisher"] == N
    back = {v: k for k, v in generate.STO_STATUS.items()}
    want = Counter(SG + back[q.object.value] for q in source
                   if q.predicate.value == STO + "hasStatus")
    assert Counter(str(o) for _s, p, o in out if str(p) == SG + "status") == want
    assert result.summary["standards"]["unknown_status"] == []
    assert result.summary["elements"]["without_framework"] == []
