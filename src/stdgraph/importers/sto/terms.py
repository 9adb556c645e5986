"""STO's terms and stdgraph's IRIs for imported STO resources: namespaces, the classes and
properties the mapping reads, status and relation tables, IRI minting, labels from STO."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, unquote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DC, DCTERMS, FOAF, OWL, PROV, RDFS, SKOS, XSD
from rdflib.term import Node

from stdgraph.importers.base import default_name as base_default_name
from stdgraph.importers.base import graph_iri
from stdgraph.rdf.namespaces import GRAPH_BASE, SG, SGID, STO

#: the vocabulary's name: ``stdgraph import sto``, ``POST /import/sto``, ``graph/import/sto/``
VOCABULARY = "sto"
STO_IOT = Namespace("https://w3id.org/i40/sto/iot#")
DUL = Namespace("http://www.ontologydesignpatterns.org/ont/dul/DUL.owl#")
STO_NS = str(STO)
STO_IOT_NS = str(STO_IOT)
STO_PREFIX = "https://w3id.org/i40/sto"  # both namespaces

#: stdgraph IRIs for imported resources, and the named graphs of imports
BASE = str(SGID) + "i40kg/"
IMPORT_GRAPH_BASE = GRAPH_BASE + f"import/{VOCABULARY}/"
UNRESOLVED_SCHEME = URIRef(BASE + "architecture/unresolved")

#: STO classes whose instances become sg:Standard (sg:Standard covers specifications, technical
#: reports and parts); plain sto:Publication (white papers, articles) is not a standard.
STANDARD_CLASSES = (STO.Standard, STO.TechnicalSpecification, STO.TechnicalReport,
                    STO.StandardPart)
FRAMEWORK_CLASSES = (STO.StandardizationFramework, STO.ArchitectureDescription)
#: the sub-classes of sto:StandardClassification in STO (used when a file has no schema)
CLASSIFICATION_CLASSES = (STO.StandardClassification, *(STO[n] for n in (
    "RamiITLayer", "RamiHierarchyLevel", "RamiLifeCycleLayer", "RamiAdminShellSubmodel",
    "IIRAFunctionalDomain", "IIRACrosscuttingFunction", "IIRASystemCharacteristics",
    "IicfConnectivityLayer", "Viewpoint", "IviLayer", "ISA95Level", "ProductDevelopmentLifeCycle",
    "ProductionSystemLifeCycle", "BusinessCycleSCM", "IDSRAMLayer", "IdsPerspective",
    "FiwareChapter", "NGSI_Context_Information_Management_API", "BdvaConcern", "IotaPerspective",
    "OcfBlock", "EdgecrossLayer", "xRoadSection", "AiiClassification", "RamiControlDevice")))

#: sto:hasStatus literal (lower case, spaces collapsed) -> sg:Status; docs/i40kg.md explains each
STATUS_MAP = {
    "valid": SG.Published,
    "withdrawn": SG.Withdrawn,
    "replaced": SG.Superseded,
    "redline version": SG.Published,
    "rlv-redline version": SG.Published,
    "pre release version (prv)": SG.UnderDevelopment,
}
#: the STO literal written back for each status on export
STATUS_BACK = {SG.Published: "Valid", SG.Withdrawn: "Withdrawn", SG.Superseded: "Replaced",
               SG.UnderDevelopment: "Pre release version (PRV)"}
#: when one standard has two statuses that map differently, the most final one wins
STATUS_PRECEDENCE = [SG.Withdrawn, SG.Superseded, SG.Published, SG.UnderDevelopment]

#: relations between standards: STO property -> stdgraph property
STANDARD_RELATIONS = {
    STO.relatedTo: SG.relatedTo,
    STO.isPartOf: SG.partOf,
    STO.isImplementationOf: SG.basedOn,
    STO.uses: SG.references,
    STO.useStructureOf: SG.references,
    STO.hasPreviousVersion: SG.relatedTo,
    DUL.isComponentOf: SG.relatedTo,
    PROV.wasRevisionOf: PROV.wasRevisionOf,
}
ALIGNMENTS = (STO.alignsWith, STO_IOT.alignsWith)

IGNORED_TYPES = {OWL.NamedIndividual, OWL.Thing}


def qname(node: Node) -> str:
    """``sto:X`` / ``sto_iot:X`` for STO IRIs, the IRI otherwise (for summaries)."""
    s = str(node)
    if s.startswith(STO_NS):
        return "sto:" + s[len(STO_NS):]
    if s.startswith(STO_IOT_NS):
        return "sto_iot:" + s[len(STO_IOT_NS):]
    if s.startswith(BASE):
        return "i40kg:" + s[len(BASE):]
    for prefix, ns in (("sg", SG), ("dul", DUL), ("prov", PROV), ("foaf", FOAF),
                       ("skos", SKOS), ("dcterms", DCTERMS)):
        if s.startswith(str(ns)):
            return f"{prefix}:{s[len(str(ns)):]}"
    return s



def import_graph_iri(name: str) -> str:
    """The named graph of the STO import called ``name``."""
    return graph_iri(VOCABULARY, name)


def default_name(path: Path) -> str:
    return base_default_name(path, VOCABULARY)


# -- IRIs ----------------------------------------------------------------------------------------

def _safe(text: str) -> str:
    return quote(text, safe="-._~!$&'()*+,;=:@")


def local(iri: Node) -> str:
    """The IRI-safe local part used in minted IRIs: the STO local name (case kept), else the
    last segment of the IRI plus a short hash (so two foreign IRIs never collide)."""
    s = str(iri)
    if s.startswith(STO_NS) and len(s) > len(STO_NS):
        return _safe(s[len(STO_NS):])
    if s.startswith(STO_IOT_NS) and len(s) > len(STO_IOT_NS):
        return "iot-" + _safe(s[len(STO_IOT_NS):])
    tail = re.split(r"[#/]", s.rstrip("/#"))[-1] or "resource"
    return _safe(tail) + "-" + hashlib.sha1(s.encode()).hexdigest()[:8]


def standard_iri(sto: Node) -> URIRef:
    return URIRef(f"{BASE}standard/{local(sto)}")


def body_iri(sto: Node) -> URIRef:
    return URIRef(f"{BASE}body/{local(sto)}")


def scheme_iri(framework: Node) -> URIRef:
    return URIRef(f"{BASE}architecture/{local(framework)}")


def element_iri(framework: Node | None, classification: Node) -> URIRef:
    scheme = UNRESOLVED_SCHEME if framework is None else scheme_iri(framework)
    return URIRef(f"{scheme}/{local(classification)}")


def mapping_iri(a: URIRef, b: URIRef) -> URIRef:
    prefix = BASE + "architecture/"
    return URIRef(f"{BASE}mapping/{str(a)[len(prefix):]}--{str(b)[len(prefix):]}")


def label_from_iri(iri: Node, camel: bool) -> str:
    """A label made from an IRI's local name (for resources I40KG leaves unlabelled)."""
    s = str(iri)
    for ns in (STO_NS, STO_IOT_NS):
        if s.startswith(ns):
            s = s[len(ns):]
            break
    else:
        s = re.split(r"[#/]", s.rstrip("/#"))[-1]
    s = unquote(s).replace("_", " ")
    if camel:
        s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", s)
    return re.sub(r"\s+", " ", s).strip() or str(iri)


