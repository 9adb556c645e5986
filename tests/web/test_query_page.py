"""The SPARQL query page (issue 19, item 5) over the bundled graph, without a browser: examples
with their parameters bound, the results table (links, labels, paging), downloads as files in
every format, the permalink, and errors as pages for browsers and as the envelope for everyone
else. Expected rows come from rdflib over the bundled source files (``source_graph``)."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from .conftest import ID

HTML = {"Accept": "text/html"}
#: what Chromium sends when it opens a URL
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
                     "image/webp,image/apng,*/*;q=0.8"}
BARRIERS = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX sg: <https://w3id.org/stdgraph/ontology#> "
            "SELECT ?barrier ?label WHERE { ?barrier a sg:Barrier ; skos:prefLabel ?label } "
            "ORDER BY ?label ?barrier")
BAD = "SELECT * WHERE {\n  ?s ?p }"


def expected_barriers(g: Graph, shown: bool = False) -> list[tuple[str, str]]:
    """The rows of ``BARRIERS``: IRI and label (``shown``: with its language, as the table
    shows a literal)."""
    return [(str(b), str(lab) + (f" @{lab.language}" if shown and lab.language else ""))
            for b, lab in g.query(BARRIERS)]


def table_rows(html: str) -> list[list[str]]:
    """The cells of the results table: a link's target (an IRI as /id/ or a URL) or the text."""
    body = html.split('<table class="results">', 1)[1].split("</table>", 1)[0]
    body = body.split("<tbody>", 1)[1]
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = []
        for cell in re.findall(r"<td>(.*?)</td>", row, re.S):
            link = re.search(r'href="([^"]+)"', cell)
            cells.append(unescape(link[1]) if link else unescape(re.sub(r"<[^>]+>", "", cell)))
        out.append(cells)
    return out


def leaf_elements(g: Graph, scheme: URIRef) -> set[str]:
    """The leaf elements of ``scheme``'s axes, by walking the source graph in Python: in the
    scheme, nothing narrower (either direction), under a top concept of the scheme."""
    tops = set(g.subjects(SKOS.topConceptOf, scheme)) | set(g.objects(scheme, SKOS.hasTopConcept))
    leaves = set()
    for e in g.subjects(SKOS.inScheme, scheme):
        if any(True for _ in g.subjects(SKOS.broader, e)) or any(
                True for _ in g.objects(e, SKOS.narrower)):
            continue
        above = set(g.transitive_objects(e, SKOS.broader)) - {e}
        if above & tops:
            leaves.add(str(e))
    return leaves


def test_rami_example_is_bound_to_rami_and_gives_its_17_leaves(web, source_graph):
    want = leaf_elements(source_graph, URIRef(ID + "architecture/rami40"))
    assert len(want) == 17  # 6 layers, 4 life-cycle elements, 7 hierarchy levels
    r = web.get("/query", params={"example": "rami-leaf-elements"}, headers=HTML)
    assert r.status_code == 200
    # the default is in the labelled input and bound in the editor's text
    assert re.search(r'<label for="param-architecture">architecture</label>', r.text)
    assert 'value="sgid:architecture/rami40"' in r.text
    assert "VALUES ?architecture { &lt;https://w3id.org/stdgraph/id/architecture/rami40&gt; }" \
        in r.text
    rows = table_rows(r.text)
    assert len(rows) == 17 and "Rows 1–17 of 17" in r.text
    assert "RAMI 4.0 leaf elements, 17 rows" in r.text.split("</title>")[0]
    assert {ID + cells[3].removeprefix("/id/") for cells in rows} == want
    # another architecture through the same input
    r = web.get("/query", params={"example": "rami-leaf-elements",
                                  "architecture": "sgid:architecture/iira"}, headers=HTML)
    iira = leaf_elements(source_graph, URIRef(ID + "architecture/iira"))
    assert {ID + c[3].removeprefix("/id/") for c in table_rows(r.text)} == iira


