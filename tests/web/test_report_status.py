"""The reports filter by status, architecture element, barrier and publisher (issue 19, item 2),
on a hand-built graph whose answers are counted by hand (tests/fixtures/status: the table of its
standards is at the top of status.ttl); and a status given as a literal shows as it is instead
of crashing the pages (the project's shapes refuse it: checked too). Everything goes through
the real app (TestClient over an Oxigraph store), the analyses through ``/analysis/...`` and
the report pages with their forms and their CSV and JSON links."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
import shutil
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from stdgraph.api.app import create_app
from stdgraph.change.build import build, validate_files
from stdgraph.project import Project
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "status"
SG = "https://w3id.org/stdgraph/ontology#"
ID = "https://w3id.org/stdgraph/id/"
PUBLISHED, WITHDRAWN, DEVELOPING = SG + "Published", SG + "Withdrawn", SG + "UnderDevelopment"
B1, B2 = ID + "body/b1", ID + "body/b2"
E1, E2, E3, E4 = (f"{ID}architecture/fx/e{n}" for n in (1, 2, 3, 4))
BAR1, BAR2, BAR3 = (f"{ID}barrier/bar{n}" for n in (1, 2, 3))
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def std(name: str) -> str:
    return f"{ID}standard/{name}"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The fixture built without the project's shapes (they refuse echo's literal status)."""
    root = tmp_path_factory.mktemp("status") / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "shapes").mkdir()
    shutil.copytree(FIXTURE / "data", root / "data")
    store_dir = root.parent / "store"
    st = OxigraphStore(store_dir)
    build(Project.locate(root), st)
    st.close()
    settings = Settings(store=str(store_dir), query_processes=False)
    with TestClient(create_app(settings, store=OxigraphStore(store_dir, read_only=True)),
                    raise_server_exceptions=False) as client:
        yield client


def query(**params) -> str:
    return urlencode([(k, v) for k, vs in params.items()
                      for v in (vs if isinstance(vs, list) else [vs])])


def analysis(web, path: str, **params) -> dict:
    r = web.get(f"/analysis/{path}?{query(**params)}")
    assert r.status_code == 200, r.text
    return r.json()


def pairs(doc: dict) -> list[tuple[str, str]]:
    return [(i["a"].rsplit("/", 1)[1], i["b"].rsplit("/", 1)[1]) for i in doc["items"]]


def members(doc: dict) -> list[tuple[int, list[str], int]]:
    return [(i["cluster"], [s["iri"].rsplit("/", 1)[1] for s in i["standards"]], i["pairs"])
            for i in doc["items"]]


def conflicts(doc: dict) -> list[tuple[str, list[str]]]:
    return [(i["kind"], [s["iri"].rsplit("/", 1)[1] for s in i["subjects"]])
            for i in doc["items"]]


def page(web, name: str, q: str) -> str:
    r = web.get(f"/reports/{name}?{q}", headers={"Accept": BROWSER})
    assert r.status_code == 200, r.text
    return r.text


# -- the analyses ------------------------------------------------------------------------------

#: every overlap (min_shared 2): alpha, bravo, echo share e1-e3 (score 1); charlie's e1, e2 are
#: 2 of their 3 (0.667); delta, foxtrot, golf share e3, e4 (1); alpha and delta share e3 only
EVERY_PAIR = [("alpha", "bravo"), ("alpha", "echo"), ("bravo", "echo"),
              ("delta", "foxtrot"), ("delta", "golf"), ("foxtrot", "golf"),
              ("alpha", "charlie"), ("bravo", "charlie"), ("charlie", "echo")]


@pytest.mark.parametrize("params, want", [
    ({}, EVERY_PAIR),
    # both published: echo's literal "published" is no sg:Published
    ({"status": PUBLISHED}, [("alpha", "bravo"), ("foxtrot", "golf")]),
    ({"status": [PUBLISHED, WITHDRAWN]},
     [("alpha", "bravo"), ("foxtrot", "golf"), ("alpha", "charlie"), ("bravo", "charlie")]),
    ({"status": [DEVELOPING, WITHDRAWN]}, []),
    ({"status": PUBLISHED, "body": B1}, [("alpha", "bravo")]),
    ({"status": PUBLISHED, "limit": "1"}, [("alpha", "bravo")]),
])
def test_overlaps_by_status(web, params, want):
    doc = analysis(web, "overlaps", **params)
    assert pairs(doc) == want
    assert doc["truncated"] == ("limit" in params)
    assert sorted(doc["parameters"]["status"]) == sorted(
        params.get("status", []) if isinstance(params.get("status", []), list)
        else [params["status"]])
    if "limit" not in params:  # every item streamed alike
        assert pairs(analysis(web, "overlaps", limit="0", **params)) == want


