"""Browser tests: Debian's Chromium, headless, driven by Playwright for Python (no browser
download: ``executable_path=/usr/bin/chromium``) against a real uvicorn on 127.0.0.1 over the
bundled graph. Screenshots of every checked page, at desktop and phone width, go to one
temporary folder per run, whose path is printed at the end (``shots``)."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

from .conftest import DESKTOP, SKIP

pytestmark = pytest.mark.skipif(SKIP, reason="STDGRAPH_SKIP_BROWSER_TESTS is set")


def test_landing_to_a_standard_page(page, live_server, shots):
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Smart-factory standards graph"
    standards = page.locator("dl.counts div", has_text="standards bodies")
    assert standards.count() == 1
    shots(page, "landing")
    page.get_by_label("Search labels and identifiers").fill("62541")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(lambda u: "/search?q=62541" in u)
    page.get_by_role("link", name="IEC 62541 OPC Unified Architecture").first.click()
    page.wait_for_url("**/id/standard/iec-62541")
    assert page.locator("h1").inner_text().startswith("IEC 62541")
    assert page.get_by_role("heading", name="Classifications").is_visible()
    # no source gives the series' status: unknown, not published (issue 17)
    assert page.locator("dd.status").inner_text() == "unknown"
    shots(page, "standard")
    assert (shots.folder / "standard-desktop.png").stat().st_size > 0


def rgb_luminance(css_colour: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css_colour)[:3])
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_heatmap_cell_leads_to_its_standards(page, live_server, shots):
    page.goto(live_server + "/")
    page.get_by_role("link", name="RAMI 4.0").first.click()
    page.wait_for_url("**/id/architecture/rami40")
    table = page.locator("table.heatmap")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 6
    # the legend's shades as Chromium paints them: 3:1 or more from one to the next
    shades = [rgb_luminance(c) for c in page.locator("ul.legend .swatch").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)")]
    assert len(shades) == 3
    for a, b in zip(shades, shades[1:], strict=False):
        assert (max(a, b) + 0.05) / (min(a, b) + 0.05) >= 3
    assert page.locator("p.placement").inner_text().split(" standards are placed on ")[1] \
        .startswith("RAMI 4.0")
    shots(page, "heatmap")
    cells = table.locator("td.cell a")
    counts = [int(t) for t in cells.all_inner_texts()]
    best = max(range(len(counts)), key=lambda i: counts[i])
    cells.nth(best).click()
    page.wait_for_url(lambda u: "/standards?element=" in u)
    assert page.locator("table.standards-table tbody tr").count() == counts[best]
    assert page.locator("p.count").inner_text().startswith(str(counts[best]))
    shots(page, "heatmap-cell")


def test_relevance_form(page, live_server, shots):
    page.goto(live_server + "/relevance")
    # checkboxes in groups, not a Ctrl-multiselect (issue 19)
    technologies = page.get_by_role("group", name="Technologies")
    technologies.get_by_label("Additive manufacturing", exact=True).check()
    page.get_by_role("button", name="Find standards").click()
    page.wait_for_url(lambda u: "/relevance?" in u and "technology=" in u)
    results = page.locator("#results")
    assert "match" in results.locator("h2").inner_text()
    first = results.locator("ol.ranking > li").first
    assert "technology Additive manufacturing: stated link" in first.inner_text()
    assert "use instead" in results.inner_text()  # the superseded 2015 edition is left out
    shots(page, "relevance")
    page.get_by_label("Include withdrawn and superseded standards").check()
    page.get_by_role("button", name="Find standards").click()
    page.wait_for_url(lambda u: "include_withdrawn=true" in u)
    assert "ISO/ASTM 52900:2015" in page.locator("ol.ranking").inner_text()


def test_phone_width_has_no_horizontal_scroll(browser, live_server, shots):
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    pg = ctx.new_page()
    try:
        for path in ("/", "/id/standard/iec-62541", "/id/architecture/rami40", "/relevance",
                     "/translate", "/reports/gaps", "/ontology", "/roadmap",
                     "/id/barrier/security", "/id/theme/interoperability",
                     "/id/recommendation/2", "/id/roadmap-item/cobot-safety",
                     "/reports/conflicts", "/reports/overlaps", "/reports/clusters",
                     "/reports/gaps?kinds=barrier", "/reports", "/architectures", "/sparql",
                     "/standards", "/id/standard/iec-99999", "/review",
                     # an element filter: the chosen one as a ticked box, by label, and a
                     # list to add one more; one the graph does not know shows its IRI, which
                     # must wrap (a fieldset grows to its widest word)
                     "/reports/overlaps?element=https%3A%2F%2Fw3id.org%2Fstdgraph%2Fid%2F"
                     "architecture%2Frami40%2Flayer-communication",
                     "/reports/conflicts?element=https%3A%2F%2Fexample.org%2FAnElementThe"
                     "GraphDoesNotKnow_WithALongIriThatHasNoHyphen_NorAnyOtherPlaceToBreak"):
            pg.goto(live_server + path)
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (path, width)
        shots(pg, "phone")
    finally:
        ctx.close()


def test_named_query_from_the_query_page(page, live_server, shots):
    page.goto(live_server + "/")
    page.get_by_role("link", name="SPARQL").click()
    page.wait_for_url(lambda u: u.endswith("/sparql"))
    page.get_by_label("Example queries").select_option("rami-leaf-elements")
    page.get_by_role("button", name="Open example").click()
    page.wait_for_url(lambda u: "/query?example=rami-leaf-elements" in u)
    assert "VALUES ?architecture" in page.locator("#query").input_value()
    # its parameter bound to its default, RAMI 4.0: the 17 leaves of its three axes (the
    # count against rdflib: tests/web/test_query_page.py)
    assert page.locator("table.results tbody tr").count() == 17
    assert "Asset Layer" in page.locator("table.results").inner_text()
    shots(page, "query")


def test_architecture_translator(page, live_server, shots):
    page.goto(live_server + "/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Translator",
                                                             exact=True).click()
    page.get_by_label("Architecture element").select_option(
        "https://w3id.org/stdgraph/id/architecture/rami40/layer-business")
    page.get_by_role("button", name="Translate").click()
    page.wait_for_url(lambda u: "/translate?element=" in u)
    table = page.locator("table.mappings")
    assert "Business Domain" in table.inner_text()
    assert "skos:closeMatch" in table.inner_text()
    shots(page, "translate")


SPARQL = ("PREFIX sg: <https://w3id.org/stdgraph/ontology#> "
          "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
          "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")


def test_standard_page_to_barrier_page(page, live_server, source_graph, shots):
    page.goto(live_server + "/id/standard/iec-62443")
    concerns = page.locator("section[aria-labelledby=con-h]")
    concerns.get_by_role("link", name="Security", exact=True).click()
    page.wait_for_url("**/id/barrier/security")
    assert page.locator("h1").inner_text() == "Security"
    # the standards addressing it (or a narrower concern), by rdflib over the source files
    want = sorted(str(i) for (i,) in source_graph.query(SPARQL + """
        SELECT DISTINCT ?id WHERE {
          { ?s sg:addressesBarrier <https://w3id.org/stdgraph/id/barrier/security> } UNION
          { ?s sg:addressesBarrier ?n .
            ?n skos:broader+ <https://w3id.org/stdgraph/id/barrier/security> }
          ?s a sg:Standard ; sg:identifier ?id }"""))
    assert len(want) == 7
    shown = page.locator("table.standards a.identifier").all_inner_texts()
    assert shown == sorted(shown, key=str.casefold) and sorted(shown) == want
    assert page.locator("p.gap").inner_text().startswith("Addressed:")
    shots(page, "barrier")
    page.locator("table.standards").get_by_role("link", name="PAS 1085:2018").click()
    page.wait_for_url("**/id/standard/pas-1085-2018")
    assert page.locator("h1").inner_text().startswith("PAS 1085:2018")


def test_gaps_report_row_to_barrier_page(page, live_server, source_graph, shots):
    page.goto(live_server + "/reports/gaps?kinds=barrier")
    # an area no standard addresses, directly or through its concerns (Managing risk, used
    # before, is now addressed: published safety standards address its health-and-safety concern)
    page.locator("table.report").get_by_role("link", name="Integration of legacy systems",
                                             exact=True).click()
    page.wait_for_url("**/id/barrier/legacy-system-integration")
    assert page.locator("p.gap.open").inner_text().startswith("Unaddressed:")
    narrower = sorted(str(x) for (x,) in source_graph.query(SPARQL + """
        SELECT ?l WHERE {
          ?x skos:broader <https://w3id.org/stdgraph/id/barrier/legacy-system-integration> ;
             skos:prefLabel ?l }"""))
    assert len(narrower) == 4  # data/roadmap/barriers.ttl, 2.3.5
    assert sorted(page.locator("dd.narrower a").all_inner_texts()) == narrower
    items = sorted(str(x) for (x,) in source_graph.query(SPARQL + """
        SELECT DISTINCT ?l WHERE {
          ?r a sg:RoadmapItem ; rdfs:label ?l ; sg:addressesBarrier ?b .
          ?b skos:broader* <https://w3id.org/stdgraph/id/barrier/legacy-system-integration> }"""))
    assert items and sorted(page.locator("table.timeline tbody th a").all_inner_texts()) == items
    assert page.locator("table.standards").count() == 0
    shots(page, "barrier-gap")


def test_a_reviewer_accepts_one_suggestion_and_rejects_another(page, tmp_path, shots):
    """Issue 18: on /review a reviewer with the write token accepts one suggestion and rejects
    another; the accepted link is then a reading with its provenance, and neither comes back,
    not even after the suggestions are computed again."""
    import httpx

    from stdgraph.store import OxigraphStore
    from stdgraph.suggest import service
    from suggest.conftest import SG, write_six
    from support.serving import stdgraph_serve

    token = "review-token-0123456789"
    folder = tmp_path / "store"
    with OxigraphStore(folder) as st:
        write_six(st)
        service.run(st, "pairs", min_score=0.0)
    with stdgraph_serve(folder, tmp_path / "serve.log", STDGRAPH_UPDATE_TOKEN=token,
                        XDG_DATA_HOME=str(tmp_path / "xdg")) as base:
        page.goto(base + "/review?kind=pairs")
        rows = page.locator("tr[data-record]")
        assert rows.count() == 14
        first, second = (rows.nth(i).get_attribute("data-record") for i in (0, 1))
        # nothing happens without a name and the token
        rows.nth(0).get_by_role("button", name="Accept").click()
        assert "write token" in page.locator("#review-status").inner_text()
        page.get_by_label("Reviewer").fill("Ada")
        page.get_by_label("Write token").fill(token)
        rows.nth(0).get_by_role("button", name="Accept").click()
        page.locator(f'tr[data-record="{first}"] td.decision', has_text="accepted").wait_for()
        rows.nth(1).get_by_role("button", name="Reject").click()
        page.locator(f'tr[data-record="{second}"] td.decision', has_text="rejected").wait_for()
        shots(page, "review")
        # the accepted link is a reading carrying reviewer and the suggestion it came from
        q = (f"PREFIX sg: <{SG}> PREFIX prov: <http://www.w3.org/ns/prov#> "
             "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?who ?from WHERE { "
             f"<{first}/accepted> sg:evidence sg:Reading ; dcterms:creator ?who ; "
             "prov:wasDerivedFrom ?from }")
        r = httpx.get(base + "/sparql", params={"query": q},
                      headers={"Accept": "application/sparql-results+json"})
        assert [(b["who"]["value"], b["from"]["value"])
                for b in r.json()["results"]["bindings"]] == [("Ada", first)]
        # computed again: neither comes back
        with OxigraphStore(folder) as st:
            service.run(st, "pairs", min_score=0.0)
        page.goto(base + "/review?kind=pairs")
        shown = {rows.nth(i).get_attribute("data-record") for i in range(rows.count())}
        assert len(shown) == 12 and not shown & {first, second}


def test_api_docs_render_with_no_network(page, live_server, shots):
    """Issue 19, item 6: every request to anything but this server is aborted; Swagger UI still
    lists every operation of the OpenAPI document."""
    aborted: list[str] = []

    def only_local(route):
        if route.request.url.startswith(live_server + "/"):
            route.continue_()
        else:
            aborted.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    with urllib.request.urlopen(live_server + "/openapi.json") as r:
        doc = json.load(r)
    want = sum(1 for ops in doc["paths"].values() for m in ops
               if m in {"get", "put", "post", "delete", "patch", "head", "options"})
    assert want > 20
    page.goto(live_server + "/docs")
    blocks = page.locator(".opblock")
    blocks.first.wait_for()
    assert blocks.count() == want
    assert page.locator(".opblock-summary-path", has_text="/sparql").count() >= 2
    assert page.locator(".info .title").inner_text().startswith("stdgraph")
    assert aborted == []  # nothing was even asked of another host
    shots(page, "docs")


def test_menu_from_the_query_page_and_an_error_page_with_a_way_on(page, live_server, shots):
    page.goto(live_server + "/sparql")
    nav = page.get_by_role("navigation", name="Site")
    assert nav.get_by_role("link").all_inner_texts() == [
        "stdgraph", "Standards", "Architectures", "Reports", "Roadmap", "Relevance finder",
        "Translator", "Review", "SPARQL", "API"]
    assert nav.locator("[aria-current=page]").inner_text() == "SPARQL"
    nav.get_by_role("link", name="Architectures").click()
    page.wait_for_url("**/architectures")
    assert page.locator("h1").inner_text() == "Reference architectures"
    shots(page, "architectures")
    page.goto(live_server + "/id/standard/iec-99999")
    assert page.locator("h1").inner_text() == "Nothing here"
    assert "iec-99999" in page.get_by_role("alert").inner_text()
    shots(page, "error-404")
    page.get_by_role("link", name="Search for “iec 99999”").click()
    page.wait_for_url(lambda u: "/search?q=iec" in u)
    assert page.locator("h1").is_visible()


def test_keyboard_focus_is_visible(page, live_server, shots):
    """The focus ring as Chromium paints it: 3:1 or more against the white page (WCAG 2.1
    1.4.11); the old #f90 was 2.14:1."""
    page.goto(live_server + "/architectures")
    page.keyboard.press("Tab")  # the skip link
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); "
                          "return [document.activeElement.textContent, s.outlineStyle, "
                          "s.outlineColor, s.outlineWidth]; })()")
    assert style[0] == "stdgraph" and style[1] == "solid" and style[3] == "3px", style
    ring = rgb_luminance(style[2])
    assert (1.05) / (ring + 0.05) >= 3, style
    shots(page, "focus")


def test_standards_table_filter_sort_and_download(page, live_server, shots):
    """/standards without JavaScript: filter with the form, sort by a heading, download the
    CSV of what is shown."""
    ctx_js_off = page.context.browser.new_context(viewport=DESKTOP, java_script_enabled=False,
                                                  accept_downloads=True)
    pg = ctx_js_off.new_page()
    try:
        pg.goto(live_server + "/standards")
        pg.get_by_text("Filter", exact=True).click()
        pg.get_by_role("group", name="Publisher").get_by_label(
            re.compile(r"^International Organization for Standardization")).check()
        pg.get_by_role("group", name="Has a link recorded as").get_by_label("stated").check()
        pg.get_by_role("button", name="Show").click()
        pg.wait_for_url(lambda u: "body=" in u and "evidence=Stated" in u)
        total = int(pg.locator("p.count").inner_text().split()[0].replace(",", ""))
        assert total > 0
        pg.locator("table.standards-table thead").get_by_role("link", name="year").click()
        pg.wait_for_url(lambda u: "sort=year" in u and "body=" in u)
        pg.locator("table.standards-table thead").get_by_role("link", name="year").click()
        pg.wait_for_url(lambda u: "sort=-year" in u)
        assert pg.locator("th[aria-sort=descending]").inner_text().startswith("year")
        years = [t for t in pg.locator("table.standards-table tbody tr td:nth-of-type(4)")
                 .all_inner_texts() if t]
        assert years == sorted(years, reverse=True) and years
        shots(pg, "standards-table")
        with pg.expect_download() as got:
            pg.get_by_role("link", name="CSV").click()
        download = got.value
        assert download.suggested_filename == "standards.csv"
        shown = pg.locator("table.standards-table tbody th").all_inner_texts()
        lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
        assert [line.split(",")[0].strip('"') for line in lines[1:]] == shown[:len(lines) - 1]
        assert len(lines) - 1 == len(shown)
    finally:
        ctx_js_off.close()
