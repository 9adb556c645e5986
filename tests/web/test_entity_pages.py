"""The pages of bodies, committees, stakeholder types and technologies (issue 19): every one of
the bundled graph, its counts and listed standards checked against rdflib over the source files;
roadmap titles without the report's "[technology]" placeholder."""

from __future__ import annotations

import html
import re
import shutil
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, URIRef

from stdgraph.api.app import create_app
from stdgraph.rdf.namespaces import GRAPH_BASE
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore

from .conftest import ID

SG = "https://w3id.org/stdgraph/ontology#"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TOKEN = "test-token-0123456789"
#: kind class -> [(heading, property, class of what links to it)]
LISTS = {
    "StandardsBody": [("Standards it publishes", "publisher", "Standard"),
                      ("Its committees", ORG + "unitOf", "Committee"),
                      ("Reference architectures it publishes", "publishedBy",
                       "ReferenceArchitecture")],
    "Committee": [("Standards it is responsible for", "committee", "Standard")],
    "StakeholderType": [("Standards relevant to it", "relevantToStakeholder", "Standard"),
                        ("Recommendations that name it", "relevantToStakeholder",
                         "Recommendation"),
                        ("Roadmap items that name it", "relevantToStakeholder", "RoadmapItem")],
    "Technology": [("Standards that concern it", "concernsTechnology", "Standard"),
                   ("Roadmap items that concern it", "concernsTechnology", "RoadmapItem")],
}


def full(name: str) -> URIRef:
    return URIRef(name if name.startswith("http") else SG + name)


def linked(g: Graph, x: URIRef, prop: str, cls: str) -> set[str]:
    return {str(s) for s in g.subjects(full(prop), x) if (s, RDF.type, full(cls)) in g}


def counts(text: str) -> dict[str, int]:
    box = text.split('id="counts"', 1)[1].split("</ul>", 1)[0]
    return {html.unescape(h): int(n) for h, n in
            re.findall(r'<a href="#[a-z]+-h">([^<]+)</a>: <strong>(\d+)</strong>', box)}


def listed_standards(text: str) -> list[str]:
    section = text.split('id="std-h"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a class="identifier" href="/id/([^"]+)"', section)


@pytest.mark.parametrize("cls", list(LISTS))
def test_every_entity_page_counts_what_links_to_it(web, source_graph, cls):
    g = source_graph
    entities = sorted(str(x) for x in g.subjects(RDF.type, full(cls)))
    assert entities
    for iri in entities:
        x = URIRef(iri)
        r = web.get("/id/" + iri[len(ID):], headers={"Accept": "text/html"})
        assert r.status_code == 200, iri
        want = {h: linked(g, x, p, c) for h, p, c in LISTS[cls]}
        assert counts(r.text) == {h: len(v) for h, v in want.items()}, iri
        standards = next(v for h, v in want.items() if h.startswith("Standards"))
        if not standards:
            continue
        # the standards, a page of 50 at a time, by identifier: all of them, once
        shown: list[str] = []
        page = 1
        text = r.text
        while True:
            shown += listed_standards(text)
            if len(shown) >= len(standards) or page > 10:
                break
            page += 1
            text = web.get("/id/" + iri[len(ID):], params={"standards_page": page},
                           headers={"Accept": "text/html"}).text
        assert sorted(ID + s for s in shown) == sorted(standards), iri

        def key(s: str) -> tuple:
            ident = g.value(URIRef(s), full("identifier"))
            return (str(ident).casefold() if ident else "", s)
        assert [ID + s for s in shown] == sorted(standards, key=key), iri
        # by status over the whole list
        status = Counter(str(g.value(st, URIRef(SKOS + "prefLabel"))) if st else "unknown"
                         for st in (g.value(URIRef(s), full("status")) for s in standards))
        line = re.search(r'<p class="statuses">By status: ([^<]+)\.</p>', r.text).group(1)
        shown_status = {k: int(n) for n, k in (part.split(" ", 1) for part in line.split(", "))}
        assert shown_status == dict(status), iri


def test_iec_publishes_and_a_committee_names_its_body(web, source_graph):
    text = web.get("/id/body/iec", headers={"Accept": "text/html"}).text
    assert "<dt>Short name</dt><dd>IEC</dd>" in text
    committee = web.get("/id/committee/iso-tc-299", headers={"Accept": "text/html"}).text
    assert '<dt>Committee of</dt><dd><ul class="inline"><li><a href="/id/body/iso">' in committee


