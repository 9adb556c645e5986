"""stdgraph's own curated resources that point at STO IRIs, read from the project's data files,
so imported resources can be linked to them (``skos:exactMatch``, ``rdfs:seeAlso``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from stdgraph.importers.sto.terms import BASE, STO_PREFIX
from stdgraph.project import RDF_SUFFIXES
from stdgraph.rdf.io import parse_quads
from stdgraph.rdf.namespaces import SG


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