def test_an_example_asks_for_its_required_parameter(web, source_graph):
    r = web.get("/query", params={"example": "standards-by-element"}, headers=HTML)
    assert r.status_code == 200
    assert '<label for="param-element">element (required)</label>' in r.text
    assert 'id="results"' not in r.text  # nothing run yet
    assert "to run this example" in r.text
    element = ID + "architecture/rami40/layer-communication"
    r = web.get("/query", params={"example": "standards-by-element", "element": element},
                headers=HTML)
    asserted = {str(s) for s in source_graph.subjects(
        URIRef("https://w3id.org/stdgraph/ontology#classifiedIn"), URIRef(element))}
    shown = {ID + c[1].removeprefix("/id/") for c in table_rows(r.text)}
    assert asserted and asserted <= shown  # a series is classified where its parts are, too
    r = web.get("/query", params={"example": "standards-by-element", "element": "not an iri"},
                headers=HTML)
    assert r.status_code == 400 and "parameter &#39;element&#39;" in r.text


def test_an_example_with_several_values_of_a_parameter(web, source_graph):
    sg = "https://w3id.org/stdgraph/ontology#"
    want = {str(s) for status in ("Withdrawn", "Superseded")
            for s in source_graph.subjects(URIRef(sg + "status"), URIRef(sg + status))}
    assert want
    r = web.get("/query", params={"example": "standards-by-status",
                                  "status": "sg:Withdrawn, sg:Superseded"}, headers=HTML)
    assert r.status_code == 200
    assert 'value="sg:Withdrawn, sg:Superseded"' in r.text  # what was given, kept
    assert {ID + c[1].removeprefix("/id/") for c in table_rows(r.text)} == want
    # an empty value is the default (sg:Published), shown in the input
    r = web.get("/query", params={"example": "standards-by-status", "status": ""},
                headers=HTML)
    assert 'value="sg:Published"' in r.text
    assert {c[0] for c in table_rows(r.text)} == {"/ontology#Published"}


def test_results_link_iris_with_their_labels_and_the_permalink_reruns(web, source_graph):
    want = expected_barriers(source_graph, shown=True)
    r = web.get("/query", params={"query": BARRIERS}, headers=HTML)
    assert r.status_code == 200
    rows = table_rows(r.text)
    assert [(ID + b.removeprefix("/id/"), label) for b, label in rows] == want
    assert re.search(r'<p class="status" role="status">40 rows · \d+ ms</p>', r.text)
    # an IRI of ours links to its /id/ page, shown with its label and its short form
    first_iri, first_label = expected_barriers(source_graph)[0]
    cell = f'<a href="/id/{first_iri.removeprefix(ID)}">{first_label}</a><br>' \
           f'<span class="iri">sgid:{first_iri.removeprefix(ID)}</span>'
    assert cell in r.text
    link = unescape(re.search(r'<a href="([^"]+)" class="permalink">', r.text)[1])
    assert parse_qs(urlsplit(link).query) == {"query": [BARRIERS], "format": ["table"]}
    again = web.get("/query" + link, headers=HTML)
    assert table_rows(again.text) == rows


def test_rows_come_a_page_at_a_time(web):
    q = "SELECT ?n WHERE { VALUES ?n { " + " ".join(map(str, range(1, 121))) + " } }"
    r = web.get("/query", params={"query": q, "page": "2"}, headers=HTML)
    assert "Rows 51–100 of 120" in r.text and "120 rows (page 2 of 3)" in r.text
    assert table_rows(r.text) == [[f"{n} xsd:integer"] for n in range(51, 101)]
    for name in ("prev", "next"):
        href = unescape(re.search(rf'<a rel="{name}" href="([^"]+)"', r.text)[1])
        got = parse_qs(urlsplit(href).query)
        assert got["query"] == [q] and got.get("page", ["1"]) == [
            "1" if name == "prev" else "3"]
    last = web.get("/query", params={"query": q, "page": "3", "size": "50"}, headers=HTML)
    assert table_rows(last.text) == [[f"{n} xsd:integer"] for n in range(101, 121)]
    assert 'rel="next"' not in last.text
    assert web.get("/query", params={"query": q, "page": "4"}, headers=HTML).status_code == 400


