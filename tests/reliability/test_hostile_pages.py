"""Links the pages make (issue 21, item 6): ``/standards?element=javascript%3Aalert(1)`` rendered
``<a href="javascript:alert(1)">`` (reflected), and a ``javascript:`` IRI written to the store
became a clickable link on its resource's page (stored); no page had a Content-Security-Policy.

Now only ``http(s)`` IRIs (and this server's own pages) become links, others are shown as text
(``web.render.linkable``), and every HTML answer carries a Content-Security-Policy (scripts and
styles from this server only), ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy``
(``api.security``). ``tests/web/test_browser.py`` checks in Chromium that no page breaks its
policy.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from stdgraph.api.security import PAGE_CSP

from .conftest import FIGURES
from .hostile import AUTH

HTML = {"Accept": "text/html"}
#: IRIs no page may link to (each a valid IRI: the IRI check lets them through)
SCHEMES = ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,x",
           "vbscript:msgbox(1)", "file:///etc/passwd", "urn:x-evil:1"]
PAGES = ["/", "/standards", "/search?q=a", "/ontology", "/relevance", "/translate",
         "/reports/gaps", "/reports/overlaps", "/roadmap", "/sparql", "/id/nothing-here",
         "/docs"]


@pytest.fixture
def server(hostile_server):
    return hostile_server


def assert_page_headers(r) -> None:
    assert r.headers["content-type"].startswith("text/html"), r.headers
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


def no_link_to(text: str, iri: str) -> None:
    lowered = text.lower()
    assert f'href="{iri.lower()}' not in lowered
    assert 'href="javascript:' not in lowered and 'href="data:' not in lowered


@pytest.mark.parametrize("iri", SCHEMES)
def test_reflected_iris_are_text_not_links(server, iri):
    for url in (f"/standards?element={quote(iri, safe='')}",
                f"/reports/gaps?rows={quote(iri, safe='')}"):
        r = server.send(200, "GET", url, headers=HTML)
        assert_page_headers(r)
        assert r.headers["content-security-policy"] == PAGE_CSP
        no_link_to(r.text, iri)
        FIGURES["bad_inputs"]["IRI that must not be a link"] += 1


def test_stored_iris_are_text_not_links(server):
    """Written by a writer (SPARQL Update and the Graph Store), shown on the resource's page."""
    subject = "https://w3id.org/stdgraph/id/test/evil"
    graph = "http://example.org/graph/evil"
    objects = " , ".join(f"<{iri}>" for iri in SCHEMES)
    r = server.http.post("/sparql", data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ "
                                                    f"<{subject}> <http://xmlns.com/foaf/0.1/"
                                                    f"homepage> {objects} ; <{SCHEMES[0]}> "
                                                    "'a value' } }"}, headers=AUTH)
    assert r.status_code == 200, r.text
    try:
        r = server.http.get("/id/test/evil", headers=HTML)
        assert r.status_code == 200, r.text
        assert_page_headers(r)
        for iri in SCHEMES:
            no_link_to(r.text, iri)
            assert iri.replace("&", "&amp;") in r.text  # shown, as text
    finally:
        assert server.http.delete(f"/store?graph={graph}", headers=AUTH).status_code == 204
        server.forget()


def test_every_html_answer_has_the_headers(server):
    for path in PAGES:
        r = server.http.get(path, headers=HTML)
        assert r.status_code in {200, 404}, (path, r.status_code)
        if path == "/docs":  # Swagger UI: files from this server, its inline script by hash
            csp = r.headers["content-security-policy"]
            assert "script-src 'self' 'sha256-" in csp and "http" not in csp, csp
            assert r.headers["x-content-type-options"] == "nosniff"
            continue
        if r.headers["content-type"].startswith("text/html"):
            assert_page_headers(r)
    # not HTML: no page policy
    assert "content-security-policy" not in server.http.get("/health").headers
