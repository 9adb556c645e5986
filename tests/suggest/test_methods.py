"""The four kinds of suggestion on six hand-made standards, each score checked against the
independent brute-force computation of tests/suggest/brute.py."""

from __future__ import annotations

import pytest

from stdgraph.suggest.corpus import CLASSIFIED, RELATED, read_corpus, record_iri
from stdgraph.suggest.methods import NEAR_DUPLICATE, Suggester

from .brute import Brute, set_cos, word_terms
from .conftest import EX, SG

BARRIER = SG + "addressesBarrier"
THEME = SG + "supportsTheme"
S = [EX + f"s{i}" for i in range(1, 7)]


@pytest.fixture
def corpus(six_store):
    return read_corpus(six_store)


@pytest.fixture
def brute(corpus):
    return Brute({i: r.text for i, r in corpus.resources.items()})


def test_corpus_reads_every_text_link_and_facet(corpus):
    kinds = {k: corpus.of_kind(k) for k in ("standard", "element", "barrier", "theme")}
    assert kinds == {"standard": S, "element": [EX + "comm", EX + "field"],
                     "barrier": [EX + "cyber"], "theme": [EX + "assets"]}
    assert corpus.resources[S[0]].text == "\n".join([
        "IEC 62443-3-3",
        "Security for industrial automation and control systems: system security requirements",
        "Cybersecurity requirements for networks of control systems",
        "Industrial-process measurement, control and automation",
        "TC 65"])
    assert corpus.resources[S[4]].text.endswith("\nISA-95")  # a tag (plain dcterms:subject)
    assert corpus.resources[S[0]].label == "IEC 62443-3-3"
    assert corpus.resources[EX + "comm"].text == (
        "Communication layer\nNetworks and protocols that connect control systems")
    assert corpus.linked(S[3], CLASSIFIED) == {EX + "field", EX + "comm"}
    assert corpus.linked(S[3], RELATED) == {S[2]}  # symmetric: read from s3's link
    assert corpus.facets == {S[0]: {f"{SG}committee {EX}tc65"},
                             S[1]: {f"{SG}committee {EX}tc65"}}
    assert corpus.rejected == set()


def both_say(terms, a, b):
    """Every term is a word, or two words in a row once stop words are left out, of both
    texts."""
    return bool(terms) and all(t in word_terms(a) and t in word_terms(b) for t in terms)


def expected_pair(corpus, brute, a, b):
    facets = corpus.facets
    def around(x):
        return {x} | corpus.linked(x, RELATED)
    return (0.5 * brute.cos(a, b)
            + 0.1 * set_cos(facets.get(a, set()), facets.get(b, set()))
            + 0.3 * set_cos(around(a), around(b))
            + 0.1 * set_cos(corpus.linked(a, CLASSIFIED), corpus.linked(b, CLASSIFIED)))


def test_pairs_are_the_brute_force_pair_scores_best_first(corpus, brute):
    got = Suggester(corpus).pairs(min_score=0.0)
    expected = {(a, b): expected_pair(corpus, brute, a, b)
                for a in S for b in S if a < b and (a, b) != (S[2], S[3])}  # s3-s4: linked
    assert {(x.subject, x.object) for x in got} == set(expected)
    for x in got:
        assert x.score == pytest.approx(expected[(x.subject, x.object)], abs=1e-5)
    assert [x.score for x in got] == sorted((x.score for x in got), reverse=True)
    # the two IEC 62443 parts are the best pair: shared words, characters and committee
    assert (got[0].subject, got[0].object) == (S[0], S[1])
    assert "security" in got[0].terms
    assert both_say(got[0].terms, corpus.resources[S[0]].text, corpus.resources[S[1]].text)


def test_a_rejected_pair_is_not_suggested(corpus):
    corpus.rejected = {record_iri(S[1], RELATED, S[0])}  # either end first: one link
    got = Suggester(corpus).pairs(min_score=0.0)
    assert (S[0], S[1]) not in {(x.subject, x.object) for x in got}
    assert len(got) == 13


