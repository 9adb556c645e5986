"""Long lists a page at a time (``web.paging``, issue 20 item 2): every page of a list, followed
through its ``rel=next`` links, is the whole list once, in order, with exact counts, page
boundaries at the page size, ``rel=prev`` links back, and the request's filters kept in every
link; on the bundled graph and on a synthetic graph (``benchmarks/generate.py``) where a
standard overlaps more standards than one page shows."""

from __future__ import annotations

import csv
import html
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from stdgraph.api.app import create_app
from stdgraph.catalog.findings import conflicts_of, overlaps_of
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore
from stdgraph.web.reports import CELL_CAP

from .conftest import ID

SG = "https://w3id.org/stdgraph/ontology#"

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate  # noqa: E402

BROWSER = "text/html"
JSON = "application/json"
RAMI = ID + "architecture/rami40/"


def walk(client: TestClient, url: str, section: str = "") -> Iterator[tuple[str, str]]:
    """(url, page text) of ``url`` and every page after it, following rel=next; each next link
    is checked to lead back with rel=prev. ``section``: the id of the heading of the section
    whose list is walked (the text is that section's)."""
    previous = None
    while url:
        text = client.get(url, headers={"Accept": BROWSER}).text
        if section:
            text = text.split(f'id="{section}"')[1].split("</section>")[0]
        prev = re.search(r'rel="prev" href="([^"]+)"', text)
        if previous is None:
            assert prev is None
        else:
            assert prev is not None
            assert same(resolve(url, prev.group(1)), previous)
        yield url, text
        nxt = re.search(r'rel="next" href="([^"]+)"', text)
        previous, url = url, resolve(url, nxt.group(1)) if nxt else None


def resolve(url: str, href: str) -> str:
    """A page link (``?query#anchor``) resolved against the page's URL."""
    return urlsplit(url).path + html.unescape(href).split("#")[0]


def same(a: str, b: str) -> bool:
    """Two URLs with the same path and parameters (page 1 has no page parameter)."""
    qa, qb = (parse_qs(urlsplit(u).query) for u in (a, b))
    for q in (qa, qb):
        if q.get("page") == ["1"]:
            del q["page"]
    return urlsplit(a).path == urlsplit(b).path and qa == qb


def links_in(text: str, cls: str) -> list[str]:
    ul = re.search(rf'<ul class="{cls}">(.*?)</ul>', text, re.S)
    return re.findall(r'href="([^"]+)"', ul.group(1)) if ul else []


