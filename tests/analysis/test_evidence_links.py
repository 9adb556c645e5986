"""The evidence filter on the links besides barriers and roadmap items (issue 17, item 3):
classifications, architecture mappings and relations between standards, on
tests/fixtures/evidence-links. For each of overlaps (its ``related`` links and ``expand``),
clusters, conflicts (classification mismatches), relevance and the translator,
``evidence=stated`` and ``evidence=stated+reading`` give different answers, and each answer
echoes its level and carries exact coverage figures; the CLI, HTTP and the pages say the same.
Every expected value was counted by hand from the fixture (its README has the tables)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from stdgraph.analysis import run
from stdgraph.analysis.evidence import Evidence
from stdgraph.analysis.relevance import relevance
from stdgraph.analysis.translator import translate
from stdgraph.api.app import create_app
from stdgraph.settings import Settings
from stdgraph.store import MemoryStore, OxigraphStore
from support.analysis_graph import FIXTURE, ID, SG, build_into, project_dir

DATA = FIXTURE.parent / "evidence-links" / "data"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ARCH_A, ARCH_B = f"{ID}architecture/el-a", f"{ID}architecture/el-b"


def s(k: int) -> str:
    return f"{ID}standard/el-s{k}"


def a(k: int) -> str:
    return f"{ID}architecture/el-a/a{k}"


def b(k: int) -> str:
    return f"{ID}architecture/el-b/b{k}"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return project_dir(tmp_path_factory.mktemp("evidence-links"), DATA)


@pytest.fixture(scope="module")
def ox(project, tmp_path_factory):
    return build_into(OxigraphStore(tmp_path_factory.mktemp("links-ox") / "store"), project)


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def store(request, ox, project):
    return ox if request.param == "oxigraph" else build_into(MemoryStore(), project)


def figures(coverage: list[dict]) -> list[tuple[str, int, int]]:
    return [(c["link"].rsplit("#", 1)[-1], c["with_link"], c["in_scope"]) for c in coverage]


def relations(n_related: int) -> list[tuple[str, int, int]]:
    """The relation entries of overlaps' coverage: only the relatedTo (s1, s4) differs."""
    return [("partOf", 0, 6), ("supersedes", 0, 6), ("relatedTo", n_related, 6),
            ("references", 0, 6)]


# -- overlaps ------------------------------------------------------------------------------------

def pairs(doc) -> list[tuple]:
    return [(i["a"], i["b"], i["score"], i["related"]) for i in doc.items]


R = 0.666667  # 2/3 as the document rounds it


def test_overlaps_stated_and_reading_differ_with_their_relations(store):
    stated = run("overlaps", store, {"evidence": "stated"})
    assert pairs(stated) == [(s(1), s(4), 1.0, False)]
    assert stated.items[0]["evidence"]["relations"] == []
    assert stated.parameters["evidence"] == "stated"
    assert figures(stated.extra["coverage"]) == [("classifiedIn", 5, 6), *relations(0)]
    reading = run("overlaps", store)
    assert reading.parameters["evidence"] == "stated+reading"
    assert pairs(reading) == [(s(1), s(4), 1.0, True), (s(1), s(2), R, False),
                              (s(2), s(4), R, False), (s(2), s(5), R, False)]
    rel = reading.items[0]["evidence"]["relations"]
    assert [(r["relation"], r["property"]["iri"], [p["iri"] for p in r["path"]])
            for r in rel] == [("related-to", SG + "relatedTo", [s(4), s(1)])]
    assert figures(reading.extra["coverage"]) == [("classifiedIn", 6, 6), *relations(2)]
    assert [c["text"] for c in reading.extra["coverage"]] == [
        "6 of 6 standards are classified in any architecture element",
        "0 of 6 standards are part of a series or have parts",
        "0 of 6 standards are linked by supersession",
        "2 of 6 standards are related to any standard (sg:relatedTo)",
        "0 of 6 standards reference any standard"]


