"""Dereferenceable IRIs, content negotiation, headers, 404s and the pages (TestClient over the
bundled graph)."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, URIRef

from stdgraph.catalog.ontology import ontology_statements
from stdgraph.store import OxigraphStore
from stdgraph.web.linked_data import jsonld_context

from .conftest import ID

OPCUA = ID + "standard/iec-62541"
SG = "https://w3id.org/stdgraph/ontology#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def triples_of(text: str, fmt: str) -> Graph:
    g = Graph()
    if fmt == "json-ld":
        doc = json.loads(text)
        doc["@context"] = jsonld_context(ID)
        text = json.dumps(doc)
    g.parse(data=text, format=fmt)
    return g


@pytest.mark.parametrize(("accept", "media", "fmt"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json", "application/ld+json", "json-ld"),
])
def test_rdf_formats_carry_the_same_triples(web, accept, media, fmt):
    r = web.get("/id/standard/iec-62541", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    g = triples_of(r.text, fmt)
    s = URIRef(OPCUA)
    assert (s, URIRef(SG + "identifier"), None) in g
    assert (s, URIRef(SG + "publisher"), URIRef(ID + "body/iec")) in g
    # no source gives the series' status: unknown, so absent, never sg:Published (issue 17)
    assert (s, URIRef(SG + "status"), None) not in g
    assert all(t[0] == s for t in g)  # the resource's own triples
    reference = triples_of(web.get("/id/standard/iec-62541?format=turtle").text, "turtle")
    assert len(g) == len(reference)


def test_default_is_turtle_and_browsers_get_html(web):
    assert web.get("/id/standard/iec-62541").headers["content-type"].startswith("text/turtle")
    assert web.get("/id/standard/iec-62541", headers={"Accept": "*/*"}).headers[
        "content-type"].startswith("text/turtle")
    r = web.get("/id/standard/iec-62541", headers={"Accept": BROWSER})
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>IEC 62541" in r.text


def test_vary_and_link_headers(web):
    for accept in ("text/turtle", BROWSER, "application/ld+json"):
        r = web.get("/id/standard/iec-62541", headers={"Accept": accept})
        assert r.headers["vary"] == "Accept"
        link = r.headers["link"]
        assert 'rel="alternate"; type="text/turtle"' in link
        assert 'type="application/ld+json"' in link
        assert "/context.jsonld>" in link and "json-ld#context" in link


def test_jsonld_uses_the_published_context(web):
    doc = web.get("/id/standard/iec-62541", headers={"Accept": "application/ld+json"}).json()
    assert doc["@context"] == "http://testserver/context.jsonld"
    assert doc["@id"] == OPCUA
    ctx = web.get("/context.jsonld")
    assert ctx.headers["content-type"].startswith("application/ld+json")
    assert ctx.json()["@context"]["sg"] == SG


def test_format_parameter_and_406(web):
    r = web.get("/id/standard/iec-62541?format=ntriples", headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("application/n-triples")
    r = web.get("/id/standard/iec-62541", headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["ok"] is False
    r = web.get("/id/standard/iec-62541?format=pdf")
    assert r.status_code == 400 and "format" in r.json()["error"]


@pytest.mark.parametrize("path", ["/id/standard/no-such-standard", "/id/nothing",
                                  "/id/standard/a%3Eb", "/id/standard/%20x"])
def test_unknown_iri_is_404_in_the_envelope(web, path):
    for accept in ("text/turtle", "application/ld+json", "*/*"):
        r = web.get(path, headers={"Accept": accept})
        assert r.status_code == 404
        body = r.json()
        assert body["ok"] is False and body["status"] == 404
    # a browser gets a page saying so (tests/web/test_navigation.py)
    r = web.get(path, headers={"Accept": BROWSER})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<p class="status">404 Not Found</p>' in r.text


def test_iri_cannot_inject_sparql(web):
    r = web.get("/id/x%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20%3Fs")
    assert r.status_code == 404


def test_standard_page(web):
    html = web.get("/id/standard/iec-62541", headers={"Accept": BROWSER}).text
    for heading in ("Identity", "Classifications", "Relations", "Overlaps", "Conflicts",
                    "Sources", "Barriers, themes, technologies"):
        assert f">{heading}</h2>" in html
    assert "IEC 62541" in html
    assert 'href="/id/architecture/rami40/layer-communication"' in html
    assert 'href="/id/body/iec"' in html  # its publisher
    assert 'href="/ontology#Published"' not in html  # no source gives its status (issue 17)


def test_architecture_page_has_the_heatmap(web):
    r = web.get("/id/architecture/rami40", headers={"Accept": BROWSER})
    assert r.status_code == 200
    html = r.text
    assert 'class="heatmap"' in html
    cells = re.findall(r'href="/standards\?element=([^"&]+)&amp;element=([^"]+)"[^>]*>(\d+)<',
                       html)
    assert len(cells) == 6 * 7  # layers x hierarchy levels
    assert any(int(n) > 0 for _r, _c, n in cells)


def test_heatmap_cell_counts_match_the_list(web):
    html = web.get("/id/architecture/rami40", headers={"Accept": BROWSER}).text
    cells = re.findall(r'href="(/standards\?element=[^"]+)"[^>]*>(\d+)<', html)
    url, n = max(cells, key=lambda c: int(c[1]))
    listed = web.get(url.replace("&amp;", "&"), headers={"Accept": "application/json"}).json()
    assert listed["count"] == int(n) > 0


def test_ontology_terms_resolve(web):
    r = web.get("/ontology", headers={"Accept": BROWSER})
    assert r.status_code == 200 and 'id="Standard"' in r.text and 'id="classifiedIn"' in r.text
    g = Graph().parse(data=web.get("/ontology", headers={"Accept": "text/turtle"}).text,
                      format="turtle")
    assert (URIRef(SG + "Standard"), None, None) in g


def test_landing_page_and_search(web):
    html = web.get("/").text
    assert "What the graph holds" in html and 'action="/search"' in html
    assert '<label for="site-q">' in html
    r = web.get("/search?q=62541", headers={"Accept": "application/json"})
    assert any(i["iri"] == OPCUA for i in r.json()["items"])
    html = web.get("/search?q=62541", headers={"Accept": BROWSER}).text
    assert 'href="/id/standard/iec-62541"' in html
    # a quote in the query is a literal, not SPARQL
    assert web.get('/search?q=%22)%7D', headers={"Accept": "application/json"}).status_code == 200


def test_standards_list_rejects_bad_parameters(web):
    assert web.get("/standards?element=not%20an%20iri").status_code == 400
    assert web.get("/standards?colour=red").status_code == 400


def test_relevance_endpoint_on_the_bundled_graph(web):
    r = web.get("/relevance?technology=additive-manufacturing")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["items"] and all(i["status"] != SG + "Superseded" for i in doc["items"])
    left = {i["iri"]: i for i in doc["left_out"]}
    old = left[ID + "standard/iso-astm-52900-2015"]
    assert {s["iri"] for s in old["superseded_by"]} == {ID + "standard/iso-astm-52900-2021"}
    html = web.get("/relevance?technology=additive-manufacturing",
                   headers={"Accept": BROWSER}).text
    # checkbox groups, not a Ctrl-multiselect (issue 19)
    assert "<legend>Technologies</legend>" in html and "use instead" in html
    assert not re.search(r"<select[^>]* multiple", html)
    assert re.search(r'<input type="checkbox" id="f-technology-\d+" name="technology" '
                     rf'value="{ID}technology/additive-manufacturing"', html)
    bad = web.get("/relevance?technology=no-such-tech")
    assert bad.status_code == 400 and "technology" in bad.json()["error"]
    assert web.get("/relevance?colour=red").status_code == 400


def test_translator(web):
    rami_business = ID + "architecture/rami40/layer-business"
    doc = web.get("/translate", params={"element": rami_business}).json()
    assert doc["element"]["iri"] == rami_business
    iira = [m for m in doc["mappings"] if m["element"]["iri"] == ID + "architecture/iira/domain-business"]
    assert len(iira) == 1
    m = iira[0]
    # the record says "IIRA Business Domain closeMatch RAMI 4.0 Business Layer": turned round
    assert m["relation"] == "http://www.w3.org/2004/02/skos/core#closeMatch"
    assert m["status"] == "suggested"
    # its sources are the two I40KG records whose sto:alignsWith it reads (issue 17: the
    # specific records, no longer the repository URL)
    assert sorted(s["iri"] for s in m["sources"]) == [
        "https://w3id.org/i40/sto#IIRABusinessDomain", "https://w3id.org/i40/sto#RamiBusinessLayer"]
    assert m["evidence"] == ["reading"]
    # every bundled mapping is a reading (I40KG states no strength): at evidence=stated the
    # translator has none, and says how many it left out (IIRA's and IVRA's Business)
    stated = web.get("/translate", params={"element": rami_business, "evidence": "stated"}).json()
    assert (stated["mappings"], stated["left_out"]) == ([], 2)
    assert stated["coverage"][1]["text"] == \
        "0 of 123 architecture elements are mapped to another architecture element"
    html = web.get("/translate", params={"element": rami_business},
                   headers={"Accept": BROWSER}).text
    assert '<label for="f-element">' in html and "skos:closeMatch" in html
    assert web.get("/translate").status_code == 400
    assert web.get("/translate", params={"element": ID + "nope"}).status_code == 400
    assert web.get("/translate", headers={"Accept": BROWSER}).status_code == 200


@pytest.mark.parametrize("name", ["overlaps", "clusters", "gaps", "conflicts"])
def test_report_pages(web, name):
    r = web.get(f"/reports/{name}", headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert 'class="report"' in r.text and "format=csv" in r.text


def test_report_filters_and_csv_link(web):
    html = web.get("/reports/gaps?kinds=barrier&limit=", headers={"Accept": BROWSER}).text
    csv_link = re.search(r'href="(/analysis/gaps\?[^"]*format=csv)"', html).group(1)
    csv = web.get(csv_link.replace("&amp;", "&"))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = csv.text.strip().splitlines()[1:]
    assert rows and all(",barrier," in row for row in rows)
    table = html.split('<table class="report">')[1].split("</table>")[0]
    assert table.count("<tr>") == len(rows) + 1  # the coverage matrix is a table of its own
    bad = web.get("/reports/gaps?limit=-1", headers={"Accept": BROWSER})
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    assert web.get("/reports/nothing").status_code == 404


def test_roadmap_timeline(web):
    html = web.get("/roadmap", headers={"Accept": BROWSER}).text
    assert 'class="timeline"' in html
    assert "23 roadmap items" in html  # data/roadmap/roadmap.ttl
    for y in range(2019, 2024):
        assert f'<th scope="col">{y}</th>' in html
    assert html.count('class="on"') >= 23
    assert 'href="/id/roadmap-item/smart-factories-terminology"' in html


def test_the_ontology_terms_are_found_in_the_ontology_graphs(bundled_store):
    """/ontology finds the sg: terms in the ontology's own graphs, then reads every statement
    about them: the same statements as reading every statement of the store (which grows with
    the data), on the bundled graph."""
    st = OxigraphStore(bundled_store, read_only=True)
    every = st.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o "
                     "FILTER(isIRI(?s) && STRSTARTS(STR(?s), 'https://w3id.org/stdgraph/ontology#'))"
                     " FILTER(!isBlank(?o)) }").rows
    assert sorted(map(tuple, every)) == sorted(ontology_statements(st)) and len(every) > 500
