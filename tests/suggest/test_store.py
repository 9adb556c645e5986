"""Suggestions stored apart, accepted and rejected, through the real change protocol: a
re-run keeps the decisions; the analyses count a suggestion only under evidence=all, an
accepted one as a reading."""

from __future__ import annotations

import sys

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from stdgraph.analysis.evidence import QUERIES as ANALYSIS_QUERIES
from stdgraph.change.guard import store_change
from stdgraph.errors import FeatureUnavailable, NotFound
from stdgraph.rdf.namespaces import DECISIONS_GRAPH, SUGGESTED_GRAPH
from stdgraph.store import OxigraphStore
from stdgraph.suggest import service
from stdgraph.suggest.corpus import RELATED, read_corpus
from stdgraph.suggest.lexical import MISSING, LexicalModel
from stdgraph.suggest.methods import Suggester

from .conftest import EX, SG, SIX_GRAPH

S = [EX + f"s{i}" for i in range(1, 7)]


def related_at(store, level: str, min_score: str = "0.5") -> dict[str, set[str]]:
    """sg:relatedTo links of standards counted at an evidence level (the analyses' query)."""
    rows = ANALYSIS_QUERIES.select(
        store, "links", predicate=URIRef(RELATED), subject_type=URIRef(SG + "Standard"),
        stated=Literal(True), reading=Literal(level != "stated"),
        suggested=Literal(level == "all"),
        min_score=Literal(min_score, datatype=XSD.decimal))
    return {str(s): set(str(os).split()) for s, os in rows}


def test_run_stores_every_pair_with_its_record(six_store):
    expected = Suggester(read_corpus(six_store)).pairs(min_score=0.0)
    result = service.run(six_store, "pairs", min_score=0.0)
    assert result["stored"] == len(expected) == 14
    stored = service.listed(six_store, "pairs")
    assert [(x["subject"], x["object"]) for x in stored] == [
        (x.subject, x.object) for x in expected]
    assert [x["score"] for x in stored] == [round(x.score, 4) for x in expected]
    assert all(x["method"].startswith("pairs; tfidf-words-chars word 1-2 + char_wb 3-5")
               and "scikit-learn" in x["method"] for x in stored)
    assert stored[0]["evidence"].startswith("shared terms: ")
    # the triples are in the graph of suggestions only, one record each
    assert {str(o) for s, p, o in six_store.triples(SUGGESTED_GRAPH)
            if str(p) == RELATED} == {x.object for x in expected}
    # a second run replaces the first: same records, nothing doubled
    service.run(six_store, "pairs", min_score=0.0)
    assert service.listed(six_store, "pairs") == stored


def test_accept_reject_and_a_rerun_keeps_the_decisions(six_store):
    service.run(six_store, "pairs", min_score=0.0)
    first, second = service.listed(six_store, "pairs")[:2]
    links = {(x["subject"], x["object"]) for x in (first, second)}
    suggested = related_at(six_store, "all", "0")
    assert first["object"] in suggested[first["subject"]]
    assert first["subject"] not in related_at(six_store, "stated+reading")
    with store_change(six_store) as change:
        accepted = service.decide(change, "accept", first["record"], "Ada  Lovelace")
    with store_change(six_store) as change:
        rejected = service.decide(change, "reject", second["record"], "Bob")
    assert accepted["reviewer"] == "Ada Lovelace"
    assert (rejected["subject"], rejected["object"]) == (second["subject"], second["object"])
    # the accepted link is a reading with its provenance
    rows = six_store.query(f"""
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX sg: <{SG}> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?r ?who ?when ?from ?why WHERE {{ GRAPH <{DECISIONS_GRAPH}> {{
          ?r rdf:subject <{first['subject']}> ; rdf:predicate sg:relatedTo ;
             rdf:object <{first['object']}> ; sg:evidence sg:Reading ; dcterms:creator ?who ;
             dcterms:created ?when ; prov:wasDerivedFrom ?from ; sg:rationale ?why }} }}""").rows
    assert len(rows) == 1
    r, who, when, origin, why = rows[0]
    assert (str(r), str(who), str(origin)) == (first["record"] + "/accepted", "Ada Lovelace",
                                               first["record"])
    assert str(when) == accepted["time"] and "Ada Lovelace" in str(why)
    assert first["object"] in related_at(six_store, "stated+reading")[first["subject"]]
    assert second["subject"] not in related_at(six_store, "all", "0") or \
        second["object"] not in related_at(six_store, "all", "0")[second["subject"]]
    # re-run: neither comes back, everything else does
    service.run(six_store, "pairs", min_score=0.0)
    again = service.listed(six_store, "pairs")
    assert len(again) == 12
    assert not links & {(x["subject"], x["object"]) for x in again}
    # a decided suggestion is no longer there to decide
    with pytest.raises(NotFound), store_change(six_store) as change:
        service.decide(change, "reject", first["record"], "Eve")


