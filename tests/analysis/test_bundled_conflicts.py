"""The conflicts and overlaps of the bundled graph, counted twice: by the analyses over the
built store, and by brute force with rdflib over the source files (no inference, no stdgraph
code but the project's file list). "Competing" pairs (two unrelated standards of different
publishers sharing elements) are overlaps, not conflicts (docs/analyses.md, "Conflicts"): the
conflicts analysis lists contradictions only, and the pairs it used to list as competing are
the overlaps analysis' unrelated rows."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import pytest
from rdflib import Graph

from stdgraph.analysis import run
from stdgraph.project import Project
from stdgraph.store import OxigraphStore
from support.serving import build_store

P = ("PREFIX sg: <https://w3id.org/stdgraph/ontology#> "
     "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")
MAPPINGS = ("skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:narrowMatch|"
            "skos:relatedMatch|skos:mappingRelation")
REFERENCES = "sg:references|sg:normativelyReferences|sg:basedOn"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = build_store(None, tmp_path_factory.mktemp("bundled-conflicts") / "store")
    with OxigraphStore(path, read_only=True) as st:
        yield st


@pytest.fixture(scope="module")
def g() -> Graph:
    project = Project.locate(None)
    graph = Graph()
    for f in [*project.ontology_files, *project.data_files]:
        graph.parse(f)
    return graph


def links(g: Graph, query: str, both: bool = False) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for x, y in g.query(P + query):
        out[str(x)].add(str(y))
        if both:
            out[str(y)].add(str(x))
    return out


def reach(graph: dict[str, set[str]], a: str, b: str) -> bool:
    seen, todo = set(), [a]
    while todo:
        for y in graph.get(todo.pop(), ()):
            if y == b:
                return True
            if y not in seen:
                seen.add(y)
                todo.append(y)
    return False


class Brute:
    """What the analyses' definitions say, worked out by hand over the rdflib graph."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.standards = sorted(str(s) for (s,) in g.query(
            P + "SELECT DISTINCT ?s WHERE { ?s a sg:Standard }"))
        self.same = links(g, "SELECT ?a ?b WHERE { ?a sg:sameElementAs ?b }", both=True)
        self.parts = links(g, "SELECT ?b ?a WHERE { { ?a sg:partOf ?b } UNION "
                              "{ ?b sg:hasPart ?a } }")
        self.classified = links(g, "SELECT ?s ?e WHERE { ?s a sg:Standard ; sg:classifiedIn ?e }")
        self.supersedes = links(g, "SELECT ?x ?y WHERE { { ?x sg:supersedes ?y } UNION "
                                   "{ ?y sg:supersededBy ?x } }")
        self.direct = links(g, f"SELECT ?x ?y WHERE {{ ?x sg:relatedTo|{REFERENCES} ?y }}",
                            both=True)

    def group(self, e: str) -> set[str]:
        seen, todo = {e}, [e]
        while todo:
            for y in self.same.get(todo.pop(), ()):
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
        return seen

    def elements(self, s: str, seen: tuple[str, ...] = ()) -> set[str]:
        """A standard's classifications and, for a series, its parts'."""
        out = set(self.classified.get(s, ()))
        for part in self.parts.get(s, ()):
            if part not in seen:
                out |= self.elements(part, (*seen, s))
        return out

    def overlaps(self) -> list[tuple[str, str]]:
        concepts = {s: {min(self.group(e)) for e in self.elements(s)} for s in self.standards}
        return [(a, b) for a, b in itertools.combinations(self.standards, 2)
                if len(concepts[a] & concepts[b]) >= 2]

    def related(self, a: str, b: str) -> bool:
        """One is part of the other or supersedes it (transitively), or they are linked by
        sg:relatedTo or a reference, either way."""
        part = {x: set(ys) for x, ys in self.parts.items()}  # whole -> parts
        sup, direct = self.supersedes, self.direct
        return (reach(part, a, b) or reach(part, b, a) or reach(sup, a, b) or reach(sup, b, a)
                or b in direct.get(a, ()))

    def mismatches(self) -> set[tuple[str, str, str]]:
        scheme = links(self.g, "SELECT ?e ?f WHERE { ?e skos:inScheme ?f . "
                               "?f a sg:ReferenceArchitecture }")
        mapped = links(self.g, f"SELECT ?a ?b WHERE {{ ?a {MAPPINGS} ?b }}", both=True)
        out = set()
        for s in self.standards:
            els = self.elements(s)
            covered = {y for x in els for y in self.group(x)}
            frameworks = {f for e in els for f in scheme.get(e, ())}
            for e1 in els:
                for f1 in scheme.get(e1, ()):
                    for f2 in frameworks - {f1}:
                        targets = {x for x in mapped.get(e1, ()) if f2 in scheme.get(x, ())}
                        if targets and not targets & covered:
                            out.add((s, e1, f2))
        return out

    def retired_references(self, status: str) -> set[tuple[str, str]]:
        return {(str(x), str(y)) for x, y in self.g.query(P + f"""SELECT ?x ?y WHERE {{
            ?x {REFERENCES} ?y . ?y sg:status sg:{status} .
            {{ ?x a sg:Standard }} UNION {{ ?x a sg:RoadmapItem }}
            FILTER NOT EXISTS {{ ?x sg:status ?st FILTER(?st IN (sg:Withdrawn, sg:Superseded)) }}
        }}""")}

    def declared(self) -> set[frozenset[str]]:
        return {frozenset((str(a), str(b))) for a, b in self.g.query(
            P + "SELECT ?a ?b WHERE { ?a sg:conflictsWith ?b FILTER(?a != ?b) }")}


def test_the_conflicts_of_the_bundled_graph_are_contradictions_only(store, g):
    brute = Brute(g)
    doc = run("conflicts", store, {"limit": "0"})
    kinds = Counter(i["kind"] for i in doc.items)
    want = Counter({"classification-mismatch": len(brute.mismatches()),
                    "superseded-reference": len(brute.retired_references("Superseded")),
                    "withdrawn-reference": len(brute.retired_references("Withdrawn")),
                    "declared": len(brute.declared())})
    assert kinds == +want
    assert kinds == Counter({"classification-mismatch": 8})
    got = {(i["subjects"][0]["iri"], i["evidence"]["element"]["iri"],
            i["evidence"]["other_framework"]["iri"]) for i in doc.items
           if i["kind"] == "classification-mismatch"}
    assert got == brute.mismatches()
    assert {i["severity"] for i in doc.items} <= {"error", "warning"}


def test_the_former_competing_pairs_are_the_overlaps_unrelated_rows(store, g):
    brute = Brute(g)
    pairs = brute.overlaps()
    doc = run("overlaps", store, {"limit": "0"})
    assert sorted(tuple(sorted((i["a"], i["b"]))) for i in doc.items) == pairs
    assert len(pairs) == 106
    unrelated = {(a, b) for a, b in pairs if not brute.related(a, b)}
    assert {tuple(sorted((i["a"], i["b"]))) for i in doc.items if not i["related"]} == unrelated
    assert len(unrelated) == 102
    # of them, those whose publishers are known and disjoint: what "competing" used to list,
    # 53 of the 61 conflicts the bundled graph had
    publishers = links(g, "SELECT ?s ?b WHERE { ?s sg:publisher ?b }")
    rivals = [p for p in unrelated
              if publishers.get(p[0]) and publishers.get(p[1])
              and not publishers[p[0]] & publishers[p[1]]]
    assert len(rivals) == 53
