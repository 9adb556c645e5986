"""The keyword scanner agrees with rdflib's SPARQL parser on what SERVICE / LOAD / FROM a
request really uses, including the cases a text search gets wrong."""

from __future__ import annotations

import pytest
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from stdgraph.sparql.scan import has_dataset_clause, operation, uses_load, uses_service


def _names(tree) -> set[str]:
    out = set()
    stack = [tree]
    while stack:
        x = stack.pop()
        if isinstance(x, CompValue):
            out.add(x.name)
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif hasattr(x, "asList"):
            stack.extend(list(x))
    return out


QUERIES = [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERV\\u0049CE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT ?service WHERE { ?service <http://example.org/service> 'SERVICE' }",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:service ?o }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://example.org/sparql> {}",
    "SELECT * WHERE { ?s ?p \"\"\"multi\nline SERVICE\"\"\" }",
    "SELECT * WHERE { ?s ?p 'x'@service }",
    "SELECT * WHERE { ?s <http://example.org/#SERVICE> ?o }",
    "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?from WHERE { ?from ?p ?o }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_scanner_agrees_with_rdflib_on_queries(query):
    tree = parseQuery(query)
    assert uses_service(query) == ("ServiceGraphPattern" in _names(tree))
    assert has_dataset_clause(query) == ("DatasetClause" in _names(tree))
    assert operation(query) == "query"


UPDATES = [
    "LOAD <http://example.org/data.ttl>",
    "load silent <file:///etc/passwd> into graph <http://example.org/g>",
    "L\\u004FAD <http://example.org/data.ttl>",
    "INSERT DATA { <http://example.org/a> <http://example.org/load> 'LOAD' }",
    "PREFIX load: <http://example.org/> DELETE WHERE { ?s load:x ?o }",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_scanner_agrees_with_rdflib_on_updates(update):
    names = _names(parseUpdate(update))
    assert uses_load(update) == ("Load" in names)
    assert uses_service(update) == ("ServiceGraphPattern" in names)
    assert operation(update) == "update"


def test_operation_skips_the_prologue():
    assert operation("PREFIX ex: <http://e/> BASE <http://b/> INSERT DATA {}") == "update"
    assert operation("# a comment\nPREFIX select: <http://e/> ASK {}") == "query"
    assert operation("") is None


# -- point lookups (answered on the event loop) ---------------------------------------------------
LOOKUPS = {
    "PREFIX s: <http://x/> SELECT ?p ?o WHERE { s:std\\/a-1 ?p ?o }": True,
    "SELECT * { <http://a> ?p ?o . } LIMIT 10": True,
    "SELECT * { <http://a> ?p ?o . } LIMIT 10 OFFSET 2": False,  # skipped rows: no deadline
    "SELECT * { <http://a> ?p ?o . } OFFSET 2": False,
    "SELECT * { <http://a> ?x ?x }": False,  # a filter: rows read without output
    "SELECT * { <http://a> ?x $x }": False,
    "ASK { <http://a> a <http://C> }": True,
    "select ?o where { <http://a> <http://p> ?o } # } ORDER BY ?o": True,
    "SELECT ?o WHERE { <http://a> ?p \"}\" }": True,
    "SELECT ?o WHERE { <http://a> <http://p> ?o } ORDER BY ?o": False,
    "SELECT DISTINCT ?o WHERE { <http://a> ?p ?o }": False,
    "SELECT ?o WHERE { ?s ?p ?o }": False,
    "SELECT ?o WHERE { _:b ?p ?o }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o . ?o ?q ?r }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o ; ?q ?r }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o , ?r }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o FILTER(?o) }": False,
    "SELECT ?o WHERE { <http://a> <http://p>/<http://q> ?o }": False,
    "SELECT ?o WHERE { <http://a> <http://p>* ?o }": False,
    "SELECT ?o WHERE { <http://a> ?p \"x\"@en }": False,
    "SELECT ?o WHERE { GRAPH ?g { <http://a> ?p ?o } }": False,
    "SELECT (COUNT(*) AS ?n) WHERE { <http://a> ?p ?o }": False,
    "SELECT ?o FROM <http://g> WHERE { <http://a> ?p ?o }": False,
    "CONSTRUCT { <http://a> ?p ?o } WHERE { <http://a> ?p ?o }": False,
    "SELECT ?o WHERE { { SELECT * WHERE { ?s ?p ?o } } }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o OPTIONAL { ?o ?q ?r } }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o } VALUES ?o { 1 }": False,
}


def _single_constant_subject_lookup(query: str) -> bool:
    """The oracle, from rdflib's algebra: only Project/Slice over one BGP of one triple whose
    subject is an IRI."""
    from rdflib import URIRef
    from rdflib.plugins.sparql.algebra import translateQuery

    algebra = translateQuery(parseQuery(query)).algebra
    node = algebra.p
    while node.name in {"Project", "Slice"}:
        node = node.p
    return (node.name == "BGP" and len(node.triples) == 1
            and isinstance(node.triples[0][0], URIRef)
            and not algebra.get("datasetClause"))


@pytest.mark.parametrize(("query", "expected"), LOOKUPS.items())
def test_point_lookups_are_what_rdflibs_algebra_says(query, expected):
    from stdgraph.sparql.scan import is_point_lookup

    assert is_point_lookup(query) is expected
    if expected:  # never a false positive: each accepted query is one constant-subject pattern
        assert _single_constant_subject_lookup(query)
