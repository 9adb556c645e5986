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


#: queries whose work the first pattern's matches bound (``anchored_query``), and neighbours
#: that must not pass for them
ANCHORED = {
    # issue 16's gap and CONSTRUCT-neighbourhood classes
    "SELECT ?e WHERE { ?e <http://s> <http://C> . FILTER NOT EXISTS { ?s <http://p> ?e } } "
    "ORDER BY ?e": True,
    "CONSTRUCT { <http://a> ?p ?o . ?o <http://l> ?l } WHERE { <http://a> ?p ?o . "
    "OPTIONAL { ?o <http://l> ?l } }": True,
    "PREFIX ex: <http://x/> SELECT * { ex:a ?p ?o }": True,
    "ASK { ?e a <http://C> FILTER EXISTS { ?e <http://p> ?x } }": True,
    "SELECT ?e WHERE { ?e a <http://C> FILTER EXISTS { ?e <http://p> ?x } "
    "FILTER NOT EXISTS { ?y <http://q> ?e } } ORDER BY DESC(?e) LIMIT 5 OFFSET 2": True,
    "SELECT ?o ?l WHERE { <http://a> ?p ?o OPTIONAL { ?o <http://l> ?l } } LIMIT 10": True,
    "SELECT ?e WHERE { ?e <http://s> 3 FILTER NOT EXISTS { ?e <http://p> <http://o> } }": True,
    # the driver is not anchored: a variable subject and object, or a variable predicate
    "SELECT ?e WHERE { ?e <http://s> ?c FILTER NOT EXISTS { ?s <http://p> ?e } }": False,
    "SELECT ?e WHERE { ?e ?p <http://C> }": False,
    "SELECT ?o WHERE { <http://a> ?x ?x }": False,
    # the inner pattern does not meet the driver, or reads by a variable predicate
    "SELECT ?e WHERE { ?e a <http://C> FILTER NOT EXISTS { ?s <http://p> ?t } }": False,
    "SELECT ?e WHERE { ?e a <http://C> FILTER NOT EXISTS { ?e ?p ?t } }": False,
    # shapes Oxigraph reads whole, or whose rows can be dropped unbounded
    "SELECT ?e WHERE { ?e a <http://C> MINUS { ?s <http://p> ?e } }": False,
    "SELECT ?e WHERE { ?e a <http://C> OPTIONAL { ?e <http://p> ?x } "
    "FILTER NOT EXISTS { ?e <http://q> ?y } }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o OPTIONAL { ?o <http://l> ?l } } ORDER BY ?l": False,
    "SELECT ?o WHERE { <http://a> ?p ?o OPTIONAL { ?o <http://l> ?l } } OFFSET 5": False,
    "SELECT ?o WHERE { <http://a> ?p ?o OPTIONAL { ?o <http://l> ?l } "
    "OPTIONAL { ?o <http://m> ?m } }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o . ?o <http://l> ?l }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o FILTER(?o != 1) }": False,
    "SELECT DISTINCT ?o WHERE { <http://a> ?p ?o }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o OPTIONAL { ?o <http://l> ?l . ?l <http://m> ?m } }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o FILTER EXISTS { ?o <http://l>/<http://m> ?l } }": False,
    "SELECT ?o FROM <http://g> WHERE { <http://a> ?p ?o }": False,
    "SELECT ?o WHERE { GRAPH ?g { <http://a> ?p ?o } }": False,
    "SELECT (COUNT(*) AS ?n) WHERE { <http://a> ?p ?o }": False,
    "SELECT ?o WHERE { <http://a> ?p ?o } GROUP BY ?o": False,
    "SELECT ?o WHERE { <http://a> ?p ?o } VALUES ?o { 1 }": False,
    "CONSTRUCT { _:b ?p ?o } WHERE { <http://a> ?p ?o }": False,
    "DESCRIBE <http://a>": False,
    # more filters than ANCHORED_FILTERS (4): each is a seek per driver row
    "SELECT ?e WHERE { ?e a <http://C> " + " ".join(
        f"FILTER NOT EXISTS {{ ?e <http://p{i}> ?x{i} }}" for i in range(5)) + " }": False,
    "SELECT ?e WHERE { ?e a <http://C> " + " ".join(
        f"FILTER NOT EXISTS {{ ?e <http://p{i}> ?x{i} }}" for i in range(4)) + " }": True,
    # a filter's own variable is unbound outside it: projecting it is not this shape
    "SELECT ?e ?x WHERE { ?e a <http://C> FILTER EXISTS { ?e <http://p> ?x } }": False,
}


