"""Overlaps, clusters, gaps and conflicts on a hand-built fixture graph.

Every expected value below was worked out by hand from tests/fixtures/analysis (its README has
the coverage table); none is computed by the code under test. Each test runs on the embedded
Oxigraph store, on the rdflib store and on a remote Oxigraph server, and the JSON documents
must be identical.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from stdgraph.analysis import ANALYSES, run
from stdgraph.analysis.common import to_json
from stdgraph.analysis.overlaps import PairIndex
from stdgraph.sparql.named import ParameterError
from stdgraph.store import MemoryStore, OxigraphStore, RemoteStore, open_store
from support.analysis_graph import (
    ARCH_GRAPH,
    ID,
    INFERRED,
    REPO,
    ROADMAP_GRAPH,
    SG,
    STANDARDS_GRAPH,
    build_into,
    fa,
    fb,
    project_dir,
    std,
)
from support.sparql_servers import TEST_SERVERS, mark_known_failure

R = lambda x: round(x, 6)  # noqa: E731


@pytest.fixture(scope="session")
def fixture_root(tmp_path_factory):
    return project_dir(tmp_path_factory.mktemp("analysis"))


@pytest.fixture(scope="session")
def stores(fixture_root, tmp_path_factory):
    ox = build_into(OxigraphStore(tmp_path_factory.mktemp("analysis-ox") / "store"), fixture_root)
    mem = build_into(MemoryStore(), fixture_root)
    return {"oxigraph": ox, "memory": mem}


@pytest.fixture(scope="session")
def remote_analysis_store(fixture_root, start_oxigraph):
    """The fixture graph built into its own `oxigraph serve` (emptied first), so tests that clear
    the shared server cannot touch it; analyses only read."""
    st = open_store("sparql+" + start_oxigraph())
    st.update("DROP ALL")
    yield build_into(st, fixture_root)
    st.close()


@pytest.fixture(scope="session")
def server_analysis_store(fixture_root, start_server):
    """``get(kind)``: the fixture graph built into its own Fuseki or Virtuoso (opt-in, see
    tests/sparql_servers.py), once per kind."""
    built = {}

    def get(kind):
        if kind not in built:
            server = start_server(kind)
            built[kind] = build_into(RemoteStore.from_spec(server.spec, environ=server.env),
                                     fixture_root)
        return built[kind]

    return get


@pytest.fixture(params=["oxigraph", "memory", "remote", *TEST_SERVERS])
def store(request, stores):
    if request.param == "remote":
        return request.getfixturevalue("remote_analysis_store")
    if request.param in TEST_SERVERS:
        mark_known_failure(request, request.param)
        return request.getfixturevalue("server_analysis_store")(request.param)
    return stores[request.param]


def pairs(doc):
    return [(i["a"], i["b"], i["score"], [s["iri"] for s in i["shared"]], i["related"])
            for i in doc.items]


# -- overlaps ----------------------------------------------------------------------------------

def test_overlaps_default(store):
    doc = run("overlaps", store)
    assert pairs(doc) == [
        (std("series"), std("series-part1"), 1.0, [fa("a3"), fa("a4")], True),
        (std("alpha"), std("beta"), R(2 / 3), [fa("a1"), fa("a2")], False),
        (std("beta"), std("gamma"), R(2 / 3), [fa("a1"), fa("a2")], False),
        (std("alpha"), std("gamma"), 0.5, [fa("a1"), fa("a2")], False),
    ]
    d = doc.as_dict()
    assert set(d) == {"analysis", "parameters", "count", "truncated", "items", "coverage"}
    assert d["analysis"] == "overlaps"
    assert d["parameters"] == {"min_shared": 2, "expand": False, "dimensions": "elements",
                               "evidence": "stated+reading", "min_score": 0.5, "body": [],
                               "status": [], "element": [], "barrier": [],
                               "limit": 1000}
    # every standard is in scope: all but Withdrawn one and the two cycles are classified
    # and the relations that make a pair related (see test_cli_csv_and_table)
    assert d["coverage"] == [
        {"link": SG + "classifiedIn", "label": "classified in", "with_link": 9, "in_scope": 12,
         "text": "9 of 12 standards are classified in any architecture element"},
        {"link": SG + "partOf", "label": "part of", "with_link": 2, "in_scope": 12,
         "text": "2 of 12 standards are part of a series or have parts"},
        {"link": SG + "supersedes", "label": "supersedes", "with_link": 4, "in_scope": 12,
         "text": "4 of 12 standards are linked by supersession"},
        {"link": SG + "relatedTo", "label": "related to", "with_link": 0, "in_scope": 12,
         "text": "0 of 12 standards are related to any standard (sg:relatedTo)"},
        {"link": SG + "references", "label": "references", "with_link": 2, "in_scope": 12,
         "text": "2 of 12 standards reference any standard"}]
    assert (d["count"], d["truncated"]) == (4, False)
    first = d["items"][0]
    assert (first["a_label"], first["b_label"]) == ("Series", "Series part 1")
    assert first["shared"] == [{"iri": fa("a3"), "label": "A three"},
                               {"iri": fa("a4"), "label": "A four"}]


def test_inferred_classification_counts_and_names_its_graph(store):
    """The series has no classification of its own: hasPart o classifiedIn gives it its
    part's, and the evidence names the inferred graph next to the source file."""
    item = run("overlaps", store).items[0]
    ev = item["evidence"]
    assert (ev["a_coverage"], ev["b_coverage"], ev["union"]) == (2, 2, 2)
    assert ev["graphs"] == [{"iri": STANDARDS_GRAPH, "label": "data/standards.ttl"},
                            {"iri": INFERRED, "label": "inferred (OWL-RL)"}]
    assert [(r["relation"], [p["iri"] for p in r["path"]]) for r in ev["relations"]] == [
        ("part-of", [std("series-part1"), std("series")])]


