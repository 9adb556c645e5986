"""Each statement once on a resource page (issue 19): a value the closure repeats under a
super-property (sg:publisher and the inferred dcterms:publisher, sg:partOf and dcterms:isPartOf)
is listed under the most specific property with the others named beside it, and the reflexive
links the closure adds (x skos:exactMatch x) are not listed. The expected rows are worked out
here from the store's quads (read without SPARQL) and the ontology's sub-properties closed by
rdflib over the source files."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
import pytest
from rdflib import RDFS, URIRef

from stdgraph.catalog.resource import describe, overview
from stdgraph.rdf.namespaces import INFERRED_GRAPH
from stdgraph.store import OxigraphStore

from .conftest import ID

SG = "https://w3id.org/stdgraph/ontology#"


@pytest.fixture(scope="module")
def store(bundled_store):
    with OxigraphStore(bundled_store, read_only=True) as st:
        yield st


def supers(source_graph) -> dict[str, set[str]]:
    """property -> its proper super-properties (rdflib's transitive closure of the ontology)."""
    out: dict[str, set[str]] = defaultdict(set)
    for p in set(source_graph.subjects(RDFS.subPropertyOf, None)):
        for q in source_graph.transitive_objects(p, RDFS.subPropertyOf):
            if q != p:
                out[str(p)].add(str(q))
    return out


def expected_rows(st: OxigraphStore, iri: str, up: dict[str, set[str]]) -> dict:
    """(property, value) -> the super-properties named beside it, from the quads."""
    graphs: dict[tuple[str, object], set[str]] = defaultdict(set)
    for q in st.db.quads_for_pattern(ox.NamedNode(iri), None, None, None):
        graphs[(q.predicate.value, q.object)].add(str(q.graph_name))
    by_value: dict[object, set[str]] = defaultdict(set)
    for p, o in graphs:
        by_value[o].add(p)
    out = {}
    for (p, o), gs in graphs.items():
        if any(p in up[q] for q in by_value[o]):
            continue  # shown under a sub-property
        if isinstance(o, ox.NamedNode) and o.value == iri and gs == {f"<{INFERRED_GRAPH}>"}:
            continue  # reflexive, inferred only
        out[(p, str(o.value))] = {s for s in up[p] if s in by_value[o]}
    return out


def test_standard_statements_once(store, source_graph):
    up = supers(source_graph)
    standards = sorted({str(s) for s in source_graph.subjects(
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(SG + "Standard"))})
    assert len(standards) > 100
    folded = 0
    for iri in standards:
        shown = overview(store, describe(store, iri))
        got = {}
        for row in shown["rows"]:
            for v in row["values"]:
                key = (row["iri"], v["iri"] or v["label"])
                assert key not in got, (iri, key)
                got[key] = {a["iri"] for a in v["also"]}
        want = {(p, o): a for (p, o), a in expected_rows(store, iri, up).items()}
        # literals are keyed by their text on both sides
        assert got == want, iri
        folded += sum(len(a) for a in got.values())
        assert not any(i["iri"] == iri for i in shown["incoming"]["items"])
    assert folded > 100  # sg:identifier/dcterms:identifier alone folds one a standard


def test_iec_62443_page_lists_publisher_and_part_once(web):
    html = web.get("/id/standard/iec-62443", headers={"Accept": "text/html"}).text
    statements = html.split('id="triples-h"', 1)[1].split("</table>", 1)[0]
    incoming = html.split('id="in-h"', 1)[1].split("</section>", 1)[0]
    assert statements.count(">International Electrotechnical Commission<") == 1
    assert statements.count("IEC 62443-4-2:2019") == 1
    assert "(also <a" in statements and "dcterms:publisher" in statements
    assert incoming.count("IEC 62443-4-2:2019") == 1
    assert "dcterms:isPartOf" not in incoming
    assert f"{ID}standard/iec-62443 " not in incoming
