"""Browser journeys of issue 19 that end in a report or a translation (Debian's Chromium,
Playwright, a real uvicorn over the bundled graph): each asserts on what the user sees at the
end, against values computed apart from the pages (rdflib over the bundled source files, or the
analysis registry for the words the page must quote), and leaves screenshots at desktop and
phone width (``shots``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef

from stdgraph.analysis import REGISTRY
from stdgraph.project import Project

from .conftest import ID, SKIP

pytestmark = pytest.mark.skipif(SKIP, reason="STDGRAPH_SKIP_BROWSER_TESTS is set")

SG = "https://w3id.org/stdgraph/ontology#"
PREFIXES = (f"PREFIX sg: <{SG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")


@pytest.fixture(scope="module")
def files() -> dict[str, Graph]:
    """Each bundled data file parsed alone by rdflib, by its path under the project
    ("data/standards/standards-safety-security.ttl"): which file states what."""
    project = Project.locate(None)
    out = {}
    for f in project.data_files:
        g = Graph()
        g.parse(f)
        out[Path(f).relative_to(project.root).as_posix()] = g
    return out


def retired(g: Graph) -> set[str]:
    return {str(s) for (s,) in g.query(PREFIXES + """SELECT ?s WHERE {
        ?s a sg:Standard ; sg:status ?st FILTER(?st IN (sg:Withdrawn, sg:Superseded)) }""")}


def test_researcher_reaches_a_pairs_evidence_and_the_scores_definition(
        page, live_server, source_graph, files, shots):
    page.goto(live_server + "/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Reports").click()
    page.wait_for_url("**/reports")
    page.get_by_role("link", name="Pairs of standards sharing architecture elements").click()
    page.wait_for_url("**/reports/overlaps")
    # the score and the items defined in plain words at the top, as the registry has them
    spec = REGISTRY["overlaps"]
    definitions = page.locator("section[aria-labelledby=def-h] dl.definitions")
    assert definitions.locator("dt").all_inner_texts() == [t for t, _ in spec.definitions]
    assert definitions.locator("dd").nth(1).inner_text() == dict(spec.definitions)["Score"]
    assert "shared / in all" in definitions.locator("dd").nth(1).inner_text()

    # the first pair's row: its evidence, checked against the source files
    table = page.locator("table.report")
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["score", "shared / in all", "a", "b", "related", "shared elements",
                       "stated in"]
    row = table.locator("tbody tr").first
    cells = row.locator("td")
    a = live_server_iri(cells.nth(2).locator("a").get_attribute("href"))
    b = live_server_iri(cells.nth(3).locator("a").get_attribute("href"))

    def classified(s: str) -> set[str]:
        return {str(e) for e in source_graph.objects(URIRef(s), URIRef(SG + "classifiedIn"))}

    shared = classified(a) & classified(b)
    union = classified(a) | classified(b)
    assert len(shared) >= 2
    shown = sorted(live_server_iri(h) for h in
                   cells.nth(5).locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))"))
    assert shown == sorted(shared)
    assert cells.nth(1).inner_text() == f"{len(shared)} / {len(union)}"
    assert cells.nth(0).inner_text() == f"{len(shared) / len(union):.3f}"
    stated_in = sorted(path for path, g in files.items()
                       if any((URIRef(s), URIRef(SG + "classifiedIn"), URIRef(e)) in g
                              for s in (a, b) for e in shared))
    assert sorted(cells.nth(6).locator("li").all_inner_texts()) == stated_in
    related = any(source_graph.query(PREFIXES + f"""ASK {{ <{a}> (sg:partOf|^sg:partOf|
        sg:supersedes|^sg:supersedes|sg:references|^sg:references|sg:basedOn|^sg:basedOn|
        sg:relatedTo|^sg:relatedTo)+ <{b}> }}"""))
    assert cells.nth(4).inner_text().startswith("yes (" if related else "no")
    row.scroll_into_view_if_needed()
    shots(page, "journey-researcher-overlaps")

    # sorted by the second standard: a click on the heading, then again for descending; the
    # expected order is sorted() over every item of the analysis (its own order kept on ties)
    own = httpx.get(live_server + "/analysis/overlaps?limit=0").json()["items"]
    for direction, descending in (("ascending", False), ("descending", True)):
        table.locator("thead th").nth(3).get_by_role("link").click()
        page.wait_for_url(lambda u, d=descending: ("sort=-b" if d else "sort=b") in u)
        want = sorted(own, key=lambda i: i["b_label"].casefold(), reverse=descending)
        assert table.locator("thead th").nth(3).get_attribute("aria-sort") == direction
        firsts = table.locator("tbody tr")
        for k in range(5):
            hrefs = firsts.nth(k).locator("td").nth(3).locator("a").get_attribute("href")
            a_href = firsts.nth(k).locator("td").nth(2).locator("a").get_attribute("href")
            assert (live_server_iri(a_href), live_server_iri(hrefs)) == (want[k]["a"],
                                                                          want[k]["b"])
    assert "Sorted by b, descending, over every item" in page.locator("p.order").inner_text()
    shots(page, "journey-researcher-overlaps-sorted")


def live_server_iri(href: str) -> str:
    """The resource IRI a page link names (``/id/...`` under the default base)."""
    assert href.startswith("/id/"), href
    return ID + href[len("/id/"):]


def test_committee_member_downloads_the_gaps_with_their_coverage_caveat(
        browser, live_server, source_graph, shots):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    try:
        pg.goto(live_server + "/reports")
        pg.get_by_role("link", name="What no standard covers").click()
        pg.wait_for_url("**/reports/gaps")
        pg.get_by_text("Change what is counted").click()
        pg.get_by_role("group", name="Kinds of gap").get_by_label("Barriers").check()
        pg.get_by_label("Evidence counted").select_option(label="Stated, or a curator's reading")
        pg.get_by_role("button", name="Show").click()
        pg.wait_for_url(lambda u: "kinds=barrier" in u and "evidence=stated%2Breading" in u)
        assert "sgid:" not in pg.content()

        # independent: the barriers no current standard addresses, directly or through a
        # narrower concern, and the coverage of sg:addressesBarrier over the current standards
        g = source_graph
        gone = retired(g)
        standards = {str(s) for (s,) in g.query(PREFIXES + "SELECT ?s WHERE { ?s a sg:Standard }")}
        current = standards - gone
        addressing: dict[str, set[str]] = {}
        for s, b in g.query(PREFIXES + """SELECT ?s ?b WHERE { ?s sg:addressesBarrier ?n .
                ?n (skos:broader|^skos:narrower)* ?b . ?b a sg:Barrier }"""):
            addressing.setdefault(str(b), set()).add(str(s))
        barriers = {str(b) for (b,) in g.query(PREFIXES + "SELECT ?b WHERE { ?b a sg:Barrier }")}
        gaps = sorted(b for b in barriers if not addressing.get(b, set()) & current)
        with_link = {str(s) for (s,) in g.query(PREFIXES + """SELECT ?s WHERE {
            ?s sg:addressesBarrier ?b }""")} & current
        caveat = f"sg:addressesBarrier {len(with_link)}/{len(current)}"
        assert len(gaps) > 20 and 0 < len(with_link) < len(current)

        # what the page says about the coverage, in words
        note = pg.locator("div.coverage").inner_text()
        assert (f"{len(with_link)} of {len(current)} standards are linked to any barrier, so "
                "an empty row may be a missing link.") in note

        with pg.expect_download() as got:
            pg.get_by_role("link", name="CSV", exact=True).click()  # every item, not the page
        download = got.value
        assert download.suggested_filename == "gaps.csv"
        text = Path(download.path()).read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["subject", "label", "kind", "scheme", "scheme_label", "reason",
                           "coverage"]
        assert sorted(r[0] for r in rows[1:]) == gaps
        assert {r[2] for r in rows[1:]} == {"barrier"}
        # the caveat: the coverage column of every row
        assert {r[6] for r in rows[1:]} == {caveat}
        pg.locator("table.report").scroll_into_view_if_needed()
        shots(pg, "journey-committee-gaps")
    finally:
        ctx.close()


def test_rami_communication_layer_translated_to_iira_with_the_evidence_kind(
        page, live_server, source_graph, shots):
    page.goto(live_server + "/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Translator",
                                                             exact=True).click()
    page.wait_for_url("**/translate")
    element = ID + "architecture/rami40/layer-communication"
    page.get_by_label("Architecture element").select_option(element)
    page.get_by_role("button", name="Translate").click()
    page.wait_for_url(lambda u: "/translate?element=" in u)
    assert page.locator("#tr-h").inner_text() == "Communication Layer (RAMI 4.0)"

    # independent: the mapping records between the layer and an IIRA element, either way,
    # the relation by its label in the SKOS vocabulary and the evidence kind by the graph's
    # label of it (sg:Reading: "reading")
    skos_labels = {"exactMatch": "has exact match", "closeMatch": "has close match",
                   "broadMatch": "has broader match", "narrowMatch": "has narrower match",
                   "relatedMatch": "has related match"}
    want = sorted((str(label), f"{skos_labels[str(rel).rsplit('#', 1)[1]]} skos:"
                   f"{str(rel).rsplit('#', 1)[1]}", str(kind))
                  for label, rel, kind in source_graph.query(PREFIXES + f"""
        SELECT ?label ?rel ?kind WHERE {{
          ?m a sg:ArchitectureMapping ; sg:mappingRelation ?rel ; sg:evidence ?ev .
          ?ev skos:prefLabel ?kind .
          {{ ?m sg:mappingSubject <{element}> ; sg:mappingObject ?x }} UNION
          {{ ?m sg:mappingObject <{element}> ; sg:mappingSubject ?x }}
          ?x skos:inScheme <{ID}architecture/iira> ; skos:prefLabel ?label }}"""))
    assert len(want) == 2

    table = page.locator("table.mappings")
    got = []
    for i in range(table.locator("tbody tr").count()):
        cells = table.locator("tbody tr").nth(i).locator("td").all_inner_texts()
        if cells[1] == "IIRA":
            got.append((cells[0], cells[2], cells[3]))
    assert sorted(got) == want
    assert "evidence" in table.locator("thead").inner_text()
    table.scroll_into_view_if_needed()
    shots(page, "journey-translate-iira")
