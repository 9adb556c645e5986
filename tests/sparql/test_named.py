"""The named-query registry: header grammar, parameter checking, binding as RDF terms (never as
pasted text), the shipped queries on the fixture graph, and the CLI."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Literal, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from stdgraph.project import Project
from stdgraph.sparql.named import (
    NamedQuery,
    Param,
    ParameterError,
    QueryFileError,
    QueryNotFound,
    Registry,
    expand_iri,
    parse_header,
    parse_param_args,
    sparql_term,
    where_brace,
)
from stdgraph.store import MemoryStore, OxigraphStore
from support.analysis_graph import REPO, build_into, fa, project_dir, std

ID = "https://w3id.org/stdgraph/id/"
SG = "https://w3id.org/stdgraph/ontology#"


@pytest.fixture(scope="session")
def stores(tmp_path_factory):
    root = project_dir(tmp_path_factory.mktemp("queries"))
    ox = build_into(OxigraphStore(tmp_path_factory.mktemp("queries-ox") / "store"), root)
    return {"oxigraph": ox, "memory": build_into(MemoryStore(), root)}


@pytest.fixture(params=["oxigraph", "memory"])
def store(request, stores):
    return stores[request.param]


@pytest.fixture(scope="session")
def registry():
    return Registry.for_project(Project.locate(REPO))


# -- header grammar ----------------------------------------------------------------------------

HEADER = """# title: Things by kind
# description: Every thing of a kind,
# description: with its label.
# columns: thing, label
# param: kind | iri | default sg:Published | allowed sg:Published, sg:Withdrawn | multiple | The kind.
# param: year | integer | optional | min 1900 | max 2100 | A year.
# param: name | string | required | A name.
PREFIX sg: <https://w3id.org/stdgraph/ontology#>
# a comment inside the query is not header
SELECT ?thing WHERE { ?thing a ?kind ; ?p ?name FILTER(!BOUND(?year) || ?year > 0) }
"""


def test_header_grammar():
    fields, params = parse_header(HEADER)
    assert fields == {"title": "Things by kind",
                      "description": "Every thing of a kind, with its label.",
                      "columns": "thing, label"}
    kind, year, name = params
    assert (kind.name, kind.type, kind.default, kind.multiple, kind.required) == (
        "kind", "iri", "sg:Published", True, False)
    assert kind.allowed == ("sg:Published", "sg:Withdrawn")
    assert kind.description == "The kind."
    assert (year.required, year.default, int(year.minimum), int(year.maximum)) == (
        False, None, 1900, 2100)
    assert (name.required, name.type) == (True, "string")
    q = NamedQuery.from_text("things", HEADER)
    assert q.describe()["parameters"][1] == {
        "name": "year", "type": "integer", "required": False, "default": None, "allowed": [],
        "multiple": False, "description": "A year.", "min": 1900, "max": 2100}
    assert q.describe()["columns"] == "thing, label"


@pytest.mark.parametrize("header,fragment", [
    ("# param: x | colour\nSELECT ?x WHERE { ?x ?p ?o }", "unknown type"),
    ("# param: x\nSELECT ?x WHERE { ?x ?p ?o }", "name | type"),
    ("# param: x | integer | default ten\nSELECT ?x WHERE { ?x ?p ?o }", "not an integer"),
    ("# param: x | iri | default sg:A | allowed sg:B\nSELECT ?x WHERE { ?x ?p ?o }",
     "not one of"),
    ("# param: y | iri | required\nSELECT ?x WHERE { ?x ?p ?o }", "not a variable"),
    ("# param: x | iri | required\n# param: x | iri | required\nSELECT ?x WHERE { ?x ?p ?o }",
     "declared twice"),
    ("# param: bad-name | iri | required\nSELECT ?x WHERE { ?x ?p ?o }", "bad parameter name"),
])
def test_bad_headers_are_refused(header, fragment):
    with pytest.raises(QueryFileError) as e:
        NamedQuery.from_text("q", header)
    assert fragment in e.value.message


# -- parameter values --------------------------------------------------------------------------

@pytest.mark.parametrize("text,iri", [
    ("sg:Published", SG + "Published"),
    ("<https://example.org/a>", "https://example.org/a"),
    ("https://example.org/a#b", "https://example.org/a#b"),
    ("urn:isbn:123", "urn:isbn:123"),
    ("sgid:standard/iso-10303", ID + "standard/iso-10303"),
])
def test_iri_values(text, iri):
    assert expand_iri(text) == iri
    assert Param("x", "iri").terms(text) == [URIRef(iri)]


@pytest.mark.parametrize("bad", [
    "Published", "http://a b", 'http://a"b', "http://a>b", "<http://a> } UNION { ?s ?p ?o",
    "http://a{b}", "http://a\nb", "http://a\\b", "", "relative/path", "http://a|b",
])
def test_bad_iri_values(bad):
    p = Param("element", "iri", required=True)
    with pytest.raises(ParameterError) as e:
        p.terms(bad if bad else None)
    assert e.value.param == "element" and e.value.http_status == 400


@pytest.mark.parametrize("ptype,raw,term", [
    ("integer", "42", Literal(42)),
    ("integer", "-7", Literal(-7)),
    ("boolean", "yes", Literal(True)),
    ("boolean", "0", Literal(False)),
    ("year", "2020", Literal("2020", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))),
    ("string", 'a "quoted" }', Literal('a "quoted" }')),
])
def test_typed_values(ptype, raw, term):
    assert Param("x", ptype).terms(raw) == [term]


@pytest.mark.parametrize("ptype,raw", [
    ("integer", "1; DROP ALL"), ("integer", "1.5"), ("integer", "1e3"), ("decimal", "abc"),
    ("boolean", "maybe"), ("year", "20201"), ("date", "2020-13-01"),
])
def test_bad_typed_values(ptype, raw):
    with pytest.raises(ParameterError) as e:
        Param("x", ptype).terms(raw)
    assert e.value.param == "x"


def test_min_max_allowed_multiple():
    p = Param("n", "integer", minimum=1, maximum=3)
    assert p.python("3") == 3
    for bad in ("0", "4"):
        with pytest.raises(ParameterError):
            p.terms(bad)
    status = Param("status", "iri", default="sg:Published", multiple=True,
                   allowed=("sg:Published", "sg:Withdrawn"))
    assert status.python(None) == [SG + "Published"]
    assert status.python("sg:Withdrawn,sg:Published") == [SG + "Withdrawn", SG + "Published"]
    assert status.python(["sg:Withdrawn", "sg:Published"]) == [SG + "Withdrawn",
                                                               SG + "Published"]
    with pytest.raises(ParameterError):
        status.terms("sg:Superseded")
    with pytest.raises(ParameterError):
        Param("one", "string").terms(["a", "b"])


def test_parse_param_args():
    assert parse_param_args(["a=1", "b=x=y", "a=2"]) == {"a": ["1", "2"], "b": ["x=y"]}
    with pytest.raises(Exception, match="key=value"):
        parse_param_args(["novalue"])


# -- binding never changes the query's shape ---------------------------------------------------

def _shape(query: str):
    """The algebra of a query with every literal's value blanked: operators, variables, IRIs
    and the number of VALUES rows and columns, but not what the literals say."""
    algebra = translateQuery(parseQuery(query)).algebra
    out = []

    def walk(node):
        if isinstance(node, CompValue):
            out.append(node.name)
            for k in sorted(node):
                out.append(k)
                walk(node[k])
        elif isinstance(node, dict):
            for k in sorted(node, key=str):
                walk(k)
                walk(node[k])
        elif isinstance(node, (list, tuple, set)):
            out.append(len(node))
            for x in (sorted(node, key=str) if isinstance(node, set) else node):
                walk(x)
        elif isinstance(node, Literal):
            out.append("LITERAL")
        else:
            out.append(str(node))

    walk(algebra)
    return out


ECHO = NamedQuery.from_text("echo", """# title: Echo
# param: text | string | required | Any text.
# param: thing | iri | optional | Any IRI.
SELECT ?text ?thing WHERE { OPTIONAL { ?thing <urn:x:p> ?o } }
""")

INJECTIONS = [
    'x" } UNION { ?s ?p ?o } #',
    "x' . ?s ?p ?o . '",
    '"""\n} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o',
    "line one\nline two\r\n\ttab \\ backslash",
    "} } } { { {",
    "> <http://evil> .",
    "\x00\x01\x1f control",
    "UNION",
    "日本語 ünïcødé",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_does_not_change_the_query_shape(stores, value):
    benign = ECHO.bound_text({"text": "hello"})
    hostile = ECHO.bound_text({"text": value})
    assert _shape(hostile) == _shape(benign)
    for st in stores.values():
        rows = st.query(hostile).rows
        assert rows == [(Literal(value), None)]