def test_expand_merges_only_the_mappings_that_count(store):
    stated = run("overlaps", store, {"evidence": "stated", "expand": "true"})
    assert pairs(stated) == [(s(1), s(4), 1.0, False), (s(1), s(5), 1.0, False),
                             (s(4), s(5), 1.0, False)]
    assert figures(stated.extra["coverage"])[-1] == ("mappingRelation", 2, 6)
    assert stated.extra["coverage"][-1]["text"] == \
        "2 of 6 architecture elements are mapped to another architecture element"
    reading = run("overlaps", store, {"expand": "true", "limit": "0"})
    assert [(i["a"], i["b"]) for i in reading.items] == [
        (s(x), s(y)) for x in range(1, 6) for y in range(x + 1, 6)]
    assert {i["score"] for i in reading.items} == {1.0}
    assert figures(reading.extra["coverage"])[-1] == ("mappingRelation", 4, 6)
    every = run("overlaps", store, {"expand": "true", "evidence": "all"})
    assert figures(every.extra["coverage"])[-1] == ("mappingRelation", 6, 6)


def test_clusters(store):
    def members(doc):
        return [sorted(x["iri"] for x in i["standards"]) for i in doc.items]

    stated = run("clusters", store, {"evidence": "stated"})
    assert members(stated) == [[s(1), s(4)]]
    assert stated.parameters["evidence"] == "stated"
    assert figures(stated.extra["coverage"]) == [("classifiedIn", 5, 6), *relations(0)]
    reading = run("clusters", store)
    assert members(reading) == [[s(1), s(2), s(4), s(5)]]
    assert figures(reading.extra["coverage"]) == [("classifiedIn", 6, 6), *relations(2)]


# -- conflicts -----------------------------------------------------------------------------------

def conflicts(doc) -> list[tuple]:
    out = []
    for i in doc.items:
        subjects = [x["iri"] for x in i["subjects"]]
        if i["kind"] == "classification-mismatch":
            out.append((i["kind"], subjects[0], subjects[1], i["evidence"]["other_framework"]["iri"]))
        else:
            out.append((i["kind"], subjects[0], subjects[1]))
    return out


def test_conflicts_follow_the_mappings_and_relations_that_count(store):
    params = {"kinds": "classification-mismatch"}
    stated = run("conflicts", store, {**params, "evidence": "stated"})
    assert conflicts(stated) == [("classification-mismatch", s(5), b(1), ARCH_A)]
    mapping = stated.items[0]["evidence"]["triples"][-1]
    assert (mapping["subject"]["iri"], mapping["predicate"]["iri"], mapping["object"]["iri"]) \
        == (a(1), SKOS + "closeMatch", b(1))
    assert figures(stated.extra["coverage"]) == [
        ("classifiedIn", 5, 6), ("mappingRelation", 2, 6)]
    reading = run("conflicts", store, params)
    assert conflicts(reading) == [("classification-mismatch", s(2), a(2), ARCH_B),
                                  ("classification-mismatch", s(5), a(2), ARCH_B),
                                  ("classification-mismatch", s(5), b(1), ARCH_A)]
    assert figures(reading.extra["coverage"]) == [
        ("classifiedIn", 6, 6), ("mappingRelation", 4, 6)]


# -- relevance and the translator -----------------------------------------------------------------

def test_relevance_of_an_element(store):
    profile = {"element": [a(2)]}
    stated = relevance(store, profile, evidence=Evidence("stated"))
    assert [i["iri"] for i in stated["items"]] == [s(5), s(4), s(1)]
    assert figures(stated["coverage"]) == [("classifiedIn", 5, 6), ("status", 0, 6)]
    reading = relevance(store, profile)
    assert [i["iri"] for i in reading["items"]] == [s(5), s(4), s(1), s(2)]
    assert figures(reading["coverage"]) == [("classifiedIn", 6, 6), ("status", 0, 6)]


def mappings(doc) -> list[tuple]:
    return [(m["element"]["iri"], m["relation"].rsplit("#", 1)[-1], m["evidence"],
             [x["iri"] for x in m["standards"]]) for m in doc["mappings"]]