def test_min_shared_one_every_pair_once_no_self_pairs(store):
    doc = run("overlaps", store, {"min_shared": "1", "limit": "0"})
    got = [(i["a"], i["b"], i["score"], len(i["shared"]), i["related"]) for i in doc.items]
    assert got == [
        (std("series"), std("series-part1"), 1.0, 2, True),
        (std("alpha"), std("beta"), R(2 / 3), 2, False),
        (std("beta"), std("gamma"), R(2 / 3), 2, False),
        (std("alpha"), std("gamma"), 0.5, 2, False),
        (std("new"), std("old"), 0.5, 1, True),
        (std("old"), std("series"), 0.5, 1, False),
        (std("old"), std("series-part1"), 0.5, 1, False),
        (std("referrer"), std("series"), 0.5, 1, False),
        (std("referrer"), std("series-part1"), 0.5, 1, False),
        (std("gamma"), std("referrer"), R(1 / 3), 1, False),
        (std("new"), std("series"), R(1 / 3), 1, False),
        (std("new"), std("series-part1"), R(1 / 3), 1, False),
        (std("gamma"), std("series"), 0.25, 1, False),
        (std("gamma"), std("series-part1"), 0.25, 1, False),
    ]
    assert all(a < b for a, b, *_ in got)
    assert len({(a, b) for a, b, *_ in got}) == len(got)
    relations = {r["relation"] for r in doc.items[4]["evidence"]["relations"]}
    assert relations == {"supersession", "references"}


def test_min_shared_boundary(store):
    """All four default overlaps share exactly 2 elements: in at 2, out at 3."""
    assert len(run("overlaps", store, {"min_shared": "2"}).items) == 4
    assert run("overlaps", store, {"min_shared": "3"}).items == []


def test_expand_merges_exact_and_close_matches(store):
    doc = run("overlaps", store, {"expand": "true"})
    assert [(i["a"], i["b"], i["score"], [s["iri"] for s in i["shared"]]) for i in doc.items] == [
        (std("new"), std("series"), 1.0, [fa("a3"), fa("a4")]),
        (std("new"), std("series-part1"), 1.0, [fa("a3"), fa("a4")]),
        (std("series"), std("series-part1"), 1.0, [fa("a3"), fa("a4")]),
        (std("alpha"), std("beta"), R(2 / 3), [fa("a1"), fa("a2")]),
        (std("beta"), std("gamma"), R(2 / 3), [fa("a1"), fa("a2")]),
        (std("alpha"), std("gamma"), 0.5, [fa("a1"), fa("a2")]),
    ]
    assert doc.items[0]["evidence"]["matched"] == [
        {"concept": {"iri": fa("a3"), "label": "A three"},
         "a": [{"iri": fb("b3"), "label": "B three"}],
         "b": [{"iri": fa("a3"), "label": "A three"}]}]
    assert doc.items[2]["evidence"]["matched"] == []


