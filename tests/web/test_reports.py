"""The report pages explain themselves (issue 19, item 4): each defines its score and items in
plain words from the analysis registry, offers human form controls (labels, pickers of the
graph's own architectures and axes; no prefixed IRIs to type, no raw parameter names), and the
gaps report shows the coverage matrix it computes. Expected values come from the registry and
from rdflib over the bundled source files, never from the page's own code."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from stdgraph.analysis import REGISTRY

from .conftest import ID

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PREFIXES = ("PREFIX sg: <https://w3id.org/stdgraph/ontology#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")


def page(web, path: str) -> str:
    r = web.get(path, headers={"Accept": BROWSER})
    assert r.status_code == 200, (path, r.status_code)
    return r.text


def text(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped, entities decoded, spaces collapsed."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_every_builtin_analysis_defines_its_items_and_score():
    for a in REGISTRY.values():
        terms = [t for t, _ in a.definitions]
        assert terms[:2] == ["Item", "Score"], a.name
        assert all(d.strip() for _, d in a.definitions), a.name
        assert a.describe()["definitions"][:2] == [
            {"term": t, "definition": d} for t, d in a.definitions[:2]]


@pytest.mark.parametrize("name", REGISTRY.names())
def test_a_report_page_starts_with_its_definitions_and_has_human_controls(web, name):
    spec = REGISTRY[name]
    html = page(web, f"/reports/{name}")
    top = html.split('<section aria-labelledby="def-h"', 1)[1].split("</section>", 1)[0]
    shown = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", top)
    assert [(text(t), text(d)) for t, d in shown] == list(spec.definitions)
    # the definitions come before the form and the table
    form_at = html.index(f'<form method="get" action="/reports/{name}"')
    assert html.index('aria-labelledby="def-h"') < form_at
    form = html[form_at:].split("</form>", 1)[0]
    labels = [text(x) for x in re.findall(r"<(?:label|legend)[^>]*>(.*?)</(?:label|legend)>",
                                          form)]
    names = {p.name for p in spec.params}
    assert not names & set(labels), "a raw parameter name is used as a label"
    for p in spec.params:
        assert spec.label(p.name) in labels
        for v in p.allowed:  # every allowed value offered by its human label
            assert (f'value="{v}"' in form), (p.name, v)
            assert p.value_label(v) in text(form)  # type: ignore[attr-defined]
    assert "sgid:" not in html


def test_the_gaps_form_offers_the_graphs_architectures_and_axes(web, source_graph):
    html = page(web, "/reports/gaps")
    archs = {str(a): str(lab) for a, lab in source_graph.query(PREFIXES + """
        SELECT ?a ?l WHERE { ?a a sg:ReferenceArchitecture ; rdfs:label ?l }""")}
    assert len(archs) == 7

    def options(field: str) -> list[tuple[str, str]]:
        select = html.split(f'<select id="f-{field}"', 1)[1].split("</select>", 1)[0]
        return [(v, text(t)) for v, t in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>',
                                                    select)]

    scheme = options("scheme")
    assert scheme[0] == ("", "any")
    assert sorted(scheme[1:]) == sorted(archs.items())
    axes = sorted((str(x), f"{archs[str(a)]}: {lab}") for a, x, lab in source_graph.query(
        PREFIXES + """SELECT ?a ?x ?l WHERE { ?a a sg:ReferenceArchitecture ;
                                              skos:hasTopConcept ?x . ?x skos:prefLabel ?l }"""))
    assert len(axes) == 21
    for field, default in (("rows", "RAMI 4.0: Layers"), ("columns", "RAMI 4.0: Hierarchy Levels")):
        got = options(field)
        assert got[0] == ("", f"default: {default}")
        assert sorted(got[1:]) == axes


def matrix_on_page(html: str) -> tuple[list[str], list[str], list[list[int]]]:
    section = html.split('<section aria-labelledby="matrix-h">', 1)[1].split("</section>", 1)[0]
    head = section.split("<thead>", 1)[1].split("</thead>", 1)[0]
    cols = [text(c) for c in re.findall(r'<th scope="col">(.*?)</th>', head)]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows, counts = [], []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        rows.append(text(re.search(r'<th scope="row">(.*?)</th>', tr).group(1)))
        counts.append([int(text(c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)])
    return rows, cols, counts


def brute_force_matrix(g, rows_axis: str, cols_axis: str):
    """Standards not withdrawn or superseded, classified in both elements, counted by rdflib
    over the source files: each axis' direct children in their sg:order."""
    def children(axis):
        found = g.query(PREFIXES + f"""SELECT ?e ?l ?o WHERE {{
            ?e skos:broader <{axis}> ; skos:prefLabel ?l OPTIONAL {{ ?e sg:order ?o }} }}""")
        return [(str(e), str(lab)) for e, lab, o in
                sorted(found, key=lambda r: (int(r[2]) if r[2] is not None else 10**9, str(r[0])))]
    retired = {str(s) for (s,) in g.query(PREFIXES + """SELECT ?s WHERE {
        ?s a sg:Standard ; sg:status ?st FILTER(?st IN (sg:Withdrawn, sg:Superseded)) }""")}
    classified: dict[str, set[str]] = {}
    for s, e in g.query(PREFIXES + "SELECT ?s ?e WHERE { ?s a sg:Standard ; sg:classifiedIn ?e }"):
        if str(s) not in retired:
            classified.setdefault(str(s), set()).add(str(e))
    rows, cols = children(rows_axis), children(cols_axis)
    counts = [[sum(1 for es in classified.values() if r in es and c in es) for c, _ in cols]
              for r, _ in rows]
    return [lab for _, lab in rows], [lab for _, lab in cols], counts


