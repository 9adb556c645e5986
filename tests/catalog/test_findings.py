"""A resource's own rows of the analyses (``stdgraph.catalog.findings``), read for that resource
only, equal the rows of the full analysis that involve it: the overlaps and conflicts of every
standard, the gap of every barrier, theme, technology and roadmap item, at every evidence
level; on the analysis, evidence and sameElementAs fixtures, the bundled graph, and random
graphs (``benchmarks/generate.py`` at a small size, with statement records of every kind,
graph-level defaults, links only the inferred graph holds, series, supersession cycles,
declared conflicts and sameElementAs pairs added at random). And the links they rest on
(``stdgraph.catalog.links.Links``) equal ``LinkReader``'s."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from stdgraph.analysis import ANALYSES
from stdgraph.analysis.evidence import LEVELS, ROADMAP_ITEM, STANDARD, Evidence, LinkReader
from stdgraph.catalog.findings import GAP_KINDS, StandardFindings, conflicts_of, gap_of, overlaps_of
from stdgraph.catalog.links import Links
from stdgraph.rdf.namespaces import INFERRED_GRAPH
from stdgraph.store import MemoryStore, OxigraphStore
from stdgraph.store.base import Store
from support.analysis_graph import FIXTURE, build_into, project_dir
from support.serving import build_store

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate  # noqa: E402

SG = "https://w3id.org/stdgraph/ontology#"
EX = "https://example.org/random/"


def full(store: Store, name: str, evidence: Evidence) -> list[dict]:
    raw = {"limit": "0", **{k: str(v) for k, v in evidence.describe().items()}}
    return ANALYSES[name].run(store, raw).as_dict()["items"]


def instances(store: Store, cls: str) -> list[str]:
    return sorted(str(x) for (x,) in store.query(f"SELECT DISTINCT ?x WHERE {{ ?x a <{cls}> }}")
                  .rows)


def check(store: Store, evidence: Evidence = Evidence(), standards: list[str] | None = None
          ) -> None:
    """Every standard's overlaps and conflicts, every concern's and roadmap item's gap, equal
    to the full analyses' rows about it."""
    overlaps, conflicts = full(store, "overlaps", evidence), full(store, "conflicts", evidence)
    gaps = full(store, "gaps", evidence)
    for s in standards if standards is not None else instances(store, SG + "Standard"):
        assert overlaps_of(store, s, evidence) == [o for o in overlaps if s in (o["a"], o["b"])], s
        assert conflicts_of(store, s, evidence) == [
            c for c in conflicts if any(x["iri"] == s for x in c["subjects"])], s
    for kind, (cls, _p, _v) in GAP_KINDS.items():
        for x in instances(store, cls):
            want = next(({k: v for k, v in g.items() if k != "coverage"} for g in gaps
                         if g["subject"] == x and g["kind"] == kind), None)
            assert gap_of(store, x, kind, evidence) == want, (kind, x)


