"""The CLI through its real entry point: exit codes, one-line errors, output formats."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Graph


@pytest.fixture
def built(run_cli, mini, tmp_path):
    store = str(tmp_path / "store")
    r = run_cli("--store", store, "--project", str(mini), "build")
    assert r.code == 0, r.err
    return store


def test_build_reports_success(run_cli, mini, tmp_path):
    r = run_cli("build", "--store", str(tmp_path / "s"), "--project", str(mini))
    assert r.code == 0
    assert r.out.strip().endswith("(0 warning(s))")
    assert "built 42 triples in 4 graphs" in r.out
    assert "validated" in r.err  # progress goes to stderr


def test_build_with_violation_exits_1_with_one_line_per_violation(run_cli, mini, tmp_path):
    data = mini / "data" / "standards.ttl"
    data.write_text(data.read_text().replace('ex:identifier "E" ', "").replace(
        'ex:identifier "D" ', ""))
    r = run_cli("build", "--store", str(tmp_path / "s"), "--project", str(mini))
    assert r.code == 1
    lines = r.out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Violation: <http://example.org/mini#d> | path ")
    assert "exactly one identifier" in lines[0] and "in data/standards.ttl" in lines[0]
    assert lines[1].startswith("Violation: <http://example.org/mini#e>")
    assert r.err.strip().splitlines()[-1] == (
        "stdgraph: error: 2 SHACL violations; nothing was changed")
    assert "Traceback" not in r.err


def test_build_with_syntax_error_exits_2_naming_line(run_cli, mini, tmp_path):
    (mini / "data" / "bad.ttl").write_text(
        "@prefix ex: <http://example.org/mini#> .\nex:a ex:b .\n")
    r = run_cli("build", "--store", str(tmp_path / "s"), "--project", str(mini))
    assert r.code == 2
    last = r.err.strip().splitlines()[-1]
    assert last.startswith("stdgraph: error: data/bad.ttl:2:")
    assert "Traceback" not in r.err


def test_validate_exit_codes(run_cli, mini, tmp_path):
    good = mini / "data" / "standards.ttl"
    assert run_cli("validate", "--project", str(mini), str(good)).code == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/mini#> .\nex:q a ex:Standard .\n")
    r = run_cli("validate", "--project", str(mini), str(bad))
    assert r.code == 1
    assert r.out.splitlines()[0].startswith("Violation: <http://example.org/mini#q> | path ")
    r = run_cli("validate", "--project", str(mini), "--format", "json", str(bad))
    doc = json.loads(r.out)
    assert (r.code, doc["conforms"], doc["violations"]) == (1, False, 1)
    r = run_cli("validate", "--project", str(mini), "--format", "turtle", str(bad))
    report = Graph().parse(data=r.out, format="turtle")
    assert r.code == 1 and len(report) > 0
    assert run_cli("validate", "--project", str(mini), str(tmp_path / "missing.ttl")).code == 2
    unparsable = tmp_path / "u.ttl"
    unparsable.write_text("not turtle at all")
    r = run_cli("validate", "--project", str(mini), str(unparsable))
    assert r.code == 2 and f"{unparsable}:1:" in r.err


def test_query_formats(run_cli, built):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://example.org/mini#Standard> }"
    r = run_cli("query", q, "--store", built, "--format", "csv")
    assert (r.code, r.out) == (0, "n\r\n5\r\n")
    r = run_cli("query", q, "--store", built, "--format", "json")
    assert json.loads(r.out)["results"]["bindings"][0]["n"]["value"] == "5"
    r = run_cli("query", q, "--store", built, "--format", "tsv")
    assert r.out.splitlines()[0] == "?n"
    r = run_cli("query", q, "--store", built)
    assert r.out.splitlines()[-1] == "(1 row)"
    r = run_cli("query", "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/stdgraph/graph/"
                "inferred> { ?s ?p ?o } }", "--store", built, "--format", "ntriples")
    assert len(Graph().parse(data=r.out, format="nt")) == 3


def test_query_from_file_and_errors(run_cli, built, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text("ASK { ?s ?p ?o }")
    r = run_cli("query", "--file", str(f), "--store", built, "--format", "json")
    assert json.loads(r.out) == {"head": {}, "boolean": True}
    r = run_cli("query", "SELECT WHERE {", "--store", built)
    assert r.code == 2 and r.err.startswith("stdgraph: error: SPARQL syntax error")
    assert len(r.err.strip().splitlines()) == 1
    r = run_cli("query", "--store", built)
    assert r.code == 2 and "either as an argument or with --file" in r.err


def test_query_on_a_missing_store_says_to_build(run_cli, tmp_path):
    r = run_cli("query", "ASK {}", "--store", str(tmp_path / "nothing"))
    assert r.code == 3
    assert "run `stdgraph build` first" in r.err and "Traceback" not in r.err


def test_stats(run_cli, built):
    r = run_cli("stats", "--store", built)
    assert r.code == 0
    assert "       3  https://w3id.org/stdgraph/graph/inferred  (inferred)" in r.out
    assert "       5  http://example.org/mini#Standard" in r.out


@pytest.mark.parametrize("fmt,parser,quads", [
    ("turtle", "turtle", False), ("jsonld", "json-ld", False),
    ("nquads", "nquads", True), ("trig", "trig", True)])
def test_export(run_cli, built, tmp_path, fmt, parser, quads):
    out = tmp_path / f"dump.{fmt}"
    assert run_cli("export", "--store", built, "--format", fmt, "-o", str(out)).code == 0
    if quads:
        ds = Dataset()
        ds.parse(out, format=parser)
        assert sum(1 for _ in ds.quads()) == 42
    else:
        assert len(Graph().parse(out, format=parser)) == 42
    out2 = tmp_path / f"asserted.{fmt}"
    run_cli("export", "--store", built, "--format", fmt, "--asserted-only", "-o", str(out2))
    if quads:
        ds = Dataset()
        ds.parse(out2, format=parser)
        assert sum(1 for _ in ds.quads()) == 39
    else:
        assert len(Graph().parse(out2, format=parser)) == 39


def test_default_store_is_the_per_user_data_folder(run_cli, mini, tmp_path):
    r = run_cli("build", "--project", str(mini))
    assert r.code == 0
    assert (tmp_path / "xdg" / "stdgraph" / "store" / "CURRENT").is_file()


def test_env_variables_choose_store_and_project(run_cli, mini, tmp_path, monkeypatch):
    monkeypatch.setenv("STDGRAPH_PROJECT", str(mini))
    monkeypatch.setenv("STDGRAPH_STORE", str(tmp_path / "envstore"))
    assert run_cli("build").code == 0
    assert (tmp_path / "envstore" / "CURRENT").is_file()


def test_bad_project_is_a_one_line_error(run_cli, tmp_path):
    r = run_cli("build", "--project", str(tmp_path), "--store", str(tmp_path / "s"))
    assert r.code == 2
    assert r.err.strip() == (f"stdgraph: error: {tmp_path} is not a stdgraph project: "
                             "missing ontology/, shapes/, data/")
