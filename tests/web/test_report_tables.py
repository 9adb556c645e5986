"""Report tables sort like Datasette's (issue 19, item 2): every column of every report by a
link in its heading, without JavaScript, over the report's whole answer for the page's
parameters; the permalink keeps the sort, the filters and the page; ``aria-sort`` on the
heading; the page's CSV and JSON hold exactly its rows in that order. The expected orders are
``sorted()`` over the analysis' own items (asked for through ``/analysis/...``), with the keys
written out here: what each column shows, numbers as numbers, empty cells last, ties in the
analysis' order."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from stdgraph.analysis import REGISTRY
from stdgraph.store import OxigraphStore
from stdgraph.web.reports import report_page

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def every(web, name: str, query: str = "") -> list[dict]:
    """Every item of the analysis for these parameters, in its own order."""
    path = REGISTRY[name].path
    r = web.get(f"{path}?limit=0{'&' + query if query else ''}")
    assert r.status_code == 200, r.text
    return r.json()["items"]


def label(ref: dict) -> str:
    return (ref.get("label") or ref.get("iri") or "").casefold()


def in_order(items: list[dict], key, descending: bool = False) -> list[dict]:
    """``items`` by ``key`` (None: empty, last either way), ties kept in the given order."""
    filled = [i for i in items if key(i) is not None]
    empty = [i for i in items if key(i) is None]
    return sorted(filled, key=key, reverse=descending) + empty


def pair(i: dict) -> tuple[str, str]:
    return i["a"], i["b"]


#: (report, sort, the filters, key of an item as the column shows it, descending, identity)
CASES = [
    ("overlaps", "b", "", lambda i: i["b_label"].casefold(), False, pair),
    ("overlaps", "-b", "", lambda i: i["b_label"].casefold(), True, pair),
    ("overlaps", "-shared-in-all", "", lambda i: (len(i["shared"]), i["evidence"]["union"]),
     True, pair),
    ("overlaps", "score", "evidence=stated", lambda i: i["score"], False, pair),
    ("overlaps", "shared-elements", "",
     lambda i: tuple(label(r) for r in i["shared"]) or None, False, pair),
    ("overlaps", "-related", "", lambda i: i["related"], True, pair),
    ("clusters", "size", "", lambda i: i["size"], False, lambda i: i["cluster"]),
    ("clusters", "-pairs", "threshold=0.3", lambda i: i["pairs"], True,
     lambda i: i["cluster"]),
    ("gaps", "-subject", "kinds=barrier&kinds=technology", lambda i: i["label"].casefold(),
     True, lambda i: i["subject"]),
    ("gaps", "scheme", "", lambda i: (i["scheme_label"] or "").casefold() or None, False,
     lambda i: i["subject"]),
    ("conflicts", "message", "", lambda i: i["message"].casefold(), False,
     lambda i: (i["kind"], tuple(s["iri"] for s in i["subjects"]))),
    ("conflicts", "-subjects", "", lambda i: tuple(label(s) for s in i["subjects"]), True,
     lambda i: (i["kind"], tuple(s["iri"] for s in i["subjects"]))),
]


@pytest.mark.parametrize("name,sort,query,key,descending,ident", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_a_sorted_report_page_and_its_json_and_csv(web, name, sort, query, key, descending,
                                                   ident):
    items = every(web, name, query)
    assert len(items) > 3, "too few items to tell orders apart"
    want = in_order(items, key, descending)
    size = 5
    base = f"/reports/{name}?{query + '&' if query else ''}sort={sort}&size={size}"
    for page in (1, 2):
        url = base + (f"&page={page}" if page > 1 else "")
        got = web.get(url + "&format=json")
        assert got.status_code == 200
        shown = got.json()["items"]
        assert [ident(i) for i in shown] == [ident(i) for i in want[(page - 1) * size:
                                                                      page * size]]
    # the CSV of the page: the same rows, in the same order
    text = web.get(base + "&format=csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == min(size, len(want))
    if name == "overlaps":
        assert [(r["a"], r["b"]) for r in rows] == [pair(i) for i in want[:size]]
    elif name == "gaps":
        assert [r["subject"] for r in rows] == [i["subject"] for i in want[:size]]


def headings(html: str) -> list[tuple[str, str | None, str]]:
    """The report table's headings: (text, aria-sort, link)."""
    head = html.split('<table class="report">', 1)[1].split("</thead>", 1)[0]
    out = []
    for attrs, inner in re.findall(r"<th scope=\"col\"([^>]*)>(.*?)</th>", head):
        m = re.search(r'aria-sort="([a-z]+)"', attrs)
        href = re.search(r'href="([^"]*)"', inner)
        text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", inner)).split())
        out.append((text, m.group(1) if m else None,
                    htmllib.unescape(href.group(1)) if href else ""))
    return out