def test_dimensions_all_adds_barriers_themes_technologies(store):
    doc = run("overlaps", store, {"dimensions": "all"})
    assert [(i["a"], i["b"], i["score"]) for i in doc.items] == [
        (std("series"), std("series-part1"), 1.0),
        (std("beta"), std("gamma"), 0.5),
        (std("alpha"), std("beta"), R(1 / 3)),
        (std("alpha"), std("gamma"), R(1 / 3)),
    ]


@pytest.mark.parametrize("limit,count,truncated", [("2", 2, True), ("4", 4, False),
                                                   ("0", 4, False), ("3", 3, True)])
def test_limit_and_truncated(store, limit, count, truncated):
    d = run("overlaps", store, {"limit": limit}).as_dict()
    assert (d["count"], d["truncated"], len(d["items"])) == (count, truncated, count)


@pytest.mark.parametrize("threshold,expected", [
    ("0.5", [([std("alpha"), std("beta"), std("gamma")], 3),
             ([std("series"), std("series-part1")], 1)]),
    ("0.6", [([std("alpha"), std("beta"), std("gamma")], 2),
             ([std("series"), std("series-part1")], 1)]),
    ("0.7", [([std("series"), std("series-part1")], 1)]),
])
def test_clusters(store, threshold, expected):
    doc = run("clusters", store, {"threshold": threshold})
    assert doc.analysis == "overlap-clusters"
    assert [([s["iri"] for s in i["standards"]], i["pairs"]) for i in doc.items] == expected
    assert [i["cluster"] for i in doc.items] == list(range(1, len(expected) + 1))
    if threshold == "0.5":
        assert doc.items[0]["elements"] == [
            {"iri": fa("a1"), "label": "A one", "standards": 3},
            {"iri": fa("a2"), "label": "A two", "standards": 3}]


@pytest.mark.parametrize("members,listed", [
    (None, [std("alpha"), std("beta"), std("gamma")]), ("0", [std("alpha"), std("beta"),
                                                              std("gamma")]),
    ("2", [std("alpha"), std("beta")]), ("1", [std("alpha")])])
def test_a_clusters_members_are_listed_up_to_members(store, members, listed):
    """``members``: the first members by IRI (default 100, 0: all); ``size`` counts them
    all, and the pairs and common elements are the whole cluster's."""
    doc = run("clusters", store, {"threshold": "0.5"} | ({"members": members} if members
                                                        else {}))
    first = doc.items[0]
    assert ([s["iri"] for s in first["standards"]], first["size"], first["pairs"]) == \
        (listed, 3, 3)
    assert [e["standards"] for e in first["elements"]] == [3, 3]
    assert doc.parameters["members"] == int(members or 100)


# -- gaps --------------------------------------------------------------------------------------

AXES = {"rows": fa("axis"), "columns": fb("axis")}