@pytest.mark.parametrize("params, want", [
    ({}, [(1, ["alpha", "bravo", "charlie", "echo"], 6), (2, ["delta", "foxtrot", "golf"], 3)]),
    # among published standards only: two groups of two, each one strong pair
    ({"status": PUBLISHED}, [(1, ["alpha", "bravo"], 1), (2, ["foxtrot", "golf"], 1)]),
    ({"status": [PUBLISHED, DEVELOPING]},  # largest first
     [(1, ["delta", "foxtrot", "golf"], 3), (2, ["alpha", "bravo"], 1)]),
    # a group with a member of the body; numbered from 1 in the answer
    ({"body": B2}, [(1, ["delta", "foxtrot", "golf"], 3)]),
    ({"body": B1}, [(1, ["alpha", "bravo", "charlie", "echo"], 6)]),
    ({"body": B2, "status": PUBLISHED}, [(1, ["foxtrot", "golf"], 1)]),
    ({"status": WITHDRAWN}, []),  # charlie alone is no group
])
def test_clusters_by_status_and_publisher(web, params, want):
    assert members(analysis(web, "overlaps/clusters", **params)) == want


#: every conflict: the two references to the withdrawn charlie (by delta and golf), then the
#: two declared ones
EVERY_CONFLICT = [("withdrawn-reference", ["delta", "charlie"]),
                  ("withdrawn-reference", ["golf", "charlie"]),
                  ("declared", ["alpha", "charlie"]), ("declared", ["bravo", "golf"])]


@pytest.mark.parametrize("params, want", [
    ({}, EVERY_CONFLICT),
    # golf (published) refers to charlie: the referrer is asked, not the withdrawn standard;
    # alpha's declared conflict is with the withdrawn charlie: out
    ({"status": PUBLISHED}, [("withdrawn-reference", ["golf", "charlie"]),
                             ("declared", ["bravo", "golf"])]),
    ({"status": [DEVELOPING, WITHDRAWN]}, [("withdrawn-reference", ["delta", "charlie"])]),
    ({"status": [PUBLISHED, WITHDRAWN]}, [("withdrawn-reference", ["golf", "charlie"]),
                                          ("declared", ["alpha", "charlie"]),
                                          ("declared", ["bravo", "golf"])]),
    # and a standard of b1 involved (bravo; charlie, referred to by golf)
    ({"status": PUBLISHED, "body": B1}, [("withdrawn-reference", ["golf", "charlie"]),
                                         ("declared", ["bravo", "golf"])]),
    ({"status": PUBLISHED, "body": B2}, [("withdrawn-reference", ["golf", "charlie"]),
                                         ("declared", ["bravo", "golf"])]),
    ({"status": [DEVELOPING, WITHDRAWN], "body": B1},
     [("withdrawn-reference", ["delta", "charlie"])]),
])
def test_conflicts_by_status(web, params, want):
    assert conflicts(analysis(web, "conflicts", **params)) == want


def gap_rows(doc: dict) -> list[tuple[str, str]]:
    return [(i["subject"].rsplit("/", 1)[1], i["reason"]) for i in doc["items"]]


def test_gaps_by_status(web):
    # current standards (not withdrawn or superseded; echo's literal status is none of those):
    # only bar1 (addressed by the withdrawn charlie alone) is a gap
    doc = analysis(web, "gaps", kinds="barrier")
    assert gap_rows(doc) == [("bar1", "no linked standard addresses this barrier (only "
                                      "withdrawn or superseded standards do: Charlie)")]
    # only published standards count: bar2 (delta, under development; echo, a literal) too
    doc = analysis(web, "gaps", kinds="barrier", status=PUBLISHED)
    other = "only standards without one of the statuses chosen do"
    assert gap_rows(doc) == [
        ("bar1", f"no linked standard addresses this barrier ({other}: Charlie)"),
        ("bar2", f"no linked standard addresses this barrier ({other}: Delta; Echo)")]
    status = doc["coverage"][-1]
    assert status["in_scope"] == 4  # alpha, bravo, foxtrot, golf
    assert status["text"] == ("4 of 7 standards have one of the statuses chosen (published); "
                              "only they count")
    doc = analysis(web, "gaps", kinds="barrier", status=[DEVELOPING, PUBLISHED])
    assert [s for s, _r in gap_rows(doc)] == ["bar1"]


