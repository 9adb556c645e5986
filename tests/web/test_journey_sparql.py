"""The SPARQL journey (issue 19, item 5 and its acceptance) in Debian's Chromium against a real
uvicorn: type a query with the editor's prefix completion, run it, download the CSV file,
reopen the results from their permalink in a fresh page; axe-core on the query page's states.
Expected rows come from rdflib over the bundled source files (``source_graph``)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from .conftest import DESKTOP, PHONE, SKIP, serious_violations

pytestmark = pytest.mark.skipif(SKIP, reason="STDGRAPH_SKIP_BROWSER_TESTS is set")

SKOS = "http://www.w3.org/2004/02/skos/core#"
SG = "https://w3id.org/stdgraph/ontology#"
#: the query the journey ends up with (what the editor holds after the typing below)
QUERY = (f"PREFIX sg: <{SG}>\nPREFIX skos: <{SKOS}>\n"
         "SELECT ?barrier ?label WHERE { ?barrier a sg:Barrier ; skos:prefLabel ?label }\n"
         "ORDER BY ?label ?barrier")


def test_type_run_download_and_reopen_a_query(page, live_server, source_graph, shots):
    want = [(str(b), str(lab)) for b, lab in source_graph.query(QUERY)]
    assert len(want) == 40
    page.goto(live_server + "/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="SPARQL").click()
    editor = page.get_by_label("Query", exact=True)
    editor.fill("")
    editor.press_sequentially("PREFIX sk")
    # the completion list offers the known prefixes starting so; Enter takes the first
    options = page.get_by_role("listbox", name="Prefixes").get_by_role("option")
    assert options.all_inner_texts() == [f"skos: {SKOS}"]
    editor.press("Enter")
    assert editor.input_value() == f"PREFIX skos: <{SKOS}>"
    editor.press_sequentially("\nSELECT ?barrier ?label WHERE { ?barrier a sg")
    assert [t.split(":")[0] for t in options.all_inner_texts()] == ["sg", "sgid", "sgsh"]
    editor.press("Enter")  # sg: is declared at the top, since the query uses it
    editor.press_sequentially("Barrier ; skos:prefLabel ?label }\nORDER BY ?label ?barrier")
    assert editor.input_value() == QUERY
    # highlighted as typed: keywords, variables, prefixed names, IRIs
    hl = page.locator("#editor pre.highlight")
    assert hl.locator(".tok-keyword").all_inner_texts()[:4] == ["PREFIX", "PREFIX", "SELECT",
                                                                "WHERE"]
    assert "sg:Barrier" in hl.locator(".tok-pname").all_inner_texts()
    assert hl.locator(".tok-var").first.inner_text() == "?barrier"
    assert hl.locator(".tok-iri").first.inner_text() == f"<{SG}>"
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_url(lambda u: "/query?query=" in u)
    table = page.locator("table.results")
    assert table.locator("caption").inner_text() == "Rows 1–40 of 40"
    shown = table.locator("tbody tr td:first-child a").all_inner_texts()
    assert shown == [label for _iri, label in want]  # each IRI shown by its label
    first = table.locator("tbody tr").first.locator("a").first
    assert first.get_attribute("href") == "/id/" + want[0][0].rsplit("/id/", 1)[1]
    shots(page, "sparql-results")
    with page.expect_download() as got:
        page.get_by_role("link", name="Download CSV").click()
    download = got.value
    assert download.suggested_filename == "query-results.csv"
    rows = list(csv.reader(Path(download.path()).read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["barrier", "label"] and [tuple(r) for r in rows[1:]] == want
    # the permalink, opened in a fresh page (its own context: nothing carried over)
    link = page.get_by_role("link", name="Link to these results").get_attribute("href")
    permalink = page.url.split("?")[0] + link
    other = page.context.browser.new_context(viewport=DESKTOP)
    try:
        fresh = other.new_page()
        fresh.goto(permalink)
        assert fresh.locator("table.results caption").inner_text() == "Rows 1–40 of 40"
        assert fresh.locator("table.results tbody").inner_text() == \
            table.locator("tbody").inner_text()
        assert fresh.get_by_label("Query", exact=True).input_value() == QUERY
        shots(fresh, "sparql-permalink")
    finally:
        other.close()


def test_an_example_and_a_mistake(page, live_server, shots):
    page.goto(live_server + "/query")
    page.get_by_label("Example queries").select_option(label="RAMI 4.0 leaf elements")
    page.get_by_role("button", name="Open example").click()
    page.wait_for_url(lambda u: "example=rami-leaf-elements" in u)
    assert page.get_by_label("architecture").input_value() == "sgid:architecture/rami40"
    assert page.locator("table.results tbody tr").count() == 17
    assert "Asset Layer" in page.locator("table.results").inner_text()
    shots(page, "sparql-example")
    editor = page.get_by_label("Query", exact=True)
    editor.fill("SELECT * WHERE {\n  ?s ?p }")
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_url(lambda u: "/query?query=" in u)
    alert = page.get_by_role("alert")
    assert re.search(r"SPARQL syntax error \(line 2, column \d+\)", alert.inner_text())
    assert page.locator("#editor .tok-error").count() == 1  # the place, marked in the editor
    shots(page, "sparql-error")
    # a browser opening the endpoint with the same query gets a page leading back here
    page.goto(live_server + "/sparql?query=" + "SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%7D")
    assert page.locator("h1").inner_text() == "This request cannot be answered as it is"
    page.get_by_role("link", name="Edit this query on the query page").click()
    page.wait_for_url(lambda u: "/query?query=" in u)
    assert editor.input_value() == "SELECT * WHERE { ?s ?p }"


#: the query page's states: empty, an example's results, an example asking for a parameter,
#: an answer as text, a query's error, the endpoint's error page for a browser
QUERY_PAGES = ["/query", "/query?example=rami-leaf-elements",
               "/query?example=standards-by-element",
               "/query?query=CONSTRUCT%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%205"
               "&format=turtle",
               "/query?query=SELECT%20%3Fs%20%3Fp%20%3Fo%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo"
               "%20%7D%20LIMIT%20120",
               "/query?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%7D",
               "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%7D"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_and_width_on_the_query_page_states(page, live_server, shots, viewport):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page.set_viewport_size(viewport)
    found: dict[str, list[str]] = {}
    for path in QUERY_PAGES:
        page.goto(live_server + path)
        bad = serious_violations(axe, page)
        if bad:
            found[path] = bad
        # wide results scroll inside their box: the page itself never does
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (path, width)
        slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60]
        page.screenshot(path=str(shots.folder / f"axe-{slug}-{viewport['width']}.png"),
                        full_page=True)
    assert not found, "\n".join(f"{p}: {b}" for p, bs in found.items() for b in bs)