def test_roadmap_titles_say_the_placeholder_in_words(web, source_graph):
    items = [str(s) for s in source_graph.subjects(RDF.type, full("RoadmapItem"))
             if "[technology]" in str(source_graph.value(s, URIRef(
                 "http://www.w3.org/2000/01/rdf-schema#label")))]
    assert len(items) == 3
    timeline = web.get("/roadmap", headers={"Accept": "text/html"}).text
    assert "[technology]" not in timeline
    assert timeline.count("The business case for a technology (") == 3
    for iri in items:
        text = web.get("/id/" + iri[len(ID):], headers={"Accept": "text/html"}).text
        title = re.search(r"<title>([^<]+)</title>", text).group(1)
        h1 = re.search(r"<h1>([^<]+)</h1>", text).group(1)
        assert "[technology]" not in title + h1
        assert h1.startswith("The business case for a technology (")


def test_themes_and_recommendations_in_their_number_order(web, source_graph):
    """Lists follow the scheme's own order (skos:notation), not the alphabet: the landing
    page's themes and recommendations, and the relevance finder's theme boxes."""
    g = source_graph

    def by_number(cls: str) -> list[str]:
        xs = list(g.subjects(RDF.type, full(cls)))
        return [str(x)[len(ID):] for x in sorted(
            xs, key=lambda x: int(str(g.value(x, URIRef(SKOS + "notation")))))]

    themes, recs = by_number("Theme"), by_number("Recommendation")
    assert themes != sorted(themes) or recs != sorted(recs)  # the order is not the IRIs'
    landing = web.get("/", headers={"Accept": "text/html"}).text
    shown = re.findall(r'href="/id/((?:theme|recommendation)/[^"]+)"', landing)
    assert [s for s in shown if s.startswith("theme/")] == themes
    assert [s for s in shown if s.startswith("recommendation/")] == recs
    finder = web.get("/relevance", headers={"Accept": "text/html"}).text
    boxes = re.findall(r'name="theme" value="' + re.escape(ID) + r'([^"]+)"', finder)
    assert boxes == themes


def test_a_write_is_on_the_next_page(bundled_store, source_graph, tmp_path):
    """The app's query runner counts a body's standards from the index it keeps with the
    analyses' snapshot; a guarded write (a second publisher for a standard, then removed) is
    in the counts, the status tally and the list of the next request."""
    store_dir = tmp_path / "store"
    shutil.copytree(bundled_store, store_dir)
    g = source_graph
    iec = URIRef(ID + "body/iec")
    published = linked(g, iec, "publisher", "Standard")
    other = sorted(str(s) for s in g.subjects(full("publisher"), URIRef(ID + "body/din"))
                   if str(s) not in published)[0]
    st = g.value(URIRef(other), full("status"))
    status = str(g.value(st, URIRef(SKOS + "prefLabel"))) if st is not None else "unknown"
    settings = Settings(store=str(store_dir), query_processes=False, update_token=TOKEN)
    with TestClient(create_app(settings, store=OxigraphStore(store_dir)),
                    raise_server_exceptions=False) as client:

        def body_page() -> tuple[int, dict[str, int], list[str]]:
            r = client.get("/id/body/iec", headers={"Accept": "text/html"})
            assert r.status_code == 200
            line = re.search(r'<p class="statuses">By status: ([^<]+)\.</p>', r.text).group(1)
            tally = {k: int(n) for n, k in (p.split(" ", 1) for p in line.split(", "))}
            shown: list[str] = []
            page = 1
            while len(shown) < counts(r.text)["Standards it publishes"] and page < 20:
                shown += listed_standards(r.text)
                page += 1
                r = client.get("/id/body/iec", params={"standards_page": page},
                               headers={"Accept": "text/html"})
            return counts(r.text)["Standards it publishes"], tally, shown

        total, tally, shown = body_page()
        assert total == len(published) and other[len(ID):] not in shown
        triple = f"<{other}> <{SG}publisher> <{iec}>"
        graph = f"{GRAPH_BASE}data/written"
        for verb, more in (("INSERT", 1), ("DELETE", 0)):
            r = client.post("/sparql", data={"update": f"{verb} DATA {{ GRAPH <{graph}> "
                                             f"{{ {triple} }} }}"},
                            headers={"Authorization": f"Bearer {TOKEN}"})
            assert r.status_code in (200, 204), r.text
            now, now_tally, now_shown = body_page()
            assert now == total + more
            assert now_tally == ({**tally, status: tally.get(status, 0) + 1} if more else tally)
            assert (other[len(ID):] in now_shown) == bool(more)