# -- labels --------------------------------------------------------------------------------------

def is_english(lit: Node) -> bool:
    if not isinstance(lit, Literal):
        return False
    if lit.language:
        return lit.language.lower() == "en" or lit.language.lower().startswith("en-")
    return lit.datatype in (None, XSD.string)


def pick_labels(src: Graph, node: Node, props: Iterable[URIRef]
                ) -> tuple[Literal | None, list[Literal]]:
    """(the English label, the other labels): untagged strings count as English; of several
    English labels the alphabetically first is chosen, the rest become alternative labels."""
    english: list[str] = []
    other: list[Literal] = []
    for p in props:
        for o in src.objects(node, p):
            if is_english(o):
                text = str(o).strip()
                if text and text not in english:
                    english.append(text)
            elif isinstance(o, Literal) and o.language:
                other.append(Literal(str(o).strip(), lang=o.language))
    english.sort()
    if not english:
        return None, sorted(set(other), key=str)
    alts = [Literal(t, lang="en") for t in english[1:]]
    return Literal(english[0], lang="en"), alts + sorted(set(other), key=str)


LABEL_PROPS = (RDFS.label, SKOS.prefLabel)
TITLE_PROPS = (DCTERMS.title, DC.title)
BODY_LABEL_PROPS = (RDFS.label, SKOS.prefLabel, FOAF.name, DCTERMS.title)

