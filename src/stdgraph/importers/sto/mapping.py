"""The mapping: a parsed STO graph -> the import graph in stdgraph's terms, with its provenance
record and the summary of everything that was mapped, skipped or repaired (docs/i40kg.md)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DC, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from stdgraph import __version__
from stdgraph.importers.base import source_uri
from stdgraph.importers.sto.links import CuratedLinks
from stdgraph.importers.sto.terms import (
    ALIGNMENTS,
    BASE,
    BODY_LABEL_PROPS,
    CLASSIFICATION_CLASSES,
    DUL,
    FRAMEWORK_CLASSES,
    IGNORED_TYPES,
    LABEL_PROPS,
    STANDARD_CLASSES,
    STANDARD_RELATIONS,
    STATUS_BACK,
    STATUS_MAP,
    STATUS_PRECEDENCE,
    TITLE_PROPS,
    UNRESOLVED_SCHEME,
    body_iri,
    element_iri,
    import_graph_iri,
    is_english,
    label_from_iri,
    local,
    mapping_iri,
    pick_labels,
    qname,
    scheme_iri,
    standard_iri,
)
from stdgraph.rdf.namespaces import SG, STO


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

    def typed(self, node: Node) -> set[Node]:
        return {t for t in self.src.objects(node, RDF.type) if t not in IGNORED_TYPES}

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
        info: dict[str, Any]
        info = {"imported": len(self.frameworks), "labels_missing": [], "without_elements": [],
                "also_standards": [], "linked_to_stdgraph": {}}
        for fw in sorted(self.frameworks):
            scheme = scheme_iri(fw)
            label, alts = pick_labels(self.src, fw, LABEL_PROPS + TITLE_PROPS)
            if label is None:
                label = Literal(label_from_iri(fw, camel=True), lang="en")
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
        info: dict[str, Any]
        info = {"classifications": len(self.classifications), "with_framework": 0,
                "elements": 0, "in_several_frameworks": {}, "without_framework": [],
                "described_in_non_framework": [], "labels_missing": self.element_labels_missing,
                "linked_to_stdgraph": 0, "unresolved_elements": 0}
        self.elements_of: dict[Node, list[URIRef]] = {}
        used: Counter = Counter()
        for c in sorted(self.classifications):
            # (rdflib types graph terms as Node, which has no order; they are Identifiers)
            targets = sorted(set(self.src.objects(c, STO.isDescribedin)))  # type: ignore[type-var]
            fws = [t for t in targets if t in self.frameworks]
            for t in targets:
                if t not in self.frameworks:
                    info["described_in_non_framework"].append([qname(c), qname(t)])
            if not fws:
                info["without_framework"].append(qname(c))
                self.elements_of[c] = [self.unresolved_element(c, defined=True)]
                continue
            info["with_framework"] += 1
            label, alts = pick_labels(self.src, c, LABEL_PROPS + TITLE_PROPS)
            unlabelled = label is None
            if label is None:
                label = Literal(label_from_iri(c, camel=True), lang="en")
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
                                 f"({others}); stdgraph keeps one element per framework, the "
                                 "same element (sg:sameElementAs, and skos:exactMatch), a "
                                 f"standard classified in {qname(c)} is classified in each of "
                                 "them, and the analyses count them as one element.")
                    for other in copies:
                        if other != e:
                            self.add(e, SKOS.exactMatch, other)
                            if str(e) < str(other):  # symmetric: stated once
                                self.add(e, SG.sameElementAs, other)
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
            self.add(u, RDF.type, SG.UnresolvedElementScheme)
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
        label, alts = pick_labels(self.src, c, LABEL_PROPS + TITLE_PROPS)
        if label is None:
            label = Literal(label_from_iri(c, camel=True), lang="en")
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
        info: dict[str, Any]
        info = {"imported": len(self.docs), "labels_missing": [], "with_publisher": 0,
                "without_publisher": 0, "status": Counter(), "status_literals": Counter(),
                "unknown_status": [], "conflicting_status": [], "without_status": 0,
                "publication_dates": 0, "linked_to_stdgraph": 0, "titles": 0,
                "publishers_not_iris": [], "dates_not_xsd_date": [], "described": 0,
                "tagged": 0, "with_ics": 0, "with_committee": 0}
        bodies: set[URIRef] = set()
        for d in sorted(self.docs):
            std = standard_iri(d)
            label, alts = pick_labels(self.src, d, LABEL_PROPS)
            identifier = label_from_iri(d, camel=False)
            if label is None:
                label = Literal(identifier, lang="en")
                info["labels_missing"].append(qname(d))
                self.note(std, f"I40KG gives {qname(d)} no label; the label is its identifier, "
                               "made from the IRI.")
            self.declare(std, (SG.Standard,), label, alts)
            self.add(std, SG.identifier, Literal(identifier))
            title, other_titles = pick_labels(self.src, d, TITLE_PROPS)
            if title is not None:
                info["titles"] += 1
                self.add(std, SG.title, title)
            for t in other_titles:
                self.add(std, SKOS.altLabel, t)
            self.texts(d, std, info)
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

    def texts(self, d: URIRef, std: URIRef, info: dict) -> None:
        """What I40KG says about a standard in words, kept for search and suggestions
        (docs/i40kg.md): its English descriptions (``rdfs:comment``, ``dcterms:description``)
        as ``dcterms:description``, its motivation as ``skos:scopeNote``, its tags as
        ``dcterms:subject`` strings, its ICS codes as ``dcterms:subject`` resources labelled
        with code and title, its technical committees as ``sg:committee``."""
        described = False
        for p, target in ((RDFS.comment, DCTERMS.description),
                          (DCTERMS.description, DCTERMS.description),
                          (STO.hasMotivation, SKOS.scopeNote)):
            for o in sorted(self.src.objects(d, p), key=str):
                if is_english(o) and str(o).strip():
                    self.add(std, target, Literal(str(o).strip(), lang="en"))
                    described = True
        info["described"] += described
        tags = sorted({str(o).strip() for o in self.src.objects(d, STO.hasTag)
                       if isinstance(o, Literal) and str(o).strip()})
        for tag in tags:
            self.add(std, DCTERMS.subject, Literal(tag))
        info["tagged"] += bool(tags)
        codes = sorted(o for o in self.src.objects(d, STO.hasICS) if isinstance(o, URIRef))
        for code in codes:
            ics = URIRef(f"{BASE}ics/{local(code)}")
            self.add(std, DCTERMS.subject, ics)
            if ics not in self.labels:
                self.labelled(ics, code)
        info["with_ics"] += bool(codes)
        committees = sorted(o for o in self.src.objects(d, STO.hasTechnicalCommittee)
                            if isinstance(o, URIRef))
        for c in committees:
            committee = URIRef(f"{BASE}committee/{local(c)}")
            self.add(std, SG.committee, committee)
            if committee not in self.labels:
                self.add(committee, RDF.type, SG.Committee)
                self.labelled(committee, c)
        info["with_committee"] += bool(committees)

    def labelled(self, node: URIRef, sto: URIRef) -> None:
        """``node`` (an ICS code or a committee) labelled as I40KG labels ``sto`` (else from its
        IRI), with its title as ``dcterms:title``."""
        label, _ = pick_labels(self.src, sto, LABEL_PROPS)
        label = label or Literal(label_from_iri(sto, camel=False), lang="en")
        self.labels[node] = str(label)
        self.add(node, RDFS.label, label)
        title, _ = pick_labels(self.src, sto, TITLE_PROPS)
        if title is not None:
            self.add(node, DCTERMS.title, title)
        self.add(node, SKOS.exactMatch, sto)
        self.source(node)

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
        info: dict[str, Any]
        info = {"imported": len(bodies), "labels_missing": [], "not_standard_organization": [],
                "linked_to_stdgraph": 0}
        for p in sorted(bodies):
            b = body_iri(p)
            label, alts = pick_labels(self.src, p, BODY_LABEL_PROPS)
            if label is None:
                label = Literal(label_from_iri(p, camel=False), lang="en")
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
        info: dict[str, Any]
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
        info: dict[str, Any]
        info = {"sto:hasClassification": len(triples),
                "subjects": len({s for s, _ in triples}),
                "objects": len({o for _, o in triples}), "imported": 0,
                "standards_classified": 0, "skipped_subject_not_standard": [],
                "skipped_object_not_classification": []}
        classified: set[Node] = set()
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
        info: dict[str, Any]
        info = {"source": {}, "pairs": 0, "self_links": [], "mappings": 0, "within_scheme": 0,
                "skipped": []}
        pairs: set[frozenset] = set()
        mapped: dict[tuple[URIRef, URIRef], set[Node]] = defaultdict(set)
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
            for s in sorted(stos):  # type: ignore[type-var]  # Identifiers: see elements_step
                self.add(m, PROV.wasDerivedFrom, s)
            self.source(m)
        info["mappings"] = len(mapped)
        info["within_scheme"] = len(related)
        self.s["alignments"] = info

    def hierarchy_step(self) -> None:
        info: dict[str, Any]
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
                     "resolution": (f"letter case of {qname(r.canonical)}"
                                    if r.kind == "case" and r.canonical is not None
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
    # the graph-level evidence default (docs/model.md, Evidence of links): every link of the
    # import is stated by the I40KG record it comes from; no per-link records are written
    out.add((graph, SG.evidence, SG.Stated))
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