def test_translator_drops_readings_and_suggestions_at_stated(store):
    doc = translate(store, a(2), Evidence("stated"))
    assert doc["parameters"] == {"evidence": "stated", "min_score": 0.5}
    assert mappings(doc) == [] and doc["left_out"] == 1
    # by label: Links five, Links four, Links one
    assert [x["iri"] for x in doc["standards"]] == [s(5), s(4), s(1)]
    assert figures(doc["coverage"]) == [("classifiedIn", 5, 6), ("mappingRelation", 2, 6)]
    doc = translate(store, a(2))
    assert mappings(doc) == [(b(2), "exactMatch", ["reading"], [s(3)])]
    assert doc["left_out"] == 0
    assert figures(doc["coverage"]) == [("classifiedIn", 6, 6), ("mappingRelation", 4, 6)]
    # the stated mapping at every level, turned round from the other side
    for level in ("stated", "stated+reading"):
        doc = translate(store, b(1), Evidence(level))
        assert mappings(doc) == [(a(1), "closeMatch", ["stated"], [s(4), s(1), s(2)])]
    # a suggestion: at 'all' when its score (0.7) reaches min_score
    assert mappings(translate(store, a(3), Evidence("all", "0.7"))) == [
        (b(3), "relatedMatch", ["suggested"], [s(6)])]
    doc = translate(store, a(3), Evidence("all", "0.8"))
    assert mappings(doc) == [] and doc["left_out"] == 1


# -- the CLI, HTTP and the pages say the same --------------------------------------------------

def test_cli(ox, run_cli):
    where = ["--store", str(ox.root)]
    res = run_cli("translate", a(2), *where, "--evidence", "stated")
    assert res.code == 0, res.err
    assert res.out == (
        "A two: 3 standards classified here\n"
        "1 mapping record(s) of it not counted at evidence stated\n"
        "relation  mapped element  architecture  evidence  standards\n"
        "--------  --------------  ------------  --------  ---------\n"
        "(0 items)\n"
        "\n"
        "Coverage (evidence stated):\n"
        "  5 of 6 standards are classified in any architecture element\n"
        "  2 of 6 architecture elements are mapped to another architecture element\n")
    res = run_cli("translate", a(2), *where, "--format", "json")
    doc = json.loads(res.out)
    assert mappings(doc) == [(b(2), "exactMatch", ["reading"], [s(3)])]
    assert doc["parameters"]["evidence"] == "stated+reading"
    assert figures(doc["coverage"]) == [("classifiedIn", 6, 6), ("mappingRelation", 4, 6)]
    res = run_cli("relevance", "--element", "el-a/a2", *where, "--evidence", "stated")
    assert res.code == 0, res.err
    assert [re.split(r"\s{2,}", line)[0:2] for line in res.out.splitlines()[2:5]] == [
        ["1/1", "Links five"], ["1/1", "Links four"], ["1/1", "Links one"]]
    assert res.out.endswith("Coverage (evidence stated):\n"
                            "  5 of 6 standards are classified in any architecture element\n"
                            "  6 of 6 standards have no known status\n")
    res = run_cli("relevance", "--element", "el-a/a2", *where, "--format", "json")
    assert [i["iri"] for i in json.loads(res.out)["items"]] == [s(5), s(4), s(1), s(2)]
    res = run_cli("relevance", "--element", "el-a/a2", *where, "--evidence", "nonsense")
    assert res.code == 2 and "evidence" in res.err
    res = run_cli("analyse", "overlaps", *where, "--evidence", "stated")
    assert "(1 item)" in res.out
    assert res.out.endswith("Coverage (evidence stated):\n"
                            "  5 of 6 standards are classified in any architecture element\n"
                            "  0 of 6 standards are part of a series or have parts\n"
                            "  0 of 6 standards are linked by supersession\n"
                            "  0 of 6 standards are related to any standard (sg:relatedTo)\n"
                            "  0 of 6 standards reference any standard\n")
    res = run_cli("analyse", "conflicts", *where, "--kinds", "classification-mismatch",
                  "--format", "json")
    assert len(json.loads(res.out)["items"]) == 3


@pytest.fixture(scope="module")
def client(ox, project):
    app = create_app(Settings(project=str(project), query_processes=False), store=ox)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _coverage_box(html: str) -> str:
    m = re.search(r'<div class="coverage"[^>]*>(.*?)</div>', html, re.S)
    assert m, html[:500]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(1))).strip()


