"""Hypothesis over named-query parameter binding (stdgraph.sparql.named): whatever text a client sends
as a value, it is either refused with a ParameterError (400) or bound as one RDF term, so the
query keeps its shape and answers exactly what an independent computation over the same data
says. Evaluated by Oxigraph (pyoxigraph, in memory)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.sparql.named import NamedQuery, ParameterError

SETTINGS = settings(max_examples=200, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
EX = "http://example.org/rel#"

# what a SPARQL injection is made of, mixed into generated text
NASTY = ['"', "'", "}", "{", "<", ">", "\\", "\n", "\r", "#", " UNION ", "?s", "\"\"\"", "'''",
         " . ", "\\u0022", "\x00", "\u2028", "VALUES", "SERVICE <http://127.0.0.1:9/>", ";", "^^"]
texts = st.lists(st.one_of(st.sampled_from(NASTY),
                           st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)),
                 max_size=8).map("".join)

BY_ID = NamedQuery.from_text("by-id", f"""# title: by identifier
# param: id | string | required | The identifier.
PREFIX ex: <{EX}>
SELECT ?s WHERE {{ ?s ex:identifier ?id }}
""")
ABOUT = NamedQuery.from_text("about", """# param: thing | iri | required | Anything.
SELECT ?p ?o WHERE { ?thing ?p ?o }
""")
# a WHERE brace hidden in a string, an IRI and a comment before the real one
TRICKY = NamedQuery.from_text("tricky", """# param: v | string | required
# { a comment brace
SELECT ?v ("{" AS ?w) (<http://example.org/{x}> AS ?i) WHERE {
}
""".replace("{x}", "x"))
TYPED = {t: NamedQuery.from_text(f"typed-{t}", f"# param: v | {t} | required\nSELECT ?v WHERE {{ }}\n")
         for t in ("integer", "decimal", "boolean", "date", "year")}
STATUS = NamedQuery.from_text("status", """# param: status | iri | allowed sg:Published, sg:Withdrawn, sg:Superseded | multiple | Status.
SELECT ?status WHERE { }
""")


def store_with(identifiers: list[str]) -> ox.Store:
    st_ = ox.Store()
    for i, ident in enumerate(identifiers):
        st_.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "identifier"),
                        ox.Literal(ident)))
    return st_


def run(store: ox.Store, text: str) -> list[tuple]:
    return [tuple(None if t is None else t.value for t in row) for row in store.query(text)]


def check_shape(q: NamedQuery, bound: str) -> None:
    """The bound text is the query with one VALUES line per parameter inserted after the WHERE
    brace, and nothing else changed."""
    from stdgraph.sparql.named import where_brace

    at = where_brace(q.text)
    assert bound.startswith(q.text[:at]) and bound.endswith(q.text[at:])
    middle = bound[at:len(bound) - len(q.text) + at]
    lines = [ln for ln in middle.split("\n") if ln.strip()]
    assert len(lines) == len(q.params) and all(ln.strip().startswith("VALUES ?") for ln in lines)


@SETTINGS
@given(st.lists(texts, max_size=6), texts, st.booleans())
def test_a_string_value_matches_exactly_itself(identifiers, probe, pick_existing):
    if pick_existing and identifiers:
        probe = identifiers[len(probe) % len(identifiers)]
    assume(probe != "")  # empty means not given (test above)
    store = store_with(identifiers)
    bound = BY_ID.bound_text({"id": probe})
    check_shape(BY_ID, bound)
    got = sorted(r[0] for r in run(store, bound))
    expected = sorted(f"{EX}s{i}" for i, ident in enumerate(identifiers) if ident == probe)
    assert got == expected


@SETTINGS
@given(texts)
def test_a_string_value_round_trips_through_the_engine(value):
    if value == "":
        with pytest.raises(ParameterError, match="required"):  # empty means not given
            TRICKY.bound_text({"v": value})
        return
    bound = TRICKY.bound_text({"v": value})
    check_shape(TRICKY, bound)
    assert run(ox.Store(), bound) == [(value, "{", "http://example.org/x")]


_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')


@SETTINGS
@given(st.one_of(texts, texts.map(lambda t: EX + t), texts.map(lambda t: "sg:" + t),
                 texts.map(lambda t: f"<{EX}{t}>")))
def test_an_iri_value_is_one_iri_or_refused(value):
    store = store_with(["A", "B"])
    try:
        bound = ABOUT.bound_text({"thing": value})
    except ParameterError as e:
        assert e.http_status == 400 and e.param == "thing"
        return
    inner = value.strip()
    if inner.startswith("<") and inner.endswith(">"):
        inner = inner[1:-1]
    # an accepted IRI has nothing that could end the term or start another
    assert not _IRI_FORBIDDEN.search(inner)
    prefix, _, local = inner.partition(":")
    iri = PREFIXES[prefix] + local if prefix in PREFIXES and not local.startswith("//") else inner
    check_shape(ABOUT, bound)
    expected = [("http://example.org/rel#identifier", ident) for i, ident in enumerate(["A", "B"])
                if iri == f"{EX}s{i}"]
    assert run(store, bound) == expected


def _expected_typed(t: str, text: str):
    """What an accepted value must be, decided here independently (None: must be refused)."""
    s = text.strip()
    if t == "integer":
        return int(s) if re.fullmatch(r"[+-]?[0-9]+", s) else None
    if t == "decimal":
        return Decimal(s) if re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", s) else None
    if t == "boolean":
        low = s.lower()
        return True if low in {"true", "1", "yes", "on"} else \
            False if low in {"false", "0", "no", "off"} else None
    if t == "date":
        try:
            return date.fromisoformat(s)
        except ValueError:
            return None
    return s if re.fullmatch(r"-?[0-9]{4}", s) else None  # year


typed_values = st.one_of(texts, st.integers().map(str), st.decimals(allow_nan=False,
                         allow_infinity=False).map(str), st.dates().map(str),
                         st.sampled_from(["true", "No", " 1 ", "2024", "-0001", "1e3", "+7"]))


@SETTINGS
@given(st.sampled_from(sorted(TYPED)), typed_values)
def test_typed_values_are_checked_and_bound_as_their_type(t, value):
    q = TYPED[t]
    expected = _expected_typed(t, value)
    try:
        bound = q.bound_text({"v": value})
    except ParameterError:
        assert expected is None
        return
    assert expected is not None
    check_shape(q, bound)
    (row,) = list(ox.Store().query(bound))
    term = row["v"]
    if t == "integer":
        assert int(term.value) == expected
    elif t == "decimal":
        assert Decimal(term.value) == expected
    elif t == "boolean":
        assert term.value == ("true" if expected else "false")
    elif t == "date":
        assert date.fromisoformat(term.value) == expected
    else:
        assert term.value == expected


ALLOWED = {"sg:Published", "sg:Withdrawn", "sg:Superseded"}


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(sorted(ALLOWED | {"sg:Proposed"})), texts),
                min_size=1, max_size=4))
def test_multiple_values_bind_exactly_the_allowed_ones(values):
    raw = ",".join(values)
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    assume(parts)
    try:
        bound = STATUS.bound_text({"status": raw})
    except ParameterError:
        assert not set(parts) <= ALLOWED
        return
    assert set(parts) <= ALLOWED
    check_shape(STATUS, bound)
    got = sorted(r[0] for r in run(ox.Store(), bound))
    assert got == sorted(PREFIXES["sg"] + p[3:] for p in parts)