def _bounded_by_first_pattern(query: str) -> bool:
    """The oracle, from rdflib's algebra: Project/Slice/OrderBy over one anchored triple,
    alone, filtered by [NOT] EXISTS of single triples with a constant predicate that meet it,
    or left-joined (no order, no offset) with one such triple."""
    from rdflib import URIRef, Variable
    from rdflib.plugins.sparql.algebra import translateQuery

    algebra = translateQuery(parseQuery(query)).algebra
    if algebra.get("datasetClause"):
        return False
    node, ordered, offset = algebra.p, False, False
    while node.name in {"Project", "Slice", "OrderBy"}:
        ordered |= node.name == "OrderBy"
        offset |= node.name == "Slice" and bool(node.start)
        node = node.p

    def one(bgp) -> tuple | None:
        return bgp.triples[0] if bgp.name == "BGP" and len(bgp.triples) == 1 else None

    def triples(graph) -> list | None:
        """The triples of a group that is only basic graph patterns (joined)."""
        if graph.name == "BGP":
            return list(graph.triples)
        if graph.name == "Join":
            a, b = triples(graph.p1), triples(graph.p2)
            return None if a is None or b is None else a + b
        return None

    def meets(t, driver) -> bool:
        shared = {x for x in driver if isinstance(x, Variable)}
        return isinstance(t[1], URIRef) and bool({t[0], t[2]} & shared)

    if node.name == "Filter":
        driver = one(node.p)
        expr = node.expr
        tests = [expr.expr, *expr.other] if expr.name == "ConditionalAndExpression" else [expr]
        for test in tests:
            if test.name not in {"Builtin_EXISTS", "Builtin_NOTEXISTS"}:
                return False
            inner = triples(test.graph)
            if inner is None or len(inner) != 1 or driver is None \
                    or not meets(inner[0], driver):
                return False
    elif node.name == "LeftJoin":
        driver, inner = one(node.p1), one(node.p2)
        if ordered or offset or driver is None or inner is None or not meets(inner, driver):
            return False
    else:
        driver = one(node)
    if driver is None:
        return False
    s, p, o = driver
    return not isinstance(s, Variable) or (not isinstance(p, Variable)
                                           and not isinstance(o, Variable))


@pytest.mark.parametrize(("query", "expected"), ANCHORED.items())
def test_anchored_queries_are_what_rdflibs_algebra_says(query, expected):
    from stdgraph.sparql.scan import anchored_query

    assert (anchored_query(query) is not None) is expected
    if expected:  # never a false positive
        assert _bounded_by_first_pattern(query)


def test_the_probe_counts_the_first_patterns_matches_up_to_its_cap():
    """``AnchoredQuery.probe(cap)`` counts the driver's matches, at most ``cap + 1``: checked
    against a hand-made store of 7 elements in one scheme and 2 in another."""
    import pyoxigraph as ox

    from stdgraph.sparql.scan import anchored_query

    st = ox.Store()
    scheme, other = ox.NamedNode("http://x/C"), ox.NamedNode("http://x/D")
    in_scheme = ox.NamedNode("http://x/inScheme")
    for i in range(7):
        st.add(ox.Quad(ox.NamedNode(f"http://x/e{i}"), in_scheme, scheme))
    for i in range(2):
        st.add(ox.Quad(ox.NamedNode(f"http://x/f{i}"), in_scheme, other))
    found = anchored_query("PREFIX x: <http://x/> SELECT ?e WHERE { ?e x:inScheme x:C "
                           "FILTER NOT EXISTS { ?s x:classifiedIn ?e } } ORDER BY ?e")
    assert found is not None
    for cap, expected in [(100, 7), (7, 7), (6, 7), (3, 4)]:
        row = next(iter(st.query(found.probe(cap))))
        assert int(row[0].value) == expected