@pytest.mark.parametrize("value", ["<http://a> } UNION {", "http://a>", "http://a> ?s ?p ?o"])
def test_hostile_iris_are_refused(value):
    with pytest.raises(ParameterError) as e:
        ECHO.bound_text({"text": "x", "thing": value})
    assert e.value.param == "thing"


def test_sparql_term_refuses_what_it_cannot_write():
    with pytest.raises(ValueError):
        sparql_term(URIRef("http://a> UNION {"))
    assert sparql_term(Literal('say "hi"\n')) == '"say \\"hi\\"\\n"'
    assert sparql_term(Literal("x", lang="en")) == '"x"@en'


def test_values_block_goes_into_the_where_group():
    text = "# c { not here\nPREFIX a: <http://x/#>\nSELECT ?x WHERE # {\n { ?x ?p '{' }"
    at = where_brace(text)
    assert text[at - 1] == "{" and text[at:].startswith(" ?x ?p")
    q = NamedQuery.from_text("q", "# param: x | iri | required\n" + text)
    bound = q.bound_text({"x": "urn:a"})
    assert "{\n  VALUES ?x { <urn:a> }\n ?x ?p '{' }" in bound
    parseQuery(bound)


def test_unknown_and_missing_parameters(registry):
    q = registry.get("supersedes")
    with pytest.raises(ParameterError, match="'standard': is required"):
        q.bound_text({})
    with pytest.raises(ParameterError) as e:
        q.bound_text({"standard": std("new"), "colour": "red"})
    assert e.value.param == "colour"
    with pytest.raises(QueryNotFound) as e:
        registry.get("nope")
    assert e.value.http_status == 404