# -- the report pages --------------------------------------------------------------------------

def fieldset(html: str, legend: str) -> str:
    return html.split(f"<legend>{legend}</legend>", 1)[1].split("</fieldset>", 1)[0]


@pytest.mark.parametrize("name", ["overlaps", "clusters", "conflicts", "gaps"])
def test_every_report_offers_the_statuses_by_label(web, name):
    html = page(web, name, query(status=PUBLISHED))
    form = fieldset(html.split('<form method="get"', 1)[1], "Status")
    # the status concepts of the ontology, in their life cycle's order, by label, one ticked
    offered = re.findall(r'name="status" value="([^"]*)"(?: checked)?> <label for="[^"]*">'
                         r'([^<]*)</label>', form)
    assert offered == [(SG + s, label) for s, label in (
        ("Proposed", "proposed"), ("UnderDevelopment", "under development"),
        ("Published", "published"), ("Withdrawn", "withdrawn"), ("Superseded", "superseded"))]
    assert re.findall(r'name="status" value="([^"]*)" checked', form) == [PUBLISHED]
    assert name != "overlaps" or "both have one of these statuses" in form
    # the publisher picker (every report has one)
    bodies = re.findall(r'name="body" value="([^"]*)"[^>]*> <label[^>]*>([^<]*)</label>',
                        fieldset(html, "Published by"))
    assert bodies == [(B1, "Body One"), (B2, "Body Two")]


def download(web, html: str, text: str) -> str:
    """The URL of the page's download link named ``text``."""
    found = re.search(r'<a href="([^"]*)" download="[^"]*">' + re.escape(text) + "</a>", html)
    assert found, text
    return htmllib.unescape(found.group(1))


@pytest.mark.parametrize("name, params, want", [
    ("overlaps", {"status": [PUBLISHED, WITHDRAWN], "body": B2}, ["foxtrot golf"]),
    ("overlaps", {"status": PUBLISHED}, ["alpha bravo", "foxtrot golf"]),
    ("clusters", {"status": PUBLISHED, "body": B2}, ["foxtrot golf"]),
    ("conflicts", {"status": PUBLISHED}, ["golf charlie", "bravo golf"]),
    # (the element and barrier filters: test_overlaps_by_element_and_barrier, ... below)
    ("overlaps", {"element": E4}, ["delta foxtrot", "delta golf", "foxtrot golf"]),
    ("overlaps", {"barrier": BAR2, "min_shared": "1"}, ["delta echo"]),
    ("clusters", {"element": E1, "status": PUBLISHED}, ["alpha bravo"]),
    ("conflicts", {"element": E4}, ["delta charlie", "golf charlie"]),
])
def test_report_rows_and_downloads_keep_the_filters(web, name, params, want):
    html = page(web, name, query(**params))
    assert f"{len(want)} item{'s' if len(want) != 1 else ''}" in html
    # the title says each filter by label
    title = htmllib.unescape(re.search(r"<title>([^<]*)</title>", html).group(1))
    for k, label in (("status", "Status: published"),
                     ("element", "Classified in (every one): Element "),
                     ("barrier", "Addresses (every one): Barrier two")):
        assert (label in title) == (k in params), (k, title)
    for text in ("CSV", "JSON", "CSV of this page", "JSON of this page"):
        url = download(web, html, text)
        for k, vs in params.items():
            for v in vs if isinstance(vs, list) else [vs]:
                assert urlencode([(k, v)]) in url, (text, url)
        r = web.get(url)
        assert r.status_code == 200, (url, r.text)
        if "CSV" in text:
            rows = list(csv.DictReader(io.StringIO(r.text)))
            key = {"overlaps": lambda row: (row["a"], row["b"]),
                   "clusters": lambda row: tuple(row["standards"].split()),
                   "conflicts": lambda row: tuple(row["subjects"].split())}[name]
            got = [" ".join(x.rsplit("/", 1)[1] for x in key(row)) for row in rows]
        else:
            items = r.json()["items"]
            got = [" ".join(x.rsplit("/", 1)[1] for x in (
                [i["a"], i["b"]] if name == "overlaps" else
                [s["iri"] for s in i["standards" if name == "clusters" else "subjects"]]))
                for i in items]
        assert got == want, (text, url)


