"""``/standards`` as a table like Datasette's (issue 19, item 2): filters by status, publisher,
element, barrier and evidence kind; sort by any column; paging; CSV and JSON of exactly the rows
shown; permalinks; no JavaScript. What the rows must be is computed by rdflib over the source
files (status, publisher, year, evidence: asserted there) or by Python over plain triple
patterns of the built store (classifications and barriers, asserted or inferred)."""

from __future__ import annotations

import csv
import html
import io
import re
from urllib.parse import parse_qsl, urlencode

import pytest

from stdgraph.store import OxigraphStore

from .conftest import ID

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SG = "https://w3id.org/stdgraph/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PUBLISHED, ISO = SG + "Published", ID + "body/iso"


def every(web, **params) -> list[dict]:
    r = web.get("/standards", params={**params, "size": 500},
                headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["count"] == doc["total"] == len(doc["items"])
    return doc["items"]


def iris_of(items) -> set[str]:
    return {i["iri"] for i in items}


def test_status_and_publisher_filters(web, source_graph):
    want = {str(s) for (s,) in source_graph.query(f"""
        SELECT ?s WHERE {{ ?s a <{SG}Standard> ; <{SG}status> <{PUBLISHED}> ;
                              <{SG}publisher> <{ISO}> }}""")}
    assert len(want) > 5
    assert iris_of(every(web, status=PUBLISHED, body=ISO)) == want
    # several values of one filter: any of them
    withdrawn = SG + "Withdrawn"
    either = {str(s) for (s,) in source_graph.query(f"""
        SELECT ?s WHERE {{ ?s a <{SG}Standard> ; <{SG}status> ?st
                           VALUES ?st {{ <{PUBLISHED}> <{withdrawn}> }} }}""")}
    got = web.get("/standards", params=[("status", PUBLISHED), ("status", withdrawn),
                                        ("size", "500")],
                  headers={"Accept": "application/json"}).json()
    assert iris_of(got["items"]) == either


@pytest.mark.parametrize("kind", ["Stated", "Reading"])
def test_evidence_filter(web, source_graph, kind):
    want = {str(s) for (s,) in source_graph.query(f"""
        SELECT DISTINCT ?s WHERE {{ ?r <{RDF}subject> ?s ; <{SG}evidence> <{SG}{kind}> .
                                    ?s a <{SG}Standard> }}""")}
    assert want
    assert iris_of(every(web, evidence=kind)) == want


def test_element_and_barrier_filters(web, bundled_store):
    comm = ID + "architecture/rami40/layer-communication"
    security = ID + "barrier/security"
    st = OxigraphStore(bundled_store, read_only=True)
    try:
        standards = {str(s) for (s,) in st.query(f"SELECT ?s {{ ?s a <{SG}Standard> }}").rows}
        classified = {str(s) for s, e in st.query(
            f"SELECT ?s ?e {{ ?s <{SG}classifiedIn> ?e }}").rows if str(e) == comm}
        addressing = {str(s) for s, b in st.query(
            f"SELECT ?s ?b {{ ?s <{SG}addressesBarrier> ?b }}").rows if str(b) == security}
    finally:
        st.close()
    assert iris_of(every(web, element=comm)) == classified & standards
    assert iris_of(every(web, barrier=security)) == addressing & standards
    both = classified & addressing & standards
    assert iris_of(every(web, element=comm, barrier=security)) == both


def test_sort_by_year_descending_empty_last(web, source_graph):
    years: dict[str, str] = {}
    for s, y in source_graph.query(f"""
            SELECT ?s ?y WHERE {{ ?s a <{SG}Standard> ; <{SG}publicationYear> ?y }}"""):
        years[str(s)] = min(years.get(str(s), str(y)), str(y))
    items = every(web, sort="-year")
    shown = [i["year"] for i in items]
    dated = [y for y in shown if y is not None]
    assert dated == sorted(dated, reverse=True) and len(dated) == len(years)
    assert shown == dated + [None] * (len(shown) - len(dated))  # empty last
    assert {i["iri"]: i["year"] for i in items if i["year"]} == years
    ascending = [i["year"] for i in every(web, sort="year") if i["year"]]
    assert ascending == sorted(years.values())


@pytest.mark.parametrize("column", ["identifier", "title", "status", "body", "year", "elements"])
def test_every_column_sorts(web, column):
    items = every(web, sort=column)

    def key(i):
        if column == "identifier":
            v = i["identifier"] or i["label"]
        elif column == "status":
            v = i["status_label"]
        elif column == "body":
            v = ", ".join(b["label"] for b in i["bodies"]) or None
        else:
            v = i[column]
        return v.casefold() if isinstance(v, str) else v

    values = [key(i) for i in items]
    filled = [v for v in values if v is not None and v != ""]
    assert filled == sorted(filled)
    assert values[:len(filled)] == filled


def test_csv_and_json_hold_exactly_the_rows_shown(web):
    view = [("body", ISO), ("sort", "-year"), ("page", "2"), ("size", "10")]
    page = web.get("/standards?" + urlencode(view), headers={"Accept": BROWSER})
    assert page.status_code == 200
    text = page.text
    table = re.search(r'<table class="standards-table">(.*?)</table>', text, re.S).group(1)
    shown = [html.unescape(x) for x in re.findall(r'<a class="identifier" href="[^"]+">([^<]+)<',
                                                  table)]
    assert len(shown) == 10
    csv_url = html.unescape(re.search(r'<a href="([^"]+)" download>CSV</a>', text).group(1))
    json_url = html.unescape(re.search(r'<a href="([^"]+)">JSON</a>', text).group(1))
    assert dict(parse_qsl(csv_url[1:])) == {**dict(view), "format": "csv"}
    r = web.get("/standards" + csv_url)
    assert r.headers["content-disposition"] == 'attachment; filename="standards.csv"'
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["identifier", "title", "status", "publisher", "year", "classifications",
                       "iri"]
    doc = web.get("/standards" + json_url).json()
    assert [i["identifier"] or i["label"] for i in doc["items"]] == shown
    assert [row[0] for row in rows[1:]] == [i["identifier"] or "" for i in doc["items"]]
    assert [row[6] for row in rows[1:]] == [i["iri"] for i in doc["items"]]
    assert doc["page"] == 2 and doc["size"] == 10


def test_permalinks_and_sort_links_keep_the_view(web):
    view = [("status", PUBLISHED), ("evidence", "Stated"), ("sort", "year")]
    text = web.get("/standards?" + urlencode(view), headers={"Accept": BROWSER}).text
    link = html.unescape(re.search(r'<a href="([^"]+)" rel="bookmark">', text).group(1))
    assert sorted(parse_qsl(link[1:])) == sorted(view)
    heads = {re.sub(r"[ ▲▼]", "", html.unescape(t)): html.unescape(h) for h, t in re.findall(
        r'<th scope="col"[^>]*><a href="([^"]+)">([^<]+)</a></th>', text)}
    assert set(heads) == {"standard", "title", "status", "publisher", "year", "classifications"}
    # the sorted column flips to descending; every other sorts ascending; the filters stay
    assert dict(parse_qsl(heads["year"][1:]))["sort"] == "-year"
    assert dict(parse_qsl(heads["title"][1:]))["sort"] == "title"
    for h in heads.values():
        q = parse_qsl(h[1:])
        assert ("status", PUBLISHED) in q and ("evidence", "Stated") in q
    assert 'aria-sort="ascending"' in text
    assert "<script" not in text  # works without JavaScript
    # the form submits the same view again: its checked boxes and the hidden sort
    form = text.split('class="profile"')[1].split("</form>")[0]
    assert re.search(rf'name="status" value="{re.escape(PUBLISHED)}" checked', form)
    assert 'name="evidence" value="Stated" checked' in form
    assert '<input type="hidden" name="sort" value="year">' in form


def test_bad_sort_and_evidence_are_400(web):
    for url in ("/standards?sort=colour", "/standards?evidence=Rumour",
                "/standards?status=not%20an%20iri", "/standards?format=pdf"):
        r = web.get(url, headers={"Accept": "application/json"})
        assert r.status_code == 400 and r.json()["ok"] is False, url


def test_a_table_past_the_sort_limit_is_paged_unsorted(bundled_store):
    """Past the limit (here 10 rows, SORT_LIMIT is 1000) the table is not sorted: a page in the
    store's order without filters (the rows of exactly the standards `standards.rq` pages give),
    by IRI with one; the form's choices have no counts."""
    from stdgraph.catalog.common import Window
    from stdgraph.catalog.queryfiles import select_page
    from stdgraph.catalog.standards_table import standards_table

    st = OxigraphStore(bundled_store, read_only=True)
    try:
        doc = standards_table(st, {}, "-year", Window(2, 7), sort_limit=10)
        want = [str(s) for (s,) in select_page(st, "standards", Window(2, 7))]
        assert [i["iri"] for i in doc["items"]] == want and len(want) == 7
        assert doc["sorted"] is False and doc["order"] == "in the store's order"
        assert doc["total"] > 100
        assert all(f["count"] is None for f in doc["facets"]["status"])
        iso = standards_table(st, {"body": [ISO]}, "title", Window(1, 500), sort_limit=10)
        everything = standards_table(st, {"body": [ISO]}, "identifier", Window(1, 500))
        assert [i["iri"] for i in iso["items"]] == sorted(i["iri"] for i in everything["items"])
        assert iso["order"] == "by IRI" and everything["sorted"] is True
        # the rows themselves are the same, read for the page alone
        rows = {i["iri"]: i for i in everything["items"]}
        assert all(i == rows[i["iri"]] for i in iso["items"])
    finally:
        st.close()
