"""The relevance finder's text box: the standards whose words match a free-text profile
(stdgraph.suggest's profile), listed on the page in the order and with the scores the library
gives; 400-free without the optional extra, the page saying what to install."""

from __future__ import annotations

import re
import sys

from stdgraph.store import OxigraphStore
from stdgraph.suggest import service
from stdgraph.suggest.lexical import MISSING

TEXT = "a small machining company worried about cybersecurity and connecting legacy machines"


def test_the_text_box_ranks_the_profile_suggestions(web, bundled_store):
    with OxigraphStore(bundled_store, read_only=True) as st:
        expected = service.profile(st, TEXT, 0.0, 10)
    assert len(expected) == 10
    r = web.get("/relevance", params={"text": TEXT}, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text
    section = r.text.split('id="results"', 1)[1].split("</section>", 1)[0]
    # the text alone: one point each, so the order is the suggestions' (their score, best
    # first), each with its score; withdrawn and superseded ones are left out
    shown = re.findall(r'suggestion, score ([0-9.]+)</span>', section.split("<h3>")[0])
    with OxigraphStore(bundled_store, read_only=True) as st:
        retired = {str(s) for (s,) in st.query(
            "PREFIX sg: <https://w3id.org/stdgraph/ontology#> SELECT ?s WHERE { ?s sg:status ?x "
            "VALUES ?x { sg:Withdrawn sg:Superseded } }").rows}
    kept = [x for x in expected if x["object"] not in retired]
    assert shown == [f"{x['score']:.3f}" for x in kept]
    for x in kept:
        assert (x["object_label"] or x["object"]) in section
    assert f">{TEXT}</textarea>" in r.text  # the text stays in the box
    # the JSON of the same request ranks the same standards
    doc = web.get("/relevance", params={"text": TEXT}).json()
    assert [i["iri"] for i in doc["items"]] == [x["object"] for x in kept]
    assert all(i["score"] == 1 and i["of"] == 1 for i in doc["items"])


def test_without_the_extra_the_page_says_what_to_install(web, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.feature_extraction.text", None)
    r = web.get("/relevance", params={"text": TEXT}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert MISSING.replace("'", "&#39;") in r.text
    assert 'id="results"' not in r.text  # nothing ticked, nothing suggested: no ranking