def test_gaps_page_says_which_standards_count(web):
    html = page(web, "gaps", query(kinds="barrier", status=PUBLISHED))
    assert "2 items" in html
    assert "4 of 7 standards have one of the statuses chosen (published); only they count" \
        in html
    assert "only those with one of the statuses chosen" in html


def test_a_status_that_is_no_iri_is_refused(web):
    assert web.get("/analysis/overlaps?status=published").status_code == 400
    r = web.get("/reports/clusters?status=published", headers={"Accept": BROWSER})
    assert r.status_code == 400 and "status" in r.text


# -- a status given as a literal ---------------------------------------------------------------

def test_the_shapes_refuse_a_literal_status():
    report = validate_files(Project.locate(None), [FIXTURE / "data" / "status.ttl"])
    hits = [r for r in report.results if (r.shape or "").endswith("StandardStatus")]
    assert [(r.focus, r.severity, r.value) for r in hits] == [
        (f"<{std('echo')}>", "Violation", '"published"')]


def test_a_literal_status_shows_as_it_is(web):
    r = web.get("/id/standard/echo", headers={"Accept": BROWSER})
    assert r.status_code == 200, r.text
    assert '<dt>Status</dt><dd class="status">published</dd>' in r.text
    r = web.get("/standards?format=json")
    assert r.status_code == 200, r.text
    rows = {i["iri"].rsplit("/", 1)[1]: (i["status"], i["status_label"])
            for i in r.json()["items"]}
    assert rows["echo"] == (None, "published")
    assert rows["alpha"] == (PUBLISHED, "published")
    html = web.get("/standards", headers={"Accept": BROWSER})
    assert html.status_code == 200
    csv_rows = list(csv.DictReader(io.StringIO(web.get("/standards?format=csv").text)))
    assert {r["iri"].rsplit("/", 1)[1]: r["status"] for r in csv_rows}["echo"] == "published"
    # the status filter of the table: the concept only, not the literal
    r = web.get("/standards?" + query(status=PUBLISHED, format="json"))
    assert sorted(i["iri"].rsplit("/", 1)[1] for i in r.json()["items"]) == [
        "alpha", "bravo", "foxtrot", "golf"]
    # the pages that list standards with their status
    for path in ("/id/body/b1", "/id/barrier/bar2"):
        r = web.get(path, headers={"Accept": BROWSER})
        assert r.status_code == 200, (path, r.text[:2000])
        assert "Echo" in r.text
    # a body's tally counts the text apart from the concept of the same label
    r = web.get("/id/body/b1", headers={"Accept": BROWSER})
    assert re.search(r'<p class="statuses">By status: ([^<]*)</p>', r.text).group(1) == (
        '1 &#34;published&#34; (as text), 2 published, 1 withdrawn.')


# -- the element and barrier filters -----------------------------------------------------------
# (the standards each filter picks, from the table in status.ttl: in e4, delta, foxtrot, golf;
# in e1 and e3, alpha, bravo, echo; in e1, alpha, bravo, charlie, echo; addressing bar2, echo
# and delta)



@pytest.mark.parametrize("params, want", [
    ({"element": E4}, [("delta", "foxtrot"), ("delta", "golf"), ("foxtrot", "golf")]),
    ({"element": [E1, E3]}, [("alpha", "bravo"), ("alpha", "echo"), ("bravo", "echo")]),
    ({"element": E1}, [("alpha", "bravo"), ("alpha", "echo"), ("bravo", "echo"),
                       ("alpha", "charlie"), ("bravo", "charlie"), ("charlie", "echo")]),
    # echo and delta share e3 alone: no pair at two shared elements, one (1 of 4) at one
    ({"barrier": BAR2}, []),
    ({"barrier": BAR2, "min_shared": "1"}, [("delta", "echo")]),
    ({"element": E1, "status": PUBLISHED}, [("alpha", "bravo")]),
    ({"element": [E1, E4]}, []),
    ({"element": E3, "body": B2, "limit": "2"}, [("delta", "foxtrot"), ("delta", "golf")]),
])
def test_overlaps_by_element_and_barrier(web, params, want):
    doc = analysis(web, "overlaps", **params)
    assert pairs(doc) == want
    assert doc["truncated"] == ("limit" in params)
    if "limit" not in params:  # every item streamed alike
        assert pairs(analysis(web, "overlaps", limit="0", **params)) == want