def test_classify_votes_by_similar_classified_standards(corpus, brute):
    sg = Suggester(corpus)
    got = sg.links_for(S[1], CLASSIFIED, "element", min_score=0.0)
    voters = {n: expected_pair(corpus, brute, S[1], n) for n in (S[0], S[2], S[3])}
    voters = {n: v for n, v in voters.items() if v > 0}
    total = sum(voters.values())
    expected = {}
    for e in (EX + "comm", EX + "field"):
        vote = sum(v for n, v in voters.items() if e in corpus.linked(n, CLASSIFIED)) / total
        expected[e] = 0.8 * vote + 0.2 * brute.cos(S[1], e)
    assert [x.object for x in got] == sorted(expected, key=lambda e: -expected[e])
    for x in got:
        assert x.score == pytest.approx(expected[x.object], abs=1e-5)
    comm = next(x for x in got if x.object == EX + "comm")
    assert {n for n, _, _ in comm.neighbours} == {S[0], S[3]}  # who voted for it


def test_a_standards_own_links_are_not_suggested_again(corpus):
    got = Suggester(corpus).links_for(S[3], CLASSIFIED, "element", min_score=0.0)
    assert got == []  # s4 is in both elements already


def test_barriers_and_themes_for_a_standard(corpus, brute):
    sg = Suggester(corpus)
    barrier = sg.links_for(S[1], BARRIER, "barrier", min_score=0.0)
    assert [x.object for x in barrier] == [EX + "cyber"]
    # the only standard with a barrier (s1) votes for it with all the weight
    assert barrier[0].score == pytest.approx(0.8 + 0.2 * brute.cos(S[1], EX + "cyber"),
                                             abs=1e-5)
    assert [n for n, _, _ in barrier[0].neighbours] == [S[0]]
    theme = sg.links_for(S[5], THEME, "theme", min_score=0.0)
    # no standard has a theme: the text alone ("asset", "managing data as an asset")
    assert theme[0].score == pytest.approx(0.2 * brute.cos(S[5], EX + "assets"), abs=1e-5)
    assert theme[0].score > 0


def test_profile_ranks_standards_for_a_free_text(corpus, brute):
    text = "cybersecurity of networks for control systems in a small factory"
    got = Suggester(corpus).profile(text, limit=None)
    via = {S[0]: brute.query(text, EX + "cyber")}  # s1 addresses the cybersecurity barrier
    expected = {s: 0.7 * brute.query(text, s) + 0.3 * via.get(s, 0.0) for s in S}
    expected = {s: v for s, v in expected.items() if v > 0}
    assert [x.object for x in got] == sorted(expected, key=lambda s: -expected[s])
    for x in got:
        assert x.score == pytest.approx(expected[x.object], abs=1e-5)
    assert got[0].object == S[0]
    assert got[0].neighbours[0][0] == EX + "cyber"
    assert "cybersecurity" in got[0].terms
    assert both_say(got[0].terms, text, corpus.resources[S[0]].text)


def test_near_duplicate_score_halves_different_parts_of_a_series(corpus, brute):
    sg = Suggester(corpus)
    # IEC 62443-3-3 and IEC 62443-4-2: two parts of one series, however alike their titles
    assert sg.duplicate_of(S[0], S[1]) == pytest.approx(0.5 * brute.cos(S[0], S[1]), abs=1e-5)
    # IEC 62443-3-3 and IEC 62264-1: different numbers, the text similarity as it is
    assert sg.duplicate_of(S[0], S[4]) == pytest.approx(brute.cos(S[0], S[4]), abs=1e-5)
    row = sg.duplicate_rows([S[2]])[0]
    assert row[sg.std_index[S[3]]] == pytest.approx(0.5 * brute.cos(S[2], S[3]), abs=1e-5)
    assert row[sg.std_index[S[5]]] == pytest.approx(brute.cos(S[2], S[5]), abs=1e-5)
    top = Suggester(corpus).pairs(min_score=0.0)[0]
    assert top.duplicate == pytest.approx(sg.duplicate_of(S[0], S[1]), abs=1e-6)
    assert top.as_dict()["near_duplicate"] is (top.duplicate >= NEAR_DUPLICATE)


