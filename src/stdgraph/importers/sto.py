"""The Industry 4.0 Knowledge Graph (I40KG, vocabulary STO) in and out of stdgraph.

``import_sto`` maps an STO file into stdgraph's ontology and writes it into one named graph of
its own, ``https://w3id.org/stdgraph/graph/import/sto/<name>``; ``export_sto`` writes the
standards and classifications a store holds in STO terms. The mapping rules, the choices behind
them and the figures on the real file are in docs/i40kg.md; in short:

- Every imported resource gets a stdgraph IRI under ``https://w3id.org/stdgraph/id/i40kg/``
  (standards ``standard/<local>``, publishers ``body/<local>``, frameworks
  ``architecture/<framework>``, elements ``architecture/<framework>/<local>``, mapping records
  ``mapping/...``), where ``<local>`` is the STO local name, letter case kept. The STO IRI stays
  reachable with ``skos:exactMatch`` (``prov:wasDerivedFrom`` for a framework, since SKOS mapping
  properties are for concepts). Nothing is ``owl:sameAs``.
- Elements and standards are also linked with ``skos:exactMatch`` to stdgraph's own curated
  resources that already carry ``skos:exactMatch`` to the same STO IRI (read from the project's
  ``data/`` files, so the import graph is the same whether or not the bundled graph is built).
- Nothing is dropped silently: what cannot be mapped (dangling classification IRIs, self-links,
  missing labels, elements in two frameworks, alignments to standards, ...) is counted and listed
  in the summary, and imported in the documented way where there is one.

The import graph holds no blank nodes and no OWL-RL closure, so importing the same file twice
gives the same graph: a repeat import that would change nothing but the time of import leaves
the graph (and its recorded time) as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DC, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from stdgraph import __version__
from stdgraph.errors import UsageError
from stdgraph.rdf.io import parse_graph, parse_quads
from stdgraph.rdf.namespaces import GRAPH_BASE, SG, SGID, STO, sparql_prologue
from stdgraph.rdf.results import Triple
from stdgraph.sparql.terms import iri_ref
from stdgraph.store.base import Store

STO_IOT = Namespace("https://w3id.org/i40/sto/iot#")
DUL = Namespace("http://www.ontologydesignpatterns.org/ont/dul/DUL.owl#")
STO_NS = str(STO)
STO_IOT_NS = str(STO_IOT)
STO_PREFIX = "https://w3id.org/i40/sto"  # both namespaces

#: stdgraph IRIs for imported resources, and the named graphs of imports
BASE = str(SGID) + "i40kg/"
IMPORT_GRAPH_BASE = GRAPH_BASE + "import/sto/"
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

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_IGNORED_TYPES = {OWL.NamedIndividual, OWL.Thing}


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
    if not _NAME.match(name):
        raise UsageError(f"import name {name!r}: use letters, digits, '.', '_' or '-' "
                         "(at most 64, starting with a letter or digit)")
    return IMPORT_GRAPH_BASE + name


def default_name(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._").lower()
    return stem[:64] or "sto"


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


def _words(iri: Node, camel: bool) -> str:
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

def _is_english(lit: Node) -> bool:
    if not isinstance(lit, Literal):
        return False
    if lit.language:
        return lit.language.lower() == "en" or lit.language.lower().startswith("en-")
    return lit.datatype in (None, XSD.string)


def _pick(src: Graph, node: Node, props: Iterable[URIRef]) -> tuple[Literal | None, list[Literal]]:
    """(the English label, the other labels): untagged strings count as English; of several
    English labels the alphabetically first is chosen, the rest become alternative labels."""
    english: list[str] = []
    other: list[Literal] = []
    for p in props:
        for o in src.objects(node, p):
            if _is_english(o):
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


# -- links to stdgraph's own curated resources ---------------------------------------------------

@dataclass
class CuratedLinks:
    """stdgraph resources that already point at an STO IRI, by kind: STO IRI -> stdgraph IRIs."""

    standards: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    elements: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    bodies: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    schemes: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    origin: str = "none"

    def count(self) -> int:
        return sum(len(v) for d in (self.standards, self.elements, self.bodies, self.schemes)
                   for v in d.values())


def curated_links(project) -> CuratedLinks:
    """Read the project's data files for ``skos:exactMatch`` links to STO IRIs (standards,
    elements, bodies) and ``rdfs:seeAlso`` / ``prov:wasDerivedFrom`` / ``skos:exactMatch`` links
    from reference architectures to STO frameworks."""
    from stdgraph.project import RDF_SUFFIXES

    types: dict[str, set[str]] = defaultdict(set)
    exact: list[tuple[str, str]] = []
    weak: list[tuple[str, str]] = []
    exact_p = str(SKOS.exactMatch)
    weak_p = {str(RDFS.seeAlso), str(PROV.wasDerivedFrom)}
    type_p = str(RDF.type)
    wanted = {str(SG.Standard), str(SG.ArchitectureElement), str(SG.StandardsBody),
              str(SG.ReferenceArchitecture)}
    for path in project.data_files:
        for q in parse_quads(path=path, fmt=RDF_SUFFIXES[path.suffix],
                             label=project.relative(path)):
            p = q.predicate.value
            s = getattr(q.subject, "value", None)
            o = getattr(q.object, "value", None)
            if s is None or o is None or s.startswith(BASE):
                continue
            if p == type_p and o in wanted:
                types[s].add(o)
            elif o.startswith(STO_PREFIX) and not s.startswith(STO_PREFIX):
                if p == exact_p:
                    exact.append((s, o))
                elif p in weak_p:
                    weak.append((s, o))
    links = CuratedLinks(origin=str(project.root))
    kinds = ((str(SG.Standard), links.standards), (str(SG.ArchitectureElement), links.elements),
             (str(SG.StandardsBody), links.bodies))
    for s, o in exact:
        for cls, table in kinds:
            if cls in types[s]:
                table.setdefault(URIRef(o), set()).add(URIRef(s))
    for s, o in exact + weak:
        if str(SG.ReferenceArchitecture) in types[s]:
            links.schemes.setdefault(URIRef(o), set()).add(URIRef(s))
    return links


# -- the mapping ---------------------------------------------------------------------------------

@dataclass
class _Resolved:
    elements: list[URIRef]
    kind: str  # "element", "case", "dangling", "no-framework", "not-classification"
    canonical: URIRef | None = None


class _Mapper:
    """One pass over the source graph; ``out`` is the import graph, ``s`` the summary."""

    def __init__(self, src: Graph, *, source_iri: URIRef, links: CuratedLinks,
                 resolve_case: bool) -> None:
        self.src = src
        self.source_iri = source_iri
        self.links = links
        self.resolve_case = resolve_case
        self.out = Graph()
        self.s: dict = {}
        self.labels: dict[URIRef, str] = {}
        self.scheme_of: dict[URIRef, URIRef] = {}
        self.notes: dict[URIRef, list[str]] = defaultdict(list)
        self._resolved: dict[URIRef, _Resolved] = {}
        self.element_labels_missing: list[str] = []

    # helpers
    def add(self, s, p, o) -> None:
        self.out.add((s, p, o))

    def declare(self, node: URIRef, classes: tuple, label: Literal, alts=()) -> None:
        """Type ``node`` and give it its label and alternative labels (remembered for
        messages)."""
        self.labels[node] = str(label)
        for cls in classes:
            self.add(node, RDF.type, cls)
        self.add(node, RDFS.label, label)
        for alt in alts:
            self.add(node, SKOS.altLabel, alt)

    def note(self, node: URIRef, text: str) -> None:
        if text not in self.notes[node]:
            self.notes[node].append(text)

    def instances(self, classes: Iterable[URIRef]) -> set[URIRef]:
        out: set[URIRef] = set()
        for c in classes:
            out |= {x for x in self.src.subjects(RDF.type, c) if isinstance(x, URIRef)}
        return out

    def subclasses(self, roots: Iterable[URIRef]) -> set[URIRef]:
        found = set(roots)
        todo = list(found)
        while todo:
            c = todo.pop()
            for sub in self.src.subjects(RDFS.subClassOf, c):
                if isinstance(sub, URIRef) and sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return found

    def typed(self, node: Node) -> set[URIRef]:
        return {t for t in self.src.objects(node, RDF.type) if t not in _IGNORED_TYPES}

    # the steps
    def run(self) -> tuple[Graph, dict]:
        self.docs = self.instances(STANDARD_CLASSES)
        self.frameworks = self.instances(self.subclasses(FRAMEWORK_CLASSES))
        cls_classes = self.subclasses(CLASSIFICATION_CLASSES)
        self.classifications = self.instances(cls_classes) - self.frameworks
        self.s["source_types"] = {qname(c): len(self.instances([c]))
                                  for c in (*STANDARD_CLASSES, *FRAMEWORK_CLASSES,
                                            STO.StandardClassification)}
        self.s["source_types"]["sto:StandardClassification incl. sub-classes"] = len(
            self.classifications)
        self.locals_ci: dict[str, list[URIRef]] = defaultdict(list)
        for c in self.classifications:
            self.locals_ci[str(c).lower()].append(c)
        self.frameworks_step()
        self.elements_step()
        self.standards_step()
        self.relations_step()
        self.classification_step()
        self.alignment_step()
        self.hierarchy_step()
        self.dangling_summary()
        for node, texts in self.notes.items():
            for t in texts:
                self.add(node, SKOS.editorialNote, Literal(t, lang="en"))
        self.s["missing_labels"] = {k: len(self.s[k]["labels_missing"])
                                    for k in ("standards", "publishers", "frameworks", "elements")}
        self.s["self_links"] = {"sto:relatedTo family": len(self.s["relations"]["self_links"]),
                                "sto:alignsWith": len(self.s["alignments"]["self_links"])}
        return self.out, self.s

    def source(self, node: URIRef) -> None:
        self.add(node, DCTERMS.source, self.source_iri)

    def frameworks_step(self) -> None:
        info = {"imported": len(self.frameworks), "labels_missing": [], "without_elements": [],
                "also_standards": [], "linked_to_stdgraph": {}}
        for fw in sorted(self.frameworks):
            scheme = scheme_iri(fw)
            label, alts = _pick(self.src, fw, LABEL_PROPS + TITLE_PROPS)
            if label is None:
                label = Literal(_words(fw, camel=True), lang="en")
                info["labels_missing"].append(qname(fw))
                self.note(scheme, f"I40KG gives {qname(fw)} no label; this one is made from its "
                                  "IRI.")
            self.declare(scheme, (SG.ReferenceArchitecture, SKOS.ConceptScheme), label, alts)
            self.add(scheme, PROV.wasDerivedFrom, fw)
            self.source(scheme)
            for curated in sorted(self.links.schemes.get(fw, ())):
                self.add(scheme, RDFS.seeAlso, curated)
                info["linked_to_stdgraph"][qname(fw)] = str(curated)
            if fw in self.docs:
                info["also_standards"].append(qname(fw))
                self.add(scheme, SG.specifiedBy, standard_iri(fw))
        self.s["frameworks"] = info

    def elements_step(self) -> None:
        info = {"classifications": len(self.classifications), "with_framework": 0,
                "elements": 0, "in_several_frameworks": {}, "without_framework": [],
                "described_in_non_framework": [], "labels_missing": self.element_labels_missing,
                "linked_to_stdgraph": 0, "unresolved_elements": 0}
        self.elements_of: dict[URIRef, list[URIRef]] = {}
        used: Counter = Counter()
        for c in sorted(self.classifications):
            targets = sorted(set(self.src.objects(c, STO.isDescribedin)))
            fws = [t for t in targets if t in self.frameworks]
            for t in targets:
                if t not in self.frameworks:
                    info["described_in_non_framework"].append([qname(c), qname(t)])
            if not fws:
                info["without_framework"].append(qname(c))
                self.elements_of[c] = [self.unresolved_element(c, defined=True)]
                continue
            info["with_framework"] += 1
            label, alts = _pick(self.src, c, LABEL_PROPS + TITLE_PROPS)
            unlabelled = label is None
            if unlabelled:
                label = Literal(_words(c, camel=True), lang="en")
                self.element_labels_missing.append(qname(c))
            copies = [element_iri(fw, c) for fw in fws]
            self.elements_of[c] = copies
            if len(fws) > 1:
                info["in_several_frameworks"][qname(c)] = [qname(f) for f in fws]
            for fw, e in zip(fws, copies, strict=True):
                used[fw] += 1
                self.element(e, scheme_iri(fw), label, alts, c)
                if unlabelled:
                    self.note(e, f"I40KG gives {qname(c)} no label; this one is made from its "
                                 "IRI.")
                if len(fws) > 1:
                    others = ", ".join(qname(f) for f in fws)
                    self.note(e, f"I40KG describes {qname(c)} in {len(fws)} frameworks "
                                 f"({others}); stdgraph keeps one element per framework, linked "
                                 "to each other by skos:exactMatch, and a standard classified in "
                                 f"{qname(c)} is classified in each of them.")
                    for other in copies:
                        if other != e:
                            self.add(e, SKOS.exactMatch, other)
                if self.links.elements.get(c):
                    info["linked_to_stdgraph"] += 1
        # things that are sto:isDescribedin something but are not classifications
        for s, o in sorted(self.src.subject_objects(STO.isDescribedin)):
            if s not in self.classifications and isinstance(s, URIRef):
                info["described_in_non_framework"].append([qname(s), qname(o)])
        info["elements"] = sum(len(v) for v in self.elements_of.values()
                               if self.scheme_of.get(v[0]) != UNRESOLVED_SCHEME)
        self.s["frameworks"]["without_elements"] = [qname(f) for f in sorted(self.frameworks)
                                                    if not used[f]]
        self.s["elements"] = info

    def element(self, e: URIRef, scheme: URIRef, label: Literal, alts: list[Literal],
                sto: URIRef) -> None:
        self.labels[e] = str(label)
        self.scheme_of[e] = scheme
        self.add(e, RDF.type, SG.ArchitectureElement)
        self.add(e, RDF.type, SKOS.Concept)
        self.add(e, SKOS.prefLabel, label)
        self.add(e, RDFS.label, label)
        for alt in alts:
            self.add(e, SKOS.altLabel, alt)
        self.add(e, SKOS.inScheme, scheme)
        self.add(e, SKOS.exactMatch, sto)
        for curated in sorted(self.links.elements.get(sto, ())):
            self.add(e, SKOS.exactMatch, curated)
        self.source(e)

    def unresolved_scheme(self) -> URIRef:
        if self.scheme_of.get(UNRESOLVED_SCHEME) is None:
            self.scheme_of[UNRESOLVED_SCHEME] = UNRESOLVED_SCHEME
            u = UNRESOLVED_SCHEME
            self.labels[u] = "Unresolved I40KG classifications"
            self.add(u, RDF.type, SG.ReferenceArchitecture)
            self.add(u, RDF.type, SKOS.ConceptScheme)
            self.add(u, RDFS.label, Literal(self.labels[u], lang="en"))
            self.add(u, DCTERMS.description, Literal(
                "Not a reference architecture: the classifications I40KG uses but never "
                "defines, or defines without naming their framework (sto:isDescribedin). They "
                "are kept here so that no classification of a standard is lost; each element "
                "says why in skos:editorialNote.", lang="en"))
            self.source(u)
        return UNRESOLVED_SCHEME

    def unresolved_element(self, c: URIRef, *, defined: bool) -> URIRef:
        scheme = self.unresolved_scheme()
        e = element_iri(None, c)
        if e in self.scheme_of:
            return e
        label, alts = _pick(self.src, c, LABEL_PROPS + TITLE_PROPS)
        if label is None:
            label = Literal(_words(c, camel=True), lang="en")
            if defined:
                self.element_labels_missing.append(qname(c))
                self.note(e, f"I40KG gives {qname(c)} no label; this one is made from its IRI.")
        self.element(e, scheme, label, alts, c)
        self.add(e, SKOS.topConceptOf, scheme)
        self.add(scheme, SKOS.hasTopConcept, e)
        if defined:
            self.note(e, f"I40KG defines {qname(c)} as a classification but names no framework "
                         "for it (no sto:isDescribedin), so it is kept in the scheme of "
                         "unresolved classifications.")
        else:
            hint = self.similar(c)
            self.note(e, f"I40KG uses {qname(c)} as a classification but never defines it (no "
                         "type, label or framework); kept in the scheme of unresolved "
                         "classifications with a label made from its IRI."
                      + (f" Similar defined classifications: {hint}." if hint else ""))
        return e

    def similar(self, c: URIRef) -> str:
        tail = str(c).rsplit("#", 1)[-1].lower()
        if len(tail) < 4:
            return ""
        hits = sorted(qname(x) for x in self.classifications
                      if tail in str(x).rsplit("#", 1)[-1].lower())
        return ", ".join(hits[:3])

    def resolve(self, node: Node) -> _Resolved:
        """Which elements a classification IRI stands for, and how it was resolved."""
        if not isinstance(node, URIRef):
            return _Resolved([], "not-classification")
        if node in self._resolved:
            return self._resolved[node]
        if node in self.classifications:
            kind = ("element" if self.scheme_of.get(self.elements_of[node][0]) !=
                    UNRESOLVED_SCHEME else "no-framework")
            r = _Resolved(self.elements_of[node], kind, node)
        elif self.typed(node) or node in self.frameworks or node in self.docs:
            r = _Resolved([], "not-classification")
        else:
            same = self.locals_ci.get(str(node).lower(), []) if self.resolve_case else []
            if len(same) == 1:
                canonical = same[0]
                r = _Resolved(self.elements_of[canonical], "case", canonical)
                for e in self.elements_of[canonical]:
                    self.note(e, f"I40KG also uses the undefined IRI {qname(node)}, which "
                                 f"differs from {qname(canonical)} only in letter case; its "
                                 "uses are imported as uses of this element.")
            else:
                r = _Resolved([self.unresolved_element(node, defined=False)], "dangling")
        self._resolved[node] = r
        return r

    def standards_step(self) -> None:
        info = {"imported": len(self.docs), "labels_missing": [], "with_publisher": 0,
                "without_publisher": 0, "status": Counter(), "status_literals": Counter(),
                "unknown_status": [], "conflicting_status": [], "without_status": 0,
                "publication_dates": 0, "linked_to_stdgraph": 0, "titles": 0,
                "publishers_not_iris": [], "dates_not_xsd_date": []}
        bodies: set[URIRef] = set()
        for d in sorted(self.docs):
            std = standard_iri(d)
            label, alts = _pick(self.src, d, LABEL_PROPS)
            identifier = _words(d, camel=False)
            if label is None:
                label = Literal(identifier, lang="en")
                info["labels_missing"].append(qname(d))
                self.note(std, f"I40KG gives {qname(d)} no label; the label is its identifier, "
                               "made from the IRI.")
            self.declare(std, (SG.Standard,), label, alts)
            self.add(std, SG.identifier, Literal(identifier))
            title, other_titles = _pick(self.src, d, TITLE_PROPS)
            if title is not None:
                info["titles"] += 1
                self.add(std, SG.title, title)
            for t in other_titles:
                self.add(std, SKOS.altLabel, t)
            for cls in STANDARD_CLASSES:
                if (d, RDF.type, cls) in self.src:
                    self.add(std, DCTERMS.type, cls)
            self.add(std, SKOS.exactMatch, d)
            curated = sorted(self.links.standards.get(d, ()))
            for c in curated:
                self.add(std, SKOS.exactMatch, c)
            if curated:
                info["linked_to_stdgraph"] += 1
            self.source(std)
            publishers = sorted(o for o in self.src.objects(d, STO.hasPublisher)
                                if isinstance(o, URIRef))
            for o in self.src.objects(d, STO.hasPublisher):
                if not isinstance(o, URIRef):
                    info["publishers_not_iris"].append([qname(d), str(o)])
                    self.note(std, f"I40KG names the publisher \"{o}\" as text, not as a "
                                   "resource; it is not imported.")
            for p in publishers:
                self.add(std, SG.publisher, body_iri(p))
                bodies.add(p)
            info["with_publisher" if publishers else "without_publisher"] += 1
            self.status(d, std, info)
            dates = sorted(o for o in self.src.objects(d, STO.hasPublicationDate)
                           if isinstance(o, Literal) and o.datatype == XSD.date)
            info["dates_not_xsd_date"] += [
                [qname(d), str(o)] for o in self.src.objects(d, STO.hasPublicationDate)
                if not (isinstance(o, Literal) and o.datatype == XSD.date)]
            if dates:
                info["publication_dates"] += 1
                self.add(std, SG.publicationDate, dates[0])
                if len(dates) > 1:
                    self.note(std, "I40KG gives several publication dates ("
                              + ", ".join(map(str, dates)) + "); the earliest is kept.")
        info["status"] = {qname(k): v for k, v in sorted(info["status"].items())}
        info["status_literals"] = dict(sorted(info["status_literals"].items()))
        self.s["standards"] = info
        self.bodies_step(bodies)

    def status(self, d: URIRef, std: URIRef, info: dict) -> None:
        values = sorted({str(o).strip() for o in self.src.objects(d, STO.hasStatus)
                         if isinstance(o, Literal)})
        mapped = set()
        for v in values:
            info["status_literals"][v] += 1
            key = re.sub(r"\s+", " ", v.lower())
            if key in STATUS_MAP:
                mapped.add(STATUS_MAP[key])
                if STATUS_BACK[STATUS_MAP[key]].lower() != key:
                    self.note(std, f"I40KG status \"{v}\" is imported as "
                                   f"{qname(STATUS_MAP[key])}.")
            else:
                info["unknown_status"].append([qname(d), v])
                self.note(std, f"I40KG status \"{v}\" has no stdgraph equivalent and is not "
                               "imported.")
        if not mapped:
            info["without_status"] += 1
            return
        chosen = next(s for s in STATUS_PRECEDENCE if s in mapped)
        if len(mapped) > 1:
            info["conflicting_status"].append([qname(d), values])
            self.note(std, "I40KG gives statuses that map to different stdgraph statuses ("
                      + ", ".join(values) + f"); the most final one, {qname(chosen)}, is kept.")
        info["status"][chosen] += 1
        self.add(std, SG.status, chosen)

    def bodies_step(self, bodies: set[URIRef]) -> None:
        info = {"imported": len(bodies), "labels_missing": [], "not_standard_organization": [],
                "linked_to_stdgraph": 0}
        for p in sorted(bodies):
            b = body_iri(p)
            label, alts = _pick(self.src, p, BODY_LABEL_PROPS)
            if label is None:
                label = Literal(_words(p, camel=False), lang="en")
                info["labels_missing"].append(qname(p))
                self.note(b, f"I40KG gives {qname(p)} no label; this one is made from its IRI.")
            if (p, RDF.type, STO.StandardOrganization) not in self.src:
                kinds = sorted(qname(t) for t in self.typed(p)) or ["untyped"]
                info["not_standard_organization"].append([qname(p), kinds])
                self.note(b, f"I40KG does not type {qname(p)} as a sto:StandardOrganization "
                             f"({', '.join(kinds)}); it is a sg:StandardsBody here because it "
                             "publishes standards (sto:hasPublisher).")
            self.declare(b, (SG.StandardsBody,), label, alts)
            self.add(b, SKOS.exactMatch, p)
            curated = sorted(self.links.bodies.get(p, ()))
            for c in curated:
                self.add(b, SKOS.exactMatch, c)
            info["linked_to_stdgraph"] += bool(curated)
            self.source(b)
        self.s["publishers"] = info

    def relations_step(self) -> None:
        info = {"source": {}, "imported": Counter(), "self_links": [], "skipped": []}
        for sto_p, sg_p in STANDARD_RELATIONS.items():
            pairs = sorted(self.src.subject_objects(sto_p))
            if pairs:
                info["source"][qname(sto_p)] = len(pairs)
            for a, b in pairs:
                if a == b:
                    info["self_links"].append([qname(a), qname(sto_p)])
                    if a in self.docs:
                        self.note(standard_iri(a), f"I40KG relates {qname(a)} to itself "
                                                   f"({qname(sto_p)}); the self-link is not "
                                                   "imported.")
                    continue
                if a in self.docs and b in self.docs:
                    self.add(standard_iri(a), sg_p, standard_iri(b))
                    info["imported"][qname(sg_p)] += 1
                else:
                    missing = [qname(x) for x in (a, b) if x not in self.docs]
                    info["skipped"].append([qname(a), qname(sto_p), qname(b),
                                            "not a standard: " + ", ".join(missing)])
        info["imported"] = dict(sorted(info["imported"].items()))
        self.s["relations"] = info

    def classification_step(self) -> None:
        triples = sorted(self.src.subject_objects(STO.hasClassification))
        info = {"sto:hasClassification": len(triples),
                "subjects": len({s for s, _ in triples}),
                "objects": len({o for _, o in triples}), "imported": 0,
                "standards_classified": 0, "skipped_subject_not_standard": [],
                "skipped_object_not_classification": []}
        classified: set[URIRef] = set()
        for s, c in triples:
            if s not in self.docs:
                kinds = sorted(qname(t) for t in self.typed(s)) or ["untyped"]
                info["skipped_subject_not_standard"].append([qname(s), qname(c), kinds])
                continue
            r = self.resolve(c)
            if r.kind == "not-classification":
                kinds = sorted(qname(t) for t in self.typed(c)) or ["untyped"]
                info["skipped_object_not_classification"].append([qname(s), qname(c), kinds])
                continue
            std = standard_iri(s)
            for e in r.elements:
                if (std, SG.classifiedIn, e) not in self.out:
                    self.add(std, SG.classifiedIn, e)
                    info["imported"] += 1
            classified.add(s)
        info["standards_classified"] = len(classified)
        self.s["classifications"] = info

    def alignment_step(self) -> None:
        info = {"source": {}, "pairs": 0, "self_links": [], "mappings": 0, "within_scheme": 0,
                "skipped": []}
        pairs: set[frozenset] = set()
        mapped: dict[tuple[URIRef, URIRef], set[URIRef]] = defaultdict(set)
        related: set[tuple[URIRef, URIRef]] = set()
        for prop in ALIGNMENTS:
            triples = sorted(self.src.subject_objects(prop))
            info["source"][qname(prop)] = len(triples)
            for a, b in triples:
                if a == b:
                    info["self_links"].append([qname(a), qname(prop)])
                    for e in self.resolve(a).elements:
                        self.note(e, f"I40KG aligns {qname(a)} with itself ({qname(prop)}); "
                                     "the self-link is not imported.")
                    continue
                pairs.add(frozenset((a, b)))
                ra, rb = self.resolve(a), self.resolve(b)
                if ra.kind == "not-classification" or rb.kind == "not-classification":
                    bad = [f"{qname(x)} ({', '.join(sorted(qname(t) for t in self.typed(x)))})"
                           for x, r in ((a, ra), (b, rb)) if r.kind == "not-classification"]
                    info["skipped"].append([qname(a), qname(prop), qname(b),
                                            "not a classification: " + "; ".join(bad)])
                    continue
                for x in ra.elements:
                    for y in rb.elements:
                        if x == y:
                            continue
                        key = (x, y) if str(x) < str(y) else (y, x)
                        if self.scheme_of[x] == self.scheme_of[y]:
                            related.add(key)
                        else:
                            mapped[key] |= {a, b}
        info["pairs"] = len(pairs)
        for x, y in sorted(related):
            self.add(x, SKOS.related, y)
        for (x, y), stos in sorted(mapped.items()):
            self.add(x, SKOS.relatedMatch, y)
            m = mapping_iri(x, y)
            label = (f"{self.labels[self.scheme_of[x]]}: {self.labels[x]} relatedMatch "
                     f"{self.labels[self.scheme_of[y]]}: {self.labels[y]}")
            self.add(m, RDF.type, SG.ArchitectureMapping)
            self.add(m, RDFS.label, Literal(label, lang="en"))
            self.add(m, SG.mappingSubject, x)
            self.add(m, SG.mappingObject, y)
            self.add(m, SG.mappingRelation, SKOS.relatedMatch)
            self.add(m, SG.mappingStatus, Literal("suggested"))
            self.add(m, SKOS.editorialNote, Literal(
                "I40KG states that these two classifications have a similar scope "
                "(sto:alignsWith) without a strength; skos:relatedMatch, the weakest SKOS "
                "mapping, is stdgraph's reading of it.", lang="en"))
            for s in sorted(stos):
                self.add(m, PROV.wasDerivedFrom, s)
            self.source(m)
        info["mappings"] = len(mapped)
        info["within_scheme"] = len(related)
        self.s["alignments"] = info

    def hierarchy_step(self) -> None:
        info = {"dul:isPartOf": 0, "broader": 0, "skipped": []}
        broader: set[tuple[URIRef, URIRef]] = set()
        for a, b in sorted(self.src.subject_objects(DUL.isPartOf)):
            if a not in self.classifications:
                continue
            info["dul:isPartOf"] += 1
            if b not in self.classifications:
                info["skipped"].append([qname(a), qname(b), "whole is not a classification"])
                continue
            found = False
            for x in self.elements_of[a]:
                for y in self.elements_of[b]:
                    if x != y and self.scheme_of[x] == self.scheme_of[y]:
                        broader.add((x, y))
                        found = True
            if not found:
                info["skipped"].append([qname(a), qname(b), "not in the same framework"])
        for x, y in sorted(broader):
            self.add(x, SKOS.broader, y)
            self.add(y, SKOS.narrower, x)
        info["broader"] = len(broader)
        children = {x for x, _ in broader}
        for e, scheme in sorted(self.scheme_of.items()):
            if e == scheme or scheme == UNRESOLVED_SCHEME or e in children:
                continue
            self.add(e, SKOS.topConceptOf, scheme)
            self.add(scheme, SKOS.hasTopConcept, e)
        self.s["hierarchy"] = info

    def dangling_summary(self) -> None:
        uses = Counter(o for o in self.src.objects(None, STO.hasClassification))
        iris = []
        for node, r in sorted(self._resolved.items()):
            if r.kind not in ("dangling", "case"):
                continue
            entry = {"iri": qname(node), "sto:hasClassification uses": uses.get(node, 0),
                     "resolution": (f"letter case of {qname(r.canonical)}" if r.kind == "case"
                                    else "scheme 'unresolved'")}
            iris.append(entry)
        used_as_classification = [e for e in iris if e["sto:hasClassification uses"]]
        self.s["dangling"] = {
            "classification_iris": len(used_as_classification),
            "alignment_only_iris": len(iris) - len(used_as_classification),
            "resolved_by_letter_case": sum(1 for e in iris if e["resolution"] != "scheme "
                                           "'unresolved'"),
            "unresolved": sum(1 for e in iris if e["resolution"] == "scheme 'unresolved'"),
            "iris": iris,
        }
        self.s["elements"]["unresolved_elements"] = sum(
            1 for e, sc in self.scheme_of.items() if sc == UNRESOLVED_SCHEME and e != sc)


#: The ``path`` an HTTP upload is imported under: its provenance names no local file.
UPLOAD_DIR = Path("/dev/null/upload")


def source_uri(path: Path) -> URIRef:
    """The IRI the provenance record gives the source: the file's URI, or for an HTTP upload
    (a path under UPLOAD_DIR) ``urn:stdgraph:upload:<name>``."""
    if path.parent == UPLOAD_DIR:
        return URIRef(f"urn:stdgraph:upload:{path.name}")
    return URIRef(path.resolve().as_uri())


def _provenance(src: Graph, path: Path, data: bytes) -> tuple[URIRef, dict]:
    """The source's ontology IRI (else its file URI) and its title, licences and rights."""
    ontologies = sorted(o for o in src.subjects(RDF.type, OWL.Ontology) if isinstance(o, URIRef))
    head = ontologies[0] if ontologies else None
    info = {"file": str(path), "sha256": hashlib.sha256(data).hexdigest(), "triples": len(src),
            "ontology": str(head) if head else None, "title": None, "licenses": [],
            "rights": []}
    if head is not None:
        titles = sorted(str(t) for p in (DCTERMS.title, RDFS.label) for t in src.objects(head, p))
        info["title"] = titles[0] if titles else None
        info["licenses"] = sorted(str(x) for p in (DCTERMS.license,) for x in src.objects(head, p))
        info["rights"] = sorted(str(x) for p in (DCTERMS.rights, DC.rights)
                                for x in src.objects(head, p))
    source_iri = head if head is not None else source_uri(path)
    return source_iri, info