def test_headings_link_the_sorts_and_keep_the_filters(web):
    url = "/reports/overlaps?evidence=stated&min_shared=3&sort=b&size=10&page=2"
    html = web.get(url, headers={"Accept": BROWSER}).text
    heads = headings(html)
    spec = REGISTRY["overlaps"]
    assert [h[0].rstrip(" ▲▼") for h in heads] == [h for h, _ in spec.report_columns]
    assert [h[1] for h in heads] == [None, None, None, "ascending", None, None, None]
    for (text, _state, href), (cid, _header) in zip(heads, spec.columns(), strict=True):
        q = parse_qsl(urlsplit(href).query)
        # the filters and the page size kept, the page dropped, this column (flipped if sorted)
        assert q == [("evidence", "stated"), ("min_shared", "3"),
                     ("sort", "-b" if cid == "b" else cid), ("size", "10")], text
    # the permalink is the view: filters, sort and page
    link = re.search(r'<a href="([^"]*)" rel="bookmark">', html).group(1)
    assert parse_qsl(urlsplit(htmllib.unescape(link)).query) == [
        ("evidence", "stated"), ("min_shared", "3"), ("sort", "b"), ("size", "10"),
        ("page", "2")]
    # the form keeps the sort when the filters change
    form = html.split('<form method="get" action="/reports/overlaps"', 1)[1].split("</form>")[0]
    assert '<input type="hidden" name="sort" value="b">' in form
    # the order said in words, with the tie-break
    said = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html.split(
        '<p class="order"', 1)[1].split("</p>", 1)[0])).split())
    assert "Sorted by b , ascending, over every item; empty cells last;" in said
    assert spec.order in said
    # descending
    html = web.get("/reports/overlaps?sort=-b", headers={"Accept": BROWSER}).text
    assert [h[1] for h in headings(html)][3] == "descending"
    assert parse_qsl(urlsplit(headings(html)[3][2]).query) == [("sort", "b")]
    # unsorted: no aria-sort, and the report's own order said
    html = web.get("/reports/gaps", headers={"Accept": BROWSER}).text
    assert all(h[1] is None for h in headings(html))
    assert f"In the report's own order: {REGISTRY['gaps'].order}." in htmllib.unescape(html)


def test_an_unknown_column_is_a_400_naming_sort(web):
    r = web.get("/reports/overlaps?sort=colour", headers={"Accept": BROWSER})
    assert r.status_code == 400
    assert "&#39;colour&#39; is not a column of this report" in r.text
    assert "shared-in-all" in r.text


def test_a_long_answer_is_sorted_within_its_first_items(bundled_store, web):
    """More items than the sort limit (lowered here to 10): the first 10 in the analysis' own
    order are sorted, and the page says how many."""
    own = every(web, "overlaps")
    assert len(own) > 20
    st = OxigraphStore(bundled_store, read_only=True)
    got = report_page(st, (), "overlaps", {"limit": "0"}, 0, 50, "-b", sort_limit=10)
    assert got["within"] == 10 and got["found"] == 10
    want = in_order(own[:10], lambda i: i["b_label"].casefold(), True)
    assert [pair(i) for i in got["doc"].items] == [pair(i) for i in want]
    # at the limit or under it: every item sorted
    got = report_page(st, (), "overlaps", {"limit": "0"}, 0, 500, "-b")
    assert got["within"] == 0 and got["found"] == len(own)
    html = web.get("/reports/overlaps?limit=0&sort=a", headers={"Accept": BROWSER}).text
    assert "over every item" in html


# -- the publisher filter (issue 19, item 2: "filter by ... body") ----------------------------

def publishers(source_graph) -> dict[str, set[str]]:
    """standard -> its publishers, from the source files (rdflib)."""
    out: dict[str, set[str]] = {}
    for s, b in source_graph.query(
            "SELECT ?s ?b WHERE { ?s <https://w3id.org/stdgraph/ontology#publisher> ?b }"):
        out.setdefault(str(s), set()).add(str(b))
    return out


def test_overlaps_and_conflicts_filtered_by_publisher(web, source_graph):
    pubs = publishers(source_graph)
    own = every(web, "overlaps")
    # a body some pairs have and others have not
    counts: dict[str, int] = {}
    for i in own:
        for b in pubs.get(i["a"], set()) | pubs.get(i["b"], set()):
            counts[b] = counts.get(b, 0) + 1
    body = max((b for b, n in counts.items() if n < len(own)), key=counts.__getitem__)
    other = min(counts, key=lambda b: (counts[b], b))
    for chosen in ([body], [body, other]):
        want = [pair(i) for i in own
                if (pubs.get(i["a"], set()) | pubs.get(i["b"], set())) & set(chosen)]
        assert 0 < len(want) < len(own)
        query = "&".join(f"body={b}" for b in chosen)
        got = web.get(f"/analysis/overlaps?{query}").json()["items"]
        assert [pair(i) for i in got] == want
        got = web.get(f"/analysis/overlaps?limit=0&{query}").json()["items"]
        assert [pair(i) for i in got] == want
        got = web.get(f"/analysis/overlaps?limit=3&{query}").json()
        assert [pair(i) for i in got["items"]] == want[:3] and got["truncated"]
        # the report: its rows, and the picker with the body ticked
        html = web.get(f"/reports/overlaps?{query}&size=500", headers={"Accept": BROWSER}).text
        assert f"{len(want)} items" in html
        form = html.split('<form method="get"', 1)[1].split("</form>", 1)[0]
        for b in chosen:
            assert re.search(rf'name="body" value="{re.escape(b)}" checked', form)
    # every standards body of the graph is offered, by label
    bodies = {str(b): str(lab) for b, lab in source_graph.query(
        "SELECT ?b ?l WHERE { ?b a <https://w3id.org/stdgraph/ontology#StandardsBody> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }")}
    html = web.get("/reports/overlaps", headers={"Accept": BROWSER}).text
    fieldset = html.split("<legend>Published by</legend>", 1)[1].split("</fieldset>", 1)[0]
    offered = re.findall(r'name="body" value="([^"]*)"', fieldset)
    assert sorted(offered) == sorted(bodies)
    # the conflicts: those naming a standard of the body
    own = every(web, "conflicts")
    want = [(i["kind"], [s["iri"] for s in i["subjects"]]) for i in own
            if any(pubs.get(s["iri"], set()) & {body} for s in i["subjects"])]
    got = web.get(f"/analysis/conflicts?body={body}").json()["items"]
    assert [(i["kind"], [s["iri"] for s in i["subjects"]]) for i in got] == want
    assert web.get("/analysis/overlaps?body=not%20an%20iri").status_code == 400