def test_search_pages_are_the_whole_result_once(web):
    every = web.get("/search?q=iso&size=500", headers={"Accept": JSON}).json()
    assert every["count"] == every["total"] == len(every["items"]) > 20
    seen: list[str] = []
    pages = list(walk(web, "/search?q=iso&size=7"))
    for k, (url, text) in enumerate(pages, start=1):
        assert "q=iso" in url and "size=7" in url  # the filter and the size are kept
        found = links_in(text, "results")
        assert len(found) == (7 if k < len(pages) else every["total"] - 7 * (k - 1))
        first = 7 * (k - 1) + 1
        assert f"{first}–{first + len(found) - 1} of {every['total']:,} results" in text
        seen += found
    assert len(pages) == -(-every["total"] // 7)
    assert seen == ["/id/" + i["iri"][len(ID):] for i in every["items"]]
    page2 = web.get("/search?q=iso&size=7&page=2", headers={"Accept": JSON}).json()
    assert page2["items"] == every["items"][7:14] and page2["page"] == 2
    assert page2["pages"] == len(pages) and page2["count"] == every["total"]


def test_standards_pages_keep_the_elements(web):
    query = f"element={RAMI}layer-communication"
    every = web.get(f"/standards?{query}&size=500", headers={"Accept": JSON}).json()
    assert every["total"] == every["count"] == len(every["items"]) > 3
    seen: list[str] = []
    for url, text in walk(web, f"/standards?{query}&size=3"):
        assert parse_qs(urlsplit(url).query)["element"] == [RAMI + "layer-communication"]
        table = re.search(r'<table class="standards-table">(.*?)</table>', text, re.S).group(1)
        seen += re.findall(r'<a class="identifier" href="([^"]+)"', table)
        assert f"{every['total']} standard" in text
    assert seen == ["/id/" + i["iri"][len(ID):] for i in every["items"]]


def test_bad_pages_are_refused(web):
    for url in ("/search?q=iso&page=0", "/search?q=iso&size=501", "/standards?page=x",
                "/reports/overlaps?size=0", "/id/standard/iec-62541?overlaps_page=-1",
                "/id/standard/iec-62541?colour=red"):
        r = web.get(url, headers={"Accept": BROWSER})
        assert r.status_code == 400, url
    # past the last page: an empty page, not an error
    r = web.get("/search?q=iso&page=99", headers={"Accept": JSON})
    assert r.status_code == 200 and r.json()["items"] == [] and r.json()["total"] > 0


def test_report_pages_ask_the_analysis_for_what_they_show(web):
    """The first page of a report asks the analysis for one item more than it shows: it says
    there are more without counting them, and its CSV and JSON links carry no paging."""
    text = web.get("/reports/overlaps?size=10", headers={"Accept": BROWSER}).text
    assert "More than 10 items" in text and "1–10 of more than 10 items" in text
    # how many pages is not known either: "page 1", never "page 1 of 2"
    assert "(page 1)" in text and "page 1 of" not in text
    assert re.search(r"<title>[^<]*\(page 1\)[^<]*</title>", text)
    assert re.search(r'href="/analysis/overlaps\?format=csv"', text)
    # no cap (limit=0): still one more than the page; a page that reaches the end counts all
    assert "More than 10 items" in web.get("/reports/overlaps?size=10&limit=0",
                                            headers={"Accept": BROWSER}).text
    total = len(web.get("/analysis/overlaps?limit=0", headers={"Accept": JSON}).json()["items"])
    last = web.get(f"/reports/overlaps?size=10&limit=0&page={-(-total // 10)}",
                   headers={"Accept": BROWSER}).text
    assert f"{total:,} items" in last and f"of {total:,} items" in last
    pages = -(-total // 10)
    assert f"(page {pages} of {pages})" in last
    capped = web.get("/reports/overlaps?size=10&limit=15&page=2", headers={"Accept": BROWSER})
    assert "15 items (cut at the limit" in capped.text
    assert "11–15 of 15 items" in capped.text
    assert len(re.findall(r"<tr>", capped.text.split("<tbody>")[1])) == 5


# -- a standard with more overlaps than a page shows ------------------------------------------

@pytest.fixture(scope="module")
def crowded(tmp_path_factory) -> Iterator[tuple[TestClient, OxigraphStore]]:
    """A synthetic graph where standards share many elements (80 standards in 8 elements),
    and where each standard is declared to conflict with the next 30 (``sg:conflictsWith``,
    in the graph of the standards' own statements): a list of conflicts longer than a page."""
    store = generate.load_store(OxigraphStore(tmp_path_factory.mktemp("crowded") / "store"), 80,
                                elements=8, schemes=2)
    graph = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s <{SG}classifiedIn> ?e }} }} "
                        "LIMIT 1").rows[0][0]
    g = ox.NamedNode(str(graph))
    for n in range(80):
        for k in range(1, 31):
            store.db.add(ox.Quad(ox.NamedNode(generate.standard_iri(n)),
                                 ox.NamedNode(SG + "conflictsWith"),
                                 ox.NamedNode(generate.standard_iri((n + k) % 80)), g))
    store.db.flush()
    settings = Settings(store=str(store.root), query_processes=False)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as client:
        yield client, store
    store.close()


def test_a_standards_overlaps_and_conflicts_page_by_page(crowded):
    client, store = crowded
    iri = max((generate.standard_iri(n) for n in range(80)),
              key=lambda s: len(overlaps_of(store, s)))
    overlaps, conflicts = overlaps_of(store, iri), conflicts_of(store, iri)
    assert len(overlaps) > 50 and len(conflicts) > 25  # three pages of 25, at least
    others = ["/id/" + (o["b"] if o["a"] == iri else o["a"])[len(ID):] for o in overlaps]
    path = "/id/" + iri[len(ID):]
    seen_ov: list[str] = []
    for url, text in walk(client, path + "?format=html&conflicts_page=2", "ov-h"):
        seen_ov += re.findall(r'<tr><td><a href="([^"]+)"', text)
        assert "format=html" in url and "conflicts_page=2" in url  # the other list's page kept
    assert seen_ov == others
    page2 = client.get(path + "?overlaps_page=2", headers={"Accept": BROWSER}).text
    assert f"26–50 of {len(overlaps):,} overlapping standards" in page2
    assert f"1–25 of {len(conflicts):,} conflicts" in page2
    messages = [html.unescape(m) for m in re.findall(
        r"<li><strong>\w+</strong> \([\w-]+\): (.*?)</li>",
        client.get(path + "?conflicts_page=2", headers={"Accept": BROWSER}).text)]
    assert messages == [c["message"] for c in conflicts[25:50]]


