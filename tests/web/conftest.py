"""Fixtures of the web front-end: the bundled graph built once into an Oxigraph folder, a
TestClient over it, and a real uvicorn (``stdgraph serve``) on a free port of 127.0.0.1."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from stdgraph.api.app import create_app
from stdgraph.project import Project
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore
from support.serving import build_store, stdgraph_serve

ID = "https://w3id.org/stdgraph/id/"
#: where the browser tests put this run's screenshots (test_browser.shots)
SHOTS = pytest.StashKey[Path]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    folder = config.stash.get(SHOTS, None)
    if folder is not None:
        terminalreporter.write_line(f"browser tests: screenshots in {folder}")


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory) -> Path:
    """The bundled project built once into an Oxigraph folder (read by every web test)."""
    return build_store(None, tmp_path_factory.mktemp("web-store") / "store")


@pytest.fixture(scope="module")
def web(bundled_store) -> Iterator[TestClient]:
    """A TestClient over the bundled graph (read-only, query threads)."""
    settings = Settings(store=str(bundled_store), query_processes=False)
    st = OxigraphStore(bundled_store, read_only=True)
    with TestClient(create_app(settings, store=st), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def source_graph() -> Graph:
    """The bundled ontology and data files parsed by rdflib, no inference: a second engine to
    compute what the pages must show."""
    project = Project.locate(None)
    g = Graph()
    for f in [*project.ontology_files, *project.data_files]:
        g.parse(f)
    return g


@pytest.fixture(scope="module")
def live_server(bundled_store, tmp_path_factory) -> Iterator[str]:
    """``stdgraph serve`` (real uvicorn) over the bundled graph; its base URL."""
    tmp = tmp_path_factory.mktemp("web-serve")
    with stdgraph_serve(bundled_store, tmp / "serve.log",
                        XDG_DATA_HOME=str(tmp / "xdg")) as base:
        yield base


# Browser fixtures (test_browser.py and the journey files): Debian's Chromium driven by
# Playwright for Python, no browser download.
CHROMIUM = os.environ.get("STDGRAPH_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# Missing Chromium or Playwright fails (scripts/test installs both), unless the run opts out.
SKIP = os.environ.get("STDGRAPH_SKIP_BROWSER_TESTS", "") not in ("", "0")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/test (it installs Debian's "
                    "chromium) or set STDGRAPH_SKIP_BROWSER_TESTS=1")
    try:
        from playwright import sync_api
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}


class Shots:
    """Screenshots of the pages a test checked, at desktop and phone width, into ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, pg, name: str) -> None:
        size = pg.viewport_size or DESKTOP
        pg.screenshot(path=str(self.folder / f"{name}-desktop.png"), full_page=True)
        pg.set_viewport_size(PHONE)
        pg.screenshot(path=str(self.folder / f"{name}-phone.png"), full_page=True)
        pg.set_viewport_size(size)


@pytest.fixture(scope="session")
def shots(request):
    """The run's screenshot folder; its path is printed in the summary (conftest.py)."""
    folder = Path(tempfile.mkdtemp(prefix="stdgraph-screenshots-"))
    request.config.stash[SHOTS] = folder
    return Shots(folder)


@pytest.fixture
def page(browser, tmp_path):
    """A page whose console must show no Content-Security-Policy violation (issue 21: the
    pages are served with a strict policy; an inline script or style would be blocked)."""
    ctx = browser.new_context(viewport=DESKTOP)
    pg = ctx.new_page()
    pg.set_default_timeout(20000)
    blocked: list[str] = []
    pg.on("console", lambda m: blocked.append(m.text)
          if "Content Security Policy" in m.text else None)
    yield pg
    ctx.close()
    assert not blocked, blocked


#: WCAG 2.1 A and AA rules, as every axe-core check runs them
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                     "wcag21aa"]},
               "resultTypes": ["violations"]}


def serious_violations(axe, page) -> list[str]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core (an ``Axe``) finds on the page
    open in ``page``, each as "id (impact): help at <its first three targets>"."""
    results = axe.run(page, options=AXE_OPTIONS).response
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
            for v in results["violations"] if v["impact"] in {"serious", "critical"}]