def test_the_text_of_an_answer_in_a_chosen_format(web):
    q = "SELECT ?x WHERE { VALUES ?x { 1 2 } }"
    r = web.get("/query", params={"query": q, "format": "csv"}, headers=HTML)
    assert r.status_code == 200
    assert '<pre class="answer-text"' in r.text and "x\r\n1\r\n2\r\n" in unescape(r.text)
    assert 'value="csv" selected' in r.text
    # a graph asked for as CSV is shown in Turtle, and the page says so
    r = web.get("/query", params={"query": "CONSTRUCT { <urn:a> <urn:b> 1 } WHERE {}",
                                  "format": "csv"}, headers=HTML)
    assert "shown as Turtle" in r.text and "&lt;urn:a&gt; &lt;urn:b&gt; 1" in r.text
    r = web.get("/query", params={"query": "ASK { ?s ?p ?o }"}, headers=HTML)
    assert "The answer is <strong>yes</strong> (true)." in r.text


SELECT_DOWNLOADS = {"json": ("application/sparql-results+json", "srj"),
                    "xml": ("application/sparql-results+xml", "xml"),
                    "csv": ("text/csv", "csv"), "tsv": ("text/tab-separated-values", "tsv")}
GRAPH_DOWNLOADS = {"turtle": ("text/turtle", "ttl"), "ntriples": ("application/n-triples", "nt"),
                   "jsonld": ("application/ld+json", "jsonld"),
                   "rdfxml": ("application/rdf+xml", "rdf")}


def test_every_download_is_a_file_in_its_format(web, source_graph):
    want = expected_barriers(source_graph)
    page = web.get("/query", params={"query": BARRIERS}, headers=HTML).text
    links = {m[2]: unescape(m[1]) for m in
             re.finditer(r'<a href="([^"]+)" download>Download ([^<]+)</a>', page)}
    assert set(links) == {"SPARQL JSON", "SPARQL XML", "CSV", "TSV"}
    for fmt, (media, suffix) in SELECT_DOWNLOADS.items():
        r = web.get("/sparql", params={"query": BARRIERS, "download": fmt},
                    headers=BROWSER)
        assert r.status_code == 200, (fmt, r.text)
        assert r.headers["content-type"].split(";")[0] == media
        name = "query-results." + ("json" if fmt == "json" else suffix)
        assert r.headers["content-disposition"] == f'attachment; filename="{name}"'
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(r.text)))
            assert rows[0] == ["barrier", "label"] and [tuple(x) for x in rows[1:]] == want
        if fmt == "json":
            assert len(json.loads(r.text)["results"]["bindings"]) == len(want)
    label = links["CSV"]
    assert parse_qs(urlsplit(label).query) == {"query": [BARRIERS], "download": ["csv"]}
    construct = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                 "CONSTRUCT { ?b skos:prefLabel ?l } WHERE { ?b a "
                 "<https://w3id.org/stdgraph/ontology#Barrier> ; skos:prefLabel ?l }")
    page = web.get("/query", params={"query": construct}, headers=HTML).text
    assert {"Turtle", "N-Triples", "JSON-LD", "RDF/XML"} <= set(
        re.findall(r'download>Download ([^<]+)</a>', page))
    for fmt, (media, suffix) in GRAPH_DOWNLOADS.items():
        r = web.get("/sparql", params={"query": construct, "download": fmt})
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
        assert r.headers["content-disposition"] == \
            f'attachment; filename="query-results.{suffix}"'
        g = Graph().parse(data=r.text, format={"rdfxml": "xml", "jsonld": "json-ld",
                                               "ntriples": "nt"}.get(fmt, fmt))
        assert sorted((str(s), str(o)) for s, _p, o in g) == sorted(want)