def test_gaps(store):
    """Counted: every standard that is not withdrawn or superseded. Barrier one is addressed
    by Referrer (under development), so it is no gap (it was while only published standards
    counted); Theme one is supported by the withdrawn standard only."""
    doc = run("gaps", store, AXES)
    assert [(i["subject"], i["kind"], i["scheme"], i["reason"]) for i in doc.items] == [
        (ID + "theme/fx-t1", "theme", ID + "scheme/fx-themes",
         "no linked standard supports this theme "
         "(only withdrawn or superseded standards do: Withdrawn one)"),
        (ID + "technology/fx-k1", "technology", ID + "scheme/fx-technologies",
         "no linked standard concerns this technology"),
        (fb("b4"), "architecture-element", ID + "architecture/fb",
         "no linked standard is classified in this element"),
        (ID + "roadmap-item/fx-r1", "roadmap-item", None,
         "no linked standard delivers or serves this roadmap item (timeframe 2020–2021)"),
    ]
    assert [i["label"] for i in doc.items] == [
        "Theme one", "Technology one", "B four", "Roadmap one"]
    assert doc.items[2]["scheme_label"] == "Framework B"
    m = doc.extra["matrix"]
    assert [e["iri"] for e in m["rows"]["elements"]] == [fa(f"a{k}") for k in (1, 2, 3, 4)]
    assert [e["iri"] for e in m["columns"]["elements"]] == [fb(f"b{k}") for k in (1, 2, 3, 4)]
    assert m["counts"] == [[0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0]]
    assert len(m["empty"]) == 13
    assert {"row": {"iri": fa("a1"), "label": "A one"},
            "column": {"iri": fb("b1"), "label": "B one"}} in m["empty"]


def test_gaps_filters(store):
    doc = run("gaps", store, {"kinds": "roadmap-item,barrier", **AXES})
    assert doc.parameters["kinds"] == ["barrier", "roadmap-item"]
    assert [i["kind"] for i in doc.items] == ["roadmap-item"]
    assert run("gaps", store, {"kinds": "architecture-element",
                               "scheme": ID + "architecture/fa"}).items == []


# -- conflicts ---------------------------------------------------------------------------------

def test_conflicts(store):
    doc = run("conflicts", store)
    got = [(i["kind"], i["severity"], [s["iri"] for s in i["subjects"]]) for i in doc.items]
    assert got == [
        ("supersession-cycle", "error", [std("cycle-1"), std("cycle-2")]),
        ("classification-mismatch", "warning", [std("alpha"), fa("a1"), fb("b2")]),
        ("classification-mismatch", "warning", [std("new"), fb("b3"), fa("a4")]),
        ("superseded-reference", "warning", [ID + "roadmap-item/fx-r1", std("old")]),
        ("superseded-reference", "warning", [std("new"), std("old")]),
        ("withdrawn-reference", "warning", [std("referrer"), std("withdrawn")]),
        ("declared", "warning", [std("alpha"), std("delta")]),
    ]


def test_classification_mismatch_evidence(store):
    items = run("conflicts", store, {"kinds": "classification-mismatch"}).items
    alpha, new = items
    ev = alpha["evidence"]
    assert ev["element"]["iri"] == fa("a1")
    assert ev["framework"] == {"iri": ID + "architecture/fa", "label": "Framework A"}
    assert ev["other_framework"] == {"iri": ID + "architecture/fb", "label": "Framework B"}
    assert [e["iri"] for e in ev["mapped"]] == [fb("b1")]
    assert [e["iri"] for e in ev["classified_in_other"]] == [fb("b2")]
    # (the inferred graph's copy of the mapping turned round is no mapping of its own: only
    # the asserted one counts, as links.rq says, and it is read in both directions)
    assert {g["iri"] for g in ev["graphs"]} == {STANDARDS_GRAPH, ARCH_GRAPH}
    assert alpha["message"] == ("Alpha is classified in A one (Framework A) and in Framework B "
                                "(B two), but not in what Framework B maps A one to: B one")
    assert [e["iri"] for e in new["evidence"]["mapped"]] == [fa("a3")]
    # a standard classified in one framework only (delta, gamma, the series) never mismatches
    flagged = {i["subjects"][0]["iri"] for i in items}
    assert flagged == {std("alpha"), std("new")}


def test_reference_conflicts_evidence(store):
    items = run("conflicts", store, {"kinds": "superseded-reference,withdrawn-reference"}).items
    r1, new, referrer = items
    assert new["message"] == "New (published) references Old, which is superseded by New"
    assert r1["message"] == "Roadmap one references Old, which is superseded by New"
    assert r1["evidence"]["graphs"] == [{"iri": ROADMAP_GRAPH, "label": "data/roadmap.ttl"},
                                        {"iri": STANDARDS_GRAPH, "label": "data/standards.ttl"}]
    triples = {(t["predicate"]["iri"], tuple(g["iri"] for g in t["graphs"]))
               for t in referrer["evidence"]["triples"]}
    assert triples == {
        (SG + "normativelyReferences", (STANDARDS_GRAPH,)),
        (SG + "references", (INFERRED,)),  # by sub-property inference
        (SG + "status", (STANDARDS_GRAPH,)),
    }
    assert referrer["evidence"]["status"]["iri"] == SG + "Withdrawn"


