"""One element in two architectures (sg:sameElementAs, docs/analyses.md): the analyses count the
copies as one element on any data, not only on an I40KG import (tests/importers/
test_sto_analyses.py). Here standards are classified in one copy or the other, and the copies
are linked by sg:sameElementAs only (c, d) or also by skos:exactMatch (a1, b1), as the I40KG
import links them. Worked out by hand:

| element | scheme | same as | classified |
| --- | --- | --- | --- |
| fa:a1 | fa | fb:b1 (also exactMatch) | std-x, std-w |
| fb:b1 | fb | fa:a1 | std-y |
| fa:a2 | fa | | std-x, std-y, std-w (fa:a2 closeMatch fb:b2) |
| fb:b2 | fb | | |
| fa:c1 | fa | fb:c2 | |
| fb:c2 | fb | fa:c1 | std-z |
| fa:d1 | fa | fb:d2 | |
| fb:d2 | fb | fa:d1 | |
| fb:b3 | fb | | std-w |

Overlaps: std-x {a1, a2} and std-y {a1 (as b1), a2}: 2 shared of 2, score 1; std-w {a1, a2,
b3} with each: 2 of 3. Gaps: b2 (fb), and d1/d2 once (in fa, the smaller scheme IRI); c1 is
covered by std-z through c2. Mismatches: std-w is in fa:a2 and in fb (b3), std-y in fa:a2 and in
fb (b1), neither in fb:b2 (closeMatch): two items; std-w's a1 vs fb (exactMatch b1) is none,
std-w being in a1's copy b1 by sameElementAs.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, Namespace
from rdflib.namespace import RDF, RDFS, SKOS

from stdgraph.analysis import run
from stdgraph.store import MemoryStore, OxigraphStore

SG = Namespace("https://w3id.org/stdgraph/ontology#")
EX = Namespace("https://example.org/same/")
FA, FB = EX.fa, EX.fb
GRAPH = "https://example.org/same/graph"


def triples() -> list[tuple]:
    out: list[tuple] = []
    for scheme, label in ((FA, "Framework A"), (FB, "Framework B")):
        out += [(scheme, RDF.type, SG.ReferenceArchitecture),
                (scheme, RDF.type, SKOS.ConceptScheme), (scheme, RDFS.label, Literal(label))]
    for name, scheme in (("a1", FA), ("a2", FA), ("c1", FA), ("d1", FA),
                         ("b1", FB), ("b2", FB), ("b3", FB), ("c2", FB), ("d2", FB)):
        out += [(EX[name], RDF.type, SG.ArchitectureElement), (EX[name], SKOS.inScheme, scheme),
                (EX[name], RDFS.label, Literal(name))]
    out += [(EX.b1, SG.sameElementAs, EX.a1), (EX.a1, SKOS.exactMatch, EX.b1),
            (EX.c1, SG.sameElementAs, EX.c2),
            (EX.d1, SG.sameElementAs, EX.d2), (EX.a2, SKOS.closeMatch, EX.b2)]
    for std, elements in (("std-x", ("a1", "a2")), ("std-y", ("b1", "a2")),
                          ("std-w", ("a1", "a2", "b3")), ("std-z", ("c2",))):
        out.append((EX[std], RDF.type, SG.Standard))
        out += [(EX[std], SG.classifiedIn, EX[e]) for e in elements]
    return out


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def store(request, tmp_path_factory):
    st = (OxigraphStore(tmp_path_factory.mktemp("same") / "store")
          if request.param == "oxigraph" else MemoryStore())
    st.replace_all({GRAPH: triples()})
    yield st
    st.close()


def test_overlaps_count_the_copies_once(store):
    doc = run("overlaps", store, {"min_shared": "2"})
    assert [(i["a"], i["b"], i["score"], [s["iri"] for s in i["shared"]]) for i in doc.items] == [
        (str(EX["std-x"]), str(EX["std-y"]), 1.0, [str(EX.a1), str(EX.a2)]),
        (str(EX["std-w"]), str(EX["std-x"]), 0.666667, [str(EX.a1), str(EX.a2)]),
        (str(EX["std-w"]), str(EX["std-y"]), 0.666667, [str(EX.a1), str(EX.a2)])]


def test_gaps_cover_and_list_the_copies_once(store):
    doc = run("gaps", store, {"kinds": "architecture-element"})
    assert [(i["subject"], i["scheme"], i["reason"]) for i in doc.items] == [
        (str(EX.d1), str(FA), "no linked standard is classified in this element, nor in the same "
                              "element of Framework B"),
        (str(EX.b2), str(FB), "no linked standard is classified in this element")]
    fb = run("gaps", store, {"kinds": "architecture-element", "scheme": str(FB)})
    assert [i["subject"] for i in fb.items] == [str(EX.b2), str(EX.d2)]


def test_mismatch_reads_a_copy_as_the_element(store):
    doc = run("conflicts", store, {"kinds": "classification-mismatch"})
    assert [[s["iri"] for s in i["subjects"]] for i in doc.items] == [
        [str(EX["std-w"]), str(EX.a2), str(EX.b3)], [str(EX["std-y"]), str(EX.a2), str(EX.b1)]]
