"""The catalog's query files: every header reads, values are bound as terms, never as text."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib import Literal, URIRef

from stdgraph.catalog.queryfiles import bind, checked, load, names, substitute
from stdgraph.sparql.named import NamedQuery, QueryFileError

from .conftest import ID, S1, SG


def test_every_query_has_a_header():
    assert len(names()) >= 19
    for name in names():
        q = load(name)
        assert q.title and q.description, name
        assert all(p.description for p in q.params), name


def test_one_value_is_written_in_place_of_its_variable():
    text = bind("resource-statements", {"resource": URIRef(S1)})
    assert text.endswith(f"SELECT DISTINCT ?p ?o WHERE {{ <{S1}> ?p ?o }}\n")
    assert "?resource" not in text


def test_several_values_are_a_values_block():
    text = bind("class-counts", {"class": [URIRef(SG + "Standard"), URIRef(SG + "Theme")]})
    assert f"WHERE {{\n  VALUES ?class {{ <{SG}Standard> <{SG}Theme> }}\n ?x a ?class }}" in text


def test_an_optional_value_left_out_leaves_the_variable_unbound():
    assert "VALUES" not in bind("roadmap-items", {})
    assert "VALUES ?item" in bind("roadmap-items", {"item": [URIRef(ID + "roadmap-item/x")]})


def test_literals_are_escaped():
    text = bind("search", {"base": Literal(ID), "text": Literal('a") } # ?text')})
    assert 'LCASE("a\\") } # ?text")' in text


def test_variables_in_strings_comments_and_longer_names_stay():
    text = 'SELECT * WHERE { ?x ?xy "?x" <urn:?x> } # ?x'
    assert substitute(text, {"x": "<urn:a>"}) == 'SELECT * WHERE { <urn:a> ?xy "?x" <urn:?x> } # ?x'


@pytest.mark.parametrize(("values", "error"), [
    ({"resource": URIRef(S1), "other": URIRef(S1)}, ValueError),  # not a parameter
    ({}, ValueError),  # required
    ({"resource": Literal(S1)}, TypeError),  # a literal for an IRI
    ({"resource": URIRef("https://example.org/a b>")}, ValueError),  # not an IRI
])
def test_bad_bindings_are_refused(values, error):
    with pytest.raises(error):
        bind("resource-statements", values)


def test_a_bound_variable_in_the_projection_is_refused():
    q = NamedQuery.from_text("bad", "# title: Bad\n# description: Projects its parameter.\n"
                             "# param: x | iri | required | X.\nSELECT ?x WHERE { ?x ?p ?o }")
    with pytest.raises(QueryFileError, match="before the WHERE group"):
        checked(q)


def test_the_catalog_does_not_import_the_http_layer():
    code = ("import sys, pkgutil, importlib, stdgraph.catalog as c\n"
            "for m in pkgutil.iter_modules(c.__path__):\n"
            "    importlib.import_module('stdgraph.catalog.' + m.name)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[:2] in "
            "(['stdgraph', 'api'], ['stdgraph', 'web'], ['stdgraph', 'cli']) "
            "or m.split('.')[0] in ('fastapi', 'starlette', 'jinja2'))\n"
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