# -- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def analysis_store(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("findings")
    st = OxigraphStore(tmp / "store") if request.param == "oxigraph" else MemoryStore()
    return build_into(st, project_dir(tmp))


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def evidence_store(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("findings-ev")
    st = OxigraphStore(tmp / "store") if request.param == "oxigraph" else MemoryStore()
    return build_into(st, project_dir(tmp, FIXTURE.parent / "evidence" / "data"))


def test_the_analysis_fixture(analysis_store):
    check(analysis_store)


@pytest.mark.parametrize("level", LEVELS)
def test_the_evidence_fixture_at_every_level(evidence_store, level):
    check(evidence_store, Evidence(level, "0.5"))
    check(evidence_store, Evidence(level, "0.9"))


def test_elements_declared_the_same(tmp_path):
    from analysis.test_same_element import GRAPH, triples

    for st in (OxigraphStore(tmp_path / "store"), MemoryStore()):
        st.replace_all({GRAPH: triples()})
        check(st)


def test_the_bundled_graph(tmp_path_factory):
    path = build_store(None, tmp_path_factory.mktemp("findings-bundled") / "store")
    st = OxigraphStore(path, read_only=True)
    check(st)


# -- random graphs -----------------------------------------------------------------------------

def random_graph(seed: int, standards: int = 40) -> dict[str, list[tuple]]:
    """``generate.py``'s graph of ``standards`` standards (few elements, so they overlap),
    with what it lacks added at random."""
    import pyoxigraph as ox

    from stdgraph.rdf.io import to_rdflib

    graphs: dict[str, list[tuple]] = {}
    data = generate.nquads_bytes(standards, seed=seed, elements=24, schemes=3)
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(q.graph_name.value, []).append(
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    rng = random.Random(seed)
    std = [URIRef(generate.standard_iri(n)) for n in range(standards)]
    elems = [URIRef(generate.element_iri(i % 3, i)) for i in range(24)]
    barriers = sorted({o for g in graphs.values() for s, p, o in g
                       if str(p) == SG + "addressesBarrier"} | {URIRef(EX + "barrier/x")})
    sg = lambda n: URIRef(SG + n)  # noqa: E731
    main, records = generate.STANDARDS_GRAPH, EX + "graph/records"
    reading, suggested = EX + "graph/reading", EX + "graph/suggested"
    add = graphs.setdefault
    add(records, [])
    # graphs with a default: read, suggested with a score
    add(reading, []).append((URIRef(reading), sg("evidence"), sg("Reading")))
    add(suggested, []).extend([(URIRef(suggested), sg("evidence"), sg("Suggested")),
                               (URIRef(suggested), sg("score"), Literal("0.6",
                                                                         datatype=XSD.decimal))])
    n_record = 0

    def record(s, p, o, kind, score=None, premise=None):
        nonlocal n_record
        n_record += 1
        r = URIRef(f"{EX}record/{n_record}")
        graphs[records].extend([(r, RDF.type, RDF.Statement), (r, RDF.subject, s),
                                (r, RDF.predicate, p), (r, RDF.object, o),
                                (r, sg("evidence"), sg(kind))])
        if score is not None:
            graphs[records].append((r, sg("score"), Literal(score, datatype=XSD.decimal)))
        if premise is not None:
            graphs[records].append((r, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"),
                                    premise))
        return r

    kinds = ["Stated", "Reading", "Suggested", "Inferred"]
    links = [(s, p, o) for s, p, o in graphs[main] if str(p) in {
        SG + "classifiedIn", SG + "status", SG + "partOf", SG + "supersedes",
        SG + "references", SG + "addressesBarrier"}]
    last = None
    for s, p, o in rng.sample(links, len(links) // 4):
        kind = rng.choice(kinds)
        last = record(s, p, o, kind, score=rng.choice(["0.3", "0.7", None]),
                      premise=last if kind == "Inferred" and last is not None else None)
    for _ in range(standards // 3):  # links in graphs with a default, some with a record too
        g = rng.choice([reading, suggested, INFERRED_GRAPH])
        t = (rng.choice(std), sg("classifiedIn"), rng.choice(elems))
        add(g, []).append(t)
        if rng.random() < 0.3:
            record(*t, rng.choice(kinds[:3]), score="0.9")
    extra = graphs[main]
    for _ in range(4):
        extra.append((rng.choice(elems), sg("sameElementAs"), rng.choice(elems)))
    for _ in range(standards // 10):
        extra.append((rng.choice(std), sg("hasPart"), rng.choice(std)))
        extra.append((rng.choice(std), sg("supersededBy"), rng.choice(std)))
        a, b = rng.sample(std, 2)
        extra.append((a, sg("conflictsWith"), b))
        if rng.random() < 0.5:
            record(a, sg("conflictsWith"), b, rng.choice(kinds[:2]))
    a, b, c = rng.sample(std, 3)
    extra += [(a, sg("supersedes"), b), (b, sg("supersedes"), a), (c, sg("supersedes"), c),
              (a, sg("normativelyReferences"), c)]
    for k in range(4):  # barrier hierarchy, themes, technologies, roadmap items
        x, y = rng.sample(barriers, 2)
        extra.append((x, SKOS.broader, y))
        theme, tech = URIRef(f"{EX}theme/{k}"), URIRef(f"{EX}technology/{k}")
        item = URIRef(f"{EX}roadmap-item/{k}")
        extra += [(theme, RDF.type, sg("Theme")), (theme, RDFS.label, Literal(f"Theme {k}")),
                  (tech, RDF.type, sg("Technology")), (item, RDF.type, sg("RoadmapItem")),
                  (item, sg("timeframeLabel"), Literal(f"term {k}")),
                  (rng.choice(std), sg("supportsTheme"), theme),
                  (rng.choice(std), sg("concernsTechnology"), tech),
                  (item, sg("delivers"), rng.choice(std)),
                  (rng.choice(std), sg("serves"), item),
                  (item, sg("references"), rng.choice(std))]
        if k:
            extra.append((URIRef(f"{EX}theme/{k}"), SKOS.narrower, URIRef(f"{EX}theme/{k - 1}")))
            record(item, sg("delivers"), rng.choice(std), rng.choice(kinds[:3]))
    return graphs


@pytest.fixture(scope="module", params=[1, 2])
def random_store(request, tmp_path_factory):
    st = OxigraphStore(tmp_path_factory.mktemp(f"random-{request.param}") / "store")
    st.replace_all(random_graph(request.param))
    yield st
    st.close()


@pytest.mark.parametrize("level", LEVELS)
def test_random_graphs_at_every_level(random_store, level):
    check(random_store, Evidence(level, "0.5"))


def test_random_graph_on_the_rdflib_store():
    st = MemoryStore()
    st.replace_all(random_graph(4, standards=30))
    check(st, Evidence("all", "0.5"), standards=instances(st, SG + "Standard")[:8])


@pytest.mark.parametrize("level", LEVELS)
def test_links_equal_the_analyses_links(random_store, level):
    ev = Evidence(level, "0.5")
    reader, links = LinkReader(random_store, ev), Links(random_store, ev)
    std = instances(random_store, SG + "Standard")
    for p in ("classifiedIn", "status", "partOf", "hasPart", "supersedes", "conflictsWith",
              "addressesBarrier", "references"):
        want = {s: os for s, os in reader.links(SG + p).items() if os}
        assert links.from_(SG + p, std) == want, p
        objects = {o for os in want.values() for o in os}
        turned: dict[str, set[str]] = {}
        for s, os in want.items():
            for o in os:
                turned.setdefault(o, set()).add(s)
        assert links.to(SG + p, objects) == turned, p
    items = instances(random_store, ROADMAP_ITEM)
    assert links.from_(SG + "delivers", items, ROADMAP_ITEM) == {
        s: os for s, os in reader.links(SG + "delivers", ROADMAP_ITEM).items() if os}
    assert links.classified(std) == reader.classified()
    assert STANDARD == SG + "Standard"


def test_a_page_of_overlaps_is_a_slice_of_all(random_store):
    std = instances(random_store, SG + "Standard")
    busiest = max(std, key=lambda s: len(overlaps_of(random_store, s)))
    found = StandardFindings(random_store, busiest)
    every = found.overlaps()
    assert len(every) >= 4
    assert found.overlaps(1, 3) == every[1:3] and found.overlaps(len(every)) == []
    conflicts = found.conflicts()
    assert found.conflict_count() == len(conflicts)
    assert [found.conflicts(k, k + 2) for k in range(0, len(conflicts), 2)] == [
        conflicts[k:k + 2] for k in range(0, len(conflicts), 2)]
