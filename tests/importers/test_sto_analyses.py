"""The analyses on an I40KG import: a classification described in two frameworks is one
element, and the scheme of unresolved classifications is no framework (issue 16, item 3).

Fixture: tests/fixtures/sto/two-frameworks.ttl. The import makes one element per framework for
sto:RamiStation, sto:RamiWorkCenter and sto:RamiHeader (RAMI 4.0 and the Administration Shell,
``S``, ``W``, ``H``) and puts the undefined
sto:InformationDomain, sto:RamiFunctional and sto:Nowhere in the scheme "unresolved". Worked out
by hand from the file:

| standard | publisher | classified in (I40KG) | elements, views counted once |
| --- | --- | --- | --- |
| IEC 24760 | ISO | RamiStation, RamiInformationLayer, IIRASecurity | S, I, Sec (3) |
| IEC 62890 | IEC | RamiStation, RamiWorkCenter, AsLifecycle_Status | S, W, L (3) |
| IEC 61131 | PLCopen | RamiStation, RamiWorkCenter, RamiCommunicationlayer | S, W, C (3) |
| IEC 62541 | IEC | RamiCommunicationlayer, IIRASecurity, InformationDomain* | C, Sec, ID (3) |
| ISO 15746 | ISO | RamiInformationLayer, RamiFunctional* | I, F (2) |

Pairs (shared / union): 61131-62890 2/4 = 0.5; 24760-15746 1/4 = 0.25; 24760-61131,
24760-62541, 24760-62890, 61131-62541 1/5 = 0.2. Counting each view as an element of its own
(S and W twice), 24760-62890 and 24760-61131 shared 2 of 7 and 61131-62890 4 of 6.

Mappings (sto:alignsWith -> skos:relatedMatch): IIRAConnectivity-RamiCommunicationlayer,
InformationDomain*-RamiInformationLayer, IIRAConnectivity-Nowhere*. The one classification
mismatch between two frameworks: IEC 62541 is in RAMI Communication Layer and in the IIRA
(Security), not in IIRA Connectivity. With the bucket as a framework there were two more:
IEC 62541 (InformationDomain* vs RAMI) and ISO 15746 (RAMI Information Layer vs the bucket).

Elements no standard is classified in: RAMI Header (both views), IIRA Connectivity, and
sto:Nowhere (in the bucket, which is no architecture).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF, SKOS

from stdgraph.analysis import run
from stdgraph.importers import import_sto
from stdgraph.importers.sto import CuratedLinks
from stdgraph.store import MemoryStore, OxigraphStore

HERE = Path(__file__).resolve().parents[1]
FIXTURE = HERE / "fixtures" / "sto" / "two-frameworks.ttl"
I40KG = Path(__file__).resolve().parents[3] / "shared" / "data" / "i40kg" / "i40kg.ttl"

SG = Namespace("https://w3id.org/stdgraph/ontology#")
ID = "https://w3id.org/stdgraph/id/i40kg/"
STD = Namespace(ID + "standard/")
ARCH = Namespace(ID + "architecture/")
AAS, RAMI, IIRA = ARCH.AdministrationShell, ARCH.Rami, ARCH.IIRA
UNRESOLVED = ARCH.unresolved


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def store(request, tmp_path_factory):
    st = (OxigraphStore(tmp_path_factory.mktemp("two-frameworks") / "store")
          if request.param == "oxigraph" else MemoryStore())
    import_sto(st, FIXTURE, links=CuratedLinks())
    yield st
    st.close()


def graph(store) -> Graph:
    g = Graph()
    for name in store.graph_names():
        for t in store.triples(name):
            g.add(t)
    return g


# -- the mapping ---------------------------------------------------------------------------------

def test_the_unresolved_bucket_is_no_reference_architecture(store):
    g = graph(store)
    assert set(g.objects(UNRESOLVED, RDF.type)) == {SG.UnresolvedElementScheme,
                                                     SKOS.ConceptScheme}
    assert set(g.subjects(RDF.type, SG.ReferenceArchitecture)) == {AAS, IIRA, RAMI}
    assert set(g.subjects(SKOS.inScheme, UNRESOLVED)) == {
        ARCH["unresolved/InformationDomain"], ARCH["unresolved/RamiFunctional"],
        ARCH["unresolved/Nowhere"]}


# -- classification mismatch: two real frameworks ------------------------------------------------

def test_mismatch_needs_two_reference_architectures(store):
    doc = run("conflicts", store, {"kinds": "classification-mismatch"})
    assert [(i["evidence"]["element"]["iri"], i["evidence"]["framework"]["iri"],
             i["evidence"]["other_framework"]["iri"], [m["iri"] for m in i["evidence"]["mapped"]])
            for i in doc.items] == [
        (str(ARCH["Rami/RamiCommunicationlayer"]), str(RAMI), str(IIRA),
         [str(ARCH["IIRA/IIRAConnectivity"])])]
    assert doc.items[0]["subjects"][0]["iri"] == str(STD.IEC_62541)


# -- gaps: the bucket is no architecture --------------------------------- -------------------------

def test_gaps_leave_out_the_unresolved_bucket(store):
    """sto:Nowhere (alignments only) is in the bucket and no standard is classified in it: no
    gap, since the bucket is no architecture."""
    doc = run("gaps", store, {"kinds": "architecture-element"})
    assert str(UNRESOLVED) not in [i["scheme"] for i in doc.items]
    assert run("gaps", store, {"kinds": "architecture-element",
                               "scheme": str(UNRESOLVED)}).items == []


# -- the real file -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    st = MemoryStore()
    import_sto(st, I40KG, links=CuratedLinks())
    return st


def test_real_file_no_mismatch_names_the_unresolved_bucket(real):
    doc = run("conflicts", real, {"kinds": "classification-mismatch", "limit": "0"})
    assert doc.items
    for i in doc.items:
        ev = i["evidence"]
        named = [ev["framework"]["iri"], ev["other_framework"]["iri"], ev["element"]["iri"],
                 *(e["iri"] for e in ev["mapped"]), *(e["iri"] for e in ev["classified_in_other"])]
        assert not [x for x in named if x.startswith(str(UNRESOLVED))], i["message"]
