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


def test_the_text_box_lists_the_profile_suggestions(web, bundled_store):
    with OxigraphStore(bundled_store, read_only=True) as st:
        expected = service.profile(st, TEXT, 0.0, 10)
    assert len(expected) == 10
    r = web.get("/relevance", params={"text": TEXT}, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text
    section = r.text.split('id="text-matches"', 1)[1].split("</section>", 1)[0]
    scores = re.findall(r'<span class="score">([0-9.]+)</span>', section)
    assert scores == [f"{x['score']:.3f}" for x in expected]
    for x in expected:
        assert (x["object_label"] or x["object"]) in section
    assert f">{TEXT}</textarea>" in r.text  # the text stays in the box
    # the ranking's JSON is unchanged by the text box (it has no profile: nothing ranked)
    assert web.get("/relevance", params={"text": TEXT}).json()["count"] == 0


def test_without_the_extra_the_page_says_what_to_install(web, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.feature_extraction.text", None)
    r = web.get("/relevance", params={"text": TEXT}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert MISSING.replace("'", "&#39;") in r.text
    assert 'id="text-matches"' not in r.text
