"""The roadmap: its items on the 2019-2023 timeline, a recommendation's and a roadmap item's page
models."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rdflib import URIRef

from stdgraph.analysis.common import Labels
from stdgraph.analysis.evidence import Evidence
from stdgraph.catalog.common import DCT, SG, SKOS, iris
from stdgraph.catalog.findings import gap_of
from stdgraph.catalog.queryfiles import select
from stdgraph.catalog.resource import Resource, describe, sources
from stdgraph.catalog.standard import standards_info
from stdgraph.store.base import Store

__all__ = ["ITEM_CONCERNS", "YEARS", "recommendation", "roadmap", "roadmap_item",
           "roadmap_items"]

YEARS = list(range(2019, 2024))  # the span of the roadmap's timeline

#: (property, heading) of what a roadmap item is about, in page order
ITEM_CONCERNS = [("addressesBarrier", "Barriers addressed"),
                 ("supportsTheme", "Themes supported"), ("concernsTechnology", "Technologies"),
                 ("relevantToStakeholder", "Relevant to stakeholders"),
                 ("basedOn", "Based on"), ("references", "References")]


def roadmap_items(store: Store, items: Iterable[str] | None,
                  labels: Labels | None = None) -> list[dict]:
    """Roadmap items (all with None, else the given ones) in timeline order (start, end,
    label): ``iri``, ``label``, ``start``/``end`` years, ``timeframe`` label, ``recs``
    (proposing recommendations) and ``standards`` (delivering ones) as refs by label,
    ``linked``: the standards that deliver or serve it, as refs with ``link`` ("delivers" or
    "serves") and ``evidence`` (the kinds of the links' records: "stated", "reading", ...; empty
    without a record), delivering ones first, and ``active``: one flag per year of
    :data:`YEARS`."""
    lab = labels or Labels(store)
    if items is not None:
        items = sorted(set(items))
        if not items:
            return []
    found: dict[str, dict] = {}
    rows = select(store, "roadmap-items", item=None if items is None else iris(items))
    for r, start, end, tf, rec, std, link, kind in rows:
        it = found.setdefault(str(r), {"iri": str(r), "start": None, "end": None,
                                       "timeframe": None, "recs": set(), "standards": set(),
                                       "linked": {}})
        if start is not None:
            it["start"] = int(str(start)[:4])
        if end is not None:
            it["end"] = int(str(end)[:4])
        if tf is not None:
            it["timeframe"] = str(tf)
        if rec is not None:
            it["recs"].add(str(rec))
        if std is not None:
            how = "delivers" if str(link) == SG + "delivers" else "serves"
            if how == "delivers":
                it["standards"].add(str(std))
            kinds = it["linked"].setdefault((how, str(std)), set())
            if kind is not None:
                kinds.add(str(kind).rsplit("#", 1)[-1].lower())
    lab.fetch([*found, *(x for it in found.values() for x in it["recs"] | it["standards"]),
               *(s for it in found.values() for _h, s in it["linked"])])
    out = []
    for it in found.values():
        first = it["start"] or it["end"]
        last = it["end"] or it["start"]
        out.append({**it, "label": lab(it["iri"]),
                    "recs": sorted(lab.refs(it["recs"]), key=lambda r: r["label"]),
                    "standards": sorted(lab.refs(it["standards"]), key=lambda r: r["label"]),
                    "linked": sorted(({**lab.ref(s), "link": how, "evidence": sorted(kinds)}
                                      for (how, s), kinds in it["linked"].items()),
                                     key=lambda r: (r["link"], r["label"])),
                    "active": [first is not None and first <= y <= last for y in YEARS]})
    out.sort(key=lambda r: (r["start"] or 9999, r["end"] or 9999, r["label"].casefold()))
    return out


def roadmap(store: Store) -> dict[str, Any]:
    """The whole timeline: ``years`` and ``rows`` (every roadmap item)."""
    return {"years": YEARS, "rows": roadmap_items(store, None)}


def recommendation(store: Store, iri: str, *, resource: Resource | None = None
                   ) -> dict[str, Any] | None:
    """A recommendation: ``notation``, ``text`` (the report's words), ``stakeholders``, its
    roadmap ``items`` on the timeline, the ``barriers`` and ``themes`` it relates to (its own,
    ``direct``, and its items', ``via`` those items) and its sources. None when the graph says
    nothing about ``iri``."""
    res = resource or describe(store, iri)
    if res is None:
        return None
    lab = res.labels
    item_iris = [str(r) for (r,) in select(store, "recommendation-items",
                                           recommendation=URIRef(iri))]
    items = roadmap_items(store, item_iris, lab)
    concerns: dict[str, dict[str, set]] = {k: defaultdict(set) for k in
                                           ("addressesBarrier", "supportsTheme")}
    for p in concerns:
        for o in res.props.get(SG + p, []):
            concerns[p][str(o)].add("")
    if item_iris:
        for r, p, o in select(store, "item-concerns", item=iris(item_iris)):
            concerns[str(p)[len(SG):]][str(o)].add(str(r))
    lab.fetch([o for by in concerns.values() for o in by])
    labels = {it["iri"]: it["label"] for it in items}

    def listing(p: str) -> list[dict]:
        out = []
        for o, by in concerns[p].items():
            out.append({**lab.ref(o), "direct": "" in by,
                        "via": sorted(({"iri": r, "label": labels.get(r, lab(r))}
                                       for r in by if r), key=lambda x: x["label"])})
        return sorted(out, key=lambda r: r["label"].casefold())

    return {
        "notation": res.first_text(SKOS + "notation"),
        "text": res.first_text(DCT + "description"),
        "stakeholders": res.refs(SG + "relevantToStakeholder"),
        "items": items, "years": YEARS,
        "barriers": listing("addressesBarrier"), "themes": listing("supportsTheme"),
        **sources(store, res),
    }


def roadmap_item(store: Store, iri: str, *, resource: Resource | None = None,
                 evidence: Evidence | None = None) -> dict[str, Any] | None:
    """A roadmap item: its row of the timeline (``item``), ``text``, editorial ``notes``, the
    standards that deliver it (``delivered``) and that serve it (``served``), ``concerns`` as
    (heading, refs) pairs, the gaps analysis' item when it is an open gap (read for this item
    alone at ``evidence``: ``catalog.findings.gap_of``), and its sources. None when the graph
    says nothing about ``iri``."""
    res = resource or describe(store, iri)
    if res is None:
        return None
    lab = res.labels
    items = roadmap_items(store, [iri], lab)
    item = items[0] if items else None
    return {
        "item": item, "years": YEARS,
        "text": res.first_text(DCT + "description"),
        "notes": res.texts(SKOS + "editorialNote"),
        "delivered": standards_info(store, (s["iri"] for s in item["standards"])
                                    if item else (), lab),
        "served": standards_info(store, (s["iri"] for s in item["linked"]
                                         if s["link"] == "serves") if item else (), lab),
        "concerns": [(h, res.refs(SG + p)) for p, h in ITEM_CONCERNS if res.refs(SG + p)],
        "gap": gap_of(store, iri, "roadmap-item", evidence, labels=lab),
        **sources(store, res),
    }
