"""Navigation (issue 19, item 1): one menu on every page, the query page included; error pages
for browsers and the JSON envelope for everyone else; footer links a browser can use; the
indexes the menu leads to (``/architectures``, ``/reports``). TestClient over the bundled
graph."""

from __future__ import annotations

import html
import re
from collections import defaultdict

import pytest
from fastapi.testclient import TestClient

from stdgraph.analysis import registry_for
from stdgraph.api.app import create_app
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore

from .conftest import ID

BROWSER = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
           "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
MENU = [("/standards", "Standards"), ("/architectures", "Architectures"),
        ("/reports", "Reports"), ("/roadmap", "Roadmap"), ("/relevance", "Relevance finder"),
        ("/translate", "Translator"), ("/review", "Review"), ("/sparql", "SPARQL"),
        ("/docs", "API")]
#: a page of every kind -> the menu entry it belongs to (None: none)
PAGES = {"/": None, "/standards": "/standards", "/architectures": "/architectures",
         "/id/architecture/rami40": None, "/id/standard/iec-62541": None,
         "/id/barrier/security": None, "/id/theme/interoperability": None,
         "/id/recommendation/2": None, "/id/roadmap-item/cobot-safety": None,
         "/id/body/iec": None, "/reports": "/reports", "/reports/gaps": "/reports",
         "/roadmap": "/roadmap", "/relevance": "/relevance", "/translate": "/translate",
         "/sparql": "/sparql", "/ontology": None, "/search?q=62541": None,
         "/id/standard/iec-99999": None}