def test_cycle_and_declared_evidence(store):
    cycle, declared = run("conflicts", store, {"kinds": "supersession-cycle,declared"}).items
    assert cycle["message"] == "supersession cycle: Cycle one and Cycle two supersede each other"
    assert {(t["subject"]["iri"], t["predicate"]["iri"], t["object"]["iri"])
            for t in cycle["evidence"]["triples"]} >= {
        (std("cycle-1"), SG + "supersedes", std("cycle-2")),
        (std("cycle-2"), SG + "supersedes", std("cycle-1"))}
    assert {(t["subject"]["iri"], t["object"]["iri"], t["graphs"][0]["iri"])
            for t in declared["evidence"]["triples"]} == {
        (std("alpha"), std("delta"), STANDARDS_GRAPH), (std("delta"), std("alpha"), INFERRED)}


def test_competing_pairs_are_overlaps_not_conflicts(store):
    """Two unrelated standards of different publishers sharing elements (alpha and beta, beta
    and gamma) were the "competing" conflicts; they are overlaps (related false), and the
    conflicts analysis no longer knows the kind or its parameter."""
    with pytest.raises(ParameterError, match="kinds"):
        run("conflicts", store, {"kinds": "competing"})
    with pytest.raises(ParameterError, match="min_shared"):
        run("conflicts", store, {"min_shared": "2"})
    unrelated = {(i["a"], i["b"]) for i in run("overlaps", store).items if not i["related"]}
    assert {(std("alpha"), std("beta")), (std("beta"), std("gamma"))} <= unrelated


def test_conflicts_limit_spans_kinds(store):
    d = run("conflicts", store, {"limit": "6"}).as_dict()
    assert (d["count"], d["truncated"]) == (6, True)
    assert [i["kind"] for i in d["items"]][-2:] == ["superseded-reference",
                                                   "withdrawn-reference"]


# -- both stores, parameters -------------------------------------------------------------------

@pytest.mark.parametrize("name,params", [
    ("overlaps", {}), ("overlaps", {"expand": "true", "min_shared": "1", "limit": "0"}),
    ("overlaps", {"dimensions": "all"}), ("clusters", {"threshold": "0.4"}),
    ("gaps", AXES), ("gaps", {}), ("conflicts", {}),
])
def test_identical_on_both_stores(stores, remote_analysis_store, name, params):
    ox = to_json(run(name, stores["oxigraph"], params))
    mem = to_json(run(name, stores["memory"], params))
    assert ox == mem
    assert to_json(run(name, remote_analysis_store, params)) == ox
    json.loads(ox)


@pytest.mark.parametrize("name,params,bad", [
    ("overlaps", {"min_shared": "0"}, "min_shared"),
    ("overlaps", {"min_shared": "two"}, "min_shared"),
    ("overlaps", {"expand": "maybe"}, "expand"),
    ("overlaps", {"dimensions": "everything"}, "dimensions"),
    ("overlaps", {"limit": "-1"}, "limit"),
    ("overlaps", {"colour": "red"}, "colour"),
    ("clusters", {"threshold": "1.5"}, "threshold"),
    ("gaps", {"kinds": "barrier,nonsense"}, "kinds"),
    ("gaps", {"rows": "not an iri"}, "rows"),
    ("gaps", {"scheme": "<http://x> } UNION {"}, "scheme"),
    ("conflicts", {"kinds": "declared", "limit": "1.5"}, "limit"),
])
def test_bad_parameters_are_400_naming_them(stores, name, params, bad):
    with pytest.raises(ParameterError) as e:
        run(name, stores["memory"], params)
    assert e.value.param == bad
    assert e.value.http_status == 400
    assert f"'{bad}'" in e.value.message


