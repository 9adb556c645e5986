"""SPARQL injection through named-query, analysis and protocol parameters (issue 9, item 2).

Each value is either refused with a 400 naming the parameter or bound as one RDF term: the answer
is what a second engine (rdflib, given the value as a bound term, never as text) says for the same
query and data, and a value built to widen the query when pasted into its text - proven to widen
it here, on the same endpoint - returns nothing. The store is the analysis fixture with the
real ontology; the project adds two parameterised queries whose parameters sit in a FILTER, where
pasting is most dangerous."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Literal, URIRef

from stdgraph.api.app import create_app
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore
from support.analysis_graph import REPO, build_into, fa, fb, project_dir, std

from .conftest import dump_bytes

SG = "https://w3id.org/stdgraph/ontology#"
BY_LABEL = """# title: Standards by label
# description: Standards whose label is exactly the given text.
# param: label | string | required | The label.
PREFIX sg: <https://w3id.org/stdgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?standard WHERE { ?standard a sg:Standard ; rdfs:label ?l FILTER(str(?l) = ?label) }
ORDER BY ?standard
"""
ABOUT = """# title: About a standard
# description: The triples of one standard.
# param: standard | iri | required | The standard.
SELECT ?p ?o WHERE { ?s ?p ?o FILTER(?s = ?standard) }
ORDER BY ?p ?o
"""
ALL_STANDARDS = sorted(std(s) for s in ["alpha", "beta", "gamma", "delta", "series",
                                       "series-part1", "old", "new", "withdrawn", "referrer",
                                       "cycle-1", "cycle-2"])

STRING_PAYLOADS = [
    'Alpha"', "Alpha'", 'Alpha"}', 'Alpha" || "1" = "1', "x\") || true || (\"", "Alpha\\",
    '"} UNION { ?standard ?p ?o } #', "Alpha\n} UNION { ?standard a ?t }", '"""', "'''",
    "Alpha\\u0022 || true", "Alpha\r\n", "Alpha ", " UNION ", "}", "{", "Alpha#", "\x00",
    "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }",
]
IRI_PAYLOADS = [
    std("alpha") + "> || true || <urn:x",
    std("alpha") + "> ) } UNION { ?s ?p ?o FILTER(true",
    std("alpha") + ">\n} UNION {",
    std("alpha") + '"',
    std("alpha") + " x",
    std("alpha") + "}",
    std("alpha") + "{",
    "<" + std("alpha") + ">>",
    std("alpha") + "#a#b",
    "sg:x> || true || <urn:x",
    "relative/iri",
    "",
]


@pytest.fixture(scope="module")
def inj(tmp_path_factory) -> Iterator[tuple[TestClient, Dataset, object]]:
    """(client, rdflib dataset of the same data, store folder)."""
    tmp = tmp_path_factory.mktemp("injection")
    root = project_dir(tmp)
    (root / "queries").mkdir()
    for q in (REPO / "queries").glob("*.rq"):
        shutil.copy(q, root / "queries")
    (root / "queries" / "by-label.rq").write_text(BY_LABEL)
    (root / "queries" / "about.rq").write_text(ABOUT)
    store_dir = tmp / "store"
    build_into(OxigraphStore(store_dir), root).close()
    ds = Dataset(default_union=True)
    with OxigraphStore(store_dir, read_only=True) as st_:
        ds.parse(data=st_.dump("nquads"), format="nquads")
    before = dump_bytes(store_dir)
    app = create_app(Settings(project=str(root), store=str(store_dir), query_processes=False),
                     store=OxigraphStore(store_dir))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, ds, store_dir
    assert dump_bytes(store_dir) == before  # no parameter changed the store


def rows(r) -> list[tuple[str, ...]]:
    assert r.status_code == 200, r.text
    body = r.json()
    names = body["head"]["vars"]
    return [tuple(b[n]["value"] if n in b else None for n in names)
            for b in body["results"]["bindings"]]


def reference(ds: Dataset, text: str, **bindings) -> list[tuple[str, ...]]:
    """The same query on rdflib's engine with the value bound as a term."""
    return [tuple(None if t is None else str(t) for t in row)
            for row in ds.query(text, initBindings=bindings)]


