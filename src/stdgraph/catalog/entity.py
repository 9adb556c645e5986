"""Bodies, committees, stakeholder types and technologies: what each is, and what the graph
links to it, with counts (issue 19): the standards a body publishes, its committees and the
reference architectures it publishes; the standards a committee is responsible for; the
standards, recommendations and roadmap items relevant to a stakeholder type; the standards and
roadmap items that concern a technology, and its broader and narrower technologies.

Each list is what ``entity-linked.rq`` answers (the instances of a class with the entity as
the value of a property: asserted or inferred), a page at a time with its total: the standards
with the count of each status over the whole list, recommendations by number, roadmap items on
the timeline, committees by code, the rest by label. In the server's query runner the lists
and the status counts come from indexes kept with the analyses' snapshot (``catalog.index``:
object -> subjects of a property, and the snapshot's table of ``sg:status``), brought up to date
after each write, so that a page costs the rows it shows: a body publishing 50,000 standards
read every one of them twice per page before (issue 20). Elsewhere (a plain store, a remote
one) they are read by the queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from rdflib import URIRef

from stdgraph.analysis.common import Labels
from stdgraph.analysis.snapshot import is_kept, snapshot
from stdgraph.catalog.common import SG, SKOS, SORT_LIMIT, Window, by_label, iris, paged
from stdgraph.catalog.index import linked as kept_linked
from stdgraph.catalog.index import subjects_by_object
from stdgraph.catalog.queryfiles import select
from stdgraph.catalog.resource import Resource, describe, english, sources
from stdgraph.catalog.roadmap import YEARS, roadmap_items
from stdgraph.catalog.standard import standards_info
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.store.base import Store

__all__ = ["ENTITIES", "entity", "linked", "statuses", "warm_entity_indexes"]

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
    """The instances of ``cls`` whose ``prop`` is ``iri``, by IRI: from the index kept with the
    analyses' snapshot where the store keeps one (the server's query runner:
    ``catalog.index.linked``), else read by ``entity-linked.rq``."""
    if is_kept(store):
        return kept_linked(store, snapshot(store), iri, prop, cls)
    return sorted(str(s) for (s,) in select(store, "entity-linked", entity=URIRef(iri),
                                             property=URIRef(prop), **{"class": URIRef(cls)}))


def statuses(store: Store, standards: list[str], lab: Labels) -> list[tuple[str, int]]:
    """(status label, how many of ``standards`` have it), by label, "unknown" (no status) last;
    a standard's status is the smallest it has, as ``standards-info.rq`` reads it
    (``MIN(?st)``). From the snapshot's table of sg:status where the store keeps one (a
    standard with a status that is not an IRI is read by the query), else by the query."""
    found: list[dict[str, Any] | str | None] = []
    if is_kept(store):
        table = snapshot(store).table(store, SG + "status")
        odd: list[str] = []
        for s in standards:
            objects = table.get(s)
            named = [o for o in objects or () if isinstance(o, str)]
            if not objects:
                found.append(None)
            elif len(named) == len(objects):
                found.append(min(named))
            else:
                odd.append(s)
        found += [r["status"] for r in standards_info(store, odd, lab)]
    else:
        found = [r["status"] for r in standards_info(store, standards, lab)]
    return _tally(found, lab)


def _tally(found: list[dict[str, Any] | str | None], lab: Labels) -> list[tuple[str, int]]:
    """(status label, count) of the statuses ``found``: each an IRI, a ref (``standards_info``'s
    ``status``) or None (no status). A status given as text (a ref with no IRI) is counted
    apart from the concept of the same label, as '"published" (as text)'."""
    lab.fetch(x for x in found if isinstance(x, str))

    def name(x: dict[str, Any] | str | None) -> str | None:
        if x is None or isinstance(x, str):
            return lab(x) if x else None
        return x["label"] if x.get("iri") else f'"{x["label"]}" (as text)'

    counts = Counter(name(x) for x in found)
    return sorted(((k or "unknown", n) for k, n in counts.items()),
                  key=lambda kn: (kn[0] == "unknown", kn[0]))


def warm_entity_indexes(store: Store) -> None:
    """What the entity pages read from the snapshot (:func:`linked`, :func:`statuses`), read
    once: the server's query workers run this before they take requests, so that no page of a
    body or committee scans a property under its time limit."""
    if not is_kept(store):
        return
    snap = snapshot(store)
    snap.table(store, SG + "status")
    for _cls, lists in ENTITIES.values():
        for _name, prop, cls, _heading in lists:
            snap.typings(store, cls)
            subjects_by_object(store, snap, prop)


def _number(n: str | None) -> tuple:
    return (0, int(n), "") if n and n.isdigit() else (1, 0, n or "")


def _notations(store: Store, found: list[str]) -> dict[str, str | None]:
    """IRI -> its ``skos:notation`` (the English, else untagged, else any literal)."""
    values: dict[str, list] = {x: [] for x in found}
    if found:
        for x, n in select(store, "notations", resource=iris(found)):
            values[str(x)].append(n)
    return {x: english(v) for x, v in values.items()}


def entity(store: Store, iri: str, kind: str, *, resource: Resource | None = None,
           windows: Mapping[str, Window] | None = None) -> dict[str, Any] | None:
    """A body, committee, stakeholder type or technology (``kind``: a key of
    :data:`ENTITIES`): ``kind``, ``short`` (alternative labels: "IEC", "SME", "IoT"),
    ``notation``, ``homepages``, ``notes`` (notes, scope notes and definitions), ``schemes``,
    ``body`` (a committee's), ``broader``/``narrower`` (a technology's), and ``lists``: for
    each list of its kind ``{"name", "heading", "total", "listing"}``, ``listing`` a page of
    it (``windows``: list name -> the page to read, default the first 50; ``common.paged``):
    the standards by identifier, with ``statuses``: (status label, count) over the whole list,
    "unknown" last; roadmap items on the timeline, ``years``; recommendations by number;
    committees by code; architectures by label. A list of more than :data:`SORT_LIMIT` is
    paged by IRI (each page in the list's own order), only the page's rows read. And its
    sources. None when the graph says nothing about ``iri``."""
    res = resource or describe(store, iri)
    if res is None:
        return None
    lab = res.labels
    lists = []
    for name, prop, cls, heading in ENTITIES[kind][1]:
        found = linked(store, iri, prop, cls)
        window = (windows or {}).get(name, Window())
        entry: dict[str, Any] = {"name": name, "heading": heading, "total": len(found)}
        # a list too long to sort: a page of it by IRI, only the page's rows read
        whole = len(found) <= SORT_LIMIT
        part = found if whole else found[window.start:window.stop]
        shown: list[dict[str, Any]]
        if name == "standards":
            shown = standards_info(store, part, lab)
            entry["statuses"] = (_tally([r["status"] for r in shown], lab) if whole
                                 else statuses(store, found, lab))
            order = "by identifier"
        elif name == "items":
            shown = roadmap_items(store, part, lab)
            order = "on the timeline"
        else:
            notations = (_notations(store, part) if name in ("committees", "recommendations")
                         else {})
            lab.fetch(part)
            shown = sorted(lab.refs(part), key=lambda r: (
                _number(notations.get(r["iri"])), r["label"].casefold()))
            order = ("by number" if name == "recommendations" else "by code"
                     if name == "committees" else "by label")
        if whole:
            shown = shown[window.start:window.stop]
        else:
            shown.sort(key=lambda r: r["iri"])
            order = "by IRI"
        entry["listing"] = paged(shown, len(found), window, order)
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
