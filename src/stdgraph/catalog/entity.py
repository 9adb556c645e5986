"""Bodies, committees, stakeholder types and technologies: what each is, and what the graph
links to it, with counts (issue 19): the standards a body publishes, its committees and the
reference architectures it publishes; the standards a committee is responsible for; the
standards, recommendations and roadmap items relevant to a stakeholder type; the standards and
roadmap items that concern a technology, and its broader and narrower technologies.

Each list is read by ``entity-linked.rq`` (the instances of a class with the entity as the
value of a property: asserted or inferred); the standards' list comes a page at a time with
its total and the count of each status over the whole list; recommendations by number, roadmap
items on the timeline, committees by notation, the rest by label."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import URIRef

from stdgraph.catalog.common import SG, SKOS, SORT_LIMIT, Window, by_label, paged
from stdgraph.catalog.queryfiles import select
from stdgraph.catalog.resource import Resource, describe, sources
from stdgraph.catalog.roadmap import YEARS, roadmap_items
from stdgraph.catalog.standard import standards_info
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.store.base import Store

__all__ = ["ENTITIES", "entity", "linked"]

ORG = "http://www.w3.org/ns/org#"
FOAF = PREFIXES["foaf"]

#: kind -> (its class, the lists of its page: (name, property, class of what is listed,
#: heading))
ENTITIES: dict[str, tuple[str, list[tuple[str, str, str, str]]]] = {
    "body": (SG + "StandardsBody", [
        ("standards", SG + "publisher", SG + "Standard", "Standards it publishes"),
        ("committees", ORG + "unitOf", SG + "Committee", "Its committees"),
        ("architectures", SG + "publishedBy", SG + "ReferenceArchitecture",
         "Reference architectures it publishes")]),
    "committee": (SG + "Committee", [
        ("standards", SG + "committee", SG + "Standard", "Standards it is responsible for")]),
    "stakeholder": (SG + "StakeholderType", [
        ("standards", SG + "relevantToStakeholder", SG + "Standard",
         "Standards relevant to it"),
        ("recommendations", SG + "relevantToStakeholder", SG + "Recommendation",
         "Recommendations that name it"),
        ("items", SG + "relevantToStakeholder", SG + "RoadmapItem",
         "Roadmap items that name it")]),
    "technology": (SG + "Technology", [
        ("standards", SG + "concernsTechnology", SG + "Standard",
         "Standards that concern it"),
        ("items", SG + "concernsTechnology", SG + "RoadmapItem",
         "Roadmap items that concern it")]),
}


def linked(store: Store, iri: str, prop: str, cls: str) -> list[str]:
    """The instances of ``cls`` whose ``prop`` is ``iri`` (``entity-linked.rq``), by IRI."""
    return sorted(str(s) for (s,) in select(store, "entity-linked", entity=URIRef(iri),
                                             property=URIRef(prop), **{"class": URIRef(cls)}))


def _number(n: str | None) -> tuple:
    return (0, int(n), "") if n and n.isdigit() else (1, 0, n or "")


def entity(store: Store, iri: str, kind: str, *, resource: Resource | None = None,
           standards: Window = Window()) -> dict[str, Any] | None:
    """A body, committee, stakeholder type or technology (``kind``: a key of
    :data:`ENTITIES`): ``kind``, ``short`` (alternative labels: "IEC", "SME", "IoT"),
    ``notation``, ``homepages``, ``notes`` (notes, scope notes and definitions), ``schemes``,
    ``body`` (a committee's), ``broader``/``narrower`` (a technology's), and ``lists``: for
    each list of its kind ``{"name", "heading", "total", ...}`` with ``items`` (the standards:
    a page of them, by identifier, with ``statuses``: (status label, count) over the whole
    list, "unknown" last; roadmap items on the timeline, ``years``; recommendations by number;
    committees by notation; architectures by label), and its sources. None when the graph says
    nothing about ``iri``."""
    res = resource or describe(store, iri)
    if res is None:
        return None
    lab = res.labels
    lists = []
    for name, prop, cls, heading in ENTITIES[kind][1]:
        found = linked(store, iri, prop, cls)
        entry: dict[str, Any] = {"name": name, "heading": heading, "total": len(found)}
        if name == "standards":
            if len(found) > SORT_LIMIT:
                shown = sorted(standards_info(store, found[standards.start:standards.stop],
                                              lab), key=lambda r: r["iri"])
                every = standards_info(store, found, lab)
                order = "by IRI"
            else:
                every = standards_info(store, found, lab)
                shown = every[standards.start:standards.stop]
                order = "by identifier"
            counts = Counter(s["status"]["label"] if s["status"] else None for s in every)
            entry["statuses"] = sorted(((k or "unknown", n) for k, n in counts.items()),
                                       key=lambda kn: (kn[0] == "unknown", kn[0]))
            entry["listing"] = paged(shown, len(found), standards, order)
        elif name == "items":
            entry["items"] = roadmap_items(store, found, lab)
        else:
            notations = {}
            if name in ("committees", "recommendations"):
                for x in found:
                    d = describe(store, x, lab)
                    notations[x] = d.first_text(SKOS + "notation") if d else None
            lab.fetch(found)
            entry["items"] = sorted(lab.refs(found), key=lambda r: (
                _number(notations.get(r["iri"])), r["label"].casefold()))
        lists.append(entry)
    near: dict[str, set[str]] = {"broader": set(), "narrower": set()}
    if kind == "technology":
        for rel, x in select(store, "concern-hierarchy", concern=URIRef(iri)):
            near[str(rel)].add(str(x))
        lab.fetch([*near["broader"], *near["narrower"]])
    notes = [*res.texts(SKOS + "definition"), *res.texts(SKOS + "scopeNote"),
             *res.texts(SKOS + "note")]
    return {
        "kind": kind,
        "short": res.texts(SKOS + "altLabel"),
        "notation": res.first_text(SKOS + "notation"),
        "homepages": sorted({str(v) for v in res.props.get(FOAF + "homepage", [])}),
        "notes": notes,
        "schemes": res.refs(SKOS + "inScheme"),
        "body": res.refs(ORG + "unitOf") if kind == "committee" else [],
        "broader": by_label(lab.refs(near["broader"])),
        "narrower": by_label(lab.refs(near["narrower"])),
        "lists": lists, "years": YEARS,
        **sources(store, res),
    }