def pasted(client, query: str, var: str, term_text: str) -> list[tuple[str, ...]]:
    """What a server that pastes the value into the query text would answer."""
    r = client.post("/sparql", data={"query": query.replace(f"= ?{var})", f"= {term_text})")})
    return rows(r) if r.status_code == 200 else []


# -- named queries: strings --------------------------------------------------------------------
def test_a_plain_value_finds_what_the_second_engine_finds(inj):
    client, ds, _ = inj
    for label in ["Alpha", "Series part 1", "Withdrawn one"]:
        got = rows(client.get("/queries/by-label", params={"label": label}))
        assert got == reference(ds, BY_LABEL, label=Literal(label))
    assert rows(client.get("/queries/by-label", params={"label": "Alpha"})) == [(std("alpha"),)]


def test_the_widening_payload_widens_when_pasted_and_finds_nothing_when_bound(inj):
    client, ds, _ = inj
    payload = 'nothing" || "1" = "1'
    assert sorted(r[0] for r in pasted(client, BY_LABEL, "label", f'"{payload}"')) == \
        ALL_STANDARDS  # the attack works on a pasting server ...
    r = client.get("/queries/by-label", params={"label": payload})
    assert rows(r) == [] == reference(ds, BY_LABEL, label=Literal(payload))  # ... not here


@pytest.mark.parametrize("payload", STRING_PAYLOADS)
def test_string_payloads_are_one_literal(inj, payload):
    client, ds, _ = inj
    r = client.get("/queries/by-label", params={"label": payload})
    assert rows(r) == reference(ds, BY_LABEL, label=Literal(payload)) == []
    # and the server keeps answering correctly
    assert rows(client.get("/queries/by-label", params={"label": "Alpha"})) == [(std("alpha"),)]


@settings(max_examples=60, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(STRING_PAYLOADS + ["Alpha", "Beta", " "]),
                          st.text(st.characters(blacklist_categories=("Cs",)), max_size=5)),
                min_size=1, max_size=4).map("".join))
def test_generated_strings_agree_with_the_second_engine(inj, value):
    client, ds, _ = inj
    r = client.get("/queries/by-label", params={"label": value})
    if value == "":
        assert r.status_code == 400
        return
    assert rows(r) == reference(ds, BY_LABEL, label=Literal(value))


# -- named queries: IRIs -----------------------------------------------------------------------
def test_an_iri_value_finds_what_the_second_engine_finds(inj):
    client, ds, _ = inj
    expected = reference(ds, ABOUT, standard=URIRef(std("alpha")))
    assert (SG + "status", SG + "Published") in expected
    for form in [std("alpha"), f"<{std('alpha')}>", " " + std("alpha") + " "]:
        assert rows(client.get("/queries/about", params={"standard": form})) == expected


@pytest.mark.parametrize("payload", IRI_PAYLOADS)
def test_iri_payloads_are_refused_naming_the_parameter(inj, payload):
    client, ds, _ = inj
    r = client.get("/queries/about", params={"standard": payload})
    assert r.status_code == 400, r.text
    assert "'standard'" in r.json()["error"]
    assert rows(client.get("/queries/about", params={"standard": std("beta")})) == \
        reference(ds, ABOUT, standard=URIRef(std("beta")))


def test_the_iri_widening_payload_widens_when_pasted(inj):
    client, ds, _ = inj
    payload = IRI_PAYLOADS[0]
    everything = pasted(client, ABOUT, "standard", f"<{payload}>")
    assert len(everything) > len(reference(ds, ABOUT, standard=URIRef(std("alpha")))) > 0
    assert client.get("/queries/about", params={"standard": payload}).status_code == 400


