"""Browser test: axe-core finds no serious or critical WCAG 2.1 A/AA violation on a page of
every kind, at desktop and phone width (issue 19, item 8); Debian's Chromium through Playwright
against a real uvicorn on 127.0.0.1, as in test_browser.py. A module of its own so that the
test workers (one module each at a time) run it beside the other browser tests."""

from __future__ import annotations

import re

import pytest

from .conftest import DESKTOP, PHONE, SKIP, serious_violations

pytestmark = pytest.mark.skipif(SKIP, reason="STDGRAPH_SKIP_BROWSER_TESTS is set")


#: one page of every kind (issue 19, item 8), the error page and the API docs included
AXE_PAGES = ["/", "/standards", "/standards?element=https%3A%2F%2Fw3id.org%2Fstdgraph%2Fid%2F"
             "architecture%2Frami40%2Flayer-communication", "/architectures",
             "/id/architecture/rami40", "/id/architecture/iira", "/id/architecture/imsa",
             "/id/standard/iec-62541",
             "/id/barrier/security", "/id/theme/interoperability", "/id/recommendation/2",
             "/id/roadmap-item/cobot-safety", "/id/body/iec", "/reports", "/reports/overlaps",
             "/reports/gaps", "/reports/conflicts", "/reports/clusters",
             # the report journeys' states: the filter form open, the coverage matrix, a
             # translation with its evidence kinds (tests/web/test_journey_reports.py)
             "/reports/gaps?kinds=barrier&evidence=stated%2Breading",
             # a report sorted by a column (aria-sort, the order in words)
             "/reports/overlaps?sort=-b", "/reports/conflicts?sort=message&size=3",
             "/translate?element=https%3A%2F%2Fw3id.org%2Fstdgraph%2Fid%2Farchitecture%2F"
             "rami40%2Flayer-communication", "/roadmap", "/relevance",
             "/relevance?technology=https%3A%2F%2Fw3id.org%2Fstdgraph%2Fid%2Ftechnology%2F"
             "additive-manufacturing", "/translate",
             "/translate?element=https%3A%2F%2Fw3id.org%2Fstdgraph%2Fid%2Farchitecture%2F"
             "rami40%2Flayer-business", "/sparql", "/ontology", "/search?q=62541",
             "/id/standard/iec-99999", "/review", "/docs",
             "/reports/overlaps?element=https%3A%2F%2Fw3id.org%2Fstdgraph%2Fid%2Farchitecture%2F"
             "rami40%2Flayer-communication&barrier=https%3A%2F%2Fw3id.org%2Fstdgraph%2Fid%2F"
             "barrier%2Fsecurity"]
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_serious_violation(page, live_server, shots, viewport):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page.set_viewport_size(viewport)
    found: dict[str, list[str]] = {}
    for path in AXE_PAGES:
        page.goto(live_server + path)
        if path == "/docs":
            page.locator(".opblock").first.wait_for()
        bad = serious_violations(axe, page)
        if bad:
            found[path] = bad
        slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60] or "landing"
        page.screenshot(path=str(shots.folder / f"axe-{slug}-{viewport['width']}.png"),
                        full_page=True)
    assert not found, "\n".join(f"{p}: {b}" for p, bs in found.items() for b in bs)