def menu(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    nav = re.search(r'<nav aria-label="Site">(.*?)</nav>', text, re.S)
    assert nav, "no site menu"
    links = re.findall(r'<a href="([^"]+)"(?: class="brand")?( aria-current="page")?>([^<]+)</a>',
                       nav.group(1))
    entries = [(h, label) for h, _cur, label in links if label != "stdgraph"]
    current = [h for h, cur, _label in links if cur]
    return entries, current


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_has_the_one_menu(web, path):
    r = web.get(path, headers={"Accept": BROWSER})
    assert r.status_code == (404 if "99999" in path else 200), r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    entries, current = menu(r.text)
    assert entries == MENU
    assert current == ([PAGES[path]] if PAGES[path] else (["/"] if path == "/" else []))
    assert r.text.count('<nav aria-label="Site">') == 1
    assert 'role="search"' in r.text and '<main id="main">' in r.text


def test_query_page_keeps_its_form_inside_the_site(web):
    text = web.get("/sparql", headers={"Accept": BROWSER}).text
    assert "<title>SPARQL query · stdgraph</title>" in text
    assert 'href="/static/web.css"' in text and 'href="/static/query.css"' in text
    assert '<label for="query"' in text and 'id="examples"' in text


ERRORS = [("/id/standard/iec-99999", 404, "/search?q=iec%2099999"),
          ("/nothing/here", 404, "/search?q=here"),
          ("/reports/nope", 404, "/search?q=nope"),
          ("/standards?status=published", 400, "/standards"),
          ("/search?q=x&page=0", 400, "/search"),
          ("/.well-known/void?format=pdf", 400, "/.well-known/void")]


@pytest.mark.parametrize(("path", "status", "way_on"), ERRORS)
def test_errors_are_pages_for_browsers_and_json_for_others(web, path, status, way_on):
    envelope = web.get(path, headers={"Accept": "application/json"})
    assert envelope.status_code == status
    body = envelope.json()
    assert body["ok"] is False and body["status"] == status
    for accept in ("*/*", "application/json, text/html;q=0.5", ""):
        r = web.get(path, headers={"Accept": accept})
        assert r.status_code == status
        assert r.json()["error"] == body["error"], accept
    page = web.get(path, headers={"Accept": BROWSER})
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["vary"] == "Accept"
    text = page.text
    assert f'<p class="status">{status} ' in text
    assert html.escape(body["error"], quote=False) in html.unescape(text) or \
        body["error"] in html.unescape(text)
    ways = [html.unescape(h) for h in
            re.findall(r'<a href="([^"]+)"', text.split('<ul class="way-on">')[1])]
    assert way_on in ways and "/" in ways, ways
    assert menu(text)[0] == MENU
    if path.startswith("/.well-known"):
        return  # the API's routes answer GET only
    head = web.head(path, headers={"Accept": BROWSER})
    assert head.status_code == status and head.content == b""
    assert int(head.headers["content-length"]) == len(page.content)


def test_a_timeout_is_a_page_with_a_retry_link(bundled_store):
    settings = Settings(store=str(bundled_store), query_processes=False, query_timeout=0.000001)
    st = OxigraphStore(bundled_store, read_only=True)
    with TestClient(create_app(settings, store=st), raise_server_exceptions=False) as c:
        url = "/reports/overlaps?evidence=all"
        r = c.get(url, headers={"Accept": BROWSER})
        assert r.status_code == 503, r.text[:300]
        assert r.headers["content-type"].startswith("text/html")
        assert f'<a href="{html.escape(url)}">Try again</a>' in r.text
        j = c.get(url, headers={"Accept": "application/json"})
        assert j.status_code == 503 and j.json()["status"] == 503


def test_footer_links_give_a_browser_a_file(web):
    text = web.get("/", headers={"Accept": BROWSER}).text
    footer = text.split("<footer>")[1]
    links = [html.unescape(h) for h in re.findall(r'<a href="([^"]+)"', footer)]
    assert links == ["/.well-known/void?format=turtle", "/dump?format=turtle", "/ontology"]
    names = {}
    for url in links[:2]:
        r = web.get(url, headers={"Accept": BROWSER})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
        m = re.fullmatch(r'attachment; filename="([^"]+)"', r.headers["content-disposition"])
        names[url] = m.group(1)
    assert names == {"/.well-known/void?format=turtle": "stdgraph-void.ttl",
                     "/dump?format=turtle": "stdgraph.ttl"}
    # negotiated without ?format=: no file name forced on machine clients
    r = web.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "content-disposition" not in r.headers


def test_architectures_index_counts_the_standards_placed(web, bundled_store):
    # the counts again, by Python over plain triple patterns of the same store
    st = OxigraphStore(bundled_store, read_only=True)
    sg = "https://w3id.org/stdgraph/ontology#"
    skos = "http://www.w3.org/2004/02/skos/core#"
    schemes = {str(a) for (a,) in st.query(f"SELECT ?a WHERE {{ ?a a <{sg}ReferenceArchitecture> }}").rows}
    standards = {str(s) for (s,) in st.query(f"SELECT ?s WHERE {{ ?s a <{sg}Standard> }}").rows}
    in_scheme = defaultdict(set)
    for e, a in st.query(f"SELECT ?e ?a WHERE {{ ?e <{skos}inScheme> ?a }}").rows:
        in_scheme[str(e)].add(str(a))
    placed = defaultdict(set)
    elements = defaultdict(set)
    for e, schemes_of in in_scheme.items():
        for a in schemes_of:
            elements[a].add(e)
    for s, e in st.query(f"SELECT ?s ?e WHERE {{ ?s <{sg}classifiedIn> ?e }}").rows:
        if str(s) in standards:
            for a in in_scheme.get(str(e), ()):
                placed[a].add(str(s))
    st.close()
    assert len(schemes) == 7
    text = web.get("/architectures", headers={"Accept": BROWSER}).text
    rows = re.findall(r'<tr><th scope="row"><a href="(/id/[^"]+)">[^<]+</a></th><td>(\d+)</td>'
                      r'<td>(\d+) of ([\d,]+)</td>', text)
    shown = {ID + h[len("/id/"):]: (int(n), int(p), int(t.replace(",", "")))
             for h, n, p, t in rows}
    assert shown == {a: (len(elements[a]), len(placed[a]), len(standards)) for a in schemes}
    assert shown[ID + "architecture/rami40"][1] > 0


def test_reports_index_lists_the_registry(web):
    text = web.get("/reports", headers={"Accept": BROWSER}).text
    listed = re.findall(r'<h2><a href="/reports/([^"]+)">([^<]+)</a></h2>', text)
    analyses = registry_for(Settings())
    assert listed == [(a.name, html.escape(a.title, quote=False)) for a in analyses.values()]
    assert web.get("/reports?x=1", headers={"Accept": "application/json"}).status_code == 400


@pytest.mark.parametrize("path", list(PAGES))
def test_every_table_has_a_caption(web, path):
    text = web.get(path, headers={"Accept": BROWSER}).text
    tables = re.findall(r"<table[^>]*>\s*(<caption>[^<]+</caption>)?", text)
    assert all(tables), (path, len(tables))


def title(web, url: str) -> str:
    text = web.get(url, headers={"Accept": BROWSER}).text
    return html.unescape(re.search(r"<title>(.*?)</title>", text, re.S).group(1))


def test_titles_say_what_the_page_shows(web):
    comm = ID + "architecture/rami40/layer-communication"
    n = web.get("/standards", params={"element": comm},
                headers={"Accept": "application/json"}).json()["total"]
    assert title(web, f"/standards?element={comm}") == \
        f"Standards in Communication Layer, {n} · stdgraph"
    everything = web.get("/standards", headers={"Accept": "application/json"}).json()
    pages = -(-everything["total"] // 50)
    assert pages > 1
    assert title(web, "/standards?page=2") == \
        f"Standards, {everything['total']} (page 2 of {pages}) · stdgraph"
    found = web.get("/search?q=62541", headers={"Accept": "application/json"}).json()["total"]
    assert title(web, "/search?q=62541") == \
        f"Search: “62541”, {found} result{'' if found == 1 else 's'} · stdgraph"
    assert title(web, "/reports/gaps?kinds=barrier") == \
        "What no standard covers — Kinds of gap: Barriers · stdgraph"  # the value as labelled
    assert title(web, "/translate?element=" + ID + "architecture/rami40/layer-business") == \
        "Architecture translator: Business Layer (RAMI 4.0) · stdgraph"
    tech = ID + "technology/additive-manufacturing"
    ranked = web.get("/relevance", params={"technology": tech},
                     headers={"Accept": "application/json"}).json()["items"]
    assert title(web, f"/relevance?technology={tech}") == \
        f"Relevance finder: Additive manufacturing, {len(ranked)} standard" \
        f"{'' if len(ranked) == 1 else 's'} · stdgraph"