def test_part_paths_of_identifiers():
    from stdgraph.suggest.methods import other_parts, part_paths

    assert part_paths(["IEC 60870-6-501:1995", "IEC 60870 P6 S501 E1"]) == {
        "60870": {"6-501"}, "1995": {""}}
    # the document's number: the first of each name (not the year of the edition)
    assert part_paths(["IEC 60870-6-501:1995", "ISO 13849"], first=True) == {
        "60870": {"6-501"}, "13849": {""}}
    assert other_parts(part_paths(["IEC 60870-6-501"]), part_paths(["IEC 60870 P6 S502 E1"]))
    assert not other_parts(part_paths(["IEC TS 62832-1:2016"]), part_paths(["IEC TS 62832"]))
    assert not other_parts(part_paths(["ISO/IEC 27036"]), part_paths(["IEC 27036"]))
    assert not other_parts(part_paths(["ISO 8062-4"]), part_paths(["NISTIR 8062"]))


def test_char_grams_are_scikit_learns_char_wb_grams():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from stdgraph.suggest.lexical import CharGrams

    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer()
    texts = ["IEC 62443-3-3 Security\tfor  industrial a ab abc abcd abcde Ünïcode\n  x",
             "cyber-security and   cybersecurity\u00a0OK", "a", "", "Hello World hello"]
    grams = CharGrams(3, 5)
    for text in texts + texts:  # the second time from what was kept
        assert grams(text) == reference(text)
    assert grams("a") == [" a "] and grams("ab") == [" ab", "ab ", " ab "]


@pytest.mark.parametrize("kind", ["pairs", "classify", "links"])
def test_blocking_gives_the_exact_suggestions_when_every_pair_is_a_candidate(corpus, kind):
    """Blocking forced on the six standards: every feature is rare (in at most 300 texts) and
    50 candidates are more than the standards, so the candidates are every pair with a shared
    feature, and the suggestions (pairs, scores, voters) are those of the exact method."""
    from stdgraph.suggest.methods import Blocking

    exact = Suggester(corpus, blocking=None)
    blocked = Suggester(corpus, blocking=Blocking(from_standards=0))
    assert exact.blocking is None and blocked.blocking is not None
    got = getattr(blocked, kind)(min_score=0.0)
    expected = getattr(exact, kind)(min_score=0.0)
    assert [(x.subject, x.predicate, x.object) for x in got] == [
        (x.subject, x.predicate, x.object) for x in expected]
    assert [x.score for x in got] == pytest.approx([x.score for x in expected], abs=1e-6)
    assert [[n for n, _, _ in x.neighbours] for x in got] == [
        [n for n, _, _ in x.neighbours] for x in expected]
    assert len(expected) == {"pairs": 14, "classify": 8, "links": 11}[kind]


def test_one_numbered_document_raises_the_near_duplicate_score():
    from stdgraph.suggest.methods import duplicate_score, part_paths, same_document

    def doc(*names):
        return part_paths(names, first=True)

    # an adoption, an edition, the I40KG spelling of one part: one document
    assert same_document(doc("DIN EN ISO 13849"), doc("ISO 13849"))
    assert same_document(doc("IEC 60870-6-701:1998"), doc("IEC 60870 P6 S701 E1"))
    assert same_document(doc("IEC 62832", "IEC TS 62832"), doc("IEC 62832:2020"))
    # a series and its part, two parts, two standards of one year: not
    assert not same_document(doc("IEC 60255"), doc("IEC 60255-127"))
    assert not same_document(doc("IEC 60870-6-501"), doc("IEC 60870-6-502"))
    assert not same_document(doc("IEC 61968-6:2015"), doc("ISO 2015"))
    assert not same_document(doc("IEC 61968-6:2015"), doc("IEC 62264-1:2015"))

    def score(text, a, b):
        return duplicate_score(text, part_paths([a]), part_paths([b]), doc(a), doc(b))

    assert score(0.4, "ISO 13849", "DIN EN ISO 13849") == pytest.approx(0.7)  # halfway to 1
    assert score(0.4, "IEC 60870-6-501", "IEC 60870-6-502") == pytest.approx(0.2)  # halved
    assert score(0.4, "IEC 61499", "IEC 61804") == pytest.approx(0.4)  # as it is
