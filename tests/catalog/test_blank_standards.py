"""A standard that is a blank node (data from elsewhere may have one: the importers and the
shapes do not make them, but a Graph Store upload can) is counted and named like any other by
the gaps analysis and by ``catalog.findings.gap_of`` (a barrier's page), instead of failing
the query that would name it: a blank node cannot be named in a later query, so its label
reads "(a resource with no IRI)" and the links are read the analysis' own way."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from stdgraph.analysis import run
from stdgraph.analysis.common import Labels
from stdgraph.api.app import create_app
from stdgraph.catalog.findings import gap_of
from stdgraph.settings import Settings
from stdgraph.store import MemoryStore, OxigraphStore

SG = "https://w3id.org/stdgraph/ontology#"
ID = "https://w3id.org/stdgraph/id/"
B1, B2, B3 = (f"{ID}barrier/b{n}" for n in (1, 2, 3))
#: b1: addressed by a withdrawn blank-node standard only (a gap, naming it); b2: by a current
#: one (no gap); b3: by none (a gap)
DATA = f"""PREFIX sg: <{SG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
INSERT DATA {{ GRAPH <https://example.org/g> {{
  <{B1}> a sg:Barrier ; skos:prefLabel "Barrier one"@en .
  <{B2}> a sg:Barrier ; skos:prefLabel "Barrier two"@en .
  <{B3}> a sg:Barrier ; skos:prefLabel "Barrier three"@en .
  _:x a sg:Standard ; sg:addressesBarrier <{B1}> ; sg:status sg:Withdrawn .
  _:y a sg:Standard ; sg:addressesBarrier <{B2}> .
}} }}"""
WITHDRAWN_ONLY = ("no linked standard addresses this barrier (only withdrawn or superseded "
                  "standards do: (a resource with no IRI))")


@pytest.fixture(params=["oxigraph", "memory"])
def store(request, tmp_path):
    st = OxigraphStore(tmp_path / "store") if request.param == "oxigraph" else MemoryStore()
    st.update(DATA)
    yield st
    st.close()


def test_the_gaps_name_a_blank_node_standard(store):
    doc = run("gaps", store, {"kinds": "barrier"})
    assert [(i["subject"], i["reason"]) for i in doc.items] == [
        (B1, WITHDRAWN_ONLY), (B3, "no linked standard addresses this barrier")]
    # (of the current standards: the withdrawn one is not counted)
    assert doc.extra["coverage"][0]["text"] == "1 of 1 standards is linked to any barrier"


def test_gap_of_agrees_with_the_analysis(store):
    assert gap_of(store, B1, "barrier")["reason"] == WITHDRAWN_ONLY
    assert gap_of(store, B2, "barrier") is None
    assert gap_of(store, B3, "barrier")["reason"] == "no linked standard addresses this barrier"


def test_labels_leave_a_blank_node_out_of_the_query(store):
    lab = Labels(store)
    lab.fetch(["x", B1])
    assert (lab("x"), lab(B1)) == (Labels.NO_IRI, "Barrier one")


def test_a_barrier_page_with_a_blank_node_standard(tmp_path):
    st = OxigraphStore(tmp_path / "store")
    st.update(DATA)
    st.close()
    app = create_app(Settings(store=str(tmp_path / "store"), query_processes=False),
                     store=OxigraphStore(tmp_path / "store", read_only=True))
    with TestClient(app) as client:
        r = client.get("/id/barrier/b1", headers={"Accept": "text/html"})
        assert r.status_code == 200, r.text[:500]
        assert "(a resource with no IRI)" in r.text
        r = client.get("/analysis/gaps?kinds=barrier")
        assert r.status_code == 200
        assert [i["reason"] for i in r.json()["items"]][0] == WITHDRAWN_ONLY