def test_http(client):
    for name, stated, reading in (("overlaps", 1, 4), ("overlaps/clusters", 1, 1),
                                  ("conflicts", 1, 3)):  # the mismatches only
        d = client.get(f"/analysis/{name}", params={"evidence": "stated"}).json()
        assert (d["parameters"]["evidence"], d["count"]) == ("stated", stated), name
        assert figures(d["coverage"])[0] == ("classifiedIn", 5, 6)
        d = client.get(f"/analysis/{name}").json()
        assert (d["parameters"]["evidence"], d["count"]) == ("stated+reading", reading), name
        assert figures(d["coverage"])[0] == ("classifiedIn", 6, 6)
    d = client.get("/analysis/overlaps", params={"evidence": "stated"}).json()
    assert [i["related"] for i in d["items"]] == [False]
    d = client.get("/translate", params={"element": a(2), "evidence": "stated"}).json()
    assert (d["mappings"], d["left_out"]) == ([], 1)
    assert figures(d["coverage"]) == [("classifiedIn", 5, 6), ("mappingRelation", 2, 6)]
    d = client.get("/translate", params={"element": a(2)}).json()
    assert mappings(d) == [(b(2), "exactMatch", ["reading"], [s(3)])]
    d = client.get("/relevance", params={"element": a(2), "evidence": "stated"}).json()
    assert [i["iri"] for i in d["items"]] == [s(5), s(4), s(1)]
    assert d["parameters"]["evidence"] == "stated"


def test_pages(client):
    html = client.get("/translate", params={"element": a(2), "evidence": "stated"},
                      headers={"Accept": "text/html"}).text
    assert "No mapping of this element counts with evidence “Stated by a source”." in html
    assert "1 mapping is recorded for this element but not counted with evidence “Stated by a source”" in html
    assert _coverage_box(html) == (
        "Counted with evidence Stated by a source : "
        "5 of 6 standards are classified in any architecture element, so an empty row may be "
        "a missing link. "
        "2 of 6 architecture elements are mapped to another architecture element, so an empty "
        "row may be a missing link.")
    html = client.get("/translate", params={"element": a(2)},
                      headers={"Accept": "text/html"}).text
    # the relation by its SKOS label (the prefixed name beside it), the evidence kind by the
    # graph's label of sg:Reading, linked to its definition
    assert ('<td>has exact match <code class="muted">skos:exactMatch</code></td><td><ul '
            'class="inline"><li><a href="/ontology#Reading">reading</a></li></ul></td>') in html
    html = client.get("/reports/overlaps", params={"evidence": "stated"}).text
    assert "1 item" in html
    assert "0 of 6 standards are related to any standard (sg:relatedTo), so an empty row may " \
        "be a missing link." in _coverage_box(html)
    html = client.get("/reports/conflicts", params={"evidence": "stated"}).text
    assert "2 of 6 architecture elements are mapped to another architecture element, so an " \
        "empty row may be a missing link." in _coverage_box(html)


def test_relevance_suggests_successors_at_the_level():
    """A matched standard's superseded_by suggestions are supersession links at the level: B
    supersedes A by a reading only."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    ex, sg = "https://example.org/succ/", lambda n: URIRef(SG + n)  # noqa: E731
    std_a, std_b, bx, rec = (URIRef(ex + n) for n in ("a", "b", "barrier", "record"))
    st = MemoryStore()
    st.replace_all({ex + "graph": [
        (std_a, RDF.type, sg("Standard")), (std_a, RDFS.label, Literal("A")),
        (std_b, RDF.type, sg("Standard")), (std_b, RDFS.label, Literal("B")),
        (bx, RDF.type, sg("Barrier")), (std_a, sg("addressesBarrier"), bx),
        (std_b, sg("supersedes"), std_a),
        (rec, RDF.type, RDF.Statement), (rec, RDF.subject, std_b),
        (rec, RDF.predicate, sg("supersedes")), (rec, RDF.object, std_a),
        (rec, sg("evidence"), sg("Reading"))]})
    stated = relevance(st, {"barrier": [str(bx)]}, evidence=Evidence("stated"))
    assert [(i["iri"], i["superseded_by"]) for i in stated["items"]] == [(str(std_a), [])]
    reading = relevance(st, {"barrier": [str(bx)]})
    assert [(i["iri"], i["superseded_by"]) for i in reading["items"]] == [
        (str(std_a), [{"iri": str(std_b), "label": "B"}])]