def map_sto(
    src: Graph,
    *,
    path: Path,
    data: bytes,
    name: str,
    links: CuratedLinks | None = None,
    resolve_case: bool = True,
    when: str | None = None,
) -> tuple[Graph, dict]:
    """The import graph (with its provenance record) and the summary for a parsed STO graph."""
    links = links or CuratedLinks()
    source_iri, prov = _provenance(src, path, data)
    mapper = _Mapper(src, source_iri=source_iri, links=links, resolve_case=resolve_case)
    out, summary = mapper.run()
    graph = URIRef(import_graph_iri(name))
    activity = URIRef(BASE + "import/" + name)
    dataset = source_uri(path)
    out.add((graph, RDF.type, PROV.Entity))
    out.add((graph, RDFS.label, Literal(f"I40KG (STO) import \u201c{name}\u201d", lang="en")))
    out.add((graph, PROV.wasGeneratedBy, activity))
    out.add((graph, PROV.wasDerivedFrom, dataset))
    out.add((graph, DCTERMS.source, source_iri))
    out.add((activity, RDF.type, PROV.Activity))
    out.add((activity, RDFS.label, Literal("stdgraph import sto", lang="en")))
    out.add((activity, PROV.used, dataset))
    out.add((activity, PROV.wasAssociatedWith, Literal(f"stdgraph {__version__}")))
    out.add((activity, PROV.endedAtTime, Literal(
        when or datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    out.add((dataset, RDF.type, PROV.Entity))
    out.add((dataset, DCTERMS.identifier, Literal("sha256:" + prov["sha256"])))
    if prov["title"]:
        out.add((dataset, DCTERMS.title, Literal(prov["title"], lang="en")))
    if prov["ontology"]:
        out.add((dataset, DCTERMS.isVersionOf, URIRef(prov["ontology"])))
    for lic in prov["licenses"]:
        for node in (graph, dataset):
            out.add((node, DCTERMS.license, URIRef(lic) if _iri_like(lic) else Literal(lic)))
    for r in prov["rights"]:
        for node in (graph, dataset):
            out.add((node, DCTERMS.rights, Literal(r, lang="en")))
    if len(prov["licenses"]) + len(prov["rights"]) > 1:
        out.add((graph, SKOS.editorialNote, Literal(
            "The source states its terms more than once (dcterms:license and dcterms:rights) "
            "and they may disagree; all of them are recorded here as stated.", lang="en")))
    summary = {"source": prov, "graph": str(graph), "name": name, **summary}
    summary["links"] = {"origin": links.origin, "stdgraph resources pointing at STO IRIs":
                        links.count()}
    return out, summary


def _iri_like(text: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|^`\\]*$", text, re.I))


# -- writing into a store ------------------------------------------------------------------------

@dataclass
class ImportResult:
    graph: str
    status: str  # "created", "replaced" or "unchanged"
    triples: int
    summary: dict

    def as_json(self) -> str:
        return json.dumps(self.summary, indent=2, ensure_ascii=False, default=list) + "\n"

    def text(self) -> str:
        return summary_text(self.summary)


def _without_time(triples: Iterable[Triple]) -> set[Triple]:
    return {t for t in triples if t[1] != PROV.endedAtTime}


def import_sto(
    store: Store,
    path: str | Path,
    *,
    name: str | None = None,
    replace: bool = False,
    project=None,
    links: CuratedLinks | None = None,
    resolve_case: bool = True,
    shacl: bool = False,
) -> ImportResult:
    """Parse an STO file, map it, and write it into its own named graph atomically.

    A repeat import that changes nothing but the time leaves the graph as it was
    (``status="unchanged"``); one whose content differs from the graph already there needs
    ``replace=True``. ``project`` (default: the bundled graph) gives the curated resources to
    link to and, with ``shacl=True``, the shapes and ontology to validate the import graph with.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    return import_sto_data(store, path.read_bytes(), path=path, name=name, replace=replace,
                           project=project, links=links, resolve_case=resolve_case,
                           shacl=shacl)


def import_sto_data(
    store: Store,
    data: bytes,
    *,
    path: Path,
    fmt: str | None = None,
    name: str | None = None,
    replace: bool = False,
    project=None,
    links: CuratedLinks | None = None,
    resolve_case: bool = True,
    shacl: bool = False,
    write: Callable[[str, list], object] | None = None,
) -> ImportResult:
    """``import_sto`` for content already in memory (an HTTP upload): ``path`` names the
    source in the provenance record; ``write(graph_iri, triples)`` replaces the import graph
    (default ``store.replace_graph``; the HTTP API passes its guarded, transactional write)."""
    from stdgraph.project import RDF_SUFFIXES, Project

    timings: dict[str, float] = {}
    name = name or default_name(path)
    graph_iri = import_graph_iri(name)
    t0 = time.perf_counter()
    src = parse_graph(data, fmt=fmt or RDF_SUFFIXES.get(path.suffix.lower(), "turtle"),
                      label=str(path))
    timings["parse"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if project is None and links is None:
        try:
            project = Project.locate()
        except UsageError:
            project = None
    if links is None:
        links = curated_links(project) if project is not None else CuratedLinks()
    timings["links"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    out, summary = map_sto(src, path=path, data=data, name=name, links=links,
                           resolve_case=resolve_case)
    timings["map"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    existing = list(store.triples(graph_iri)) if graph_iri in store.graph_names() else []
    if existing and _without_time(existing) == _without_time(out):
        status = "unchanged"
        triples = len(existing)
    else:
        if existing and not replace:
            raise UsageError(
                f"{graph_iri} already holds a different import named {name!r}; use --replace "
                "to replace it, or --name for a second import")
        status = "replaced" if existing else "created"
        (write or store.replace_graph)(graph_iri, list(out))
        triples = len(out)
    timings["write"] = time.perf_counter() - t0
    summary["status"] = status
    summary["triples"] = triples

    if shacl:
        t0 = time.perf_counter()
        summary["shacl"] = _shacl(out, project)
        timings["shacl"] = time.perf_counter() - t0
    summary["timings"] = {k: round(v, 3) for k, v in timings.items()}
    return ImportResult(graph_iri, status, triples, summary)


def _shacl(graph: Graph, project) -> dict:
    """Validate the import graph alone (no OWL-RL closure) against the project's shapes."""
    from stdgraph.change.build import parse_file
    from stdgraph.validation.report import run_validation

    if project is None:
        return {"skipped": "no project with shapes"}
    shapes, ontology = Graph(), Graph()
    for p in project.shape_files:
        shapes += parse_file(p, project.relative(p))
    for p in project.ontology_files:
        ontology += parse_file(p, project.relative(p))
    report = run_validation(graph, shapes, ontology=ontology)
    by_shape: Counter = Counter()
    for r in report.results:
        by_shape[f"{r.severity} {r.shape}"] += 1
    return {"conforms": report.conforms, "violations": len(report.violations),
            "warnings": len(report.warnings), "by_shape": dict(sorted(by_shape.items()))}


def remove_import(store: Store, name: str) -> int:
    """Remove the import graph called ``name``; returns how many triples it held."""
    iri = import_graph_iri(name)
    if iri not in store.graph_names():
        raise UsageError(f"there is no STO import named {name!r} ({iri})")
    n = store.count(iri)
    store.replace_graph(iri, [])
    return n


def list_imports(store: Store) -> list[dict]:
    """The STO import graphs in a store, with their size and recorded time and source."""
    out = []
    for g in store.graph_names():
        if not g.startswith(IMPORT_GRAPH_BASE):
            continue
        rows = store.query(sparql_prologue() + f"""
            SELECT ?time ?file WHERE {{ GRAPH {iri_ref(g)} {{
              {iri_ref(g)} prov:wasGeneratedBy ?a ; prov:wasDerivedFrom ?file .
              OPTIONAL {{ ?a prov:endedAtTime ?time }} }} }}""").rows
        time_, file_ = (rows[0] if rows else (None, None))
        out.append({"name": g[len(IMPORT_GRAPH_BASE):], "graph": g, "triples": store.count(g),
                    "time": str(time_) if time_ else None, "file": str(file_) if file_ else None})
    return out


# -- the summary as text -------------------------------------------------------------------------

def summary_text(s: dict) -> str:
    src, st, fw, el = s["source"], s["standards"], s["frameworks"], s["elements"]
    cl, al, rel, dg = s["classifications"], s["alignments"], s["relations"], s["dangling"]
    types = s["source_types"]
    lines = [
        f"{s['status']} {s['graph']}: {s['triples']} triples from {src['file']} "
        f"({src['triples']} triples)",
    ]
    if src["licenses"] or src["rights"]:
        lines.append("  terms of the source: " + "; ".join(
            [f"dcterms:license {x}" for x in src["licenses"]] +
            [f"dcterms:rights \"{x}\"" for x in src["rights"]]))
    status = ", ".join(f"{k} {v}" for k, v in st["status"].items()) or "none"
    lines += [
        f"  standards:       {st['imported']} sg:Standard (sto:Standard {types['sto:Standard']}, "
        f"sto:TechnicalSpecification {types['sto:TechnicalSpecification']}, "
        f"sto:TechnicalReport {types['sto:TechnicalReport']}, "
        f"sto:StandardPart {types['sto:StandardPart']}; overlapping types counted once)",
        f"                   {st['with_publisher']} with a publisher, {st['without_publisher']} "
        f"without; status {status}, {st['without_status']} without; "
        f"{st['publication_dates']} publication dates; {st['linked_to_stdgraph']} linked to "
        "stdgraph's own standards",
        f"  publishers:      {s['publishers']['imported']} sg:StandardsBody "
        f"({len(s['publishers']['not_standard_organization'])} not typed "
        "sto:StandardOrganization in I40KG)",
        f"  frameworks:      {fw['imported']} sg:ReferenceArchitecture "
        f"(sto:StandardizationFramework {types['sto:StandardizationFramework']}, "
        f"sto:ArchitectureDescription {types['sto:ArchitectureDescription']}); "
        f"{len(fw['without_elements'])} without elements; {len(fw['linked_to_stdgraph'])} "
        "linked to stdgraph's own schemes",
        f"  elements:        {el['elements']} sg:ArchitectureElement from {el['with_framework']} "
        f"of {el['classifications']} classifications; {len(el['in_several_frameworks'])} in "
        f"several frameworks; {len(el['without_framework'])} without a framework; "
        f"{el['linked_to_stdgraph']} linked to stdgraph's own elements",
        f"  classifications: {cl['imported']} sg:classifiedIn from {cl['sto:hasClassification']} "
        f"sto:hasClassification ({cl['standards_classified']} standards classified; skipped: "
        f"{len(cl['skipped_subject_not_standard'])} on non-standards, "
        f"{len(cl['skipped_object_not_classification'])} to non-classifications)",
        f"  dangling IRIs:   {dg['classification_iris']} classification IRIs used but never "
        f"defined (+{dg['alignment_only_iris']} only in alignments): "
        f"{dg['resolved_by_letter_case']} resolved by letter case, {dg['unresolved']} in scheme "
        "'unresolved'",
    ]
    if dg["iris"]:
        lines.append("                   " + ", ".join(
            f"{e['iri']} ({e['sto:hasClassification uses']})" for e in dg["iris"]))
    lines += [
        "  alignments:      " + ", ".join(f"{k} {v}" for k, v in al["source"].items())
        + f" = {al['pairs']} pairs; {al['mappings']} skos:relatedMatch + sg:ArchitectureMapping, "
        f"{al['within_scheme']} skos:related within one framework, {len(al['skipped'])} "
        "skipped (endpoint not a classification)",
        "  relations:       " + ", ".join(f"{k} {v}" for k, v in rel["source"].items())
        + " -> " + ", ".join(f"{k} {v}" for k, v in rel["imported"].items())
        + f"; {len(rel['skipped'])} skipped (endpoint not a standard)",
        f"  self-links:      {len(rel['self_links'])} between standards, "
        f"{len(al['self_links'])} alignments (noted on the resource, not imported)",
        "  missing labels:  " + ", ".join(f"{k} {v}" for k, v in s["missing_labels"].items())
        + " (labels made from the IRI, with an editorial note)",
    ]
    if "shacl" in s:
        sh = s["shacl"]
        if "skipped" in sh:
            lines.append(f"  SHACL:           skipped ({sh['skipped']})")
        else:
            lines.append(f"  SHACL:           {sh['violations']} violation(s), {sh['warnings']} "
                         "warning(s) on the import graph alone")
            lines += [f"                   {n:>5}  {k}" for k, n in sh["by_shape"].items()]
    if "timings" in s:
        lines.append("  time:            " + ", ".join(f"{k} {v:.2f}s"
                                                      for k, v in s["timings"].items()))
    return "\n".join(lines)


# -- export --------------------------------------------------------------------------------------

_Q_STO_LINKS = sparql_prologue() + f"""
SELECT DISTINCT ?x ?sto WHERE {{
  {{ ?x skos:exactMatch ?sto }}
  UNION {{ ?x a sg:ReferenceArchitecture . ?x prov:wasDerivedFrom|rdfs:seeAlso ?sto }}
  FILTER(isIRI(?x) && isIRI(?sto) && STRSTARTS(STR(?sto), "{STO_PREFIX}")
         && !STRSTARTS(STR(?x), "{STO_PREFIX}"))
}}"""
_Q_STANDARDS = sparql_prologue() + """
SELECT DISTINCT ?s ?p ?o WHERE {
  ?s a sg:Standard .
  ?s ?p ?o .
  VALUES ?p { rdfs:label sg:title sg:publisher sg:status sg:publicationDate sg:classifiedIn
              sg:relatedTo sg:partOf dcterms:type }
}"""
_Q_SCHEMES = sparql_prologue() + """
SELECT DISTINCT ?a ?label WHERE {
  ?a a sg:ReferenceArchitecture . OPTIONAL { ?a rdfs:label ?label }
}"""
_Q_ELEMENTS = sparql_prologue() + """
SELECT DISTINCT ?e ?scheme ?label ?parent WHERE {
  ?e a sg:ArchitectureElement .
  OPTIONAL { ?e skos:inScheme ?scheme }
  OPTIONAL { ?e skos:prefLabel|rdfs:label ?label }
  OPTIONAL { ?e skos:broader ?parent }
}"""
_Q_BODIES = sparql_prologue() + """
SELECT DISTINCT ?b ?label WHERE {
  ?s a sg:Standard ; sg:publisher ?b . OPTIONAL { ?b rdfs:label ?label }
}"""
_Q_MAPPINGS = sparql_prologue() + """
SELECT DISTINCT ?a ?b WHERE {
  ?a skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:narrowMatch|skos:relatedMatch
     |skos:related ?b .
  ?a a sg:ArchitectureElement . ?b a sg:ArchitectureElement .
}"""


def export_sto(store: Store) -> Graph:
    """stdgraph's standards, publishers, reference architectures, elements, classifications and
    cross-architecture mappings in STO terms (docs/i40kg.md, "Export").

    A resource linked to an STO IRI (``skos:exactMatch``; for an architecture also
    ``prov:wasDerivedFrom`` or ``rdfs:seeAlso``) is written under that STO IRI (the
    alphabetically first if there are several), anything else under its own stdgraph IRI with
    ``rdfs:seeAlso`` back to it. Every SKOS mapping between elements becomes ``sto:alignsWith``
    (STO has no strengths).
    """
    links: dict[Node, list[Node]] = defaultdict(list)
    for x, sto in store.query(_Q_STO_LINKS).rows:
        links[x].append(sto)

    def to(x: Node) -> Node:
        return min(links[x], key=str) if x in links else x

    g = Graph()
    g.bind("sto", STO)
    g.bind("skos", SKOS)
    g.bind("dcterms", DCTERMS)
    g.bind("dul", DUL)

    def emit(x: Node, sto_class: URIRef) -> Node:
        y = to(x)
        g.add((y, RDF.type, sto_class))
        if y != x:
            g.add((y, RDFS.seeAlso, x))
        else:
            g.add((y, DCTERMS.source, URIRef("https://w3id.org/stdgraph/")))
        return y

    schemes = {}
    for a, label in store.query(_Q_SCHEMES).rows:
        if a == UNRESOLVED_SCHEME:
            continue
        schemes[a] = emit(a, STO.StandardizationFramework)
        if isinstance(label, Literal):
            g.add((schemes[a], RDFS.label, label))
    elements = {}
    for e, scheme, label, parent in store.query(_Q_ELEMENTS).rows:
        y = elements.get(e) or emit(e, STO.StandardClassification)
        elements[e] = y
        if scheme in schemes:
            g.add((y, STO.isDescribedin, schemes[scheme]))
        if isinstance(label, Literal) and _is_english(label):
            g.add((y, RDFS.label, label))
        if parent is not None:
            g.add((y, DUL.isPartOf, to(parent)))
    for b, label in store.query(_Q_BODIES).rows:
        y = emit(b, STO.StandardOrganization)
        if isinstance(label, Literal):
            g.add((y, RDFS.label, label))
    typed: dict[Node, set] = defaultdict(set)
    props = {SG.title: DCTERMS.title, SG.publicationDate: STO.hasPublicationDate,
             RDFS.label: RDFS.label}
    rows = store.query(_Q_STANDARDS).rows
    for s, p, o in rows:
        if p == DCTERMS.type and isinstance(o, URIRef) and str(o).startswith(STO_NS):
            typed[s].add(o)
    for s in {row[0] for row in rows} | set(typed):
        y = to(s)
        for cls in typed.get(s) or {STO.Standard}:
            g.add((y, RDF.type, cls))
        g.add((y, RDFS.seeAlso, s) if y != s else (y, DCTERMS.source,
                                                   URIRef("https://w3id.org/stdgraph/")))
    for s, p, o in rows:
        y = to(s)
        if p in props:
            g.add((y, props[p], o))
        elif p == SG.publisher:
            g.add((y, STO.hasPublisher, to(o)))
        elif p == SG.classifiedIn:
            g.add((y, STO.hasClassification, to(o)))
        elif p == SG.relatedTo and to(o) != y:
            g.add((y, STO.relatedTo, to(o)))
        elif p == SG.partOf and to(o) != y:
            g.add((y, STO.isPartOf, to(o)))
        elif p == SG.status and o in STATUS_BACK:
            g.add((y, STO.hasStatus, Literal(STATUS_BACK[o], lang="en")))
    for a, b in store.query(_Q_MAPPINGS).rows:
        x, y = to(a), to(b)
        if x != y:
            g.add((x, STO.alignsWith, y) if str(x) < str(y) else (y, STO.alignsWith, x))
    return g
