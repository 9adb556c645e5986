"""The analyses on an I40KG import: a classification described in two frameworks is one
element, and the scheme of unresolved classifications is no framework (issue 16, item 3).

Fixture: tests/fixtures/sto/two-frameworks.ttl. The import makes one element per framework for
sto:RamiStation, sto:RamiWorkCenter and sto:RamiHeader (RAMI 4.0 and the Administration Shell,
``S``, ``W``, ``H``; the two views are linked by sg:sameElementAs) and puts the undefined
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


def pairs(doc) -> list[tuple[str, str, float, list[str]]]:
    return [(i["a"].removeprefix(str(STD)), i["b"].removeprefix(str(STD)), i["score"],
             [s["iri"] for s in i["shared"]]) for i in doc.items]


# -- the mapping ---------------------------------------------------------------------------------

def test_two_views_of_one_classification_are_declared_the_same_element(store):
    g = graph(store)
    for name in ("RamiStation", "RamiWorkCenter", "RamiHeader"):
        a, r = ARCH[f"AdministrationShell/{name}"], ARCH[f"Rami/{name}"]
        assert (a, SKOS.inScheme, AAS) in g and (r, SKOS.inScheme, RAMI) in g
        # stated once (symmetric), from the alphabetically first IRI; exactMatch both ways
        assert (a, SG.sameElementAs, r) in g and (r, SG.sameElementAs, a) not in g
        assert (a, SKOS.exactMatch, r) in g and (r, SKOS.exactMatch, a) in g
    # a standard classified in the I40KG classification is classified in both views
    assert set(g.objects(STD.IEC_24760, SG.classifiedIn)) == {
        ARCH["AdministrationShell/RamiStation"], ARCH["Rami/RamiStation"],
        ARCH["Rami/RamiInformationLayer"], ARCH["IIRA/IIRASecurity"]}
    assert len(set(g.subject_objects(SG.sameElementAs))) == 3


def test_the_unresolved_bucket_is_no_reference_architecture(store):
    g = graph(store)
    assert set(g.objects(UNRESOLVED, RDF.type)) == {SG.UnresolvedElementScheme,
                                                     SKOS.ConceptScheme}
    assert set(g.subjects(RDF.type, SG.ReferenceArchitecture)) == {AAS, IIRA, RAMI}
    assert set(g.subjects(SKOS.inScheme, UNRESOLVED)) == {
        ARCH["unresolved/InformationDomain"], ARCH["unresolved/RamiFunctional"],
        ARCH["unresolved/Nowhere"]}


# -- overlaps and clusters: one classification counts once -----------------------------------------

def test_overlaps_count_a_two_framework_classification_once(store):
    station = ARCH["AdministrationShell/RamiStation"]
    work = ARCH["AdministrationShell/RamiWorkCenter"]
    assert pairs(run("overlaps", store, {"min_shared": "2"})) == [
        ("IEC_61131", "IEC_62890", 0.5, [str(station), str(work)])]
    assert pairs(run("overlaps", store, {"min_shared": "3"})) == []
    assert pairs(run("overlaps", store, {"min_shared": "1"})) == [
        ("IEC_61131", "IEC_62890", 0.5, [str(station), str(work)]),
        ("IEC_24760", "ISO_15746", 0.25, [str(ARCH["Rami/RamiInformationLayer"])]),
        ("IEC_24760", "IEC_61131", 0.2, [str(station)]),
        ("IEC_24760", "IEC_62541", 0.2, [str(ARCH["IIRA/IIRASecurity"])]),
        ("IEC_24760", "IEC_62890", 0.2, [str(station)]),
        ("IEC_61131", "IEC_62541", 0.2, [str(ARCH["Rami/RamiCommunicationlayer"])])]
    item = run("overlaps", store, {"min_shared": "2"}).items[0]
    assert (item["evidence"]["a_coverage"], item["evidence"]["b_coverage"],
            item["evidence"]["union"]) == (3, 3, 4)


def test_expand_gives_the_same_pairs(store):
    """--expand merges the views too (skos:exactMatch), so it changes nothing here."""
    assert [p[:3] for p in pairs(run("overlaps", store, {"min_shared": "1",
                                                         "expand": "true"}))] == [
        p[:3] for p in pairs(run("overlaps", store, {"min_shared": "1"}))]


def test_clusters_count_a_two_framework_classification_once(store):
    doc = run("clusters", store, {})
    assert [(c["size"], c["pairs"], [s["iri"] for s in c["standards"]],
             [(e["iri"], e["standards"]) for e in c["elements"]]) for c in doc.items] == [
        (2, 1, [str(STD.IEC_61131), str(STD.IEC_62890)],
         [(str(ARCH["AdministrationShell/RamiStation"]), 2),
          (str(ARCH["AdministrationShell/RamiWorkCenter"]), 2)])]


# -- classification mismatch: two real frameworks ------------------------------------------------

def test_mismatch_needs_two_reference_architectures(store):
    doc = run("conflicts", store, {"kinds": "classification-mismatch"})
    assert [(i["evidence"]["element"]["iri"], i["evidence"]["framework"]["iri"],
             i["evidence"]["other_framework"]["iri"], [m["iri"] for m in i["evidence"]["mapped"]])
            for i in doc.items] == [
        (str(ARCH["Rami/RamiCommunicationlayer"]), str(RAMI), str(IIRA),
         [str(ARCH["IIRA/IIRAConnectivity"])])]
    assert doc.items[0]["subjects"][0]["iri"] == str(STD.IEC_62541)


# -- gaps: one classification counts once, the bucket is no architecture -----------------------

def test_gaps_leave_out_the_unresolved_bucket(store):
    """sto:Nowhere (alignments only) is in the bucket and no standard is classified in it: no
    gap, since the bucket is no architecture."""
    doc = run("gaps", store, {"kinds": "architecture-element"})
    assert str(UNRESOLVED) not in [i["scheme"] for i in doc.items]
    assert run("gaps", store, {"kinds": "architecture-element",
                               "scheme": str(UNRESOLVED)}).items == []


def test_gaps_list_a_two_framework_classification_once(store):
    doc = run("gaps", store, {"kinds": "architecture-element"})
    assert [(i["subject"], i["scheme"]) for i in doc.items] == [
        (str(ARCH["AdministrationShell/RamiHeader"]), str(AAS)),
        (str(ARCH["IIRA/IIRAConnectivity"]), str(IIRA))]
    assert doc.items[0]["reason"] == ("no linked standard is classified in this element, nor in the "
                                      "same element of RAMI 4.0")
    rami = run("gaps", store, {"kinds": "architecture-element", "scheme": str(RAMI)})
    assert [i["subject"] for i in rami.items] == [str(ARCH["Rami/RamiHeader"])]
    assert rami.items[0]["reason"] == ("no linked standard is classified in this element, nor in the "
                                       "same element of Administration Shell")


# -- the real file -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    st = MemoryStore()
    import_sto(st, I40KG, links=CuratedLinks())
    return st


def test_real_file_pair_sharing_only_station_is_no_overlap(real):
    """IEC 24760 and IEC 62890 share only sto:RamiStation (RAMI 4.0 and Administration Shell):
    one element, so they do not pass min_shared 2."""
    found = {(i["a"], i["b"]) for i in run("overlaps", real, {"min_shared": "2",
                                                              "limit": "0"}).items}
    assert (str(STD.IEC_24760), str(STD.IEC_62890)) not in found
    one = {(i["a"], i["b"]): [s["iri"] for s in i["shared"]]
           for i in run("overlaps", real, {"min_shared": "1", "limit": "0"}).items}
    assert one[(str(STD.IEC_24760), str(STD.IEC_62890))] == [
        str(ARCH["AdministrationShell/RamiStation"])]
    views = {"RamiStation", "RamiWorkCenter", "RamiHeader"}  # in RAMI 4.0 and the AAS
    for shared in one.values():  # no pair shares both views of one classification
        names = [s.rsplit("/", 1)[1] for s in shared if s.rsplit("/", 1)[1] in views]
        assert len(names) == len(set(names)), shared


def test_real_file_no_mismatch_names_the_unresolved_bucket(real):
    doc = run("conflicts", real, {"kinds": "classification-mismatch", "limit": "0"})
    assert doc.items
    for i in doc.items:
        ev = i["evidence"]
        named = [ev["framework"]["iri"], ev["other_framework"]["iri"], ev["element"]["iri"],
                 *(e["iri"] for e in ev["mapped"]), *(e["iri"] for e in ev["classified_in_other"])]
        assert not [x for x in named if x.startswith(str(UNRESOLVED))], i["message"]
