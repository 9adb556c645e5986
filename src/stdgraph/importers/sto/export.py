"""Export: the standards, publishers, architectures, elements, classifications and mappings a
store holds, in STO terms (docs/i40kg.md, "Export")."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from stdgraph.importers.sto.terms import (
    DUL,
    STATUS_BACK,
    STO_NS,
    STO_PREFIX,
    is_english,
)
from stdgraph.rdf.namespaces import SG, STO, sparql_prologue
from stdgraph.store.base import Store

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


def _rows(store: Store, query: str) -> list[tuple[Any, ...]]:
    """The rows of a SELECT, rdflib terms; only a variable under OPTIONAL is ever None (the
    result's type says any may be)."""
    return store.query(query).rows


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
    for x, sto in _rows(store, _Q_STO_LINKS):
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
    for a, label in _rows(store, _Q_SCHEMES):  # not a scheme of unresolved elements
        schemes[a] = emit(a, STO.StandardizationFramework)
        if isinstance(label, Literal):
            g.add((schemes[a], RDFS.label, label))
    elements: dict[Node, Node] = {}
    for e, scheme, label, parent in _rows(store, _Q_ELEMENTS):
        y = elements.get(e) or emit(e, STO.StandardClassification)
        elements[e] = y
        if scheme in schemes:
            g.add((y, STO.isDescribedin, schemes[scheme]))
        if isinstance(label, Literal) and is_english(label):
            g.add((y, RDFS.label, label))
        if parent is not None:
            g.add((y, DUL.isPartOf, to(parent)))
    for b, label in _rows(store, _Q_BODIES):
        y = emit(b, STO.StandardOrganization)
        if isinstance(label, Literal):
            g.add((y, RDFS.label, label))
    typed: dict[Node, set] = defaultdict(set)
    props = {SG.title: DCTERMS.title, SG.publicationDate: STO.hasPublicationDate,
             RDFS.label: RDFS.label}
    rows = _rows(store, _Q_STANDARDS)
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
    for a, b in _rows(store, _Q_MAPPINGS):
        x, y = to(a), to(b)
        if x != y:
            g.add((x, STO.alignsWith, y) if str(x) < str(y) else (y, STO.alignsWith, x))
    return g