def test_profile_and_one_standard_live(six_store):
    items = service.profile(six_store, "robot safety on the shop floor", limit=2)
    assert {x["object"] for x in items} == {S[2], S[3]}  # the two robot standards
    assert {x["object_label"] for x in items} == {"ISO 10218-1", "ISO 10218-2"}
    one = service.for_standard(six_store, S[1])
    assert one["pairs"][0]["object"] == S[0]
    assert [x["object"] for x in one["links"] if x["predicate"] == SG + "addressesBarrier"] \
        == [EX + "cyber"]
    with pytest.raises(NotFound):
        service.for_standard(six_store, EX + "comm")


def test_the_query_runner_fits_the_profile_model_once_per_store_state(six_store, monkeypatch):
    """The relevance finder's text box and the live suggestions ask for the model at every
    request: in the query runner the corpus is read and the model fitted once per store state,
    and a write makes it anew."""
    from stdgraph.deadline import Deadline
    from stdgraph.store.bounded import DeadlineStore, StateCache

    reads: list[int] = []
    real = service.read_corpus
    monkeypatch.setattr(service, "read_corpus", lambda st: reads.append(1) or real(st))
    text = "robot safety on the shop floor"
    plain = service.profile(six_store, text, limit=3)
    cache = StateCache()
    runs = [service.profile(DeadlineStore(six_store, Deadline(None), cache), text, limit=3)
            for _ in range(3)]
    assert runs == [plain] * 3 and len(reads) == 2  # the plain call, then one for the runner
    # the live suggestions for one standard use the same model
    one = service.for_standard(DeadlineStore(six_store, Deadline(None), cache), S[1])
    assert one == service.for_standard(six_store, S[1]) and len(reads) == 3  # the plain one
    with store_change(six_store) as change:  # a new state: the model is fitted again
        change.insert([ox.Quad(ox.NamedNode(EX + "new"), ox.NamedNode(SG + "title"),
                               ox.Literal("Robot safety for collaborative robots"),
                               ox.NamedNode(SIX_GRAPH))])
    service.profile(DeadlineStore(six_store, Deadline(None), cache), text, limit=3)
    assert len(reads) == 4


def test_without_the_extra_the_model_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.feature_extraction.text", None)
    with pytest.raises(FeatureUnavailable) as e:
        LexicalModel()
    assert e.value.message == MISSING
    assert "pip install 'stdgraph[suggest]'" in MISSING
    assert (e.value.http_status, e.value.exit_code) == (501, 2)


def test_cli(run_cli, six_dir, monkeypatch):
    store = str(six_dir)
    r = run_cli("suggest", "pairs", "--store", store, "--min-score", "0", "--limit", "2")
    assert r.code == 0, r.err
    lines = r.out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(("0.", "1.")) and "IEC 62443-3-3" in lines[0]
    assert r.err.strip().endswith("stored 2 suggestion(s) of kind pairs")
    r = run_cli("suggest", "pairs", "--store", store, "--min-score", "2")
    assert (r.code, r.err.strip()) == (2, "stdgraph: error: min_score 2: give a number from 0 "
                                          "to 1")
    r = run_cli("suggest", "accept", SG + "nothing", "--reviewer", "Ada", "--store", store)
    assert r.code == 2 and r.err.strip().startswith("stdgraph: error: ")
    assert "is not a suggestion" in r.err
    monkeypatch.setitem(sys.modules, "sklearn.feature_extraction.text", None)
    r = run_cli("suggest", "profile", "robots", "--store", store)
    assert (r.code, r.err.strip()) == (2, f"stdgraph: error: {MISSING}")
    with OxigraphStore(six_dir, read_only=True) as st:
        assert len(service.listed(st, "pairs")) == 2


def test_a_rebuild_keeps_the_suggestions_and_infers_nothing_from_them(six_store):
    """The graphs of suggestions are kept as written: a build of the bundled project keeps
    them, and the reasoner draws nothing from them (a suggested sg:classifiedIn would type its
    subject sg:Standard by the property's domain; the fixture's standards are typed only in
    their import graph, which the reasoner does not see either)."""
    from stdgraph.change.build import build
    from stdgraph.project import Project
    from stdgraph.rdf.namespaces import INFERRED_GRAPH

    service.run(six_store, "classify", min_score=0.0)
    before = set(six_store.triples(SUGGESTED_GRAPH))
    assert any(str(p) == SG + "classifiedIn" and str(s) == S[1] for s, p, o in before)
    build(Project.locate(), six_store)
    assert set(six_store.triples(SUGGESTED_GRAPH)) == before
    assert not [t for t in six_store.triples(INFERRED_GRAPH) if str(t[0]).startswith(EX)]


def test_a_suggestion_decided_while_it_was_computed_is_not_stored_again(six_store):
    service.run(six_store, "pairs", min_score=0.0)
    result = service.computed(six_store, "pairs", S[1])
    assert [(x.subject, x.object) for x in result["found"]] == [
        (x.subject, x.object) for x in service.for_one(
            Suggester(read_corpus(six_store)), S[1], "pairs")]
    first = result["suggestions"][0]
    with store_change(six_store) as change:
        service.decide(change, "reject", first["record"], "Bob")
    with store_change(six_store) as change:
        written = service.store_computed(change, result)
    assert written == len(result["found"]) - 1 == 4
    stored = service.listed(six_store, "pairs")
    assert first["record"] not in {x["record"] for x in stored}
    assert len(stored) == 13  # 14 less the rejected one, the others replaced by themselves