def test_element_parameter_of_a_shipped_query(inj):
    client, _, _ = inj
    r = client.get("/queries/standards-by-element", params={"element": fa("a3")})
    # tests/fixtures/analysis/README.md: a3 holds gamma, referrer, series-part1 and (inferred)
    # the series
    assert sorted(row[1] for row in rows(r)) == sorted(
        std(s) for s in ["gamma", "referrer", "series", "series-part1"])
    for payload in [fa("a3") + "> } UNION { ?standard ?p ?element", fa("a3") + "\n?x", fa("a3") + '"']:
        r = client.get("/queries/standards-by-element", params={"element": payload})
        assert r.status_code == 400 and "'element'" in r.json()["error"]


def test_multiple_allowed_values_are_refused_one_by_one(inj):
    client, _, _ = inj
    r = client.get("/queries/standards-by-status",
                   params={"status": "sg:Withdrawn,sg:Published> } UNION { ?s ?p ?o"})
    assert r.status_code == 400 and "'status'" in r.json()["error"]
    r = client.get("/queries/standards-by-status", params={"status": "sg:Withdrawn"})
    assert [row for row in rows(r) if std("withdrawn") in row]


def test_integer_parameter_takes_digits_only(inj):
    client, _, _ = inj
    for payload in ["2020 } UNION { ?s ?p ?o }", "2020)", "2020.0", "0x7E4", "2020\n"]:
        r = client.get("/queries/roadmap-by-timeframe", params={"year": payload})
        if payload == "2020\n":  # surrounding white space is trimmed for numbers
            assert r.status_code == 200
            continue
        assert r.status_code == 400 and "'year'" in r.json()["error"], payload


# -- analyses ----------------------------------------------------------------------------------
AXES = {"rows": fa("axis"), "columns": fb("axis")}


def test_gaps_axes_bound_as_iris_give_the_hand_worked_matrix(inj):
    client, _, _ = inj
    for rows_form in [fa("axis"), f"<{fa('axis')}>"]:
        r = client.get("/analysis/gaps", params={"rows": rows_form, "columns": fb("axis")})
        assert r.status_code == 200, r.text
        # tests/fixtures/analysis/README.md; the same matrix as tests/test_analysis.py::test_gaps
        assert r.json()["matrix"]["counts"] == [[0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0],
                                                [0, 0, 1, 0]]


@pytest.mark.parametrize(("path", "param", "payload"), [
    ("/analysis/gaps", "rows", fa("axis") + "> } UNION { ?e ?p ?o"),
    ("/analysis/gaps", "columns", fb("axis") + ">\n?x ?y ?z"),
    ("/analysis/gaps", "scheme", 'https://w3id.org/stdgraph/id/architecture/fa"'),
    ("/analysis/gaps", "scheme", "https://w3id.org/stdgraph/id/architecture/fa}"),
    ("/analysis/gaps", "kinds", "barrier,} UNION {"),
    ("/analysis/overlaps", "dimensions", 'elements" } UNION { ?s ?p ?o } #'),
    ("/analysis/overlaps", "min_shared", "1 } UNION { ?s ?p ?o }"),
    ("/analysis/overlaps", "expand", "true || 1"),
    ("/analysis/overlaps/clusters", "threshold", "0.5) || (1"),
    ("/analysis/conflicts", "kinds", "declared\n} UNION {"),
    ("/analysis/conflicts", "limit", "10; DROP ALL"),
])
def test_analysis_payloads_are_refused_naming_the_parameter(inj, path, param, payload):
    client, _, _ = inj
    params = {**AXES, param: payload} if path == "/analysis/gaps" else {param: payload}
    r = client.get(path, params=params)
    assert r.status_code == 400, r.text
    assert f"'{param}'" in r.json()["error"]


# -- protocol parameters ------------------------------------------------------------------------
@pytest.mark.parametrize("payload", ["http://x> } UNION { ?s ?p ?o", "http://x>", "http://x\"",
                                     "http://x y", "x"])
def test_dataset_and_graph_iris_are_refused(inj, payload):
    client, _, _ = inj
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for name in ("default-graph-uri", "named-graph-uri"):
        r = client.get("/sparql", params={"query": q, name: payload})
        assert r.status_code == 400 and name in r.json()["error"]
    r = client.get("/store", params={"graph": payload})
    assert r.status_code == 400
