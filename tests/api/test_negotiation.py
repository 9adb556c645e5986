"""Accept negotiation, table-driven: q-values, specificity, wildcards, ties, parameters."""

from __future__ import annotations

import pytest

from stdgraph.api.negotiation import (
    NotAcceptable,
    UnsupportedMediaType,
    negotiate,
    negotiate_name,
    parse_accept,
    require_content_type,
)
from stdgraph.rdf.formats import GRAPH_MEDIA, RESULT_MEDIA

OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
          "text/tab-separated-values"]


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "application/sparql-results+json"),                       # no header: default
    ("", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("*", "application/sparql-results+json"),                         # bare star, seen in the wild
    ("text/csv", "text/csv"),
    ("TEXT/CSV", "text/csv"),                                        # case-insensitive
    ("text/*", "text/csv"),                                          # first text/* offer
    ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, text/tab-separated-values;q=0.4", "text/csv"),
    ("application/sparql-results+xml, */*;q=0.1", "application/sparql-results+xml"),
    ("*/*;q=0.1, application/sparql-results+xml", "application/sparql-results+xml"),
    # the most specific range decides an offer's q: text/csv is refused although text/* is fine
    ("text/*, text/csv;q=0", "text/tab-separated-values"),
    ("*/*, application/sparql-results+json;q=0", "application/sparql-results+xml"),
    # equal q: the server's order of preference
    ("text/tab-separated-values, text/csv", "text/csv"),
    # parameters: charset=utf-8 matches, other charsets do not
    ("text/csv;charset=utf-8", "text/csv"),
    ("text/csv;charset=latin-1", None),
    # accept-extensions after q are ignored
    ("text/csv;q=0.8;level=1", "text/csv"),
    # malformed q: that element is skipped
    ("text/csv;q=abc, text/tab-separated-values;q=0.1", "text/tab-separated-values"),
    ("text/csv;q=2", None),
    ("text/html", None),
    ("text/html, application/xhtml+xml", None),
    ("application/sparql-results+json;q=0", None),
    ("garbage", None),
])
def test_negotiate(accept, expected):
    assert negotiate(accept, OFFERS) == expected


@pytest.mark.parametrize(("accept", "result", "graph"), [
    (None, "json", "turtle"),
    ("application/json", "json", "jsonld"),
    ("application/xml", "xml", "rdfxml"),
    # rdflib's SPARQLStore sends one header for both kinds (rdflib-endpoint PR #24)
    ("application/sparql-results+xml, application/rdf+xml", "xml", "rdfxml"),
    # SPARQLWrapper's JSON header
    ("application/sparql-results+json,application/json,text/javascript,application/javascript",
     "json", "jsonld"),
    # SPARQLWrapper's Turtle header: no result-set type in it
    ("application/turtle,text/turtle", None, "turtle"),
    ("text/plain", None, "ntriples"),
    ("application/n-quads", None, "nquads"),
    ("text/csv", "csv", None),
    ("application/ld+json;q=0.9, text/turtle", None, "turtle"),
])
def test_result_and_graph_tables_are_negotiated_apart(accept, result, graph):
    def name(table):
        try:
            return negotiate_name(accept, table)
        except NotAcceptable:
            return None
    assert (name(RESULT_MEDIA), name(GRAPH_MEDIA)) == (result, graph)


def test_not_acceptable_names_the_supported_types():
    with pytest.raises(NotAcceptable) as err:
        negotiate_name("image/png", RESULT_MEDIA)
    assert err.value.http_status == 406
    assert err.value.supported == [m[0] for m in RESULT_MEDIA.values()]
    assert "application/sparql-results+json" in err.value.message


def test_parse_accept_keeps_order_and_q():
    ranges = parse_accept("text/turtle;q=0.5, application/ld+json")
    assert [(r.type, r.subtype, r.q, r.index) for r in ranges] == [
        ("text", "turtle", 0.5, 0), ("application", "ld+json", 1.0, 1)]


@pytest.mark.parametrize(("header", "ok"), [
    ("application/sparql-query", True),
    ("application/sparql-query; charset=UTF-8", True),
    ("Application/SPARQL-Query", True),
    ("application/sparql-query; charset=latin-1", False),
    ("text/plain", False),
    ("", False),
    (None, False),
])
def test_content_type(header, ok):
    if ok:
        assert require_content_type(header, ["application/sparql-query"]) == \
            "application/sparql-query"
    else:
        with pytest.raises(UnsupportedMediaType) as err:
            require_content_type(header, ["application/sparql-query"])
        assert err.value.http_status == 415
