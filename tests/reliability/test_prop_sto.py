"""Hypothesis over the STO importer (stdgraph.importers.sto): generated STO documents are mapped
one standard to one sg:Standard with the labels and statuses the mapping rules say (docs/i40kg.md,
decided here independently), every minted IRI is valid RDF, a repeat import changes nothing; and
damaged or arbitrary uploads end in a 400-class error, never in another exception."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from stdgraph.errors import StdgraphError
from stdgraph.importers.sto import UPLOAD_DIR, CuratedLinks, import_graph_iri, import_sto_data
from stdgraph.rdf.io import to_oxigraph
from stdgraph.rdf.namespaces import SG
from stdgraph.store import MemoryStore

SETTINGS = settings(max_examples=100, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
STO = "https://w3id.org/i40/sto#"
MINI_STO = (Path(__file__).resolve().parents[1] / "fixtures" / "sto" / "mini-sto.ttl").read_bytes()
STATUSES = {"valid": SG.Published, "withdrawn": SG.Withdrawn, "replaced": SG.Superseded,
            "redline version": SG.Published}
NASTY = ['"', "'", "\\", "\n", "}", "{", "<", ">", "#", "@en", "^^", " ", "\t", "é", "\u2028", "%"]

local_names = st.text(st.one_of(st.characters(categories=("L", "N")),
                                 st.sampled_from("-_.~()!$&'*+,;=:@/?%")),
                      min_size=1, max_size=12)
label_text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=6)), max_size=6) \
    .map("".join).filter(lambda s: "\x00" not in s)
status_text = st.one_of(
    st.sampled_from(sorted(STATUSES)).flatmap(
        lambda k: st.sampled_from([k, k.upper(), f"  {k.title()} ", k.replace(" ", "\t ")])),
    label_text)
standards = st.dictionaries(
    local_names,
    st.tuples(st.one_of(st.none(), label_text), st.sampled_from([None, "en", "de"]),
              st.one_of(st.none(), status_text),
              st.sampled_from(["Standard", "TechnicalSpecification", "TechnicalReport"])),
    min_size=1, max_size=6)


def document(stds: dict) -> bytes:
    """The generated standards as N-Triples, written by pyoxigraph (so the input is valid)."""
    quads = []
    for local, (label, lang, status, cls) in stds.items():
        s = ox.NamedNode(STO + local)
        quads.append(ox.Quad(s, ox.NamedNode(str(RDF.type)), ox.NamedNode(STO + cls)))
        if label is not None:
            lit = ox.Literal(label, language=lang) if lang else ox.Literal(label)
            quads.append(ox.Quad(s, ox.NamedNode(str(RDFS.label)), lit))
        if status is not None:
            quads.append(ox.Quad(s, ox.NamedNode(STO + "hasStatus"), ox.Literal(status)))
    return ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES)


def valid_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
        return True
    except ValueError:
        return False


def run_import(store: MemoryStore, data: bytes, fmt: str = "ntriples"):
    return import_sto_data(store, data, path=UPLOAD_DIR / "fuzz.nt", fmt=fmt, name="fuzz",
                           links=CuratedLinks())


@SETTINGS
@given(standards)
def test_each_standard_maps_to_one_sg_standard_with_its_label_and_status(stds):
    assume(all(valid_iri(STO + local) for local in stds))
    store = MemoryStore()
    result = run_import(store, document(stds))
    assert result.status == "created"
    g = set(store.triples(import_graph_iri("fuzz")))
    minted = {s for s, p, o in g if p == RDF.type and o == SG.Standard}
    origin = {s: {o for s2, p, o in g if s2 == s and p == SKOS.exactMatch} for s in minted}
    assert all(len(v) == 1 for v in origin.values())
    by_source = {next(iter(v)): s for s, v in origin.items()}
    assert set(by_source) == {URIRef(STO + local) for local in stds}

    for local, (label, lang, status, _cls) in stds.items():
        std = by_source[URIRef(STO + local)]
        labels = {o for s, p, o in g if s == std and p == RDFS.label}
        assert len(labels) == 1
        if label is not None and label.strip() and lang in {None, "en"}:
            assert labels == {Literal(label.strip(), lang="en")}
        got = {o for s, p, o in g if s == std and p == SG.status}
        key = re.sub(r"\s+", " ", status.strip().lower()) if status is not None else None
        if key in STATUSES:
            assert got == {STATUSES[key]}
        elif key is not None and not key.startswith(("rlv", "pre release")):
            assert got == set()

    # every term is valid RDF (pyoxigraph checks each IRI) and survives N-Triples unchanged
    triples = {ox.Triple(*map(to_oxigraph, t)) for t in g}
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert {q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)} == triples

    again = run_import(store, document(stds))
    assert again.status == "unchanged"
    assert set(store.triples(import_graph_iri("fuzz"))) == g


damage = st.one_of(
    st.integers(0, len(MINI_STO)).map(lambda n: ("cut", n, b"")),
    st.tuples(st.just("insert"), st.integers(0, len(MINI_STO)),
              st.sampled_from([t.encode() for t in NASTY] + [b"\xff", b"\x00", b"@prefix",
                                                              b" . ", b";;", b"[", b"("])),
    st.tuples(st.just("delete"), st.integers(0, len(MINI_STO)), st.integers(1, 40)
              .map(lambda n: b"x" * n)),
)


def damaged(kind: str, at: int, extra: bytes) -> bytes:
    if kind == "cut":
        return MINI_STO[:at]
    if kind == "insert":
        return MINI_STO[:at] + extra + MINI_STO[at:]
    return MINI_STO[:at] + MINI_STO[at + len(extra):]


@SETTINGS
@given(damage)
def test_a_damaged_upload_is_imported_or_refused_with_a_4xx(change):
    store = MemoryStore()
    try:
        result = run_import(store, damaged(*change), fmt="turtle")
    except StdgraphError as e:
        assert 400 <= e.http_status < 500, e
        assert store.graph_names() == []  # nothing written
        return
    assert result.status == "created" and result.triples > 0


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from(["turtle", "ntriples", "rdfxml", "jsonld", "n3"]))
def test_arbitrary_bytes_are_imported_or_refused_with_a_4xx(data, fmt):
    store = MemoryStore()
    try:
        run_import(store, data, fmt=fmt)
    except StdgraphError as e:
        assert 400 <= e.http_status < 500, e
        assert store.graph_names() == []