def test_a_filtered_answer_says_how_many_standards_take_part(web):
    doc = analysis(web, "overlaps", element=E4)
    assert doc["coverage"][-1] == {
        "link": "selection", "label": "chosen by the filters", "with_link": 3, "in_scope": 7,
        "text": "3 of 7 standards are classified in Element four: only they take part"}
    doc = analysis(web, "conflicts", element=[E1, E3], barrier=BAR2, status=PUBLISHED)
    assert doc["items"] == []
    assert doc["coverage"][-1]["text"] == (
        "0 of 7 standards are classified in Element one and Element three, address Barrier "
        "two and have one of the statuses chosen (published): only they take part")
    doc = analysis(web, "overlaps/clusters", barrier=BAR3)
    assert doc["coverage"][-1]["text"] == (
        "1 of 7 standards addresses Barrier three: only they take part")
    # no filter, no such entry
    assert "selection" not in [c["link"] for c in analysis(web, "overlaps")["coverage"]]


@pytest.mark.parametrize("params, want", [
    ({"element": E4}, [(1, ["delta", "foxtrot", "golf"], 3)]),
    ({"element": E2}, [(1, ["alpha", "bravo", "charlie", "echo"], 6)]),
    # echo and delta overlap at 1 of 4 elements
    ({"barrier": BAR2, "min_shared": "1", "threshold": "0.25"}, [(1, ["delta", "echo"], 1)]),
    ({"barrier": BAR2, "min_shared": "1"}, []),
    ({"element": E1, "status": PUBLISHED}, [(1, ["alpha", "bravo"], 1)]),
    ({"element": E3, "body": B1}, [(1, ["alpha", "bravo", "echo"], 3)]),
])
def test_clusters_by_element_and_barrier(web, params, want):
    assert members(analysis(web, "overlaps/clusters", **params)) == want


@pytest.mark.parametrize("params, want", [
    # the referrers delta and golf are in e4; bravo (of the declared bravo-golf) is not
    ({"element": E4}, [("withdrawn-reference", ["delta", "charlie"]),
                       ("withdrawn-reference", ["golf", "charlie"])]),
    ({"element": [E1, E2]}, [("declared", ["alpha", "charlie"])]),
    ({"barrier": BAR1}, []),  # charlie alone: its declared conflict is with alpha
    ({"barrier": BAR2}, [("withdrawn-reference", ["delta", "charlie"])]),
    ({"element": E3, "status": PUBLISHED}, [("withdrawn-reference", ["golf", "charlie"]),
                                            ("declared", ["bravo", "golf"])]),
])
def test_conflicts_by_element_and_barrier(web, params, want):
    assert conflicts(analysis(web, "conflicts", **params)) == want


@pytest.mark.parametrize("params, picked", [
    ({"element": E4}, "are classified in Element four"),
    ({"body": B2}, "are published by Body Two"),  # what no standard of Body Two covers
])
def test_gaps_of_the_standards_a_filter_picks(web, params, picked):
    # only delta, foxtrot and golf count (all current; in e4, and Body Two's): bar1 (charlie)
    # and bar3 (alpha) are gaps, and e1 and e2, where none of them is classified
    doc = analysis(web, "gaps", **params)
    other = "only standards the filters leave out do"
    assert gap_rows(doc) == [
        ("bar1", f"no linked standard addresses this barrier ({other}: Charlie)"),
        ("bar3", f"no linked standard addresses this barrier ({other}: Alpha)"),
        ("e1", "no linked standard is classified in this element"),
        ("e2", "no linked standard is classified in this element")]
    assert doc["coverage"][-1]["text"] == (
        f"3 of 7 standards {picked}, not withdrawn or superseded; only they count")


