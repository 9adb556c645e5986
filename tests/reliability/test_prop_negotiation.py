"""Hypothesis over the Accept parser (stdgraph.api.negotiation): any header text is handled without
an exception, and for well-formed headers the pick agrees with a reference written here from
RFC 9110 §12.5.1 (an offer's q is that of the most specific range matching it; the best q wins;
q=0 refuses)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stdgraph.api.negotiation import (
    NotAcceptable,
    negotiate,
    negotiate_name,
    parse_accept,
    parse_content_type,
)
from stdgraph.rdf.formats import GRAPH_MEDIA, RESULT_MEDIA

SETTINGS = settings(max_examples=300, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

OFFERS = [m[0] for m in RESULT_MEDIA.values()] + [m[0] for m in GRAPH_MEDIA.values()]
TYPES = sorted({o.split("/")[0] for o in OFFERS} | {"image", "video"})
SUBTYPES = sorted({o.split("/")[1] for o in OFFERS} | {"html", "png", "json"})


def reference_q(ranges: list[tuple[str, str, float]], offer: str) -> float | None:
    """The q the header gives ``offer``: that of the most specific matching range."""
    t, s = offer.split("/")
    best: tuple[int, float] | None = None
    for rt, rs, q in ranges:
        if (rt, rs) == ("*", "*"):
            spec = 0
        elif rt == t and rs == "*":
            spec = 1
        elif (rt, rs) == (t, s):
            spec = 2
        else:
            continue
        if best is None or spec > best[0]:
            best = (spec, q)
    return None if best is None else best[1]


def specificity(ranges, offer: str) -> int:
    t, s = offer.split("/")
    return max((2 if (rt, rs) == (t, s) else 1 if (rt, rs) == (t, "*") else 0)
               for rt, rs, _q in ranges if (rt, rs) in {(t, s), (t, "*"), ("*", "*")})


qs = st.integers(0, 1000).map(lambda n: n / 1000)
media_range = st.one_of(
    st.just(("*", "*")),
    st.tuples(st.sampled_from(TYPES), st.just("*")),
    st.tuples(st.sampled_from(TYPES), st.sampled_from(SUBTYPES)),
)
# distinct ranges: the same range twice with two q-values has no defined meaning
headers = st.lists(st.tuples(media_range, qs), min_size=1, max_size=8,
                   unique_by=lambda x: x[0]).map(
    lambda xs: [(t, s, q) for (t, s), q in xs])
offer_lists = st.lists(st.sampled_from(OFFERS), min_size=1, max_size=len(OFFERS), unique=True)


def render(ranges, *, sep: str = ", ", upper: bool = False) -> str:
    parts = []
    for t, s, q in ranges:
        qtext = f"{q:.3f}".rstrip("0").rstrip(".")
        parts.append(f"{t}/{s}" + ("" if q == 1 else f";q={qtext}"))
    text = sep.join(parts)
    return text.upper() if upper else text


@SETTINGS
@given(headers, offer_lists)
def test_pick_agrees_with_the_rfc_reference(ranges, offers):
    picked = negotiate(render(ranges), offers)
    qvals = {o: reference_q(ranges, o) for o in offers}
    acceptable = [o for o in offers if qvals[o]]
    if not acceptable:
        assert picked is None
        return
    assert picked in acceptable
    top = max(qvals[o] for o in acceptable)
    assert qvals[picked] == top
    tied = [o for o in acceptable if qvals[o] == top]
    if len({specificity(ranges, o) for o in tied}) == 1:
        assert picked == tied[0]  # a true tie goes to the server's order


@SETTINGS
@given(headers, offer_lists, st.sampled_from([",", " , ", ",\t"]))
def test_case_and_whitespace_do_not_matter(ranges, offers, sep):
    plain = negotiate(render(ranges), offers)
    assert negotiate(render(ranges, upper=True), offers) == plain
    assert negotiate(render(ranges, sep=sep).replace(";", " ; "), offers) == plain


@SETTINGS
@given(headers)
def test_every_range_is_parsed_with_its_q(ranges):
    parsed = parse_accept(render(ranges))
    assert [(r.type, r.subtype, round(r.q, 3)) for r in parsed] == \
        [(t, s, round(q, 3)) for t, s, q in ranges]


@SETTINGS
@given(st.text(max_size=200), offer_lists)
def test_any_header_text_gives_an_offer_or_none(text, offers):
    for r in parse_accept(text):
        assert 0.0 <= r.q <= 1.0 and r.type and r.subtype
    assert negotiate(text, offers) in {None, *offers}
    try:
        assert negotiate_name(text, RESULT_MEDIA) in RESULT_MEDIA
    except NotAcceptable as e:
        assert e.http_status == 406 and e.supported
    media, params = parse_content_type(text)
    assert isinstance(media, str) and isinstance(params, dict)


@SETTINGS
@given(st.lists(st.sampled_from(["text/csv", "*/*", "text/*", "application/json", "q=0.5",
                                 ";", ",", "=", "q=", "q=2", "q=-1", "q=0.0001", "q=abc",
                                 "*", "/", " ", "\t", "charset=latin-1", "level=1", "\"x,y\""]),
                max_size=20).map("".join), offer_lists)
def test_hostile_fragments_never_raise(text, offers):
    assert negotiate(text, offers) in {None, *offers}
