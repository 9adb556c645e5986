"""``answer_native``'s row cap in every result format, on both of its paths: answers are
written straight in the requested format when the marks the writer puts once per row prove them
within the cap (``_direct_answer``), the others are run again through TSV and cut. The reference
is pyoxigraph's own serialisation of the same query with ``LIMIT`` (the first rows in the same
evaluation order)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from stdgraph.store.base import AnswerRequest
from stdgraph.store.oxigraph import _ROW_MARKS, RESULT_OX, answer_inline, answer_native

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
    answer = answer_native(db, AnswerRequest(query, result_format=fmt, max_rows=max_rows))
    assert answer.truncated == (ROWS > max_rows)
    limit = max_rows if ROWS > max_rows else None
    assert answer.body == reference(db, query, fmt, limit)


def test_every_format_is_written_directly():
    """pyoxigraph's writers put the row marks where ``_ROW_MARKS`` expects them (checked at
    import; a format whose check failed would silently lose the direct path)."""
    assert set(_ROW_MARKS) == {"json", "xml", "csv", "tsv"}


@pytest.mark.parametrize("fmt", ["json", "xml", "csv"])
def test_within_the_cap_the_answer_is_written_directly(db, fmt):
    """At a cap the answer reaches exactly, and above, the answer is written straight in the
    format (no row count: that is the TSV path's), except where a literal holds the format's
    row mark (the CSV newline in a quoted literal): then the bound says 8 rows, and the TSV
    path answers; either way the bytes are the reference's."""
    full = reference(db, JOINED, fmt, None)
    for max_rows in (ROWS, ROWS + 1, 10_000):
        answer = answer_native(db, AnswerRequest(JOINED, result_format=fmt, max_rows=max_rows))
        assert (answer.body, answer.truncated) == (full, False)
        direct = fmt != "csv" or max_rows > ROWS
        assert (answer.count is None) == direct
    cut = answer_native(db, AnswerRequest(JOINED, result_format=fmt, max_rows=ROWS - 1))
    assert cut.truncated and cut.count == ROWS - 1
    assert cut.body == reference(db, JOINED, fmt, ROWS - 1)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_literals_holding_row_marks_never_break_the_cap(fmt):
    """Literals made of every format's row marks (``},{``, ``<result>``, newlines) and rows that
    bind nothing (``{}``): the marks only over-count, so an answer is cut exactly at the cap or
    whole, never one row over."""
    store = ox.Store()
    tricky = ["},{", "}},{\"x\":{", "<result>", "</result><result>", "a\nb\r\n", "\"},{\"", ""]
    for i, text in enumerate(tricky):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                          ox.Literal(text), ox.DefaultGraph()))
    queries = ["SELECT ?s ?o WHERE { ?s ?p ?o }",
               "SELECT ?x WHERE { ?s ?p ?o OPTIONAL { ?s <http://example.org/none> ?x } }"]
    for query in queries:
        for max_rows in range(1, len(tricky) + 2):
            answer = answer_native(store, AnswerRequest(query, result_format=fmt,
                                                        max_rows=max_rows))
            over = len(tricky) > max_rows
            assert answer.truncated == over
            assert answer.body == reference(store, query, fmt, max_rows if over else None)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_inline_answers_are_the_native_answers_within_the_byte_budget(db, fmt):
    """``answer_inline`` (point lookups on the event loop) gives ``answer_native``'s bytes when
    they fit ``max_bytes``, and ``None`` (hand it to a worker) one byte below that."""
    full = answer_native(db, AnswerRequest(POINT, result_format=fmt, max_rows=10_000)).body
    request = AnswerRequest(POINT, result_format=fmt, max_rows=10_000)
    inline = answer_inline(db, request, max_bytes=len(full))
    assert inline is not None and inline.body == full and not inline.truncated
    assert answer_inline(db, request, max_bytes=len(full) - 1) is None


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_inline_leaves_a_capped_answer_to_the_worker(db, fmt):
    """Under a row cap the answer would be cut: that is the TSV path's work, not the loop's.
    At the cap the row marks prove it whole (but in CSV, whose quoted literal holds a newline),
    and the loop answers it."""
    assert answer_inline(db, AnswerRequest(POINT, result_format=fmt, max_rows=ROWS - 1),
                         max_bytes=1 << 20) is None
    at_cap = answer_inline(db, AnswerRequest(POINT, result_format=fmt, max_rows=ROWS),
                           max_bytes=1 << 20)
    if fmt == "csv":
        assert at_cap is None
    else:
        assert at_cap is not None and at_cap.body == reference(db, POINT, fmt, None)


def test_inline_ask_and_refusals(db):
    ask = answer_inline(db, AnswerRequest("ASK { <http://example.org/s> ?p ?o }",
                                          result_format="json"), max_bytes=10)
    assert ask is not None and ask.kind == "ask" and b"true" in ask.body
    # no result format acceptable: the worker path raises the 406
    assert answer_inline(db, AnswerRequest(POINT, result_format=None), max_bytes=1 << 20) is None
