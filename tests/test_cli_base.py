"""``stdgraph query --base IRI``: relative IRIs resolve against IRI; without it they are an
error with the query's position, as before (issue 16, item 1)."""

from __future__ import annotations

import pytest


@pytest.fixture
def built(run_cli, mini, tmp_path):
    store = str(tmp_path / "store")
    r = run_cli("--store", store, "--project", str(mini), "build")
    assert r.code == 0, r.err
    return store


def test_base_resolves_relative_iris(run_cli, built):
    r = run_cli("query", "SELECT ?i WHERE { BIND(<x> AS ?i) }", "--base", "http://e.org/d/q",
                "--store", built, "--format", "csv")
    assert (r.code, r.out) == (0, "i\r\nhttp://e.org/d/x\r\n"), r.err
    r = run_cli("query", "CONSTRUCT { <s> <p> 1 } WHERE {}", "--base", "http://e.org/",
                "--store", built, "--format", "ntriples", "--no-prefixes")
    assert r.code == 0 and r.out.startswith("<http://e.org/s> <http://e.org/p> "), r.err


def test_reads_data_under_the_base(run_cli, built):
    r = run_cli("query", "SELECT ?id WHERE { <#a> <#identifier> ?id }",
                "--base", "http://example.org/mini", "--store", built, "--format", "csv")
    assert (r.code, r.out) == (0, "id\r\nA\r\n"), r.err


def test_without_base_relative_iris_are_an_error(run_cli, built):
    r = run_cli("query", "SELECT ?i WHERE { BIND(<x> AS ?i) }", "--store", built,
                "--no-prefixes")
    assert r.code == 2 and "line 1, column" in r.err and "Traceback" not in r.err


def test_a_bad_base_is_a_usage_error(run_cli, built):
    r = run_cli("query", "ASK {}", "--base", "not absolute", "--store", built)
    assert r.code == 2 and "--base must be an absolute IRI" in r.err