# -- the shipped queries -----------------------------------------------------------------------

SHIPPED = ["elements-of-architecture", "links-with-evidence", "rami-leaf-elements",
           "roadmap-by-timeframe", "standards-by-body", "standards-by-element", "standards-by-status", "supersedes"]


def test_shipped_queries_load_and_are_documented(registry):
    assert set(SHIPPED) <= set(registry.names())
    docs = (REPO / "docs" / "queries.md").read_text()
    for q in registry:
        assert q.title and q.title != q.name and q.description, q.name
        assert f"`{q.name}`" in docs, q.name
        for p in q.params:
            assert f"`{p.name}`" in docs, (q.name, p.name)
        parseQuery(q.text)


def _rows(result, *cols):
    d = result.dicts()
    return [tuple(None if r.get(c) is None else str(r[c]) for c in cols) for r in d]


def test_standards_by_status(store, registry):
    q = registry.get("standards-by-status")
    got = _rows(q.run(store), "standard")
    assert got == [(std(s),) for s in ("alpha", "beta", "cycle-1", "cycle-2", "delta", "gamma",
                                       "new", "series", "series-part1")]
    got = _rows(q.run(store, {"status": "sg:Superseded,sg:Withdrawn"}), "status", "standard")
    assert got == [(SG + "Superseded", std("old")), (SG + "Withdrawn", std("withdrawn"))]


def test_standards_by_body(store, registry):
    got = _rows(registry.get("standards-by-body").run(store, {"body": ID + "body/fx-b2"}),
                "standard", "status")
    assert got == [(std("beta"), SG + "Published"), (std("delta"), SG + "Published"),
                   (std("new"), SG + "Published"), (std("old"), SG + "Superseded"),
                   (std("referrer"), SG + "UnderDevelopment")]