def test_gaps_by_barrier(web):
    # addressing bar2: echo and delta, both current; bar1 and bar3 are gaps, e1-e4 are not
    doc = analysis(web, "gaps", barrier=BAR2)
    assert [s for s, _r in gap_rows(doc)] == ["bar1", "bar3"]
    # the withdrawn charlie is the one standard addressing bar1: none counts (it is not
    # current), unless the statuses chosen take it in
    assert analysis(web, "gaps", barrier=BAR1)["coverage"][-1]["with_link"] == 0
    doc = analysis(web, "gaps", barrier=BAR1, status=WITHDRAWN)
    assert [s for s, _r in gap_rows(doc)] == ["bar2", "bar3", "e3", "e4"]
    assert doc["coverage"][-1]["text"] == (
        "1 of 7 standards addresses Barrier one and has one of the statuses chosen "
        "(withdrawn); only they count")


@pytest.mark.parametrize("name", ["overlaps", "clusters", "conflicts", "gaps"])
def test_every_report_offers_elements_by_architecture_and_barriers(web, name):
    html = page(web, name, query(element=E4))
    form = html.split('<form method="get"', 1)[1]
    elements = fieldset(form, "Classified in (every one)")
    # the element chosen: a ticked box, by label and architecture; the others to add, grouped
    # by architecture, in its order (the fixture has no sg:order: by label; no multiple
    # select: one at a time)
    assert re.findall(r'name="element" value="([^"]*)" checked> <label[^>]*>([^<]*)</label>',
                      elements) == [(E4, "Element four (FX)")]
    assert "multiple" not in elements
    assert re.findall(r'<optgroup label="([^"]*)">', elements) == ["FX"]
    assert re.findall(r'<option value="([^"]+)">([^<]*)</option>', elements) == [
        (E1, "Element one"), (E3, "Element three"), (E2, "Element two")]
    barriers = fieldset(form, "Addresses (every one)")
    assert re.findall(r'<option value="([^"]+)">([^<]*)</option>', barriers) == [
        (BAR1, "Barrier one"), (BAR3, "Barrier three"), (BAR2, "Barrier two")]
    title = htmllib.unescape(re.search(r"<title>([^<]*)</title>", html).group(1))
    assert "Classified in (every one): Element four (FX)" in title
    # (a count of the standards picked, not of links: no "missing link" after it)
    assert ("<li>3 of 7 standards are classified in Element four" + (
        ", not withdrawn or superseded; only they count.</li>" if name == "gaps" else
        ": only they take part.</li>")) in html


def test_an_element_that_is_no_iri_is_refused(web):
    assert web.get("/analysis/overlaps?element=e4").status_code == 400
    r = web.get("/reports/gaps?barrier=bar%201", headers={"Accept": BROWSER})
    assert r.status_code == 400 and "barrier" in r.text


def test_the_standards_table_leads_to_the_reports_of_its_standards(web):
    # the table of the standards in e4 (delta, foxtrot, golf) links to the reports made of
    # them: its overlaps are the pairs among the rows it shows
    html = web.get("/standards?" + query(element=E4), headers={"Accept": BROWSER}).text
    rows = sorted(i["iri"].rsplit("/", 1)[1] for i in web.get(
        "/standards?" + query(element=E4, format="json")).json()["items"])
    assert rows == ["delta", "foxtrot", "golf"]
    links = {text: htmllib.unescape(href) for href, text in re.findall(
        r'<a href="([^"]*)">([^<]*)</a>', html.split('class="reports-here"', 1)[1]
        .split("</p>", 1)[0])}
    assert set(links) == {"overlaps", "clusters", "conflicts", "what they do not cover"}
    r = web.get(links["overlaps"] + "&format=json", headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert {x.rsplit("/", 1)[1] for i in r.json()["items"] for x in (i["a"], i["b"])} \
        == set(rows)
    assert web.get(links["what they do not cover"], headers={"Accept": BROWSER}).status_code \
        == 200
    # no such links without a filter they carry (a publisher is no such filter)
    html = web.get("/standards?" + query(body=B1), headers={"Accept": BROWSER}).text
    assert 'class="reports-here"' not in html


def test_gaps_by_publisher(web):
    # (one body: test_gaps_of_the_standards_a_filter_picks) both bodies: every current standard, as with no filter (but said)
    both = analysis(web, "gaps", body=[B1, B2])
    assert gap_rows(both)[0][0] == "bar1" and len(both["items"]) == 1
    html = page(web, "gaps", query(body=B2))
    bodies = re.findall(r'name="body" value="([^"]*)"[^>]*> <label[^>]*>([^<]*)</label>',
                        fieldset(html, "Published by"))
    assert bodies == [(B1, "Body One"), (B2, "Body Two")]
    assert "4 items" in html
