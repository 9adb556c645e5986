"""The heatmap and the architecture pages (issue 19, item 3): a legend, 0 told apart from
low counts, shades with a contrast of at least 3:1 from one step to the next (computed here
from web.css, WCAG 2.1's relative luminance), the axes and elements in the scheme's own order
(sg:order, read by rdflib from the source files), and the coverage caveat ("N of M standards
are placed on RAMI 4.0"), counted again in Python over plain triple patterns."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from importlib import resources

import pytest

from stdgraph.store import OxigraphStore
from stdgraph.web.architecture import step_of, steps

from .conftest import ID

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SG = "https://w3id.org/stdgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RAMI = ID + "architecture/rami40"


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_on_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ff9900", "#ffffff") == pytest.approx(2.14, abs=0.01)  # the old focus ring


def css() -> str:
    return resources.files("stdgraph.web").joinpath("static", "web.css").read_text()


def test_adjacent_shades_differ_by_at_least_3_to_1():
    text = css()
    shades = [re.search(rf"\.step-{i} {{ background-color: (#[0-9a-f]{{6}}); }}", text).group(1)
              for i in range(3)]
    assert shades[0] == "#ffffff"  # 0 is the page's own white: nothing there
    ratios = [contrast(a, b) for a, b in zip(shades, shades[1:], strict=False)]
    assert all(r >= 3 for r in ratios), ratios
    # and the count printed on each shade is readable (4.5:1, WCAG AA for text)
    ink = {0: "#000000", 1: "#000000", 2: "#ffffff"}
    for i, shade in enumerate(shades):
        assert re.search(rf"td\.step-{i} a[^{{]*{{ color: {ink[i]}; }}", text) or \
            re.search(rf"td\.step-{i} a, [^{{]*{{ color: {ink[i]}; }}", text), i
        assert contrast(shade, ink[i]) >= 4.5, (i, contrast(shade, ink[i]))


@pytest.mark.parametrize(("top", "want"), [(0, [(0, 0)]), (1, [(0, 0), (1, 1)]),
                                           (2, [(0, 0), (1, 1), (2, 2)]),
                                           (11, [(0, 0), (1, 6), (7, 11)]),
                                           (12, [(0, 0), (1, 6), (7, 12)])])
def test_steps_cover_every_count_once(top, want):
    assert steps(top) == want
    assert [step_of(n, want) for n in range(top + 1)] == \
        [0] + [1 if n <= want[1][1] else 2 for n in range(1, top + 1)]


def ordered(source_graph, axis: str) -> list[str]:
    rows = source_graph.query(f"""
        SELECT ?e ?o WHERE {{ ?e <{SKOS}broader> <{axis}> OPTIONAL {{ ?e <{SG}order> ?o }} }}""")
    return [str(e) for e, o in sorted(rows, key=lambda r: (int(r[1]) if r[1] is not None
                                                           else 10**9, str(r[0])))]


@pytest.fixture(scope="module")
def rami_page(web) -> str:
    r = web.get("/id/architecture/rami40", headers={"Accept": BROWSER})
    assert r.status_code == 200
    return r.text


def test_heatmap_axes_in_the_schemes_order_and_cells_in_their_step(rami_page, source_graph):
    layers = ordered(source_graph, RAMI + "/axis-layers")
    levels = ordered(source_graph, RAMI + "/axis-hierarchy")
    assert len(layers) == 6 and len(levels) == 7
    assert layers[0] == RAMI + "/layer-asset" and levels[0] == RAMI + "/level-product"
    table = rami_page.split('<table class="heatmap">')[1].split("</table>")[0]
    head, body = table.split("<tbody>")
    assert re.findall(r'<th scope="col"><a href="/id/([^"]+)"', head) == \
        [x[len(ID):] for x in levels]
    assert re.findall(r'<th scope="row"><a href="/id/([^"]+)"', body) == \
        [x[len(ID):] for x in layers]
    cells = re.findall(r'<td class="cell step-(\d)( zero)?"><a [^>]*>(\d+)</a>', body)
    assert len(cells) == 42
    counts = [int(n) for _s, _z, n in cells]
    ranges = steps(max(counts))
    assert len(ranges) == 3 and 0 in counts  # the bundled graph has gaps and busy cells
    for step, zero, n in cells:
        assert int(step) == step_of(int(n), ranges)
        assert bool(zero) == (n == "0")
    legend = re.search(r'<ul class="legend"[^>]*>(.*?)</ul>', rami_page, re.S).group(1)
    items = [re.sub(r"<[^>]+>", "", x).strip()
             for x in re.findall(r"<li>(.*?)</li>", legend, re.S)]
    lo, hi = ranges[1][1], ranges[2]
    assert items == ["0: no standard", f"1–{lo} standards" if lo > 1 else "1 standard",
                     f"{hi[0]}–{hi[1]} standards" if hi[0] < hi[1] else f"{hi[0]} standards"]
    assert "Empty cells are gaps" not in rami_page


def test_elements_listed_in_the_schemes_order(rami_page, source_graph):
    part = rami_page.split('<h2 id="el-h">')[1].split("</section>")[0]
    shown = {html.unescape(h): re.findall(r'<li><a href="/id/([^"]+)"', ol)
             for h, ol in re.findall(r"<h3>([^<]+)</h3>\s*<ol[^>]*>(.*?)</ol>", part, re.S)}
    layers = ordered(source_graph, RAMI + "/axis-layers")
    levels = ordered(source_graph, RAMI + "/axis-hierarchy")
    assert shown["Layers"] == [x[len(ID):] for x in layers]
    assert shown["Hierarchy Levels"] == [x[len(ID):] for x in levels]


def test_the_coverage_caveat_is_counted(rami_page, bundled_store):
    st = OxigraphStore(bundled_store, read_only=True)
    try:
        standards = {str(s) for (s,) in st.query(
            f"SELECT ?s WHERE {{ ?s a <{SG}Standard> }}").rows}
        elements = {str(e) for (e,) in st.query(
            f"SELECT ?e WHERE {{ ?e <{SKOS}inScheme> <{RAMI}> }}").rows}
        placed = {str(s) for s, e in st.query(
            f"SELECT ?s ?e WHERE {{ ?s <{SG}classifiedIn> ?e }}").rows
            if str(e) in elements and str(s) in standards}
    finally:
        st.close()
    assert 0 < len(placed) < len(standards)
    note = re.sub(r"\s+", " ", re.search(r'<p class="placement"[^>]*>(.*?)</p>', rami_page,
                                         re.S).group(1))
    assert note.startswith(f"{len(placed)} of {len(standards)} standards are placed on RAMI 4.0")


def test_focus_ring_stands_out_on_what_it_is_drawn_on():
    """WCAG 2.1 1.4.11: 3:1 for the focus indicator against what is next to it: the page, and
    inside a heatmap cell its shade."""
    text = css()
    ring = re.search(r"a:focus-visible, button:focus-visible[^{]*{ outline: 3px solid "
                     r"(#[0-9a-f]{6}); outline-offset: 2px; }", text).group(1)
    assert contrast(ring, "#ffffff") >= 3 and contrast(ring, "#f3f3f3") >= 3
    shades = {i: re.search(rf"\.step-{i} {{ background-color: (#[0-9a-f]{{6}}); }}", text).group(1)
              for i in range(3)}
    for i, shade in shades.items():
        inner = re.search(rf"td\.step-{i} a:focus-visible[^{{]*{{ outline: 3px solid "
                          r"(#[0-9a-f]{6}); outline-offset: -5px; }", text).group(1)
        assert contrast(inner, shade) >= 3, (i, inner, shade)


class ElementTree(HTMLParser):
    """The Elements section of an architecture page as nesting: each listed element's link
    (``/id/...``) -> the link of the list item it is nested in (None at the top of a list),
    and the ``<h3>`` headings in order."""

    def __init__(self) -> None:
        super().__init__()
        self.parent: dict[str, str | None] = {}
        self.headings: list[str] = []
        self._items: list[str | None] = []  # the open <li>s' first links
        self._in_h3 = False

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self._items.append(None)
        elif tag == "h3":
            self._in_h3 = True
            self.headings.append("")
        elif tag == "a" and self._items and self._items[-1] is None:
            href = dict(attrs).get("href", "")
            if href.startswith("/id/"):
                self._items[-1] = href
                outer = [x for x in self._items[:-1] if x]
                self.parent[href] = outer[-1] if outer else None

    def handle_endtag(self, tag):
        if tag == "li":
            self._items.pop()
        elif tag == "h3":
            self._in_h3 = False

    def handle_data(self, data):
        if self._in_h3:
            self.headings[-1] += data


def elements_section(page: str) -> ElementTree:
    tree = ElementTree()
    tree.feed(page.split('<h2 id="el-h">')[1].split("</section>")[0])
    return tree


def architecture_page(web, path: str) -> str:
    r = web.get(f"/id/architecture/{path}", headers={"Accept": "text/html"})
    assert r.status_code == 200
    return r.text


def test_iira_lists_its_elements_as_a_tree(web, source_graph):
    """IIRA's viewpoints nest rather than cross: no grid, and its elements as a structured
    list - each nested under the element it is skos:broader of (rdflib over the sources)."""
    page = architecture_page(web, "iira")
    assert 'class="heatmap"' not in page
    tree = elements_section(page)
    scheme = ID + "architecture/iira"
    pairs = [(str(e), str(b)) for e, b in source_graph.query(f"""
        SELECT ?e ?b WHERE {{ ?e <{SKOS}inScheme> <{scheme}> ; <{SKOS}broader> ?b .
                              ?b <{SKOS}inScheme> <{scheme}> }}""")]
    broader = dict(pairs)
    assert len(broader) == len(pairs)  # one parent each: a tree
    tops = sorted(str(t) for (t,) in source_graph.query(
        f"SELECT ?t WHERE {{ <{scheme}> <{SKOS}hasTopConcept> ?t }}"))
    labels = {str(t): str(lab) for t, lab in source_graph.query(
        f"SELECT ?t ?l WHERE {{ <{scheme}> <{SKOS}hasTopConcept> ?t . ?t <{SKOS}prefLabel> ?l }}")}
    assert len(broader) == 30 and len(tops) == 4
    # every element below a top element is listed under its parent; a top element's own
    # children head their lists
    want = {"/id/" + e[len(ID):]: (None if b in tops else "/id/" + b[len(ID):])
            for e, b in broader.items()}
    assert {e: p for e, p in tree.parent.items() if e in want} == want
    assert set(want) <= set(tree.parent)
    assert sorted(tree.headings) == sorted(labels[t] for t in tops)
    assert "(top)" not in page


def test_rami_has_no_empty_groups_left_unexplained(web, source_graph):
    """The axes head the lists (no "(top)" group); the Life Cycle & Value Stream axis, on which
    no standard is classified, says so; its Type and Instance groups nest their elements."""
    page = architecture_page(web, "rami40")
    tree = elements_section(page)
    assert sorted(tree.headings) == ["Hierarchy Levels", "Layers", "Life Cycle & Value Stream"]
    assert "(top)" not in page
    under = {str(e) for (e,) in source_graph.query(f"""SELECT ?e WHERE {{
        ?e <{SKOS}broader>+ <{RAMI}/axis-life-cycle> }}""")}
    placed = [s for (s,) in source_graph.query(f"""SELECT ?s WHERE {{
        ?s <{SG}classifiedIn> ?e . ?e <{SKOS}broader>* <{RAMI}/axis-life-cycle> }}""")]
    assert len(under) == 6 and placed == []
    assert ("No standard of the graph is classified in Life Cycle &amp; Value Stream or below "
            "it yet.") in page
    assert tree.parent["/id/architecture/rami40/type-development"] == \
        "/id/architecture/rami40/group-type"


def test_imsa_has_a_grid_of_two_of_its_dimensions(web, source_graph):
    page = architecture_page(web, "imsa")
    table = page.split('<table class="heatmap">')[1].split("</table>")[0]
    n = {axis: len(list(source_graph.query(f"""SELECT ?e WHERE {{
            ?e <{SKOS}broader> <{ID}architecture/imsa/{axis}> }}""")))
         for axis in ("dimension-intelligent-functions", "dimension-system-hierarchy")}
    assert table.count('<th scope="row">') == n["dimension-intelligent-functions"] == 5
    assert table.count('<th scope="col">') == n["dimension-system-hierarchy"] == 5
