"""Barriers and themes: what a concern is, where it sits in its hierarchy, what addresses it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import URIRef

from stdgraph.analysis.evidence import Evidence
from stdgraph.analysis.snapshot import is_kept, snapshot
from stdgraph.catalog.common import SG, SKOS, SORT_LIMIT, Window, by_label, paged
from stdgraph.catalog.findings import concepts_below, gap_of
from stdgraph.catalog.index import is_iri, subjects_by_object
from stdgraph.catalog.queryfiles import select
from stdgraph.catalog.resource import Resource, describe, english, sources
from stdgraph.catalog.roadmap import YEARS, roadmap_items
from stdgraph.catalog.standard import standards_info
from stdgraph.store.base import Store

__all__ = ["ADDRESSING", "KINDS", "MATCHES", "addressed_by", "concern", "definition",
           "warm_concern_indexes"]

#: kind of concern -> the property by which standards, items and recommendations point at it
KINDS = {"barrier": SG + "addressesBarrier", "theme": SG + "supportsTheme"}
#: (SKOS mapping property, heading), in page order
MATCHES = [("exactMatch", "Exact match"), ("closeMatch", "Close match"),
           ("broadMatch", "Broader match"), ("narrowMatch", "Narrower match"),
           ("relatedMatch", "Related match"), ("related", "Related")]


def definition(store: Store, term: str) -> str | None:
    """A term's English ``skos:definition`` (the ontology's wording)."""
    return english([d for (d,) in select(store, "definition", term=URIRef(term))])


#: what points at a concern, by the local name of its class
ADDRESSING = ("Standard", "RoadmapItem", "Recommendation")


def addressed_by(store: Store, iri: str, kind: str) -> dict[str, dict[str, set[str]]]:
    """The standards, roadmap items and recommendations that point at concern ``iri`` of
    ``kind`` (class name -> subject -> the concepts it points at it through: "" for directly,
    else a narrower concept), as ``concern-addressed-by.rq`` answers it: in the server's query
    runner from the index object -> subjects of the property and the class typings kept with
    the analyses' snapshot (``catalog.index``: a barrier addressed by 5,000 standards read
    every one's row per page before, issue 20), else by the query."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    prop = KINDS[kind]
    if is_kept(store):
        snap = snapshot(store)
        index = subjects_by_object(store, snap, prop)
        below = concepts_below(store, iri) - {iri}
        typings = {c: snap.typings(store, SG + c) for c in ADDRESSING}
        for through in ("", *sorted(below)):
            for s in index.get(through or iri, ()):
                if not is_iri(s):
                    continue
                for c in ADDRESSING:
                    if s in typings[c]:
                        found[c][s].add(through)
        return found
    for s, t, through in select(store, "concern-addressed-by", concern=URIRef(iri),
                                property=URIRef(prop)):
        if isinstance(s, URIRef):  # (a blank node has no page to list)
            found[str(t)[len(SG):]][str(s)].add(str(through) if through is not None else "")
    return found


def warm_concern_indexes(store: Store) -> None:
    """What the barrier and theme pages read from the snapshot (:func:`addressed_by`), read
    once: the server's query workers run this before they take requests."""
    if not is_kept(store):
        return
    snap = snapshot(store)
    for c in ADDRESSING:
        snap.typings(store, SG + c)
    for prop in KINDS.values():
        subjects_by_object(store, snap, prop)


def concern(store: Store, iri: str, kind: str, *, resource: Resource | None = None,
            evidence: Evidence | None = None, standards: Window = Window()
            ) -> dict[str, Any] | None:
    """A barrier (``kind="barrier"``) or theme (``"theme"``): definition, scope notes,
    alternative labels, notation, schemes, ``broader``/``narrower`` concerns, SKOS ``matches``,
    the ``standards`` (a page of them, ``standards``: by identifier, else label, then IRI; by
    IRI when there are more than :data:`SORT_LIMIT`), roadmap ``items`` and
    ``recommendations`` that address it, directly or ``via`` a narrower concern, the gaps
    analysis' verdict (``gap``, read for this concern alone at ``evidence``:
    ``catalog.findings.gap_of``), the SME flag of a theme (``sme``) and its sources. None when
    the graph says nothing about ``iri``."""
    res = resource or describe(store, iri)
    if res is None:
        return None
    lab = res.labels
    near: dict[str, set] = {"broader": set(), "narrower": set()}
    for rel, x in select(store, "concern-hierarchy", concern=URIRef(iri)):
        near[str(rel)].add(str(x))
    # who points at it, directly or through a narrower concept (as the gaps analysis counts)
    found = addressed_by(store, iri, kind)
    lab.fetch([*near["broader"], *near["narrower"],
               *(v for k, by in found.items() if k != "Standard"
                 for vias in by.values() for v in vias if v)])

    def via(kind_: str, s: str) -> list[dict]:
        return by_label(lab.refs(v for v in found[kind_][s] if v))

    every = found["Standard"]
    if len(every) > SORT_LIMIT:
        chosen = sorted(every)[standards.start:standards.stop]
        shown = sorted(standards_info(store, chosen, lab), key=lambda r: r["iri"])
        order = "by IRI"
    else:
        shown = standards_info(store, every, lab)[standards.start:standards.stop]
        order = "by identifier"
    lab.fetch(v for st in shown for v in every[st["iri"]] if v)
    for st in shown:
        st["direct"] = "" in found["Standard"][st["iri"]]
        st["via"] = via("Standard", st["iri"])
    items = roadmap_items(store, found["RoadmapItem"], lab)
    for it in items:
        it["direct"] = "" in found["RoadmapItem"][it["iri"]]
        it["via"] = via("RoadmapItem", it["iri"])
    recs = by_label({**lab.ref(r), "direct": "" in found["Recommendation"][r],
                     "via": via("Recommendation", r)} for r in found["Recommendation"])
    sme = None
    if kind == "theme":
        flags = {str(v).lower() for v in res.props.get(SG + "relevantToSMEs", [])}
        sme = {"value": "yes" if flags == {"true"} else "no" if flags == {"false"} else None,
               "definition": definition(store, SG + "relevantToSMEs")}
    return {
        "kind": kind,
        "definition": res.first_text(SKOS + "definition"),
        "scope_notes": res.texts(SKOS + "scopeNote"),
        "alt_labels": res.texts(SKOS + "altLabel"),
        "notation": res.first_text(SKOS + "notation"),
        "schemes": res.refs(SKOS + "inScheme"),
        "broader": by_label(lab.refs(near["broader"])),
        "narrower": by_label(lab.refs(near["narrower"])),
        "matches": [(h, res.refs(SKOS + p)) for p, h in MATCHES if res.refs(SKOS + p)],
        "standards": paged(shown, len(every), standards, order), "items": items,
        "recommendations": recs, "years": YEARS, "sme": sme,
        "gap": gap_of(store, iri, kind, evidence, labels=lab),
        **sources(store, res),
    }