def test_every_analysis_parameter_is_documented():
    doc = (REPO / "docs" / "analyses.md").read_text()
    for a in ANALYSES.values():
        for p in a.params:
            assert f"`{p.name}`" in doc, (a.name, p.name)


# -- the pair engine against brute force -------------------------------------------------------

def test_pair_engine_matches_brute_force():
    import itertools
    import random

    for trial in range(60):
        rng = random.Random(trial)
        n, t, m = rng.randint(0, 50), rng.randint(1, 70), rng.randint(1, 3)
        sets = [frozenset(rng.sample(range(t), rng.randint(0, min(t, 8)))) for _ in range(n)]
        got = list(PairIndex(sets, t, m).pairs())
        expected = sorted(
            ((a, b, len(sets[a] & sets[b]), len(sets[a] | sets[b]))
             for a, b in itertools.combinations(range(n), 2)
             if len(sets[a] & sets[b]) >= m),
            key=lambda x: (-Fraction(x[2], x[3]), -x[2], x[0], x[1]))
        assert got == expected, trial


# -- CLI ---------------------------------------------------------------------------------------

def _oxigraph_dir(stores):
    return str(stores["oxigraph"].root)


@pytest.mark.parametrize("name,args,params", [
    ("overlaps", ["--min-shared", "1", "--expand", "--limit", "5"],
     {"min_shared": "1", "expand": "true", "limit": "5"}),
    ("clusters", ["--threshold", "0.6"], {"threshold": "0.6"}),
    ("gaps", ["--rows", fa("axis"), "--columns", fb("axis")], AXES),
    ("conflicts", ["--kinds", "declared,supersession-cycle"],
     {"kinds": "declared,supersession-cycle"}),
])
def test_cli_json_is_the_library_document(stores, run_cli, name, args, params):
    res = run_cli("analyse", name, "--store", _oxigraph_dir(stores), "--format", "json", *args)
    assert res.code == 0, res.err
    assert res.out == to_json(run(name, stores["oxigraph"], params))


def test_cli_csv_and_table(stores, run_cli):
    res = run_cli("analyse", "overlaps", "--store", _oxigraph_dir(stores), "--format", "csv")
    lines = res.out.splitlines()
    assert lines[0] == ("a,a_label,b,b_label,score,shared_count,shared,shared_labels,related,"
                        "relations,graphs,coverage")
    assert lines[1].startswith(f"{std('series')},Series,{std('series-part1')},Series part 1,"
                               f"1.0,2,{fa('a3')} {fa('a4')},A three | A four,true,part-of,")
    # the relations: Series hasPart its part (2); Old/New and the two cycles by supersession
    # (4); no relatedTo; New references Old, Referrer normatively references Withdrawn one (2)
    assert lines[1].endswith(",sg:classifiedIn 9/12; sg:partOf 2/12; sg:supersedes 4/12; "
                             "sg:relatedTo 0/12; sg:references 2/12")
    assert len(lines) == 5
    res = run_cli("analyse", "gaps", "--store", _oxigraph_dir(stores), "--rows", fa("axis"),
                  "--columns", fb("axis"))
    assert "(4 items)" in res.out and "(13 empty cells)" in res.out
    # 12 standards, less Old (superseded) and Withdrawn one: 10 counted
    assert res.out.endswith(
        "Coverage (evidence stated+reading):\n"
        "  3 of 10 standards are linked to any barrier\n"  # Alpha, Beta, Referrer
        "  1 of 10 standards is linked to any theme\n"  # Alpha (Withdrawn one is not counted)
        "  0 of 10 standards are linked to any technology\n"
        "  8 of 10 standards are classified in any architecture element\n"  # not the cycles
        "  2 of 10 standards are delivered by any roadmap item\n"  # New, Gamma
        "  0 of 10 standards serve any roadmap item\n"
        "  0 of 10 standards have no known status (counted as current)\n")


def test_cli_bad_parameter_exit_2(stores, run_cli):
    res = run_cli("analyse", "overlaps", "--store", _oxigraph_dir(stores), "--min-shared", "0")
    assert res.code == 2
    assert "parameter 'min_shared'" in res.err
    assert "Traceback" not in res.err
