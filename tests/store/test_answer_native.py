"""``answer_native``'s row cap in every result format, on both of its paths: point lookups are
written straight in the requested format when the bytes prove the answer is within the cap
(``_small_answer``), everything else goes through TSV. The reference is pyoxigraph's own
serialisation of the same query with ``LIMIT`` (the first rows in the same evaluation order)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from stdgraph.store.oxigraph import RESULT_OX, answer_inline, answer_native

S = ox.NamedNode("http://example.org/s")
ROWS = 7  # triples of S: values of every kind, the 'literal' long enough to need escaping
OBJECTS = [ox.NamedNode("http://example.org/o"), ox.BlankNode("b1"), ox.Literal("plain"),
           ox.Literal("tab\tnewline\n\"quote\" ,comma", language="en"),
           ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
           ox.Literal("x" * 300), ox.Literal("")]
POINT = "SELECT ?p ?o WHERE { <http://example.org/s> ?p ?o }"
JOINED = "SELECT ?p ?o WHERE { <http://example.org/s> ?p ?o . ?x ?p ?o }"  # not a point lookup


@pytest.fixture(scope="module")
def db():
    store = ox.Store()
    for i, o in enumerate(OBJECTS):
        store.add(ox.Quad(S, ox.NamedNode(f"http://example.org/p{i}"), o,
                          ox.NamedNode("http://example.org/g")))
    store.add(ox.Quad(ox.NamedNode("http://example.org/other"), ox.NamedNode("http://example.org/p0"),
                      ox.Literal("elsewhere"), ox.NamedNode("http://example.org/g")))
    return store


def reference(db, query: str, fmt: str, limit: int | None) -> bytes:
    text = query if limit is None else f"{query} LIMIT {limit}"
    res = db.query(text, use_default_graph_as_union=True)
    return res.serialize(format=RESULT_OX[fmt])


@pytest.mark.parametrize("query", [POINT, JOINED])
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("max_rows", [1, 2, 3, 6, 7, 8, 100, 10_000])
def test_row_cap_in_every_format(db, query, fmt, max_rows):
    answer = answer_native(db, query, result_format=fmt, max_rows=max_rows)
    assert answer.truncated == (ROWS > max_rows)
    limit = max_rows if ROWS > max_rows else None
    assert answer.body == reference(db, query, fmt, limit)


def test_the_byte_bound_sits_where_a_row_cap_could_be_broken(db):
    """The JSON answer of the point lookup is longer than 3 bytes per allowed row for small caps
    (so it goes through TSV) and shorter for large ones (written directly); the answers agree
    with the reference on both sides of that line."""
    full = reference(db, POINT, "json", None)
    direct_from = len(full) // 3 + 1  # the smallest cap whose byte budget holds the answer
    for max_rows in (ROWS, direct_from - 1, direct_from, direct_from + 1):
        answer = answer_native(db, POINT, result_format="json", max_rows=max_rows)
        assert (answer.body, answer.truncated) == (full, False)
        assert (answer.count is None) == (max_rows >= direct_from)  # None: written directly


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_inline_answers_are_the_native_answers_within_the_byte_budget(db, fmt):
    """``answer_inline`` (point lookups on the event loop) gives ``answer_native``'s bytes when
    they fit ``max_bytes``, and ``None`` (hand it to a worker) one byte below that."""
    full = answer_native(db, POINT, result_format=fmt, max_rows=10_000).body
    inline = answer_inline(db, POINT, result_format=fmt, max_rows=10_000, max_bytes=len(full))
    assert inline is not None and inline.body == full and not inline.truncated
    assert answer_inline(db, POINT, result_format=fmt, max_rows=10_000,
                         max_bytes=len(full) - 1) is None


def test_inline_leaves_a_capped_answer_to_the_worker(db):
    """Under a row cap the answer would be cut (and at a cap its bytes cannot prove it uncut):
    that is the TSV path's work, not the loop's."""
    for max_rows in (ROWS - 1, ROWS):
        assert answer_inline(db, POINT, result_format="json", max_rows=max_rows,
                             max_bytes=1 << 20) is None


def test_inline_ask_and_refusals(db):
    ask = answer_inline(db, "ASK { <http://example.org/s> ?p ?o }", result_format="json",
                        max_bytes=10)
    assert ask is not None and ask.kind == "ask" and b"true" in ask.body
    # no result format acceptable: the worker path raises the 406
    assert answer_inline(db, POINT, result_format=None, max_bytes=1 << 20) is None