def test_standards_by_element_marks_inferred(store, registry):
    res = registry.get("standards-by-element").run(store, {"element": fa("a3")})
    got = sorted(_rows(res, "standard", "asserted"))
    assert got == [(std("gamma"), "true"), (std("referrer"), "true"),
                   (std("series"), "false"), (std("series-part1"), "true")]


def test_supersedes(store, registry):
    q = registry.get("supersedes")
    assert _rows(q.run(store, {"standard": std("new")}), "superseded", "direct") == [
        (std("old"), "true")]
    assert _rows(q.run(store, {"standard": std("old")}), "superseded") == []
    # a cycle: each supersedes the other, never itself
    assert _rows(q.run(store, {"standard": std("cycle-1")}), "superseded") == [
        (std("cycle-2"),)]


def test_roadmap_by_timeframe(store, registry):
    q = registry.get("roadmap-by-timeframe")
    rows = _rows(q.run(store), "item", "timeframe", "barrier")
    assert sorted(rows, key=str) == sorted([
        (ID + "roadmap-item/fx-r1", "2020–2021", ID + "barrier/fx-x1"),
        (ID + "roadmap-item/fx-r2", None, None),
        (ID + "roadmap-item/fx-r3", None, None)], key=str)
    assert _rows(q.run(store, {"year": "2021"}), "item") == [(ID + "roadmap-item/fx-r1",)]
    assert _rows(q.run(store, {"year": "2019"}), "item") == []


def test_elements_and_leaves(store, registry):
    rows = _rows(registry.get("elements-of-architecture").run(
        store, {"architecture": ID + "architecture/fa"}), "element", "standards")
    assert sorted(rows) == [(fa("a1"), "3"), (fa("a2"), "3"), (fa("a3"), "4"), (fa("a4"), "4"),
                            (fa("axis"), "0")]
    leaves = _rows(registry.get("rami-leaf-elements").run(
        store, {"architecture": ID + "architecture/fa"}), "element", "axis")
    assert leaves == [(fa(f"a{k}"), fa("axis")) for k in (1, 2, 3, 4)]


def test_rami_has_17_leaf_elements(tmp_path, registry):
    """Acceptance query of the knowledge-model issue, on the bundled RAMI 4.0 data."""
    root = tmp_path / "rami"
    (root / "data").mkdir(parents=True)
    (root / "data" / "rami40.ttl").write_bytes(
        (REPO / "data" / "architectures" / "rami40.ttl").read_bytes())
    store = build_into(MemoryStore(), project_dir(tmp_path, root / "data"))
    rows = _rows(registry.get("rami-leaf-elements").run(store), "axis", "element")
    per_axis: dict[str, int] = {}
    for axis, _e in rows:
        per_axis[axis.rsplit("/", 1)[1]] = per_axis.get(axis.rsplit("/", 1)[1], 0) + 1
    assert per_axis == {"axis-layers": 6, "axis-life-cycle": 4, "axis-hierarchy": 7}


# -- CLI ---------------------------------------------------------------------------------------

def test_cli_named_query(stores, run_cli, tmp_path):
    root = project_dir(tmp_path)
    (root / "queries").mkdir()
    for name in ("standards-by-status", "supersedes"):
        (root / "queries" / f"{name}.rq").write_bytes(
            (REPO / "queries" / f"{name}.rq").read_bytes())
    where = str(stores["oxigraph"].root)
    res = run_cli("--project", str(root), "query", "--store", where, "--named",
                  "standards-by-status", "--param", "status=sg:Withdrawn", "--format", "json")
    assert res.code == 0, res.err
    bindings = json.loads(res.out)["results"]["bindings"]
    assert [b["standard"]["value"] for b in bindings] == [std("withdrawn")]
    res = run_cli("--project", str(root), "query", "--store", where, "--named", "supersedes",
                  "--param", "standard=http://a> } UNION {")
    assert res.code == 2 and "parameter 'standard'" in res.err
    res = run_cli("--project", str(root), "query", "--store", where, "--named", "nope")
    assert res.code == 2 and "no named query 'nope'" in res.err
    res = run_cli("--project", str(root), "queries")
    assert re.search(r"^supersedes: What a standard supersedes$", res.out, re.M)