def test_incoming_links_page_by_page(crowded):
    client, store = crowded
    def count(e: str) -> int:
        return len(store.query(f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{e}> }}").rows)

    element = max((generate.element_iri(i % 2, i) for i in range(8)), key=count)
    total = count(element)
    assert total > 50
    seen: list[str] = []
    for _url, text in walk(client, "/id/" + element[len(ID):] + "?format=html", "in-h"):
        seen += links_in(text, "incoming")
    assert len(seen) == total


def test_the_relevance_ranking_page_by_page(crowded):
    client, _store = crowded
    element = generate.element_iri(0, 0)
    ranking = client.get(f"/relevance?element={element}", headers={"Accept": JSON}).json()
    assert ranking["count"] > 10
    seen: list[str] = []
    for url, text in walk(client, f"/relevance?element={element}&size=4", "res-h"):
        assert parse_qs(urlsplit(url).query)["element"] == [element]
        seen += re.findall(r'<li><p><a href="([^"]+)"', text)
    assert seen == ["/id/" + i["iri"][len(ID):] for i in ranking["items"]]


def test_the_translator_shows_twenty_standards_an_element(crowded):
    client, _store = crowded
    element = generate.element_iri(0, 0)
    text = client.get(f"/translate?element={element}", headers={"Accept": BROWSER}).text
    found = re.search(r"(\d+) standards classified here: (.*?)</p>", text, re.S)
    assert int(found.group(1)) > 20
    assert len(re.findall(r"<li>", found.group(2))) == 20
    assert f"and {int(found.group(1)) - 20} more" in found.group(2)
    assert "/standards?element=" in found.group(2)


def _as_shown(item: dict) -> dict:
    """An analysis item as a report page shows it: each list cut at ``CELL_CAP`` entries."""
    return {k: v[:CELL_CAP] if isinstance(v, list) else v for k, v in item.items()}


def test_the_clusters_report_page_by_page(crowded):
    """Page 2 of the clusters report (2 a page) shows the analysis' clusters 3 and 4, its CSV
    and JSON hold exactly those (lists cut as shown); a page's links keep its parameters."""
    client, _store = crowded
    every = client.get("/analysis/overlaps/clusters?threshold=0.75&limit=0",
                       headers={"Accept": JSON}).json()["items"]
    assert len(every) >= 4 and max(len(c["standards"]) for c in every) > CELL_CAP
    url = "/reports/clusters?threshold=0.75&size=2&page=2"
    page = client.get(url + "&format=json").json()
    assert page["items"] == [_as_shown(c) for c in every[2:4]]
    assert [c["cluster"] for c in page["items"]] == [3, 4]
    rows = list(csv.DictReader(io.StringIO(client.get(url + "&format=csv").text)))
    assert [int(r["cluster"]) for r in rows] == [3, 4]
    assert [r["standards"].split() for r in rows] == [
        [s["iri"] for s in c["standards"][:CELL_CAP]] for c in every[2:4]]
    text = client.get(url, headers={"Accept": BROWSER}).text
    body = text.split("<tbody>")[1].split("</tbody>")[0]
    assert re.findall(r"<tr><td>(\d+)</td>", body) == ["3", "4"]
    assert "3–4 of" in text
    text = client.get(url.replace("size=2", "size=1"), headers={"Accept": BROWSER}).text
    assert "2–2 of" in text
    for rel in ("prev", "next"):
        href = html.unescape(re.search(rf'rel="{rel}" href="([^"]+)"', text).group(1))
        assert parse_qs(urlsplit(href).query)["size"] == ["1"]
        assert parse_qs(urlsplit(href).query)["threshold"] == ["0.75"]
    assert 'format=csv' in text and "page=2" in html.unescape(
        re.search(r'href="(/reports/clusters\?[^"]*format=csv)"', text).group(1))
    # the largest cluster: 30 members shown, the others counted
    first = client.get("/reports/clusters?threshold=0.75&size=2",
                       headers={"Accept": BROWSER}).text
    big = max(len(c["standards"]) for c in every[:2])
    assert f"and {big - CELL_CAP:,} more" in first
