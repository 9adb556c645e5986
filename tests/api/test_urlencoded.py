"""``http.parse_urlencoded`` (the C-speed reader of query strings and form bodies) reads every
input exactly as the standard library's ``parse_qs(keep_blank_values=True, errors="strict")``:
the same dict for the same bytes, and UnicodeDecodeError where parse_qs raises it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stdgraph.api.http import parse_urlencoded

#: bytes that matter to the format: separators, escapes, hex digits, backslashes (the codec's
#: escape character), UTF-8 lead and continuation bytes
_ALPHABET = st.sampled_from(
    [b"&", b"=", b"+", b"%", b"\\", b"x", b"0", b"9", b"a", b"F", b"g", b"Z", b"q", b" ",
     b"%41", b"%7B", b"%e2%82%ac", b"%C3", b"%a9", b"%ZZ", b"%4", b"%%", b"\\x41", b"\\n",
     b"\\\\", b"%5C", b"%5Cx41", b"%25"])


def reference(raw: bytes):
    """parse_qs on the text Starlette gives it (the query string decoded as latin-1)."""
    try:
        return parse_qs(raw.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return UnicodeDecodeError


def ours(raw: bytes):
    try:
        return parse_urlencoded(raw)
    except UnicodeDecodeError:
        return UnicodeDecodeError


@settings(max_examples=3000, deadline=None)
@given(st.lists(_ALPHABET, max_size=24).map(b"".join))
def test_reads_every_ascii_query_string_like_parse_qs(raw):
    assert ours(raw) == reference(raw)


@pytest.mark.parametrize("raw", [
    b"", b"&", b"&&a=1&&", b"a", b"a=", b"=", b"=x", b"a=1&a=2&b", b"a=b=c",
    b"q=%", b"q=%4", b"q=%4G", b"q=100%25", b"q=%E2%82%AC", b"q=%E2%82", b"q=%FF",
    b"q=\\x41", b"q=\\%41", b"q=%5C%78%34%31", b"a+b=c+d", b"q=%2B+", b"q=%0A%0D%09",
])
def test_edge_cases_like_parse_qs(raw):
    assert ours(raw) == reference(raw)


def test_a_real_query_round_trips():
    query = ('PREFIX sg: <https://w3id.org/stdgraph/ontology#>\nSELECT ?s ?l WHERE {\n'
             '  ?s a sg:Standard ; rdfs:label "Bürotür \\"€\\" 100%"@de . # +&=\n}')
    raw = urlencode({"query": query, "default-graph-uri": ["g:1", "g:2"]}, doseq=True).encode()
    assert parse_urlencoded(raw) == {"query": [query], "default-graph-uri": ["g:1", "g:2"]}


def test_raw_utf8_bytes_are_read_as_utf8_and_bad_bytes_refused():
    """Clients should escape bytes over 0x7F; those that do not get UTF-8, or an error."""
    assert parse_urlencoded("q=é&€=ü".encode()) == {"q": ["é"], "€": ["ü"]}
    with pytest.raises(UnicodeDecodeError):
        parse_urlencoded(b"q=\xe9")