@pytest.mark.parametrize("rows_axis,cols_axis", [
    (None, None),
    ("architecture/rami40/axis-hierarchy", "architecture/nist-sms/manufacturing-pyramid")])
def test_the_gaps_report_shows_its_coverage_matrix(web, source_graph, rows_axis, cols_axis):
    path = "/reports/gaps"
    if rows_axis:
        path += f"?rows={ID}{rows_axis}&columns={ID}{cols_axis}"
    got = matrix_on_page(page(web, path))
    want = brute_force_matrix(source_graph, ID + (rows_axis or "architecture/rami40/axis-layers"),
                              ID + (cols_axis or "architecture/rami40/axis-hierarchy"))
    assert got == want
    assert sum(map(sum, got[2])) > 0


def test_a_long_list_in_a_cell_is_cut_and_counted(web):
    """A cluster's members in one cell: at most CELL_CAP shown, the rest counted (the cap
    lowered to 2 for the bundled graph, whose largest cluster is smaller than 30)."""
    from stdgraph.web import reports

    every = web.get("/analysis/overlaps/clusters?limit=0").json()["items"]
    big = max(every, key=lambda c: len(c["standards"]))
    assert len(big["standards"]) > 2
    saved = reports.CELL_CAP
    reports.CELL_CAP = 2
    try:
        html = page(web, "/reports/clusters?size=500")
    finally:
        reports.CELL_CAP = saved
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    row = rows[every.index(big)]
    assert f"and {len(big['standards']) - 2} more (every one is in the CSV and JSON)" in row
    first_cells = row.split("</td>")
    members = next(c for c in first_cells if big["standards"][0]["label"] in c
                   or htmllib.escape(big["standards"][0]["label"]) in c)
    assert members.count("<li>") == 2
    # the answer itself lists one member (members=1): the cell counts the others from size
    html = page(web, "/reports/clusters?size=500&members=1")
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    row = rows[every.index(big)]
    assert f"and {len(big['standards']) - 1} more (listed with 'Members listed' 0)" in row
    assert row.split("</td>")[3].count("<li>") == 1  # cluster, size, pairs, standards
