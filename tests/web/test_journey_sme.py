"""The SME manager's journey (issue 19), in Chromium with JavaScript off: "a small machining
company worried about cybersecurity and connecting legacy machines" typed into the relevance
finder, three boxes ticked, a ranked and explained list that includes IEC 62443, the criteria
no standard matched with why, the CSV downloaded; axe-core on the result page at desktop and
phone width.

What the page must show is worked out here without the ranking code: the links from rdflib over
the source files (a link is a reading when a statement record says sg:Reading, else stated: the
data has no suggested links), statuses, identifiers and labels from there too, and the
description's suggestions from the text model (``stdgraph.suggest``: the labelled route by
which IEC 62443 comes up for these words, via its link to the Security barrier); then the
order the page documents: score, stated links, the description's score, status, identifier."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, URIRef

from stdgraph.store import OxigraphStore
from stdgraph.suggest import service

from .conftest import DESKTOP, ID, PHONE, SKIP, serious_violations

pytestmark = pytest.mark.skipif(SKIP, reason="STDGRAPH_SKIP_BROWSER_TESTS is set")

TEXT = "a small machining company worried about cybersecurity and connecting legacy machines"
SG = "https://w3id.org/stdgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: the boxes ticked: (group, label) -> (property, IRI)
TICKED = {("Barriers", "Security"): (SG + "addressesBarrier", ID + "barrier/security"),
          ("Barriers", "Legacy machinery and equipment"):
              (SG + "addressesBarrier", ID + "barrier/legacy-machinery"),
          ("Stakeholder type", "SME"): (SG + "relevantToStakeholder", ID + "stakeholder/sme")}
STATUS_ORDER = [SG + "Published", SG + "UnderDevelopment", SG + "Proposed", None,
                SG + "Superseded", SG + "Withdrawn"]
RETIRED = {SG + "Superseded", SG + "Withdrawn"}


def one(g: Graph, s: str, p: str) -> str | None:
    vals = sorted(str(o) for o in g.objects(URIRef(s), URIRef(p)))
    return vals[0] if vals else None


def english(g: Graph, s: str, p: str) -> str | None:
    vals = [o for o in g.objects(URIRef(s), URIRef(p)) if getattr(o, "language", None) == "en"]
    return str(sorted(vals)[0]) if vals else one(g, s, p)


def label(g: Graph, s: str) -> str:
    return english(g, s, SKOS + "prefLabel") or english(g, s, str(RDFS.label)) or s


def evidence_of(g: Graph, s: str, p: str, o: str) -> str:
    """stated, or reading when a record of the link says sg:Reading and none says stated."""
    kinds = set()
    for rec in g.subjects(RDF.subject, URIRef(s)):
        if (g.value(rec, RDF.predicate) == URIRef(p) and g.value(rec, RDF.object) == URIRef(o)):
            kinds |= {str(k) for k in g.objects(rec, URIRef(SG + "evidence"))}
    return "reading" if kinds and SG + "Stated" not in kinds else "stated"


def expected_ranking(g: Graph, suggested: list[dict]) -> tuple[list[dict], list[str]]:
    """The ranked rows and the IRIs of the profile items no ranked standard matched."""
    standards = {str(s) for s in g.subjects(RDF.type, URIRef(SG + "Standard"))}
    status = {s: one(g, s, SG + "status") for s in standards}
    texts = {x["object"]: x for x in suggested}
    rows = {}
    for s in standards:
        if status[s] in RETIRED:
            continue
        hits = [(p, o, evidence_of(g, s, p, o)) for p, o in TICKED.values()
                if (URIRef(s), URIRef(p), URIRef(o)) in g]
        if not hits and s not in texts:
            continue
        rows[s] = {"iri": s, "hits": hits, "text": texts.get(s),
                   "score": len(hits) + (1 if s in texts else 0),
                   "stated": sum(1 for h in hits if h[2] == "stated"),
                   "identifier": one(g, s, SG + "identifier"), "label": label(g, s),
                   "status": status[s]}
    ranked = sorted(rows.values(), key=lambda r: (
        -r["score"], -r["stated"], -(r["text"]["score"] if r["text"] else 0.0),
        STATUS_ORDER.index(r["status"]), (r["identifier"] or r["label"]).casefold(), r["iri"]))
    matched = {o for r in ranked for _p, o, _e in r["hits"]}
    return ranked, [o for _p, o in TICKED.values() if o not in matched]


def csv_rows(g: Graph, ranked: list[dict]) -> list[list[str]]:
    words = {"stated": "stated link", "reading": "reading (a curator's)"}
    out = [["rank", "score", "of", "identifier", "label", "status", "matched",
            "description score", "iri"]]
    for n, r in enumerate(ranked, 1):
        parts = [f"{label(g, o)} ({words[e]})" for _p, o, e in r["hits"]]
        if r["text"]:
            parts.append(f"your description ({r['text']['score']:.3f})")
        out.append([str(n), str(r["score"]), str(len(TICKED) + 1), r["identifier"] or "",
                    r["label"], label(g, r["status"]) if r["status"] else "unknown",
                    "; ".join(parts), f"{r['text']['score']:.3f}" if r["text"] else "",
                    r["iri"]])
    return out


def barrier_coverage(g: Graph) -> str:
    """"N of M standards are linked to any barrier", over the standards not retired."""
    current = [s for s in g.subjects(RDF.type, URIRef(SG + "Standard"))
               if one(g, str(s), SG + "status") not in RETIRED]
    linked = [s for s in current if any(g.objects(s, URIRef(SG + "addressesBarrier")))]
    return f"{len(linked)} of {len(current)} standards are linked to any barrier"


def test_sme_profile_yields_an_explained_ranking_with_iec_62443(browser, live_server,
                                                                 bundled_store, source_graph,
                                                                 shots):
    with OxigraphStore(bundled_store, read_only=True) as st:
        suggested = service.profile(st, TEXT, 0.0, 10)
    ranked, unmatched = expected_ranking(source_graph, suggested)
    iec = ID + "standard/iec-62443"
    assert iec in [r["iri"] for r in ranked]  # the journey's promise, from the data alone

    ctx = browser.new_context(viewport=DESKTOP, java_script_enabled=False,
                              accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(20000)
    try:
        pg.goto(live_server + "/")
        pg.get_by_role("navigation", name="Site").get_by_role(
            "link", name="Relevance finder").click()
        pg.wait_for_url("**/relevance")
        pg.get_by_label("Describe your organisation").fill(TEXT)
        for group, box in TICKED:
            pg.get_by_role("group", name=group).get_by_label(box, exact=True).check()
        pg.get_by_role("button", name="Find standards").click()
        pg.wait_for_url(lambda u: "/relevance?" in u and "text=" in u)
        assert pg.url.endswith("#results")  # the answer in view, not the form again

        results = pg.locator("#results")
        assert results.locator("h2").inner_text() == f"{len(ranked)} standards match"
        assert "one point for each item of the profile" in results.locator("p.how").inner_text()
        items = results.locator("ol.ranking > li")
        shown = [h.split("/id/", 1)[1] for h in items.locator(":scope > p:first-child > a")
                 .evaluate_all("els => els.map(e => e.getAttribute('href'))")]
        assert shown == [r["iri"][len(ID):] for r in ranked]

        # IEC 62443: its link to the Security barrier and the description's suggestion
        mine = next(r for r in ranked if r["iri"] == iec)
        text = items.nth(ranked.index(mine)).inner_text()
        said = next(x for x in suggested if x["object"] == iec)
        assert f"{mine['score']} of 4" in text
        # the link to the Security barrier is a curator's reading of the source (its record
        # says sg:Reading), which the page says
        assert [(o, e) for _p, o, e in mine["hits"]] == [(ID + "barrier/security", "reading")]
        assert "barrier Security: reading (a curator's)" in text
        via = said["neighbours"][0]["label"]
        assert (f"your description: suggestion, score {said['score']:.3f}"
                f"; linked to {via}, which your words resemble") in text

        # what matched nothing, with why
        nothing = pg.locator("#unmatched").inner_text()
        assert [ID + "barrier/legacy-machinery"] == unmatched
        assert (f"Barrier Legacy machinery and equipment: no standard is linked to this barrier "
                f"yet: {barrier_coverage(source_graph)}.") in nothing
        shots(pg, "journey-sme")

        # the CSV: a real download of exactly the rows shown
        with pg.expect_download() as got:
            pg.get_by_role("link", name="Download these rows as CSV").click()
        download = got.value
        assert download.suggested_filename == "relevance.csv"
        rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
        assert rows == csv_rows(source_graph, ranked)

        # the permalink keeps the profile: text, boxes and the same ranking
        pg.get_by_role("link", name="Permalink to this profile").click()
        pg.wait_for_load_state()
        assert pg.get_by_label("Describe your organisation").input_value() == TEXT
        for group, box in TICKED:
            assert pg.get_by_role("group", name=group).get_by_label(box, exact=True).is_checked()
        again = [h.split("/id/", 1)[1] for h in pg.locator("#results ol.ranking > li > p:first-child > a")
                 .evaluate_all("els => els.map(e => e.getAttribute('href'))")]
        assert again == shown
    finally:
        ctx.close()


def test_short_names_in_the_text_tick_their_boxes(page, live_server):
    page.goto(live_server + "/relevance?text=" + "We+are+an+SME+with+IoT+sensors+and+cobots%3B"
              "+we+maintain+it+ourselves")
    checked = page.locator("input[type=checkbox]:checked")
    labels = sorted(page.locator(f"label[for='{i}']").inner_text()
                    for i in checked.evaluate_all("els => els.map(e => e.id)"))
    # "SME", "IoT", "Cobots" and "Sensors" as the graph writes them; "it" and "ai" (in
    # "maintain") are not "IT" or "AI"
    assert labels == ["Collaborative robots", "Internet of Things", "SME", "Sensors"]
    assert re.search(r"Ticked from your description: .*SME", page.locator("#ticked").inner_text())


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_on_the_journey_pages(page, live_server, shots, viewport):
    from urllib.parse import urlencode

    from axe_playwright_python.sync_playwright import Axe

    query = urlencode([("text", TEXT)] + [("barrier" if "barrier" in o else "stakeholder", o)
                                          for _p, o in TICKED.values()])
    axe = Axe()
    page.set_viewport_size(viewport)
    found: dict[str, list[str]] = {}
    for path in ("/relevance?" + query, "/id/body/iec", "/id/committee/iso-tc-299",
                 "/id/technology/robotics", "/id/stakeholder/sme"):
        page.goto(live_server + path)
        bad = serious_violations(axe, page)
        if bad:
            found[path] = bad
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (path, width)
    assert not found, found
