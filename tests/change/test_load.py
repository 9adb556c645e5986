"""``stdgraph load``: exact counts, all-or-nothing, target graphs, inference kept in step,
validation (and --no-validate), formats, re-loading.

Expected triples come from rdflib parsing the same files (a second parser) and expected
entailments from owlrl (a second engine) over the same asserted triples.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV

from stdgraph.change.build import build
from stdgraph.change.load import LOAD_GRAPH_BASE, default_graph
from stdgraph.project import Project
from stdgraph.rdf.namespaces import INFERRED_GRAPH, META_GRAPH
from stdgraph.reasoning.infer import infer
from stdgraph.store import OxigraphStore

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
EX = "http://example.org/mini#"
PREFIX = f"@prefix ex: <{EX}> .\n"

GOOD = PREFIX + """
ex:x a ex:Standard ; ex:identifier "X" ; ex:supersedes ex:a .
ex:y a ex:Standard ; ex:identifier "Y" ; ex:partOf ex:x ; ex:conflictsWith ex:e .
"""  # 7 triples; entails ex:a supersededBy ex:x, ex:e conflictsWith ex:y
MORE = f"""<{EX}z> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Standard> .
<{EX}z> <{EX}identifier> "Z" .
<{EX}z> <{EX}partOf> <{EX}y> .
<{EX}x> <{EX}identifier> "X" .
"""  # 4 lines, the last one also in GOOD; entails z partOf x (transitive)
BROKEN = f"""<{EX}w> <{EX}identifier> "W" .
<{EX}w> <{EX}identifier> "W .
"""
INVALID = PREFIX + "ex:v a ex:Standard ; ex:supersedes ex:b .\n"  # no identifier


@pytest.fixture
def store(tmp_path) -> Path:
    """The mini project built into a fresh Oxigraph folder."""
    root = tmp_path / "store"
    with OxigraphStore(root) as st:
        build(Project.locate(MINI), st)
    return root


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rdflib_triples(path: Path, fmt: str = "turtle") -> set:
    return set(Graph().parse(path, format=fmt))


def dump(store: Path) -> set[str]:
    with OxigraphStore(store, read_only=True) as st:
        return set(st.dump("nquads").decode().splitlines())


def graph(store: Path, iri: str) -> set:
    with OxigraphStore(store, read_only=True) as st:
        return set(st.triples(iri))


def asserted(store: Path) -> Graph:
    """Every asserted triple of the store (all graphs but the inferred graph and the record)."""
    g = Graph()
    with OxigraphStore(store, read_only=True) as st:
        for name in st.graph_names():
            if name not in {INFERRED_GRAPH, META_GRAPH}:
                for t in st.triples(name):
                    g.add(t)
    return g


def load(run_cli, store: Path, project: Path, *args: str):
    return run_cli("--store", str(store), "--project", str(project), "load", *args)


def test_default_graph_names():
    assert default_graph(Path("a/My Data.ttl")) == LOAD_GRAPH_BASE + "my-data"
    assert default_graph(Path("dump.nt.gz")) == LOAD_GRAPH_BASE + "dump"
    assert default_graph(Path("x.y.trig")) == LOAD_GRAPH_BASE + "x.y"


def test_loads_exact_triples_and_keeps_inference_in_step(run_cli, store, tmp_path):
    good = write(tmp_path, "good.ttl", GOOD)
    more = write(tmp_path, "more.nt", MORE)
    before = asserted(store)
    r = load(run_cli, store, MINI, str(good), str(more))
    assert r.code == 0, r.err

    g_good, g_more = LOAD_GRAPH_BASE + "good", LOAD_GRAPH_BASE + "more"
    assert graph(store, g_good) == rdflib_triples(good)
    assert graph(store, g_more) == rdflib_triples(more, "nt")
    assert len(rdflib_triples(good)) == 7 and len(rdflib_triples(more, "nt")) == 4
    assert f"7 triples in <{g_good}>" in r.out and f"4 triples in <{g_more}>" in r.out
    assert "loaded 11 triples from 2 file(s)" in r.out
    # nothing else changed
    assert set(asserted(store)) == set(before) | rdflib_triples(good) | rdflib_triples(
        more, "nt")

    # the inferred graph is what owlrl entails from the asserted triples
    expected = set(infer(asserted(store), engine="owlrl"))
    assert graph(store, INFERRED_GRAPH) == expected
    x, y, z, a = (URIRef(EX + n) for n in "xyza")
    assert (a, URIRef(EX + "supersededBy"), x) in expected
    assert (z, URIRef(EX + "partOf"), x) in expected
    assert f"inferred graph: {len(expected)} triples" in r.out

    # the meta graph records where each graph came from
    meta = graph(store, META_GRAPH)
    assert (URIRef(g_good), PROV.wasDerivedFrom, Literal(str(good.resolve()))) in meta
    assert "validated" in r.out and "0 violations" in r.out


def test_syntax_error_in_second_file_changes_nothing(run_cli, store, tmp_path):
    good = write(tmp_path, "good.ttl", GOOD)
    bad = write(tmp_path, "bad.nt", BROKEN)
    before = dump(store)
    generations = sorted(p.name for p in store.glob("gen-*"))
    r = load(run_cli, store, MINI, str(good), str(bad))
    assert r.code == 2
    assert r.out == ""
    line = r.err.strip().splitlines()[-1]
    assert line.startswith(f"stdgraph: error: {bad}:2:")  # file and line, then column
    assert line.split(":")[3].strip().isdigit()
    assert dump(store) == before
    assert sorted(p.name for p in store.glob("gen-*")) == generations  # staging removed


def test_graph_option_puts_every_file_in_one_graph(run_cli, store, tmp_path):
    good = write(tmp_path, "good.ttl", GOOD)
    more = write(tmp_path, "more.nt", MORE)
    target = "http://example.org/graphs/mine"
    r = load(run_cli, store, MINI, "--graph", target, str(good), str(more))
    assert r.code == 0, r.err
    union = rdflib_triples(good) | rdflib_triples(more, "nt")
    assert len(union) == 10  # one line of MORE repeats GOOD
    assert graph(store, target) == union
    with OxigraphStore(store, read_only=True) as st:
        assert not [g for g in st.graph_names() if g.startswith(LOAD_GRAPH_BASE)]


@pytest.mark.parametrize("bad", ["relative/graph", INFERRED_GRAPH, META_GRAPH,
                                 "https://w3id.org/stdgraph/graph/import/sto/x",
                                 "https://w3id.org/stdgraph/graph/suggestions/suggested",
                                 "http://a b"])
def test_graph_option_refuses_bad_targets(run_cli, store, tmp_path, bad):
    good = write(tmp_path, "good.ttl", GOOD)
    before = dump(store)
    r = load(run_cli, store, MINI, "--graph", bad, str(good))
    assert r.code == 2
    assert r.err.startswith("stdgraph: error: --graph")
    assert dump(store) == before


def test_bad_arguments_exit_2(run_cli, store, tmp_path):
    before = dump(store)
    broken = tmp_path / "broken.nt.gz"
    broken.write_bytes(gzip.compress(MORE.encode())[:40])
    r = load(run_cli, store, MINI, str(broken))
    assert r.code == 2 and r.err.startswith(f"stdgraph: error: {broken}: cannot read")
    r = load(run_cli, store, MINI, str(tmp_path / "missing.ttl"))
    assert r.code == 2 and "no such file" in r.err
    odd = write(tmp_path, "data.csv", "a,b\n")
    r = load(run_cli, store, MINI, str(odd))
    assert r.code == 2 and "unknown RDF file type" in r.err
    assert dump(store) == before


def test_violation_exits_1_and_changes_nothing(run_cli, store, tmp_path):
    good = write(tmp_path, "good.ttl", GOOD)
    invalid = write(tmp_path, "invalid.ttl", INVALID)
    before = dump(store)
    r = load(run_cli, store, MINI, str(good), str(invalid))
    assert r.code == 1
    assert r.out.startswith(f"Violation: <{EX}v> | path <{EX}identifier>")
    assert r.err.strip().endswith("1 SHACL violation; nothing was changed")
    assert dump(store) == before


def test_no_validate_accepts_and_says_so(run_cli, store, tmp_path):
    invalid = write(tmp_path, "invalid.ttl", INVALID)
    r = load(run_cli, store, MINI, "--no-validate", str(invalid))
    assert r.code == 0, r.err
    assert "validation skipped (--no-validate)" in r.out
    assert graph(store, LOAD_GRAPH_BASE + "invalid") == rdflib_triples(invalid)
    # inference still ran: v supersedes b entails b supersededBy v
    assert (URIRef(EX + "b"), URIRef(EX + "supersededBy"), URIRef(EX + "v")) in graph(
        store, INFERRED_GRAPH)


def test_reload_replaces_the_graph_and_retracts_entailments(run_cli, store, tmp_path):
    path = write(tmp_path, "data.ttl", GOOD)
    assert load(run_cli, store, MINI, str(path)).code == 0
    first = dump(store)
    assert load(run_cli, store, MINI, str(path)).code == 0  # the same file again: same graph
    assert {x for x in dump(store) if "generatedAtTime" not in x} == {
        x for x in first if "generatedAtTime" not in x}

    path.write_text(PREFIX + 'ex:x a ex:Standard ; ex:identifier "X" .\n')
    r = load(run_cli, store, MINI, str(path))
    assert r.code == 0, r.err
    assert graph(store, LOAD_GRAPH_BASE + "data") == rdflib_triples(path)
    inferred = graph(store, INFERRED_GRAPH)
    assert inferred == set(infer(asserted(store), engine="owlrl"))
    assert (URIRef(EX + "a"), URIRef(EX + "supersededBy"), URIRef(EX + "x")) not in inferred


def test_every_format_and_gzip(run_cli, store, tmp_path):
    ref = Graph().parse(data=GOOD, format="turtle")
    files = {
        "a.nt": ref.serialize(format="nt"),
        "b.rdf": ref.serialize(format="xml"),
        "c.jsonld": ref.serialize(format="json-ld"),
    }
    ds = Dataset()
    g = ds.graph(URIRef("http://example.org/elsewhere"))
    for t in ref:
        g.add(t)
    files["d.nq"] = ds.serialize(format="nquads")
    files["e.trig"] = ds.serialize(format="trig")
    paths = [write(tmp_path, name, text) for name, text in files.items()]
    gz = tmp_path / "f.ttl.gz"
    gz.write_bytes(gzip.compress(GOOD.encode()))
    gz2 = tmp_path / "g.jsonld.gz"
    gz2.write_bytes(gzip.compress(files["c.jsonld"].encode()))
    paths += [gz, gz2]
    r = load(run_cli, store, MINI, *map(str, paths))
    assert r.code == 0, r.err
    expected = set(ref)
    for stem in "abcdefg":
        # graph names in N-Quads/TriG are not kept: every file is its own graph
        assert graph(store, LOAD_GRAPH_BASE + stem) == expected, stem
    with OxigraphStore(store, read_only=True) as st:
        assert "http://example.org/elsewhere" not in st.graph_names()


def test_blank_nodes_of_two_files_stay_apart(run_cli, store, tmp_path):
    one = write(tmp_path, "one.nt", f'_:b1 <{EX}note> "one" .\n')
    two = write(tmp_path, "two.nt", f'_:b1 <{EX}note> "two" .\n')
    assert load(run_cli, store, MINI, "--graph", "http://example.org/g",
                str(one), str(two)).code == 0
    subjects = {s for s, _p, _o in graph(store, "http://example.org/g")}
    assert len(subjects) == 2
    # and a third load of the first file does not merge with the nodes already there
    assert load(run_cli, store, MINI, str(one)).code == 0
    (s3,) = {s for s, _p, _o in graph(store, LOAD_GRAPH_BASE + "one")}
    assert s3 not in subjects


def test_load_into_an_empty_store(run_cli, tmp_path):
    store = tmp_path / "empty"
    good = write(tmp_path, "good.ttl", GOOD)
    r = load(run_cli, store, MINI, "--no-validate", str(good))
    assert r.code == 0, r.err
    assert graph(store, LOAD_GRAPH_BASE + "good") == rdflib_triples(good)
    # no ontology in the store: nothing to infer
    assert graph(store, INFERRED_GRAPH) == set(infer(asserted(store), engine="owlrl")) == set()


def test_library_result(tmp_path, store):
    from stdgraph.change.load import load as run_load

    good = write(tmp_path, "good.ttl", GOOD)
    with OxigraphStore(store) as st:
        result = run_load(st, [good], project=Project.locate(MINI))
    assert result.graphs == {LOAD_GRAPH_BASE + "good": 7}
    assert result.files == {str(good): 7}
    assert result.report is not None and result.report.conforms
    assert result.inferred == result.inferred_before + 2
    json.dumps(result.timings)