def test_the_protocol_is_untouched_for_other_clients(web):
    plain = web.get("/sparql", params={"query": BARRIERS},
                    headers={"Accept": "text/csv"})
    assert "content-disposition" not in plain.headers
    # SPARQLWrapper adds format= and output=: still ignored, Accept decides
    r = web.get("/sparql", params={"query": BARRIERS, "format": "json", "output": "json"},
                headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv") and r.text == plain.text
    # a download of the wrong kind, or of no format
    r = web.get("/sparql", params={"query": BARRIERS, "download": "turtle"})
    assert r.status_code == 406
    r = web.get("/sparql", params={"query": BARRIERS, "download": "pdf"})
    assert r.status_code == 400 and r.json()["parameter"] == "download"


def test_a_bad_query_from_a_browser_gets_a_page_with_where_and_a_way_back(web):
    # every other client keeps the envelope, with the parser's line and column
    for headers in ({}, {"Accept": "application/sparql-results+json"}, {"Accept": "*/*"}):
        r = web.get("/sparql", params={"query": BAD}, headers=headers)
        assert r.status_code == 400 and r.headers["content-type"] == "application/json"
        line, column = r.json()["line"], r.json()["column"]
        assert line == 2 and column in (9, 10)  # at the closing brace, or just after it
    r = web.post("/sparql", data={"query": BAD}, headers=BROWSER)
    assert r.status_code == 400 and r.json()["ok"] is False  # not a navigation
    r = web.get("/sparql", params={"query": BAD}, headers=BROWSER)
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in r.headers  # the fast path's page has them too
    assert f"SPARQL syntax error (line {line}, column {column})" in r.text
    edit = unescape(re.search(r'<a href="([^"]+)">Edit this query on the query page</a>',
                              r.text)[1])
    assert parse_qs(urlsplit(edit).query) == {"query": [BAD]}
    # the way back: the query page with the query in the editor and the place marked
    back = web.get(edit, headers=BROWSER)
    assert back.status_code == 400
    assert '<textarea id="query" name="query"' in back.text and "?s ?p }</textarea>" in back.text
    assert f'data-line="{line}" data-column="{column}"' in back.text
    assert "2 |   ?s ?p }\n" + " " * 4 + " " * (column - 1) + "^" in unescape(back.text)


@pytest.mark.parametrize("params", [{"nope": "1"}, {"format": "pdf"},
                                    {"example": "no-such-example"}, {"page": "0"}])
def test_bad_page_parameters_are_named(web, params):
    r = web.get("/query", params={"query": "ASK {}", **params})
    assert r.status_code == 400 and r.json()["parameter"] == next(iter(params))


def test_the_page_is_a_plain_get_form_and_answers_head(web):
    r = web.get("/query", headers=HTML)
    assert r.status_code == 200
    assert '<form id="form" action="/query" method="get">' in r.text
    assert '<select id="format" name="format">' in r.text
    assert re.search(r'<script src="/static/query.js"></script>', r.text)
    assert "<style" not in r.text and " style=" not in r.text and "onclick" not in r.text
    head = web.head("/query", headers=HTML)
    assert head.status_code == 200 and head.headers["content-length"] == \
        r.headers["content-length"]
    # the endpoint's own page for a browser is the same editor
    assert '<form id="form" action="/query" method="get">' in web.get("/sparql",
                                                                        headers=HTML).text


def test_a_download_without_a_query_is_refused(web):
    """``download=`` names the format of an answer: without a query there is none, so it is a
    400 naming the parameter (not the service description, which would ignore it)."""
    for value in ("csv", "AAA"):
        r = web.get("/sparql", params={"download": value})
        assert r.status_code == 400, (value, r.text)
        assert r.json()["parameter"] == "download"
    assert web.get("/sparql").status_code == 200  # no download: the service description
